"""Date formats per language (FORMAT_MODULE_PATH): English's own, and the product's named
patterns with a weekday or a short month (WEEKDAY_DATE_FORMAT and the like), which Django's
`date` filter cannot name. `format_day` and the `day` template filter read them in the
active language, so "tirsdag 5. januar" is "Tuesday 5 January" on an English page."""

from __future__ import annotations

import datetime

from django.utils import formats
from django.utils.dateformat import format as format_value


def pattern(name: str) -> str:
    """The active language's pattern for a named format (Django's own names too)."""
    for module in formats.get_format_modules():
        value = getattr(module, name, None)
        if value is not None:
            return str(value)
    return str(formats.get_format(name))


def format_day(value: datetime.date | datetime.datetime, name: str) -> str:
    """A date (or a moment, already in local time) in a named format of the active
    language."""
    return format_value(value, pattern(name))
