"""Hiring rules: anonymised applicants stay anonymous, the committee is the leader's to put
together, only a published vacancy hires, an import never overwrites an applicant, and the
retention period counts from the vacancy's last end."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from recruitment import services
from recruitment.models import Applicant

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_an_anonymised_applicant_takes_no_new_personal_data(cast, applicant):
    Applicant.objects.filter(pk=applicant.pk).update(anonymised_on=TODAY())
    applicant.refresh_from_db()
    for call in (
        lambda: services.applicant_move(applicant=applicant, by=None, to_stage="interview"),
        lambda: services.reference_add(
            applicant=applicant, by=None, referee="X", checked_on=TODAY(), summary="Y"
        ),
        lambda: services.interview_schedule(
            applicant=applicant, by=None, starts_at=timezone.now(), place="Rum"
        ),
    ):
        with pytest.raises(ValidationError):
            call()


def test_reopening_a_closed_vacancy_restarts_the_retention_period(cast, vacancy):
    services.vacancy_set_status(vacancy=vacancy, by=None, status="closed")
    vacancy.refresh_from_db()
    vacancy.closed_on = TODAY() - datetime.timedelta(days=300)
    vacancy.save()
    services.vacancy_set_status(vacancy=vacancy, by=None, status="published")
    services.vacancy_set_status(vacancy=vacancy, by=None, status="cancelled")
    vacancy.refresh_from_db()
    assert vacancy.ended_on == TODAY()


def test_centre_staff_cannot_seat_themselves_on_a_committee(client_for, cast, vacancy):
    vacancy.committee.filter(staff_member=cast.centre).delete()
    response = client_for("centre").post(
        reverse("recruitment:committee_add", args=[vacancy.pk]),
        {"staff_member": cast.centre.pk, "seat": "centre"},
    )
    assert response.status_code == 404
    assert not vacancy.committee.filter(staff_member=cast.centre).exists()


def test_a_draft_vacancy_cannot_hire(cast):
    vacancy = services.vacancy_create(
        by=None,
        unit=cast.unit,
        title="Kladde",
        hours_per_week=20,
        employment_form="permanent",
        planned_start_date=TODAY() + datetime.timedelta(days=30),
        application_deadline=TODAY(),
        contact_person=cast.leader,
    )
    applicant = services.applicant_add(vacancy=vacancy, by=None, name="A", email="a@x.dk")
    with pytest.raises(ValidationError):
        services.applicant_hire(
            applicant=applicant,
            by=None,
            start_date=TODAY(),
            hours_per_week=20,
            employment_form="permanent",
        )


def test_an_import_adds_applicants_but_never_overwrites_one(client_for, vacancy, applicant):
    url = reverse("recruitment:applicant_import", args=[vacancy.pk])
    body = f"name,email,motivation\nAne Ny,{applicant.email},\n"
    response = client_for("leader", "en").post(
        url, {"file": SimpleUploadedFile("a.csv", body.encode())}
    )
    assert [str(p) for p in response.context["report"].problems] == [
        "Row 2, column “email”: This applicant is already registered; change them on their page."
    ]


def test_a_cancelled_vacancys_checklist_leaves_the_overview(client_for, cast, vacancy):
    services.vacancy_set_status(vacancy=vacancy, by=None, status="cancelled")
    rows = client_for("leader").get(reverse("recruitment:checklist_overview")).context["rows"]
    assert [p.onboarding.pk for p in rows] == []


def test_a_garbled_version_is_a_stale_tick_not_an_error(client_for, vacancy):
    item = vacancy.onboarding.items.filter(derived_from="").first()
    response = client_for("leader").post(
        reverse("recruitment:checklist_item_toggle", args=[item.pk]), {"done": "1", "version": "x"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_on is None
