"""Reads for recruitment: the checklist with derived facts, progress, boards."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import GreaterThan, LessThan
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from education import selectors as education_selectors
from employment import selectors as employment_selectors
from mentoring import selectors as mentoring_selectors
from peerprogram.actions import Action
from peerprogram.models import PeerWorker, StaffMember

from .models import (
    Anchor,
    Applicant,
    ChecklistItem,
    CommitteeMember,
    DerivedFrom,
    Onboarding,
    Phase,
    Vacancy,
    anchor_date,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(slots=True)
class ItemRow:
    """The columns of a checklist item that the lists and the summary PDF show: reading
    these instead of whole items (with who ticked them) keeps a programme's checklists,
    some 50,000 items at nation scale, quick to summarise."""

    pk: int
    title: str
    anchor: str
    offset_days: int
    due_override: datetime.date | None
    derived_from: str
    done_on: datetime.date | None
    done_by_id: None = None


ITEM_ROW_FIELDS = (
    "pk",
    "title",
    "anchor",
    "offset_days",
    "due_override",
    "derived_from",
    "done_on",
)


# A checklist page's whole items, or the rows the lists read.
Item = TypeVar("Item", ChecklistItem, ItemRow)
# The checklist page's onboarding, or a list's row of one (ListedOnboarding).
Owner = TypeVar("Owner", "Onboarding", "ListedOnboarding")


@dataclass
class ItemStatus(Generic[Item]):
    item: Item
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
class Progress(Generic[Owner, Item]):
    """A checklist's progress. `statuses` holds every task of one checklist; in the lists
    (onboarding_progress) the tasks ticked by hand are only counted, in `ticked`: about
    two in three tasks of a programme are, and working out their due dates (which change
    nothing once a task is done) was a third of a programme list's time."""

    onboarding: Owner
    statuses: list[ItemStatus[Item]]
    ticked: int = 0

    # Computed once: lists and home pages read these several times per row.
    @cached_property
    def applicable(self) -> list[ItemStatus[Item]]:
        return [s for s in self.statuses if s.applicable]

    @cached_property
    def done(self) -> int:
        return self.ticked + sum(1 for s in self.applicable if s.state == "done")

    @property
    def total(self) -> int:
        return self.ticked + len(self.applicable)

    @cached_property
    def overdue(self) -> int:
        return sum(1 for s in self.applicable if s.state == "overdue")

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @cached_property
    def next_open(self) -> ItemStatus[Item] | None:
        open_items = [s for s in self.applicable if s.state != "done"]
        return min(open_items, key=lambda s: s.due) if open_items else None

    def by_phase(
        self: Progress[Onboarding, ChecklistItem],
    ) -> list[tuple[StrOrPromise, list[ItemStatus[ChecklistItem]]]]:
        """The checklist page's tasks (whole items) grouped by phase."""
        groups: dict[str, list[ItemStatus[ChecklistItem]]] = defaultdict(list)
        for status in self.statuses:
            groups[status.item.phase].append(status)
        return [(Phase(p).label, groups[p]) for p in Phase.values if groups.get(p)]


# The attribute with_committee_seats() annotates for each recommended committee seat.
SEAT_ANNOTATIONS = {seat: f"committee_{seat}_since" for seat in CommitteeMember.RECOMMENDED}


# Tasks ticked by hand are counted, not read (see onboarding_progress).
_BY_HAND = Q(done_on__isnull=False, derived_from="") & ~Q(anchor=Anchor.EDUCATION_COMPLETED)


def _committee(
    onboardings: Sequence[Onboarding | ListedOnboarding],
) -> dict[int, dict[str, datetime.date]]:
    """Vacancy id -> recommended seat -> the day it was first filled: from the annotations
    of with_committee_seats(), or (for onboardings read without them) in one query."""
    committee: dict[int, dict[str, datetime.date]] = defaultdict(dict)
    unread: list[int] = []
    for o in onboardings:
        if not o.vacancy_id:
            continue
        if not hasattr(o, SEAT_ANNOTATIONS[CommitteeMember.Seat.LEADER]):
            unread.append(o.vacancy_id)
            continue
        for seat, name in SEAT_ANNOTATIONS.items():
            if (since := getattr(o, name)) is not None:
                committee[o.vacancy_id][seat] = since
    if unread:
        for row in (
            CommitteeMember.objects.filter(vacancy_id__in=unread)
            .values("vacancy_id", "seat")
            .annotate(first=Min("added_on"))
            .order_by()
        ):
            committee[row["vacancy_id"]][row["seat"]] = row["first"]
    return committee


