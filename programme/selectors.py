"""The programme's health: each unit against the risks the guides name, from the same facts
as the signals and the leaders' action lists."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from education import selectors as education_selectors
from employment import selectors as employment_selectors
from evaluation import selectors as evaluation_selectors
from journal import selectors as journal_selectors
from mentoring import selectors as mentoring_selectors
from peerprogram.models import PeerWorker, Unit
from recruitment import selectors as recruitment_selectors
from recruitment import summary
from recruitment.models import Onboarding

from .models import SignalKind
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
    peers: list[Any] = field(default_factory=list)  # employed now, with their facts
    signals: list[Signal] = field(default_factory=list)
    overdue_checklists: int = 0
    mentoring: int = 0  # no mentor in the first six months, or no check-in for too long
    education: int = 0  # in the first year and not enrolled, or hired late for the cohort
    supervision: int = 0  # no supervision for eight weeks
    kept_one_year: int | None = None  # per cent still employed a year after the start

    def count(self, kind: str) -> int:
        return sum(1 for s in self.signals if s.kind == kind and not s.acknowledged)

    @property
    def employed(self) -> int:
        return len(self.peers)

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
        return sum(1 for s in self.signals if s.kind in REFERRAL_KINDS and not s.acknowledged)

    @property
    def open_signals(self) -> int:
        return sum(1 for s in self.signals if not s.acknowledged)

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


def unit_health(units: Iterable[Unit], today: datetime.date | None = None) -> list[UnitHealth]:
    """The health of these units, in their order: four queries whatever their number (the
    peer workers' facts, the retention, the checklists in two)."""
    today = today or timezone.localdate()
    rows = {u.pk: UnitHealth(u) for u in units}
    if not rows:
        return []
    peers = PeerWorker.objects.filter(staff_member__unit_id__in=list(rows))
    facts = facts_of(peers, today, only=HEALTH_FACTS)
    for signal in signals_of(facts, today):
        rows[signal.peer.unit_of].signals.append(signal)
    for peer in facts:
        if not employed(peer, today):
            continue
        row = rows[peer.unit_of]
        row.peers.append(peer)
        row.mentoring += bool(mentoring_selectors.leader_needs(peer, today))
        kinds = education_selectors.leader_needs(peer, today)
        row.education += bool(kinds.keys() & {"education_missing", "education_early"})
        row.supervision += "supervision_gap" in kinds
    kept = employment_selectors.retention_by_unit(peers, today)
    for pk, share in kept.items():
        rows[pk].kept_one_year = share
    overdue = recruitment_selectors.overdue_checklists(
        onboardings_in_progress(today).filter(unit_id__in=list(rows)), today
    )
    for unit_id in overdue.values():
        rows[unit_id].overdue_checklists += 1
    return list(rows.values())


def active_units(ids: list[int] | None = None) -> QuerySet[Unit]:
    """The active units (every one, or these) by name, with their leaders."""
    units = Unit.objects.filter(active=True)
    if ids is not None:
        units = units.filter(pk__in=ids)
    return units.select_related("leader").order_by("name", "pk")


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
    return (
        PeerWorker.objects.filter(pk=peer.pk)
        .select_related("staff_member")
        .annotate(
            **journal_selectors.waiting_facts(),
            **employment_selectors.peer_facts(today),
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


def centre_figures(today: datetime.date | None = None) -> CentreFigures:
    today = today or timezone.localdate()
    facts = facts_of(PeerWorker.objects.all(), today, only=SIGNAL_FACTS)
    counts = dict.fromkeys(SignalKind.values, 0)
    for signal in signals_of(facts, today):
        if not signal.acknowledged:
            counts[signal.kind] += 1
    working = [p for p in facts if employed(p, today)]
    return CentreFigures(
        signals=counts,
        peers=len(working),
        peers_starting=sum(1 for p in facts if p.start_date > today),
        peers_without_mentor=sum(1 for p in working if p.mentorship_id is None),
        peers_under_recommended=sum(
            1 for p in working if p.hours_per_week < settings.PEER_RECOMMENDED_MIN_HOURS
        ),
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


def units_with_overdue_onboarding(today: datetime.date | None = None) -> int:
    """How many units have a checklist in progress (begun in the last 18 months) with an
    overdue task."""
    today = today or timezone.localdate()
    overdue = recruitment_selectors.overdue_checklists(onboardings_in_progress(today), today)
    return len(set(overdue.values()))
