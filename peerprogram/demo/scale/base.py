"""What the parts of the generator share: the world made so far, and small helpers."""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import Model

    from peerprogram.models import PeerWorker, StaffMember, Unit

    from . import Scale

T = TypeVar("T")
M = TypeVar("M", bound="Model")

# Rows per INSERT where the database allows it (SQLite lowers it to its variable limit).
BATCH = 2_000


@dataclass
class World:
    """The programme as it is being made; each part reads what the earlier parts made."""

    scale: Scale
    rng: random.Random
    today: datetime.date
    password: str
    # Made first of all (people.build): the administrator and the Centre.
    admin: User = field(init=False, repr=False)
    centre: Unit = field(init=False, repr=False)
    units: list[Unit] = field(default_factory=list)  # without the Centre
    leader: dict[int, StaffMember] = field(default_factory=dict)  # unit id ->
    mentors: dict[int, list[StaffMember]] = field(default_factory=dict)  # unit id ->
    colleagues: dict[int, list[StaffMember]] = field(default_factory=dict)  # active, not leader
    centre_staff: list[StaffMember] = field(default_factory=list)
    peers: list[PeerWorker] = field(default_factory=list)
    peers_by_unit: dict[int, list[PeerWorker]] = field(default_factory=lambda: defaultdict(list))
    anchors: dict[int, PeerWorker] = field(default_factory=dict)  # unit id -> a steady peer
    user_of: dict[int, User] = field(default_factory=dict)  # staff member id -> login
    named: dict[str, Any] = field(default_factory=dict)  # "peer", "mentor", "leder", "center"
    login_peers: list[PeerWorker] = field(default_factory=list)  # named and numbered
    mentor_now: dict[int, StaffMember] = field(default_factory=dict)  # peer id -> mentor
    # mentor -> [(first, last day)] of their mentorships
    mentor_spans: dict[StaffMember, list[tuple[datetime.date, datetime.date]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    education_done: dict[int, datetime.date] = field(default_factory=dict)  # peer id ->
    now: datetime.datetime = field(init=False)

    def __post_init__(self) -> None:
        # The end of `today` at the latest, so a programme seeded "as of" a past day is
        # the same whenever it is made.
        self.now = min(timezone.now(), aware(self.today, 23, 59))

    def years_ago(self) -> datetime.date:
        """The first day of the history (two years for the standard scales)."""
        return self.today - datetime.timedelta(days=365 * self.scale.years)

    def date_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        if last <= first:
            return first
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    def user(self, member: StaffMember | None) -> User | None:
        return self.user_of.get(member.pk) if member is not None else None

    def leader_user(self, unit_id: int) -> User:
        return self.user_of.get(self.leader[unit_id].pk) or self.admin


def aware(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """Copenhagen wall-clock time on a day (daytime hours: never in a DST gap)."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=_zone())


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)  # ZoneInfo caches its instances


class Weighted(Generic[T]):
    """A weighted choice made often: the cumulative weights are summed once."""

    def __init__(self, weights: dict[T, float]) -> None:
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total)]


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def employed_on(peer: PeerWorker, day: datetime.date) -> bool:
    return peer.start_date <= day and (peer.end_date is None or peer.end_date >= day)


def bulk(model: type[M], objects: list[M]) -> list[M]:
    return model._default_manager.bulk_create(objects, batch_size=BATCH)


def weekday_on_or_after(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def slug(text: str) -> str:
    text = text.lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), (" ", ""), ("-", "")):
        text = text.replace(a, b)
    return text
