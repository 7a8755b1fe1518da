"""Work out the whole programme's health for today and keep it. For the daily run."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from programme.services import programme_health_store


class Command(BaseCommand):
    help = (
        "Work out today's health of the whole programme (every unit's line of the health "
        "page and every peer worker's signals) and keep it for the Centre's home and the "
        "health page, with the programme's level for the statistics; safe to run again the "
        "same day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = programme_health_store(timezone.localdate())
        units = run.units.count()
        signals = run.signals.count()
        self.stdout.write(
            f"Stored the programme's health of {run.day}: {units} unit(s), {signals} signal(s)."
        )
