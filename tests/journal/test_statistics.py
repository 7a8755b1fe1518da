"""The statistics: counts from final notes, group notes and referrals; the load flags."""

import csv
import datetime
import io
import statistics as pystats
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from journal import selectors, services
from journal.models import CHIME_FIELDS, NoteAccess, Referral
from peerprogram.models import PeerWorker
from tests.factories import PeerWorkerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def _this_month() -> datetime.date:
    return TODAY().replace(day=1)


def _m1() -> datetime.date:
    """The last complete month."""
    return _this_month() - relativedelta(months=1)


def _m2() -> datetime.date:
    return _this_month() - relativedelta(months=2)


def _days_in(month: datetime.date) -> int:
    return ((month + relativedelta(months=1)) - month).days


def _patient(peer, reference):
    return services.patient_create(
        by=None,
        peer=peer,
        name=f"Patient {reference}",
        reference=reference,
        consent_date=datetime.date(2024, 1, 1),
        consent_given="orally",
    )


def _note(peer, patient, date, *, activity="conversation", minutes=45, approve=True, **texts):
    note = services.note_start(
        patient=patient,
        peer=peer,
        by=None,
        date=date,
        place="outpatient",
        activity=activity,
        minutes=minutes,
    )
    draft = services.draft_of(note)
    services.draft_save(
        draft=draft, by=None, expected_version=draft.version, changes=texts or {"hope": "x"}
    )
    if approve:
        services.note_approve(note=note, by=None, expected_version=services.draft_of(note).version)
    return note


def _facts(f) -> dict:
    """The counted figures of a month, without the contract and the flag."""
    return {
        "notes": f.notes,
        "conversations": f.conversations,
        "bridge": f.bridge,
        "other": f.other,
        "minutes": f.minutes,
        "group_sessions": f.group_sessions,
        "chime": dict(f.chime),
        "referrals": f.referrals,
        "accepted": f.accepted,
    }


def _chime(**counts) -> dict:
    return {name: counts.get(name, 0) for name in CHIME_FIELDS}


EMPTY = {
    "notes": 0,
    "conversations": 0,
    "bridge": 0,
    "other": 0,
    "minutes": 0,
    "group_sessions": 0,
    "chime": _chime(),
    "referrals": 0,
    "accepted": 0,
}


@pytest.fixture
def known(cast):
    """Two complete months of Pia's work, and everything that must not be counted."""
    peer, m1, m2 = cast.peer, _m1(), _m2()
    patient = _patient(peer, "F-1")
    # Month m2: a conversation and a bridge-building, one group session.
    _note(peer, patient, m2 + relativedelta(days=9), minutes=45, hope="h", identity="i")
    _note(
        peer, patient, m1 - relativedelta(days=1), activity="bridge", minutes=60, connectedness="c"
    )
    services.group_note_create(
        by=None,
        peer=peer,
        date=m2 + relativedelta(days=3),
        place="community",
        topic="Sleep",
        participants=5,
        minutes=60,
        meaning=True,
    )
    _note(peer, patient, m2 + relativedelta(days=4), minutes=30, approve=False, hope="draft")
    # Month m1: two conversations and an other activity, one group session.
    _note(peer, patient, m1, minutes=30, hope="h", meaning="m", empowerment="e")
    _note(peer, patient, m1 + relativedelta(days=5), activity="other", minutes=20, empowerment="e")
    revised = _note(peer, patient, m1 + relativedelta(days=6), minutes=15, hope="h")
    # A change waiting for approval is not counted: the note stands as approved.
    services.note_revise(note=revised, peer=peer, by=None)
    draft = services.draft_of(revised)
    services.draft_save(
        draft=draft,
        by=None,
        expected_version=draft.version,
        changes={"minutes": 99, "activity": "bridge", "identity": "i", "date": m2},
    )
    services.group_note_create(
        by=None,
        peer=peer,
        date=m1 + relativedelta(days=7),
        place="ward",
        topic="Hope",
        participants=6,
        minutes=90,
        hope=True,
        connectedness=True,
    )
    discarded = _note(peer, patient, m1 + relativedelta(days=2), minutes=50, approve=False)
    services.draft_discard(note=discarded, by=None)
    error = _note(peer, patient, m1 + relativedelta(days=3), minutes=40, meaning="m")
    services.note_mark_error(note=error, by=None, reason="Wrong patient")
    # Referrals: one in m1 (just after midnight, Copenhagen time), three this month.
    referrals = [
        services.referral_create(
            by=None,
            referred_by=cast.mentor,
            peer=peer,
            patient_name=f"R{i}",
            patient_reference=f"R-{i}",
            reason="Wants support.",
            contact_route="patient",
        )
        for i in range(4)
    ]
    services.referral_accept(referral=referrals[0], by=None)
    services.referral_accept(referral=referrals[1], by=None)
    services.referral_decline(referral=referrals[2], by=None, reason="Full")
    Referral.objects.filter(pk=referrals[0].pk).update(
        created_at=datetime.datetime.combine(m1, datetime.time(0, 30), tzinfo=COPENHAGEN)
    )
    # Moved past the services: both months are counted again, as rebuild_statistics would.
    services.peer_months_refresh(keys=[(peer.pk, m1), (peer.pk, TODAY())])
    # Another unit's work is not Pia's.
    other = _patient(cast.other_peer, "X-1")
    _note(cast.other_peer, other, m1, minutes=300, hope="h")
    return cast


