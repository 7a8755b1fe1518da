"""The yearly programme report: what the Centre (the whole programme) and a unit's leader
(their unit) read about a year, next to the year before. It reads the apps' own records
in a fixed number of queries, whatever the size of the programme:

1. the peer workers with their hire, and the check-ins and signals acknowledged counted
   per period (two aggregates);
2. the education of those whose first year ended in the period (education's checklist
   facts);
3. the checklists' tasks against their due days (recruitment);
4. the erfa meetings and supervisions held, with the attendance;
5. the journal's monthly counts;
6. the survey rounds closed, and 7. the themes of the latest one;
8. the outcome measurements.
"""

from __future__ import annotations

import datetime
import statistics
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Case, Count, DateField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractYear, TruncDate
from django.utils import timezone
from django.utils.functional import Promise

from education import selectors as education_selectors
from education.models import Audience, Meeting, MeetingAttendance
from evaluation import selectors as evaluation_selectors
from evaluation.models import SurveyRound
from journal.models import CHIME_FIELDS, PeerMonth
from mentoring.models import CheckIn
from peerprogram.models import PeerWorker, Unit
from programme.models import SignalAck
from recruitment import selectors as recruitment_selectors
from recruitment.models import Onboarding

from .models import StoredYear

# The national figures (DOMAIN.md, 2021): the share of paid peer workers by weekly hours:
# 10 % full time, two thirds 11–30 hours, the rest under that (31–36 not given).
NATIONAL_HOURS: dict[str, int | None] = {"few": 23, "mid": 67, "high": None, "full": 10}
FULL_TIME = 37
# The first year the report offers: the product's records start in 2020.
FIRST_YEAR = 2020


@dataclass(frozen=True)
class Period:
    year: int
    first: datetime.date
    last: datetime.date  # the year's last day, or today in the year running
    partial: bool

    @classmethod
    def of(cls, year: int, today: datetime.date) -> Period:
        last = min(datetime.date(year, 12, 31), today)
        return cls(year, datetime.date(year, 1, 1), last, last < datetime.date(year, 12, 31))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, datetime.date) and self.first <= day <= self.last

    @property
    def weeks(self) -> float:
        return ((self.last - self.first).days + 1) / 7


def share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


@dataclass
class YearFigures:
    """One period's figures; each is a count, a share (per cent) or None (nothing to count)."""

    period: Period
    employed: int = 0
    hired: int = 0
    left: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)  # (end_reason, count)
    tenure_of_leavers: float | None = None  # median months
    kept_one: tuple[int, int] = (0, 0)  # still employed a year after the start, of those
    kept_two: tuple[int, int] = (0, 0)
    days_to_hire: float | None = None  # median, from the vacancy's publication to the hire
    hires_timed: int = 0
    hours_mean: float | None = None
    hours_bands: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NATIONAL_HOURS, 0))
    contracted_hours: float = 0.0
    checklists: int = 0
    checklists_complete: int = 0
    checklists_on_time: int = 0
    checklists_overdue: int = 0
    checkins_held: int = 0
    checkins_cancelled: int = 0
    checkins_missing: int = 0  # planned, past and never logged
    first_years: int = 0  # peer workers whose first year ended in the period
    educated_in_first_year: int = 0
    erfa_held: int = 0
    erfa_attended: int = 0
    erfa_possible: int = 0
    supervisions_held: int = 0
    supervision_attended: int = 0
    supervision_invited: int = 0
    notes: int = 0
    conversations: int = 0
    group_sessions: int = 0
    minutes: int = 0
    referrals: int = 0
    accepted: int = 0
    chime: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHIME_FIELDS, 0))
    acknowledged: Counter[str] = field(default_factory=Counter)
    rounds: list[SurveyRound] = field(default_factory=list)
    themes: list[tuple[Promise, float | None]] = field(default_factory=list)
    outcomes: list[evaluation_selectors.OutcomeSummary] = field(default_factory=list)

    @property
    def hours_shares(self) -> dict[str, int | None]:
        total = sum(self.hours_bands.values())
        return {band: share(n, total) for band, n in self.hours_bands.items()}

    @property
    def conversations_per_hour(self) -> float | None:
        if not self.contracted_hours:
            return None
        return round(self.conversations / self.contracted_hours, 2)

    @property
    def referrals_per_100_hours(self) -> float | None:
        if not self.contracted_hours:
            return None
        return round(100 * self.referrals / self.contracted_hours, 2)


