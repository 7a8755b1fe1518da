"""Geometry of the statistics charts, drawn as inline SVG by the template (no scripts, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import date_format

from .models import CHIME_FIELDS, NoteVersion
from .selectors import Statistics

WIDTH, HEIGHT, BASE = 720, 220, 190  # BASE: the y of the axis, leaving room for labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    stacked_y: float = 0.0  # the top of the second series (group sessions) on this bar
    stacked_height: float = 0.0
    second: int = 0
    text_x: float = 0.0  # where the figure is written
    text_y: float = 0.0


def month_bars(stats: Statistics) -> list[Bar]:
    """One bar per month: individual notes, with group sessions stacked on top."""
    top = max((f.notes + f.group_sessions for f in stats.totals), default=0) or 1
    slot = WIDTH / len(stats.months)
    bars = []
    for month, f in zip(stats.months, stats.totals, strict=True):
        h1 = (BASE - 20) * f.notes / top
        h2 = (BASE - 20) * f.group_sessions / top
        bars.append(
            Bar(
                x=round(slot * len(bars) + slot * 0.15, 1),
                y=round(BASE - h1, 1),
                width=round(slot * 0.7, 1),
                height=round(h1, 1),
                label=date_format(month, "M y"),
                value=f.notes,
                stacked_y=round(BASE - h1 - h2, 1),
                stacked_height=round(h2, 1),
                second=f.group_sessions,
                text_x=round(slot * len(bars) + slot * 0.5, 1),
                text_y=round(BASE - h1 - h2 - 4, 1),
            )
        )
    return bars


def chime_bars(stats: Statistics) -> list[Bar]:
    """How often each CHIME element was addressed in the period (notes and group sessions)."""
    top = max(stats.total.chime.values()) or 1
    bars = []
    for i, name in enumerate(CHIME_FIELDS):
        value = stats.total.chime[name]
        bars.append(
            Bar(
                x=150,
                y=12 + i * 34,
                width=round(520 * value / top, 1),
                height=22,
                label=str(NoteVersion._meta.get_field(name).verbose_name),
                value=value,
                text_x=round(150 + 520 * value / top + 6, 1),
                text_y=12 + i * 34 + 16,
            )
        )
    return bars