# A derived task's fact: the day it was done (None: not yet) and who or what did it.
Fact = tuple[datetime.date | None, Any]


def _derived_facts(
    onboardings: Sequence[Onboarding | ListedOnboarding],
) -> dict[int, dict[str, Fact]]:
    """For each onboarding: derived kind -> (date or None, who/what), or absent if n/a.
    A peer's education and mentor come from one query (education.checklist_facts)."""
    facts: dict[int, dict[str, Fact]] = {o.pk: {} for o in onboardings}
    committee = _committee(onboardings)
    peer_ids = [o.peer_id for o in onboardings if o.peer_id]
    # The function description's agreement is read in the same query as the education's
    # facts (an annotation of this app's choosing, from the employment app).
    education = (
        education_selectors.checklist_facts(
            peer_ids,
            also={
                "function_agreed_on": employment_selectors.first_agreed_on(),
                "leaflet_made_on": employment_selectors.leaflet_made_on(),
            },
        )
        if peer_ids
        else {}
    )
    for o in onboardings:
        if o.vacancy_id:
            facts[o.pk][DerivedFrom.POSTING_PUBLISHED] = (o.published_on, "")
            seats = committee.get(o.vacancy_id, {})
            complete = all(s in seats for s in CommitteeMember.RECOMMENDED)
            facts[o.pk][DerivedFrom.COMMITTEE_COMPLETE] = (
                max(seats[s] for s in CommitteeMember.RECOMMENDED) if complete else None,
                "",
            )
        if o.peer_id:
            known = education[o.peer_id]
            facts[o.pk][DerivedFrom.MENTOR_APPOINTED] = (known.mentor_since, known.mentor)
            facts[o.pk][DerivedFrom.EDUCATION_ENROLLED] = (known.seat_since, known.cohort)
            facts[o.pk][DerivedFrom.MANDATORY_COURSES] = (known.courses_done_on, "")
            facts[o.pk][Anchor.EDUCATION_COMPLETED] = (known.completed_on, "")
            facts[o.pk][DerivedFrom.FUNCTION_AGREED] = (
                known.also.get("function_agreed_on"),
                "",
            )
            facts[o.pk][DerivedFrom.LEAFLET_MADE] = (known.also.get("leaflet_made_on"), "")
        else:
            for kind in (
                DerivedFrom.MENTOR_APPOINTED,
                DerivedFrom.EDUCATION_ENROLLED,
                DerivedFrom.MANDATORY_COURSES,
                DerivedFrom.FUNCTION_AGREED,
                DerivedFrom.LEAFLET_MADE,
            ):
                facts[o.pk][kind] = (None, "")
    return facts


def _due_dates(
    onboarding: Onboarding | ListedOnboarding,
) -> Callable[[str, int], datetime.date]:
    """Onboarding.due_for for many items of one onboarding: the anchor dates and the day
    the checklist started are worked out once, not once per item."""
    started = timezone.localdate(onboarding.created_at)
    anchors: dict[str, datetime.date] = {}

    def due_for(anchor: str, offset_days: int) -> datetime.date:
        if anchor not in anchors:
            anchors[anchor] = onboarding.anchor_date(anchor)
        due = anchors[anchor] + datetime.timedelta(days=offset_days)
        return Onboarding.caught_up(due, started=started)

    return due_for


def _statuses(
    onboarding: Onboarding | ListedOnboarding,
    items: Iterable[Item],
    facts: dict[str, Fact],
    today: datetime.date,
) -> list[ItemStatus[Item]]:
    statuses: list[ItemStatus[Item]] = []
    due_for = _due_dates(onboarding)
    for item in items:
        if item.anchor == Anchor.EDUCATION_COMPLETED:
            # The theme day and the like appear once the peer education is completed.
            completed = facts.get(Anchor.EDUCATION_COMPLETED, (None,))[0]
            if completed is None:
                continue
            due = item.due_override or completed + datetime.timedelta(days=item.offset_days)
        else:
            due = item.due_override or due_for(item.anchor, item.offset_days)
        if item.derived_from:
            fact = facts.get(item.derived_from)
            if fact is None:
                statuses.append(ItemStatus(item, due, None, "", applicable=False, today=today))
            else:
                statuses.append(ItemStatus(item, due, fact[0], fact[1], today=today))
        else:
            who = ""
            if isinstance(item, ChecklistItem) and item.done_by is not None:
                staff = getattr(item.done_by, "staff_member", None)
                who = staff.name if staff else item.done_by.get_username()
            statuses.append(ItemStatus(item, due, item.done_on, who, today=today))
    return statuses


