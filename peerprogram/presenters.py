"""The rows of the core's tables as their templates show them.

A view builds one small presenter per row from what the selectors return: the labels, the
row's link and the flags the template would otherwise work out per cell. The templates
(templates/peerprogram/_peer_table.html, _staff_table.html, _unit_rows.html) only write the
values, with autoescaping as everywhere else.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Choices
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from .models import PEER_STATUS_LABELS, PeerWorker, StaffMember, Unit, hours_warning
from .selectors import CurrentMentor, UnitCounts, UnitPeople

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def id_url(viewname: str) -> Callable[[int], str]:
    """The URL of `viewname` for an object's id, reversed once for a whole table: reverse()
    costs some 30 microseconds, and a table of 50 rows links every row."""
    marker = 2147483647
    before, after = reverse(viewname, args=[marker]).split(str(marker))
    return lambda pk: f"{before}{int(pk)}{after}"


def labels(choices: type[Choices] | dict) -> dict[str, str]:
    """The labels of choices in the active language, translated once for a whole table:
    get_FOO_display() hashes every label of the field, translating each, on every call."""
    pairs = choices.items() if isinstance(choices, dict) else choices.choices
    return {value: str(label) for value, label in pairs}


@functools.lru_cache(maxsize=4096)
def _short_date(value: datetime.date, language: str | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def short_date(value: datetime.date | None) -> str:
    """A date as `{{ value|date:"SHORT_DATE_FORMAT" }}` writes it in the active language,
    each date written once a process: the filter costs some 25 microseconds a cell, and a
    table's deadlines and start dates repeat from row to row and request to request."""
    if value is None:
        return ""
    return _short_date(value, translation.get_language())


@dataclass(frozen=True, slots=True)
class PeerRow:
    url: str
    name: str
    unit_name: str
    start_date: datetime.date
    hours_per_week: int
    hours_warning: str  # the recommendation, when the hours are low
    employment_form: str
    yearly_cost: int
    current_mentor: str | None  # the name of the mentor appointed now
    status: str


def peer_rows(
    peers: Iterable[WithAnnotations[PeerWorker, CurrentMentor]],
    today: datetime.date | None = None,
) -> list[PeerRow]:
    """Peer workers with their unit and `current_mentor` (selectors.peers_with_mentors or
    unit_people)."""
    url = id_url("peerprogram:peer_detail")
    today = today or timezone.localdate()
    forms, statuses = labels(PeerWorker.EmploymentForm), labels(PEER_STATUS_LABELS)
    return [
        PeerRow(
            url=url(peer.pk),
            name=peer.name,
            unit_name=peer.unit.name,
            start_date=peer.start_date,
            hours_per_week=peer.hours_per_week,
            hours_warning=hours_warning(peer.hours_per_week),
            employment_form=forms.get(peer.employment_form, peer.employment_form),
            yearly_cost=peer.yearly_cost,
            current_mentor=peer.current_mentor,
            status=statuses[peer.status(today)],
        )
        for peer in peers
    ]


@dataclass(frozen=True, slots=True)
class StaffRow:
    url: str
    name: str
    is_centre_staff: bool
    is_leader: bool  # of the unit whose page (or home page block) shows the table
    unit_name: str
    profession: str
    email: str
    phone: str
    active: bool


def staff_rows(staff: Iterable[StaffMember], *, leader_id: int | None = None) -> list[StaffRow]:
    """Staff members with their unit; `leader_id` marks the unit's leader."""
    url = id_url("peerprogram:staff_detail")
    professions = labels(StaffMember.Profession)
    return [
        StaffRow(
            url=url(member.pk),
            name=member.name,
            is_centre_staff=member.is_centre_staff,
            is_leader=leader_id is not None and member.pk == leader_id,
            unit_name=member.unit.name,
            profession=professions.get(member.profession, member.profession),
            email=member.email,
            phone=member.phone,
            active=member.active,
        )
        for member in staff
    ]


@dataclass(frozen=True, slots=True)
class UnitRow:
    url: str
    name: str
    kind: str
    organisation: str
    leader: str  # empty when none is chosen
    staff_count: int
    peer_count: int
    active: bool


def unit_rows(units: Iterable[WithAnnotations[Unit, UnitCounts]]) -> list[UnitRow]:
    """Units with their leader and counts (selectors.units_with_counts)."""
    url = id_url("peerprogram:unit_detail")
    kinds = labels(Unit.Kind)
    return [
        UnitRow(
            url=url(unit.pk),
            name=unit.name,
            kind=kinds.get(unit.kind, unit.kind),
            organisation=unit.organisation,
            leader=str(unit.leader) if unit.leader else "",
            staff_count=unit.staff_count,
            peer_count=unit.peer_count,
            active=unit.active,
        )
        for unit in units
    ]


@dataclass(frozen=True, slots=True)
class UnitTables:
    """A unit's two tables, as its page and its leader's home page show them."""

    unit: Unit
    peers: list[PeerRow]
    staff: list[StaffRow]


def unit_tables(blocks: Iterable[UnitPeople]) -> list[UnitTables]:
    """The rows of each unit's peer workers and staff (selectors.unit_people)."""
    today = timezone.localdate()
    return [
        UnitTables(
            unit=block.unit,
            peers=peer_rows(block.peers, today),
            staff=staff_rows(block.staff, leader_id=block.unit.leader_id),
        )
        for block in blocks
    ]


# Unit filters of a whole programme hold every unit (600 at nation scale); writing their
# options is the same work on every page view until a unit is added or renamed.
UNIT_OPTIONS_CACHED_FROM = 50
UNIT_OPTIONS_SECONDS = 3600


def unit_options(units: Iterable[tuple[int, str]], chosen: int | None) -> str:
    """The <option>s of a unit filter (templates/peerprogram/_unit_options.html), for
    (id, name) pairs, with `chosen` selected.

    A long list is kept in the cache under a digest of the pairs themselves and the chosen
    id: a unit added, renamed or removed gives another key, so no entry is ever stale and
    nothing needs clearing. Short lists (a leader's units) are written each time."""
    pairs = [(int(pk), str(name)) for pk, name in units]
    context = {"units": pairs, "chosen": chosen}
    if len(pairs) < UNIT_OPTIONS_CACHED_FROM:
        return render_to_string("peerprogram/_unit_options.html", context)
    digest = hashlib.blake2b(repr((pairs, chosen)).encode(), digest_size=16).hexdigest()
    key = f"unit-options:{digest}"
    html: str | None = cache.get(key)
    if html is None:
        html = render_to_string("peerprogram/_unit_options.html", context)
        cache.set(key, html, UNIT_OPTIONS_SECONDS)
    return html
