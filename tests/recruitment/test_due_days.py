"""The stored due days of the checklists' tasks: the database judges "overdue" and "late"
exactly as the checklist page works them out, and a start moved anywhere leaves the
checklist to be worked out task by task until the days are stored again."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from education.models import Cohort, Course, CourseRecord, Enrolment, MandatoryCourse
from employment.models import FunctionDescription, Presentation
from mentoring.models import Mentorship
from peerprogram.models import PeerWorker
from recruitment import selectors, services
from recruitment.models import Anchor, ChecklistItem, DerivedFrom, Onboarding
from tests.factories import MentorshipFactory

pytestmark = pytest.mark.django_db


def _overdue_both_ways(onboardings):
    """The overdue tasks as the checklist page works them out, and as the database judges
    them from the stored days (the tasks counted from the education left out: those are
    always worked out)."""
    today = timezone.localdate()
    scope = selectors.without_cancelled(onboardings)
    worked_out = {
        status.item.pk
        for progress in selectors.onboarding_progress(selectors.for_lists(scope))
        for status in progress.applicable
        if status.state == "overdue" and status.item.anchor != Anchor.EDUCATION_COMPLETED
    }
    fresh = ChecklistItem.objects.filter(
        onboarding__in=scope.filter(selectors.FRESH_DUE_DAYS).values("pk")
    )
    judged = set(selectors.past_due_tasks(fresh, today).values_list("pk", flat=True))
    return worked_out, judged


def _timeliness(onboardings):
    today = timezone.localdate()
    return sorted(
        (t.onboarding_id, t.begun, t.tasks, t.done, t.late, t.overdue)
        for t in selectors.onboarding_timeliness(onboardings, today)
    )


def test_the_database_judges_every_demo_checklist_as_the_checklist_page(demo_programme):
    call_command("store_checklist_due_days", verbosity=0)
    everything = Onboarding.objects.all()
    assert not everything.filter(selectors.STALE_DUE_DAYS).exists()
    worked_out, judged = _overdue_both_ways(everything)
    assert worked_out and judged == worked_out
    overdue_derived = ChecklistItem.objects.filter(pk__in=judged).exclude(derived_from="")
    assert overdue_derived.exists()  # the facts of other apps were judged, not only ticks
    today = timezone.localdate()
    by_database = selectors.overdue_checklists(everything, today)
    # One task done five days after its day, for "late" to be judged too.
    done = ChecklistItem.objects.filter(derived_from="", done_on__isnull=False).first()
    ChecklistItem.objects.filter(pk=done.pk).update(
        done_on=(done.due_override or done.due_on) + datetime.timedelta(days=5)
    )
    stored = _timeliness(everything)
    assert any(row[4] for row in stored)

    # With no day stored, every checklist is worked out in Python, with the same answers.
    Onboarding.objects.update(dues_start=None)
    assert selectors.overdue_checklists(everything, today) == by_database
    assert _timeliness(everything) == stored


@pytest.fixture
def begun_long_ago(cast):
    """The peer worker's checklist, begun 400 days ago, every task by hand ticked: only
    the tasks worked out from other apps' facts are open."""
    Mentorship.objects.filter(peer=cast.peer).delete()
    onboarding = services.onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)
    Onboarding.objects.filter(pk=onboarding.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )
    PeerWorker.objects.filter(pk=cast.peer.pk).update(
        start_date=timezone.localdate() - datetime.timedelta(days=380)
    )
    services.checklist_due_days_refresh(onboardings=Onboarding.objects.filter(pk=onboarding.pk))
    onboarding.items.filter(derived_from="").update(done_on=timezone.localdate())
    return onboarding


def _overdue_kinds(onboarding):
    worked_out, judged = _overdue_both_ways(Onboarding.objects.filter(pk=onboarding.pk))
    assert judged == worked_out
    return set(ChecklistItem.objects.filter(pk__in=judged).values_list("derived_from", flat=True))