def onboarding_progress(
    rows: Iterable[tuple[Any, ...]], today: datetime.date | None = None
) -> list[ListProgress]:
    """The checklist status of many onboardings (counts, overdue, the next task) in a
    fixed number of queries. The statuses hold ItemRows of the tasks that are open, derived
    or shown only after the education (enough for lists and summaries, not for the
    checklist page: see onboarding_detail); the tasks ticked by hand are counted.
    `rows`: the rows of for_lists()."""
    onboardings = [ListedOnboarding(*row) for row in rows]
    if not onboardings:
        return []
    today = today or timezone.localdate()
    facts = _derived_facts(onboardings)
    ids = [o.pk for o in onboardings]
    # The tasks done by hand are counted, not read: about two in three tasks of a
    # programme, and their due dates change nothing any more.
    ticked = dict(
        ChecklistItem.objects.filter(_BY_HAND, onboarding_id__in=ids)
        .values("onboarding_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("onboarding_id", "n")
    )
    items: dict[int, list[ItemRow]] = defaultdict(list)
    item_rows = (
        ChecklistItem.objects.filter(~_BY_HAND, onboarding_id__in=ids)
        .order_by("order", "pk")
        .values_list("onboarding_id", *ITEM_ROW_FIELDS)
    )
    for onboarding_id, *values in item_rows:
        items[onboarding_id].append(ItemRow(*values))
    return [
        Progress(o, _statuses(o, items[o.pk], facts[o.pk], today), ticked.get(o.pk, 0))
        for o in onboardings
    ]


def onboarding_detail(onboarding: Onboarding) -> ChecklistProgress:
    """One checklist with whole items: descriptions, notes, versions, who ticked them."""
    today = timezone.localdate()
    facts = _derived_facts([onboarding])
    items = (
        ChecklistItem.objects.filter(onboarding=onboarding)
        .select_related("done_by__staff_member", "assignee")
        .order_by("order", "pk")
    )
    return Progress(onboarding, _statuses(onboarding, items, facts[onboarding.pk], today))


def without_cancelled(onboardings: QuerySet[Onboarding]) -> QuerySet[Onboarding]:
    """A cancelled vacancy's checklist is over: it leaves the lists of work in progress."""
    return onboardings.exclude(peer__isnull=True, vacancy__status=Vacancy.Status.CANCELLED)


def with_relations(onboardings: QuerySet[Onboarding]) -> QuerySet[Onboarding]:
    return onboardings.select_related("unit", "vacancy", "peer__staff_member__unit")


# What a list of checklists shows and works its progress out from (onboarding_progress),
# read as rows, not models: the whole rows of five tables, a vacancy's posting text among
# them, made the database sort wide rows and Python build five models a row.
LIST_FIELDS = (
    "pk",
    "unit_id",
    "vacancy_id",
    "peer_id",
    "created_at",
    "unit__name",
    "vacancy__title",
    "vacancy__planned_start_date",
    "vacancy__published_on",
    "peer__start_date",
    "peer__probation_months",
    "peer__staff_member__name",
)


@dataclass(slots=True)
class ListedOnboarding:
    """An onboarding as the lists show it: one row of LIST_FIELDS, with what Onboarding
    offers the lists (label, start date, anchor dates)."""

    pk: int
    unit_id: int
    vacancy_id: int | None
    peer_id: int | None
    created_at: datetime.datetime
    unit_name: str
    vacancy_title: str | None
    planned_start_date: datetime.date | None
    published_on: datetime.date | None
    peer_start_date: datetime.date | None
    peer_probation_months: int | None
    peer_name: str | None

    @property
    def label(self) -> str:
        return self.peer_name if self.peer_name is not None else str(self.vacancy_title)

    @property
    def start_date(self) -> datetime.date:
        start = self.peer_start_date if self.peer_id else self.planned_start_date
        if start is None:  # the database requires a vacancy or a peer worker
            raise ValueError("A checklist has a vacancy or a peer worker.")
        return start

    @property
    def probation_months(self) -> int:
        if self.peer_probation_months is not None:
            return self.peer_probation_months
        return Onboarding.VACANCY_PROBATION_MONTHS

    def anchor_date(self, anchor: str) -> datetime.date:
        """The model's own rule (Onboarding.anchor_date)."""
        return anchor_date(anchor, start=self.start_date, probation_months=self.probation_months)


# A list's progress of one checklist, and the checklist page's.
ListProgress = Progress[ListedOnboarding, ItemRow]
ChecklistProgress = Progress[Onboarding, ChecklistItem]


# The order of the checklist overview and the summary PDF. The id decides between
# checklists made at the same moment (a seeded or imported programme has many): without
# it the database may order them differently for each page, showing one twice.
LIST_ORDER = ("unit__name", "-created_at", "-pk")


# Stored due days -----------------------------------------------------------------------

# The onboardings whose stored due days hold: worked out from the start and probation
# the peer worker (or, before the hire, the vacancy) has now.
FRESH_DUE_DAYS = Q(dues_created_at=F("created_at")) & (
    Q(
        peer__isnull=False,
        dues_start=F("peer__start_date"),
        dues_probation_months=F("peer__probation_months"),
    )
    | Q(
        peer__isnull=True,
        dues_start=F("vacancy__planned_start_date"),
        dues_probation_months=Onboarding.VACANCY_PROBATION_MONTHS,
    )
)
# The others: none stored yet, or the start moved since (in the admin, on the peer
# worker's page) and the daily run has not stored the new days yet.
STALE_DUE_DAYS = ~Q(pk__in=Onboarding.objects.filter(FRESH_DUE_DAYS).values("pk"))


def judged_by_due_day(items: QuerySet[ChecklistItem]) -> QuerySet[Any]:
    """Tasks of checklists with stored due days (FRESH_DUE_DAYS), with their `due` day:
    changed by hand, or the stored one. Not the tasks counted from the completion of the
    education (worked out in Python)."""
    return items.exclude(anchor=Anchor.EDUCATION_COMPLETED).annotate(
        due=Coalesce("due_override", "due_on")
    )


def due_days_of(
    onboardings: QuerySet[Onboarding],
) -> list[tuple[Onboarding, datetime.date, int, list[tuple[ChecklistItem, datetime.date | None]]]]:
    """Each checklist with the start and probation its tasks count from, and each task's
    due day by its anchor and offset (None for the tasks counted from the education's
    completion), by the checklist page's rule (three queries)."""
    listed = {o.pk: o for o in (ListedOnboarding(*row) for row in for_lists(onboardings))}
    items: dict[int, list[ChecklistItem]] = defaultdict(list)
    for item in ChecklistItem.objects.filter(onboarding_id__in=list(listed)).only(
        "onboarding_id", "anchor", "offset_days", "due_on"
    ):
        items[item.onboarding_id].append(item)
    found = []
    for onboarding in Onboarding.objects.filter(pk__in=list(listed)).only(
        "created_at", "dues_start", "dues_probation_months", "dues_created_at"
    ):
        row = listed[onboarding.pk]
        due_for = _due_dates(row)
        dues = [
            (
                item,
                None
                if item.anchor == Anchor.EDUCATION_COMPLETED
                else due_for(item.anchor, item.offset_days),
            )
            for item in items[onboarding.pk]
        ]
        found.append((onboarding, row.start_date, row.probation_months, dues))
    return found


def _not_done_by_facts() -> Q:
    """A task of a checklist with stored due days that is not done: not ticked, or (a
    derived task) its fact not recorded. The facts are the other apps' own, as sets the
    database holds once; the same facts _derived_facts reads one checklist at a time."""
    peer_facts = {
        DerivedFrom.MENTOR_APPOINTED: mentoring_selectors.peers_with_mentor(),
        DerivedFrom.EDUCATION_ENROLLED: education_selectors.peers_enrolled(),
        DerivedFrom.MANDATORY_COURSES: education_selectors.peers_with_mandatory_courses(),
        DerivedFrom.FUNCTION_AGREED: employment_selectors.peers_agreed(),
        DerivedFrom.LEAFLET_MADE: employment_selectors.peers_with_leaflet(),
    }
    committee_complete = (
        CommitteeMember.objects.filter(seat__in=CommitteeMember.RECOMMENDED)
        .values("vacancy_id")
        .annotate(n=Count("seat", distinct=True))
        .filter(n=len(CommitteeMember.RECOMMENDED))
        .values("vacancy_id")
        .order_by()
    )
    has_vacancy = Q(onboarding__vacancy__isnull=False)
    condition = (
        Q(derived_from=DerivedFrom.MANUAL, done_on__isnull=True)
        | Q(derived_from=DerivedFrom.POSTING_PUBLISHED, onboarding__vacancy__published_on=None)
        & has_vacancy
        | Q(derived_from=DerivedFrom.COMMITTEE_COMPLETE)
        & has_vacancy
        & ~Q(onboarding__vacancy_id__in=committee_complete)
    )
    for kind, done in peer_facts.items():
        condition |= Q(derived_from=kind) & (
            Q(onboarding__peer__isnull=True) | ~Q(onboarding__peer_id__in=done)
        )
    return condition


def past_due_tasks(items: QuerySet[ChecklistItem], today: datetime.date) -> QuerySet[Any]:
    """These tasks (of checklists with fresh stored days) past their due day and not
    done, judged by the database; not the tasks counted from the education."""
    # Derived tasks are never ticked (a constraint): every task not done is an open one.
    return (
        judged_by_due_day(items.filter(done_on__isnull=True))
        .filter(due__lt=today)
        .filter(_not_done_by_facts())
    )


def overdue_checklists(onboardings: QuerySet[Onboarding], today: datetime.date) -> dict[int, int]:
    """The checklists among these (cancelled vacancies' left out) with a task past its due
    day and not done: onboarding id -> unit id. The database judges the tasks by their
    stored due days (one query); the checklists whose start moved since, and those with
    a task counted from the completion of the education, are worked out here by the
    checklist page's rule (more queries, only when there are such checklists)."""
    education_tasks = ChecklistItem.objects.filter(
        onboarding=OuterRef("pk"), anchor=Anchor.EDUCATION_COMPLETED, done_on__isnull=True
    )
    rows = (
        without_cancelled(onboardings)
        .annotate(
            fresh=ExpressionWrapper(FRESH_DUE_DAYS, output_field=BooleanField()),
            # A task's id, not Exists: PostgreSQL would hash every open task of the
            # programme for a page of a few units; a limited subquery looks up each
            # checklist's own open tasks.
            late=Subquery(
                past_due_tasks(
                    ChecklistItem.objects.filter(onboarding=OuterRef("pk")), today
                ).values("pk")[:1]
            ),
            education=ExpressionWrapper(
                Q(Exists(education_tasks), peer_id__in=education_selectors.peers_enrolled()),
                output_field=BooleanField(),
            ),
        )
        .values_list("pk", "unit_id", "fresh", "late", "education")
        .order_by()
    )
    found: dict[int, int] = {}
    worked_out = []
    for pk, unit_id, fresh, late, education in rows:
        if fresh and late is not None:
            found[pk] = unit_id
        elif not fresh or education:
            worked_out.append(pk)
    if worked_out:
        listed = for_lists(Onboarding.objects.filter(pk__in=worked_out))
        for progress in onboarding_progress(listed, today):
            if progress.overdue:
                found[progress.onboarding.pk] = progress.onboarding.unit_id
    return found


def for_lists(onboardings: QuerySet[Onboarding]) -> QuerySet[Onboarding, tuple[Any, ...]]:
    """The onboardings as rows of LIST_FIELDS (onboarding_progress makes them
    ListedOnboardings)."""
    return onboardings.select_related(None).values_list(*LIST_FIELDS)


# Built once: building the subqueries costs more than running them.
_FIRST_FILLED = {
    name: Subquery(
        CommitteeMember.objects.filter(vacancy_id=OuterRef("vacancy_id"), seat=seat)
        .order_by("added_on")
        .values("added_on")[:1]
    )
    for seat, name in SEAT_ANNOTATIONS.items()
}


def with_committee_seats(onboardings: QuerySet[Onboarding]) -> QuerySet[Onboarding]:
    """Annotate the day each recommended committee seat was first filled, which the
    checklist of one onboarding reads with it instead of in a query of its own. Not for
    lists: the database would work it out for every row before sorting them."""
    return onboardings.annotate(**_FIRST_FILLED)


def board(vacancy: Vacancy) -> list[tuple[str, StrOrPromise, list[Applicant]]]:
    """The applicants grouped by step, in pipeline order, then the ended ones."""
    applicants: list[Applicant] = list(
        vacancy.applicants.annotate(
            interview_count=Count("interviews", distinct=True),
            reference_count=Count("references", distinct=True),
        ).order_by("received_on", "name")
    )
    columns: list[tuple[str, StrOrPromise, list[Applicant]]] = []
    for stage in [*Applicant.PIPELINE, Applicant.Stage.REJECTED, Applicant.Stage.WITHDRAWN]:
        columns.append((stage.value, stage.label, [a for a in applicants if a.stage == stage]))
    return columns


def empty_seats(vacancy: Vacancy) -> list[str]:
    taken = set(vacancy.committee.values_list("seat", flat=True))
    return [str(seat.label) for seat in CommitteeMember.RECOMMENDED if seat not in taken]


def _count_of(rows: QuerySet[Any]) -> Subquery:
    """For annotating: the number of rows, as a correlated subquery (0 when none)."""
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


# What the vacancy list shows of a vacancy (not the posting's text, not the contact person).
VACANCY_LIST_COLUMNS = (
    "pk",
    "title",
    "unit__name",
    "hours_per_week",
    "application_deadline",
    "planned_start_date",
    "status",
)


def vacancy_list(vacancies: QuerySet[Vacancy]) -> QuerySet[Vacancy, dict[str, Any]]:
    """The list's columns of these vacancies, newest first (the id decides between the
    same moment). Their applicants are counted for a page of them (`applicant_counts`):
    counted beside every row, a nation's open vacancies were all counted to show 50."""
    return (
        vacancies.select_related(None).order_by("-created_at", "-pk").values(*VACANCY_LIST_COLUMNS)
    )


def vacancies_counted(vacancies: QuerySet[Vacancy]) -> QuerySet[Vacancy]:
    """Vacancies with their applicants counted (`applicant_count`,
    `active_applicant_count`) in correlated subqueries, for a leader's few: a join with
    every applicant and a GROUP BY would count them all."""
    applicants = Applicant.objects.filter(vacancy=OuterRef("pk"))
    return (
        vacancies.select_related(None)
        .select_related("unit")
        .only(
            "title",
            "hours_per_week",
            "application_deadline",
            "planned_start_date",
            "status",
            "created_at",
            "unit__name",
        )
        .annotate(
            applicant_count=_count_of(applicants),
            active_applicant_count=_count_of(applicants.exclude(stage__in=Applicant.FINAL)),
        )
        .order_by("-created_at", "-pk")
    )


def applicant_counts(vacancy_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Vacancy id -> (applicants still in the process, all applicants), for these
    vacancies; one grouped query."""
    if not vacancy_ids:
        return {}
    rows = (
        Applicant.objects.filter(vacancy_id__in=vacancy_ids)
        .order_by()
        .values("vacancy_id")
        .annotate(active=Count("pk", filter=~Q(stage__in=Applicant.FINAL)), every=Count("pk"))
        .values_list("vacancy_id", "active", "every")
    )
    return {vacancy_id: (active, every) for vacancy_id, active, every in rows}


def derived_label(kind: str) -> str:
    labels: dict[str, str] = {
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
        DerivedFrom.FUNCTION_AGREED: _(
            "Done when the leader and the peer worker have both agreed to the function description."
        ),
        DerivedFrom.LEAFLET_MADE: _(
            "Done when the leaflet “Mød din peermedarbejder” is made from the peer worker's "
            "approved presentation."
        ),
    }
    return labels.get(kind, "")


def onboarding_of(peer: PeerWorker) -> Onboarding | None:
    return Onboarding.objects.filter(peer=peer).first()


def open_committee_seats(staff: StaffMember) -> QuerySet[CommitteeMember]:
    """The hiring committees a person sits on for vacancies still being decided."""
    return (
        CommitteeMember.objects.filter(staff_member=staff)
        .exclude(vacancy__status__in=[Vacancy.Status.FILLED, Vacancy.Status.CANCELLED])
        .select_related("vacancy__unit")
    )


class LeaderOverview(TypedDict):
    vacancies: list[Vacancy]
    checklists: list[ListProgress]


def leader_overview(unit_ids: Iterable[int]) -> LeaderOverview:
    """For the leader's home page: open vacancies and the checklists with overdue tasks."""
    vacancies = list(
        vacancies_counted(
            Vacancy.objects.filter(unit_id__in=unit_ids).exclude(
                status__in=[Vacancy.Status.FILLED, Vacancy.Status.CANCELLED]
            )
        )
    )
    onboardings = for_lists(
        without_cancelled(Onboarding.objects.filter(unit_id__in=unit_ids))
    ).order_by("-created_at", "-pk")[:20]
    progress = [p for p in onboarding_progress(onboardings) if p.done < p.total]
    return LeaderOverview(vacancies=vacancies, checklists=progress)


# Delegated tasks --------------------------------------------------------------------------


def assignee_choices(onboarding: Onboarding) -> QuerySet[StaffMember]:
    """Whom a checklist's task can be handed to: the unit's active staff (the peer worker
    among them) and the peer worker's mentor and buddy now, who may work elsewhere."""
    reach = Q(unit_id=onboarding.unit_id, active=True)
    if onboarding.peer_id:
        mentors = mentoring_selectors.active_mentorships().filter(peer_id=onboarding.peer_id)
        reach |= Q(pk__in=mentors.values("mentor_id"))
    return StaffMember.objects.filter(reach).select_related("unit").order_by("name")


def delegated_to(staff: StaffMember) -> list[tuple[ChecklistItem, datetime.date]]:
    """The checklist tasks handed to a person, with their due dates: open ones first
    (soonest due first), then those done. Two queries."""
    items = list(
        ChecklistItem.objects.filter(assignee=staff)
        .select_related("onboarding__unit", "onboarding__vacancy", "onboarding__peer__staff_member")
        .order_by("pk")
    )
    rows = [
        (item, item.due_override or item.onboarding.due_for(item.anchor, item.offset_days))
        for item in items
    ]
    return sorted(rows, key=lambda r: (r[0].done_on is not None, r[1]))


def open_delegated_count(staff: StaffMember) -> int:
    """How many checklist tasks handed to the person are still open."""
    return ChecklistItem.objects.filter(assignee=staff, done_on__isnull=True).count()


# The action lists ---------------------------------------------------------------------------


def leader_actions(overview: LeaderOverview, today: datetime.date) -> list[Action]:
    """The checklists in the leader's overview with tasks overdue, since the oldest."""
    actions = []
    for progress in overview["checklists"]:
        if not progress.overdue:
            continue
        oldest = min(s.due for s in progress.applicable if s.state == "overdue")
        actions.append(
            Action(
                "checklist_overdue",
                ngettext(
                    "%(n)s checklist task is overdue",
                    "%(n)s checklist tasks are overdue",
                    progress.overdue,
                )
                % {"n": progress.overdue},
                progress.onboarding.label,
                oldest,
                reverse("recruitment:checklist", args=[progress.onboarding.pk]),
            )
        )
    return actions


def delegated_actions(count: int, name: str) -> list[Action]:
    """The checklist tasks handed to a mentor or a peer worker."""
    if not count:
        return []
    return [
        Action(
            "delegated",
            ngettext(
                "%(n)s checklist task handed to you", "%(n)s checklist tasks handed to you", count
            )
            % {"n": count},
            name,
            None,
            reverse("recruitment:delegated_tasks"),
        )
    ]


def coming_mentor_ids(peer: PeerWorker) -> list[int]:
    """The staff who sat on the committee that hired this peer worker as the staff
    representative, the seat the guide gives the coming mentor (the mentor suggestions,
    settings.COMING_MENTOR_SOURCES)."""
    return list(
        CommitteeMember.objects.filter(
            vacancy__onboarding__peer=peer, seat=CommitteeMember.Seat.STAFF_REP
        ).values_list("staff_member_id", flat=True)
    )


@dataclass(slots=True)
class Timeliness:
    """A checklist's tasks ticked by hand, against their due days (for the yearly
    report): how many, done, done after the due day, and open past it."""

    onboarding_id: int
    begun: datetime.date  # the day the checklist was begun
    tasks: int = 0
    done: int = 0
    late: int = 0
    overdue: int = 0

    @property
    def complete(self) -> bool:
        return self.tasks > 0 and self.done == self.tasks

    @property
    def on_time(self) -> bool:
        """Every task done, none after its due day."""
        return self.complete and self.late == 0


_TIMELINESS_FIELDS = {"pk": "onboarding_id", "created_at": "onboarding__created_at__date"}
_CREATED = LIST_FIELDS.index("created_at")


def onboarding_timeliness(
    onboardings: QuerySet[Onboarding], today: datetime.date
) -> list[Timeliness]:
    """Each checklist's tasks ticked by hand against their due days: counted by the
    database from the stored due days (one query), and worked out here for the
    checklists whose start moved since (one query more). The tasks worked out from other
    facts, and those counted from the education, are not judged: they are done when the
    fact is."""
    scope = without_cancelled(onboardings)
    # Counted per checklist, not per task row: the day it was begun is worked out once.
    by_hand = Q(items__derived_from=DerivedFrom.MANUAL) & ~Q(
        items__anchor=Anchor.EDUCATION_COMPLETED
    )
    due = Coalesce("items__due_override", "items__due_on")
    counted = (
        scope.annotate(
            # Judged in the same read, not filtered on: PostgreSQL cannot estimate the
            # comparison and would then walk the tasks checklist by checklist.
            fresh=ExpressionWrapper(FRESH_DUE_DAYS, output_field=BooleanField()),
            begun=TruncDate("created_at"),
            tasks=Count("items", filter=by_hand),
            done=Count("items", filter=by_hand & Q(items__done_on__isnull=False)),
            late=Count("items", filter=by_hand & Q(GreaterThan(F("items__done_on"), due))),
            overdue=Count(
                "items",
                filter=by_hand & Q(items__done_on__isnull=True) & Q(LessThan(due, today)),
            ),
        )
        .filter(tasks__gt=0)
        .values_list("pk", "fresh", "begun", "tasks", "done", "late", "overdue")
        .order_by()
    )
    found, stale = [], []
    for pk, fresh, *figures in counted:
        if fresh:
            found.append(Timeliness(pk, *figures))
        else:
            stale.append(pk)
    if not stale:
        return found
    items = ChecklistItem.objects.filter(derived_from=DerivedFrom.MANUAL, onboarding__in=stale)
    return found + _timeliness_worked_out(items, today)


def _timeliness_worked_out(
    items: QuerySet[ChecklistItem], today: datetime.date
) -> list[Timeliness]:
    """onboarding_timeliness for checklists without valid stored due days: each task's
    due day worked out by the checklist page's rule."""
    found: dict[int, Timeliness] = {}
    dues: dict[int, Callable[[str, int], datetime.date]] = {}
    rows = (
        items.exclude(anchor=Anchor.EDUCATION_COMPLETED)
        .values_list(
            # The day it was begun, not the moment: a date is read far faster than a
            # timestamp on every task's row.
            *(_TIMELINESS_FIELDS.get(name, f"onboarding__{name}") for name in LIST_FIELDS),
            "anchor",
            "offset_days",
            "due_override",
            "done_on",
        )
        .order_by()
    )
    width = len(LIST_FIELDS)
    for row in rows:
        key = row[0]
        if key not in found:
            values = list(row[:width])
            begun = values[_CREATED]
            values[_CREATED] = timezone.make_aware(
                datetime.datetime.combine(begun, datetime.time(12))
            )
            listed = ListedOnboarding(*values)
            found[key] = Timeliness(key, begun)
            dues[key] = _due_dates(listed)
        anchor, offset_days, due_override, done_on = row[width:]
        due = due_override or dues[key](anchor, offset_days)
        counted = found[key]
        counted.tasks += 1
        if done_on is not None:
            counted.done += 1
            counted.late += done_on > due
        elif due < today:
            counted.overdue += 1
    return list(found.values())
