"""Reading function descriptions: a peer worker's revisions, the one in force, and how the
recorded activity compares with the tasks it describes."""

from __future__ import annotations

import datetime
import statistics as pystats
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from journal import selectors as journal_selectors
from peerprogram.models import PeerWorker

from .models import (
    FollowUpRhythm,
    FunctionDescription,
    Presentation,
    Talk,
    TalkAction,
    TaskKind,
    hours_field,
)

DRAFT = Q(leader_agreed_on__isnull=True) | Q(peer_agreed_on__isnull=True)


@dataclass
class Revisions:
    """A peer worker's function descriptions: the one in force, a draft, the earlier ones."""

    in_force: FunctionDescription | None
    draft: FunctionDescription | None
    earlier: list[FunctionDescription]

    @property
    def all(self) -> list[FunctionDescription]:
        return [d for d in (self.draft, self.in_force) if d] + self.earlier


def revisions_of(peer: PeerWorker) -> Revisions:
    """One query: every revision, newest first."""
    rows = list(peer.function_descriptions.select_related("leader_agreed_by__staff_member"))
    draft = next((d for d in rows if not d.agreed), None)
    agreed = [d for d in rows if d.agreed]
    return Revisions(agreed[0] if agreed else None, draft, agreed[1:])


def leaflet_made_on() -> Subquery:
    """For annotating a peer worker (OuterRef("pk")): the day their leaflet was first made
    (the onboarding checklist's task to inform the patients), or NULL."""
    return Subquery(Presentation.objects.filter(peer=OuterRef("pk")).values("leaflet_made_on")[:1])


def first_agreed_on() -> Subquery:
    """For annotating a peer worker (OuterRef("pk")): the day their first description was
    agreed by both (the onboarding checklist's task), or NULL."""
    return Subquery(
        FunctionDescription.objects.filter(
            peer=OuterRef("pk"), leader_agreed_on__isnull=False, peer_agreed_on__isnull=False
        )
        .order_by("number")
        .annotate(on=Greatest("leader_agreed_on", "peer_agreed_on"))
        .values("on")[:1]
    )


# The kinds of task as the journal records activity: the journal knows conversations,
# group sessions, bridge-building and other peer activities.
_RECORDED = [
    (_("Individual conversations"), [TaskKind.CONVERSATIONS], "conversations"),
    (_("Groups"), [TaskKind.GROUPS], "group_sessions"),
    (_("Bridge-building"), [TaskKind.BRIDGE], "bridge"),
    (
        _("Other peer activities"),
        [TaskKind.PSYCHOEDUCATION, TaskKind.CAFE, TaskKind.MEETINGS, TaskKind.OTHER],
        "other",
    ),
]


@dataclass
class MixRow:
    label: str
    planned_hours: int
    planned_share: int  # per cent of the described hours
    recorded: int
    recorded_share: int | None  # per cent of the recorded activities; None: nothing recorded

    @property
    def difference(self) -> int | None:
        if self.recorded_share is None:
            return None
        return self.recorded_share - self.planned_share


@dataclass
class Mix:
    first_month: datetime.date
    last_month: datetime.date
    rows: list[MixRow]
    recorded_total: int


