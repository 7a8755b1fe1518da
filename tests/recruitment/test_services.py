import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from mentoring.services import mentor_assign
from peerprogram.models import AuditEvent, PeerWorker
from recruitment import selectors, services
from recruitment.models import (
    Applicant,
    ChecklistItem,
    ChecklistTemplateItem,
    CommitteeMember,
    StageChange,
    Vacancy,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_new_vacancy_gets_the_standard_checklist_the_leader_and_a_drafted_posting(vacancy, cast):
    assert vacancy.onboarding.items.count() == ChecklistTemplateItem.objects.count() == 32
    assert list(vacancy.committee.values_list("staff_member__name", "seat")) == [
        ("Cecilie Center", "centre"),
        ("Lene Leder", "leader"),
        ("Mads Mentor", "staff_rep"),
    ]
    assert vacancy.posting_text.startswith(
        "Peermedarbejder\n\nF-ACT Øst søger en peermedarbejder, 25 timer om ugen"
    )
    assert "Lene Leder, staff" in vacancy.posting_text
    assert vacancy.yearly_cost == 252_875


def test_placeholders_are_filled_and_nothing_else_is_evaluated():
    values = {"unit": "F-ACT Øst", "hours": 25}
    assert services.fill_placeholders("{unit}: {hours} timer", values) == "F-ACT Øst: 25 timer"
    # A template put in past the form (the admin, an import) is never run as format code.
    for written in ["{unit.__class__}", "{unit:>999999999}", "{unit!r}", "{salary}", "{ unit }"]:
        assert services.fill_placeholders(written, values) == written
    assert services.fill_placeholders("{{unit}} og {{", values) == "{unit} og {"


def test_a_deadline_in_the_past_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        services.vacancy_create(
            by=cast.leader.user,
            unit=cast.unit,
            title="X",
            hours_per_week=20,
            employment_form="permanent",
            planned_start_date=TODAY(),
            application_deadline=TODAY() - datetime.timedelta(days=1),
            contact_person=cast.leader,
        )
    assert error.value.message_dict["application_deadline"] == [
        "Ansøgningsfristen kan ikke ligge i fortiden."
    ]


def test_status_moves_are_dated_and_a_closed_vacancy_takes_no_applicants(vacancy, cast):
    assert vacancy.published_on == TODAY()
    services.vacancy_set_status(vacancy=vacancy, by=cast.leader.user, status="closed")
    vacancy.refresh_from_db()
    assert (vacancy.status, vacancy.closed_on) == ("closed", TODAY())
    with pytest.raises(ValidationError) as error:
        services.applicant_add(vacancy=vacancy, by=cast.leader.user, name="For sent")
    assert error.value.messages == ["Stillingen er lukket og tager ikke imod nye ansøgere."]


def test_a_filled_vacancy_cannot_be_reopened(vacancy, applicant, cast):
    services.applicant_hire(
        applicant=applicant,
        by=cast.leader.user,
        start_date=TODAY(),
        hours_per_week=25,
        employment_form="permanent",
    )
    with pytest.raises(ValidationError):
        services.vacancy_set_status(vacancy=vacancy, by=cast.leader.user, status="published")


def test_each_move_is_recorded_with_date_and_who(applicant, cast):
    services.applicant_move(applicant=applicant, by=cast.leader.user, to_stage="prequalification")
    services.applicant_move(
        applicant=applicant, by=cast.leader.user, to_stage="rejected", note="Ikke klar endnu"
    )
    rows = list(
        StageChange.objects.filter(applicant=applicant).values_list(
            "from_stage", "to_stage", "by__username", "note"
        )
    )
    assert rows == [
        ("", "received", "leader", ""),
        ("received", "prequalification", "leader", ""),
        ("prequalification", "rejected", "leader", "Ikke klar endnu"),
    ]
    with pytest.raises(ValidationError):
        services.applicant_move(applicant=applicant, by=cast.leader.user, to_stage="offer")


def test_hired_is_reached_only_through_the_hire_action(applicant, cast):
    with pytest.raises(ValidationError):
        services.applicant_move(applicant=applicant, by=cast.leader.user, to_stage="hired")


def test_hiring_makes_a_peer_worker_fills_the_vacancy_and_moves_the_checklist(
    vacancy, applicant, cast
):
    peer = services.applicant_hire(
        applicant=applicant,
        by=cast.leader.user,
        start_date=TODAY(),
        hours_per_week=22,
        employment_form="flex_job",
        probation_months=3,
    )
    applicant.refresh_from_db()
    vacancy.refresh_from_db()
    assert (peer.name, peer.staff_member.email, peer.unit) == (
        "Ane Ansøger",
        "ane@example.org",
        cast.unit,
    )
    assert (peer.hours_per_week, peer.employment_form) == (22, "flex_job")
    assert (applicant.stage, applicant.hired_peer, applicant.answer_given_on) == (
        "hired",
        peer,
        TODAY(),
    )
    assert (vacancy.status, vacancy.filled_on) == ("filled", TODAY())
    assert peer.onboarding == vacancy.onboarding
    assert AuditEvent.objects.filter(action="applicant_hire", object_id=applicant.pk).exists()


def test_hiring_needs_an_email_address(vacancy, cast):
    applicant = services.applicant_add(vacancy=vacancy, by=cast.leader.user, name="Uden Mail")
    with pytest.raises(ValidationError) as error:
        services.applicant_hire(
            applicant=applicant,
            by=cast.leader.user,
            start_date=TODAY(),
            hours_per_week=20,
            employment_form="permanent",
        )
    assert "email" in error.value.message_dict
    assert not PeerWorker.objects.filter(staff_member__name="Uden Mail").exists()


def test_the_peer_seat_is_for_a_peer_worker_from_another_unit(vacancy, cast):
    with pytest.raises(ValidationError) as error:
        services.committee_add(
            vacancy=vacancy, by=cast.leader.user, staff_member=cast.peer.staff_member, seat="peer"
        )
    assert error.value.message_dict["staff_member"] == [
        "Denne plads er til en peermedarbejder fra en anden enhed."
    ]
    services.committee_add(
        vacancy=vacancy, by=cast.leader.user, staff_member=cast.other_peer.staff_member, seat="peer"
    )
    assert selectors.empty_seats(vacancy) == []


def _status(onboarding, derived):
    progress = selectors.onboarding_detail(onboarding)
    return next(s for s in progress.statuses if s.item.derived_from == derived)


def test_posting_and_committee_items_follow_the_facts(vacancy, cast):
    onboarding = vacancy.onboarding
    assert _status(onboarding, "posting_published").done_on == TODAY()
    assert _status(onboarding, "committee_complete").done_on is None
    services.committee_add(
        vacancy=vacancy, by=cast.leader.user, staff_member=cast.other_peer.staff_member, seat="peer"
    )
    assert _status(onboarding, "committee_complete").done_on == TODAY()


def test_appoint_mentor_is_done_when_a_mentor_is_appointed_and_never_ticked(
    vacancy, applicant, cast
):
    peer = services.applicant_hire(
        applicant=applicant,
        by=cast.leader.user,
        start_date=TODAY(),
        hours_per_week=25,
        employment_form="permanent",
    )
    onboarding = vacancy.onboarding
    status = _status(onboarding, "mentor_appointed")
    assert status.done_on is None
    with pytest.raises(ValidationError):
        services.checklist_item_set_done(
            item=status.item, by=cast.leader.user, done=True, expected_version=status.item.version
        )
    mentor_assign(peer=peer, mentor=cast.mentor, start_date=TODAY(), by=cast.leader.user)
    status = _status(onboarding, "mentor_appointed")
    assert (status.done_on, status.done_by, status.state) == (TODAY(), "Mads Mentor", "done")


def test_ticking_records_who_and_when_and_a_stale_tick_is_refused(vacancy, cast):
    item = vacancy.onboarding.items.filter(derived_from="").first()
    services.checklist_item_set_done(
        item=item, by=cast.leader.user, done=True, expected_version=item.version
    )
    item.refresh_from_db()
    assert (item.done_on, item.done_by) == (TODAY(), cast.leader.user)
    with pytest.raises(services.core.ConcurrentEditError):
        services.checklist_item_set_done(
            item=item, by=cast.centre.user, done=False, expected_version=item.version - 1
        )


def test_due_dates_count_from_start_and_from_probation(cast):
    peer = cast.peer  # started 2024-01-01, 3 months' probation
    onboarding = services.onboarding_start_for_peer(peer=peer, by=cast.leader.user)
    onboarding.created_at = timezone.make_aware(datetime.datetime(2023, 10, 1))
    onboarding.save()
    due = {s.item.title: s.due for s in selectors.onboarding_detail(onboarding).statuses}
    assert due["Opfølgning efter 14 dage"] == datetime.date(2024, 1, 15)
    # Probation 1 Jan - 1 Apr: middle 16 Feb (45.5 days), a week before: 9 Feb.
    assert due["Opfølgning en uge før midten af prøvetiden"] == datetime.date(2024, 2, 8)
    assert due["Opfølgning tre uger før prøvetiden udløber"] == datetime.date(2024, 3, 11)
    assert due["Første MUS-samtale og trivselsundersøgelse"] == datetime.date(2024, 12, 31)


def test_a_due_date_can_be_overridden_and_a_unit_task_added(cast):
    onboarding = services.onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)
    item = onboarding.items.get(title="Udarbejd ansættelseskontrakt")
    services.checklist_item_update(
        item=item,
        by=cast.leader.user,
        expected_version=item.version,
        due_override=datetime.date(2030, 1, 1),
        note="HR har travlt",
    )
    extra = services.checklist_item_add(
        onboarding=onboarding,
        by=cast.leader.user,
        title="Nøglekort til afsnittet",
        due_override=datetime.date(2024, 1, 2),
    )
    statuses = {s.item.title: s for s in selectors.onboarding_detail(onboarding).statuses}
    assert statuses["Udarbejd ansættelseskontrakt"].due == datetime.date(2030, 1, 1)
    assert statuses["Nøglekort til afsnittet"].state == "overdue"
    assert extra.unit_specific


