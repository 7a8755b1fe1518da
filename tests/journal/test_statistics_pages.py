"""The statistics page in pages: 25 units (or peer workers) at a time, the totals of all.

Programme-wide the rows are units; the database adds up the totals of every unit, so
they must equal what the rows add up to when all of them are read.
"""

import datetime
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone, translation

from journal import charts, selectors, services
from journal.models import Referral
from peerprogram.models import PeerWorker
from tests.factories import PeerWorkerFactory, UnitFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
PER_PAGE = selectors.STATISTICS_PER_PAGE


def _m1() -> datetime.date:
    return TODAY().replace(day=1) - relativedelta(months=1)


def _note(peer, reference, date, minutes):
    patient = services.patient_create(
        by=None,
        peer=peer,
        name=f"Patient {reference}",
        reference=reference,
        consent_date=datetime.date(2024, 1, 1),
        consent_given="orally",
    )
    note = services.note_start(
        patient=patient,
        peer=peer,
        by=None,
        date=date,
        place="ward",
        activity="conversation",
        minutes=minutes,
    )
    draft = services.draft_of(note)
    services.draft_save(draft=draft, by=None, expected_version=draft.version, changes={"hope": "h"})
    services.note_approve(note=note, by=None, expected_version=services.draft_of(note).version)


def _referral(peer, referred_by, at, *, accept):
    referral = services.referral_create(
        by=None,
        referred_by=referred_by,
        peer=peer,
        patient_name="R",
        patient_reference=f"R-{at:%Y%m%d%H%M}-{peer.pk}",
        reason="Ønsker en samtale.",
        contact_route="patient",
    )
    if accept:
        services.referral_accept(referral=referral, by=None)
    Referral.objects.filter(pk=referral.pk).update(created_at=at)


@pytest.fixture
def programme(cast):
    """28 more units (30 with the cast's two), each with one peer worker and one note in
    the last complete month: the note of the n-th unit lasts n minutes."""
    peers = []
    for n in range(1, 29):
        unit = UnitFactory(name=f"Enhed {n:02d}")
        peer = PeerWorkerFactory(staff_member__name=f"Peer {n:02d}", staff_member__unit=unit)
        _note(peer, f"U{n}", _m1(), n)
        peers.append(peer)
    return peers


def _unit_labels(response) -> list[str]:
    return [row.label for row in response.context["stats"].rows]


def test_the_programme_is_shown_25_units_a_page_with_the_totals_of_all(client_for, programme):
    client = client_for("centre", "en")
    first = client.get(reverse("journal:statistics"))
    second = client.get(reverse("journal:statistics"), {"page": 2})
    labels = [f"Enhed {n:02d}" for n in range(1, 29)] + ["F-ACT Vest", "F-ACT Øst"]
    assert _unit_labels(first) == labels[:PER_PAGE]
    assert _unit_labels(second) == labels[PER_PAGE:]
    minutes = sum(range(1, 29))
    for response in (first, second):
        stats = response.context["stats"]
        assert (stats.by_unit, stats.total.notes, stats.total.minutes) == (True, 28, minutes)
    content = second.content.decode()
    assert "Page 2 of 2" in content
    assert 'href="?page=1">Previous</a>' in content
    # Each unit leads to its own peer workers' figures.
    unit = programme[0].staff_member.unit
    assert f'<a href="?to={_m1() + relativedelta(months=1):%Y-%m}&amp;unit={unit.pk}">' in (
        first.content.decode()
    )


def test_a_page_number_out_of_range_shows_the_last_page(client_for, programme):
    response = client_for("centre", "en").get(reverse("journal:statistics"), {"page": 99})
    assert _unit_labels(response) == ["Enhed 26", "Enhed 27", "Enhed 28", "F-ACT Vest", "F-ACT Øst"]