M2 = {
    **EMPTY,
    "notes": 2,
    "conversations": 1,
    "bridge": 1,
    "minutes": 45 + 60 + 60,
    "group_sessions": 1,
    "chime": _chime(connectedness=1, hope=1, identity=1, meaning=1),
}
M1 = {
    **EMPTY,
    "notes": 3,
    "conversations": 2,
    "other": 1,
    "minutes": 30 + 20 + 15 + 90,
    "group_sessions": 1,
    "chime": _chime(connectedness=1, hope=3, meaning=1, empowerment=2),
    "referrals": 1,
    "accepted": 1,
}
THIS_MONTH = {**EMPTY, "referrals": 3, "accepted": 1}


def _pia_only(cast):
    return PeerWorker.objects.filter(pk=cast.peer.pk)


def test_the_figures_count_only_final_notes_month_by_month(known):
    months = selectors.months_back(TODAY())
    stats = selectors.statistics(_pia_only(known), months, by_unit=False)
    assert months[-3:] == [_m2(), _m1(), _this_month()]
    [row] = stats.rows
    assert (row.label, row.unit, row.peer_id) == (
        "Pia Peer",
        (known.unit.pk, known.unit.name),
        known.peer.pk,
    )
    assert [_facts(f) for f in row.months] == [EMPTY] * 9 + [M2, M1, THIS_MONTH]
    assert _facts(row.total) == {
        "notes": 5,
        "conversations": 3,
        "bridge": 1,
        "other": 1,
        "minutes": 320,
        "group_sessions": 2,
        "chime": _chime(connectedness=2, hope=4, identity=1, meaning=2, empowerment=2),
        "referrals": 4,
        "accepted": 2,
    }
    assert _facts(stats.total) == _facts(row.total)
    assert [_facts(f) for f in stats.totals] == [_facts(f) for f in row.months]


def test_the_contracted_hours_of_a_full_30_day_month(cast):
    peer = PeerWorkerFactory(
        staff_member__unit=cast.unit, hours_per_week=37, start_date=datetime.date(2020, 1, 1)
    )
    months = selectors.months_back(TODAY())
    complete = months[:-1]
    month = next(m for m in reversed(complete) if _days_in(m) == 30)
    stats = selectors.statistics(PeerWorker.objects.filter(pk=peer.pk), months, by_unit=False)
    figures = stats.rows[0].months[months.index(month)]
    assert figures.contracted_hours == pytest.approx(37 * 30 / 7)
    assert figures.per_hour == 0
    # This month counts up to today.
    assert stats.rows[0].months[-1].contracted_hours == pytest.approx(37 * TODAY().day / 7)


def test_the_contract_counts_from_the_first_day_of_employment(cast):
    month = _m1()
    peer = PeerWorkerFactory(
        staff_member__unit=cast.unit, hours_per_week=37, start_date=month.replace(day=16)
    )
    assert selectors.contracted_hours(peer, month, TODAY()) == pytest.approx(
        37 * (_days_in(month) - 15) / 7
    )
    assert selectors.contracted_hours(peer, _m2(), TODAY()) == 0
    stats = selectors.statistics(
        PeerWorker.objects.filter(pk=peer.pk), [_m2(), month], by_unit=False
    )
    assert stats.rows[0].months[0].per_hour is None


