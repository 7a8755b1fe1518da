"""Bad input on the education forms: the exact message, and what was typed is kept."""

import datetime

import pytest
from django.urls import reverse

from education.models import ErfaGroup

from .factories import CohortFactory

pytestmark = pytest.mark.django_db


def _schedule_post(cohort, days, version=None):
    data = {
        "cohort-name": cohort.name,
        "cohort-start_date": cohort.start_date.isoformat(),
        "cohort-capacity": "2",
        "cohort-fee_dkk": "14000",
        "cohort-status": "open",
        "cohort-default_place": "",
        "cohort-version": str(version or cohort.version),
        "modules-TOTAL_FORMS": "7",
        "modules-INITIAL_FORMS": "7",
    }
    for i, day in enumerate(days):
        data[f"modules-{i}-first_day"] = day.isoformat() if day else ""
        data[f"modules-{i}-start_time"] = "09:00"
        data[f"modules-{i}-place"] = f"Lokale {i + 1}"
    return data


def test_a_teaching_day_on_a_saturday_is_refused_and_the_schedule_kept(client_for, cast):
    cohort = CohortFactory(name="Hold 2031", start_date=datetime.date(2031, 3, 3))
    saturday = datetime.date(2031, 3, 8)
    days = [saturday] + [datetime.date(2031, 3, 10) + datetime.timedelta(weeks=i) for i in range(6)]
    response = client_for("centre", "en").post(
        reverse("education:cohort_edit", args=[cohort.pk]), _schedule_post(cohort, days)
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert (
        "Module 1. Recovery – personlig recovery og CHIME: teaching days are weekdays." in content
    )
    assert 'value="2031-03-08"' in content and 'value="Lokale 7"' in content
    assert not cohort.sessions.filter(first_day__isnull=False).exists()


def test_a_schedule_saved_by_someone_else_meanwhile_is_not_overwritten(client_for, cast):
    cohort = CohortFactory(name="Hold 2031", start_date=datetime.date(2031, 3, 3))
    days = [datetime.date(2031, 3, 10) + datetime.timedelta(weeks=i) for i in range(7)]
    stale = cohort.version
    client = client_for("centre", "en")
    url = reverse("education:cohort_edit", args=[cohort.pk])
    assert client.post(url, _schedule_post(cohort, days, stale)).status_code == 302
    later = [d + datetime.timedelta(days=1) for d in days]
    response = client.post(url, _schedule_post(cohort, later, stale))
    assert response.status_code == 200
    assert "Someone else saved this record while you were editing it." in (
        response.content.decode()
    )
    assert cohort.sessions.order_by("module__number").first().first_day == days[0]


def test_a_series_that_ends_before_it_starts_names_the_field(client_for, cast):
    group = ErfaGroup.objects.get(audience="peers")
    response = client_for("centre", "en").post(
        reverse("education:series_create", args=[group.pk]),
        {
            "frequency": "monthly",
            "interval": "1",
            "week_of_month": "2",
            "weekday": "1",
            "start_time": "14:30",
            "end_time": "13:00",
            "first_date": "2031-01-01",
            "last_date": "2031-06-30",
            "kind": "internal",
        },
    )
    assert response.context["form"].errors == {
        "end_time": ["The meeting must end after it starts."]
    }
    assert 'value="14:30"' in response.content.decode()
    assert not group.meetings.exists()


def test_completion_by_hand_without_a_reason_is_refused(client_for, cast):
    from education import services

    cohort = CohortFactory(name="Hold 2031", status="open")
    enrolment = services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.peer)
    response = client_for("centre", "en").post(
        reverse("education:enrolment_complete", args=[enrolment.pk]),
        {"completed_on": "2026-01-05", "completion_reason": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "completion_reason": ["Say why the participant has completed."]
    }
    enrolment.refresh_from_db()
    assert enrolment.completed_on is None


def test_a_peers_course_completed_before_enrolment_is_refused_and_kept(client_for, cast):
    from education.models import CourseRecord, MandatoryCourse

    course = MandatoryCourse.objects.get(name="Brandskole")
    data = {}
    for c in MandatoryCourse.objects.filter(active=True):
        data[f"c{c.pk}-enrolled_on"] = ""
        data[f"c{c.pk}-completed_on"] = ""
    data[f"c{course.pk}-enrolled_on"] = "2026-05-10"
    data[f"c{course.pk}-completed_on"] = "2026-05-01"
    response = client_for("leader", "en").post(
        reverse("education:peer_courses", args=[cast.peer.pk]), data
    )
    content = response.content.decode()
    assert "Brandskole: completed before enrolled." in content
    assert 'value="2026-05-10"' in content and 'value="2026-05-01"' in content
    assert not CourseRecord.objects.exists()


def test_a_supervision_without_peer_workers_or_with_its_end_first_is_refused(client_for, cast):
    from education.models import Meeting

    response = client_for("centre", "en").post(
        reverse("education:supervision_create"),
        {
            "date": "2031-02-03",
            "start_time": "11:00",
            "end_time": "10:00",
            "supervisor": "Anne Thorsen",
        },
    )
    errors = response.context["form"].errors
    assert errors["participants"] == ["This field is required."]
    assert errors["end_time"] == ["The meeting must end after it starts."]
    assert 'value="Anne Thorsen"' in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_group_of_chosen_members_needs_members(client_for, cast):
    response = client_for("centre", "en").post(
        reverse("education:group_create"),
        {"name": "Netværk for ledere", "audience": "members", "duration_minutes": "60"},
    )
    assert response.context["form"].errors == {"members": ["Choose the members of the group."]}
    assert 'value="Netværk for ledere"' in response.content.decode()
    assert not ErfaGroup.objects.filter(name="Netværk for ledere").exists()


def test_an_external_participant_needs_an_organisation_and_a_contact(client_for, cast):
    cohort = CohortFactory(name="Hold 2031", status="open")
    response = client_for("centre", "en").post(
        reverse("education:external_add", args=[cohort.pk]), {"external_name": "Eva Ekstern"}
    )
    assert response.context["form"].errors == {
        "external_organisation": ["This field is required."],
        "external_contact": ["This field is required."],
    }
    assert 'value="Eva Ekstern"' in response.content.decode()
    assert not cohort.enrolments.exists()
