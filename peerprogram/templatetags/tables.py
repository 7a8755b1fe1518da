"""Helpers for tables that a phone shows as cards (the `stack-sm` class in peerprogram.css):
each cell carries its column's heading in `data-label`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

register = template.Library()


@register.filter
def with_headings(cells: Iterable[Any], headings: Iterable[Any]) -> list[tuple[Any, Any]]:
    """(heading, cell) for each cell of a row whose cells are a list, in the headings' order:
    `{% for heading, n in cells|with_headings:headings %}`."""
    return list(zip(headings, cells, strict=True))
