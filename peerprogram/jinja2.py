"""The Jinja2 environment of the one template Django's own template language is too slow
for (docs/architecture.md, "Templates"): Django's own escaping (the same entities as a
Django template writes), Django's own formats (dates and thousands in the active
language), and zip (strict: a row with a cell too many or too few fails) for rows of
cells beside their headings."""

from __future__ import annotations

import functools
import html
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date
from jinja2 import Environment
from markupsafe import Markup


def escaped(value: Any) -> Any:
    """A value as Django's templates escape it: django.utils.html.escape is the standard
    library's html.escape (`&#x27;` and `&quot;`, where Jinja2's own writes `&#39;` and
    `&#34;`), here without its wrapper for lazy text, which cost half the tables' time. A
    value marked safe is kept as it is."""
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(str(value)))  # noqa: S704 - escaped on this very line


def environment(**options: Any) -> Environment:
    # Each value escaped as Django escapes it; autoescape, always on, then leaves it alone.
    options.pop("autoescape", None)
    env = Environment(autoescape=True, finalize=escaped, **options)
    env.filters["intcomma"] = intcomma
    env.filters["date"] = date
    env.globals["zip"] = functools.partial(zip, strict=True)
    return env