def _share(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def activity_against(description: FunctionDescription, today: datetime.date | None = None) -> Mix:
    """The tasks described (hours a week) against what the peer worker recorded in the last
    three full months (counts of notes and group sessions), each as shares."""
    recorded = journal_selectors.activity_mix(description.peer, months=3, today=today)
    total_hours = description.total_hours
    rows = []
    for label, kinds, counted in _RECORDED:
        hours = sum(getattr(description, hours_field(kind)) for kind in kinds)
        n = getattr(recorded, counted)
        rows.append(
            MixRow(
                label=str(label),
                planned_hours=hours,
                planned_share=_share(hours, total_hours),
                recorded=n,
                recorded_share=_share(n, recorded.total) if recorded.total else None,
            )
        )
    return Mix(recorded.first_month, recorded.last_month, rows, recorded.total)


def posting_tasks(description: FunctionDescription) -> str:
    """The tasks of a description as a section of a vacancy's posting (in Danish, like
    every posting): define the task before recruiting."""
    with translation.override("da"):
        lines = [gettext("The tasks")]
        for label, hours in description.tasks:
            lines.append(
                "- "
                + gettext("%(task)s, about %(hours)s hours a week")
                % {"task": label, "hours": hours}
            )
        if description.not_task_lines:
            lines.append("")
            lines.append(gettext("You will not take on:"))
            lines.extend(f"- {line}" for line in description.not_task_lines)
    return "\n".join(lines)


# The leader's follow-up ------------------------------------------------------------------


@dataclass
class Due:
    kind: str  # Talk.Kind
    date: datetime.date
    planned: Talk | None  # a talk moved to this date by the leader, else None
    overdue: bool
    computed: datetime.date | None = None  # the day the rhythm gives

    @property
    def time(self) -> datetime.time | None:
        return self.planned.time if self.planned else None


@dataclass
class FollowUp:
    """A peer worker's talks with their leader: what is due next, what was agreed and is
    still open, and the talks held or cancelled, newest first."""

    rhythm: tuple[int, int]  # days between talks in probation, months after
    follow_up: Due | None  # None: the employment has ended
    mus: Due | None
    open_actions: list[TalkAction]
    history: list[Talk]
    mus_held: int
    ends_on: datetime.date | None = None
    # The employment ends within two months (a temporary post: time to decide on renewal).
    ending_soon: bool = False
    # The employment has ended or ends soon, and no exit talk is recorded.
    exit_talk_due: bool = False

    @property
    def first_year_over(self) -> bool:
        return self.mus_held > 0


def _rhythm(peer: PeerWorker) -> tuple[int, int]:
    row = (
        FollowUpRhythm.objects.filter(peer=peer)
        .values_list("probation_days", "after_months")
        .first()
    )
    return row or default_rhythm()


def default_rhythm() -> tuple[int, int]:
    return (settings.FOLLOW_UP_PROBATION_DAYS, settings.FOLLOW_UP_AFTER_MONTHS)


def next_follow_up_date(
    peer: PeerWorker, last: datetime.date | None, rhythm: tuple[int, int]
) -> datetime.date:
    """The day the next follow-up talk is due: from the last talk held or cancelled (or
    the start), every N days in probation, every N months after it."""
    base = last or peer.start_date
    days, months = rhythm
    if base < peer.probation_end:
        return min(base + datetime.timedelta(days=days), peer.probation_end)
    return base + relativedelta(months=months)


def next_mus_date(peer: PeerWorker, last: datetime.date | None) -> datetime.date:
    """A MUS every year while employed: a year after the last one held, or after the
    start."""
    return (last or peer.start_date) + relativedelta(years=1)


def dues(
    peer: PeerWorker, talks: list[Talk], rhythm: tuple[int, int], today: datetime.date
) -> tuple[Due | None, Due | None]:
    """The next follow-up talk and MUS from the talks so far (any order); None for both
    once the employment has ended. No queries."""
    if peer.end_date is not None and peer.end_date < today:
        return None, None
    done = [t for t in talks if t.status != Talk.Status.PLANNED]
    planned = {
        t.kind: t
        for t in sorted(talks, key=lambda t: (t.date, t.pk or 0))  # the latest wins
        if t.status == Talk.Status.PLANNED
    }

    def due(kind: str, computed: datetime.date) -> Due:
        moved = planned.get(kind)
        day = moved.date if moved else computed
        return Due(kind, day, moved, day < today, computed)

    last_talk = max((t.date for t in done if t.kind != Talk.Kind.EXIT), default=None)
    last_mus = max(
        (t.date for t in done if t.kind == Talk.Kind.MUS and t.status == Talk.Status.HELD),
        default=None,
    )
    return (
        due(Talk.Kind.FOLLOW_UP, next_follow_up_date(peer, last_talk, rhythm)),
        due(Talk.Kind.MUS, next_mus_date(peer, last_mus)),
    )


def follow_up_of(peer: PeerWorker, today: datetime.date | None = None) -> FollowUp:
    """Two queries: the talks with their actions, and the rhythm."""
    today = today or timezone.localdate()
    talks = list(peer.talks.prefetch_related("actions"))
    rhythm = _rhythm(peer)
    done = [t for t in talks if t.status != Talk.Status.PLANNED]
    follow_up, mus = dues(peer, talks, rhythm, today)
    ended = peer.end_date is not None and peer.end_date < today
    held = [t for t in done if t.status == Talk.Status.HELD]
    open_actions = [a for t in reversed(held) for a in t.actions.all() if a.done_on is None]
    ending_soon = peer.end_date is not None and today <= peer.end_date <= today + relativedelta(
        months=RENEWAL_MONTHS
    )
    exit_held = any(t.kind == Talk.Kind.EXIT for t in held)
    return FollowUp(
        rhythm=rhythm,
        follow_up=follow_up,
        mus=mus,
        open_actions=open_actions,
        history=done,
        mus_held=sum(1 for t in held if t.kind == Talk.Kind.MUS),
        ends_on=peer.end_date,
        ending_soon=ending_soon,
        exit_talk_due=(ended or ending_soon) and not exit_held,
    )


# A temporary post: the leader decides on renewal this many months before it ends.
RENEWAL_MONTHS = 2


# Retention -------------------------------------------------------------------------------


@dataclass
class RetentionRow:
    label: str
    peers: int  # ever employed (started)
    employed: int  # employed today
    left: int
    median_months: float | None  # tenure so far or until the end
    after_one: tuple[int, int]  # (still employed a year after the start, started a year ago)
    after_two: tuple[int, int]

    @staticmethod
    def share(pair: tuple[int, int]) -> int | None:
        kept, of = pair
        return round(100 * kept / of) if of else None

    @property
    def after_one_share(self) -> int | None:
        return self.share(self.after_one)

    @property
    def after_two_share(self) -> int | None:
        return self.share(self.after_two)


@dataclass
class Retention:
    total: RetentionRow
    units: list[RetentionRow]
    reasons: list[tuple[str, int]]  # why employments ended, most frequent first


def _months(start: datetime.date, end: datetime.date) -> float:
    return (end - start).days / 30.44


def retention(peers: QuerySet[PeerWorker], today: datetime.date | None = None) -> Retention:
    """How long peer workers stay, per unit and in all, and why they leave: one query over
    the employments (no note, no talk is read)."""
    today = today or timezone.localdate()
    rows = list(
        peers.filter(start_date__lte=today)
        .order_by()
        .values_list("staff_member__unit__name", "start_date", "end_date", "end_reason")
    )
    labels = dict(PeerWorker.EndReason.choices)

    def summary(label: str, employments: list[tuple[Any, ...]]) -> RetentionRow:
        def kept(years: int) -> tuple[int, int]:
            started = [
                (s, e) for _u, s, e, _r in employments if s + relativedelta(years=years) <= today
            ]
            still = [1 for s, e in started if e is None or e >= s + relativedelta(years=years)]
            return len(still), len(started)

        ended = [r for r in employments if r[2] is not None and r[2] < today]
        tenures = [_months(s, min(e, today) if e else today) for _u, s, e, _r in employments]
        return RetentionRow(
            label=label,
            peers=len(employments),
            employed=len(employments) - len(ended),
            left=len(ended),
            median_months=round(pystats.median(tenures), 1) if tenures else None,
            after_one=kept(1),
            after_two=kept(2),
        )

    by_unit: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_unit.setdefault(row[0], []).append(row)
    reasons: dict[str, int] = {}
    for _unit, _start, end, reason in rows:
        if end is not None and end < today:
            key = str(labels.get(reason, _("Not given")))
            reasons[key] = reasons.get(key, 0) + 1
    return Retention(
        total=summary(str(_("The whole selection")), rows),
        units=[summary(name, by_unit[name]) for name in sorted(by_unit)],
        reasons=sorted(reasons.items(), key=lambda item: (-item[1], item[0])),
    )
