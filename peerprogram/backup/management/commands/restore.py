"""Bring a backup archive back into an empty database, and prove that it is all there."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS

from peerprogram.backup.archive import backup_restore, pending_migrations


class Command(BaseCommand):
    help = (
        "Restore an archive written by the backup command into the configured database, "
        "which must be empty (a new PostgreSQL database from createdb, or a new SQLite "
        "file; do not run migrate first). Afterwards the row counts and the checksum of "
        "the patient notes are compared with the archive's manifest. PostgreSQL needs "
        "pg_restore (Debian package postgresql-client)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="A peerprogram-….tar.gz file.")
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The empty database to restore into."
        )

    def handle(self, *args: Any, archive: Path, database: str, **options: Any) -> None:
        manifest = backup_restore(archive=Path(archive), using=database)
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