@dataclass
class Report:
    unit: Unit | None
    this: YearFigures
    before: YearFigures
    today: datetime.date
    made_at: datetime.datetime | None = None  # the daily run's, when read from it


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The anniversary (29 February: 28 February in a common year); relativedelta does
    the same, but at ten times the cost for every peer worker of a nation."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _band(hours: int) -> str:
    if hours >= FULL_TIME:
        return "full"
    if hours > 30:
        return "high"
    return "mid" if hours >= 11 else "few"


def _weeks_within(start: datetime.date, end: datetime.date | None, period: Period) -> float:
    first = max(start, period.first)
    last = min(end or period.last, period.last)
    return max(((last - first).days + 1) / 7, 0.0)


def _peers(scope: Q) -> list[dict[str, Any]]:
    """The peer workers of the scope with their hire (one query)."""
    rows: QuerySet[Any] = (
        PeerWorker.objects.filter(scope)
        .values(
            "pk",
            "staff_member_id",
            "start_date",
            "end_date",
            "end_reason",
            "hours_per_week",
            "applicant__answer_given_on",
            "applicant__vacancy__published_on",
        )
        .order_by()
    )
    return list(rows)


def _follow_up(years: list[YearFigures], unit: Unit | None, today: datetime.date) -> None:
    """The scope's check-ins held, cancelled and missing (planned, past and never logged),
    and the kinds of signals acknowledged, per period: two aggregate queries."""
    peers = Q(mentorship__peer__staff_member__unit=unit) if unit else Q()
    counts: dict[str, Any] = {}
    for n, figures in enumerate(years):
        within = Q(date__gte=figures.period.first, date__lte=figures.period.last)
        counts[f"held_{n}"] = Count("pk", filter=within & Q(status=CheckIn.Status.HELD))
        counts[f"cancelled_{n}"] = Count("pk", filter=within & Q(status=CheckIn.Status.CANCELLED))
        counts[f"missing_{n}"] = Count(
            "pk", filter=within & Q(status=CheckIn.Status.PLANNED, date__lt=today)
        )
    first = min(f.period.first for f in years)
    last = max(f.period.last for f in years)
    held = CheckIn.objects.filter(peers, date__gte=first, date__lte=last).aggregate(**counts)
    for n, figures in enumerate(years):
        figures.checkins_held = held[f"held_{n}"]
        figures.checkins_cancelled = held[f"cancelled_{n}"]
        figures.checkins_missing = held[f"missing_{n}"]
    acks = SignalAck.objects.filter(
        Q(peer__staff_member__unit=unit) if unit else Q(),
        created_at__date__gte=first,
        created_at__date__lte=last,
    )
    per_period = {
        f"n_{n}": Count(
            "pk",
            filter=Q(
                created_at__date__gte=figures.period.first,
                created_at__date__lte=figures.period.last,
            ),
        )
        for n, figures in enumerate(years)
    }
    for row in acks.values("kind").annotate(**per_period).order_by():
        for n, figures in enumerate(years):
            if row[f"n_{n}"]:
                figures.acknowledged[row["kind"]] = row[f"n_{n}"]


