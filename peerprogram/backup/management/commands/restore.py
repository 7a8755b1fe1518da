"""Bring a backup archive back into an empty database, and prove that it is all there."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS

from peerprogram.backup.archive import backup_restore, pending_migrations


class Command(BaseCommand):
    help = (
        "Restore an archive written by the backup command into the configured database, "
        "which must be empty (a new PostgreSQL database from createdb, or a new SQLite "
        "file; do not run migrate first). An encrypted archive (….tar.gz.age) needs the "
        "file with its age private key: --identity FILE or BACKUP_AGE_IDENTITY_FILE. "
        "Afterwards the row counts and the checksum of the patient notes are compared with "
        "the archive's manifest. PostgreSQL needs pg_restore (Debian package "
        "postgresql-client)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "archive", type=Path, help="A peerprogram-….tar.gz or ….tar.gz.age file."
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The empty database to restore into."
        )
        parser.add_argument(
            "--identity",
            type=Path,
            default=Path(settings.BACKUP_AGE_IDENTITY_FILE)
            if settings.BACKUP_AGE_IDENTITY_FILE
            else None,
            help=(
                "The age identity file (from age-keygen) with the private key of an "
                "encrypted archive. Default: BACKUP_AGE_IDENTITY_FILE."
            ),
        )

    def handle(
        self, *args: Any, archive: Path, database: str, identity: Path | None, **options: Any
    ) -> None:
        manifest = backup_restore(
            archive=Path(archive),
            using=database,
            identity=Path(identity) if identity is not None else None,
        )
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            f"Restored {rows} rows in {len(manifest['row_counts'])} tables from the backup of "
            f"{manifest['created_at']}; the row counts and the notes checksum match the archive."
        )
        pending = pending_migrations(using=database)
        if pending:
            self.stdout.write(
                f"This version of Peerprogram has {pending} migration(s) the backup has not: "
                f"run python manage.py migrate now."
            )
