"""Each role's action list: what needs the person now, gathered from the apps' selectors
("Kræver din handling" at the top of the home page, and the weekly digest)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from education import selectors as education_selectors
from employment import selectors as employment_selectors
from evaluation import selectors as evaluation_selectors
from journal import selectors as journal_selectors
from mentoring import selectors as mentoring_selectors
from peerprogram.access import Actor
from peerprogram.actions import Action
from peerprogram.models import PeerWorker
from recruitment import selectors as recruitment_selectors

from . import selectors as programme_selectors
from . import signals as signal_selectors


@dataclass
class ActionList:
    """The lines due now (overdue first, then by day), and the next thing coming when
    nothing is due yet."""

    items: list[Action] = field(default_factory=list)
    coming: Action | None = None

    def __bool__(self) -> bool:
        return bool(self.items)


def ordered(actions: list[Action], today: datetime.date) -> ActionList:
    now = [a for a in actions if a.due_now(today)]
    later = [a for a in actions if not a.due_now(today)]
    now.sort(key=lambda a: (a.day or today, a.whom, a.kind))
    return ActionList(now, min(later, key=lambda a: a.day or today) if later else None)


def signal_actions(signals: list[signal_selectors.Signal]) -> list[Action]:
    """Signals not acknowledged, as lines of the leader's list."""
    return [
        Action(f"signal_{s.kind}", s.label, s.peer.name, s.since, s.url)
        for s in signals
        if not s.acknowledged
    ]


def leader_list(
    facts: list[Any],
    signals: list[signal_selectors.Signal],
    overview: recruitment_selectors.LeaderOverview,
    today: datetime.date,
) -> ActionList:
    """The leader's: checklists and follow-up, talks and MUS, education, mentoring,
    supervision, the function description, posts ending, and the signals of their peer
    workers (`facts` read by signals.facts_of for the units they lead)."""
    actions = recruitment_selectors.leader_actions(overview, today)
    for peer in facts:
        if not signal_selectors.employed(peer, today):
            continue
        actions += employment_selectors.leader_actions(peer, today)
        actions += education_selectors.leader_actions(peer, today)
        actions += mentoring_selectors.leader_actions(peer, today)
    actions += signal_actions(signals)
    return ordered(actions, today)


def peer_list(
    peer: Any,
    delegated: int,
    measures_due: list[evaluation_selectors.MeasureDue],
    today: datetime.date,
) -> ActionList:
    """The peer worker's: referrals to answer, notes awaiting the patient, concerns to pass
    on, tasks handed to them, talks with the leader coming up, a survey round to answer,
    outcome measurements due (`peer` annotated with the journal's waiting facts and the
    employment facts)."""
    actions = journal_selectors.peer_actions(peer, today)
    actions += recruitment_selectors.delegated_actions(delegated, peer.name)
    actions += employment_selectors.peer_actions(peer, today)
    actions += evaluation_selectors.peer_actions(peer)
    actions += evaluation_selectors.measure_actions(measures_due, peer.name)
    return ordered(actions, today)


def mentor_list(
    mentees: list[mentoring_selectors.Health], delegated: int, name: str, today: datetime.date
) -> ActionList:
    """The mentor's: check-ins to log, tasks handed to them; the next check-in coming."""
    actions = mentoring_selectors.mentor_actions(mentees, today)
    actions += recruitment_selectors.delegated_actions(delegated, name)
    for health in mentees:
        if health.next_date:
            actions.append(
                Action(
                    "checkin_next",
                    _("Check-in"),
                    health.mentorship.peer.name,
                    health.next_date,
                    health.mentorship.get_absolute_url(),
                )
            )
    listed = ordered(actions, today)
    # A check-in to come is not a thing to do: it is only "the next thing coming".
    coming = [a for a in listed.items if a.kind == "checkin_next"]
    listed.items = [a for a in listed.items if a.kind != "checkin_next"]
    if coming and (
        listed.coming is None or (coming[0].day or today) <= (listed.coming.day or today)
    ):
        listed.coming = coming[0]
    return listed