def _peer_figures(figures: YearFigures, peers: list[dict[str, Any]]) -> dict[int, datetime.date]:
    """Fill in the peer workers' figures of a period; the start days of those whose first
    year ended in it, by id (whose education is looked up next)."""
    period = figures.period
    reasons: Counter[str] = Counter()
    tenures, days_to_hire, hours = [], [], []
    first_years = {}
    for p in peers:
        start, end = p["start_date"], p["end_date"]
        if start <= period.last and (end is None or end >= period.last):
            figures.employed += 1
            hours.append(p["hours_per_week"])
            figures.hours_bands[_band(p["hours_per_week"])] += 1
        if start in period:
            figures.hired += 1
        if end in period:
            figures.left += 1
            reasons[p["end_reason"]] += 1
            tenures.append((end - start).days / 30.44)
        figures.contracted_hours += p["hours_per_week"] * _weeks_within(start, end, period)
        for years, attr in ((1, "kept_one"), (2, "kept_two")):
            anniversary = years_after(start, years)
            if anniversary in period:
                kept, of = getattr(figures, attr)
                setattr(figures, attr, (kept + (end is None or end >= anniversary), of + 1))
        if years_after(start, 1) in period:
            first_years[p["pk"]] = start
        hired_on = p["applicant__answer_given_on"] or start
        published = p["applicant__vacancy__published_on"]
        if published and hired_on in period and hired_on >= published:
            days_to_hire.append((hired_on - published).days)
    figures.reasons = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    figures.tenure_of_leavers = median(tenures)
    figures.days_to_hire = median(days_to_hire)
    figures.hires_timed = len(days_to_hire)
    figures.hours_mean = round(sum(hours) / len(hours), 1) if hours else None
    figures.first_years = len(first_years)
    return first_years


def _education(years: list[YearFigures], due: list[dict[int, datetime.date]], scope: Q) -> None:
    """Completed within the first year: education's completion (by attendance or marked
    by hand) no later than the first anniversary (one query, over the scope's peer workers
    who started between the first and the last start of those due)."""
    starts = [start for first_years in due for start in first_years.values()]
    if not starts:
        return
    completed = education_selectors.completion_dates(
        PeerWorker.objects.filter(scope, start_date__gte=min(starts), start_date__lte=max(starts))
    )
    for figures, first_years in zip(years, due, strict=True):
        for pk, start in first_years.items():
            done = completed.get(pk)
            if done is not None and done <= years_after(start, 1):
                figures.educated_in_first_year += 1


def _onboarding(years: list[YearFigures], units: Q, today: datetime.date) -> None:
    first = min(f.period.first for f in years)
    onboardings = Onboarding.objects.filter(units, created_at__date__gte=first)
    for counted in recruitment_selectors.onboarding_timeliness(onboardings, today):
        for figures in years:
            if counted.begun in figures.period:
                figures.checklists += 1
                figures.checklists_complete += counted.complete
                figures.checklists_on_time += counted.on_time
                figures.checklists_overdue += counted.overdue > 0


