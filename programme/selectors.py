"""The programme's health: each unit against the risks the guides name, from the same facts
as the signals and the leaders' action lists."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django.utils import timezone

from education import selectors as education_selectors
from employment import selectors as employment_selectors
from evaluation import selectors as evaluation_selectors
from journal import selectors as journal_selectors
from mentoring import selectors as mentoring_selectors
from peerprogram.models import PeerWorker, Unit
from peerprogram.selectors import employed_now_q, has_mentor_now
from recruitment import selectors as recruitment_selectors
from recruitment import summary
from recruitment.models import Onboarding

from .models import HealthRun, SignalAck, SignalKind, SignalRecord, UnitHealthRecord
from .signals import SIGNAL_FACTS, Signal, employed, facts_of, signals_of

# The columns of the health page, in order: (key, what the key counts).
COLUMNS = [
    "onboarding",
    "mentoring",
    "education",
    "supervision",
    "erfa",
    "drift",
    "alone",
    "referrals",
    "retention",
]
REFERRAL_KINDS = {SignalKind.FEW_REFERRALS, SignalKind.MANY_REFERRALS, SignalKind.WAITING}


@dataclass
class UnitHealth:
    unit: Unit
    employed: int = 0  # peer workers employed now
    # The signals not acknowledged, by kind.
    signals: Counter[str] = field(default_factory=Counter)
    overdue_checklists: int = 0
    mentoring: int = 0  # no mentor in the first six months, or no check-in for too long
    education: int = 0  # in the first year and not enrolled, or hired late for the cohort
    supervision: int = 0  # no supervision for eight weeks
    kept_one_year: int | None = None  # per cent still employed a year after the start

    def count(self, kind: str) -> int:
        return self.signals[kind]

    @property
    def erfa(self) -> int:
        return self.count(SignalKind.ISOLATION)

    @property
    def drift(self) -> int:
        return self.count(SignalKind.DRIFT)

    @property
    def alone(self) -> bool:
        return self.count(SignalKind.ALONE) > 0

    @property
    def referrals(self) -> int:
        return sum(self.signals[kind] for kind in REFERRAL_KINDS)

    @property
    def open_signals(self) -> int:
        return sum(self.signals.values())

    @property
    def attention(self) -> int:
        """Everything that asks for attention: the sort order "most first"."""
        return (
            self.overdue_checklists
            + self.mentoring
            + self.education
            + self.supervision
            + self.open_signals
        )

    @property
    def counts(self) -> list[int]:
        """The health page's count columns, in order (one loop in the template, not an
        include per cell)."""
        return [
            self.overdue_checklists,
            self.mentoring,
            self.education,
            self.supervision,
            self.erfa,
            self.drift,
        ]

    def value(self, column: str) -> Any:
        """The figure a column sorts by."""
        if column == "onboarding":
            return self.overdue_checklists
        if column == "retention":
            return -1 if self.kept_one_year is None else self.kept_one_year
        if column == "alone":
            return int(self.alone)
        return getattr(self, column)


# What the health page reads of each peer worker: the signals' facts, and what the
# mentoring and the education ask of the leader.
HEALTH_FACTS = SIGNAL_FACTS | mentoring_selectors.LEADER_FACTS | education_selectors.LEADER_FACTS


def todays_run(today: datetime.date | None = None) -> HealthRun | None:
    """The daily run's reading of the whole programme, if it has run today."""
    return HealthRun.objects.filter(day=today or timezone.localdate()).first()


def unit_health(
    units: Iterable[Unit], today: datetime.date | None = None, run: HealthRun | None = None
) -> list[UnitHealth]:
    """The health of these units, in their order, from today's `run` when given (two
    queries), else worked out now (four queries whatever their number: the peer workers'
    facts, the retention, the checklists in two)."""
    today = today or timezone.localdate()
    rows = {u.pk: UnitHealth(u) for u in units}
    if not rows:
        return []
    if run is not None:
        return _stored_health(rows, run, today)
    peers = PeerWorker.objects.filter(staff_member__unit_id__in=list(rows))
    facts = facts_of(peers, today, only=HEALTH_FACTS)
    overdue = recruitment_selectors.overdue_checklists(
        onboardings_in_progress(today).filter(unit_id__in=list(rows)), today
    )
    return health_rows(rows, facts, signals_of(facts, today), overdue, today)


