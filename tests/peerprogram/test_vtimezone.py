"""The VTIMEZONE block of the calendar files and the personal feed: Europe/Copenhagen as
two yearly rules (RRULE), as Outlook and Google write it. Not one RDATE of many dates:
Thunderbird (ical.js) reads only its first date and shows summer events an hour late, and
the dates stopped in 2038. Each file is read by its own VTIMEZONE, as a client does."""

import datetime
import zoneinfo
from unittest import mock

import pytest
from dateutil.rrule import rrulestr
from django.urls import reverse
from icalendar import Calendar, Timezone

from education import services as education_services
from tests.education.factories import CheckInFactory, MeetingFactory, peers_group

pytestmark = pytest.mark.django_db
COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")
YEARS = range(2026, 2041)


def _last_sunday(year: int, month: int) -> datetime.date:
    last = datetime.date(year, month, 31)
    return last - datetime.timedelta(days=(last.weekday() + 1) % 7)


def _wall_clock_times() -> list[datetime.datetime]:
    """Copenhagen times each year: deep winter, high summer, and either side of both
    changes (the evening before, before 02:00 and after 03:00 on the day, the day after).
    Never the hour skipped or repeated, which a wall-clock time cannot name alone."""
    times = []
    for year in YEARS:
        times += [datetime.datetime(year, 1, 15, 10), datetime.datetime(year, 7, 15, 10)]
        for change in (_last_sunday(year, 3), _last_sunday(year, 10)):
            day_before = change - datetime.timedelta(days=1)
            day_after = change + datetime.timedelta(days=1)
            times += [
                datetime.datetime.combine(day_before, datetime.time(23, 30)),
                datetime.datetime.combine(change, datetime.time(0, 30)),
                datetime.datetime.combine(change, datetime.time(3, 30)),
                datetime.datetime.combine(day_after, datetime.time(10, 0)),
            ]
    return times


def _instants() -> list[datetime.datetime]:
    return [wall.replace(tzinfo=COPENHAGEN) for wall in _wall_clock_times()]


def _vtimezone(calendar: Calendar) -> Timezone:
    [vtimezone] = calendar.walk("VTIMEZONE")
    assert vtimezone.tz_name == "Europe/Copenhagen"
    return vtimezone


def _utc_offset(vtimezone: Timezone, wall: datetime.datetime) -> datetime.timedelta:
    """The offset the file's VTIMEZONE gives a wall-clock time: that of the observance
    (STANDARD or DAYLIGHT) with the latest onset at or before it, its onsets being its
    DTSTART, its RDATEs and what its RRULE expands to."""
    onsets = []
    for observance in vtimezone.standard + vtimezone.daylight:
        starts = [observance.DTSTART] + [start for start, _end in observance.rdates]
        for rule in observance.rrules:
            expanded = rrulestr(rule.to_ical().decode(), dtstart=observance.DTSTART)
            starts.append(expanded.before(wall, inc=True))
        starts = [start for start in starts if start is not None and start <= wall]
        if starts:
            onsets.append((max(starts), observance.TZOFFSETTO))
    assert onsets, f"{wall} is before the VTIMEZONE begins"
    return max(onsets)[1]


def _starts_by_the_files_own_timezone(body: bytes) -> set[datetime.datetime]:
    """Every event's start and end as an instant in UTC, read through the file's own
    VTIMEZONE; each checked against Python's zoneinfo on the way."""
    calendar = Calendar.from_ical(body)
    vtimezone = _vtimezone(calendar)
    starts = set()
    for event in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            prop = event[name]
            if not isinstance(prop.dt, datetime.datetime):
                continue  # a whole-day item: a date, no time zone
            assert prop.params["TZID"] == vtimezone.tz_name, event["UID"]
            wall = prop.dt.replace(tzinfo=None)
            by_file = (wall - _utc_offset(vtimezone, wall)).replace(tzinfo=datetime.UTC)
            by_zoneinfo = wall.replace(tzinfo=COPENHAGEN).astimezone(datetime.UTC)
            assert by_file == by_zoneinfo, f"{event['UID']} {name} {wall}"
            if name == "DTSTART":
                starts.add(by_file)
    return starts


def _assert_two_yearly_rules(body: bytes) -> None:
    vtimezone = _vtimezone(Calendar.from_ical(body))
    assert b"RDATE" not in body
    assert [str(o["TZNAME"]) for o in vtimezone.standard] == ["CET"]
    assert [str(o["TZNAME"]) for o in vtimezone.daylight] == ["CEST"]
    rules = {o.name: [r.to_ical() for r in o.rrules] for o in vtimezone.subcomponents}
    assert rules == {
        "STANDARD": [b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"],
        "DAYLIGHT": [b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"],
    }


def _check_ins_at(mentorship, instants: list[datetime.datetime]) -> None:
    for instant in instants:
        CheckInFactory(mentorship=mentorship, date=instant.date(), time=instant.time())


def _meetings_at(instants: list[datetime.datetime]) -> list:
    group = peers_group()
    return [
        MeetingFactory(
            group=group, starts_at=instant, ends_at=instant + datetime.timedelta(minutes=30)
        )
        for instant in instants
    ]


def test_the_mentorship_file_has_copenhagen_time_right_from_2026_to_2040(client_for, cast):
    mentorship = cast.peer.mentorships.get()
    _check_ins_at(mentorship, _instants())
    url = reverse("mentoring:mentorship_ics", args=[mentorship.pk])
    body = client_for("mentor").get(url).content
    _assert_two_yearly_rules(body)
    assert _starts_by_the_files_own_timezone(body) == set(_instants())


def test_the_personal_feed_has_copenhagen_time_right_from_2026_to_2040(client, cast):
    # Check-ins (written by mentoring) and erfa meetings (by education) alike.
    _check_ins_at(cast.peer.mentorships.get(), _instants())
    _meetings_at(_instants())
    url = reverse(
        "education:calendar_feed",
        args=[education_services.feed_for(cast.peer.staff_member).token],
    )
    starts: set[datetime.datetime] = set()
    for year in YEARS:  # the feed shows about a year at a time: move the clock along
        now = datetime.datetime(year, 1, 1, 12, tzinfo=datetime.UTC)
        with mock.patch("django.utils.timezone.now", return_value=now):
            body = client.get(url).content
        _assert_two_yearly_rules(body)
        starts |= _starts_by_the_files_own_timezone(body)
    assert starts >= set(_instants())


def test_one_meeting_file_has_copenhagen_time_right_in_summer_and_winter(client_for, cast):
    summer, winter = _meetings_at(
        [
            datetime.datetime(2039, 7, 15, 13, tzinfo=COPENHAGEN),
            datetime.datetime(2039, 12, 15, 13, tzinfo=COPENHAGEN),
        ]
    )
    client = client_for("peer")
    for meeting in (summer, winter):
        body = client.get(reverse("education:meeting_ics", args=[meeting.pk])).content
        _assert_two_yearly_rules(body)
        assert _starts_by_the_files_own_timezone(body) == {meeting.starts_at}
