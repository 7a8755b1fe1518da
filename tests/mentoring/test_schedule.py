import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mentoring import services
from mentoring.models import AwayPeriod, CheckIn, Mentorship
from peerprogram.services import ConcurrentEditError
from tests.factories import PeerWorkerFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db
JAN_1 = datetime.date(2026, 1, 1)  # a Thursday


def test_26_weekly_dates_on_the_chosen_weekday():
    dates = services.schedule_dates(start=JAN_1, weekday=1, count=26, away=[])
    assert len(dates) == 26
    assert dates[0] == datetime.date(2026, 1, 6)
    assert all(d.weekday() == 1 for d in dates)
    assert dates[-1] == datetime.date(2026, 6, 30)


def test_an_away_week_moves_the_meeting_on_and_keeps_26():
    away = [(datetime.date(2026, 1, 12), datetime.date(2026, 1, 23))]
    dates = services.schedule_dates(start=JAN_1, weekday=1, count=26, away=away)
    assert datetime.date(2026, 1, 13) not in dates and datetime.date(2026, 1, 20) not in dates
    assert dates[:3] == [
        datetime.date(2026, 1, 6),
        datetime.date(2026, 1, 27),
        datetime.date(2026, 2, 3),
    ]
    assert len(dates) == 26


def test_monthly_dates_fall_on_the_weekday_once_a_month():
    dates = services.schedule_dates(start=JAN_1, weekday=1, count=3, away=[], monthly=True)
    assert dates == [
        datetime.date(2026, 1, 6),
        datetime.date(2026, 2, 3),
        datetime.date(2026, 3, 3),
    ]


def _pair():
    peer = PeerWorkerFactory(start_date=JAN_1)
    mentor = StaffMemberFactory(unit=peer.staff_member.unit, name="Mona Mentor")
    return peer, mentor


def test_assigning_a_mentor_plans_the_check_ins_and_the_task_list(django_user_model):
    peer, mentor = _pair()
    mentorship = services.mentor_assign(
        peer=peer,
        mentor=mentor,
        start_date=JAN_1,
        by=None,
        weekday=3,
        meeting_time=datetime.time(13, 30),
    )
    checkins = list(mentorship.checkins.all())
    assert len(checkins) == 26
    assert checkins[0].date == datetime.date(2026, 1, 1)  # a Thursday itself
    assert {c.time for c in checkins} == {datetime.time(13, 30)}
    assert {c.duration_minutes for c in checkins} == {30}
    assert mentorship.tasks.count() == 6


def test_days_away_added_later_move_only_untouched_future_check_ins():
    peer, mentor = _pair()
    mentorship = services.mentor_assign(
        peer=peer, mentor=mentor, start_date=JAN_1, by=None, weekday=1
    )
    first, second, third = mentorship.checkins.all()[:3]
    services.checkin_log(checkin=first, by=None, outcome="held", expected_version=1)
    services.checkin_log(
        checkin=third,
        by=None,
        outcome="moved",
        expected_version=1,
        new_date=datetime.date(2026, 1, 22),
    )
    today = datetime.date(2026, 1, 10)
    AwayPeriod.objects.create(
        mentor=mentor, first_day=datetime.date(2026, 1, 12), last_day=datetime.date(2026, 1, 16)
    )
    services.schedule_refresh(mentorship=mentorship, today=today)
    dates = list(mentorship.checkins.values_list("date", "status"))
    assert (datetime.date(2026, 1, 6), "held") in dates
    assert (datetime.date(2026, 1, 13), "planned") not in dates  # away
    assert (datetime.date(2026, 1, 22), "planned") in dates  # moved by hand: kept
    assert mentorship.checkins.count() == 26


def test_logging_held_cancelled_and_moved(django_user_model):
    peer, mentor = _pair()
    mentorship = services.mentor_assign(peer=peer, mentor=mentor, start_date=JAN_1, by=None)
    a, b, c = mentorship.checkins.all()[:3]
    services.checkin_log(
        checkin=a,
        by=None,
        outcome="held",
        expected_version=a.version,
        duration_minutes=45,
        topics=["case", "nonsense"],
        note="Godt møde",
    )
    services.checkin_log(checkin=b, by=None, outcome="cancelled", expected_version=b.version)
    services.checkin_log(
        checkin=c,
        by=None,
        outcome="moved",
        expected_version=c.version,
        new_date=datetime.date(2026, 2, 2),
    )
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert (a.status, a.duration_minutes, a.topics, a.note) == ("held", 45, ["case"], "Godt møde")
    assert b.status == "cancelled"
    assert (c.status, c.date, c.moved_from) == (
        "planned",
        datetime.date(2026, 2, 2),
        datetime.date(2026, 1, 20),
    )


def test_moving_needs_a_new_date():
    peer, mentor = _pair()
    checkin = services.mentor_assign(
        peer=peer, mentor=mentor, start_date=JAN_1, by=None
    ).checkins.first()
    with pytest.raises(ValidationError) as error:
        services.checkin_log(checkin=checkin, by=None, outcome="moved", expected_version=1)
    assert error.value.message_dict == {"new_date": ["Vælg den nye dato."]}


