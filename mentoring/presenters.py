"""The mentoring overview's rows as its template shows them: one presenter per active
mentorship, built in the view from the health the selectors work out
(templates/mentoring/overview.html)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from peerprogram.presenters import id_url

from .models import Mentorship
from .selectors import Health


@dataclass(frozen=True, slots=True)
class OverviewRow:
    url: str
    peer_name: str
    unit_name: str
    mentor_name: str
    start_date: datetime.date
    share_held: int | None  # per cent of the check-ins due so far; None before the first
    held: int
    due: int
    last_held: datetime.date | None
    next_date: datetime.date | None
    warning: str
    six_months_over: bool


def overview_rows(rows: Iterable[Health]) -> list[OverviewRow]:
    """The overview's rows from selectors.health_rows_of."""
    url = id_url("mentoring:mentorship_detail")
    return [
        OverviewRow(
            url=url(h.mentorship.pk),
            peer_name=h.mentorship.peer.name,
            unit_name=h.mentorship.peer.unit.name,
            mentor_name=(
                _("%(name)s (buddy)") % {"name": h.mentorship.mentor.name}
                if h.mentorship.kind == Mentorship.Kind.BUDDY
                else h.mentorship.mentor.name
            ),
            start_date=h.mentorship.start_date,
            share_held=h.share_held,
            held=h.held,
            due=h.due,
            last_held=h.last_held,
            next_date=h.next_date,
            warning=h.warning,
            six_months_over=h.six_months_over,
        )
        for h in rows
    ]
