"""Reads for recruitment: the checklist with derived facts, progress, boards."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from education import selectors as education_selectors
from mentoring import selectors as mentoring_selectors

from .models import (
    Anchor,
    Applicant,
    ChecklistItem,
    CommitteeMember,
    DerivedFrom,
    Onboarding,
    Phase,
    Vacancy,
)


@dataclass
class ItemStatus:
    item: ChecklistItem
    due: datetime.date
    done_on: datetime.date | None
    done_by: str
    applicable: bool = True
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def derived(self) -> bool:
        return bool(self.item.derived_from)

    @property
    def derived_hint(self) -> str:
        return derived_label(self.item.derived_from)

    @property
    def state(self) -> str:
        if not self.applicable:
            return "na"
        if self.done_on:
            return "done"
        return "overdue" if self.due < self.today else "open"


@dataclass
class Progress:
    onboarding: Onboarding
    statuses: list[ItemStatus]

    @property
    def applicable(self) -> list[ItemStatus]:
        return [s for s in self.statuses if s.applicable]

    @property
    def done(self) -> int:
        return sum(1 for s in self.applicable if s.state == "done")

    @property
    def total(self) -> int:
        return len(self.applicable)

    @property
    def overdue(self) -> int:
        return sum(1 for s in self.applicable if s.state == "overdue")

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def next_open(self) -> ItemStatus | None:
        open_items = [s for s in self.applicable if s.state != "done"]
        return min(open_items, key=lambda s: s.due) if open_items else None

    def by_phase(self) -> list[tuple[str, list[ItemStatus]]]:
        groups: dict[str, list[ItemStatus]] = defaultdict(list)
        for status in self.statuses:
            groups[status.item.phase].append(status)
        return [(Phase(p).label, groups[p]) for p in Phase.values if groups.get(p)]


def _derived_facts(onboardings: list[Onboarding]) -> dict[int, dict[str, tuple]]:
    """For each onboarding: derived kind -> (date or None, who/what), or absent if n/a."""
    facts: dict[int, dict[str, tuple]] = {o.pk: {} for o in onboardings}
    vacancy_ids = [o.vacancy_id for o in onboardings if o.vacancy_id]
    committee: dict[int, dict[str, datetime.date]] = defaultdict(dict)
    rows = (
        CommitteeMember.objects.filter(vacancy_id__in=vacancy_ids)
        .values("vacancy_id", "seat")
        .annotate(first=Min("added_on"))
        if vacancy_ids
        else []
    )
    for row in rows:
        committee[row["vacancy_id"]][row["seat"]] = row["first"]
    peer_ids = [o.peer_id for o in onboardings if o.peer_id]
    mentors = mentoring_selectors.mentor_since_by_peer(peer_ids)
    education = education_selectors.checklist_facts(peer_ids)
    for o in onboardings:
        if o.vacancy_id:
            facts[o.pk][DerivedFrom.POSTING_PUBLISHED] = (o.vacancy.published_on, "")
            seats = committee.get(o.vacancy_id, {})
            complete = all(s in seats for s in CommitteeMember.RECOMMENDED)
            facts[o.pk][DerivedFrom.COMMITTEE_COMPLETE] = (
                max(seats[s] for s in CommitteeMember.RECOMMENDED) if complete else None,
                "",
            )
        if o.peer_id:
            mentor, since = mentors.get(o.peer_id, (None, None))
            facts[o.pk][DerivedFrom.MENTOR_APPOINTED] = (since, mentor.name if mentor else "")
            known = education[o.peer_id]
            facts[o.pk][DerivedFrom.EDUCATION_ENROLLED] = (known.seat_since, known.cohort)
            facts[o.pk][DerivedFrom.MANDATORY_COURSES] = (known.courses_done_on, "")
            facts[o.pk][Anchor.EDUCATION_COMPLETED] = (known.completed_on, "")
        else:
            for kind in (
                DerivedFrom.MENTOR_APPOINTED,
                DerivedFrom.EDUCATION_ENROLLED,
                DerivedFrom.MANDATORY_COURSES,
            ):
                facts[o.pk][kind] = (None, "")
    return facts


def _statuses(onboarding: Onboarding, items, facts, today) -> list[ItemStatus]:
    statuses = []
    for item in items:
        if item.anchor == Anchor.EDUCATION_COMPLETED:
            # The theme day and the like appear once the peer education is completed.
            completed = facts.get(Anchor.EDUCATION_COMPLETED, (None,))[0]
            if completed is None:
                continue
            due = item.due_override or completed + datetime.timedelta(days=item.offset_days)
        else:
            due = item.due_override or onboarding.due_for(item.anchor, item.offset_days)
        if item.derived_from:
            fact = facts.get(item.derived_from)
            if fact is None:
                statuses.append(ItemStatus(item, due, None, "", applicable=False, today=today))
            else:
                statuses.append(ItemStatus(item, due, fact[0], fact[1], today=today))
        else:
            who = ""
            if item.done_by_id:
                staff = getattr(item.done_by, "staff_member", None)
                who = staff.name if staff else item.done_by.get_username()
            statuses.append(ItemStatus(item, due, item.done_on, who, today=today))
    return statuses


def onboarding_progress(onboardings: list[Onboarding]) -> list[Progress]:
    """Checklist status for several onboardings in a fixed number of queries."""
    onboardings = list(onboardings)
    if not onboardings:
        return []
    today = timezone.localdate()
    facts = _derived_facts(onboardings)
    items: dict[int, list[ChecklistItem]] = defaultdict(list)
    for item in (
        ChecklistItem.objects.filter(onboarding__in=onboardings)
        .select_related("done_by__staff_member")
        .order_by("order", "pk")
    ):
        items[item.onboarding_id].append(item)
    return [Progress(o, _statuses(o, items[o.pk], facts[o.pk], today)) for o in onboardings]


def onboarding_detail(onboarding: Onboarding) -> Progress:
    return onboarding_progress([onboarding])[0]


def without_cancelled(onboardings: QuerySet[Onboarding]) -> QuerySet[Onboarding]:
    """A cancelled vacancy's checklist is over: it leaves the lists of work in progress."""
    return onboardings.exclude(peer__isnull=True, vacancy__status=Vacancy.Status.CANCELLED)