def test_each_fact_recorded_takes_its_task_off_the_overdue_list(cast, begun_long_ago):
    peer, today = cast.peer, timezone.localdate()
    assert _overdue_kinds(begun_long_ago) == {
        DerivedFrom.MENTOR_APPOINTED,
        DerivedFrom.EDUCATION_ENROLLED,
        DerivedFrom.MANDATORY_COURSES,
        DerivedFrom.FUNCTION_AGREED,
        DerivedFrom.LEAFLET_MADE,
    }
    MentorshipFactory(peer=peer, mentor=cast.mentor)
    cohort = Cohort.objects.create(
        course=Course.objects.first() or Course.objects.create(name="Peeruddannelsen"),
        name="Hold 1",
        start_date=today,
    )
    Enrolment.objects.create(cohort=cohort, peer=peer, status=Enrolment.Status.WAITING)
    assert DerivedFrom.MENTOR_APPOINTED not in _overdue_kinds(begun_long_ago)
    # A place on the waiting list is not a seat.
    assert DerivedFrom.EDUCATION_ENROLLED in _overdue_kinds(begun_long_ago)
    Enrolment.objects.filter(peer=peer).update(status=Enrolment.Status.ENROLLED)
    assert DerivedFrom.EDUCATION_ENROLLED not in _overdue_kinds(begun_long_ago)

    courses = list(MandatoryCourse.objects.filter(active=True)) or [
        MandatoryCourse.objects.create(name="Brandkursus", active=True),
        MandatoryCourse.objects.create(name="Førstehjælp", active=True),
    ]
    for course in courses[:-1]:
        CourseRecord.objects.create(peer=peer, course=course, completed_on=today)
    if len(courses) > 1:  # some, not all
        assert DerivedFrom.MANDATORY_COURSES in _overdue_kinds(begun_long_ago)
    CourseRecord.objects.create(peer=peer, course=courses[-1], completed_on=today)
    assert DerivedFrom.MANDATORY_COURSES not in _overdue_kinds(begun_long_ago)

    FunctionDescription.objects.create(
        peer=peer, number=1, leader_agreed_on=today, review_on=today + datetime.timedelta(365)
    )
    assert DerivedFrom.FUNCTION_AGREED in _overdue_kinds(begun_long_ago)  # one side only
    FunctionDescription.objects.filter(peer=peer).update(peer_agreed_on=today)
    assert DerivedFrom.FUNCTION_AGREED not in _overdue_kinds(begun_long_ago)

    presentation = Presentation.objects.create(peer=peer)
    assert DerivedFrom.LEAFLET_MADE in _overdue_kinds(begun_long_ago)
    Presentation.objects.filter(pk=presentation.pk).update(leaflet_made_on=today)
    assert _overdue_kinds(begun_long_ago) == set()


def test_a_vacancys_checklist_waits_for_the_posting_and_the_whole_committee(cast, vacancy):
    onboarding = vacancy.onboarding
    Onboarding.objects.filter(pk=onboarding.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=200)
    )
    type(vacancy).objects.filter(pk=vacancy.pk).update(
        planned_start_date=timezone.localdate() - datetime.timedelta(days=10)
    )
    services.checklist_due_days_refresh(onboardings=Onboarding.objects.filter(pk=onboarding.pk))
    onboarding.items.filter(derived_from="").update(done_on=timezone.localdate())
    kinds = _overdue_kinds(onboarding)
    # Published (by the fixture), so only what the peer worker brings is open, and the
    # committee while a recommended seat is empty.
    assert DerivedFrom.POSTING_PUBLISHED not in kinds
    assert DerivedFrom.MENTOR_APPOINTED in kinds
    vacancy.committee.all().delete()
    assert DerivedFrom.COMMITTEE_COMPLETE in _overdue_kinds(onboarding)
    type(vacancy).objects.filter(pk=vacancy.pk).update(published_on=None)
    assert DerivedFrom.POSTING_PUBLISHED in _overdue_kinds(onboarding)


