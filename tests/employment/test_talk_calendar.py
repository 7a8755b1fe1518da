"""The follow-up talks in the leader's and the peer worker's calendars and feeds, and
nobody else's: planning a talk for a day and a time, the due talks, the .ics items."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from education import selectors as education_selectors
from education import services as education_services
from employment import calendar, selectors, services
from employment.models import Talk
from peerprogram.models import PeerWorker

from .helpers import started

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _month(client, when: datetime.date, **extra):
    return client.get(
        reverse("education:calendar"), {"year": when.year, "month": when.month, **extra}
    )


def _plan(client, peer, **data):
    return client.post(reverse("employment:talk_change", args=[peer.pk]), data)


def test_a_talk_planned_with_a_time_is_a_meeting_in_both_calendars(client_for, cast):
    peer = started(cast, months=6)
    due = selectors.follow_up_of(peer).follow_up
    day = max(due.date, TODAY() + datetime.timedelta(days=1))
    reason = "" if day == due.computed else "Ferie"
    response = _plan(
        client_for("leader"),
        peer,
        outcome="moved",
        date=day.isoformat(),
        time="10:30",
        reason=reason,
    )
    assert response.status_code == 302
    talk = Talk.objects.get(peer=peer, status="planned")
    assert talk.time == datetime.time(10, 30)
    title = f"Opfølgningssamtale: {peer.name}"
    for role in ("leader", "peer"):
        page = _month(client_for(role), day).content.decode()
        assert "10:30 Opfølgning:" in page, role
        assert title in page, role
    # The leader looking at the peer worker's calendar sees it too.
    own = _month(client_for("leader"), day, person=peer.staff_member.pk).content.decode()
    assert title in own


def test_nobody_else_sees_the_talks_in_a_calendar(client_for, cast):
    peer = started(cast, months=6)
    services.talk_record(peer=peer, by=cast.leader.user, kind="follow_up", date=TODAY())
    for person in (peer.staff_member, cast.leader):
        page = _month(client_for("centre"), TODAY(), person=person.pk).content.decode()
        assert "Opfølgningssamtale:" not in page and "Opfølgning:" not in page
        assert 'value="talk"' not in page  # nor a filter for them
    page = _month(client_for("mentor"), TODAY()).content.decode()
    assert "Opfølgning:" not in page and "Opfølgningssamtale:" not in page
    # The Centre's whole-programme view has none either, and offers no such filter.
    page = _month(client_for("centre"), TODAY()).content.decode()
    assert 'value="talk"' not in page


def test_the_due_talk_and_mus_are_whole_day_items_in_the_feed(client_for, cast):
    peer = started(cast, months=11, days=20)
    services.talk_record(peer=peer, by=cast.leader.user, kind="follow_up", date=TODAY())
    for person in (peer.staff_member, cast.leader):
        url = reverse("education:calendar_feed", args=[education_services.feed_for(person).token])
        feed = Calendar.from_ical(client_for("anonymous").get(url).content)
        events = {str(e["uid"]): e for e in feed.walk("VEVENT")}
        held = events[f"talk-{Talk.objects.get().pk}@peerprogram"]
        assert held.decoded("dtstart") == TODAY()  # held at no set time: that day
        nxt = events[f"talk-next-{peer.pk}-follow_up@peerprogram"]
        assert nxt.decoded("dtstart") == TODAY() + relativedelta(months=1)
        assert str(nxt["transp"]) == "TRANSPARENT"
        assert "(forfalder)" in str(nxt["summary"])
        mus = events[f"talk-next-{peer.pk}-mus@peerprogram"]
        assert mus.decoded("dtstart") == peer.start_date + relativedelta(years=1)
    # The mentor's feed has no talks.
    url = reverse("education:calendar_feed", args=[education_services.feed_for(cast.mentor).token])
    assert b"talk-" not in client_for("anonymous").get(url).content


def test_planning_another_day_needs_a_reason_and_a_time_today_must_be_to_come(client_for, cast):
    peer = started(cast, months=6)
    client = client_for("leader")
    due = selectors.follow_up_of(peer).follow_up
    other = max(due.computed, TODAY()) + datetime.timedelta(days=3)
    response = _plan(client, peer, outcome="moved", date=other.isoformat(), time="09:00")
    assert set(response.context["form"].errors) == {"reason"}
    assert 'value="09:00"' in response.content.decode()  # what was typed stays
    response = _plan(client, peer, outcome="moved", reason="")
    assert set(response.context["form"].errors) == {"date"}
    yesterday = TODAY() - datetime.timedelta(days=1)
    response = _plan(client, peer, outcome="moved", date=yesterday.isoformat(), reason="x")
    assert set(response.context["form"].errors) == {"date"}
    now = timezone.localtime()
    if now.hour > 0:
        earlier = (now - datetime.timedelta(hours=1)).strftime("%H:%M")
        response = _plan(
            client, peer, outcome="moved", date=TODAY().isoformat(), time=earlier, reason="x"
        )
        assert set(response.context["form"].errors) == {"time"}
    response = _plan(client, peer, outcome="cancelled")
    assert set(response.context["form"].errors) == {"reason"}


def test_the_talk_entries_take_two_queries_whatever_the_number_of_peers(
    cast, django_assert_num_queries
):
    peers = [started(cast, months=6), cast.other_peer]
    services.rhythm_set(peer=peers[0], by=cast.leader.user, probation_days=21, after_months=2)
    start = timezone.now()
    chosen = PeerWorker.objects.filter(pk__in=[p.pk for p in peers])
    with django_assert_num_queries(2):
        entries = calendar.talk_entries(chosen, start, start + datetime.timedelta(days=400))
    assert {e.uid for e in entries} >= {
        f"talk-next-{p.pk}-{kind}@peerprogram" for p in peers for kind in ("follow_up", "mus")
    }


def test_talks_take_no_part_in_double_booking_warnings(cast):
    peer = started(cast, months=6)
    day = TODAY() + datetime.timedelta(days=2)
    Talk.objects.create(peer=peer, kind="follow_up", date=day, time=datetime.time(10))
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    booking = ("Supervision", start, start + datetime.timedelta(hours=1), "new")
    assert education_selectors.conflicts([peer.staff_member, cast.leader], [booking]) == []