def test_a_peer_hired_outside_the_app_has_no_posting_or_committee_items_to_do(cast):
    onboarding = services.onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)
    states = {
        s.item.derived_from: s.state
        for s in selectors.onboarding_detail(onboarding).statuses
        if s.item.derived_from
    }
    assert states == {
        "posting_published": "na",
        "committee_complete": "na",
        "mentor_appointed": "done",
        "education_enrolled": "open",
        "mandatory_courses": "open",
        "function_agreed": "open",
        "leaflet_made": "open",
    }


def _ended_vacancy_with_applicants(cast, ended: datetime.date, peer=None):
    vacancy = Vacancy.objects.create(
        unit=cast.unit,
        title="Gammel",
        hours_per_week=20,
        planned_start_date=ended,
        application_deadline=ended,
        contact_person=cast.leader,
        status="closed",
        closed_on=ended,
    )
    kept = Applicant.objects.create(
        vacancy=vacancy, name="Hired Person", stage="hired", hired_peer=peer
    )
    gone = Applicant.objects.create(
        vacancy=vacancy,
        name="Not Hired",
        email="n@example.org",
        stage="rejected",
        motivation="Private words",
    )
    return kept, gone


def test_anonymise_command_removes_personal_data_after_the_retention_period(cast, capsys):
    kept, gone = _ended_vacancy_with_applicants(
        cast, TODAY() - datetime.timedelta(days=200), peer=cast.peer
    )
    recent_kept, recent = _ended_vacancy_with_applicants(
        cast, TODAY() - datetime.timedelta(days=30)
    )
    call_command("anonymise_applicants")
    out = capsys.readouterr().out
    gone.refresh_from_db()
    recent.refresh_from_db()
    kept.refresh_from_db()
    assert (gone.name, gone.email, gone.motivation) == (f"Anonymiseret ansøger #{gone.pk}", "", "")
    assert gone.anonymised_on == TODAY()
    assert recent.name == "Not Hired" and kept.name == "Hired Person"
    assert f"Anonymised applicant #{gone.pk}" in out
    assert out.strip().endswith("Anonymised 1 applicant(s); retention period 6 months.")
    call_command("anonymise_applicants")
    assert (
        capsys.readouterr().out.strip() == "Anonymised 0 applicant(s); retention period 6 months."
    )


def test_every_checklist_item_gets_its_template_values(vacancy):
    item = vacancy.onboarding.items.get(title="Opfølgning tre uger før prøvetiden udløber")
    assert (item.phase, item.responsible, item.anchor, item.offset_days) == (
        "probation",
        "leader",
        "probation_end",
        -21,
    )
    assert ChecklistItem.objects.filter(derived_from="mentor_appointed").count() == 1
    assert CommitteeMember.objects.count() == 3


def test_a_task_already_late_when_the_checklist_starts_gets_two_weeks(cast):
    onboarding = services.onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)
    due = {s.item.title: s for s in selectors.onboarding_detail(onboarding).statuses}
    first_follow_up = due["Opfølgning efter 14 dage"]
    assert first_follow_up.due == TODAY() + datetime.timedelta(days=14)
    assert first_follow_up.state == "open"
