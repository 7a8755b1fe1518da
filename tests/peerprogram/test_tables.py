"""The core's tables (peer workers, staff, units) on the lists, a unit's page and the home
pages: what each row shows and links to, names as text, who sees which rows, and what an
empty table says."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from peerprogram.models import PeerWorker, StaffMember
from tests.factories import PeerWorkerFactory, StaffMemberFactory, UnitFactory

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script> & co\'s'
PHONE = "<b>45 & 67</b>"  # a phone number has room for 30 characters


def _table(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</table>", start)]


def _rows(table: str) -> list[str]:
    """The body's rows, each with its white space squeezed."""
    body = table[table.index("<tbody>") :]
    return [re.sub(r"\s+", " ", row) for row in re.findall(r"<tr[ >].*?</tr>", body, re.S)]


def _get(client, name: str, *args, **query) -> str:
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def typed(cast):
    """Names as a user might type them, markup included."""
    cast.unit.name = f"Enhed {SCRIPT}"
    cast.unit.organisation = f"Region {SCRIPT}"
    cast.unit.save()
    for member in (cast.peer.staff_member, cast.mentor):
        member.name = f"{member.name} {SCRIPT}"
        member.phone = PHONE
        member.save()
    return cast


def test_the_peer_table_shows_names_as_text_on_every_page_that_has_it(client_for, typed):
    client = client_for("leader")
    pages = [
        _get(client, "peerprogram:peer_list"),
        _get(client, "peerprogram:unit_detail", typed.unit.pk),
        _get(client, "peerprogram:home"),
    ]
    for html in pages:
        [row] = _rows(_table(html, "peer-table"))
        assert f"Pia Peer {escape(SCRIPT)}" in row
        assert f"Mads Mentor {escape(SCRIPT)}" in row  # the mentor's name
        assert "<script>" not in html
    assert (
        f'<td class="cell-wide" data-label="Enhed">Enhed {escape(SCRIPT)}</td>'
        in (_rows(_table(pages[0], "peer-table"))[0])
    )


def test_the_staff_table_shows_names_and_phones_as_text(client_for, typed):
    client = client_for("leader")
    for html in (
        _get(client, "peerprogram:staff_list"),
        _get(client, "peerprogram:unit_detail", typed.unit.pk),
        _get(client, "peerprogram:home"),
    ):
        table = _table(html, "staff-table")
        assert f"Mads Mentor {escape(SCRIPT)}</a>" in table
        assert f'<td data-label="Telefon">{escape(PHONE)}</td>' in table
        assert "<script>" not in html and PHONE not in html


def test_the_units_show_their_names_and_organisations_as_text(client_for, typed):
    client = client_for("centre")
    units = _get(client, "peerprogram:unit_list")
    assert f"Enhed {escape(SCRIPT)}</a>" in units
    assert f"<td>Region {escape(SCRIPT)}</td>" in units
    health = _get(client, "programme:health")
    assert f"Enhed {escape(SCRIPT)}</a>" in health
    assert "<script>" not in units + health


def test_each_peer_row_links_to_the_peer_and_shows_the_employment(client_for, cast):
    PeerWorkerFactory(
        staff_member__name="Åse Få Timer",
        staff_member__unit=cast.unit,
        hours_per_week=12,
        start_date=timezone.localdate() + datetime.timedelta(days=30),
        employment_form=PeerWorker.EmploymentForm.FLEX_JOB,
    )
    html = _get(client_for("leader", "en"), "peerprogram:peer_list")
    rows = _rows(_table(html, "peer-table"))
    assert len(rows) == 2
    new = next(row for row in rows if "Åse" in row)
    url = reverse("peerprogram:peer_detail", args=[PeerWorker.objects.get(hours_per_week=12).pk])
    assert f'<td class="cell-title"><a href="{url}">Åse Få Timer</a></td>' in new
    assert '<span class="badge text-bg-warning" title="Fewer than 20 hours a week' in new
    assert ">low</span>" in new
    assert '<td data-label="Employment form">Flex-job</td>' in new
    assert '<td data-label="Mentor">none yet</td>' in new  # no mentor appointed
    assert '<td data-label="Status">Not started yet</td>' in new
    pia = next(row for row in rows if "Pia" in row)
    url = reverse("peerprogram:peer_detail", args=[cast.peer.pk])
    assert f'<td class="cell-title"><a href="{url}">Pia Peer</a></td>' in pia
    assert '<td data-label="Mentor">Mads Mentor</td>' in pia
    assert '<td class="text-end text-nowrap" data-label="Yearly cost">252,875 kr.</td>' in pia
    assert "badge" not in pia


