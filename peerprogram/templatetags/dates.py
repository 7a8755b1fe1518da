"""`{{ day|day:"WEEKDAY_DATE_FORMAT" }}`: a date in one of the product's named formats
(peerprogram.formats), in the page's language; a moment is shown in local time."""

from __future__ import annotations

import datetime

from django import template

from peerprogram.formats import format_day

register = template.Library()


@register.filter(expects_localtime=True)
def day(value: datetime.date | datetime.datetime | None, name: str) -> str:
    if not isinstance(value, datetime.date):
        return ""
    return format_day(value, name)
