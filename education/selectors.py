"""Reads for the education: completion, the rules, reports, and everyone's calendar."""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import BaseExpression
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentoring import selectors as mentoring_selectors
from mentoring.models import AwayPeriod, CheckIn, Mentorship
from mentoring.selectors import ClashNotice
from peerprogram.actions import Action
from peerprogram.models import PeerWorker, StaffMember
from peerprogram.selectors import count_of, employed_now_q

from .models import (
    Audience,
    Cohort,
    CohortModule,
    CourseRecord,
    DayAttendance,
    Enrolment,
    ErfaGroup,
    MandatoryCourse,
    Meeting,
    MeetingAttendance,
    MeetingSeries,
    MentorModule,
    local_datetime,
    next_weekday,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Completion ------------------------------------------------------------------------


def completion_date(
    *,
    by_hand: datetime.date | None,
    modules: int,
    dated: int,
    days_present: int,
    last_first_day: datetime.date | None,
) -> datetime.date | None:
    """The completion rule, in one place: the date Centre staff marked by hand, or, once
    every teaching day of every (dated) module is attended, the last teaching day."""
    if by_hand:
        return by_hand
    if modules and dated == modules and days_present >= 2 * modules and last_first_day:
        return next_weekday(last_first_day)
    return None


@dataclass
class Participation:
    """One enrolment with its attendance: which teaching days, modules done, completion."""

    enrolment: Enrolment
    present: set[tuple[int, int]]  # (session id, day 1 or 2)
    sessions: list[CohortModule]

    @property
    def modules_attended(self) -> int:
        return sum(1 for s in self.sessions if self.attended(s))

    def attended(self, session: CohortModule) -> bool:
        return (session.pk, 1) in self.present and (session.pk, 2) in self.present

    @property
    def completed_on(self) -> datetime.date | None:
        dated = [s.first_day for s in self.sessions if s.first_day]
        return completion_date(
            by_hand=self.enrolment.completed_on,
            modules=len(self.sessions),
            dated=len(dated),
            days_present=len(self.present),
            last_first_day=max(dated, default=None),
        )

    @property
    def completed_by_hand(self) -> bool:
        return bool(self.enrolment.completed_on)

    def grid(self) -> list[tuple[CohortModule, bool, bool]]:
        return [(s, (s.pk, 1) in self.present, (s.pk, 2) in self.present) for s in self.sessions]


def participations(enrolments: list[Enrolment]) -> list[Participation]:
    """Attendance for several enrolments (any cohorts) in two queries."""
    if not enrolments:
        return []
    cohort_ids = {e.cohort_id for e in enrolments}
    sessions: dict[int, list[CohortModule]] = defaultdict(list)
    for session in CohortModule.objects.filter(cohort_id__in=cohort_ids).select_related("module"):
        sessions[session.cohort_id].append(session)
    present: dict[int, set] = defaultdict(set)
    for row in DayAttendance.objects.filter(enrolment__in=enrolments).values_list(
        "enrolment_id", "session_id", "day"
    ):
        present[row[0]].add((row[1], row[2]))
    return [Participation(e, present[e.pk], sessions[e.cohort_id]) for e in enrolments]


def seated(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    return enrolments.filter(status=Enrolment.Status.ENROLLED)


def education_by_peer(peer_ids: list[int]) -> dict[int, Participation]:
    """Each peer's current (or last) seat on a cohort with attendance, in three queries."""
    if not peer_ids:
        return {}
    rows = (
        seated(Enrolment.objects.filter(peer_id__in=peer_ids))
        .select_related("cohort")
        .order_by("seat_since", "pk")
    )
    latest = {e.peer_id: e for e in rows}  # the most recent seat wins
    return {
        p.enrolment.peer_id: p
        for p in participations(list(latest.values()))
        if p.enrolment.peer_id is not None
    }


def waiting_by_peer(peer_ids: list[int]) -> dict[int, Enrolment]:
    rows = Enrolment.objects.filter(
        peer_id__in=peer_ids, status=Enrolment.Status.WAITING
    ).select_related("cohort")
    return {e.peer_id: e for e in rows if e.peer_id is not None}


@dataclass(frozen=True)
class ChecklistFacts:
    seat_since: datetime.date | None = None
    cohort: str = ""
    completed_on: datetime.date | None = None
    courses_done_on: datetime.date | None = None
    mentor: str = ""  # the name of the mentor appointed now, and since when
    mentor_since: datetime.date | None = None
    # The values of the caller's own annotations (checklist_facts' `also`).
    also: dict[str, Any] = field(default_factory=dict)


# What the completion rule reads of a seat (completion_date), beside the seat's own fields.
_SEAT_COUNTS = ("days_present", "modules", "dated", "last_first_day")


def _seats(peers: QuerySet[PeerWorker]) -> QuerySet[PeerWorker]:
    """The peers' seats on a cohort (a row per seat, a row without one for a peer without),
    each with what the completion rule counts."""
    # No ordering in the subqueries: PostgreSQL refuses an ORDER BY column outside an
    # aggregate.
    sessions = CohortModule.objects.filter(cohort=OuterRef("seat__cohort_id")).order_by()
    return peers.annotate(
        seat=FilteredRelation(
            "enrolments", condition=Q(enrolments__status=Enrolment.Status.ENROLLED)
        )
    ).annotate(
        days_present=count_of(DayAttendance.objects.filter(enrolment=OuterRef("seat__pk"))),
        modules=count_of(sessions),
        dated=count_of(sessions.filter(first_day__isnull=False)),
        last_first_day=_largest(sessions, "first_day"),
    )


def _completed(row: Mapping[str, Any]) -> datetime.date | None:
    """completion_date of a row of _seats."""
    if row["seat__pk"] is None:
        return None
    return completion_date(
        by_hand=row["seat__completed_on"],
        modules=row["modules"],
        dated=row["dated"],
        days_present=row["days_present"],
        last_first_day=row["last_first_day"],
    )


def completion_dates(peers: QuerySet[PeerWorker]) -> dict[int, datetime.date | None]:
    """The day each peer completed the education on their latest seat (by attendance or
    marked by hand; checklist_facts' completed_on), for many peers in one query."""
    rows = (
        _seats(peers)
        .values("pk", "seat__pk", "seat__completed_on", *_SEAT_COUNTS)
        .order_by("pk", "seat__seat_since", "seat__pk")
    )
    latest = {row["pk"]: row for row in rows}  # a peer's most recent seat wins
    return {pk: _completed(row) for pk, row in latest.items()}


def _checklist_facts_rows(peer_ids: list[int], also: Mapping[str, BaseExpression]) -> QuerySet:
    """The rows checklist_facts reads: each peer's seats with the derived counts."""
    records = CourseRecord.objects.filter(
        peer=OuterRef("pk"), course__active=True, completed_on__isnull=False
    ).order_by()
    # At most one (a constraint): read here, the checklist needs no query of its own.
    mentorship = mentoring_selectors.active_mentors().filter(peer=OuterRef("pk")).order_by()
    return (
        _seats(PeerWorker.objects.filter(pk__in=peer_ids))
        .annotate(
            courses=count_of(records),
            courses_last=_largest(records, "completed_on"),
            required=count_of(MandatoryCourse.objects.filter(active=True)),
            mentor=Subquery(mentorship.values("mentor__name")[:1]),
            mentor_since=Subquery(mentorship.values("start_date")[:1]),
            **also,
        )
        .values(
            *also,
            "pk",
            "seat__pk",
            "seat__seat_since",
            "seat__requested_at",
            "seat__completed_on",
            "seat__cohort__name",
            *_SEAT_COUNTS,
            "courses",
            "courses_last",
            "required",
            "mentor",
            "mentor_since",
        )
        .order_by("pk", "seat__seat_since", "seat__pk")
    )


def peers_enrolled() -> QuerySet[Any]:
    """The ids of the peer workers with a seat on a cohort (checklist_facts' seat, as a set
    for the database to judge many checklists at once)."""
    return Enrolment.objects.filter(status=Enrolment.Status.ENROLLED, peer__isnull=False).values(
        "peer_id"
    )


def peers_with_mandatory_courses() -> QuerySet[Any]:
    """The ids of the peer workers who completed every active mandatory course
    (checklist_facts' courses_done_on, as a set)."""
    required = MandatoryCourse.objects.filter(active=True).order_by()
    return (
        CourseRecord.objects.filter(course__active=True, completed_on__isnull=False)
        .values("peer_id")
        .annotate(n=Count("pk"))
        .filter(n=Subquery(required.annotate(n=Func(F("pk"), function="COUNT")).values("n")))
        .values("peer_id")
        .order_by()
    )


def checklist_facts(
    peer_ids: list[int], also: Mapping[str, BaseExpression] | None = None
) -> dict[int, ChecklistFacts]:
    """What the onboarding checklist reads about peers, for many peers in one query: the
    seat on a cohort, completion (from attendance or marked by hand), the day the last
    mandatory course was completed, and the mentor appointed now. `also`: annotations of
    the caller's on the peer worker (OuterRef("pk")) read in the same query, such as facts
    of an app above this one; their values come back in `ChecklistFacts.also`."""
    if not peer_ids:
        return {}
    also = also or {}
    rows = _checklist_facts_rows(peer_ids, also)
    latest = {row["pk"]: row for row in rows}  # a peer's most recent seat wins
    facts = {}
    for peer_id in peer_ids:
        row = latest.get(peer_id)
        if row is None:
            facts[peer_id] = ChecklistFacts()
            continue
        seat = row["seat__pk"] is not None
        all_courses = row["courses"] and row["courses"] == row["required"]
        facts[peer_id] = ChecklistFacts(
            seat_since=(
                timezone.localdate(row["seat__seat_since"] or row["seat__requested_at"])
                if seat
                else None
            ),
            cohort=row["seat__cohort__name"] or "",
            completed_on=_completed(row),
            courses_done_on=row["courses_last"] if all_courses else None,
            mentor=row["mentor"] or "",
            mentor_since=row["mentor_since"],
            also={name: row[name] for name in also},
        )
    return facts


def _largest(rows: QuerySet, field_name: str) -> Subquery:
    """For annotating: the largest value of a field among the rows (a correlated subquery)."""
    return Subquery(rows.annotate(largest=Func(F(field_name), function="MAX")).values("largest"))


def course_rows(peer: PeerWorker) -> list[tuple[MandatoryCourse, CourseRecord | None]]:
    records = {r.course_id: r for r in peer.course_records.all()}
    courses = MandatoryCourse.objects.filter(Q(active=True) | Q(pk__in=records))
    return [(course, records.get(course.pk)) for course in courses]


@dataclass
class Summary:
    """One peer's education at a glance: the seat, progress, courses, the deadline."""

    participation: Participation | None
    waiting: Enrolment | None
    courses: list[tuple[MandatoryCourse, CourseRecord | None]]
    deadline: datetime.date

    @property
    def courses_done(self) -> int:
        return sum(1 for _c, r in self.courses if r and r.completed_on)


def education_summary(peer: PeerWorker) -> Summary:
    return Summary(
        participation=education_by_peer([peer.pk]).get(peer.pk),
        waiting=waiting_by_peer([peer.pk]).get(peer.pk),
        courses=course_rows(peer),
        deadline=education_deadline(peer),
    )


# The rules -------------------------------------------------------------------------


def hired_late(peer: PeerWorker, cohort: Cohort) -> bool:
    """Best practice: hired at least three months before the cohort starts."""
    months = settings.EDUCATION_HIRED_BEFORE_MONTHS
    return peer.start_date > cohort.start_date - relativedelta(months=months)


def education_deadline(peer: PeerWorker) -> datetime.date:
    return peer.start_date + relativedelta(months=settings.EDUCATION_WITHIN_MONTHS)


def cohort_end(cohort: Cohort, sessions: list[CohortModule]) -> datetime.date | None:
    days = [d for s in sessions for d in s.days]
    return max(days) if days else None


@dataclass
class FollowUp:
    peer: PeerWorker
    deadline: datetime.date
    participation: Participation | None
    waiting: Enrolment | None
    problems: list[str] = field(default_factory=list)


def education_followup(peers: QuerySet[PeerWorker]) -> list[FollowUp]:
    """Peers employed now who have not finished the education, each with what is wrong:
    not enrolled, only on a waiting list, a cohort ending after the first year, or a first
    year already over."""
    today = timezone.localdate()
    employed = list(peers.filter(employed_now_q()).select_related("staff_member__unit"))
    ids = [p.pk for p in employed]
    education = education_by_peer(ids)
    waiting = waiting_by_peer(ids)
    rows = []
    for peer in sorted(employed, key=education_deadline):
        participation = education.get(peer.pk)
        if participation and participation.completed_on:
            continue
        row = FollowUp(peer, education_deadline(peer), participation, waiting.get(peer.pk))
        if participation is None:
            if row.waiting:
                row.problems.append(_("Only on the waiting list for %s.") % row.waiting.cohort)
            else:
                row.problems.append(_("Not enrolled in the peer education."))
        else:
            ends = cohort_end(participation.enrolment.cohort, participation.sessions)
            if ends and ends > row.deadline:
                row.problems.append(
                    _("The cohort ends %(end)s, after the first year of employment.")
                    % {"end": date_format(ends, "SHORT_DATE_FORMAT")}
                )
        if row.deadline < today:
            row.problems.append(_("The first year of employment is over."))
        rows.append(row)
    return rows


# Cohort pages and reports -------------------------------------------------------------


COHORT_LIST_COLUMNS = ("pk", "name", "start_date", "status", "capacity", "fee_dkk")


def cohort_list(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort, dict[str, Any]]:
    """The list's columns of these cohorts, newest first. Their seats and waiting lists
    are counted for a page of them (`seat_counts`)."""
    return cohorts.order_by("-start_date", "pk").values(*COHORT_LIST_COLUMNS)


def seat_counts(cohort_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Cohort id -> (seats taken, on the waiting list), for these cohorts; one grouped
    query."""
    if not cohort_ids:
        return {}
    rows = (
        Enrolment.objects.filter(cohort_id__in=cohort_ids)
        .order_by()
        .values("cohort_id")
        .annotate(
            taken=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED)),
            waiting=Count("pk", filter=Q(status=Enrolment.Status.WAITING)),
        )
        .values_list("cohort_id", "taken", "waiting")
    )
    return {cohort_id: (taken, waiting) for cohort_id, taken, waiting in rows}


def cohorts_counted(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """Cohorts with their seats taken and waiting list counted (`seats_taken`, `waiting`)
    in correlated subqueries, for the Centre's few cohorts under way."""
    enrolments = Enrolment.objects.filter(cohort=OuterRef("pk"))
    return cohorts.only("name", "start_date", "status", "capacity", "fee_dkk").annotate(
        seats_taken=count_of(enrolments.filter(status=Enrolment.Status.ENROLLED)),
        waiting=count_of(enrolments.filter(status=Enrolment.Status.WAITING)),
    )


class NextMeeting(TypedDict):
    next_meeting_id: int | None


def groups_with_next_meeting(
    groups: QuerySet[ErfaGroup],
) -> QuerySet[WithAnnotations[ErfaGroup, NextMeeting]]:
    """Each group with the id of its next planned meeting (`next_meeting_id`)."""
    coming = Meeting.objects.filter(
        group=OuterRef("pk"), starts_at__gte=timezone.now(), status=Meeting.Status.PLANNED
    ).order_by("starts_at")
    return groups.select_related("facilitator").annotate(
        next_meeting_id=Subquery(coming.values("pk")[:1])
    )


def cohort_sessions(cohort: Cohort) -> list[CohortModule]:
    """The cohort's modules with their mentors, each marked `taken` when its attendance
    has been recorded (a module taught without it is on the cohort's page and the Centre's
    list)."""
    return list(
        cohort.sessions.select_related("module")
        .annotate(taken=Exists(DayAttendance.objects.filter(session=OuterRef("pk"))))
        .prefetch_related(
            Prefetch("mentors", queryset=MentorModule.objects.select_related("mentor"))
        )
    )


def cohort_enrolments(cohort: Cohort) -> QuerySet[Enrolment]:
    return cohort.enrolments.select_related("peer__staff_member__unit", "paying_unit")


@dataclass
class Fee:
    payer: str
    participants: int
    total: int


def fees(cohort: Cohort, enrolments: list[Enrolment]) -> list[Fee]:
    """What each unit (or outside organisation) pays for its seats."""
    counts: dict[str, int] = defaultdict(int)
    for e in enrolments:
        if e.status == Enrolment.Status.ENROLLED:
            counts[e.organisation or _("(no organisation)")] += 1
    return [Fee(payer, n, n * cohort.fee_dkk) for payer, n in sorted(counts.items())]


# A peer worker's year of erfa meetings: (held, attended) for each month, attended, held.
ErfaYearRow = tuple[PeerWorker, list[tuple[int, int]], int, int]


def erfa_year(peers: QuerySet[PeerWorker], year: int) -> tuple[list[ErfaYearRow], list[int]]:
    """Each peer's attendance at the peer erfa meetings held in a year, by month:
    [(peer, [(held, attended) per month], attended, held)], months 1–12."""
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = min(timezone.make_aware(datetime.datetime(year + 1, 1, 1)), timezone.now())
    meetings = list(
        Meeting.objects.filter(
            group__audience=Audience.PEERS,
            status=Meeting.Status.PLANNED,
            starts_at__gte=start,
            starts_at__lt=end,
        ).values_list("pk", "starts_at")
    )
    month_of = {pk: timezone.localtime(at).month for pk, at in meetings}
    held = [0] * 12
    for month in month_of.values():
        held[month - 1] += 1
    listed = list(peers.select_related("staff_member__unit").order_by("staff_member__name"))
    attended: dict[int, list[int]] = defaultdict(lambda: [0] * 12)
    for person_id, meeting_id in MeetingAttendance.objects.filter(
        meeting_id__in=month_of, person_id__in=[p.staff_member_id for p in listed]
    ).values_list("person_id", "meeting_id"):
        attended[person_id][month_of[meeting_id] - 1] += 1
    rows: list[ErfaYearRow] = []
    for peer in listed:
        months = attended[peer.staff_member_id]
        rows.append((peer, list(zip(held, months, strict=True)), sum(months), sum(held)))
    return rows, held


# Calendars -------------------------------------------------------------------------


@dataclass
class Entry:
    """One thing in someone's calendar, whatever it comes from."""

    uid: str
    kind: str  # education | erfa | supervision | checkin, or a calendar source's kind
    title: str
    start: datetime.datetime
    end: datetime.datetime
    place: str = ""
    link: str = ""
    url: str = ""
    cancelled: bool = False
    source: object = None
    short: str = ""  # for the month view's narrow cells
    all_day: bool = False  # due that day, at no set time (start and end: the day's bounds)

    def overlaps(self, start: datetime.datetime, end: datetime.datetime) -> bool:
        return self.start < end and start < self.end


class CalendarSource(Protocol):
    """What an app above this one puts in a person's calendar (settings.CALENDAR_SOURCES
    names them): entries private to some people, shown only to those who take part."""

    kind: str
    label: str

    def entries(
        self,
        person: StaffMember,
        viewer: StaffMember,
        start: datetime.datetime,
        end: datetime.datetime,
    ) -> list[Entry]:
        """`person`'s entries between start and end that `viewer` may see."""
        ...


@functools.cache
def calendar_sources() -> tuple[CalendarSource, ...]:
    return tuple(import_string(path)() for path in settings.CALENDAR_SOURCES)


def kind_labels() -> dict[str, str]:
    return {
        "education": _("Peer education"),
        "erfa": _("Erfa meetings"),
        "supervision": _("Supervision"),
        "checkin": _("Mentor check-ins"),
        **{source.kind: str(source.label) for source in calendar_sources()},
    }


def teaching_entries(session: CohortModule) -> list[Entry]:
    entries = []
    for number, day in enumerate(session.days, start=1):
        start, end = session.day_span(day)
        entries.append(
            Entry(
                uid=f"education-{session.pk}-{number}@peerprogram",
                kind="education",
                title=_("Peer education, module %(number)s (day %(day)s): %(title)s")
                % {"number": session.module.number, "day": number, "title": session.module.title},
                short=_("Module %(number)s, day %(day)s")
                % {"number": session.module.number, "day": number},
                start=start,
                end=end,
                place=session.place,
                url=reverse("education:cohort_detail", args=[session.cohort_id]),
            )
        )
    return entries


def meeting_entry(meeting: Meeting) -> Entry:
    title = meeting.title
    if meeting.topic:
        title = f"{title}: {meeting.topic}"
    return Entry(
        short=meeting.topic or meeting.title,
        uid=f"meeting-{meeting.pk}@peerprogram",
        kind="supervision" if meeting.kind == Meeting.Kind.SUPERVISION else "erfa",
        title=title,
        start=meeting.starts_at,
        end=meeting.ends_at,
        place=meeting.place,
        link=meeting.online_link,
        url=meeting.get_absolute_url(),
        cancelled=meeting.is_cancelled,
        source=meeting,
    )


def checkin_entry(checkin: CheckIn) -> Entry:
    start = checkin.starts_at()
    m = checkin.mentorship
    return Entry(
        uid=f"checkin-{checkin.pk}@peerprogram",
        kind="checkin",
        title=_("Mentor check-in: %(peer)s and %(mentor)s")
        % {"peer": m.peer.name, "mentor": m.mentor.name},
        short=_("Check-in"),
        start=start,
        end=start + datetime.timedelta(minutes=checkin.duration_minutes),
        url=m.get_absolute_url(),
        cancelled=checkin.status == CheckIn.Status.CANCELLED,
        source=checkin,
    )


def _window(
    start: datetime.datetime, end: datetime.datetime
) -> tuple[datetime.date, datetime.date]:
    # Teaching days are computed from the first day; look a few days back for day two.
    return timezone.localdate(start) - datetime.timedelta(days=4), timezone.localdate(end)


def _meetings(start: datetime.datetime, end: datetime.datetime) -> QuerySet[Meeting]:
    return Meeting.objects.filter(starts_at__lt=end, ends_at__gt=start).select_related("group")


def busy_map(
    people: list[StaffMember], start: datetime.datetime, end: datetime.datetime
) -> dict[int, list[Entry]]:
    """Everything each person is booked into between start and end, in a fixed number of
    queries whatever the number of people: teaching days (as participant or mentor), erfa
    meetings of their groups, supervision, and mentor check-ins."""
    ids = {p.pk for p in people}
    found: dict[int, list[Entry]] = {pk: [] for pk in ids}
    if not ids:
        return found
    _teaching_days(found, ids, start, end)
    _meetings_of(found, ids, start, end)
    # Their mentorships first, by the indexes on mentor and peer; an OR across the joins
    # read every check-in of the window in the whole programme instead. The two as a
    # UNION, not an OR: PostgreSQL guessed half of all mentorships for the OR and joined
    # every peer worker and staff member to them.
    mentorships = (
        Mentorship.objects.filter(mentor_id__in=ids)
        .order_by()
        .values("pk")
        .union(
            Mentorship.objects.filter(peer__staff_member_id__in=ids).order_by().values("pk"),
            all=True,
        )
    )
    for checkin in CheckIn.objects.filter(
        mentorship__in=mentorships,
        date__gte=timezone.localdate(start) - datetime.timedelta(days=1),
        date__lte=timezone.localdate(end),
    ).select_related("mentorship__peer__staff_member", "mentorship__mentor"):
        entry = checkin_entry(checkin)
        for person_id in (checkin.mentorship.mentor_id, checkin.mentorship.peer.staff_member_id):
            if person_id in ids:
                found[person_id].append(entry)
    for person_id, entries in found.items():
        found[person_id] = sorted(
            (e for e in entries if e.overlaps(start, end)), key=lambda e: e.start
        )
    return found


def _teaching_days(
    found: dict[int, list[Entry]],
    ids: set[int],
    start: datetime.datetime,
    end: datetime.datetime,
) -> None:
    """Teaching days as a participant with a seat, or as a mentor joining a module."""
    first, last = _window(start, end)
    in_window = Q(first_day__gte=first, first_day__lte=last)
    as_participant = (
        seated(Enrolment.objects.filter(peer__staff_member_id__in=ids))
        .filter(cohort__sessions__first_day__gte=first, cohort__sessions__first_day__lte=last)
        .order_by()
        .values_list("peer__staff_member_id", "cohort__sessions")
    )
    as_mentor = (
        MentorModule.objects.filter(mentor_id__in=ids)
        .filter(session__first_day__gte=first, session__first_day__lte=last)
        .order_by()
        .values_list("mentor_id", "session_id")
    )
    links = list(as_participant.union(as_mentor, all=True))  # one query for both
    if not links:
        return
    sessions = CohortModule.objects.filter(in_window, pk__in={s for _p, s in links})
    by_pk = {s.pk: s for s in sessions.select_related("module")}
    for person_id, session_id in links:
        found[person_id].extend(teaching_entries(by_pk[session_id]))


def _meetings_of(
    found: dict[int, list[Entry]],
    ids: set[int],
    start: datetime.datetime,
    end: datetime.datetime,
) -> None:
    """Erfa meetings of the groups a person belongs to, supervision they take part in,
    and anything they facilitate."""
    meetings = list(_meetings(start, end))
    if not meetings:
        return
    today = timezone.localdate()
    # Who is a peer worker, who a mentor, who takes part in which supervision and who
    # belongs to which group: four reads in one query, rows of (meeting or group, person,
    # what). The many-to-many rows only of the meetings in the window.
    supervision_ids = [m.pk for m in meetings if m.kind == Meeting.Kind.SUPERVISION]
    member_groups = {
        m.group.pk for m in meetings if m.group is not None and m.group.audience == Audience.MEMBERS
    }
    roles = (
        PeerWorker.objects.filter(staff_member_id__in=ids)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by()
        .values_list(Value(0), "staff_member_id", Value("peer"))
        .union(
            mentoring_selectors.active_mentorships()
            .filter(mentor_id__in=ids)
            .order_by()
            .values_list(Value(0), "mentor_id", Value("mentor")),
            Meeting.participants.through.objects.filter(
                meeting_id__in=supervision_ids, peerworker__staff_member_id__in=ids
            )
            .order_by()
            .values_list("meeting_id", "peerworker__staff_member_id", Value("supervision")),
            ErfaGroup.members.through.objects.filter(
                erfagroup_id__in=member_groups, staffmember_id__in=ids
            )
            .order_by()
            .values_list("erfagroup_id", "staffmember_id", Value("member")),
            all=True,
        )
    )
    peer_ids: set[int] = set()
    mentor_ids: set[int] = set()
    taking_part: dict[int, set[int]] = defaultdict(set)
    members: dict[int, set[int]] = defaultdict(set)
    for key, person_id, what in roles:
        if what == "peer":
            peer_ids.add(person_id)
        elif what == "mentor":
            mentor_ids.add(person_id)
        elif what == "supervision":
            taking_part[key].add(person_id)
        else:
            members[key].add(person_id)
    for meeting in meetings:
        # An erfa meeting has a group (the constraint erfa_meeting_has_group).
        if meeting.kind == Meeting.Kind.SUPERVISION or meeting.group is None:
            audience = taking_part[meeting.pk]
        elif meeting.group.audience == Audience.PEERS:
            audience = peer_ids
        elif meeting.group.audience == Audience.MENTORS:
            audience = mentor_ids
        else:
            audience = members[meeting.group.pk]
        if meeting.facilitator_id:
            audience = audience | {meeting.facilitator_id}
        # The entry only for a meeting someone asked about takes part in: it reverses the
        # meeting's URL, and one person's calendar meets every meeting of the programme.
        if taking_part_here := audience & ids:
            entry = meeting_entry(meeting)
            for person_id in taking_part_here:
                found[person_id].append(entry)


def entries_for(
    person: StaffMember,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    viewer: StaffMember | None = None,
) -> list[Entry]:
    """A person's calendar; with a viewer, also what the calendar sources let the viewer
    see of it (a leader's talks with a peer worker: only the two of them)."""
    entries = busy_map([person], start, end)[person.pk]
    if viewer is None:
        return entries
    for source in calendar_sources():
        entries.extend(
            e for e in source.entries(person, viewer, start, end) if e.overlaps(start, end)
        )
    return sorted(entries, key=lambda e: e.start)


def programme_entries(start: datetime.datetime, end: datetime.datetime) -> list[Entry]:
    """The Centre's view: every teaching day, erfa meeting and supervision (check-ins are
    the mentor's and peer's own, shown when one person is chosen)."""
    first, last = _window(start, end)
    entries: list[Entry] = []
    for session in CohortModule.objects.filter(
        first_day__gte=first, first_day__lte=last
    ).select_related("module"):
        entries.extend(teaching_entries(session))
    entries.extend(meeting_entry(m) for m in _meetings(start, end))
    return sorted((e for e in entries if e.overlaps(start, end)), key=lambda e: e.start)


def coming_for(person: StaffMember, *, limit: int, days: int = 45) -> list[Entry]:
    """The next things in someone's calendar (for their home page)."""
    now = timezone.now()
    entries = entries_for(person, now, now + datetime.timedelta(days=days))
    return [e for e in entries if not e.cancelled][:limit]


class CentreOverview(TypedDict):
    cohorts: list[Cohort]
    meetings: list[Meeting]
    soon: list[Meeting]


# An erfa meeting needs its topic this many days before.
TOPIC_NOTICE_DAYS = 14


def centre_overview() -> CentreOverview:
    """For the Centre's home page: cohorts in progress (with the modules taught whose
    attendance nobody has taken), the next five meetings and every meeting of the next 14
    days (for the erfa meetings still without a topic), in two queries."""
    now = timezone.now()
    coming = Meeting.objects.filter(starts_at__gte=now, status=Meeting.Status.PLANNED)
    first_five = coming.order_by("starts_at").values("pk")[:5]
    meetings = list(
        coming.filter(
            Q(starts_at__lt=now + datetime.timedelta(days=TOPIC_NOTICE_DAYS))
            | Q(pk__in=Subquery(first_five))
        )
        .select_related("group")
        .order_by("starts_at")
    )
    untaken = (
        CohortModule.objects.filter(cohort=OuterRef("pk"), first_day__lt=timezone.localdate())
        .exclude(Exists(DayAttendance.objects.filter(session=OuterRef("pk"))))
        .order_by("first_day")
    )
    cohorts = cohorts_counted(
        Cohort.objects.exclude(status=Cohort.Status.COMPLETED).order_by("-start_date", "pk")
    ).annotate(
        untaken=count_of(untaken),
        untaken_since=Subquery(untaken.values("first_day")[:1]),
        untaken_first=Subquery(untaken.values("pk")[:1]),
    )
    return {
        "cohorts": list(cohorts),
        "meetings": meetings[:5],
        "soon": meetings,
    }


def centre_actions(overview: CentreOverview, today: datetime.date) -> list[Action]:
    """The Centre's part of the education: attendance to take, waiting lists with free
    seats, erfa meetings without a topic two weeks before."""
    actions = []
    for cohort in overview["cohorts"]:
        # centre_overview annotates the modules taught without attendance taken.
        untaken = cohort.untaken  # type: ignore[attr-defined]
        if untaken:
            actions.append(
                Action(
                    "attendance",
                    ngettext(
                        "Take the attendance of %(n)s module taught",
                        "Take the attendance of %(n)s modules taught",
                        untaken,
                    )
                    % {"n": untaken},
                    cohort.name,
                    cohort.untaken_since,  # type: ignore[attr-defined]
                    reverse(
                        "education:session_attendance",
                        args=[cohort.pk, cohort.untaken_first],  # type: ignore[attr-defined]
                    ),
                )
            )
    for cohort in overview["cohorts"]:
        # cohorts_counted annotates the seats taken and the waiting list.
        free = cohort.capacity - cohort.seats_taken  # type: ignore[attr-defined]
        waiting = cohort.waiting  # type: ignore[attr-defined]
        if waiting and free > 0:
            actions.append(
                Action(
                    "waiting_list",
                    _("%(free)s free seats and %(waiting)s on the waiting list")
                    % {"free": free, "waiting": waiting},
                    cohort.name,
                    None,
                    cohort.get_absolute_url(),
                )
            )
    limit = today + datetime.timedelta(days=TOPIC_NOTICE_DAYS)
    for meeting in overview["soon"]:
        day = timezone.localdate(meeting.starts_at)
        erfa = meeting.group is not None and meeting.kind != Meeting.Kind.SUPERVISION
        if erfa and not meeting.topic and day <= limit:
            actions.append(
                Action(
                    "erfa_topic",
                    _("The erfa meeting has no topic yet"),
                    meeting.title,
                    day,
                    meeting.get_absolute_url(),
                )
            )
    return actions


@dataclass
class Conflict:
    person: StaffMember
    booking: str
    other: Entry


Booking = tuple[str, datetime.datetime, datetime.datetime, str]


def bookings(entries: list[Entry]) -> list[Booking]:
    """New calendar entries as bookings to check for double booking."""
    return [(e.title, e.start, e.end, e.uid) for e in entries]


def cohort_entries(cohort: Cohort) -> list[Entry]:
    return [e for s in cohort.sessions.select_related("module") for e in teaching_entries(s)]


def audience(group: ErfaGroup, day: datetime.date | None = None) -> list[StaffMember]:
    """Who an erfa group's meeting is for; peer workers only while employed on `day`."""
    day = day or timezone.localdate()
    if group.audience == Audience.PEERS:
        return list(
            StaffMember.objects.filter(active=True, peer__start_date__lte=day).filter(
                Q(peer__end_date__isnull=True) | Q(peer__end_date__gte=day)
            )
        )
    if group.audience == Audience.MENTORS:
        return list(
            StaffMember.objects.filter(
                active=True, mentorships__in=mentoring_selectors.active_mentorships()
            ).distinct()
        )
    return list(group.members.filter(active=True))


def meeting_people(meeting: Meeting) -> list[StaffMember]:
    """Everyone a meeting is for: its peer workers (supervision) or the group's audience
    on the day, and the facilitator."""
    if meeting.kind == Meeting.Kind.SUPERVISION or meeting.group is None:
        people = [p.staff_member for p in meeting.participants.select_related("staff_member")]
    else:
        people = audience(meeting.group, timezone.localdate(meeting.starts_at))
    if meeting.facilitator_id and all(p.pk != meeting.facilitator_id for p in people):
        facilitator = meeting.facilitator
        if facilitator is not None:
            people.append(facilitator)
    return people


def free_seats(cohort: Cohort) -> int:
    return cohort.capacity - cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).count()


def conflicts(
    people: list[StaffMember],
    new: list[Booking],
) -> list[Conflict]:
    """Who would be double-booked by these bookings (label, start, end, own uid)."""
    new = [b for b in new if b[1] and b[2]]
    if not people or not new:
        return []
    busy = busy_map(people, min(b[1] for b in new), max(b[2] for b in new))
    by_pk = {p.pk: p for p in people}
    found = []
    for person_id, entries in busy.items():
        for label, start, end, uid in new:
            for entry in entries:
                if entry.uid != uid and not entry.cancelled and entry.overlaps(start, end):
                    found.append(Conflict(by_pk[person_id], label, entry))
    return found


def month_grid(year: int, month: int) -> list[list[datetime.date]]:
    """The weeks (Monday first) that show a month."""
    first = datetime.date(year, month, 1)
    day = first - datetime.timedelta(days=first.weekday())
    weeks = []
    while True:
        weeks.append([day + datetime.timedelta(days=i) for i in range(7)])
        day += datetime.timedelta(days=7)
        if day.month != month and day > first:
            break
    return weeks


@dataclass(frozen=True)
class SupervisionStatus:
    last: Meeting | None  # the last supervision held (not cancelled), if any
    next: Meeting | None  # the next one planned, if any


def supervision_of(peer: PeerWorker) -> SupervisionStatus:
    """A peer worker's last and next supervision, in one query."""
    now = timezone.now()
    meetings = (
        Meeting.objects.filter(
            kind=Meeting.Kind.SUPERVISION, participants=peer, status=Meeting.Status.PLANNED
        )
        .order_by("starts_at")
        .only("pk", "starts_at", "ends_at", "supervisor", "topic", "kind", "status")
    )
    last = next_ = None
    for meeting in meetings:
        if meeting.starts_at < now:
            last = meeting
        elif next_ is None:
            next_ = meeting
    return SupervisionStatus(last, next_)


# Facts for the action lists and the signals ----------------------------------------------


ERFA_LOOKBACK_DAYS = 365


def peer_facts(today: datetime.date) -> dict[str, Any]:
    """Annotations of PeerWorker (OuterRef("pk")): the last erfa meeting attended (in the
    last year), the last
    and next supervision, the seat in the education (its cohort's start) or a place on a
    waiting list."""
    now = timezone.now()
    # The last erfa meeting of the last year (the signals look three months back; a year
    # keeps the read short for someone with years of meetings).
    # Erfa meetings by their kind, not by their group (a constraint gives every erfa
    # meeting a group): the group's index made PostgreSQL walk every group meeting of the
    # year for each peer worker instead of the peer worker's own few attendances.
    erfa = MeetingAttendance.objects.filter(
        person=OuterRef("staff_member"),
        meeting__starts_at__gte=timezone.make_aware(
            datetime.datetime.combine(
                today - datetime.timedelta(days=ERFA_LOOKBACK_DAYS), datetime.time.min
            )
        ),
    ).exclude(meeting__kind=Meeting.Kind.SUPERVISION)
    supervision = Meeting.objects.filter(
        participants=OuterRef("pk"),
        kind=Meeting.Kind.SUPERVISION,
        status=Meeting.Status.PLANNED,
    )
    seat = Enrolment.objects.filter(peer=OuterRef("pk"), status=Enrolment.Status.ENROLLED)
    return {
        "last_erfa": Subquery(
            erfa.order_by("-meeting__starts_at").values("meeting__starts_at")[:1]
        ),
        "last_supervision": Subquery(
            supervision.filter(starts_at__lt=now).order_by("-starts_at").values("starts_at")[:1]
        ),
        "next_supervision": Subquery(
            supervision.filter(starts_at__gte=now).order_by("starts_at").values("starts_at")[:1]
        ),
        "seat_cohort_start": Subquery(
            seat.order_by("-cohort__start_date").values("cohort__start_date")[:1]
        ),
        "seat_cohort_id": Subquery(seat.order_by("-cohort__start_date").values("cohort_id")[:1]),
        "on_waiting_list": Exists(
            Enrolment.objects.filter(peer=OuterRef("pk"), status=Enrolment.Status.WAITING)
        ),
    }


# No supervision for this long is on the leader's list.
SUPERVISION_GAP_WEEKS = 8


# What `leader_needs` reads of a peer worker annotated with `peer_facts`.
LEADER_FACTS = frozenset(
    {
        "seat_cohort_start",
        "seat_cohort_id",
        "on_waiting_list",
        "last_supervision",
        "next_supervision",
    }
)


def leader_needs(peer: Any, today: datetime.date) -> dict[str, datetime.date]:
    """What a peer worker's education and supervision ask of the leader, by kind, with
    the day it is due (a peer worker annotated with `peer_facts`): not enrolled in the
    first year, hired too late for the cohort, no supervision for eight weeks."""
    needs = {}
    first_year = peer.start_date > today - relativedelta(years=1)
    if first_year and peer.seat_cohort_start is None:
        needs["education_missing"] = peer.start_date
    elif (
        peer.seat_cohort_start is not None
        and peer.seat_cohort_start > today
        and hired_late(peer, Cohort(start_date=peer.seat_cohort_start))
    ):
        needs["education_early"] = peer.seat_cohort_start
    gap = datetime.timedelta(weeks=SUPERVISION_GAP_WEEKS)
    last = timezone.localdate(peer.last_supervision) if peer.last_supervision else None
    since = last or peer.start_date
    if peer.start_date <= today - gap and since <= today - gap and peer.next_supervision is None:
        needs["supervision_gap"] = since + gap
    return needs


def leader_actions(peer: Any, today: datetime.date) -> list[Action]:
    """`leader_needs` as the leader's action list shows them."""
    needs = leader_needs(peer, today)
    actions = []
    if "education_missing" in needs:
        actions.append(
            Action(
                "education_missing",
                _("Only on the waiting list for the peer education")
                if peer.on_waiting_list
                else _("Not enrolled in the peer education"),
                peer.name,
                needs["education_missing"],
                reverse("education:followup"),
            )
        )
    if "education_early" in needs:
        actions.append(
            Action(
                "education_early",
                _("Hired less than three months before the cohort starts"),
                peer.name,
                needs["education_early"],
                reverse("education:cohort_detail", args=[peer.seat_cohort_id]),
            )
        )
    if "supervision_gap" in needs:
        actions.append(
            Action(
                "supervision_gap",
                _("No supervision for %(weeks)s weeks") % {"weeks": SUPERVISION_GAP_WEEKS},
                peer.name,
                needs["supervision_gap"],
                reverse("education:supervision_create") + f"?peer={peer.pk}",
            )
        )
    return actions


def next_open_cohort() -> Cohort | None:
    """The cohort open for enrolment that starts first (the next one to enrol on)."""
    return (
        Cohort.objects.filter(status=Cohort.Status.OPEN, start_date__gte=timezone.localdate())
        .order_by("start_date", "pk")
        .first()
    ) or Cohort.objects.filter(status=Cohort.Status.OPEN).order_by("-start_date", "-pk").first()


def coming_series(group: ErfaGroup) -> list[MeetingSeries]:
    """The group's series with meetings still to come, each with how many (for undoing a
    series on the group's page)."""
    today_start = local_datetime(timezone.localdate(), datetime.time.min)
    return list(
        group.series.annotate(
            coming=Count("meetings", filter=Q(meetings__starts_at__gte=today_start))
        )
        .filter(coming__gt=0)
        .order_by("first_date", "pk")
    )


# The weeks the mentor's weekly day is proposed for (the first six months' check-ins).
BUSY_WEEKS = 26


def busy_weekdays(peer: PeerWorker) -> Counter[int]:
    """How many teaching days, erfa meetings and supervisions fall on each weekday of the
    peer worker's coming six months (settings.BUSY_WEEKDAY_SOURCES: a mentor's weekly day is
    proposed on the day with fewest)."""
    now = timezone.now()
    entries = busy_map([peer.staff_member], now, now + datetime.timedelta(weeks=BUSY_WEEKS))
    return Counter(
        timezone.localtime(e.start).weekday()
        for e in entries[peer.staff_member_id]
        if e.kind != "checkin" and not e.cancelled
    )


# Check-ins that clash with something else, and a free day for each -------------------------

# How far from its own day a clashing check-in may be moved (a week either way).
MOVE_SEARCH_DAYS = 6


@dataclass
class Clash:
    """A coming check-in that overlaps something else in the mentor's or the peer
    worker's calendar, and the nearest weekday at the same time when both are free."""

    checkin: CheckIn
    others: list[Entry]
    proposed: datetime.date | None


def _unique(entries: list[Entry]) -> list[Entry]:
    seen: dict[str, Entry] = {}
    for entry in entries:
        seen.setdefault(entry.uid, entry)
    return list(seen.values())


def checkin_clashes(mentorship: Mentorship, checkins: list[CheckIn]) -> list[Clash]:
    """Which of these coming check-ins of one mentorship (its planned coming ones) clash
    (teaching days, erfa meetings, supervision, the mentor's other check-ins), in a fixed
    number of queries.
    Each gets a proposed day: the nearest weekday (a later one first) within a week, on
    which neither of the two is booked at that time, the mentor is not away, and the
    mentorship has no other check-in; two moved check-ins never get the same day."""
    if not checkins:
        return []
    people = [mentorship.mentor, mentorship.peer.staff_member]
    margin = datetime.timedelta(days=MOVE_SEARCH_DAYS + 1)
    starts = [c.starts_at() for c in checkins]
    busy = busy_map(people, min(starts) - margin, max(starts) + margin)
    entries = _unique([e for p in people for e in busy[p.pk] if not e.cancelled])
    away = list(
        AwayPeriod.objects.filter(mentor_id=mentorship.mentor_id).values_list(
            "first_day", "last_day"
        )
    )
    # A proposal lies ahead, so only the coming check-ins (those given) can take its day.
    taken = {c.date for c in checkins}
    found = []
    for checkin in sorted(checkins, key=lambda c: (c.date, c.time)):
        uid = f"checkin-{checkin.pk}@peerprogram"
        length = datetime.timedelta(minutes=checkin.duration_minutes)
        start = checkin.starts_at()
        others = [
            _as_seen_by_the_two(e, mentorship)
            for e in entries
            if e.uid != uid and e.overlaps(start, start + length)
        ]
        if not others:
            continue
        proposed = _free_day(checkin, length, entries, away, taken)
        if proposed is not None:
            taken.add(proposed)
            new_start = timezone.make_aware(datetime.datetime.combine(proposed, checkin.time))
            entries.append(
                Entry(
                    uid=f"proposed-{checkin.pk}",
                    kind="checkin",
                    title="",
                    start=new_start,
                    end=new_start + length,
                )
            )
        found.append(Clash(checkin, others, proposed))
    return found


def _as_seen_by_the_two(entry: Entry, mentorship: Mentorship) -> Entry:
    """Another mentorship's check-in is named only as a check-in: who else the mentor meets
    is not the peer worker's to read."""
    source = entry.source
    if isinstance(source, CheckIn) and source.mentorship_id != mentorship.pk:
        return dataclasses.replace(entry, title=str(entry.short))
    return entry


def _free_day(
    checkin: CheckIn,
    length: datetime.timedelta,
    entries: list[Entry],
    away: list[tuple[datetime.date, datetime.date]],
    taken: set[datetime.date],
) -> datetime.date | None:
    now = timezone.now()
    for distance in range(1, MOVE_SEARCH_DAYS + 1):
        for day in (
            checkin.date + datetime.timedelta(days=distance),
            checkin.date - datetime.timedelta(days=distance),
        ):
            start = timezone.make_aware(datetime.datetime.combine(day, checkin.time))
            if (
                day.weekday() >= 5
                or start <= now
                or day in taken
                or any(first <= day <= last for first, last in away)
                or any(e.overlaps(start, start + length) for e in entries)
            ):
                continue
            return day
    return None


def clash_notice(mentorship: Mentorship, upcoming: list[CheckIn]) -> ClashNotice:
    """What each coming check-in clashes with, and the page that moves them
    (settings.CHECKIN_CLASH_SOURCES: the mentorship page marks them)."""
    return ClashNotice(
        titles={
            clash.checkin.pk: [str(e.title) for e in clash.others]
            for clash in checkin_clashes(mentorship, upcoming)
        },
        url=reverse("education:checkin_clashes", args=[mentorship.pk]),
    )
