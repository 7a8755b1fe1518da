"""Erfa meeting series: the dates a rule gives, Copenhagen wall-clock time across summer
time, and moving or cancelling one meeting without touching the rest."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from education import services
from education.models import Meeting, MeetingSeries

from .factories import ErfaGroupFactory

pytestmark = pytest.mark.django_db

MONDAY, TUESDAY, WEDNESDAY, THURSDAY = 0, 1, 2, 3
ONE_HOUR = datetime.timedelta(hours=1)
TWO_HOURS = datetime.timedelta(hours=2)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _dates(**rule):
    defaults = {"frequency": "monthly", "interval": 1, "week_of_month": 1}
    return services.series_dates(**{**defaults, **rule})


def _series(group, by, **rule):
    defaults = {
        "frequency": "monthly",
        "interval": 1,
        "weekday": TUESDAY,
        "week_of_month": 2,
        "start_time": datetime.time(13, 0),
        "end_time": datetime.time(14, 30),
        "first_date": datetime.date(2027, 1, 1),
        "last_date": datetime.date(2027, 6, 30),
        "kind": Meeting.Kind.INTERNAL,
    }
    return services.series_create(group=group, by=by, **{**defaults, **rule})


def test_the_second_tuesday_of_every_month():
    dates = _dates(
        weekday=TUESDAY,
        week_of_month=2,
        first_date=datetime.date(2027, 1, 1),
        last_date=datetime.date(2027, 6, 30),
    )
    assert dates == [
        datetime.date(2027, 1, 12),
        datetime.date(2027, 2, 9),
        datetime.date(2027, 3, 9),
        datetime.date(2027, 4, 13),
        datetime.date(2027, 5, 11),
        datetime.date(2027, 6, 8),
    ]


def test_every_third_month_gives_a_quarterly_meeting():
    dates = _dates(
        interval=3,
        weekday=TUESDAY,
        week_of_month=2,
        first_date=datetime.date(2027, 1, 1),
        last_date=datetime.date(2027, 12, 31),
    )
    assert dates == [
        datetime.date(2027, 1, 12),
        datetime.date(2027, 4, 13),
        datetime.date(2027, 7, 13),
        datetime.date(2027, 10, 12),
    ]


def test_minus_one_is_the_last_such_weekday_of_the_month():
    dates = _dates(
        weekday=THURSDAY,
        week_of_month=-1,
        first_date=datetime.date(2027, 1, 1),
        last_date=datetime.date(2027, 4, 30),
    )
    assert dates == [
        datetime.date(2027, 1, 28),
        datetime.date(2027, 2, 25),
        datetime.date(2027, 3, 25),
        datetime.date(2027, 4, 29),
    ]


def test_weekly_and_every_other_week():
    weekly = _dates(
        frequency="weekly",
        weekday=WEDNESDAY,
        first_date=datetime.date(2027, 2, 1),
        last_date=datetime.date(2027, 2, 28),
    )
    assert weekly == [
        datetime.date(2027, 2, 3),
        datetime.date(2027, 2, 10),
        datetime.date(2027, 2, 17),
        datetime.date(2027, 2, 24),
    ]
    fortnightly = _dates(
        frequency="weekly",
        interval=2,
        weekday=WEDNESDAY,
        first_date=datetime.date(2027, 2, 1),
        last_date=datetime.date(2027, 3, 31),
    )
    assert fortnightly == [
        datetime.date(2027, 2, 3),
        datetime.date(2027, 2, 17),
        datetime.date(2027, 3, 3),
        datetime.date(2027, 3, 17),
        datetime.date(2027, 3, 31),
    ]


def test_a_series_makes_one_planned_meeting_per_date_with_the_groups_defaults(cast):
    group = ErfaGroupFactory(place="Mødelokale 2", online_link="https://teams.example.org/x")
    series, meetings = _series(group, cast.centre.user)
    stored = list(series.meetings.order_by("starts_at"))
    assert stored == meetings
    assert [m.series_date for m in stored] == [
        datetime.date(2027, 1, 12),
        datetime.date(2027, 2, 9),
        datetime.date(2027, 3, 9),
        datetime.date(2027, 4, 13),
        datetime.date(2027, 5, 11),
        datetime.date(2027, 6, 8),
    ]
    assert {(m.group, m.kind, m.status, m.place, m.online_link) for m in stored} == {
        (group, "internal", "planned", "Mødelokale 2", "https://teams.example.org/x")
    }


def test_thirteen_oclock_stays_thirteen_oclock_across_both_changes_of_summer_time(cast):
    # Summer time 2027 runs from Sunday 28 March to Sunday 31 October.
    _series_, meetings = _series(
        ErfaGroupFactory(),
        cast.centre.user,
        frequency="weekly",
        weekday=MONDAY,
        first_date=datetime.date(2027, 3, 22),
        last_date=datetime.date(2027, 11, 8),
    )
    assert len(meetings) == 34
    stored = list(Meeting.objects.order_by("starts_at"))
    for meeting in stored:
        local = timezone.localtime(meeting.starts_at)
        assert (local.date(), local.time()) == (meeting.series_date, datetime.time(13, 0))
        assert timezone.localtime(meeting.ends_at).time() == datetime.time(14, 30)
    offsets = {
        timezone.localtime(m.starts_at).date(): timezone.localtime(m.starts_at).utcoffset()
        for m in stored
    }
    assert offsets[datetime.date(2027, 3, 22)] == ONE_HOUR
    assert offsets[datetime.date(2027, 3, 29)] == TWO_HOURS
    assert offsets[datetime.date(2027, 10, 25)] == TWO_HOURS
    assert offsets[datetime.date(2027, 11, 1)] == ONE_HOUR
    assert [
        offsets[d]
        for d in sorted(offsets)
        if datetime.date(2027, 3, 28) < d < datetime.date(2027, 10, 31)
    ] == [TWO_HOURS] * 31
    # In UTC the meeting moves: 12:00 in winter, 11:00 in summer.
    first, second = stored[0], stored[1]
    assert first.starts_at.astimezone(datetime.UTC).time() == datetime.time(12, 0)
    assert second.starts_at.astimezone(datetime.UTC).time() == datetime.time(11, 0)
    assert timezone.localtime(first.starts_at).isoformat() == "2027-03-22T13:00:00+01:00"
    assert timezone.localtime(second.starts_at).isoformat() == "2027-03-29T13:00:00+02:00"
    assert timezone.localtime(stored[-1].starts_at).isoformat() == "2027-11-08T13:00:00+01:00"


def test_moving_one_meeting_remembers_where_it_was_and_keeps_it_in_the_series(cast):
    series, meetings = _series(ErfaGroupFactory(), cast.centre.user)
    march = meetings[2]
    original = march.starts_at
    new_start = timezone.make_aware(datetime.datetime(2027, 3, 11, 10, 0))
    services.meeting_update(
        meeting=march,
        by=cast.centre.user,
        expected_version=march.version,
        starts_at=new_start,
        ends_at=new_start + datetime.timedelta(minutes=90),
    )
    march.refresh_from_db()
    assert (march.starts_at, march.moved_from) == (new_start, original)
    assert (march.series, march.series_date) == (series, datetime.date(2027, 3, 9))
    # Moved again: it still remembers the time the rule gave it.
    later = new_start + datetime.timedelta(days=1)
    services.meeting_update(
        meeting=march,
        by=cast.centre.user,
        expected_version=march.version,
        starts_at=later,
        ends_at=later + datetime.timedelta(minutes=90),
    )
    march.refresh_from_db()
    assert (march.starts_at, march.moved_from) == (later, original)
    others = Meeting.objects.exclude(pk=march.pk)
    assert set(others.values_list("moved_from", flat=True)) == {None}


def test_editing_a_meeting_without_a_new_time_is_not_a_move(cast):
    _series_, meetings = _series(ErfaGroupFactory(), cast.centre.user)
    meeting = meetings[0]
    services.meeting_update(
        meeting=meeting, by=cast.centre.user, expected_version=meeting.version, topic="CHIME"
    )
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.moved_from) == ("CHIME", None)


def test_cancelling_one_meeting_leaves_the_rest_of_the_series_planned(cast):
    series, meetings = _series(ErfaGroupFactory(), cast.centre.user)
    april = meetings[3]
    services.meeting_cancel(
        meeting=april, by=cast.centre.user, reason=" Påske ", expected_version=april.version
    )
    rows = list(series.meetings.order_by("starts_at").values_list("series_date", "status"))
    assert rows == [
        (datetime.date(2027, 1, 12), "planned"),
        (datetime.date(2027, 2, 9), "planned"),
        (datetime.date(2027, 3, 9), "planned"),
        (datetime.date(2027, 4, 13), "cancelled"),
        (datetime.date(2027, 5, 11), "planned"),
        (datetime.date(2027, 6, 8), "planned"),
    ]
    april.refresh_from_db()
    assert april.cancel_reason == "Påske"
    with pytest.raises(ValidationError) as error:
        services.meeting_cancel(
            meeting=april, by=cast.centre.user, reason="igen", expected_version=april.version
        )
    assert error.value.messages == ["The meeting is already cancelled."]


def test_a_series_never_has_two_meetings_for_one_date(cast):
    series, meetings = _series(ErfaGroupFactory(), cast.centre.user)
    first = meetings[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            group=first.group,
            series=series,
            series_date=first.series_date,
            kind=Meeting.Kind.INTERNAL,
            starts_at=first.starts_at + TWO_HOURS,
            ends_at=first.ends_at + TWO_HOURS,
        )
    assert series.meetings.count() == 6


def test_more_than_120_meetings_at_once_are_refused(cast):
    with pytest.raises(ValidationError) as error:
        _series(
            ErfaGroupFactory(),
            cast.centre.user,
            frequency="weekly",
            weekday=MONDAY,
            first_date=datetime.date(2027, 1, 1),
            last_date=datetime.date(2029, 12, 31),
        )
    assert error.value.messages == [
        "The rule gives 157 meetings; at most 120 at a time. Choose a shorter period."
    ]
    assert (MeetingSeries.objects.count(), Meeting.objects.count()) == (0, 0)


def test_a_period_with_no_meeting_day_in_it_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        _series(
            ErfaGroupFactory(),
            cast.centre.user,
            frequency="weekly",
            weekday=MONDAY,
            first_date=datetime.date(2027, 1, 5),  # Tuesday
            last_date=datetime.date(2027, 1, 9),  # Saturday
        )
    assert error.value.messages == ["The rule gives no meetings in this period."]
    assert (MeetingSeries.objects.count(), Meeting.objects.count()) == (0, 0)


def test_a_period_that_ends_before_it_starts_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        _series(
            ErfaGroupFactory(),
            cast.centre.user,
            first_date=datetime.date(2027, 6, 30),
            last_date=datetime.date(2027, 1, 1),
        )
    assert error.value.messages == ["The period must end after it starts."]
    assert (MeetingSeries.objects.count(), Meeting.objects.count()) == (0, 0)
