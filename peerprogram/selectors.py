"""Reads for the role home pages and the list pages."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.utils import timezone

from .models import PeerWorker, StaffMember, Unit

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class UnitCounts(TypedDict):
    staff_count: int
    peer_count: int


class CurrentMentor(TypedDict):
    current_mentor: str | None


def employed_now_q(prefix: str = "", today: datetime.date | None = None) -> Q:
    """Peer workers who have started and not ended (prefix: the path to the peer worker)."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}start_date__lte": today}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": today})
    )


def units_with_counts(units: QuerySet[Unit]) -> QuerySet[WithAnnotations[Unit, UnitCounts]]:
    """Units with the number of active staff and of peer workers employed now.

    Counted in correlated subqueries rather than a join and GROUP BY: a page of units
    costs only its own rows, and the paginator's count() leaves the subqueries out."""
    staff = StaffMember.objects.filter(unit=OuterRef("pk"), active=True)
    peers = PeerWorker.objects.filter(employed_now_q(), staff_member__unit=OuterRef("pk"))
    return units.order_by("name").annotate(staff_count=count_of(staff), peer_count=count_of(peers))


def count_of(rows: QuerySet) -> Subquery:
    """For annotating: the number of rows (a correlated subquery; 0 when there are none)."""
    return Subquery(
        rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


# Who mentors whom. The mentorships belong to the mentoring app, which builds on the core;
# the core's pages and access rules read them through the reverse relation Django gives
# StaffMember and PeerWorker ("mentorships"), with the mentoring app's rule for a
# mentorship that runs now: it has no end date. "The mentor" is the mentorship of kind
# "mentor"; a buddy beside the mentor (kind "buddy") reaches the peer worker like a mentor
# (access.py) but is not counted as the mentor here.


MENTOR = "mentor"  # mentoring.models.Mentorship.Kind.MENTOR (the core imports no app)


def mentor_name(path: str = "peer") -> Subquery:
    """For annotating: the name of the mentor appointed now (None if none); `path` leads
    from a mentorship to the annotated row ("peer", or "peer__staff_member")."""
    return Subquery(
        StaffMember.objects.filter(
            **{
                f"mentorships__{path}": OuterRef("pk"),
                "mentorships__end_date__isnull": True,
                "mentorships__kind": MENTOR,
            }
        ).values("name")[:1]
    )


def mentees_now(mentor: StaffMember) -> QuerySet[PeerWorker]:
    """The peer workers the staff member mentors now."""
    return PeerWorker.objects.filter(
        mentorships__mentor=mentor, mentorships__end_date__isnull=True
    ).select_related("staff_member__unit")


def has_mentor_now() -> Exists:
    """For annotating peer workers: True when a mentor is appointed now."""
    return Exists(
        StaffMember.objects.filter(
            mentorships__peer=OuterRef("pk"),
            mentorships__end_date__isnull=True,
            mentorships__kind=MENTOR,
        )
    )


def peers_with_mentors(
    peers: QuerySet[PeerWorker],
) -> QuerySet[WithAnnotations[PeerWorker, CurrentMentor]]:
    """Peers for a table: unit and `current_mentor` (the mentor's name) in the same query."""
    return peers.select_related("staff_member__unit").annotate(current_mentor=mentor_name())


@dataclass
class UnitPeople:
    unit: Unit
    staff: list[StaffMember] = field(default_factory=list)  # without the peer workers
    # with `current_mentor`, as peers_with_mentors gives it
    peers: list[WithAnnotations[PeerWorker, CurrentMentor]] = field(default_factory=list)


def unit_people(
    units: list[Unit] | None = None,
    *,
    led_by: int | None = None,
    led_ids: Collection[int] = (),
) -> list[UnitPeople]:
    """Each unit's staff (active first, by name) and its peer workers (by start date, with
    their mentor), for all the units in one query. `led_by` (a staff member's id) and
    `led_ids`: the active units they lead, read with their staff (a unit's leader is one
    of its staff, so a second query only for a led unit without any)."""
    blocks = {u.pk: UnitPeople(u) for u in units or []}
    members = StaffMember.objects.select_related("peer").annotate(
        current_mentor=mentor_name("peer__staff_member")
    )
    if led_by is not None:
        members = members.filter(unit__leader_id=led_by, unit__active=True).select_related(
            "unit__leader"
        )
    else:
        members = members.filter(unit_id__in=blocks)
    for member in members:
        if member.unit_id not in blocks:
            blocks[member.unit_id] = UnitPeople(member.unit)
        block = blocks[member.unit_id]
        member.unit = block.unit
        peer = getattr(member, "peer", None)
        if peer is None:
            block.staff.append(member)
        else:
            peer.current_mentor = member.current_mentor
            block.peers.append(peer)
    missing = set(led_ids) - set(blocks)
    if missing:
        for unit in Unit.objects.filter(pk__in=missing).select_related("leader"):
            blocks[unit.pk] = UnitPeople(unit)
    for block in blocks.values():
        block.staff.sort(key=lambda m: (not m.active, m.name))
        block.peers.sort(key=lambda p: (p.start_date, p.name))
    return sorted(blocks.values(), key=lambda b: (b.unit.name, b.unit.pk))


def paginate(
    rows: QuerySet[Any, dict[str, Any]], number: Any, per_page: int
) -> Page[dict[str, Any]]:
    """A page of rows with the number of all rows counted beside them (COUNT(*) OVER ()),
    in one query: an empty list then costs as many queries as a full one, where a
    Paginator counts first and leaves the rows out when there are none."""
    paginator = Paginator(rows, per_page)
    try:
        number = int(number or 1)
    except (TypeError, ValueError):
        number = 1
    if not 1 <= number <= MAX_PAGE:  # nonsense: the page a Paginator gives for it
        return paginator.get_page(number)
    start = (number - 1) * per_page
    found = list(rows.annotate(row_total=Window(Count("pk")))[start : start + per_page])
    if not found and number > 1:  # past the end: the last page, as a Paginator gives it
        return paginator.get_page(number)
    paginator.count = found[0]["row_total"] if found else 0
    for row in found:  # the rows as the list's other pages give them
        del row["row_total"]
    return Page(found, number, paginator)


MAX_PAGE = 100_000
