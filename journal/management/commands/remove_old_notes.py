"""Remove the notes of patients whose peer support ended long ago. For a daily cron."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from journal.services import notes_remove_expired


class Command(BaseCommand):
    help = (
        "Remove patients whose peer support ended more than JOURNAL_RETENTION_MONTHS ago, "
        "with their notes, versions and referrals, and declined referrals as old. The access "
        "log is kept. Safe to run every day: a second run removes nothing more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what would go.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        months = settings.JOURNAL_RETENTION_MONTHS
        today = timezone.localdate()
        with transaction.atomic():
            counts = notes_remove_expired(today=today, months=months)
            if dry_run:
                transaction.set_rollback(True)
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(
            f"{verb} {counts['patients']} patient(s), {counts['notes']} note(s), "
            f"{counts['versions']} note version(s) and {counts['referrals']} referral(s); "
            f"retention period {months} months after the peer support ended."
            + (" (dry run)" if dry_run else "")
        )
