"""Outcome measurements due reach the peer worker: a line on the home page and in the
weekly e-mail (how many, never which patients), and a page of their own patients with a
measurement due, each leading to the patient's outcome page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation import selectors
from evaluation.models import Instrument, Measurement
from journal.models import Patient
from peerprogram import access
from programme import actions
from tests.evaluation.test_outcomes import _patient as consented_patient
from tests.factories import PeerWorkerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def instrument(db):
    return Instrument.objects.create(
        name="Recovery-skala",
        licence="Egen",
        min_label="Slet ikke",
        max_label="Helt",
        timepoints=["first", "m3", "m6"],
    )


def _patient(peer, name, *, consent=True, first_days_ago=100, instrument):
    """A patient on the peer worker's caseload with a first measurement this long ago."""
    patient = consented_patient(peer, name, consent=consent)
    Measurement.objects.create(
        patient=patient,
        instrument=instrument,
        timepoint="first",
        peer=peer,
        status="done",
        score=3.0,
        taken_on=TODAY - datetime.timedelta(days=first_days_ago),
    )
    return patient


def test_the_peer_worker_is_told_how_many_measurements_are_due_and_where(
    client_for, cast, instrument
):
    due = _patient(cast.peer, "Ane Due", instrument=instrument)
    _patient(cast.peer, "Bo Early", first_days_ago=30, instrument=instrument)
    _patient(cast.peer, "Cai Unconsented", consent=False, instrument=instrument)
    ended = _patient(cast.peer, "Dea Ended", instrument=instrument)
    Patient.objects.filter(pk=ended.pk).update(status=Patient.Status.ENDED, ended_on=TODAY)
    other = PeerWorkerFactory(staff_member__unit=cast.unit)
    _patient(other, "Eli Other", instrument=instrument)

    found = selectors.caseload_measures_due(cast.peer, TODAY)
    assert [(d.patient_id, d.timepoint) for d in found] == [(due.pk, "m3")]

    client = client_for("peer")
    home = client.get(reverse("peerprogram:home")).content.decode()
    assert "1 effektmåling venter" in home
    assert reverse("evaluation:measures_due") in home
    assert "Ane Due" not in home

    page = client.get(reverse("evaluation:measures_due")).content.decode()
    listed = page.split('data-testid="measures-due-list"')[1]
    assert "Ane Due" in listed
    assert reverse("evaluation:patient_outcomes", args=[due.pk]) in listed
    assert "Efter 3 måneder" in listed
    for name in ("Bo Early", "Cai Unconsented", "Dea Ended", "Eli Other"):
        assert name not in page


def test_a_measurement_filled_in_leaves_the_list(client_for, cast, instrument):
    patient = _patient(cast.peer, "Ane Due", instrument=instrument)
    Measurement.objects.create(
        patient=patient, instrument=instrument, timepoint="m3", peer=cast.peer, status="done"
    )
    assert selectors.caseload_measures_due(cast.peer, TODAY) == []
    page = client_for("peer").get(reverse("evaluation:measures_due")).content.decode()
    assert 'data-testid="measures-due-none"' in page


def test_the_weekly_line_counts_the_measurements_and_names_no_patient(cast, instrument):
    _patient(cast.peer, "Ane Due", first_days_ago=200, instrument=instrument)
    due = selectors.caseload_measures_due(cast.peer, TODAY)
    assert [d.timepoint for d in due] == ["m3", "m6"]
    (line,) = selectors.measure_actions(due, cast.peer.name)
    assert line.kind == "measures_due" and line.day == due[0].day
    assert "Ane Due" not in line.text and line.whom == cast.peer.name
    gathered = actions.gather(access.get_actor(cast.peer.staff_member.user), TODAY)
    assert [a for a in gathered.todo.items if a.kind == "measures_due"] == [line]
