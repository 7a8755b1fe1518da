"""iCalendar files for check-ins; personal feeds (education) reuse `checkin_event`."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from peerprogram.calendar import COPENHAGEN, copenhagen_timezone

from .models import CheckIn, Mentorship


def checkin_event(checkin: CheckIn) -> Event:
    mentorship = checkin.mentorship
    event = Event()
    event.add("uid", f"checkin-{checkin.pk}@peerprogram")
    event.add(
        "summary",
        _("Mentor check-in: %(peer)s and %(mentor)s")
        % {"peer": mentorship.peer.name, "mentor": mentorship.mentor.name},
    )
    start = checkin.starts_at()
    event.add("dtstart", start)
    event.add("dtend", start + datetime.timedelta(minutes=checkin.duration_minutes))
    event.add("dtstamp", timezone.now())
    if checkin.status == CheckIn.Status.CANCELLED:
        event.add("status", "CANCELLED")
    return event


def mentorship_calendar(mentorship: Mentorship) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Peerprogram//Mentoring//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-timezone", COPENHAGEN)
    calendar.add_component(copenhagen_timezone())  # before the events that refer to it
    for checkin in mentorship.checkins.select_related(
        "mentorship__peer__staff_member", "mentorship__mentor"
    ):
        calendar.add_component(checkin_event(checkin))
    return calendar.to_ical()
