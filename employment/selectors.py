"""Reading function descriptions: a peer worker's revisions, the one in force, and how the
recorded activity compares with the tasks it describes."""

from __future__ import annotations

import datetime
import statistics as pystats
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from journal import selectors as journal_selectors
from peerprogram.actions import Action
from peerprogram.models import PeerWorker
from peerprogram.selectors import count_of

from .models import (
    FollowUpRhythm,
    FunctionDescription,
    OutsideTask,
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


def peers_with_leaflet() -> QuerySet[Any]:
    """The ids of the peer workers whose leaflet is made (the fact of leaflet_made_on, as
    a set for the database to judge many checklists at once)."""
    return Presentation.objects.filter(leaflet_made_on__isnull=False).values("peer_id")


def peers_agreed() -> QuerySet[Any]:
    """The ids of the peer workers with a description agreed by both (the fact of
    first_agreed_on, as a set)."""
    return FunctionDescription.objects.filter(
        leader_agreed_on__isnull=False, peer_agreed_on__isnull=False
    ).values("peer_id")


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
    done = [t for t in talks if t.status != Talk.Status.PLANNED]
    planned = {
        t.kind: t
        for t in sorted(talks, key=lambda t: (t.date, t.pk or 0))  # the latest wins
        if t.status == Talk.Status.PLANNED
    }
    last_talk = max((t.date for t in done if t.kind != Talk.Kind.EXIT), default=None)
    last_mus = max(
        (t.date for t in done if t.kind == Talk.Kind.MUS and t.status == Talk.Status.HELD),
        default=None,
    )
    return dues_from(peer, last_talk, last_mus, planned, rhythm, today)


def dues_from(
    peer: PeerWorker,
    last_talk: datetime.date | None,
    last_mus: datetime.date | None,
    planned: dict[str, Talk],
    rhythm: tuple[int, int],
    today: datetime.date,
) -> tuple[Due | None, Due | None]:
    """The same from the facts themselves: the last talk held or cancelled (not an exit
    talk), the last MUS held, the talks planned by kind."""
    if peer.end_date is not None and peer.end_date < today:
        return None, None

    def due(kind: str, computed: datetime.date) -> Due:
        moved = planned.get(kind)
        day = moved.date if moved else computed
        return Due(kind, day, moved, day < today, computed)

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


# Facts for the action lists and the signals ------------------------------------------------
#
# The home pages and the programme's signals read every peer worker's facts in one query:
# each app offers annotations of PeerWorker (correlated subqueries on OuterRef("pk")) and
# reads its own back into actions or figures, with no query of its own.

# The drift signal's window: the last 13 weeks (about three months) of the weekly log.
DRIFT_WEEKS = 13
# A function description comes up for review this many days before its review date.
REVIEW_NOTICE_DAYS = 14


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the day's week."""
    return day - datetime.timedelta(days=day.weekday())


def peer_facts(today: datetime.date) -> dict[str, Any]:
    """Annotations of PeerWorker: the function description, the talks, the open actions
    the leader is responsible for, the tasks logged outside the description."""
    agreed = FunctionDescription.objects.filter(
        peer=OuterRef("pk"), leader_agreed_on__isnull=False, peer_agreed_on__isnull=False
    ).order_by("-number")
    draft = FunctionDescription.objects.filter(peer=OuterRef("pk")).filter(
        Q(leader_agreed_on__isnull=True) | Q(peer_agreed_on__isnull=True)
    )
    talks = Talk.objects.filter(peer=OuterRef("pk")).order_by()
    done = talks.exclude(status=Talk.Status.PLANNED)
    planned = talks.filter(status=Talk.Status.PLANNED).order_by("-date", "-pk")
    open_actions = TalkAction.objects.filter(
        talk__peer=OuterRef("pk"),
        done_on__isnull=True,
        due__lt=today,
        responsible__in=[TalkAction.Responsible.LEADER, TalkAction.Responsible.BOTH],
    ).order_by()
    outside = OutsideTask.objects.filter(
        peer=OuterRef("pk"),
        week__gte=week_of(today) - datetime.timedelta(weeks=DRIFT_WEEKS - 1),
    ).order_by()
    hours = sum((F(hours_field(kind)) for kind in TaskKind), Value(0))

    def latest(rows: QuerySet[Any], field: str) -> Subquery:
        return Subquery(rows.values(field)[:1])

    def most(rows: QuerySet[Any], function: type[Aggregate], field: str) -> Subquery:
        return Subquery(rows.values("peer").annotate(v=function(field)).values("v"))

    return {
        "fd_exists": Exists(FunctionDescription.objects.filter(peer=OuterRef("pk"))),
        "fd_hours": Subquery(agreed.annotate(total=hours).values("total")[:1]),
        "fd_review_on": latest(agreed, "review_on"),
        "fd_draft_since": latest(draft, "created_at"),
        # The day the leader agreed to a draft the peer worker has not agreed to yet.
        "fd_waits_for_peer": latest(
            draft.filter(leader_agreed_on__isnull=False, peer_agreed_on__isnull=True),
            "leader_agreed_on",
        ),
        "last_talk": most(done.exclude(kind=Talk.Kind.EXIT), Max, "date"),
        "last_mus": most(done.filter(kind=Talk.Kind.MUS, status=Talk.Status.HELD), Max, "date"),
        "planned_fu": latest(planned.filter(kind=Talk.Kind.FOLLOW_UP), "date"),
        "planned_fu_time": latest(planned.filter(kind=Talk.Kind.FOLLOW_UP), "time"),
        "planned_mus": latest(planned.filter(kind=Talk.Kind.MUS), "date"),
        "planned_mus_time": latest(planned.filter(kind=Talk.Kind.MUS), "time"),
        "rhythm_days": F("follow_up_rhythm__probation_days"),
        "rhythm_months": F("follow_up_rhythm__after_months"),
        "actions_overdue": count_of(open_actions),
        "actions_overdue_since": Subquery(
            open_actions.values("talk__peer").annotate(v=Min("due")).values("v")
        ),
        "outside_hours": most(outside, Sum, "hours"),
        "outside_weeks": Subquery(
            outside.values("peer").annotate(v=Count("week", distinct=True)).values("v")
        ),
    }


def dues_of_facts(peer: Any, today: datetime.date) -> tuple[Due | None, Due | None]:
    """The next follow-up talk and MUS of a peer worker annotated with `peer_facts`."""
    planned: dict[str, Talk] = {}
    if peer.planned_fu:
        planned[Talk.Kind.FOLLOW_UP] = Talk(
            kind=Talk.Kind.FOLLOW_UP, date=peer.planned_fu, time=peer.planned_fu_time
        )
    if peer.planned_mus:
        planned[Talk.Kind.MUS] = Talk(
            kind=Talk.Kind.MUS, date=peer.planned_mus, time=peer.planned_mus_time
        )
    rhythm = (
        (peer.rhythm_days, peer.rhythm_months) if peer.rhythm_days is not None else default_rhythm()
    )
    return dues_from(peer, peer.last_talk, peer.last_mus, planned, rhythm, today)


def leader_actions(peer: Any, today: datetime.date) -> list[Action]:
    """What a peer worker's employment asks of the leader (a peer worker annotated with
    `peer_facts`): talks and MUS due, actions agreed in talks and overdue, the function
    description to write, agree or review, a temporary post ending soon."""
    actions = []
    name = peer.name
    follow_up = reverse("employment:follow_up", args=[peer.pk])
    function = reverse("employment:function_page", args=[peer.pk])
    for due in dues_of_facts(peer, today):
        if due is None:
            continue
        if due.kind == Talk.Kind.MUS:
            text = (
                gettext("MUS with the wellbeing survey is overdue")
                if due.overdue
                else gettext("MUS with the wellbeing survey is due")
            )
        else:
            text = (
                gettext("Follow-up talk is overdue")
                if due.overdue
                else gettext("Follow-up talk is due")
            )
        actions.append(Action(f"talk_{due.kind}", text, name, due.date, follow_up))
    if peer.actions_overdue:
        actions.append(
            Action(
                "talk_action",
                ngettext(
                    "%(n)s action agreed in a talk is overdue",
                    "%(n)s actions agreed in talks are overdue",
                    peer.actions_overdue,
                )
                % {"n": peer.actions_overdue},
                name,
                peer.actions_overdue_since,
                follow_up,
            )
        )
    if not peer.fd_exists:
        actions.append(
            Action(
                "function_missing",
                gettext("Write the function description"),
                name,
                peer.start_date,
                function,
            )
        )
    elif peer.fd_draft_since is not None:
        actions.append(
            Action(
                "function_unagreed",
                gettext("The function description is not agreed by both of you"),
                name,
                timezone.localdate(peer.fd_draft_since),
                function,
            )
        )
    elif peer.fd_review_on is not None and peer.fd_review_on <= today + datetime.timedelta(
        days=REVIEW_NOTICE_DAYS
    ):
        actions.append(
            Action(
                "function_review",
                gettext("Review the function description"),
                name,
                peer.fd_review_on,
                function,
            )
        )
    # A temporary post (or one whose reason is not given yet) that ends soon: decide on
    # renewal. A post ending for another reason (a new job, retirement) is not renewed.
    renewable = peer.end_reason in ("", PeerWorker.EndReason.TEMPORARY)
    if (
        renewable
        and peer.end_date is not None
        and today <= peer.end_date <= today + relativedelta(months=RENEWAL_MONTHS)
    ):
        actions.append(
            Action(
                "post_ending",
                gettext("The post ends: decide on renewal"),
                name,
                peer.end_date,
                reverse("peerprogram:peer_detail", args=[peer.pk]),
            )
        )
    return actions


# What `peer_actions` reads of a peer worker annotated with `peer_facts` (the rest is the
# leader's): the peer worker's own home page asks for these only.
PEER_FACTS = frozenset(
    {
        "fd_waits_for_peer",
        "last_talk",
        "last_mus",
        "planned_fu",
        "planned_fu_time",
        "planned_mus",
        "planned_mus_time",
        "rhythm_days",
        "rhythm_months",
    }
)


def peer_actions(peer: Any, today: datetime.date) -> list[Action]:
    """The peer worker's own part (annotated with `peer_facts`, PEER_FACTS): a function description
    the leader has agreed to and waits for them to agree to, and their coming talks with
    the leader."""
    actions = []
    if peer.fd_waits_for_peer:
        actions.append(
            Action(
                "function_agree",
                gettext("Read and agree to your function description"),
                peer.name,
                peer.fd_waits_for_peer,
                reverse("employment:function_page", args=[peer.pk]),
                waiting=True,
            )
        )
    follow_up = reverse("employment:follow_up", args=[peer.pk])
    for due in dues_of_facts(peer, today):
        if due is None or due.overdue:
            continue  # the leader's to plan; the peer worker hears of talks to come
        text = (
            gettext("MUS with your leader")
            if due.kind == Talk.Kind.MUS
            else gettext("Follow-up talk with your leader")
        )
        actions.append(Action(f"talk_{due.kind}", text, peer.name, due.date, follow_up))
    return actions


@dataclass(frozen=True)
class Drift:
    """A peer worker's work against the function description over the last three months."""

    described_hours: int | None  # a week, in the agreed description
    recorded_hours: float  # a week of peer activity recorded in the journal (its minutes)
    outside_hours: int  # logged outside the description in the last 13 weeks
    outside_weeks: int  # weeks with anything logged
    contracted_hours: int  # a week

    def activity_below(self, share: float) -> bool:
        """Less peer activity recorded than `share` of the described hours (unrounded)."""
        return bool(self.described_hours) and (
            self.recorded_hours < share * (self.described_hours or 0)
        )

    @property
    def outside_share(self) -> int | None:
        """Tasks outside the description, per cent of the hours of the weeks logged
        (rounded: for showing)."""
        if not self.outside_weeks or not self.contracted_hours:
            return None
        return round(100 * self.outside_hours / (self.contracted_hours * self.outside_weeks))

    def outside_above(self, share: float) -> bool:
        """Tasks outside the description above `share` of the weeks logged (unrounded)."""
        return self.outside_hours > share * self.contracted_hours * self.outside_weeks


def drift_of(peer: Any, recorded_minutes: int, weeks: float) -> Drift:
    """From a peer worker annotated with `peer_facts`, and the journal's minutes of peer
    activity over `weeks` weeks."""
    return Drift(
        described_hours=peer.fd_hours,
        recorded_hours=recorded_minutes / 60 / weeks if weeks else 0.0,
        outside_hours=peer.outside_hours or 0,
        outside_weeks=peer.outside_weeks or 0,
        contracted_hours=peer.hours_per_week,
    )


def outside_weeks(
    peer: PeerWorker, today: datetime.date | None = None
) -> list[tuple[datetime.date, list[OutsideTask], int]]:
    """The last 13 weeks of the log, newest first: (Monday, entries, hours)."""
    today = today or timezone.localdate()
    first = week_of(today) - datetime.timedelta(weeks=DRIFT_WEEKS - 1)
    entries: dict[datetime.date, list[OutsideTask]] = {}
    for task in peer.outside_tasks.filter(week__gte=first).select_related("recorded_by"):
        entries.setdefault(task.week, []).append(task)
    return [
        (week, entries[week], sum(t.hours for t in entries[week]))
        for week in sorted(entries, reverse=True)
    ]


def retention_by_unit(peers: QuerySet[PeerWorker], today: datetime.date) -> dict[int, int | None]:
    """Per unit: per cent of the peer workers still employed a year after their start (of
    those who started at least a year ago), in one query."""
    year_ago = today - relativedelta(years=1)
    started: dict[int, list[bool]] = {}
    for unit_id, start, end in (
        peers.filter(start_date__lte=year_ago)
        .order_by()
        .values_list("staff_member__unit_id", "start_date", "end_date")
    ):
        started.setdefault(unit_id, []).append(end is None or end >= start + relativedelta(years=1))
    return {unit: round(100 * sum(kept) / len(kept)) for unit, kept in started.items()}
