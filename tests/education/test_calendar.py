"""Calendars: the personal feed Outlook subscribes to, single-meeting files, double
bookings, the month view, and fixed query counts on the busy pages."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from education import selectors, services
from education.models import CalendarFeed, MentorModule, local_datetime
from mentoring.models import CheckIn
from tests.factories import StaffMemberFactory

from .factories import (
    CheckInFactory,
    CohortFactory,
    EnrolmentFactory,
    ErfaGroupFactory,
    MeetingFactory,
    SupervisionFactory,
    mentors_group,
    peers_group,
    schedule,
)

pytestmark = pytest.mark.django_db
COPENHAGEN = "Europe/Copenhagen"
NINE = datetime.time(9, 0)
# Measured at 13 (cohort page, Centre and leader) and 13 (month, peer, with two for the
# follow-up talks; 8 for the Centre) at both data sizes: five for any page and one for the
# actor, then the page's own.
COHORT_PAGE_QUERIES = 13
CALENDAR_PAGE_QUERIES = 13


@pytest.fixture(autouse=True)
def _english(client):
    """Outlook fetches the feed without a login; these tests read it in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _monday_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=7 - day.weekday())


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return local_datetime(day, datetime.time(hour, minute))


@pytest.fixture
def plan(cast):
    """The peer's coming weeks, counted from today so they fall inside the feed's window:
    a cohort (a module a week), erfa meetings for peers and for mentors, a supervision for
    the peer and one for another peer, and two mentor check-ins."""
    first = _monday_after(timezone.localdate() + datetime.timedelta(days=14))
    cohort = CohortFactory(name="Hold Næste", start_date=first)
    sessions = schedule(cohort, [first + datetime.timedelta(weeks=i) for i in range(7)])
    services.enrol(cohort=cohort, by=cast.centre.user, peer=cast.peer, centre=True)
    wednesday = first + datetime.timedelta(days=2)
    peer_erfa = MeetingFactory(group=peers_group(), starts_at=_at(wednesday, 13))
    cancelled_erfa = MeetingFactory(
        group=peers_group(), starts_at=_at(wednesday + datetime.timedelta(weeks=4), 13)
    )
    services.meeting_cancel(
        meeting=cancelled_erfa, by=cast.centre.user, reason="Sygdom", expected_version=1
    )
    mentor_erfa = MeetingFactory(group=mentors_group(), starts_at=_at(wednesday, 15))
    members_only = MeetingFactory(group=ErfaGroupFactory(), starts_at=_at(wednesday, 8))
    thursday = first + datetime.timedelta(days=3)
    supervision = services.supervision_create(
        by=cast.centre.user,
        participants=[cast.peer],
        starts_at=_at(thursday, 13),
        ends_at=_at(thursday, 14),
        supervisor="Susanne Supervisor",
    )
    other_supervision = SupervisionFactory(
        starts_at=_at(thursday, 13), participants=[cast.other_peer]
    )
    mentorship = cast.peer.mentorships.get()
    assert not mentorship.checkins.exists()  # MentorshipFactory plans no check-ins
    checkins = [
        CheckInFactory(mentorship=mentorship, date=first + datetime.timedelta(days=4)),
        CheckInFactory(
            mentorship=mentorship,
            date=first + datetime.timedelta(days=11),
            status=CheckIn.Status.CANCELLED,
        ),
    ]
    return {
        "first": first,
        "cohort": cohort,
        "sessions": sessions,
        "peer_erfa": peer_erfa,
        "cancelled_erfa": cancelled_erfa,
        "mentor_erfa": mentor_erfa,
        "members_only": members_only,
        "supervision": supervision,
        "other_supervision": other_supervision,
        "checkins": checkins,
    }


def _feed_url(person):
    return reverse("education:calendar_feed", args=[services.feed_for(person).token])