def test_a_second_log_from_an_old_page_is_refused():
    peer, mentor = _pair()
    checkin = services.mentor_assign(
        peer=peer, mentor=mentor, start_date=JAN_1, by=None
    ).checkins.first()
    services.checkin_log(checkin=checkin, by=None, outcome="held", expected_version=1)
    with pytest.raises(ConcurrentEditError):
        services.checkin_log(checkin=checkin, by=None, outcome="cancelled", expected_version=1)


def test_a_new_mentor_ends_the_old_mentorship_and_keeps_its_history():
    peer, mentor = _pair()
    first = services.mentor_assign(peer=peer, mentor=mentor, start_date=JAN_1, by=None)
    other = StaffMemberFactory(unit=peer.staff_member.unit)
    second = services.mentor_assign(
        peer=peer, mentor=other, start_date=datetime.date(2026, 3, 2), by=None
    )
    first.refresh_from_db()
    assert (first.end_date, first.end_reason) == (datetime.date(2026, 3, 2), "new_match")
    assert first.checkins.filter(date__gt=datetime.date(2026, 3, 2)).count() == 0
    assert first.checkins.count() == 8  # the Tuesdays from 6 January to 24 February
    assert second.is_active


def test_one_active_mentorship_per_peer_in_the_database():
    peer, mentor = _pair()
    Mentorship.objects.create(peer=peer, mentor=mentor, start_date=JAN_1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mentorship.objects.create(peer=peer, mentor=mentor, start_date=JAN_1)


def test_a_mentor_may_come_from_another_unit_but_not_be_the_peer_or_inactive():
    peer, _mentor = _pair()
    elsewhere = services.mentor_assign(
        peer=peer, mentor=StaffMemberFactory(), start_date=JAN_1, by=None
    )
    assert elsewhere.mentor.unit_id != peer.staff_member.unit_id
    with pytest.raises(ValidationError) as error:
        services.mentor_assign(peer=peer, mentor=peer.staff_member, start_date=JAN_1, by=None)
    assert list(error.value.message_dict) == ["mentor"]
    with pytest.raises(ValidationError) as error:
        services.mentor_assign(
            peer=peer, mentor=StaffMemberFactory(active=False), start_date=JAN_1, by=None
        )
    assert error.value.message_dict == {"mentor": ["Vælg en aktiv medarbejder."]}


def test_continuing_monthly_plans_six_monthly_check_ins_after_six_months():
    peer, mentor = _pair()
    mentorship = services.mentor_assign(
        peer=peer, mentor=mentor, start_date=JAN_1, by=None, weekday=1
    )
    services.mentorship_continue_monthly(mentorship=mentorship, by=None)
    monthly = list(
        mentorship.checkins.filter(date__gte=datetime.date(2026, 7, 1)).values_list(
            "date", flat=True
        )
    )
    assert len(monthly) == 6
    assert all(d.weekday() == 1 for d in monthly)
    assert CheckIn.objects.filter(mentorship=mentorship).count() >= 6


def test_monthly_dates_do_not_drift_or_skip_a_month():
    dates = services.schedule_dates(
        start=datetime.date(2026, 11, 24), weekday=1, count=4, away=[], monthly=True
    )
    assert [d.month for d in dates] == [11, 12, 1, 2]
    assert all(d.weekday() == 1 for d in dates)


def test_a_check_in_cannot_be_held_before_its_day():
    peer, mentor = _pair()
    future = datetime.date.today() + datetime.timedelta(days=30)
    mentorship = services.mentor_assign(peer=peer, mentor=mentor, start_date=future, by=None)
    checkin = mentorship.checkins.first()
    with pytest.raises(ValidationError) as error:
        services.checkin_log(checkin=checkin, by=None, outcome="held", expected_version=1)
    assert (
        error.value.message_dict
        == {"outcome": ["A check-in can be logged as held on its day or later."]}
        or "outcome" in error.value.message_dict
    )


def test_monthly_dates_never_fall_before_the_start_or_twice_on_one_day():
    late = services.schedule_dates(
        start=datetime.date(2026, 1, 30), weekday=1, count=2, away=[], monthly=True
    )
    assert late[0] >= datetime.date(2026, 1, 30)
    away = [(datetime.date(2026, 1, 13), datetime.date(2026, 2, 16))]
    dates = services.schedule_dates(
        start=datetime.date(2026, 1, 13), weekday=1, count=3, away=away, monthly=True
    )
    assert len(set(dates)) == len(dates) == 3


def test_an_ended_mentorship_cannot_continue_or_be_logged():
    peer, mentor = _pair()
    mentorship = services.mentor_assign(peer=peer, mentor=mentor, start_date=JAN_1, by=None)
    services.mentorship_end(
        mentorship=mentorship, by=None, end_date=datetime.date(2026, 2, 1), reason="planned"
    )
    with pytest.raises(ValidationError):
        services.mentorship_continue_monthly(mentorship=mentorship, by=None)
    checkin = mentorship.checkins.first()
    with pytest.raises(ValidationError):
        services.checkin_log(
            checkin=checkin, by=None, outcome="cancelled", expected_version=checkin.version
        )