def with_relations(onboardings: QuerySet[Onboarding]) -> QuerySet[Onboarding]:
    return onboardings.select_related("unit", "vacancy", "peer__staff_member__unit")


def board(vacancy: Vacancy) -> list[tuple[str, str, list[Applicant]]]:
    """The applicants grouped by step, in pipeline order, then the ended ones."""
    applicants = list(
        vacancy.applicants.annotate(
            interview_count=Count("interviews", distinct=True),
            reference_count=Count("references", distinct=True),
        ).order_by("received_on", "name")
    )
    columns = []
    for stage in [*Applicant.PIPELINE, Applicant.Stage.REJECTED, Applicant.Stage.WITHDRAWN]:
        columns.append((stage.value, stage.label, [a for a in applicants if a.stage == stage]))
    return columns


def empty_seats(vacancy: Vacancy) -> list[str]:
    taken = set(vacancy.committee.values_list("seat", flat=True))
    return [str(seat.label) for seat in CommitteeMember.RECOMMENDED if seat not in taken]


def vacancy_list(vacancies: QuerySet[Vacancy]) -> QuerySet[Vacancy]:
    return vacancies.annotate(
        applicant_count=Count("applicants", distinct=True),
        active_applicant_count=Count(
            "applicants",
            filter=~Q(applicants__stage__in=Applicant.FINAL),
            distinct=True,
        ),
    ).order_by("-created_at")


def derived_label(kind: str) -> str:
    return {
        DerivedFrom.POSTING_PUBLISHED: _("Done when the vacancy is published."),
        DerivedFrom.COMMITTEE_COMPLETE: _(
            "Done when the four recommended committee seats are filled."
        ),
        DerivedFrom.MENTOR_APPOINTED: _("Done when a mentor is appointed for the peer worker."),
        DerivedFrom.EDUCATION_ENROLLED: _(
            "Done when the peer worker has a seat on a cohort of the peer education."
        ),
        DerivedFrom.MANDATORY_COURSES: _(
            "Done when every mandatory course is recorded as completed for the peer worker."
        ),
    }.get(kind, "")


def onboarding_of(peer) -> Onboarding | None:
    return Onboarding.objects.filter(peer=peer).first()


def open_committee_seats(staff) -> QuerySet[CommitteeMember]:
    """The hiring committees a person sits on for vacancies still being decided."""
    return (
        CommitteeMember.objects.filter(staff_member=staff)
        .exclude(vacancy__status__in=[Vacancy.Status.FILLED, Vacancy.Status.CANCELLED])
        .select_related("vacancy__unit")
    )


def leader_overview(unit_ids) -> dict:
    """For the leader's home page: open vacancies and the checklists with overdue tasks."""
    vacancies = list(
        vacancy_list(
            Vacancy.objects.filter(unit_id__in=unit_ids).exclude(
                status__in=[Vacancy.Status.FILLED, Vacancy.Status.CANCELLED]
            )
        ).select_related("unit")
    )
    onboardings = with_relations(
        without_cancelled(Onboarding.objects.filter(unit_id__in=unit_ids))
    ).order_by("-created_at")[:20]
    progress = [p for p in onboarding_progress(onboardings) if p.done < p.total]
    return {"vacancies": vacancies, "checklists": progress}
