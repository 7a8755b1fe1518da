"""Forms catch every error at once, and the date rules of docs/forms.md hold at their edges.

A careless user's submission gets all its errors in one answer (the fields' own and the
rules the services hold), each on its field; a day being planned is today or later, a
day recorded is today or earlier, and dates come in their order. Each rule is tried on
the day it starts to refuse and the day it still accepts.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from recruitment import services as recruitment_services

TODAY = timezone.localdate


def day(offset: int) -> str:
    return (TODAY() + datetime.timedelta(days=offset)).isoformat()


@pytest.fixture
def cast(world, db):
    return world._cast


def errors_of(response, name: str = "form") -> dict[str, list[str]]:
    assert response.status_code == 200, response
    return {k: [str(e) for e in v] for k, v in response.context[name].errors.items()}


# Recruitment ---------------------------------------------------------------------------


def vacancy_post(cast, **overrides):
    data = {
        "unit": cast.unit.pk,
        "title": "Peermedarbejder",
        "hours_per_week": 25,
        "employment_form": "permanent",
        "application_deadline": day(10),
        "planned_start_date": day(40),
        "contact_person": cast.leader.pk,
        "version": 1,
    }
    data.update(overrides)
    return data


def test_a_careless_vacancy_gets_every_error_in_one_answer(client_for, cast):
    response = client_for("leader").post(
        reverse("recruitment:vacancy_create"),
        vacancy_post(
            cast,
            title="",
            hours_per_week="0",
            application_deadline=day(-1),
            planned_start_date=day(-3),
        ),
    )
    errors = errors_of(response)
    assert set(errors) == {
        "title",
        "hours_per_week",
        "application_deadline",
        "planned_start_date",
    }
    assert errors["application_deadline"] == ["Ansøgningsfristen kan ikke ligge i fortiden."]
    assert errors["title"] == ["Udfyld feltet."]
    # The page opens on its summary, one line per error, each naming its field.
    html = response.content.decode()
    assert "4 fejl skal rettes" in html
    assert html.count("data-error-link") == 4
    assert "<title>Fejl: " in html


@pytest.mark.parametrize(
    ("deadline", "start", "refused"),
    [
        (-1, 30, {"application_deadline"}),  # the deadline yesterday
        (0, 30, set()),  # today is still open
        (10, 9, {"planned_start_date"}),  # the start before the deadline
        (10, 10, set()),  # the start on the deadline's day
    ],
)
def test_vacancy_dates_at_their_edges(client_for, cast, deadline, start, refused):
    response = client_for("leader").post(
        reverse("recruitment:vacancy_create"),
        vacancy_post(cast, application_deadline=day(deadline), planned_start_date=day(start)),
    )
    if refused:
        assert set(errors_of(response)) == refused
    else:
        assert response.status_code == 302


def test_a_vacancy_whose_start_has_passed_stays_editable_but_cannot_be_moved_into_the_past(
    client_for, world
):
    vacancy = world.vacancy
    type(vacancy).objects.filter(pk=vacancy.pk).update(
        application_deadline=TODAY() - datetime.timedelta(days=30),
        planned_start_date=TODAY() - datetime.timedelta(days=5),
    )
    vacancy.refresh_from_db()
    url = reverse("recruitment:vacancy_edit", args=[vacancy.pk])
    data = {
        "title": "Peermedarbejder, 25 timer",
        "hours_per_week": 25,
        "employment_form": "permanent",
        "application_deadline": vacancy.application_deadline.isoformat(),
        "planned_start_date": vacancy.planned_start_date.isoformat(),
        "contact_person": vacancy.contact_person_id,
        "version": vacancy.version,
    }
    assert client_for("leader").post(url, data).status_code == 302
    vacancy.refresh_from_db()
    data["version"] = vacancy.version
    data["planned_start_date"] = day(-1)
    assert errors_of(client_for("leader").post(url, data)) == {
        "planned_start_date": ["Datoen er overstået: vælg i dag eller en senere dag."]
    }


def test_an_interview_is_planned_ahead_and_after_the_application(client_for, world):
    url = reverse("recruitment:interview_create", args=[world.applicant.pk])
    now = timezone.localtime()
    past = (now - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    ahead = (now + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    errors = errors_of(client_for("leader").post(url, {"starts_at": past, "place": ""}))
    assert errors == {
        "starts_at": ["Datoen er overstået: vælg i dag eller en senere dag."],
        "place": ["Angiv et sted eller et videolink."],
    }
    assert client_for("leader").post(url, {"starts_at": ahead, "place": "Rum 2"}).status_code == 302


def test_an_interview_before_the_application_was_received_is_refused(world, db):
    applicant = world.applicant
    received = datetime.datetime.combine(applicant.received_on, datetime.time(9))
    recruitment_services.check_interview(applicant, timezone.make_aware(received))
    with pytest.raises(recruitment_services.ValidationError) as refused:
        recruitment_services.check_interview(
            applicant, timezone.make_aware(received - datetime.timedelta(days=1))
        )
    assert "starts_at" in refused.value.message_dict


# Education and mentoring ---------------------------------------------------------------


def series_post(**overrides):
    data = {
        "frequency": "monthly",
        "interval": 1,
        "week_of_month": 2,
        "weekday": 1,
        "start_time": "13:00",
        "end_time": "15:00",
        "first_date": day(0),
        "last_date": day(90),
        "kind": "internal",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("first", "last", "refused"),
    [
        (-1, 90, {"first_date": ["En række planlægges fra i dag og frem."]}),
        (-90, -1, {"first_date": ["En række planlægges fra i dag og frem."]}),  # all past
        (0, 90, {}),
        (10, 9, {"last_date": ["Perioden kan ikke slutte, før den begynder."]}),
    ],
)
def test_an_erfa_series_is_planned_from_today(client_for, world, first, last, refused):
    response = client_for("centre").post(
        reverse("education:series_create", args=[world.group.pk]),
        series_post(first_date=day(first), last_date=day(last)),
    )
    if refused:
        assert errors_of(response) == refused
    else:
        assert response.status_code == 302


def meeting_post(meeting, **overrides):
    start = timezone.localtime(meeting.starts_at)
    data = {
        "date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_time": timezone.localtime(meeting.ends_at).strftime("%H:%M"),
        "kind": meeting.kind,
        "topic": "Peerdrift",
        "version": meeting.version,
    }
    data.update(overrides)
    return data


def test_a_held_meeting_keeps_its_past_day_but_is_not_moved_into_the_past(client_for, world):
    meeting = world.meeting  # yesterday's
    url = reverse("education:meeting_edit", args=[meeting.pk])
    assert client_for("centre").post(url, meeting_post(meeting)).status_code == 302
    meeting.refresh_from_db()
    moved = (timezone.localtime(meeting.starts_at).date() - datetime.timedelta(days=1)).isoformat()
    assert errors_of(client_for("centre").post(url, meeting_post(meeting, date=moved))) == {
        "date": ["Et møde flyttes til i dag eller en senere dag."]
    }
    assert client_for("centre").post(url, meeting_post(meeting, date=day(0))).status_code == 302


@pytest.mark.parametrize(("offset", "refused"), [(-1, True), (0, False)])
def test_supervision_is_planned_for_today_or_later(client_for, cast, offset, refused):
    response = client_for("centre").post(
        reverse("education:supervision_create"),
        {
            "participants": [cast.peer.pk],
            "date": day(offset),
            "start_time": "23:00",
            "end_time": "23:30",
            "supervisor": "Anne",
            "repeat_weeks": 0,
            "sessions": 1,
        },
    )
    if refused:
        assert errors_of(response) == {"date": ["Supervision planlægges til i dag eller senere."]}
    else:
        assert response.status_code == 302


@pytest.mark.parametrize(("offset", "refused"), [(-1, True), (0, False)])
def test_a_check_in_is_moved_to_today_or_later(client_for, world, offset, refused):
    checkin = world.mentorship.checkins.create(
        date=TODAY() + datetime.timedelta(days=3), time=datetime.time(10), duration_minutes=30
    )
    response = client_for("mentor").post(
        reverse("mentoring:checkin_log", args=[checkin.pk]),
        {"outcome": "moved", "new_date": day(offset), "version": checkin.version},
    )
    if refused:
        assert errors_of(response) == {
            "new_date": ["Et sparringsmøde flyttes til i dag eller en senere dag."]
        }
    else:
        assert response.status_code == 302, errors_of(response)


def cohort_post(cohort, sessions, days, **overrides):
    data = {
        "cohort-name": cohort.name,
        "cohort-start_date": cohort.start_date.isoformat(),
        "cohort-capacity": cohort.capacity,
        "cohort-fee_dkk": cohort.fee_dkk,
        "cohort-status": cohort.status,
        "cohort-default_place": "",
        "cohort-version": cohort.version,
        "modules-TOTAL_FORMS": len(sessions),
        "modules-INITIAL_FORMS": len(sessions),
    }
    for i, first_day in enumerate(days):
        data[f"modules-{i}-first_day"] = first_day.isoformat() if first_day else ""
        data[f"modules-{i}-start_time"] = "09:00"
        data[f"modules-{i}-place"] = ""
    data.update(overrides)
    return data


def _weekdays_from(start: datetime.date, n: int, step: int = 14) -> list[datetime.date]:
    found, day_ = [], start
    while len(found) < n:
        if day_.weekday() < 4:
            found.append(day_)
            day_ += datetime.timedelta(days=step)
        else:
            day_ += datetime.timedelta(days=1)
    return found


def test_modules_out_of_order_are_refused_on_their_row_with_the_cohorts_errors(client_for, world):
    cohort = world.cohort
    sessions = list(cohort.sessions.order_by("module__number"))
    days = _weekdays_from(cohort.start_date + datetime.timedelta(days=14), len(sessions))
    url = reverse("education:cohort_edit", args=[cohort.pk])
    assert client_for("centre").post(url, cohort_post(cohort, sessions, days)).status_code == 302
    cohort.refresh_from_db()

    # Module 1 after module 7, and a capacity of nothing: every error in one answer.
    last = len(days) - 1
    days[0], days[last] = days[last], days[0]
    response = client_for("centre").post(
        url, cohort_post(cohort, sessions, days, **{"cohort-capacity": ""})
    )
    assert errors_of(response) == {"capacity": ["Udfyld feltet."]}
    rows = response.context["formset"].forms
    assert [str(e) for e in rows[1].errors["first_day"]] == [
        f"Modul {sessions[1].module} er lagt på eller før modul {sessions[0].module} "
        f"({days[0].strftime('%d.%m.%Y')}): modulerne kommer i deres rækkefølge."
    ]
    # Module 2 now comes before module 1, and module 7 before module 6: those two rows.
    assert [i for i, row in enumerate(rows) if row.errors] == [1, last]
    html = response.content.decode()
    assert 'id="id_modules-1-first_day_error"' in html
    assert 'aria-describedby="id_modules-1-first_day_error"' in html


# Journal -------------------------------------------------------------------------------


def test_a_careless_note_gets_every_error_in_one_answer(client_for, world):
    response = client_for("peer").post(
        reverse("journal:note_create", args=[world.patient.pk]),
        {"date": day(1), "place": "outpatient", "activity": "conversation", "minutes": 0},
    )
    assert errors_of(response) == {
        "date": ["Datoen kan ikke ligge i fremtiden."],
        "minutes": ["Skriv et tal på mindst 1."],
    }


def test_a_careless_patient_edit_gets_every_error_in_one_answer(client_for, world):
    patient = world.patient
    response = client_for("peer").post(
        reverse("journal:patient_edit", args=[patient.pk]),
        {
            "name": "A.K.",
            "reference": patient.reference,
            "consent_date": day(1),
            "consent_given": "orally",
            "peers": [],
            "status": "ended",
            "ended_on": "",
            "version": patient.version,
        },
    )
    errors = errors_of(response)
    assert set(errors) == {"consent_date", "ended_on", "peers"}


# Days recorded (today or earlier) and days planned (today or later) -----------------------

PAST = "Datoen er overstået: vælg i dag eller en senere dag."
FUTURE = "Datoen kan ikke ligge i fremtiden."


@pytest.mark.parametrize(("offset", "refused"), [(1, True), (0, False)])
def test_an_application_is_received_today_or_earlier(client_for, world, offset, refused):
    response = client_for("leader").post(
        reverse("recruitment:applicant_create", args=[world.vacancy.pk]),
        {"name": "Bo Berg", "email": "bo@example.org", "received_on": day(offset), "version": 1},
    )
    if refused:
        assert errors_of(response) == {"received_on": [FUTURE]}
    else:
        assert response.status_code == 302


@pytest.mark.parametrize(("offset", "refused"), [(1, True), (0, False)])
def test_a_reference_is_checked_today_or_earlier(client_for, world, offset, refused):
    response = client_for("leader").post(
        reverse("recruitment:reference_create", args=[world.applicant.pk]),
        {"referee": "Tidligere leder", "checked_on": day(offset), "summary": "Stabil."},
    )
    if refused:
        assert errors_of(response) == {"checked_on": [FUTURE]}
    else:
        assert response.status_code == 302


@pytest.mark.parametrize(("offset", "refused"), [(-1, True), (0, False)])
def test_a_checklist_task_is_given_a_due_date_of_today_or_later(client_for, world, offset, refused):
    item = world.item
    response = client_for("leader").post(
        reverse("recruitment:checklist_item_edit", args=[item.pk]),
        {"due_override": day(offset), "note": "", "assignee": "", "version": item.version},
    )
    if refused:
        assert errors_of(response) == {"due_override": [PAST]}
    else:
        assert response.status_code == 302


@pytest.mark.parametrize(("offset", "refused"), [(-1, True), (0, False)])
def test_a_task_added_to_a_checklist_is_due_today_or_later(client_for, world, offset, refused):
    response = client_for("leader").post(
        reverse("recruitment:checklist_item_add", args=[world.onboarding.pk]),
        {
            "title": "Vis rundt på afsnittet",
            "phase": "onboarding",
            "responsible": "leader",
            "due_override": day(offset),
            "description": "",
        },
    )
    if refused:
        assert errors_of(response) == {"due_override": [PAST]}
    else:
        assert response.status_code == 302


@pytest.mark.parametrize(("offset", "refused"), [(-1, True), (0, False)])
def test_an_absence_is_registered_while_it_lasts_or_ahead(client_for, cast, offset, refused):
    response = client_for("mentor").post(
        reverse("mentoring:away"),
        {"first_day": day(-3), "last_day": day(offset), "note": ""},
    )
    if refused:
        assert errors_of(response) == {
            "last_day": ["Fraværet er slut: den sidste dag er i dag eller senere."]
        }
    else:
        assert response.status_code == 302


@pytest.mark.parametrize(("offset", "refused"), [(-1, True), (0, False)])
def test_an_agreed_action_is_due_today_or_later_when_its_day_changes(
    client_for, world, offset, refused
):
    action = world.action
    response = client_for("leader").post(
        reverse("employment:action_edit", args=[action.pk]),
        {"text": action.text, "responsible": action.responsible, "due": day(offset)},
    )
    if refused:
        assert errors_of(response) == {"due": [PAST]}
    else:
        assert response.status_code == 302