def _meetings(years: list[YearFigures], peers: list[dict[str, Any]], unit: Unit | None) -> None:
    """Erfa meetings of all peer workers and supervisions held, with the scope's
    attendance; the possible erfa attendances are the scope's peer workers employed on
    each meeting's day. Two queries, each giving a few rows whatever the programme's
    size: the supervisions counted per year, the erfa meetings per day (a handful a
    year), and the scope's attendances and invitations per kind and year."""
    zone = timezone.get_current_timezone()
    first = min(f.period.first for f in years)
    after = max(f.period.last for f in years) + datetime.timedelta(days=1)
    # Bounds in time, not `__date` lookups: those convert every row's time to a local
    # date before comparing (on SQLite in Python), where these read the index's range.
    held = Meeting.objects.filter(
        status=Meeting.Status.PLANNED,
        starts_at__gte=_midnight(first, zone),
        starts_at__lt=min(_midnight(after, zone), timezone.now()),
    ).filter(Q(kind=Meeting.Kind.SUPERVISION) | Q(group__audience=Audience.PEERS))
    # The supervisions per year; the erfa meetings per day (their day is none for a
    # supervision).
    day = Case(
        When(kind=Meeting.Kind.SUPERVISION, then=Value(None)),
        default=TruncDate("starts_at", tzinfo=zone),
        output_field=DateField(),
    )
    counts = (
        held.values("kind", year=ExtractYear("starts_at", tzinfo=zone), day=day)
        .annotate(n=Count("pk"))
        .order_by()
    )
    # Employed on a day: started by then, less those who ended before it (an end is never
    # before its start: a constraint).
    starts = sorted(p["start_date"] for p in peers)
    ends = sorted(p["end_date"] for p in peers if p["end_date"] is not None)
    by_year = {f.period.year: f for f in years}
    for row in counts:
        figures = by_year.get(row["year"])
        if figures is None:
            continue
        if row["kind"] == Meeting.Kind.SUPERVISION:
            figures.supervisions_held += row["n"]
        else:
            figures.erfa_held += row["n"]
            employed = bisect_right(starts, row["day"]) - bisect_left(ends, row["day"])
            figures.erfa_possible += row["n"] * employed
    # The scope's attendances and invitations counted from the scope's side: a unit's few
    # peer workers by id, so the query reads their rows, not every meeting's. The peer
    # workers' attendance only (not the facilitator's or a guest's).
    staff: dict[str, Any] = {"person__peer__isnull": False}
    participants: dict[str, Any] = {}
    if unit is not None:
        staff = {"person_id__in": [p["staff_member_id"] for p in peers]}
        participants = {"peerworker_id__in": [p["pk"] for p in peers]}
    year = ExtractYear("meeting__starts_at", tzinfo=zone)
    came = (
        MeetingAttendance.objects.filter(meeting__in=held, **staff)
        .values(kind=F("meeting__kind"), year=year)
        .annotate(n=Count("pk"), invited=Value(False))
        .order_by()
    )
    invited = (
        Meeting.participants.through.objects.filter(meeting__in=held, **participants)
        .values(kind=F("meeting__kind"), year=year)
        .annotate(n=Count("pk"), invited=Value(True))
        .order_by()
    )
    for row in came.union(invited, all=True):
        figures = by_year.get(row["year"])
        if figures is None:
            continue
        if row["invited"]:
            figures.supervision_invited += row["n"]
        elif row["kind"] == Meeting.Kind.SUPERVISION:
            figures.supervision_attended += row["n"]
        else:
            figures.erfa_attended += row["n"]


def _midnight(day: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), zone)


def _activity(years: list[YearFigures], scope: Q) -> None:
    """The journal's monthly counts, summed per year (one query)."""
    fields = ["notes", "conversations", "group_sessions", "minutes", "referrals", "accepted"]
    first = min(f.period.first for f in years)
    last = max(f.period.last for f in years)
    by_year = {f.period.year: f for f in years}
    for row in (
        PeerMonth.objects.filter(scope, month__gte=first, month__lte=last)
        .annotate(y=ExtractYear("month"))
        .values("y")
        .annotate(**{f"s_{name}": Sum(name) for name in (*fields, *CHIME_FIELDS)})
        .order_by()
    ):
        figures = by_year.get(row["y"])
        if figures is None:
            continue
        for name in fields:
            setattr(figures, name, row[f"s_{name}"] or 0)
        for name in CHIME_FIELDS:
            figures.chime[name] = row[f"s_{name}"] or 0


def _survey(years: list[YearFigures], unit: Unit | None) -> None:
    """The rounds closed in each period with their answer counts (one query), and the
    themes of this year's latest round (one more), under the survey's rule of five."""
    first = min(f.period.first for f in years)
    last = max(f.period.last for f in years)
    invitations = Q(invitations__unit=unit) if unit else Q()
    # Closed rounds only: a round's figures are shown after its last day.
    rounds = SurveyRound.objects.filter(
        closes_on__gte=first, closes_on__lte=last, closes_on__lt=timezone.localdate()
    )
    if unit is not None:
        rounds = rounds.filter(units=unit)
    for survey in rounds.annotate(
        invited=Count("invitations", filter=invitations),
        answered=Count("invitations", filter=invitations & Q(invitations__answered=True)),
    ).order_by("closes_on", "pk"):
        for figures in years:
            if survey.closes_on in figures.period:
                figures.rounds.append(survey)
    this = years[0]
    if this.rounds:
        this.themes = evaluation_selectors.theme_means(this.rounds[-1], unit)


