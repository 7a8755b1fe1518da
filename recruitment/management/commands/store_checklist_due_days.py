"""Store the due days of the checklists whose start moved since they were worked out. For
the daily run."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Q

from recruitment.models import Anchor, ChecklistItem, Onboarding
from recruitment.selectors import STALE_DUE_DAYS
from recruitment.services import checklist_due_days_refresh


class Command(BaseCommand):
    help = (
        "Store the due days of the checklists whose peer worker's start date or probation "
        "(or vacancy's planned start, or the checklist's beginning) changed outside the "
        "checklist, or that have none stored yet. Until then those checklists are worked "
        "out task by task; safe to run every day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # And any checklist with a task that has no day stored (added by a data migration).
        unstored = ChecklistItem.objects.filter(due_on__isnull=True).exclude(
            anchor=Anchor.EDUCATION_COMPLETED
        )
        stale = Onboarding.objects.filter(
            STALE_DUE_DAYS | Q(pk__in=unstored.values("onboarding_id"))
        )
        checklists = stale.count()
        tasks = checklist_due_days_refresh(onboardings=stale)
        self.stdout.write(f"Stored the due days of {checklists} checklist(s), {tasks} task(s).")
