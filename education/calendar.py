"""iCalendar files: a person's feed, one meeting, one cohort's teaching days."""

from __future__ import annotations

from django.utils import timezone
from icalendar import Calendar, Event

from mentoring.calendar import checkin_event
from mentoring.models import CheckIn
from peerprogram.calendar import COPENHAGEN, copenhagen_timezone

from .selectors import Entry


def entry_event(entry: Entry, base_url: str) -> Event:
    if isinstance(entry.source, CheckIn):
        return checkin_event(entry.source)
    event = Event()
    event.add("uid", entry.uid)
    event.add("summary", entry.title)
    if entry.all_day:
        # Due that day at no set time: a whole-day item that does not show as busy.
        event.add("dtstart", timezone.localdate(entry.start))
        event.add("dtend", timezone.localdate(entry.end))
        event.add("transp", "TRANSPARENT")
    else:
        event.add("dtstart", timezone.localtime(entry.start))
        event.add("dtend", timezone.localtime(entry.end))
    event.add("dtstamp", timezone.now())
    location = entry.place or entry.link
    if location:
        event.add("location", location)
    details = [entry.link] if entry.link and entry.link != location else []
    if entry.url:
        details.append(base_url.rstrip("/") + entry.url)
    if details:
        event.add("description", "\n".join(details))
    if entry.cancelled:
        event.add("status", "CANCELLED")
    return event


def calendar_bytes(entries: list[Entry], *, name: str, base_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Peerprogram//Calendar//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", COPENHAGEN)
    calendar.add_component(copenhagen_timezone())  # before the events that refer to it
    for entry in entries:
        calendar.add_component(entry_event(entry, base_url))
    return calendar.to_ical()