def year_figures(
    unit: Unit | None, periods: list[Period], today: datetime.date
) -> list[YearFigures]:
    """The periods' figures from the apps' records, for one unit or (None) the programme,
    all but the survey's and the outcomes' (_survey_and_outcomes). Any number of periods
    in the same number of queries."""
    years = [YearFigures(p) for p in periods]
    scope = Q(staff_member__unit=unit) if unit else Q()
    peers = _peers(scope)
    due = [_peer_figures(figures, peers) for figures in years]
    _education(years, due, scope)
    _follow_up(years, unit, today)
    _onboarding(years, Q(unit=unit) if unit else Q(), today)
    _meetings(years, peers, unit)
    _activity(years, Q(peer__staff_member__unit=unit) if unit else Q())
    return years


def _survey_and_outcomes(years: list[YearFigures], unit: Unit | None) -> None:
    _survey(years, unit)
    # Outcomes of ended years only: figures that grow with each measurement would tell,
    # from one day to the next, the patient just measured (as the outcomes page).
    records = evaluation_selectors.outcome_records()
    unit_ids = frozenset({unit.pk}) if unit else None
    for figures in years:
        if not figures.period.partial:
            period = (figures.period.first, figures.period.last)
            figures.outcomes = evaluation_selectors.outcome_summaries(unit_ids, records, period)


# What the daily run keeps of a year of the whole programme (StoredYear): every figure
# but the period (the run's day gives it) and the survey's and outcomes' (two quick reads,
# and the outcomes are models).
LIVE_FIELDS = frozenset({"period", "rounds", "themes", "outcomes"})
STORED_FIELDS = tuple(f.name for f in fields(YearFigures) if f.name not in LIVE_FIELDS)


def as_stored(figures: YearFigures) -> dict[str, Any]:
    """A year's figures as JSON keeps them (tuples come back as lists)."""
    data = {name: getattr(figures, name) for name in STORED_FIELDS}
    data["acknowledged"] = dict(figures.acknowledged)
    return data


def from_stored(period: Period, data: dict[str, Any]) -> YearFigures:
    values = {name: data[name] for name in STORED_FIELDS}
    values["kept_one"] = tuple(values["kept_one"])
    values["kept_two"] = tuple(values["kept_two"])
    values["reasons"] = [tuple(reason) for reason in values["reasons"]]
    values["acknowledged"] = Counter(values["acknowledged"])
    return YearFigures(period, **values)


def stored_years(
    periods: list[Period], day: datetime.date
) -> tuple[list[YearFigures], datetime.datetime] | None:
    """The periods' figures as the daily run of `day` kept them, and when it worked them
    out; None when it kept no such year (no run yet that day, or a run of older code)."""
    rows = {
        row.year: row
        for row in StoredYear.objects.filter(day=day, year__in=[p.year for p in periods])
    }
    if any(p.year not in rows or set(rows[p.year].figures) != set(STORED_FIELDS) for p in periods):
        return None
    years = [from_stored(p, rows[p.year].figures) for p in periods]
    return years, rows[periods[0].year].made_at


def report(unit: Unit | None, year: int, today: datetime.date | None = None) -> Report:
    """The figures of `year` and the year before, for one unit or (None) the programme:
    the programme's as the daily run kept them today (worked out now without a run)."""
    today = today or timezone.localdate()
    periods = [Period.of(year, today), Period.of(year - 1, today)]
    stored = stored_years(periods, today) if unit is None else None
    years, made_at = stored or (year_figures(unit, periods, today), None)
    _survey_and_outcomes(years, unit)
    return Report(unit, years[0], years[1], today, made_at)