def _events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_the_peers_feed_has_their_teaching_days_erfa_supervision_and_check_ins(client, cast, plan):
    events = _events(client.get(_feed_url(cast.peer.staff_member)))
    teaching = {
        f"education-{s.pk}-{n}@peerprogram": day
        for s in plan["sessions"]
        for n, day in enumerate(s.days, start=1)
    }
    assert len(teaching) == 14
    meetings = {
        f"meeting-{m.pk}@peerprogram"
        for m in (plan["peer_erfa"], plan["cancelled_erfa"], plan["supervision"])
    }
    checkins = {f"checkin-{c.pk}@peerprogram" for c in plan["checkins"]}
    # (and their follow-up talks with the leader: tests/employment/test_talk_calendar.py)
    assert {uid for uid in events if not uid.startswith("talk-")} == (
        set(teaching) | meetings | checkins
    )

    for uid, day in teaching.items():
        start = events[uid]["DTSTART"]
        assert start.params["TZID"] == COPENHAGEN
        assert (start.dt.date(), start.dt.time()) == (day, NINE)
        assert events[uid]["DTEND"].dt.time() == datetime.time(14, 0)
    module_1_day_1 = events[f"education-{plan['sessions'][0].pk}-1@peerprogram"]
    assert str(module_1_day_1["SUMMARY"]) == (
        "Peer education, module 1 (day 1): Recovery – personlig recovery og CHIME"
    )
    assert str(module_1_day_1["LOCATION"]) == "Psykiatrien, Aalborg"

    erfa = events[f"meeting-{plan['peer_erfa'].pk}@peerprogram"]
    assert str(erfa["SUMMARY"]) == "Erfagruppe for peermedarbejdere"
    assert erfa["DTSTART"].dt == timezone.localtime(plan["peer_erfa"].starts_at)
    assert "STATUS" not in erfa
    supervision = events[f"meeting-{plan['supervision'].pk}@peerprogram"]
    assert str(supervision["SUMMARY"]) == "Supervision"
    checkin = events[f"checkin-{plan['checkins'][0].pk}@peerprogram"]
    assert str(checkin["SUMMARY"]) == "Mentor check-in: Pia Peer and Mads Mentor"
    assert checkin["DTSTART"].dt.time() == datetime.time(10, 0)


def test_a_cancelled_meeting_or_check_in_stays_in_the_feed_as_cancelled(client, cast, plan):
    events = _events(client.get(_feed_url(cast.peer.staff_member)))
    assert str(events[f"meeting-{plan['cancelled_erfa'].pk}@peerprogram"]["STATUS"]) == (
        "CANCELLED"
    )
    assert str(events[f"checkin-{plan['checkins'][1].pk}@peerprogram"]["STATUS"]) == "CANCELLED"


def test_the_mentors_feed_has_the_mentor_erfa_and_the_check_ins_but_not_the_peers(
    client, cast, plan
):
    events = _events(client.get(_feed_url(cast.mentor)))
    assert set(events) == {
        f"meeting-{plan['mentor_erfa'].pk}@peerprogram",
        *(f"checkin-{c.pk}@peerprogram" for c in plan["checkins"]),
    }


def test_the_calendar_address_is_made_only_when_the_person_asks_for_it(client_for, cast):
    client = client_for("peer", "en")
    page = client.get(reverse("education:calendar_subscribe"))
    assert page.context["feed"] is None
    assert not CalendarFeed.objects.filter(person=cast.peer.staff_member).exists()

    response = client.post(reverse("education:calendar_subscribe"), follow=True)
    feed = CalendarFeed.objects.get(person=cast.peer.staff_member)
    assert [str(m) for m in response.context["messages"]] == [
        "Your calendar address is ready: copy it into Outlook."
    ]
    assert response.context["url"] == f"http://testserver/education/calendar/feed/{feed.token}.ics"