def test_a_month_far_from_the_units_usual_level_is_flagged(cast):
    m2, m1 = _m2(), _m1()
    bente = PeerWorkerFactory(staff_member__name="Bente Bro", staff_member__unit=cast.unit)
    carl = PeerWorkerFactory(staff_member__name="Carl Cort", staff_member__unit=cast.unit)
    counts = {cast.peer: (4, 4), bente: (1, 4), carl: (12, 4)}
    for i, (peer, (in_m2, in_m1)) in enumerate(counts.items()):
        patient = _patient(peer, f"F-{i}")
        for day in range(in_m2):
            _note(peer, patient, m2 + relativedelta(days=day % 28))
        for day in range(in_m1):
            _note(peer, patient, m1 + relativedelta(days=day))
    hours = {m: _days_in(m) * 25 / 7 for m in (m2, m1)}
    usual = pystats.median(
        n / hours[m] for in_m2, in_m1 in counts.values() for m, n in ((m2, in_m2), (m1, in_m1))
    )
    assert usual == pytest.approx(4 / hours[m1])
    stats = selectors.statistics(
        PeerWorker.objects.filter(staff_member__unit=cast.unit), [m2, m1], by_unit=False
    )
    assert [(r.label, [f.flag for f in r.months]) for r in stats.rows] == [
        ("Bente Bro", ["low", ""]),
        ("Carl Cort", ["high", ""]),
        ("Pia Peer", ["", ""]),
    ]
    assert all(r.usual == pytest.approx(usual) for r in stats.rows)
    assert [r.flags for r in stats.rows] == [1, 1, 0]
    assert settings.JOURNAL_LOAD_LOW * usual > 1 / hours[m2]
    assert settings.JOURNAL_LOAD_HIGH * usual < 12 / hours[m2]

    # Shown alone, Bente is still compared with the whole unit.
    alone = selectors.statistics(PeerWorker.objects.filter(pk=bente.pk), [m2, m1], by_unit=False)
    assert [f.flag for f in alone.rows[0].months] == ["low", ""]

    # By unit, the row counts its peer workers' marked months.
    by_unit = selectors.statistics(
        PeerWorker.objects.filter(staff_member__unit=cast.unit), [m2, m1], by_unit=True
    )
    [row] = by_unit.rows
    assert (row.label, row.months[0].conversations, row.months[1].conversations) == (
        "F-ACT Øst",
        17,
        12,
    )
    assert row.flagged == 2


def test_the_current_month_is_never_flagged(cast):
    this = _this_month()
    bente = PeerWorkerFactory(staff_member__name="Bente Bro", staff_member__unit=cast.unit)
    patient = _patient(bente, "F-1")
    for _ in range(5):
        _note(bente, patient, TODAY())
    stats = selectors.statistics(
        PeerWorker.objects.filter(staff_member__unit=cast.unit), [this], by_unit=False
    )
    assert [(r.label, r.months[0].flag, r.usual) for r in stats.rows] == [
        ("Bente Bro", "", None),
        ("Pia Peer", "", None),
    ]


# The page and the export --------------------------------------------------------------


# The month-by-month table's column headings; each cell repeats its own (data-label) for
# phones, where the rows are shown as cards.
MONTH_HEADINGS = [
    "Conversations",
    "Bridge-building",
    "Other",
    "Group sessions",
    "Minutes",
    "Connectedness",
    "Hope",
    "Identity",
    "Meaning",
    "Empowerment",
    "Referrals",
    "Accepted",
]


def _month_row(month, f) -> str:
    cells = [
        f["conversations"],
        f["bridge"],
        f["other"],
        f["group_sessions"],
        f["minutes"],
        *f["chime"].values(),
        f["referrals"],
        f["accepted"],
    ]
    return (
        f'<tr><th scope="row" class="fw-normal text-nowrap">{month:%b %Y}</th>'
        + "".join(
            f'<td class="text-end" data-label="{heading}">{n}</td>'
            for heading, n in zip(MONTH_HEADINGS, cells, strict=True)
        )
        + "</tr>"
    )


