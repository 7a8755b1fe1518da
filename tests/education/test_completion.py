"""Completion of the peer education: from the attendance or marked by hand, what the
onboarding checklist reads from it, and the follow-up list of peers not done."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from education import selectors, services
from education.models import DayAttendance, MandatoryCourse
from peerprogram.models import PeerWorker
from recruitment import selectors as recruitment_selectors
from recruitment import services as recruitment_services
from recruitment.models import Anchor, DerivedFrom
from tests.factories import PeerWorkerFactory

from .factories import CohortFactory, schedule

pytestmark = pytest.mark.django_db

# Six modules on Mondays (Monday + Tuesday), the seventh on a Friday (Friday + Monday).
FIRST_DAYS_2025 = [
    datetime.date(2025, 3, 3),
    datetime.date(2025, 3, 10),
    datetime.date(2025, 3, 17),
    datetime.date(2025, 3, 24),
    datetime.date(2025, 3, 31),
    datetime.date(2025, 4, 7),
    datetime.date(2025, 4, 11),
]
LAST_TEACHING_DAY = datetime.date(2025, 4, 14)
THEME_DAY = "Hold en temadag om peerstøtte efter uddannelsen"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _cohort_2025(name="Hold 2025"):
    cohort = CohortFactory(
        name=name, start_date=datetime.date(2025, 3, 3), status="running", capacity=2
    )
    schedule(cohort, FIRST_DAYS_2025)
    return cohort


def _attend(sessions, enrolments, *, by, skip=()):
    """Everyone present on both days of every module, except (enrolment, module, day)."""
    for session in sessions:
        present = {
            (e.pk, day)
            for e in enrolments
            for day in (1, 2)
            if (e, session.module.number, day) not in skip
        }
        services.attendance_save(session=session, by=by, present=present)


def _participation(enrolment):
    return selectors.participations([enrolment])[0]


def test_both_days_of_all_seven_modules_complete_the_education_on_the_last_teaching_day(cast):
    cohort = _cohort_2025()
    enrolment = services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.peer, centre=True)
    _attend(list(cohort.sessions.select_related("module")), [enrolment], by=cast.centre.user)

    participation = _participation(enrolment)
    assert DayAttendance.objects.filter(enrolment=enrolment).count() == 14
    assert participation.modules_attended == 7
    assert (participation.completed_on, participation.completed_by_hand) == (
        LAST_TEACHING_DAY,
        False,
    )
    facts = selectors.checklist_facts([cast.peer.pk])[cast.peer.pk]
    assert (facts.cohort, facts.completed_on) == ("Hold 2025", LAST_TEACHING_DAY)


def test_one_missed_teaching_day_means_not_completed(cast):
    cohort = _cohort_2025()
    enrolment = services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.peer, centre=True)
    sessions = list(cohort.sessions.select_related("module"))
    _attend(sessions, [enrolment], by=cast.centre.user, skip={(enrolment, 4, 2)})

    participation = _participation(enrolment)
    assert participation.modules_attended == 6
    assert participation.completed_on is None
    assert [(s.module.number, d1, d2) for s, d1, d2 in participation.grid()][3] == (4, True, False)
    assert selectors.checklist_facts([cast.peer.pk])[cast.peer.pk].completed_on is None


def test_attendance_is_kept_only_for_participants_with_a_seat(cast):
    cohort = _cohort_2025()
    seated = services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.peer, centre=True)
    services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.other_peer, centre=True)
    waiting = services.enrol(
        cohort=cohort, by=cast.centre.user, external_name="Eva Ekstern", centre=True
    )
    assert waiting.status == "waiting"
    session = cohort.sessions.get(module__number=1)
    services.attendance_save(
        session=session,
        by=cast.centre.user,
        present={(seated.pk, 1), (seated.pk, 2), (waiting.pk, 1), (seated.pk, 3)},
    )
    assert sorted(session.attendance.values_list("enrolment_id", "day")) == [
        (seated.pk, 1),
        (seated.pk, 2),
    ]


def test_attendance_needs_the_dates_and_waits_for_the_teaching_day(cast):
    cohort = CohortFactory(start_date=datetime.date(2025, 1, 6))
    session = cohort.sessions.get(module__number=1)
    with pytest.raises(ValidationError) as error:
        services.attendance_save(session=session, by=cast.centre.user, present=set())
    assert error.value.messages == ["Set the module's dates before taking attendance."]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    session.first_day = tomorrow
    session.save(update_fields=["first_day"])
    with pytest.raises(ValidationError) as error:
        services.attendance_save(session=session, by=cast.centre.user, present=set())
    assert error.value.messages == ["Attendance is taken on or after the teaching day."]


def test_marking_completed_by_hand_needs_a_reason_and_a_date_not_in_the_future(cast):
    cohort = _cohort_2025()
    enrolment = services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.peer, centre=True)
    with pytest.raises(ValidationError) as error:
        services.enrolment_mark_completed(
            enrolment=enrolment, by=cast.centre.user, completed_on=LAST_TEACHING_DAY, reason="  "
        )
    assert error.value.message_dict == {
        "completion_reason": ["Say why the participant has completed."]
    }
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.enrolment_mark_completed(
            enrolment=enrolment, by=cast.centre.user, completed_on=tomorrow, reason="Indhentet"
        )
    assert error.value.message_dict == {"completed_on": ["The date cannot be in the future."]}
    enrolment.refresh_from_db()
    assert (enrolment.completed_on, enrolment.completion_reason) == (None, "")

    services.enrolment_mark_completed(
        enrolment=enrolment,
        by=cast.centre.user,
        completed_on=datetime.date(2025, 5, 20),
        reason=" Modul 4 taget på Hold 2024 ",
    )
    enrolment.refresh_from_db()
    participation = _participation(enrolment)
    assert (participation.completed_on, participation.completed_by_hand) == (
        datetime.date(2025, 5, 20),
        True,
    )
    assert enrolment.completion_reason == "Modul 4 taget på Hold 2024"

    services.enrolment_mark_completed(
        enrolment=enrolment, by=cast.centre.user, completed_on=None, reason="ignored"
    )
    enrolment.refresh_from_db()
    assert (enrolment.completed_on, enrolment.completion_reason) == (None, "")


def test_only_a_participant_with_a_seat_can_be_marked_completed(cast):
    cohort = CohortFactory(capacity=1)
    services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.other_peer, centre=True)
    waiting = services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.peer, centre=True)
    with pytest.raises(ValidationError) as error:
        services.enrolment_mark_completed(
            enrolment=waiting,
            by=cast.centre.user,
            completed_on=datetime.date(2025, 5, 20),
            reason="Indhentet",
        )
    assert error.value.messages == ["Only a participant with a seat can complete the education."]


# The onboarding checklist ---------------------------------------------------------------


def _status(progress, *, derived_from=None, anchor=None):
    found = [
        s
        for s in progress.statuses
        if (derived_from is None or s.item.derived_from == derived_from)
        and (anchor is None or s.item.anchor == anchor)
    ]
    assert len(found) <= 1
    return found[0] if found else None


def test_the_checklist_shows_the_seat_on_a_cohort_as_done(cast):
    onboarding = recruitment_services.onboarding_start_for_peer(peer=cast.peer, by=None)
    enrolled = DerivedFrom.EDUCATION_ENROLLED
    before = _status(recruitment_selectors.onboarding_detail(onboarding), derived_from=enrolled)
    assert (before.item.title, before.done_on, before.done_by) == (
        "Tilmeld peeruddannelsen",
        None,
        "",
    )

    cohort = CohortFactory(name="Hold 2027")
    services.enrol(cohort=cohort, by=cast.leader.user, peer=cast.peer)

    after = _status(recruitment_selectors.onboarding_detail(onboarding), derived_from=enrolled)
    assert (after.done_on, after.done_by, after.state) == (
        timezone.localdate(),
        "Hold 2027",
        "done",
    )


def test_a_place_on_the_waiting_list_does_not_tick_the_seat(cast):
    onboarding = recruitment_services.onboarding_start_for_peer(peer=cast.peer, by=None)
    cohort = CohortFactory(capacity=1)
    services.enrol(cohort=cohort, by=cast.outsider.user, peer=cast.other_peer)
    services.enrol(cohort=cohort, by=cast.leader.user, peer=cast.peer)
    status = _status(
        recruitment_selectors.onboarding_detail(onboarding),
        derived_from=DerivedFrom.EDUCATION_ENROLLED,
    )
    assert status.done_on is None


def test_the_checklist_shows_the_mandatory_courses_done_when_every_active_one_is(cast):
    services.standard_data_ensure()
    onboarding = recruitment_services.onboarding_start_for_peer(peer=cast.peer, by=None)
    it, fire, conflict = MandatoryCourse.objects.order_by("order")
    assert [c.name for c in (it, fire, conflict)] == [
        "Klinisk it-arbejdsplads",
        "Brandskole",
        "Konflikthåndtering",
    ]
    services.course_records_save(
        peer=cast.peer,
        by=cast.leader.user,
        rows=[
            (it, datetime.date(2024, 1, 10), datetime.date(2024, 1, 12)),
            (fire, datetime.date(2024, 2, 1), datetime.date(2024, 2, 1)),
            (conflict, datetime.date(2024, 3, 1), None),
        ],
    )

    def courses():
        progress = recruitment_selectors.onboarding_detail(onboarding)
        return _status(progress, derived_from=DerivedFrom.MANDATORY_COURSES)

    assert (courses().item.title, courses().done_on) == ("Tilmeld de obligatoriske kurser", None)
    services.course_records_save(
        peer=cast.peer,
        by=cast.leader.user,
        rows=[(conflict, datetime.date(2024, 3, 1), datetime.date(2024, 3, 5))],
    )
    assert courses().done_on == datetime.date(2024, 3, 5)

    # A new mandatory course opens the item again; one taken out of use does not count.
    extra = services.mandatory_course_save(
        course=None, by=cast.centre.user, name="Førstehjælp", description="", order=40, active=True
    )
    assert courses().done_on is None
    services.mandatory_course_save(
        course=extra,
        by=cast.centre.user,
        name="Førstehjælp",
        description="",
        order=40,
        active=False,
    )
    assert courses().done_on == datetime.date(2024, 3, 5)


def test_course_records_refuse_future_dates_and_completion_before_enrolment(cast):
    services.standard_data_ensure()
    it, fire, _conflict = MandatoryCourse.objects.order_by("order")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.course_records_save(
            peer=cast.peer,
            by=cast.leader.user,
            rows=[
                (it, None, tomorrow),
                (fire, datetime.date(2024, 2, 1), datetime.date(2024, 1, 1)),
            ],
        )
    assert error.value.messages == [
        "Klinisk it-arbejdsplads: the completion date cannot be in the future.",
        "Brandskole: completed before enrolled.",
    ]
    assert not cast.peer.course_records.exists()


def test_the_theme_day_appears_only_after_completion_and_is_due_60_days_later(cast):
    onboarding = recruitment_services.onboarding_start_for_peer(peer=cast.peer, by=None)
    completed = Anchor.EDUCATION_COMPLETED
    assert onboarding.items.filter(anchor=completed, title=THEME_DAY).count() == 1
    assert _status(recruitment_selectors.onboarding_detail(onboarding), anchor=completed) is None

    cohort = _cohort_2025()
    enrolment = services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.peer, centre=True)
    sessions = list(cohort.sessions.select_related("module"))
    _attend(sessions, [enrolment], by=cast.centre.user, skip={(enrolment, 7, 2)})
    assert _status(recruitment_selectors.onboarding_detail(onboarding), anchor=completed) is None

    _attend(sessions[-1:], [enrolment], by=cast.centre.user)
    theme = _status(recruitment_selectors.onboarding_detail(onboarding), anchor=completed)
    assert (theme.item.title, theme.due, theme.done_on) == (
        THEME_DAY,
        LAST_TEACHING_DAY + datetime.timedelta(days=60),
        None,
    )
    assert theme.due == datetime.date(2025, 6, 13)


def test_the_theme_day_follows_a_completion_marked_by_hand(cast):
    onboarding = recruitment_services.onboarding_start_for_peer(peer=cast.peer, by=None)
    cohort = _cohort_2025()
    enrolment = services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.peer, centre=True)
    services.enrolment_mark_completed(
        enrolment=enrolment,
        by=cast.centre.user,
        completed_on=datetime.date(2025, 5, 1),
        reason="Modul 7 indhentet",
    )
    theme = _status(
        recruitment_selectors.onboarding_detail(onboarding), anchor=Anchor.EDUCATION_COMPLETED
    )
    assert theme.due == datetime.date(2025, 6, 30)


# The follow-up list ---------------------------------------------------------------------


def _next_monday(day):
    return day + datetime.timedelta(days=7 - day.weekday())


def test_the_follow_up_lists_who_is_not_on_track_and_not_who_completed(cast):
    today = timezone.localdate()
    by = cast.centre.user

    def peer(name, days_ago):
        return PeerWorkerFactory(
            staff_member__name=name,
            staff_member__unit=cast.unit,
            start_date=today - datetime.timedelta(days=days_ago),
        )

    not_enrolled = peer("Anna Andersen", 100)
    waiting = peer("Bo Bech", 110)
    ends_late = peer("Carl Czech", 300)
    on_track = peer("Dorte Dahl", 50)
    completed = peer("Erik Eriksen", 200)

    full = CohortFactory(name="Hold Fuld", capacity=1)
    services.enrol(cohort=full, by=by, peer=cast.other_peer)
    services.enrol(cohort=full, by=by, peer=waiting)

    first = _next_monday(today + datetime.timedelta(days=70))
    coming = CohortFactory(name="Hold Næste", start_date=first)
    sessions = schedule(coming, [first + datetime.timedelta(weeks=i) for i in range(7)])
    services.enrol(cohort=coming, by=by, peer=ends_late)
    services.enrol(cohort=coming, by=by, peer=on_track)
    ends = sessions[-1].days[-1]
    assert ends > selectors.education_deadline(ends_late)
    assert ends < selectors.education_deadline(on_track)

    done_cohort = _cohort_2025()
    seat = services.enrol(cohort=done_cohort, by=by, peer=completed, centre=True)
    _attend(list(done_cohort.sessions.select_related("module")), [seat], by=by)

    peers = PeerWorker.objects.filter(
        pk__in=[p.pk for p in (not_enrolled, waiting, ends_late, on_track, completed)]
    )
    rows = selectors.education_followup(peers)
    assert [(r.peer.name, r.problems) for r in rows] == [
        (
            "Carl Czech",
            [f"The cohort ends {ends.day} {ends:%b %Y}, after the first year of employment."],
        ),
        ("Bo Bech", ["Only on the waiting list for Hold Fuld."]),
        ("Anna Andersen", ["Not enrolled in the peer education."]),
        ("Dorte Dahl", []),
    ]
    assert [r.deadline for r in rows] == [
        selectors.education_deadline(p) for p in (ends_late, waiting, not_enrolled, on_track)
    ]


def test_the_follow_up_says_when_the_first_year_is_over_and_skips_those_who_left(cast):
    cast.other_peer.end_date = datetime.date(2025, 1, 31)
    cast.other_peer.save(update_fields=["end_date"])
    rows = selectors.education_followup(PeerWorker.objects.all())
    assert [(r.peer.name, r.problems) for r in rows] == [
        (
            "Pia Peer",
            ["Not enrolled in the peer education.", "The first year of employment is over."],
        )
    ]
