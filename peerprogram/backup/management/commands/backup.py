"""Write a consistent archive of the database. For a nightly cron."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS

from peerprogram.backup.archive import backup_create


class Command(BaseCommand):
    help = (
        "Write a consistent archive of the database (SQLite or PostgreSQL) while the app "
        "runs: peerprogram-<UTC time>.tar.gz with the dump and a manifest (migrations, row "
        "counts, a checksum of the patient notes). The file holds health data and is "
        "readable by its owner only (mode 0600). PostgreSQL needs pg_dump (Debian package "
        "postgresql-client)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.VAR_DIR / "backups",
            help="Folder for the archive (created with mode 0700). Default: var/backups/.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database to back up.")

    def handle(self, *args: Any, output: Path, database: str, **options: Any) -> None:
        archive, manifest = backup_create(using=database, output_dir=Path(output))
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            f"Backed up {rows} rows in {len(manifest['row_counts'])} tables "
            f"({manifest['engine']}); notes checksum {manifest['notes_checksum'][:12]}."
        )
        # The path last and alone, for scripts that copy the archive elsewhere.
        self.stdout.write(str(archive))