def test_the_statistics_page_shows_the_figures(client_for, known):
    response = client_for("leader", "en").get(reverse("journal:statistics"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<span class="stat-value" data-testid="total-conversations">3</span>' in content
    assert '<span class="stat-value">320</span><span>minutes</span>' in content
    assert '<span class="stat-value">2</span><span>group sessions</span>' in content
    assert '<span class="stat-value">4</span><span>referrals received</span>' in content
    assert '<span class="stat-value">2</span><span>referrals accepted</span>' in content
    assert _month_row(_m2(), M2) in content
    assert _month_row(_m1(), M1) in content
    assert _month_row(_this_month(), THIS_MONTH) in content
    assert [r.label for r in response.context["stats"].rows] == ["Pia Peer"]
    assert not NoteAccess.objects.exists()


def test_the_csv_export_holds_the_same_figures(client_for, known):
    response = client_for("leader", "en").get(
        reverse("journal:statistics_export", kwargs={"file_format": "csv"})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="peerstatistik.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Peer worker",
        "Unit",
        "Month",
        "Conversations",
        "Bridge-building",
        "Other peer activities",
        "Group sessions",
        "Minutes",
        "Connectedness",
        "Hope",
        "Identity",
        "Meaning",
        "Empowerment",
        "Referrals received",
        "Referrals accepted",
        "Contracted hours",
        "Conversations per contracted hour",
        "Far from the usual level",
    ]
    assert len(rows) == 1 + 12
    by_month = {row[2]: row for row in rows[1:]}
    hours = _days_in(_m1()) * 25 / 7
    assert by_month[f"{_m1():%Y-%m}"] == [
        "Pia Peer",
        "F-ACT Øst",
        f"{_m1():%Y-%m}",
        "2",
        "0",
        "1",
        "1",
        "155",
        "1",
        "3",
        "0",
        "1",
        "2",
        "1",
        "1",
        str(round(hours, 1)),
        str(round(2 / hours, 2)),
        # Pia is the only peer worker of her unit: she is compared with the programme (all
        # conversations over every contract, Per Anden's too), and this month is far above.
        "above",
    ]
    m2 = by_month[f"{_m2():%Y-%m}"]
    assert m2[3:15] == ["1", "1", "0", "1", "165", "1", "1", "1", "1", "0", "0", "0"]
    assert by_month[f"{_this_month():%Y-%m}"][13:15] == ["3", "1"]
    assert not NoteAccess.objects.exists()


def test_the_page_can_end_at_an_earlier_month(client_for, known):
    response = client_for("leader", "en").get(
        reverse("journal:statistics"), {"to": f"{_m2():%Y-%m}"}
    )
    stats = response.context["stats"]
    assert stats.months[-1] == _m2()
    assert _facts(stats.total) == {**M2}


def test_the_outsider_sees_only_their_own_units_peer(client_for, known):
    response = client_for("outsider", "en").get(reverse("journal:statistics"))
    [row] = response.context["stats"].rows
    assert row.label == "Per Anden"
    assert response.context["stats"].total.minutes == 300
    assert response.context["stats"].total.conversations == 1


def test_the_peer_sees_their_own_figures(client_for, known):
    response = client_for("peer", "en").get(reverse("journal:statistics"))
    assert [r.label for r in response.context["stats"].rows] == ["Pia Peer"]
    assert response.context["stats"].total.conversations == 3
    assert not NoteAccess.objects.exists()


def test_the_centres_lone_units_are_compared_with_the_programme_level_read_on_its_own(
    client_for, known
):
    """The Centre's page takes the programme's conversations from its totals; the level
    is the one programme_level reads for itself."""
    stats = client_for("centre", "en").get(reverse("journal:statistics")).context["stats"]
    today = timezone.localdate()
    complete = [m + relativedelta(months=1) <= today.replace(day=1) for m in stats.months]
    level = selectors.programme_level(stats.months, complete, today)
    assert level and [r.usual for r in stats.rows] == [pytest.approx(level)] * 2


def test_centre_staff_see_the_figures_unit_by_unit(client_for, known):
    response = client_for("centre", "en").get(reverse("journal:statistics"))
    stats = response.context["stats"]
    assert stats.by_unit is True
    assert [(r.label, r.peer_id, r.total.conversations, r.total.minutes) for r in stats.rows] == [
        ("F-ACT Vest", None, 1, 300),
        ("F-ACT Øst", None, 3, 320),
    ]
    assert stats.total.conversations == 4
    assert not NoteAccess.objects.exists()


def test_months_before_the_journal_was_in_use_do_not_lower_the_usual_level(cast):
    m2, m1 = _m2(), _m1()
    bente = PeerWorkerFactory(staff_member__name="Bente Bro", staff_member__unit=cast.unit)
    counts = {cast.peer: (4, 4), bente: (1, 4)}
    for i, (peer, (in_m2, in_m1)) in enumerate(counts.items()):
        patient = _patient(peer, f"F-{i}")
        for day in range(in_m2):
            _note(peer, patient, m2 + relativedelta(days=day))
        for day in range(in_m1):
            _note(peer, patient, m1 + relativedelta(days=day))
    hours = {m: _days_in(m) * 25 / 7 for m in (m2, m1)}
    usual = pystats.median([4 / hours[m2], 4 / hours[m1], 1 / hours[m2], 4 / hours[m1]])
    # Twelve months shown; the journal was used only in the last two complete ones.
    stats = selectors.statistics(
        PeerWorker.objects.filter(staff_member__unit=cast.unit),
        selectors.months_back(TODAY()),
        by_unit=False,
    )
    assert [r.usual for r in stats.rows] == [pytest.approx(usual)] * 2
    assert [(r.label, [f.flag for f in r.months]) for r in stats.rows] == [
        ("Bente Bro", [""] * 9 + ["low", "", ""]),
        ("Pia Peer", [""] * 12),
    ]
