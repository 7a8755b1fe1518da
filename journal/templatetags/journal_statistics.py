"""Template tags of the statistics page."""

from __future__ import annotations

import hashlib

from django import template
from django.core.cache import cache
from django.utils.html import format_html_join

register = template.Library()


@register.simple_tag
def unit_options(choices, selected: int | None):
    """The <option>s of the unit filter, one per (pk, name), the names escaped.

    Programme-wide the list holds every unit of the country, and writing it out takes
    longer than the rest of the page; it is kept in the cache under its own content, so a
    new or renamed unit makes a new entry rather than a stale one.
    """
    choices = list(choices)
    digest = hashlib.sha256(repr((choices, selected)).encode()).hexdigest()
    key = f"journal:unit-options:{digest}"
    options = cache.get(key)
    if options is None:
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((pk, " selected" if pk == selected else "", name) for pk, name in choices),
        )
        cache.set(key, options, 24 * 3600)
    return options
