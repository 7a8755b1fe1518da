"""A cohort's participants as its page shows them: one presenter per seat, with the
actions the user may take, built in the view (templates/education/cohort_detail.html)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma

from peerprogram.presenters import id_url, labels, short_date

from .models import Cohort, Enrolment
from .selectors import Participation


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    name: str
    peer_url: str  # the peer worker's page; empty for an external participant
    hired_late: bool
    organisation: str
    modules: int
    modules_attended: int
    completed_on: datetime.date | None
    completed_by_hand: bool
    completion_reason: str
    # The actions, each empty when the user may not take it.
    mentor_url: str
    complete_url: str
    cancel_url: str


def participant_rows(
    rows: Iterable[tuple[Enrolment, Participation, bool]],
    *,
    cohort: Cohort,
    runs: bool,
    led_unit_ids: frozenset[int],
) -> list[ParticipantRow]:
    """(enrolment, its participation, hired late) a seat. Whoever runs the education acts
    on every seat; a leader chooses mentors for and cancels their own units' seats."""
    peer_url = id_url("peerprogram:peer_detail")
    mentor_url = id_url("education:enrolment_mentor")
    complete_url = id_url("education:enrolment_complete")
    cancel_url = id_url("education:enrolment_cancel")
    cohort_open = cohort.status != Cohort.Status.COMPLETED
    presented = []
    for e, p, late in rows:
        own_unit = e.peer is not None and e.peer.staff_member.unit_id in led_unit_ids
        presented.append(
            ParticipantRow(
                name=e.participant_name,
                peer_url=peer_url(e.peer_id) if e.peer_id is not None else "",
                hired_late=late,
                organisation=e.organisation,
                modules=len(p.sessions),
                modules_attended=p.modules_attended,
                completed_on=p.completed_on,
                completed_by_hand=p.completed_by_hand,
                completion_reason=e.completion_reason,
                mentor_url=mentor_url(e.pk) if (e.peer and runs) or own_unit else "",
                complete_url=complete_url(e.pk) if runs else "",
                cancel_url=cancel_url(e.pk) if cohort_open and (runs or own_unit) else "",
            )
        )
    return presented


@dataclass(frozen=True, slots=True)
class CohortRow:
    url: str
    name: str
    start_date: str  # written in the short date format
    status: str
    status_label: str
    seats_taken: int
    capacity: int
    waiting: int
    fee_dkk: str  # with the thousands grouped


def cohort_rows(
    cohorts: Iterable[dict[str, Any]], counts: dict[int, tuple[int, int]]
) -> list[CohortRow]:
    """A page of the cohort list (selectors.cohort_list's rows), with their seats taken
    and waiting lists (selectors.seat_counts)."""
    url = id_url("education:cohort_detail")
    status = labels(Cohort.Status)
    rows = []
    for c in cohorts:
        taken, waiting = counts.get(c["pk"], (0, 0))
        rows.append(
            CohortRow(
                url=url(c["pk"]),
                name=c["name"],
                start_date=short_date(c["start_date"]),
                status=c["status"],
                status_label=status[c["status"]],
                seats_taken=taken,
                capacity=c["capacity"],
                waiting=waiting,
                fee_dkk=intcomma(c["fee_dkk"]),
            )
        )
    return rows
