"""Fill an empty database with a whole programme of region or nation size (benchmarks)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from peerprogram.demo import scale as generator
from peerprogram.models import Unit


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database (after migrate) with a fictional programme of region or "
        "nation size, for benchmarks and load tests. Password for every login: demo. "
        "Refuses when DEBUG is off unless --force is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(generator.SCALES), default="region")
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(
        self, *args: Any, scale: str = "region", force: bool = False, **options: Any
    ) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. The scale data has known "
                "passwords; use --force only on a test system."
            )
        if Unit.objects.exists():
            raise CommandError(
                "The database already holds units. seed_scale fills an empty database only: "
                "create a new one and run migrate first."
            )
        definition = generator.SCALES[scale]
        started = time.perf_counter()
        counts = generator.seed(definition)
        seconds = time.perf_counter() - started
        for label, count in counts.items():
            self.stdout.write(f"{label:<32} {count:>9}")
        self.stdout.write(f"Seeded {scale} in {seconds:.1f} s")
