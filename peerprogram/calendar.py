"""iCalendar helpers shared by the apps' .ics files and feeds."""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.utils.text import slugify
from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

COPENHAGEN = "Europe/Copenhagen"


def copenhagen_timezone() -> Timezone:
    """The VTIMEZONE for the events' TZID=Europe/Copenhagen: the EU's yearly rules (last
    Sunday of March and of October), as Outlook and Google write it."""
    # Not icalendar's add_missing_timezones(): that lists the changes as one RDATE of many
    # dates, of which Thunderbird (ical.js) reads only the first, and stops in 2038. The
    # rules are wrong before 1996 (and Denmark had no summer time before 1980); no event of
    # ours is that old.
    timezone = Timezone()
    timezone.add("tzid", COPENHAGEN)
    timezone.add_component(
        _last_sunday_rule(
            TimezoneStandard(), "CET", first=datetime.datetime(1970, 10, 25, 3), hours=(2, 1)
        )
    )
    timezone.add_component(
        _last_sunday_rule(
            TimezoneDaylight(), "CEST", first=datetime.datetime(1970, 3, 29, 2), hours=(1, 2)
        )
    )
    return timezone


def _last_sunday_rule(
    observance: TimezoneStandard | TimezoneDaylight,
    name: str,
    *,
    first: datetime.datetime,
    hours: tuple[int, int],
) -> TimezoneStandard | TimezoneDaylight:
    # Every year on the last Sunday of `first`'s month, at its wall-clock time read in the
    # offset being left (RFC 5545, 3.6.5); `hours` is the UTC offset from and to.
    observance.add("dtstart", first)
    observance.add("rrule", {"freq": "yearly", "bymonth": first.month, "byday": "-1su"})
    observance.add("tzoffsetfrom", datetime.timedelta(hours=hours[0]))
    observance.add("tzoffsetto", datetime.timedelta(hours=hours[1]))
    observance.add("tzname", name)
    return observance


def ics_response(body: bytes, name: str) -> HttpResponse:
    """An .ics file to download, named in plain ASCII."""
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    filename = slugify(danish_ascii(name)) or "kalender"
    response["Content-Disposition"] = f'attachment; filename="{filename}.ics"'
    return response


def danish_ascii(text: str) -> str:
    """For file names: æ, ø and å as ae, oe and aa rather than dropped."""
    for letter, plain in (
        ("æ", "ae"),
        ("ø", "oe"),
        ("å", "aa"),
        ("Æ", "Ae"),
        ("Ø", "Oe"),
        ("Å", "Aa"),
    ):
        text = text.replace(letter, plain)
    return text
