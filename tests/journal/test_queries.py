"""Pinned query counts of the journal's busy pages, at two data sizes.

Small: 1 peer worker in the unit, 3 patients with 2 notes each. Large: 4 peer workers,
12 patients with 8 notes each, and a note with 8 versions. Each size is built once for the
module (`grown`). The counts were measured and
are the same at both sizes; a page whose count grows with the data is an N+1 and fails.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from journal import services
from tests.conftest import build_cast, built_once
from tests.factories import PeerWorkerFactory

pytestmark = pytest.mark.django_db

SIZES = [
    pytest.param({"peers": 1, "patients": 3, "notes": 2}, id="small"),
    pytest.param({"peers": 4, "patients": 12, "notes": 8}, id="large"),
]
TODAY = timezone.localdate


def _note(peer, patient, days_ago, text="Har genoptaget kontakten med sin søster."):
    by = peer.staff_member.user
    note = services.note_start(
        patient=patient,
        peer=peer,
        by=by,
        date=TODAY() - datetime.timedelta(days=days_ago),
        place="outpatient",
        activity=["conversation", "bridge", "other"][days_ago % 3],
        minutes=30 + days_ago % 60,
    )
    draft = services.draft_of(note)
    draft = services.draft_save(
        draft=draft,
        by=by,
        expected_version=draft.version,
        changes={"connectedness": text, "hope": "Foråret.", "next_steps": "Ses torsdag."},
    )
    return services.note_approve(note=note, by=by, expected_version=draft.version)


def _revise(peer, note, times):
    """`times` more approved versions of the note."""
    by = peer.staff_member.user
    for i in range(times):
        draft = services.note_revise(note=note, peer=peer, by=by)
        draft = services.draft_save(
            draft=draft, by=by, expected_version=draft.version, changes={"hope": f"Version {i}"}
        )
        services.note_approve(note=note, by=by, expected_version=draft.version)


def _caseload(peer, mentor, size, tag):
    """Patients with notes, referrals, a draft, an open concern and group notes."""
    patients = []
    for p in range(size["patients"]):
        referral = services.referral_create(
            by=mentor.user,
            referred_by=mentor,
            peer=peer,
            patient_name=f"P{p}",
            patient_reference=f"{tag}-{p}",
            reason="Ønsker en samtale.",
            contact_route="patient",
        )
        patient = services.referral_accept(
            referral=referral,
            by=peer.staff_member.user,
            consent_date=TODAY() - datetime.timedelta(days=400),
            consent_given="orally",
        )
        for n in range(size["notes"]):
            _note(peer, patient, days_ago=(p * 7 + n * 31) % 300 + 1)
        patients.append(patient)
    first = patients[0]
    note = first.notes.order_by("pk").first()
    services.concern_raise(note=note, by=peer.staff_member.user)
    services.note_revise(note=first.notes.order_by("pk").last(), peer=peer, by=None)
    services.referral_create(
        by=mentor.user,
        referred_by=mentor,
        peer=peer,
        patient_name="Venter",
        patient_reference=f"{tag}-waiting",
        reason="Ønsker en samtale.",
        contact_route="patient",
    )
    for g in range(size["notes"]):
        services.group_note_create(
            by=peer.staff_member.user,
            peer=peer,
            date=TODAY() - datetime.timedelta(days=g * 20),
            place="ward",
            topic=f"Emne {g}",
            participants=4,
            minutes=60,
            hope=True,
        )
    return patients


def _grow(cast, size):
    """The cast's peer's caseload; two patients for each further peer worker of unit A and
    one for the peer worker of unit B."""
    patients = _caseload(cast.peer, cast.mentor, size, "A")
    note = patients[0].notes.filter(status="final").order_by("pk").first()
    _revise(cast.peer, note, size["notes"] - 1)  # as many versions as notes per patient
    for i in range(size["peers"] - 1):
        peer = PeerWorkerFactory(staff_member__unit=cast.unit)
        _caseload(peer, cast.mentor, {**size, "patients": 2}, f"X{i}")
    _caseload(cast.other_peer, cast.outsider, {**size, "patients": 1}, "B")
    return patients[0], note


@pytest.fixture(scope="module", params=SIZES)
def grown(request, django_db_setup, django_db_blocker):
    """The cast with its caseloads grown to one of the sizes, built once per size.

    Returns (cast, size, the first patient, its note with as many versions as notes)."""

    def build():
        cast = build_cast()
        patient, note = _grow(cast, request.param)
        return cast, request.param, patient, note

    with built_once(django_db_blocker, build) as world:
        yield world


@pytest.fixture
def cast(grown, db):
    return grown[0]


@pytest.fixture
def size(grown):
    return grown[1]


def _count(client, url, django_assert_max_num_queries, limit):
    client.get(url)  # the session and the caches
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200
    return response


# Measured at both sizes (equal): the peer's caseload 9, a patient 12 (a page of its notes:
# count, notes, versions), a note 11; the statistics 8 for the leader (one unit, per peer
# worker) and 8 for the Centre (a page of units, and the programme's totals as the services
# keep them), each with the programme's usual level (a unit with one peer worker is
# compared with it: its conversations, which the Centre's page takes from the totals, and
# every contract); the session is not written back (the request before saved it). The
# referrals are kept with
# the peer workers' months, and the unit filter's choices come from the query that reads
# the units.
CASELOAD_QUERIES = 9
PATIENT_QUERIES = 12
NOTE_QUERIES = 11
# Before the day's run: the programme's level worked out now (a look for the stored one, then
# the programme's months and contracts; the Centre adds up the months with its totals).
STATISTICS_QUERIES = {"leader": 9, "centre": 9}
# After it: the programme's figures read (journal.services.programme_figures_store, the
# daily run): the level, and for the Centre the complete months' totals (this month's are
# added up now).
STATISTICS_QUERIES_AFTER_THE_RUN = {"leader": 7, "centre": 8}


def test_the_caseload_uses_a_fixed_number_of_queries(
    client_for, size, django_assert_max_num_queries
):
    response = _count(
        client_for("peer"),
        reverse("journal:caseload"),
        django_assert_max_num_queries,
        CASELOAD_QUERIES,
    )
    assert len(response.context["active"]) == size["patients"]
    waiting = response.context["waiting"]
    assert (len(waiting.referrals), len(waiting.drafts), len(waiting.concerns)) == (1, 1, 1)


def test_the_patient_page_uses_a_fixed_number_of_queries(
    client_for, grown, size, django_assert_max_num_queries
):
    patient = grown[2]
    response = _count(
        client_for("peer"),
        patient.get_absolute_url(),
        django_assert_max_num_queries,
        PATIENT_QUERIES,
    )
    assert len(response.context["notes"]) == size["notes"]
    assert len(response.context["referrals"]) == 1


def test_the_note_page_uses_a_fixed_number_of_queries(
    client_for, grown, size, django_assert_max_num_queries
):
    note = grown[3]
    response = _count(
        client_for("peer"), note.get_absolute_url(), django_assert_max_num_queries, NOTE_QUERIES
    )
    assert [v.number for v in response.context["versions"]] == list(range(1, size["notes"] + 1))


@pytest.mark.parametrize("role", ["leader", "centre"])
def test_after_the_daily_run_the_statistics_read_the_programmes_figures_and_show_the_same(
    client_for, size, role, django_assert_max_num_queries
):
    client = client_for(role)
    before = client.get(reverse("journal:statistics")).context["stats"]
    kept = services.programme_figures_store(timezone.localdate())
    assert kept.level is not None  # the cast's peer workers converse
    after = _count(
        client,
        reverse("journal:statistics"),
        django_assert_max_num_queries,
        STATISTICS_QUERIES_AFTER_THE_RUN[role],
    ).context["stats"]
    assert [(r.label, r.total, r.usual) for r in after.rows] == [
        (r.label, r.total, r.usual) for r in before.rows
    ]
    assert after.total == before.total


@pytest.mark.parametrize("role", ["leader", "centre"])
def test_the_statistics_use_a_fixed_number_of_queries(
    client_for, size, role, django_assert_max_num_queries
):
    response = _count(
        client_for(role),
        reverse("journal:statistics"),
        django_assert_max_num_queries,
        STATISTICS_QUERIES[role],
    )
    stats = response.context["stats"]
    # Every note is less than ten months old: all of them are counted.
    ours = size["patients"] * size["notes"]
    theirs = 2 * size["notes"]  # each further peer worker of unit A
    notes = {row.label: row.total.notes for row in stats.rows}
    if role == "leader":
        assert len(notes) == size["peers"]
        assert notes.pop("Pia Peer") == ours
        assert list(notes.values()) == [theirs] * (size["peers"] - 1)
        assert stats.total.group_sessions == size["peers"] * size["notes"]
    else:  # every unit with peer workers, one row each
        unit_a = ours + theirs * (size["peers"] - 1)
        assert notes == {"F-ACT Vest": size["notes"], "F-ACT Øst": unit_a}
