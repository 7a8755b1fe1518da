"""Store the due days of the checklists whose start moved since they were worked out. For
the daily run."""

from typing import Any

from django.core.management.base import BaseCommand

from recruitment.models import Onboarding
from recruitment.selectors import STALE_DUE_DAYS
from recruitment.services import checklist_due_days_refresh


class Command(BaseCommand):
    help = (
        "Store the due days of the checklists whose peer worker's start date or probation "
        "(or vacancy's planned start) changed outside the checklist, or that have none "
        "stored yet. Until then those checklists are worked out task by task; safe to run "
        "every day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        stale = Onboarding.objects.filter(STALE_DUE_DAYS)
        checklists = stale.count()
        tasks = checklist_due_days_refresh(onboardings=stale)
        self.stdout.write(f"Stored the due days of {checklists} checklist(s), {tasks} task(s).")