def test_each_staff_row_links_to_the_member_and_marks_the_centre_and_the_leader(client_for, cast):
    StaffMemberFactory(
        name="Ib Inaktiv",
        unit=cast.unit,
        active=False,
        phone="",
        email="ib@example.org",
        profession=StaffMember.Profession.OTHER,
    )
    client = client_for("centre", "en")
    unit_page = _rows(_table(_get(client, "peerprogram:unit_detail", cast.unit.pk), "staff-table"))
    leader = next(row for row in unit_page if "Lene" in row)
    url = reverse("peerprogram:staff_detail", args=[cast.leader.pk])
    assert (
        f'<a href="{url}">Lene Leder</a> <span class="badge text-bg-secondary">Leader</span>'
        in (leader)
    )
    ib = next(row for row in unit_page if "Ib" in row)
    assert '<a href="mailto:ib@example.org">ib@example.org</a>' in ib
    assert '<td data-label="Profession">Other</td>' in ib
    assert '<td data-label="Phone">–</td>' in ib and '<td data-label="Active">no</td>' in ib
    assert "Leader</span>" not in ib
    staff_list = _rows(_table(_get(client, "peerprogram:staff_list"), "staff-table"))
    cecilie = next(row for row in staff_list if "Cecilie" in row)
    url = reverse("peerprogram:staff_detail", args=[cast.centre.pk])
    assert f'<a href="{url}">Cecilie Center</a> <span class="badge text-bg-info">Centre</span>' in (
        cecilie
    )
    assert (  # the list shows the unit
        '<td class="cell-wide" data-label="Unit">Center for Recovery og Samskabelse</td>' in cecilie
    )
    assert not any("text-bg-secondary" in row for row in staff_list)  # no unit's page: no leader


def test_each_unit_row_links_to_the_unit_with_its_leader_and_counts(client_for, cast):
    UnitFactory(name="Lukket enhed", active=False, organisation="Region Syd")
    html = _get(client_for("centre", "en"), "peerprogram:unit_list")
    rows = _rows(html)
    oest = next(row for row in rows if "F-ACT Øst" in row)
    url = reverse("peerprogram:unit_detail", args=[cast.unit.pk])
    assert f'<a href="{url}">F-ACT Øst</a></td><td>F-ACT team</td>' in oest
    assert '<td>Lene Leder</td><td class="text-end">3</td><td class="text-end">1</td>' in oest
    closed = next(row for row in rows if "Lukket" in row)
    assert "<td>Region Syd</td><td>–</td>" in closed and closed.endswith("<td>no</td></tr>")
    # The programme's health lists the active units only, each opening to its signals.
    health = _get(client_for("centre", "en"), "programme:health")
    signals = reverse("programme:unit", args=[cast.unit.pk])
    assert f'<a href="{signals}">F-ACT Øst</a>' in health
    assert "Lukket" not in health


def test_a_leader_sees_the_rows_of_their_own_units_only(client_for, cast):
    client = client_for("leader")
    peers = _table(_get(client, "peerprogram:peer_list"), "peer-table")
    assert "Pia Peer" in peers and "Per Anden" not in peers
    staff = _table(_get(client, "peerprogram:staff_list"), "staff-table")
    assert "Mads Mentor" in staff and "Ole Udenfor" not in staff and "Cecilie" not in staff
    units = _get(client, "peerprogram:unit_list")
    assert "F-ACT Øst" in units and "F-ACT Vest" not in units
    # The Centre sees every unit's.
    centre = _table(_get(client_for("centre"), "peerprogram:peer_list"), "peer-table")
    assert "Pia Peer" in centre and "Per Anden" in centre


def test_empty_tables_say_so(client_for, cast):
    empty = UnitFactory(name="Ny enhed")
    client = client_for("centre", "en")
    page = _get(client, "peerprogram:unit_detail", empty.pk)
    assert "No peer workers yet." in page and 'data-testid="peer-table"' not in page
    assert "No other staff registered yet." in page and 'data-testid="staff-table"' not in page
    units = _get(client, "peerprogram:unit_list", q="ingen sådan enhed")
    assert '<td colspan="7" class="text-body-secondary">No units match the filter.</td>' in units
    peers = _get(client, "peerprogram:peer_list", q="ingen sådan person")
    assert "No peer workers yet." in peers