def test_a_start_moved_outside_the_checklist_is_worked_out_until_the_daily_run(
    cast, begun_long_ago
):
    onboarding, today = begun_long_ago, timezone.localdate()
    first_follow_up = onboarding.items.get(anchor=Anchor.PROBATION_END)
    ChecklistItem.objects.filter(pk=first_follow_up.pk).update(done_on=None)
    assert selectors.overdue_checklists(Onboarding.objects.filter(pk=onboarding.pk), today)

    # The start moves a year on (on the peer worker's page, say): the stored days are
    # old, so the checklist is worked out task by task, and the follow-up is not due.
    PeerWorker.objects.filter(pk=cast.peer.pk).update(start_date=today + datetime.timedelta(30))
    assert Onboarding.objects.filter(selectors.STALE_DUE_DAYS, pk=onboarding.pk).exists()
    MentorshipFactory(peer=cast.peer, mentor=cast.mentor)
    moved = selectors.overdue_checklists(Onboarding.objects.filter(pk=onboarding.pk), today)
    worked_out, _judged = _overdue_both_ways(Onboarding.objects.filter(pk=onboarding.pk))
    assert first_follow_up.pk not in worked_out
    assert bool(moved) == bool(worked_out)

    call_command("store_checklist_due_days", verbosity=0)
    onboarding.refresh_from_db()
    assert onboarding.dues_start == today + datetime.timedelta(30)
    assert not Onboarding.objects.filter(selectors.STALE_DUE_DAYS, pk=onboarding.pk).exists()
    first_follow_up.refresh_from_db()
    assert first_follow_up.due_on > today
    assert _overdue_both_ways(Onboarding.objects.filter(pk=onboarding.pk))[1] == worked_out


def test_a_vacancys_new_start_moves_its_tasks_due_days(cast, vacancy):
    onboarding = vacancy.onboarding
    task = onboarding.items.get(title__startswith="Udarbejd ansættelseskontrakt")
    assert task.due_on == vacancy.planned_start_date - datetime.timedelta(days=21)
    later = vacancy.planned_start_date + datetime.timedelta(days=30)
    services.vacancy_update(
        vacancy=vacancy,
        by=cast.leader.user,
        expected_version=vacancy.version,
        planned_start_date=later,
    )
    task.refresh_from_db()
    assert task.due_on == later - datetime.timedelta(days=21)
    assert not Onboarding.objects.filter(selectors.STALE_DUE_DAYS, pk=onboarding.pk).exists()


def test_a_due_day_changed_by_hand_wins_over_the_stored_one(cast, begun_long_ago):
    onboarding, today = begun_long_ago, timezone.localdate()
    MentorshipFactory(peer=cast.peer, mentor=cast.mentor)
    task = onboarding.items.filter(derived_from="").first()
    ChecklistItem.objects.filter(pk=task.pk).update(done_on=None, due_override=today)
    assert task.pk not in _overdue_both_ways(Onboarding.objects.filter(pk=onboarding.pk))[1]
    ChecklistItem.objects.filter(pk=task.pk).update(due_override=today - datetime.timedelta(1))
    worked_out, judged = _overdue_both_ways(Onboarding.objects.filter(pk=onboarding.pk))
    assert task.pk in judged and judged == worked_out


def test_the_database_answers_for_checklists_with_stored_days_in_one_query(
    cast, begun_long_ago, django_assert_num_queries
):
    today = timezone.localdate()
    checklists = Onboarding.objects.filter(pk=begun_long_ago.pk)
    with django_assert_num_queries(1):
        assert selectors.overdue_checklists(checklists, today) == {
            begun_long_ago.pk: begun_long_ago.unit_id
        }
    with django_assert_num_queries(1):
        [counted] = selectors.onboarding_timeliness(checklists, today)
    assert counted.complete and counted.overdue == 0


def test_a_checklist_begun_on_another_day_is_worked_out_until_stored_again(cast, begun_long_ago):
    onboarding, today = begun_long_ago, timezone.localdate()
    MentorshipFactory(peer=cast.peer, mentor=cast.mentor)
    checklists = Onboarding.objects.filter(pk=onboarding.pk)
    # Begun only yesterday: the tasks already late then get the catch-up days, so
    # nothing is overdue, whatever the stored days said.
    onboarding.items.update(done_on=None)
    checklists.update(created_at=timezone.now() - datetime.timedelta(days=1))
    assert checklists.filter(selectors.STALE_DUE_DAYS).exists()
    worked_out, _judged = _overdue_both_ways(checklists)
    assert not worked_out
    assert selectors.overdue_checklists(checklists, today) == {}
    call_command("store_checklist_due_days", verbosity=0)
    assert _overdue_both_ways(checklists) == (set(), set())


def test_the_daily_run_stores_a_day_for_a_task_added_without_one(cast, begun_long_ago):
    task = begun_long_ago.items.filter(derived_from="").first()
    ChecklistItem.objects.filter(pk=task.pk).update(due_on=None)
    call_command("store_checklist_due_days", verbosity=0)
    task.refresh_from_db()
    assert task.due_on is not None