def centre_list(
    education: education_selectors.CentreOverview,
    signal_counts: dict[str, int],
    overdue_units: int,
    today: datetime.date,
) -> ActionList:
    """The Centre's: teaching days without attendance, waiting lists with free seats, erfa
    meetings without a topic 14 days before, the programme's signals, units with overdue
    onboarding."""
    actions = education_selectors.centre_actions(education, today)
    health = reverse("programme:health")
    for kind, n in signal_counts.items():
        if n:
            actions.append(
                Action(
                    f"signal_{kind}",
                    ngettext(
                        "%(label)s: %(n)s peer worker",
                        "%(label)s: %(n)s peer workers",
                        n,
                    )
                    % {"label": signal_selectors.SignalKind(kind).label, "n": n},
                    _("the programme"),
                    None,
                    f"{health}?signal={kind}",
                )
            )
    if overdue_units:
        actions.append(
            Action(
                "onboarding_overdue",
                ngettext(
                    "%(n)s unit has checklists with overdue tasks",
                    "%(n)s units have checklists with overdue tasks",
                    overdue_units,
                )
                % {"n": overdue_units},
                _("the programme"),
                None,
                f"{health}?sort=onboarding",
            )
        )
    return ordered(actions, today)


def merged(lists: list[ActionList], today: datetime.date) -> ActionList:
    """One list of a person's roles (a leader who also mentors, a peer worker who mentors)."""
    items = [a for listed in lists for a in listed.items]
    items.sort(key=lambda a: (a.day or today, a.whom, a.kind))
    coming = [listed.coming for listed in lists if listed.coming]
    return ActionList(items, min(coming, key=lambda a: a.day or today) if coming else None)


@dataclass
class Gathered:
    """A person's action list, with what was read for it that the home page shows too."""

    todo: ActionList
    data: dict[str, Any]


def gather(actor: Actor, today: datetime.date) -> Gathered:
    """What needs this person now, over every role they hold: the home page's list and
    the weekly digest's. The home page shows the data read on the way."""
    data: dict[str, Any] = {}
    lists: list[ActionList] = []
    if actor.is_leader:
        overview = recruitment_selectors.leader_overview(actor.led_unit_ids)
        data["leader_recruitment"] = overview
        facts = signal_selectors.facts_of(
            PeerWorker.objects.filter(staff_member__unit_id__in=actor.led_unit_ids), today
        )
        lists.append(leader_list(facts, signal_selectors.signals_of(facts, today), overview, today))
    if actor.sees_programme:
        # The whole programme from today's daily run, or worked out now from every peer
        # worker's facts before it has run; the units, with what each needs, are on the
        # programme's health page.
        run = programme_selectors.todays_run(today)
        figures = programme_selectors.centre_figures(today, run)
        education = education_selectors.centre_overview()
        data["figures"], data["education"], data["health_run"] = figures, education, run
        lists.append(
            centre_list(
                education,
                figures.signals,
                programme_selectors.units_with_overdue_onboarding(today, run),
                today,
            )
        )
    delegated = 0
    if actor.staff and (actor.peer or actor.is_mentor) and not actor.is_leader:
        # Checklist tasks the leader handed to a mentor or a peer worker.
        delegated = recruitment_selectors.open_delegated_count(actor.staff)
    if actor.peer:
        mine = programme_selectors.own_facts(actor.peer, today)
        data["journal"] = {k: getattr(mine, k) for k in journal_selectors.WAITING_COUNTS}
        due = evaluation_selectors.caseload_measures_due(actor.peer, today)
        lists.append(peer_list(mine, delegated, due, today))
    if actor.is_mentor and actor.staff:
        mentees = mentoring_selectors.health_of_mentees(actor.staff)
        data["mentees"] = mentees
        lists.append(mentor_list(mentees, 0 if actor.peer else delegated, actor.staff.name, today))
    return Gathered(merged(lists, today), data)