def test_a_renewed_address_makes_the_old_one_stop_working(client_for, cast, plan):
    client = client_for("peer", "en")
    client.post(reverse("education:calendar_subscribe"))
    page = client.get(reverse("education:calendar_subscribe"))
    old = CalendarFeed.objects.get(person=cast.peer.staff_member).token
    assert page.context["url"] == f"http://testserver/education/calendar/feed/{old}.ics"

    response = client.post(reverse("education:calendar_subscribe"))
    assert response["Location"] == reverse("education:calendar_subscribe")
    new = CalendarFeed.objects.get(person=cast.peer.staff_member).token
    assert new != old

    client.logout()
    assert client.get(reverse("education:calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("education:calendar_feed", args=[new])).status_code == 200


def test_an_unknown_address_or_a_person_no_longer_active_gets_404(client, cast):
    assert client.get(reverse("education:calendar_feed", args=["nope"])).status_code == 404
    url = _feed_url(cast.peer.staff_member)
    assert client.get(url).status_code == 200
    cast.peer.staff_member.active = False
    cast.peer.staff_member.save(update_fields=["active"])
    assert client.get(url).status_code == 404


def test_one_meeting_downloads_as_a_calendar_file(client_for, cast, plan):
    meeting = plan["peer_erfa"]
    response = client_for("peer", "en").get(reverse("education:meeting_ics", args=[meeting.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="erfagruppe-for-')
    events = _events(response)
    assert list(events) == [f"meeting-{meeting.pk}@peerprogram"]
    start = events[f"meeting-{meeting.pk}@peerprogram"]["DTSTART"]
    assert start.params["TZID"] == COPENHAGEN
    assert start.dt == timezone.localtime(meeting.starts_at)


def test_another_peers_supervision_cannot_be_downloaded(client_for, cast, plan):
    url = reverse("education:meeting_ics", args=[plan["other_supervision"].pk])
    assert client_for("peer").get(url).status_code == 404
    assert client_for("centre").get(url).status_code == 200


def test_a_supervision_overlapping_an_erfa_meeting_is_a_double_booking(cast, plan):
    erfa = plan["peer_erfa"]
    start = erfa.starts_at + datetime.timedelta(minutes=30)
    end = start + datetime.timedelta(hours=1)
    found = selectors.conflicts(
        [cast.peer.staff_member], [("Supervision", start, end, "meeting-new@peerprogram")]
    )
    assert [(c.person, c.booking, c.other.uid) for c in found] == [
        (cast.peer.staff_member, "Supervision", f"meeting-{erfa.pk}@peerprogram")
    ]


def test_cancelled_meetings_and_the_booking_itself_are_no_double_booking(cast, plan):
    cancelled = plan["cancelled_erfa"]
    supervision = plan["supervision"]
    assert (
        selectors.conflicts(
            [cast.peer.staff_member],
            [
                ("Supervision", cancelled.starts_at, cancelled.ends_at, "new@peerprogram"),
                (
                    "Supervision",
                    supervision.starts_at,
                    supervision.ends_at,
                    f"meeting-{supervision.pk}@peerprogram",
                ),
            ],
        )
        == []
    )


def test_scheduling_supervision_on_top_of_erfa_warns_through_the_page(client_for, cast, plan):
    erfa = plan["peer_erfa"]
    local = timezone.localtime(erfa.starts_at)
    response = client_for("centre", "en").post(
        reverse("education:supervision_create"),
        {
            "participants": [cast.peer.pk],
            "date": local.date().isoformat(),
            "start_time": "13:30",
            "end_time": "14:30",
            "supervisor": "Susanne Supervisor",
        },
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "The supervision is scheduled.",
        f"Pia Peer is already booked at that time: Erfagruppe for peermedarbejdere, "
        f"{local:%-d %b %Y} 13:00.",
    ]


def _month_entries(response):
    return [e for week in response.context["weeks"] for _day, entries in week for e in entries]


def test_the_peers_month_shows_only_their_own_calendar(client_for, cast, plan):
    first = plan["first"]
    response = client_for("peer", "en").get(
        reverse("education:calendar"), {"year": first.year, "month": first.month}
    )
    assert response.context["person"] == cast.peer.staff_member
    assert response.context["people"] is None
    uids = {e.uid for e in _month_entries(response)}
    assert f"meeting-{plan['supervision'].pk}@peerprogram" in uids
    assert f"meeting-{plan['peer_erfa'].pk}@peerprogram" in uids
    assert f"checkin-{plan['checkins'][0].pk}@peerprogram" in uids
    assert f"meeting-{plan['other_supervision'].pk}@peerprogram" not in uids
    assert f"meeting-{plan['mentor_erfa'].pk}@peerprogram" not in uids
    assert f"meeting-{plan['members_only'].pk}@peerprogram" not in uids
    assert {e.kind for e in _month_entries(response)} <= {
        "education",
        "erfa",
        "supervision",
        "checkin",
        "talk",
    }
    # Someone else's calendar is out of reach.
    other = reverse("education:calendar") + f"?person={cast.other_peer.staff_member.pk}"
    assert client_for("peer").get(other).status_code == 404


def test_the_centres_month_is_the_whole_programme_without_check_ins(client_for, cast, plan):
    first = plan["first"]
    response = client_for("centre", "en").get(
        reverse("education:calendar"), {"year": first.year, "month": first.month}
    )
    assert response.context["person"] is None
    assert response.context["sees_programme"] is True
    page = response.content.decode()
    assert "The whole programme: teaching days, erfa meetings and supervision" in page
    entries = _month_entries(response)
    uids = {e.uid for e in entries}
    for meeting in ("peer_erfa", "mentor_erfa", "members_only", "supervision"):
        assert f"meeting-{plan[meeting].pk}@peerprogram" in uids
    assert f"meeting-{plan['other_supervision'].pk}@peerprogram" in uids
    assert f"education-{plan['sessions'][0].pk}-1@peerprogram" in uids
    assert "checkin" not in {e.kind for e in entries}
    # The filter by kind.
    only_erfa = client_for("centre", "en").get(
        reverse("education:calendar"),
        {"year": first.year, "month": first.month, "kind": "erfa"},
    )
    assert {e.kind for e in _month_entries(only_erfa)} == {"erfa"}


# Query counts ----------------------------------------------------------------------------


def _busy_cohort(cast, size):
    """A cohort with `size` participants from several units, attendance on module 1 and
    a mentor on each module; plus `size` erfa meetings and supervisions in its first
    month, and `size` check-ins for the cast's peer."""
    first = datetime.date(2025, 3, 3)
    cohort = CohortFactory(name="Hold 2025", start_date=first, capacity=size + 5)
    sessions = schedule(cohort, [first + datetime.timedelta(weeks=i) for i in range(7)])
    seats = [EnrolmentFactory(cohort=cohort, peer=cast.peer)]
    for i in range(size - 1):
        unit = cast.unit if i % 2 else cast.other_unit
        seats.append(EnrolmentFactory(cohort=cohort, peer__staff_member__unit=unit))
    services.attendance_save(
        session=sessions[0], by=None, present={(e.pk, d) for e in seats for d in (1, 2)}
    )
    for session in sessions:
        MentorModule.objects.create(session=session, mentor=StaffMemberFactory(unit=cast.unit))
    mentorship = cast.peer.mentorships.get()
    for i in range(size):
        day = first + datetime.timedelta(days=i % 27)
        MeetingFactory(group=peers_group(), starts_at=_at(day, 16))
        SupervisionFactory(starts_at=_at(day, 18), participants=[cast.peer, cast.other_peer])
        CheckInFactory(mentorship=mentorship, date=day, time=datetime.time(7, 0))
    return cohort


@pytest.mark.parametrize("size", [3, 15])
def test_the_cohort_page_uses_a_fixed_number_of_queries(
    client_for, cast, size, django_assert_max_num_queries
):
    cohort = _busy_cohort(cast, size)
    for role in ("centre", "leader"):
        client = client_for(role)
        client.get(cohort.get_absolute_url())  # sessions, caches
        with django_assert_max_num_queries(COHORT_PAGE_QUERIES):
            response = client.get(cohort.get_absolute_url())
        assert response.status_code == 200
    assert len(response.context["rows"]) == (size + 1) // 2  # the leader's own unit


@pytest.mark.parametrize("size", [3, 15])
def test_the_month_calendar_uses_a_fixed_number_of_queries(
    client_for, cast, size, django_assert_max_num_queries
):
    _busy_cohort(cast, size)
    march = {"year": 2025, "month": 3}
    for role in ("peer", "centre"):
        client = client_for(role)
        client.get(reverse("education:calendar"), march)
        with django_assert_max_num_queries(CALENDAR_PAGE_QUERIES):
            response = client.get(reverse("education:calendar"), march)
        assert response.status_code == 200
    assert sum(1 for e in _month_entries(response) if e.kind == "supervision") == size
