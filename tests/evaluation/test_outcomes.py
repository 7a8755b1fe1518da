"""Recovery outcomes: filled in with the patient, read only on the caseload with every
read logged, gone with the patient, shown to leaders and the Centre only as aggregates of
at least five patients; research exports pseudonymised and logged."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluation import selectors, services
from evaluation.models import (
    Instrument,
    InstrumentItem,
    Measurement,
    MeasurementAnswer,
    PatientConsent,
    ResearchExport,
    ResearchProject,
)
from journal import services as journal_services
from journal.models import NoteAccess, Patient
from tests.factories import PeerWorkerFactory, UnitFactory

TODAY = timezone.localdate()


@pytest.fixture
def instrument(db):
    instrument = Instrument.objects.create(
        name="Eksempel",
        licence="Egen",
        min_label="Slet ikke",
        max_label="Helt",
        timepoints=["first", "m3"],
    )
    for n, reverse_it in enumerate([False, False, False, True]):
        InstrumentItem.objects.create(
            instrument=instrument, order=n, text=f"Udsagn {n}", reversed=reverse_it
        )
    return instrument


def _patient(peer, name="A.B.", *, consent=True):
    patient = journal_services.patient_create(
        by=None,
        peer=peer,
        name=name,
        reference=f"R-{Patient.objects.count() + 1}",
        consent_date=TODAY,
        consent_given="orally",
    )
    if consent:
        PatientConsent.objects.create(patient=patient, measure_on=TODAY, measure_how="orally")
    return patient


LAST_YEAR = TODAY.year - 1
DAYS = {"first": datetime.date(LAST_YEAR, 3, 1), "m3": datetime.date(LAST_YEAR, 6, 1)}


def _measured(patient, instrument, timepoint, score, *, peer=None):
    """A completed measurement of last year (the aggregates show ended years)."""
    return Measurement.objects.create(
        patient=patient,
        instrument=instrument,
        timepoint=timepoint,
        peer=peer or patient.peers.first(),
        status="done",
        score=score,
        taken_on=DAYS.get(timepoint, DAYS["m3"]),
    )


def test_no_measure_is_started_without_the_patients_consent(cast, instrument):
    patient = _patient(cast.peer, consent=False)
    with pytest.raises(ValidationError, match="samtykke|consent"):
        services.measurement_start(
            patient=patient, instrument=instrument, timepoint="first", peer=cast.peer, by=None
        )


def test_the_patient_fills_it_in_item_by_item_skipping_one_and_the_score_counts_reversed_items(
    client_for, cast, instrument
):
    patient = _patient(cast.peer)
    client = client_for("peer")
    started = client.post(
        reverse("evaluation:measurement_start", args=[patient.pk]),
        {"choice": f"{instrument.pk}:first"},
    )
    measurement = Measurement.objects.get(patient=patient)
    assert started["Location"] == reverse("evaluation:measurement_fill", args=[measurement.pk])
    page = client.get(started["Location"])
    assert "Udsagn 0" in page.content.decode() and "cowrite" in page.content.decode()
    url = reverse("evaluation:measurement_fill", args=[measurement.pk])
    for item, value in ((1, "4"), (2, ""), (3, "5"), (4, "2")):
        client.post(url, {"item": str(item), "value": value, "move": "next"})
    assert dict(
        MeasurementAnswer.objects.filter(measurement=measurement).values_list(
            "item__order", "value"
        )
    ) == {0: 4, 2: 5, 3: 2}  # the skipped item has no row
    client.post(reverse("evaluation:measurement_review", args=[measurement.pk]))
    measurement.refresh_from_db()
    assert measurement.status == "done"
    # Reversed: 2 counts as 1 + 5 - 2 = 4; the mean of 4, 5 and 4.
    assert measurement.score == pytest.approx(13 / 3)
    with pytest.raises(ValidationError):
        services.measurement_answer(measurement=measurement, item=instrument.items.first(), value=1)


def test_fewer_than_half_the_items_answered_give_no_score(instrument):
    items = list(instrument.items.all())
    assert services.score_of(instrument, items, {items[0].pk: 5}) is None
    assert services.score_of(instrument, items, {items[0].pk: 5, items[1].pk: 3}) == 4
    instrument.scoring = "sum"
    assert services.score_of(instrument, items, {items[0].pk: 5, items[1].pk: 3}) == 16


def test_every_page_that_shows_answers_writes_the_access_log_first(client_for, cast, instrument):
    patient = _patient(cast.peer)
    measurement = Measurement.objects.create(
        patient=patient, instrument=instrument, timepoint="first", peer=cast.peer
    )
    client = client_for("peer")
    client.get(reverse("evaluation:measurement_fill", args=[measurement.pk]))
    client.get(reverse("evaluation:measurement_review", args=[measurement.pk]))
    client.get(reverse("evaluation:patient_outcomes", args=[patient.pk]))
    rows = list(NoteAccess.objects.filter(patient_id=patient.pk).order_by("pk"))
    assert [(r.action, r.note_id, r.who) for r in rows] == [
        ("measure", None, "Pia Peer"),
        ("outcome", None, "Pia Peer"),
        ("outcome", None, "Pia Peer"),
    ]
    report = client.get(reverse("journal:patient_access_report", args=[patient.pk]))
    assert report.status_code == 200


@pytest.mark.parametrize("role", ["leader", "mentor", "centre", "admin", "outsider"])
def test_outcome_answers_are_never_shown_outside_the_caseload(client_for, cast, instrument, role):
    patient = _patient(cast.peer)
    measurement = _measured(patient, instrument, "first", 3.0)
    client = client_for(role)
    for url in (
        reverse("evaluation:patient_outcomes", args=[patient.pk]),
        reverse("evaluation:measurement_review", args=[measurement.pk]),
        reverse("evaluation:measurement_fill", args=[measurement.pk]),
    ):
        assert client.get(url).status_code == 404
    assert not NoteAccess.objects.filter(patient_id=patient.pk).exists()


def test_another_peer_worker_of_the_unit_does_not_read_them(client, cast, instrument):
    colleague = PeerWorkerFactory(staff_member__unit=cast.unit)
    patient = _patient(cast.peer)
    measurement = _measured(patient, instrument, "first", 3.0)
    client.force_login(colleague.staff_member.user or _user(colleague))
    assert (
        client.get(reverse("evaluation:measurement_review", args=[measurement.pk])).status_code
        == 404
    )


def _user(peer):
    from tests.factories import UserFactory

    user = UserFactory()
    peer.staff_member.user = user
    peer.staff_member.save()
    return user


def test_the_measurements_go_with_the_patient_by_the_retention_rule(cast, instrument):
    patient = _patient(cast.peer)
    _measured(patient, instrument, "first", 3.0)
    Patient.objects.filter(pk=patient.pk).update(
        status="ended", ended_on=TODAY - datetime.timedelta(days=800)
    )
    journal_services.notes_remove_expired(today=TODAY, months=24)
    assert not Measurement.objects.exists() and not PatientConsent.objects.exists()


def _population(instrument, sizes, *, change=1.0):
    """Units with `sizes` patients each, measured first (3.0) and after 3 months."""
    units = []
    first = Patient.objects.count()
    for n, size in enumerate(sizes):
        peer = PeerWorkerFactory(staff_member__unit=UnitFactory(name=f"Enhed {first + n}"))
        units.append(peer.staff_member.unit)
        for k in range(size):
            patient = _patient(peer, name=f"P{first + n}-{k}")
            _measured(patient, instrument, "first", 3.0)
            _measured(patient, instrument, "m3", 3.0 + change)
    return units


def test_aggregates_hide_a_unit_under_five_and_a_unit_that_would_give_it_away(instrument):
    units = _population(instrument, [6, 5, 3])
    summary = selectors.outcome_summaries(None)[0]
    rows = {r.unit.name: r for r in summary.units}
    # 14 in all: the unit of three is hidden, and so is the unit of five (14 - 6 - 5 = 3).
    assert rows["Enhed 0"].first.shown and rows["Enhed 0"].first.n == 6
    assert rows["Enhed 0"].changes["m3"].mean == pytest.approx(1.0)
    assert not rows["Enhed 1"].first.shown and not rows["Enhed 2"].first.shown
    assert summary.programme.first.shown and summary.programme.first.n == 14
    # A leader of the unit of five sees it hidden just as the Centre does.
    leader_view = selectors.outcome_summaries(frozenset({units[1].pk}))[0]
    assert [r.unit for r in leader_view.units] == [units[1]]
    assert not leader_view.units[0].first.shown


def test_with_enough_hidden_patients_the_larger_units_are_shown(instrument):
    _population(instrument, [6, 5, 3, 3])
    rows = {r.unit.name: r for r in selectors.outcome_summaries(None)[0].units}
    assert rows["Enhed 0"].first.shown and rows["Enhed 1"].first.shown
    assert not rows["Enhed 2"].first.shown


def test_the_outcomes_page_shows_figures_never_patients_and_asks_a_fixed_number_of_queries(
    client_for, cast, instrument, django_assert_max_num_queries
):
    for size in (1, 3):
        _population(instrument, [5] * size)
        client = client_for("centre")
        with django_assert_max_num_queries(12):
            page = client.get(reverse("evaluation:outcomes"))
        text = page.content.decode()
        assert "P0-0" not in text and "R-1" not in text
    assert "+1,0" in text


def test_a_research_export_is_pseudonymised_for_consenting_patients_only_and_logged(
    client_for, cast, instrument
):
    yes = _patient(cast.peer, name="Ja Jensen")
    no = _patient(cast.peer, name="Nej Nielsen")
    PatientConsent.objects.filter(patient=yes).update(research=True, research_on=TODAY)
    PatientConsent.objects.filter(patient=no).update(research=False, research_on=TODAY)
    for patient in (yes, no):
        _measured(patient, instrument, "first", 3.5)
    project = ResearchProject.objects.create(
        title="P", approval="A", starts_on=TODAY, ends_on=TODAY, researcher="R"
    )
    other = ResearchProject.objects.create(
        title="Q", approval="B", starts_on=TODAY, ends_on=TODAY, researcher="R"
    )
    response = client_for("centre").post(reverse("evaluation:project_export", args=[project.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("pseudonym", "unit_kind", "instrument", "timepoint")
    assert len(rows) == 2 and rows[1][0] == selectors.pseudonym(project, yes.pk)
    assert rows[1][5] == 3.5
    flat = " ".join(str(v) for row in rows for v in row)
    for secret in ("Jensen", "Nielsen", yes.reference, cast.unit.name):
        assert secret not in flat
    assert selectors.pseudonym(project, yes.pk) != selectors.pseudonym(other, yes.pk)
    export = ResearchExport.objects.get()
    assert (export.project, export.who, export.patients, export.rows) == (
        project,
        "Cecilie Center",
        1,
        1,
    )


def test_no_export_outside_the_projects_period(client_for, cast):
    project = ResearchProject.objects.create(
        title="P",
        approval="A",
        starts_on=TODAY - datetime.timedelta(days=30),
        ends_on=TODAY - datetime.timedelta(days=1),
        researcher="R",
    )
    response = client_for("centre").post(reverse("evaluation:project_export", args=[project.pk]))
    assert response.status_code == 302 and not ResearchExport.objects.exists()


def test_an_instrument_used_with_patients_keeps_its_items_and_scale(cast, instrument):
    _measured(_patient(cast.peer), instrument, "first", 3.0)
    with pytest.raises(ValidationError):
        services.instrument_save(
            instrument=instrument,
            by=cast.centre.user,
            expected_version=None,
            fields={"scale_max": 7, "active": True},
            edits=services.RowEdits(),
        )
    saved = services.instrument_save(
        instrument=instrument,
        by=cast.centre.user,
        expected_version=None,
        fields={"active": False, "licence": "Ny note"},
        edits=services.RowEdits(),
    )
    assert (saved.active, saved.licence, saved.scale_max) == (False, "Ny note", 5)


def test_a_used_instruments_scale_is_refused_even_when_the_form_set_it_on_the_object(
    cast, instrument
):
    _measured(_patient(cast.peer), instrument, "first", 3.0)
    instrument.scale_max = 7  # as a bound ModelForm leaves it
    with pytest.raises(ValidationError):
        services.instrument_save(
            instrument=instrument,
            by=cast.centre.user,
            expected_version=None,
            fields={"scale_max": 7, "active": True},
            edits=services.RowEdits(),
        )
    instrument.refresh_from_db()
    assert instrument.scale_max == 5


def test_odd_item_numbers_and_an_instrument_without_items_are_no_server_error(
    client_for, cast, instrument
):
    patient = _patient(cast.peer)
    measurement = Measurement.objects.create(
        patient=patient, instrument=instrument, timepoint="first", peer=cast.peer
    )
    client = client_for("peer")
    url = reverse("evaluation:measurement_fill", args=[measurement.pk])
    for odd in ("²", "9" * 5000, "-3", "abc"):
        assert client.get(url, {"item": odd}).status_code == 200
    empty = Instrument.objects.create(
        name="Tomt", licence="Egen", min_label="L", max_label="H", timepoints=["first"]
    )
    with pytest.raises(ValidationError):
        services.measurement_start(
            patient=patient, instrument=empty, timepoint="first", peer=cast.peer, by=None
        )
    hollow = Measurement.objects.create(
        patient=patient, instrument=empty, timepoint="first", peer=cast.peer
    )
    response = client.get(reverse("evaluation:measurement_fill", args=[hollow.pk]))
    assert response.status_code == 302


def test_the_research_export_counts_the_patients_approved_notes(client_for, cast, instrument):
    patient = _patient(cast.peer)
    PatientConsent.objects.filter(patient=patient).update(research=True, research_on=TODAY)
    _measured(patient, instrument, "first", 3.0)
    project = ResearchProject.objects.create(
        title="P", approval="A", starts_on=TODAY, ends_on=TODAY, researcher="R"
    )
    rows, patients = selectors.research_rows(project)
    headers = selectors.RESEARCH_HEADERS
    assert patients == 1 and rows[0][headers.index("notes")] == 0
    from journal.models import Note

    assert not Note.objects.filter(patient=patient).exists()


def test_a_measure_due_is_named_on_the_patients_page_until_it_is_filled_in(
    client_for, cast, instrument
):
    patient = _patient(cast.peer)
    Measurement.objects.create(
        patient=patient,
        instrument=instrument,
        timepoint="first",
        peer=cast.peer,
        status="done",
        score=3.0,
        taken_on=TODAY - datetime.timedelta(days=100),
    )
    client = client_for("peer")
    url = reverse("evaluation:patient_outcomes", args=[patient.pk])
    page = client.get(url).content.decode()
    assert "Efter 3 måneder" in page.split('data-testid="measures-due"')[1]
    Measurement.objects.create(
        patient=patient, instrument=instrument, timepoint="m3", peer=cast.peer, status="done"
    )
    assert 'data-testid="measures-due"' not in client.get(url).content.decode()
