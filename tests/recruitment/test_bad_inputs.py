"""One bad input on every form of recruitment and mentoring: a specific message on the
right field, and what was typed is still in the form."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from recruitment import services
from recruitment.models import ChecklistTemplateItem

NEXT_WEEK = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def interview(cast, applicant):
    return services.interview_schedule(
        applicant=applicant, by=None, starts_at=timezone.now(), place="Rum 2"
    )


def _cases(cast, vacancy, applicant, interview):
    onboarding = vacancy.onboarding
    item = onboarding.items.filter(derived_from="").first()
    return [
        # (url, posted data, field, message, typed text that must be kept)
        (
            reverse("recruitment:applicant_create", args=[vacancy.pk]),
            {"name": "Bo Berg", "email": "not-an-email", "received_on": "", "version": 1},
            "email",
            "Enter a valid email address.",
            "Bo Berg",
        ),
        (
            reverse("recruitment:interview_create", args=[applicant.pk]),
            {"starts_at": f"{NEXT_WEEK}T10:00", "place": "", "video_link": "", "present": []},
            "place",
            "Give a place or a video link.",
            f"{NEXT_WEEK}T10:00",
        ),
        (
            reverse("recruitment:reference_create", args=[applicant.pk]),
            {"referee": "Tidligere leder", "checked_on": TODAY().isoformat(), "summary": ""},
            "summary",
            "This field is required.",
            "Tidligere leder",
        ),
        (
            reverse("recruitment:assessment_edit", args=[interview.pk]),
            {"recovery_reflection": "", "assessment": "Varm og rolig", "recommendation": "yes"},
            "recovery_reflection",
            "This field is required.",
            "Varm og rolig",
        ),
        (
            reverse("recruitment:applicant_hire", args=[applicant.pk]),
            {
                "start_date": TODAY().isoformat(),
                "hours_per_week": "40",
                "employment_form": "permanent",
                "probation_months": "3",
            },
            "hours_per_week",
            "Hours per week must be between 1 and 37.",
            'value="40"',
        ),
        (
            reverse("recruitment:checklist_item_add", args=[onboarding.pk]),
            {
                "title": "Nøglekort",
                "phase": "onboarding",
                "responsible": "leader",
                "due_override": "",
                "description": "",
            },
            "due_override",
            "This field is required.",
            "Nøglekort",
        ),
        (
            reverse("recruitment:checklist_item_edit", args=[item.pk]),
            {"due_override": "31.02.2026", "note": "HR har travlt", "version": item.version},
            "due_override",
            "Enter a valid date.",
            "HR har travlt",
        ),
        (
            reverse("recruitment:checklist_template_item_add"),
            {
                "phase": "before",
                "title": "",
                "description": "Ny opgave uden titel",
                "responsible": "leader",
                "anchor": "start",
                "offset_days": "x",
                "order": "1",
                "guide_reference": "",
                "derived_from": "",
            },
            "offset_days",
            "Enter a whole number.",
            "Ny opgave uden titel",
        ),
        (
            reverse("recruitment:applicant_questionnaire", args=[applicant.pk]),
            {"motivation": "Vil gerne give håb", "version": "x"},
            "version",
            "Enter a whole number.",
            "Vil gerne give håb",
        ),
    ]


def test_each_recruitment_form_names_the_problem_and_keeps_the_input(
    client_for, cast, vacancy, applicant, interview
):
    for url, data, field, message, kept in _cases(cast, vacancy, applicant, interview):
        # The assessment is written by a committee member; the Centre member has a seat.
        role = "centre" if "assessment" in url or "templates" in url else "leader"
        response = client_for(role, "en").post(url, data)
        assert response.status_code == 200, url
        form = response.context["form"]
        assert message in form.errors.get(field, []), (url, form.errors)
        assert kept in response.content.decode(), url


def test_a_wrong_seat_on_the_committee_is_refused_with_the_reason(client_for, cast, vacancy):
    response = client_for("leader", "en").post(
        reverse("recruitment:committee_add", args=[vacancy.pk]),
        {"staff_member": cast.peer.staff_member.pk, "seat": "peer"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "This seat is for a peer worker from another unit."
    ]


def test_mentoring_forms_name_the_problem_and_keep_the_input(client_for, cast):
    client = client_for("leader", "en")
    response = client.post(
        reverse("mentoring:mentor_assign", args=[cast.peer.pk]),
        {"start_date": TODAY().isoformat(), "weekday": "1", "meeting_time": "25:00"},
    )
    errors = response.context["form"].errors
    assert errors["mentor"] == ["This field is required."]
    assert errors["meeting_time"] == ["Enter a valid time."]
    assert f'value="{TODAY().isoformat()}"' in response.content.decode()

    response = client_for("mentor", "en").post(
        reverse("mentoring:away"),
        {"first_day": "2026-12-20", "last_day": "2026-12-10", "note": "Juleferie"},
    )
    assert response.context["form"].errors["last_day"] == [
        "The last day cannot be before the first day."
    ]
    assert "Juleferie" in response.content.decode()
    assert not cast.mentor.away_periods.exists()


def test_the_standard_checklist_form_keeps_a_new_task_on_error(client_for):
    count = ChecklistTemplateItem.objects.count()
    client_for("centre").post(reverse("recruitment:checklist_template_item_add"), {"title": ""})
    assert ChecklistTemplateItem.objects.count() == count


def test_a_move_without_a_new_date_keeps_the_note(client_for, cast):
    from mentoring import services as mentoring

    cast.peer.mentorships.all().delete()
    mentorship = mentoring.mentor_assign(
        peer=cast.peer, mentor=cast.mentor, by=None, start_date=TODAY() + datetime.timedelta(days=3)
    )
    checkin = mentorship.checkins.first()
    response = client_for("mentor", "en").post(
        reverse("mentoring:checkin_log", args=[checkin.pk]),
        {"outcome": "moved", "note": "Kursus den dag", "version": checkin.version},
    )
    assert response.context["form"].errors["new_date"] == ["Choose the new date."]
    assert "Kursus den dag" in response.content.decode()
