"""HTML written in Python where the template language is too slow for its size.

Django's templates cost some microseconds for every variable, tag and filter: nothing on
an ordinary page, but a table of the whole programme (50 checklists with six columns, or
two tables of 300 figures each) spent 10-20 ms there, more than the rest of its request.
These functions write such markup directly. Everything that is not already safe HTML is
escaped here, exactly as Django's autoescaping does (html.escape, quotes included), so
that this module is the only place where the rule could be broken, and its tests
(tests/peerprogram/test_html.py) the place that shows it is not. The results are built
as SafeString directly: Django's marking function first checks every argument for a
lazy translation, which cost more than writing the element itself, a thousand times a
page.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from html import escape

from django.conf import settings
from django.db.models import Choices
from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def _text(value: object) -> str:
    """A child of an element: safe HTML (anything with __html__) as it is, else escaped."""
    if type(value) is str:  # the most common child, and never safe HTML
        return escape(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def element(tag: str, *children: object, **attributes: object) -> SafeString:
    """<tag attributes>children</tag>.

    Children that are safe HTML (from element, select_options, Django's escaping) are kept
    as they are; any other child is escaped, and None is left out. Attribute names are
    written with hyphens for underscores, without a trailing one (class_ -> class,
    aria_label -> aria-label); a value of None or False leaves the attribute out, True
    writes it without a value, anything else is escaped."""
    # The value's type is part of the key: True == 1 and 0 == False as keys, not as HTML.
    items = tuple((name, type(value), value) for name, value in attributes.items())
    try:
        start = _start_tag(tag, items)
    except TypeError:  # a value that cannot be a key of the cache
        start = _start_tag.__wrapped__(tag, items)
    if tag in VOID:
        if children:
            raise ValueError(f"<{tag}> has no content")
        return SafeString(start)  # escaped by _start_tag
    inner = "".join([_text(child) for child in children if child is not None])
    return SafeString(f"{start}{inner}</{tag}>")  # every piece escaped


@functools.lru_cache(maxsize=4096)
def _start_tag(tag: str, attributes: tuple[tuple[str, type, object], ...]) -> str:
    """The start tag, kept: a table writes the same few hundreds of times."""
    html = [f"<{tag}"]
    for name, _type, value in attributes:
        if value is None or value is False:
            continue
        name = name.rstrip("_").replace("_", "-")
        html.append(f" {name}" if value is True else f' {name}="{escape(str(value))}"')
    html.append(">")
    return "".join(html)


def wrap_in(tag: str, **attributes: object) -> Callable[[object], SafeString]:
    """A function that puts its argument in this element, as element(tag, child,
    **attributes) does, with the start tag worked out once: for the cells of a table that
    differ only in their text (a statistics page writes 600 of them)."""
    if tag in VOID:
        raise ValueError(f"<{tag}> has no content")
    start, end = str(element(tag, **attributes)).removesuffix(f"</{tag}>"), f"</{tag}>"
    return lambda child: SafeString(f"{start}{_text(child)}{end}")  # escaped by _text


# The elements that have no content and no end tag.
VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "col", "wbr"})


def join(pieces: Iterable[object], separator: str = "") -> SafeString:
    """Pieces one after the other (with `separator`, plain text, between them): safe HTML
    as it is, anything else escaped."""
    return SafeString(
        escape(separator).join([_text(piece) for piece in pieces if piece is not None])
    )


def csrf_input(token: object) -> SafeString:
    """The hidden field {% csrf_token %} writes, for forms in rows written here."""
    return element("input", type="hidden", name="csrfmiddlewaretoken", value=str(token))


def number(value: int) -> str:
    """An integer as {{ value }} writes it (localize)."""
    return localize(value) if settings.USE_THOUSAND_SEPARATOR else str(value)


def url_of(viewname: str) -> Callable[[int], str]:
    """The URL of `viewname` for an object's id, worked out once for a whole table:
    reverse() costs some 30 microseconds, and a table of 50 rows links each row."""
    marker = "2147483647"
    before, after = reverse(viewname, args=[marker]).split(marker)
    return lambda pk: f"{before}{int(pk)}{after}"


def choice_label(choices: type[Choices], value: str) -> str:
    """The label of a choice as get_FOO_display() gives it (the value itself when it is not
    a choice), in the active language. get_FOO_display() translates every label of the
    field on each call to look one up; a table asks once per row."""
    return _labels(choices, get_language()).get(value, value)


@functools.lru_cache(maxsize=256)
def _labels(choices: type[Choices], language: str | None) -> dict[str, str]:
    # The language is part of the key: str() translates into the active language.
    return {value: str(label) for value, label in choices.choices}


def yes_no(value: object) -> str:
    """ "yes" or "no" as {{ value|yesno:_("yes,no") }} writes it."""
    yes, no = _("yes,no").split(",")[:2]
    return yes if value else no


def short_date(day: datetime.date) -> str:
    """The day as {{ day|date:"SHORT_DATE_FORMAT" }} writes it in the active language."""
    return _short_date(day, get_language())


@functools.lru_cache(maxsize=4096)
def _short_date(day: datetime.date, language: str | None) -> str:
    # The language is part of the key: date_format reads it from the active translation.
    return date_format(day, "SHORT_DATE_FORMAT")


def select_options(choices: Iterable[tuple[object, object]], selected: Iterable = ()) -> SafeString:
    """The <option>s of a select, one per (value, label), with the chosen values selected.

    A filter of every unit of the country has 600 options: through format_html (or a
    template) each option cost as much as a whole table row, 5-10 ms a page; one string
    escaped piece by piece costs 0.3 ms."""
    chosen = {escape(str(value)) for value in selected}  # compared as written below
    html = "".join(
        f'<option value="{text}"{" selected" if text in chosen else ""}>'
        f"{escape(str(label))}</option>"
        for value, label in choices
        # An integer (a primary key) needs no escaping.
        for text in [str(value) if type(value) is int else escape(str(value))]
    )
    return SafeString(html)  # every piece escaped above