def test_the_totals_added_up_by_the_database_equal_the_rows(cast, programme):
    """The referral months are the local ones: a referral at 00:30 on the first of a month
    (Copenhagen time) belongs to that month, also across the change to summer time."""
    months = selectors.months_back(TODAY())
    for month in months[:-1]:
        start = datetime.datetime.combine(month, datetime.time(0, 30), tzinfo=COPENHAGEN)
        _referral(cast.peer, cast.mentor, start, accept=True)
        _referral(cast.peer, cast.mentor, start - datetime.timedelta(hours=1), accept=False)
    # The referrals were moved back in time past the services, as a bulk load would.
    call_command("rebuild_statistics", stdout=StringIO())
    everyone = PeerWorker.objects.all()
    by_unit = selectors.statistics(everyone, months, by_unit=True)  # the programme's totals
    per_peer = selectors.statistics(everyone, months, by_unit=False)
    assert len(by_unit.rows) == 30
    # Some of the programme: the database adds up their totals.
    some = PeerWorker.objects.exclude(pk=programme[0].pk)
    by_unit_some = selectors.statistics(some, months, by_unit=True)
    assert len(by_unit_some.rows) == 29

    def counts(f):
        return (f.notes, f.conversations, f.minutes, f.chime, f.referrals, f.accepted)

    for stats in (by_unit, per_peer, by_unit_some):
        added = [selectors.Figures() for _ in months]
        for row in stats.rows:
            for total, f in zip(added, row.months, strict=True):
                total.add(f)
        assert [counts(f) for f in stats.totals] == [counts(f) for f in added]
    assert [counts(f) for f in by_unit.totals] == [counts(f) for f in per_peer.totals]
    assert by_unit.total.minutes - by_unit_some.total.minutes == 1
    # Each month receives one at 00:30 on its first day, and the one made late the evening
    # before the next month's first day; the current month none.
    assert [(f.referrals, f.accepted) for f in by_unit.totals] == ([(2, 1)] * 10 + [(1, 1), (0, 0)])


def test_a_unit_with_more_peer_workers_than_a_page_is_shown_in_pages(client_for, cast):
    for n in range(PER_PAGE + 2):
        PeerWorkerFactory(staff_member__name=f"Peer {n:02d}", staff_member__unit=cast.unit)
    client = client_for("leader", "en")
    first = client.get(reverse("journal:statistics"))
    second = client.get(reverse("journal:statistics"), {"page": 2})
    names = sorted([f"Peer {n:02d}" for n in range(PER_PAGE + 2)] + ["Pia Peer"])
    assert _unit_labels(first) == names[:PER_PAGE]
    assert _unit_labels(second) == names[PER_PAGE:]
    assert second.context["stats"].by_unit is False


def _options(response) -> list[str]:
    content = response.content.decode()
    select = re.search(r'<select name="unit"[^>]*>(.*?)</select>', content, re.S).group(1)
    return re.findall(r"<option[^>]*>[^<]*</option>", select)


def test_the_unit_filter_lists_the_units_escaped_with_the_chosen_one_selected(client_for, cast):
    cast.other_unit.name = 'Enhed <b>"fed"</b> & co'
    cast.other_unit.save()
    client = client_for("centre", "en")
    url = reverse("journal:statistics")
    fed = (
        f'<option value="{cast.other_unit.pk}">Enhed &lt;b&gt;&quot;fed&quot;&lt;/b&gt; &amp; '
        "co</option>"
    )
    assert _options(client.get(url, {"unit": cast.unit.pk})) == [
        '<option value="">All units</option>',
        fed,
        f'<option value="{cast.unit.pk}" selected>F-ACT Øst</option>',
    ]
    # The list is kept in the cache: a renamed unit shows under its new name at once.
    assert len(_options(client.get(url))) == 3
    cast.unit.name = "F-ACT Nord"
    cast.unit.save()
    assert _options(client.get(url))[1:] == [
        fed,
        f'<option value="{cast.unit.pk}">F-ACT Nord</option>',
    ]


def test_an_unknown_unit_is_refused_with_a_message(client_for, cast):
    response = client_for("leader", "en").get(
        reverse("journal:statistics"), {"unit": cast.other_unit.pk}
    )
    content = response.content.decode()
    assert 'class="select form-select is-invalid"' in content
    assert (
        "<p><strong>Select a valid choice. That choice is not one of the available choices."
        "</strong></p>"
    ) in content
    # The figures stay those the leader may see.
    assert [row.label for row in response.context["stats"].rows] == ["Pia Peer"]


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_cells_are_written_as_floatformat_writes_them(cast, language):
    values = [0.0, 0.004, 0.005, 0.015, 0.125, 0.3349, 1 / 3, 2 / 3, 1.005, 2.675, 12.5, None]
    stats = selectors.Statistics(
        months=[_m1()] * len(values),
        rows=[
            selectors.Row(
                "x",
                cast.unit,
                [
                    selectors.Figures(conversations=round((v or 0) * 1000), contracted_hours=1000)
                    if v is not None
                    else selectors.Figures()
                    for v in values
                ],
                selectors.Figures(),
                usual=2 / 3,
            )
        ],
        by_unit=False,
        totals=[],
        total=selectors.Figures(),
    )
    with translation.override(language):
        [row] = charts.table_rows(stats)
        expected = [
            "–" if f.per_hour is None else floatformat(f.per_hour, 2) for f in stats.rows[0].months
        ]
        assert [text for text, _flag in row.load] == expected
        assert row.usual == floatformat(2 / 3, 2) == ("0,67" if language == "da" else "0.67")
