"""Anonymise applicants who were not hired, after the retention period. For a daily cron."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from recruitment.services import applicants_anonymise


class Command(BaseCommand):
    help = (
        "Anonymise applicants who were not hired, when their vacancy was filled, closed or "
        "cancelled more than APPLICANT_RETENTION_MONTHS ago. Safe to run every day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only list who would be anonymised."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        months = settings.APPLICANT_RETENTION_MONTHS
        today = timezone.localdate()
        if dry_run:
            with transaction.atomic():
                done = applicants_anonymise(today=today, retention_months=months)
                transaction.set_rollback(True)
            self.stdout.write(f"Would anonymise {len(done)} applicant(s) (dry run).")
            return
        done = applicants_anonymise(today=today, retention_months=months)
        for applicant in done:
            self.stdout.write(
                f"Anonymised applicant #{applicant.pk} (vacancy #{applicant.vacancy_id})"
            )
        self.stdout.write(f"Anonymised {len(done)} applicant(s); retention period {months} months.")
