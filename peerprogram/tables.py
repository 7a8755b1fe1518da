"""The rows of the core's long tables, written in Python (see peerprogram.html for why):
the peer workers (the programme's peer list, the leaders' home pages, a unit's page) and
the units (the unit list and the Centre's home page) and the staff (the staff list, a
unit's page, a leader's home page), 25-50 rows a page."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.translation import gettext as _

from .html import choice_label, element, join, number, short_date, url_of, yes_no
from .models import PeerWorker, StaffMember, Unit, hours_warning


def peer_rows(peers: Iterable[PeerWorker], *, show_unit: bool = False) -> str:
    """A peer worker a row: name (linked), unit, start, hours (marked when low), employment
    form, yearly cost, mentor (`current_mentor`, peerprogram.selectors) and status."""
    detail_url = url_of("peerprogram:peer_detail")
    today = timezone.localdate()
    none_yet, low = _("none yet"), _("low")
    warnings: dict[int, str] = {}
    html = []
    for peer in peers:
        hours = peer.hours_per_week
        if hours not in warnings:
            warnings[hours] = hours_warning(hours)
        warning = warnings[hours]
        cells = [element("td", element("a", peer.name, href=detail_url(peer.pk)))]
        if show_unit:
            cells.append(element("td", peer.unit.name))
        cells += [
            element("td", short_date(peer.start_date), class_="text-nowrap"),
            element(
                "td",
                number(hours),
                " " if warning else None,
                element("span", low, class_="badge text-bg-warning", title=warning)
                if warning
                else None,
                class_="text-end",
            ),
            element("td", choice_label(PeerWorker.EmploymentForm, peer.employment_form)),
            element("td", f"{intcomma(peer.yearly_cost)} kr.", class_="text-end text-nowrap"),
            element("td", peer.current_mentor or none_yet),
            element("td", peer.status_label(today)),
        ]
        html.append(element("tr", *cells))
    return join(html)


def unit_rows(units: Iterable[Unit], *, with_organisation_and_state: bool = False) -> str:
    """A unit a row: name (linked), kind, (region or organisation,) leader, active staff
    and peer workers employed now (selectors.units_with_counts)(, whether active)."""
    detail_url = url_of("peerprogram:unit_detail")
    html = []
    for unit in units:
        cells = [
            element("td", element("a", unit.name, href=detail_url(unit.pk))),
            element("td", choice_label(Unit.Kind, unit.kind)),
        ]
        if with_organisation_and_state:
            cells.append(element("td", unit.organisation))
        cells += [
            element("td", str(unit.leader) if unit.leader else "–"),
            element("td", number(unit.staff_count), class_="text-end"),
            element("td", number(unit.peer_count), class_="text-end"),
        ]
        if with_organisation_and_state:
            cells.append(element("td", yes_no(unit.active)))
        html.append(element("tr", *cells))
    return join(html)


def staff_rows(
    staff: Iterable[StaffMember], *, show_unit: bool = False, leader_id: int | None = None
) -> str:
    """A staff member a row: name (linked; marked if Centre staff or the unit's leader),
    (unit,) profession, e-mail, phone and whether active."""
    detail_url = url_of("peerprogram:staff_detail")
    centre = element("span", _("Centre"), class_="badge text-bg-info")
    leader = element("span", _("Leader"), class_="badge text-bg-secondary")
    html = []
    for member in staff:
        name = [element("a", member.name, href=detail_url(member.pk))]
        if member.is_centre_staff:
            name += [" ", centre]
        if leader_id and member.pk == leader_id:
            name += [" ", leader]
        cells = [element("td", *name)]
        if show_unit:
            cells.append(element("td", member.unit.name))
        cells += [
            element("td", choice_label(StaffMember.Profession, member.profession)),
            element("td", element("a", member.email, href=f"mailto:{member.email}")),
            element("td", member.phone or "–"),
            element("td", yes_no(member.active)),
        ]
        html.append(element("tr", *cells))
    return join(html)