def health_rows(
    rows: dict[int, UnitHealth],
    facts: list[Any],
    signals: list[Signal],
    overdue: dict[int, int],
    today: datetime.date,
) -> list[UnitHealth]:
    """The units' rows filled from their peer workers' facts (`facts_of` with
    HEALTH_FACTS) and signals, and the overdue checklists (onboarding -> unit); peer
    workers and checklists of other units are passed over. One more query: the retention."""
    for signal in signals:
        row = rows.get(signal.peer.unit_of)
        if row is not None and not signal.acknowledged:
            row.signals[signal.kind] += 1
    for peer in facts:
        row = rows.get(peer.unit_of)
        if row is None or not employed(peer, today):
            continue
        row.employed += 1
        row.mentoring += bool(mentoring_selectors.leader_needs(peer, today))
        kinds = education_selectors.leader_needs(peer, today)
        row.education += bool(kinds.keys() & {"education_missing", "education_early"})
        row.supervision += "supervision_gap" in kinds
    peers = PeerWorker.objects.filter(staff_member__unit_id__in=list(rows))
    for pk, share in employment_selectors.retention_by_unit(peers, today).items():
        rows[pk].kept_one_year = share
    for unit_id in overdue.values():
        if unit_id in rows:
            rows[unit_id].overdue_checklists += 1
    return list(rows.values())


# What a UnitHealthRecord keeps of a unit's row (its signals are kept one by one).
STORED_COLUMNS = (
    "employed",
    "overdue_checklists",
    "mentoring",
    "education",
    "supervision",
    "kept_one_year",
)


def open_signal_records(run: HealthRun, today: datetime.date) -> QuerySet[SignalRecord]:
    """The run's signals not acknowledged now (an acknowledgement made after the run
    counts at once)."""
    acknowledged = SignalAck.objects.filter(
        peer=OuterRef("peer"), kind=OuterRef("kind"), created_at__gte=SignalAck.quiet_since(today)
    )
    return SignalRecord.objects.filter(run=run).filter(~Exists(acknowledged))


def _stored_health(
    rows: dict[int, UnitHealth], run: HealthRun, today: datetime.date
) -> list[UnitHealth]:
    # The whole run is read (some 600 lines and a thousand signals, a few milliseconds)
    # rather than a list of the units' ids, whose parameters cost more than the rows.
    records = UnitHealthRecord.objects.filter(run=run).values_list("unit_id", *STORED_COLUMNS)
    recorded = set()
    for unit_id, *values in records:
        row = rows.get(unit_id)
        if row is not None:
            recorded.add(unit_id)
            for column, value in zip(STORED_COLUMNS, values, strict=True):
                setattr(row, column, value)
    _add_open_signals(rows, run, today)
    # A unit made active since the run has no line in it: worked out now.
    missing = [row.unit for pk, row in rows.items() if pk not in recorded]
    for row in unit_health(missing, today) if missing else []:
        rows[row.unit.pk] = row
    return list(rows.values())


def _add_open_signals(
    rows: dict[int, UnitHealth],
    run: HealthRun,
    today: datetime.date,
    unit_ids: list[int] | None = None,
) -> None:
    """The run's signals not acknowledged now, counted by kind into the rows of their
    units (one query; of these units only, else of the whole run)."""
    records = open_signal_records(run, today)
    if unit_ids is not None:
        records = records.filter(unit_id__in=unit_ids)
    for unit_id, kind, n in (
        records.order_by().values_list("unit_id", "kind").annotate(n=Count("pk"))
    ):
        if unit_id in rows:
            rows[unit_id].signals[kind] = n


def _open_signals(
    run: HealthRun, today: datetime.date, kinds: Iterable[str] | None = None
) -> QuerySet[SignalRecord]:
    """A subquery: the run's signals not acknowledged now about the outer line's unit (of
    these kinds)."""
    records = open_signal_records(run, today).filter(unit_id=OuterRef("unit_id"))
    return records if kinds is None else records.filter(kind__in=list(kinds))


