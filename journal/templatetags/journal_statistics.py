"""Template tags of the statistics page."""

from __future__ import annotations

from django import template

from journal import html
from peerprogram.html import select_options

register = template.Library()


@register.simple_tag
def unit_options(choices, selected: int | None):
    """The <option>s of the unit filter, one per (pk, name), the names escaped."""
    return select_options(choices, [] if selected is None else [selected])


register.simple_tag(html.month_rows, name="month_rows")
register.simple_tag(html.load_rows, name="load_rows")
register.simple_tag(html.referral_rows, name="referral_rows")
register.simple_tag(html.month_chart, name="month_chart")
register.simple_tag(html.chime_chart, name="chime_chart")
