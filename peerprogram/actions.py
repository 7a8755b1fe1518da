"""What needs someone now: the lines of a home page's action list ("Kræver din handling").

Each app says what its facts ask of a person as `Action`s (its selectors build them, with
no queries of their own, from facts the home page reads in one go); the programme app puts
them in order for each role."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

# How far ahead something counts as due now: a talk due within a week is on the list.
DUE_WITHIN_DAYS = 7


@dataclass(frozen=True)
class Action:
    """One thing to do: what, for whom, since when (or by when), and the page to do it on."""

    kind: str  # a short key: what sort of thing (for grouping, tests and the digest)
    text: str  # what, in the reader's language
    whom: str  # for whom or what: a peer worker's or a unit's name
    day: datetime.date | None  # since when it is due or overdue, or the day it is due
    url: str  # the exact place to act, one click away
    # `day` is the day it has waited since (a referral received), not a day it falls due:
    # on the list at once, never "overdue".
    waiting: bool = False

    def overdue(self, today: datetime.date) -> bool:
        return not self.waiting and self.day is not None and self.day < today

    def due_now(self, today: datetime.date) -> bool:
        """On the list today: waiting, overdue, due, or due within DUE_WITHIN_DAYS (no
        day: now)."""
        if self.waiting or self.day is None:
            return True
        return self.day <= today + datetime.timedelta(days=DUE_WITHIN_DAYS)
