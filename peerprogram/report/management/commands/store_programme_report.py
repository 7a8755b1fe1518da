"""Work out the programme report's figures of every year for today and keep them. For the
daily run."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from peerprogram.report.services import programme_report_store


class Command(BaseCommand):
    help = (
        "Work out the whole programme's report figures of every year up to today and keep "
        "them for the programme report; safe to run again the same day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        stored = programme_report_store(timezone.localdate())
        years = sorted(row.year for row in stored)
        self.stdout.write(
            f"Stored the programme report of {timezone.localdate()}: "
            f"{len(years)} year(s), {years[0]}-{years[-1]}."
        )