def _open_count(
    run: HealthRun, today: datetime.date, kinds: Iterable[str] | None = None
) -> Coalesce:
    counted = (
        _open_signals(run, today, kinds)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0, output_field=IntegerField())


def _sort_key(run: HealthRun, today: datetime.date, sort: str) -> Any:
    """What a column sorts by, in the database: the figure `UnitHealth.value` gives."""
    if sort == "attention":
        return (
            F("overdue_checklists")
            + F("mentoring")
            + F("education")
            + F("supervision")
            + _open_count(run, today)
        )
    if sort == "onboarding":
        return F("overdue_checklists")
    if sort in ("mentoring", "education", "supervision"):
        return F(sort)
    if sort == "retention":
        return Coalesce("kept_one_year", -1, output_field=IntegerField())
    if sort == "alone":
        return Exists(_open_signals(run, today, [SignalKind.ALONE]))
    kinds = {"erfa": [SignalKind.ISOLATION], "drift": [SignalKind.DRIFT]}
    return _open_count(run, today, kinds.get(sort, REFERRAL_KINDS))


def run_missing(run: HealthRun, units: QuerySet[Unit]) -> bool:
    """Whether any of these units has no line in the run (made active since it ran)."""
    recorded = UnitHealthRecord.objects.filter(run=run).values("unit_id")
    return units.exclude(pk__in=recorded).exists()


def stored_order(
    run: HealthRun, today: datetime.date, units: QuerySet[Unit], sort: str, signal: str = ""
) -> QuerySet[UnitHealthRecord]:
    """The run's lines of these units (with a `signal` not acknowledged, if given), sorted
    in the database by a column of the health page (most first, then by name) or by name:
    a page of them is read, whatever the number of units. Each line comes with its unit's
    name, kind and organisation; `stored_rows` makes the page's rows of them."""
    records = (
        UnitHealthRecord.objects.filter(run=run, unit__in=units)
        .select_related("unit")
        .only("unit__name", "unit__kind", "unit__organisation", *STORED_COLUMNS)
    )
    if signal:
        records = records.filter(Exists(_open_signals(run, today, [signal])))
    if sort == "name":
        return records.order_by("unit__name", "unit_id")
    return records.order_by(
        OrderBy(_sort_key(run, today, sort), descending=True), "unit__name", "unit_id"
    )


def stored_rows(
    records: Iterable[UnitHealthRecord], run: HealthRun, today: datetime.date
) -> list[UnitHealth]:
    """The health page's rows of these lines of the run, in their order, with their
    signals not acknowledged now (one query)."""
    rows = {
        record.unit_id: UnitHealth(
            record.unit, **{column: getattr(record, column) for column in STORED_COLUMNS}
        )
        for record in records
    }
    if rows:
        _add_open_signals(rows, run, today, list(rows))
    return list(rows.values())


def organisations() -> list[str]:
    """The active units' organisations, to filter the health page by."""
    named = Unit.objects.filter(active=True).exclude(organisation="")
    return list(named.order_by("organisation").values_list("organisation", flat=True).distinct())


def active_units(ids: list[int] | None = None) -> QuerySet[Unit]:
    """The active units (every one, or these) by name: what the health page shows of
    them."""
    units = Unit.objects.filter(active=True)
    if ids is not None:
        units = units.filter(pk__in=ids)
    return units.only("name", "kind", "organisation").order_by("name", "pk")


# The PDF: a line per unit in monospaced type, like the onboarding summary (a nation has
# some 600 units and WeasyPrint spends about a millisecond on each table cell).
PDF_COLUMNS = [
    ("Enhed", 44, False),
    ("Ansat", 5, True),
    ("I alt", 5, True),
    ("Opstart", 7, True),
    ("Mentor", 6, True),
    ("Uddannelse", 10, True),
    ("Supervision", 11, True),
    ("Erfa", 4, True),
    ("Drift", 5, True),
    ("Alene", 5, True),
    ("Henvisninger", 12, True),
    ("Efter 1 år", 10, True),
]


