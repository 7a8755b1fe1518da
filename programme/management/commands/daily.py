"""Everything the product does once a day, for one systemd timer (or cron line) on one
server: each part runs even when an earlier one failed, and the command exits non-zero,
naming the parts that failed, when any did. Each part is safe to run again."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

logger = logging.getLogger(__name__)

# In this order: data is removed before anyone is e-mailed about it.
PARTS = [
    "anonymise_applicants",
    "remove_old_notes",
    # Before anything reads "overdue": checklists whose start moved get their due days.
    "store_checklist_due_days",
    # After the due days, before the digest: the whole programme's health for the day.
    "store_programme_health",
    "store_programme_report",
    "send_mentoring_reminders",
    "send_employment_reminders",
    # Survey rounds: invitations from the first day, a reminder before the last.
    "send_survey_invitations",
    # Once a week per person (keyed by the week's Monday): the first run of the week sends.
    "send_weekly_digest",
    # Django's own: expired sessions out of the database.
    "clearsessions",
]


class Command(BaseCommand):
    help = "Run the daily jobs (retention, reminders, the weekly digest, expired sessions)."

    def handle(self, *args: Any, **options: Any) -> None:
        failed = []
        for part in PARTS:
            try:
                call_command(part, stdout=self.stdout, stderr=self.stderr)
            except Exception as exc:  # one failed part must not stop the others
                logger.error("The daily job %s failed: %s", part, exc, exc_info=True)
                self.stderr.write(f"{part} failed: {exc}")
                failed.append(part)
        if failed:
            raise CommandError("Daily jobs failed: " + ", ".join(failed))
        self.stdout.write("Daily jobs done.")
