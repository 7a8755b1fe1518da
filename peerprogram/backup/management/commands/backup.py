"""Write a consistent archive of the database, encrypted, and delete the expired ones. For a
nightly systemd timer or cron."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from peerprogram.backup.archive import backup_create
from peerprogram.backup.encryption import backup_recipients
from peerprogram.backup.retention import backup_prune


class Command(BaseCommand):
    help = (
        "Write a consistent archive of the database (SQLite or PostgreSQL) while the app "
        "runs: peerprogram-<UTC time>.tar.gz with the dump and a manifest (migrations, row "
        "counts, a checksum of the patient notes), encrypted with age to the public keys in "
        "BACKUP_AGE_RECIPIENTS as peerprogram-<UTC time>.tar.gz.age. In production (DEBUG "
        "off) it refuses to write an unencrypted archive unless --unencrypted is given. The "
        "file is readable by its owner only (mode 0600). Afterwards the archives older than "
        "BACKUP_KEEP_DAYS are deleted from the folder. PostgreSQL needs pg_dump (Debian "
        "package postgresql-client)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.BACKUP_DIR,
            help=(
                "Folder for the archive (created with mode 0700). Default: BACKUP_DIR, "
                "which is var/backups/ unless set."
            ),
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database to back up.")
        parser.add_argument(
            "--unencrypted",
            action="store_true",
            help=(
                "Write a plain archive although DEBUG is off and BACKUP_AGE_RECIPIENTS is "
                "not set. Anyone who can read the file can read the patient notes."
            ),
        )

    def handle(
        self, *args: Any, output: Path, database: str, unencrypted: bool, **options: Any
    ) -> None:
        recipients = backup_recipients(unencrypted=unencrypted)
        archive, manifest = backup_create(
            using=database, output_dir=Path(output), recipients=recipients
        )
        keep_days = settings.BACKUP_KEEP_DAYS
        removed = backup_prune(
            folder=archive.parent, keep_days=keep_days, now=timezone.now(), written=archive
        )
        if not recipients:
            self.stderr.write(
                f"{archive.name} is not encrypted: anyone who can read it can read the "
                f"patient notes. Set BACKUP_AGE_RECIPIENTS to encrypt the backups."
            )
        rows = sum(manifest["row_counts"].values())
        encrypted = f"encrypted to {len(recipients)} age key(s)" if recipients else "not encrypted"
        self.stdout.write(
            f"Backed up {rows} rows in {len(manifest['row_counts'])} tables "
            f"({manifest['engine']}); notes checksum {manifest['notes_checksum'][:12]}; "
            f"{encrypted}."
        )
        for path in removed:
            self.stdout.write(f"Deleted {path.name}: older than {keep_days} days.")
        # The path last and alone, for scripts that copy the archive elsewhere.
        self.stdout.write(str(archive))