def pdf_pages(rows: list[UnitHealth]) -> tuple[str, list[str]]:
    heading = summary.line([title for title, _w, _r in PDF_COLUMNS], PDF_COLUMNS)
    lines = [
        summary.line(
            [
                summary.cut(r.unit.name, PDF_COLUMNS[0][1]),
                str(r.employed),
                str(r.attention),
                str(r.overdue_checklists),
                str(r.mentoring),
                str(r.education),
                str(r.supervision),
                str(r.erfa),
                str(r.drift),
                "ja" if r.alone else "–",
                str(r.referrals),
                "–" if r.kept_one_year is None else f"{r.kept_one_year} %",
            ],
            PDF_COLUMNS,
        )
        for r in rows
    ]
    return heading, summary.pages(lines)


def own_facts(peer: PeerWorker, today: datetime.date) -> Any:
    """A peer worker with what waits for them in the journal and their talks' facts, for
    their own home page: one query."""
    talks = employment_selectors.peer_facts(today)
    return (
        PeerWorker.objects.filter(pk=peer.pk)
        .select_related("staff_member")
        .annotate(
            **journal_selectors.waiting_facts(),
            **{name: talks[name] for name in employment_selectors.PEER_FACTS},
            **evaluation_selectors.peer_facts(today),
        )
        .get()
    )


@dataclass
class CentreFigures:
    """The whole programme for the Centre's home page, from one read of every peer
    worker's facts: the signals not acknowledged by kind, and the overview's counts."""

    signals: dict[str, int]
    peers: int  # employed now
    peers_starting: int
    peers_without_mentor: int
    peers_under_recommended: int

    @property
    def open_signals(self) -> int:
        return sum(self.signals.values())


def centre_figures(
    today: datetime.date | None = None, run: HealthRun | None = None
) -> CentreFigures:
    """The signals from today's `run` when given, else worked out now from every peer
    worker's facts; the peer workers counted now, as the peer workers' list filters them."""
    today = today or timezone.localdate()
    counts = dict.fromkeys(SignalKind.values, 0)
    if run is not None:
        stored = open_signal_records(run, today).order_by().values_list("kind")
        for kind, n in stored.annotate(n=Count("pk")):
            counts[kind] = n
    else:
        facts = facts_of(PeerWorker.objects.all(), today, only=SIGNAL_FACTS)
        for signal in signals_of(facts, today):
            if not signal.acknowledged:
                counts[signal.kind] += 1
    working = employed_now_q(today=today)
    peers = PeerWorker.objects.annotate(has_mentor=has_mentor_now()).aggregate(
        employed=Count("pk", filter=working),
        starting=Count("pk", filter=Q(start_date__gt=today)),
        without_mentor=Count("pk", filter=working & Q(has_mentor=False)),
        under_recommended=Count(
            "pk", filter=working & Q(hours_per_week__lt=settings.PEER_RECOMMENDED_MIN_HOURS)
        ),
    )
    return CentreFigures(
        signals=counts,
        peers=peers["employed"],
        peers_starting=peers["starting"],
        peers_without_mentor=peers["without_mentor"],
        peers_under_recommended=peers["under_recommended"],
    )


# A checklist runs from before the start to the first MUS a year after it: the Centre's
# home and the health page's column count the checklists begun in this many months, so
# the count on the home page is the number of units the health page then lists (older
# checklists are on the checklists' overview).
ONBOARDING_MONTHS = 18


def onboardings_in_progress(today: datetime.date) -> QuerySet[Onboarding]:
    return Onboarding.objects.filter(
        created_at__date__gte=today - relativedelta(months=ONBOARDING_MONTHS)
    )


def overdue_in_progress(today: datetime.date) -> dict[int, int]:
    """The checklists in progress with an overdue task: onboarding -> unit."""
    return recruitment_selectors.overdue_checklists(onboardings_in_progress(today), today)


def units_with_overdue_onboarding(
    today: datetime.date | None = None, run: HealthRun | None = None
) -> int:
    """How many units have a checklist in progress (begun in the last 18 months) with an
    overdue task: from today's `run` when given, else worked out now."""
    if run is not None:
        return run.overdue_units
    return len(set(overdue_in_progress(today or timezone.localdate()).values()))
