"""One bad input on every form of the evaluation: refused on its field, in Danish, and
what was typed is still in the form."""

import datetime

import pytest
from django.urls import reverse

from evaluation.models import (
    Instrument,
    PatientConsent,
    Questionnaire,
    ResearchProject,
    SurveyRound,
)
from journal import services as journal_services

TOMORROW = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()


def _errors(response, field):
    form = response.context["form"]
    assert response.status_code == 200 and form.errors.get(field), form.errors
    return " ".join(form.errors[field])


def test_a_questionnaire_without_a_title(client_for, cast):
    response = client_for("centre").post(
        reverse("evaluation:questionnaire_create"),
        {
            "title": "",
            "intro": "Det jeg skrev",
            "version": "1",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
        },
    )
    assert "Udfyld feltet" in _errors(response, "title")
    assert "Det jeg skrev" in response.content.decode()
    assert Questionnaire.objects.count() == 1  # the starter set only


def test_a_round_that_closes_before_it_opens(client_for, cast):
    response = client_for("centre").post(
        reverse("evaluation:round_create"),
        {
            "questionnaire": Questionnaire.objects.get().pk,
            "title": "Forår 2027",
            "opens_on": "2030-05-10",
            "closes_on": "2030-05-01",
            "ask_peers": "on",
            "units": [cast.unit.pk],
            "version": "1",
        },
    )
    assert "lukke samme dag" in _errors(response, "closes_on")
    assert "Forår 2027" in response.content.decode()
    assert not SurveyRound.objects.exists()


def test_a_consent_given_tomorrow(client_for, cast):
    patient = journal_services.patient_create(
        by=None,
        peer=cast.peer,
        name="A.B.",
        reference="R-1",
        consent_date=datetime.date.today(),
        consent_given="orally",
    )
    response = client_for("peer").post(
        reverse("evaluation:consent_edit", args=[patient.pk]),
        {"measure_on": TOMORROW, "measure_how": "orally", "version": "1"},
    )
    assert _errors(response, "measure_on")
    assert TOMORROW in response.content.decode()
    assert not PatientConsent.objects.exists()


def test_an_instrument_whose_highest_answer_is_below_its_lowest(client_for, cast):
    response = client_for("centre").post(
        reverse("evaluation:instrument_create"),
        {
            "name": "Mit redskab",
            "licence": "Egen",
            "scale_min": "5",
            "scale_max": "1",
            "min_label": "Lav",
            "max_label": "Høj",
            "scoring": "mean",
            "timepoints": ["first"],
            "version": "1",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
        },
    )
    assert "højeste svar" in _errors(response, "scale_max")
    assert "Mit redskab" in response.content.decode()
    assert not Instrument.objects.exists()


def test_a_research_project_that_ends_before_it_starts(client_for, cast):
    response = client_for("centre").post(
        reverse("evaluation:project_create"),
        {
            "title": "Mit projekt",
            "approval": "A-1",
            "starts_on": "2027-05-01",
            "ends_on": "2027-01-01",
            "researcher": "R",
            "version": "1",
        },
    )
    assert "slutte" in _errors(response, "ends_on")
    assert "Mit projekt" in response.content.decode()
    assert not ResearchProject.objects.exists()


def test_a_peer_workers_answer_about_research_dated_tomorrow(client_for, cast):
    response = client_for("peer").post(
        reverse("evaluation:peer_research", args=[cast.peer.pk]),
        {"research": "yes", "research_on": TOMORROW, "version": "1"},
    )
    assert "fremtiden" in _errors(response, "research_on")


@pytest.mark.parametrize("value", ["9", "x"])
def test_an_answer_outside_the_instruments_scale(client_for, cast, value):
    from evaluation.models import Measurement

    patient = journal_services.patient_create(
        by=None,
        peer=cast.peer,
        name="A.B.",
        reference="R-2",
        consent_date=datetime.date.today(),
        consent_given="orally",
    )
    instrument = Instrument.objects.create(
        name="E", licence="Egen", min_label="L", max_label="H", timepoints=["first"]
    )
    instrument.items.create(text="Udsagn")
    measurement = Measurement.objects.create(
        patient=patient, instrument=instrument, timepoint="first", peer=cast.peer
    )
    response = client_for("peer").post(
        reverse("evaluation:measurement_fill", args=[measurement.pk]),
        {"item": "1", "value": value, "move": "next"},
    )
    assert _errors(response, "value")
    assert not measurement.answers.exists()
