"""The statistics page's tables and charts: names as text in both tables, the units linked
to their own figures, marked months told to screen readers too, a bar per month, and an
empty page that says so."""

import re

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils.html import escape

from tests.factories import PeerWorkerFactory, UnitFactory

from .test_statistics import _m1, _m2, _note, _patient

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script> & co\'s'


def _page(client, **query) -> str:
    response = client.get(reverse("journal:statistics"), query)
    assert response.status_code == 200
    return response.content.decode()


def _part(html: str, testid: str, end: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index(end, start)]


def _rows(html: str, testid: str) -> list[str]:
    body = _part(html, testid, "</table>")
    body = body[body.index("<tbody>") :]
    return [re.sub(r"\s+", " ", row) for row in re.findall(r"<tr[ >].*?</tr>", body, re.S)]


@pytest.fixture
def worked(cast):
    """A conversation of Pia's last month, her name and unit as a user might type them."""
    _note(cast.peer, _patient(cast.peer, "T-1"), _m1())
    cast.unit.name = f"Enhed {SCRIPT}"
    cast.unit.save()
    member = cast.peer.staff_member
    member.name = f"Pia {SCRIPT}"
    member.save()
    return cast


def test_the_centre_sees_a_unit_a_row_linked_to_the_units_own_figures(client_for, worked):
    html = _page(client_for("centre", "en"))
    load = _rows(html, "load")
    row = next(row for row in load if "Enhed" in row)
    this_month = _m1() + relativedelta(months=1)
    link = f"?to={this_month:%Y-%m}&amp;unit={worked.unit.pk}"
    assert (
        f'<th scope="row" class="fw-normal"><a href="{link}">Enhed {escape(SCRIPT)}</a></th>' in row
    )
    referrals = _rows(html, "referrals")
    assert any(
        f'<th scope="row" class="fw-normal">Enhed {escape(SCRIPT)}</th>' in r for r in referrals
    )
    assert "<script>" not in html
    # The link shows that unit's peer workers, a peer worker a row.
    unit_page = _page(client_for("centre", "en"), to=f"{this_month:%Y-%m}", unit=worked.unit.pk)
    [row] = _rows(unit_page, "load")
    assert f'Pia {escape(SCRIPT)}<br><span class="small text-body-secondary">Enhed' in row


def test_the_leader_sees_a_peer_worker_a_row_with_the_unit_beneath(client_for, worked):
    html = _page(client_for("leader", "en"))
    [row] = _rows(html, "load")
    assert (
        f'<th scope="row" class="fw-normal">Pia {escape(SCRIPT)}<br>'
        f'<span class="small text-body-secondary">Enhed {escape(SCRIPT)}</span></th>'
    ) in row
    assert "Peer months marked" not in _part(html, "load", "</table>")  # a column for units
    [referrals] = _rows(html, "referrals")
    assert referrals.endswith(
        '<td class="text-end text-nowrap fw-semibold" data-label="Total">0 / 0</td> </tr>'
    )
    assert "<script>" not in html


def test_months_far_from_the_usual_level_are_marked_for_eyes_and_screen_readers(client_for, cast):
    m2, m1 = _m2(), _m1()
    bente = PeerWorkerFactory(staff_member__name="Bente Bro", staff_member__unit=cast.unit)
    carl = PeerWorkerFactory(staff_member__name="Carl Cort", staff_member__unit=cast.unit)
    for i, (peer, (in_m2, in_m1)) in enumerate(
        {cast.peer: (4, 4), bente: (1, 4), carl: (12, 4)}.items()
    ):
        patient = _patient(peer, f"F-{i}")
        for day in range(in_m2):
            _note(peer, patient, m2 + relativedelta(days=day % 28))
        for day in range(in_m1):
            _note(peer, patient, m1 + relativedelta(days=day))
    rows = _rows(_page(client_for("leader", "en")), "load")
    bente_row, carl_row, pia_row = (
        next(r for r in rows if name in r) for name in ("Bente", "Carl", "Pia")
    )
    low = (
        '<span class="badge text-bg-warning" title="far below the usual level">▼'
        '<span class="visually-hidden"> far below the usual level</span></span></td>'
    )
    high = (
        '<span class="badge text-bg-danger" title="far above the usual level">▲'
        '<span class="visually-hidden"> far above the usual level</span></span></td>'
    )
    assert bente_row.count("load-low") == 1 and low in bente_row and "load-high" not in bente_row
    assert carl_row.count("load-high") == 1 and high in carl_row and "load-low" not in carl_row
    assert "badge" not in pia_row
    by_unit = _rows(_page(client_for("centre", "en")), "load")
    oest = next(row for row in by_unit if "F-ACT Øst" in row)
    assert oest.endswith(  # months marked
        '<td class="text-end fw-semibold" data-label="Peer months marked">2</td> </tr>'
    )


def test_the_charts_have_a_bar_per_month_with_its_figure_in_svg_numbers(client_for, worked):
    html = _page(client_for("leader", "da"))
    chart = _part(html, "month-chart", "</svg>")
    bars = re.findall(
        r'<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)" class="chart-bar">', chart
    )
    assert len(bars) == 12
    # SVG takes a decimal point whatever the language (Danish writes a comma).
    assert all(re.fullmatch(r"-?\d+(\.\d+)?", value) for bar in bars for value in bar)
    titles = re.findall(r'class="chart-bar"><title>([^<]+)</title>', chart)
    assert titles[-2].endswith(": 1") and titles[-1].endswith(": 0")  # last month, this one
    assert '<text x="' in chart and 'class="chart-value">1</text>' in chart  # the month's sum
    chime = _part(html, "chime-chart", "</svg>")
    assert chime.count('class="chart-bar"') == 5


def test_without_peer_workers_the_tables_say_so(client_for, cast):
    UnitFactory(name="Tom enhed", leader=cast.outsider)  # the outsider leads an empty unit too
    cast.other_peer.delete()
    html = _page(client_for("outsider", "en"))
    assert _rows(html, "load") == ['<tr><td colspan="14">No peer workers to show.</td></tr>']
    assert _rows(html, "referrals") == []
