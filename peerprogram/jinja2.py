"""The Jinja2 environment of the one template Django's own template language is too slow
for (docs/architecture.md, "Templates"): Django's own escaping (the same entities as a
Django template writes), Django's own formats (dates and thousands in the active
language), and zip for rows of cells beside their headings."""

from __future__ import annotations

from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date
from django.utils.html import conditional_escape
from jinja2 import Environment


def environment(**options: Any) -> Environment:
    # Each value escaped as Django escapes it (conditional_escape keeps what is marked
    # safe); autoescape, always on, then leaves the result alone.
    options.pop("autoescape", None)
    env = Environment(autoescape=True, finalize=conditional_escape, **options)
    env.filters["intcomma"] = intcomma
    env.filters["date"] = date
    env.globals["zip"] = zip
    return env
