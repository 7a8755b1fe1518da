"""The statistics page's presenters: the geometry of its charts, drawn as inline SVG by
templates/journal/statistics.html (no scripts, no CDN), and the texts of its tables' cells,
written out once in Python: a page of units holds hundreds of them, too many to pass
through template filters one by one."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, get_format, localize
from django.utils.translation import gettext as _

from peerprogram.models import field_label

from .models import CHIME_FIELDS, NoteVersion
from .selectors import Row, Statistics

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
    bars: list[Bar] = []
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
    bars: list[Bar] = []
    for i, name in enumerate(CHIME_FIELDS):
        value = stats.total.chime[name]
        bars.append(
            Bar(
                x=150,
                y=12 + i * 34,
                width=round(520 * value / top, 1),
                height=22,
                label=field_label(NoteVersion, name),
                value=value,
                text_x=round(150 + 520 * value / top + 6, 1),
                text_y=12 + i * 34 + 16,
            )
        )
    return bars


@dataclass(frozen=True)
class TableRow:
    """A row of the load and referral tables: the texts of its cells."""

    row: Row
    load: list[tuple[str, str]]  # per month: conversations per contracted hour, and the flag
    usual: str
    referrals: list[str]  # per month: "received / accepted", or a dash


def table_rows(stats: Statistics) -> list[TableRow]:
    """The cells of the rows as `floatformat:2` and the template would write them."""
    separator = get_format("DECIMAL_SEPARATOR")

    def two_decimals(value: float | None) -> str:
        if value is None:
            return "–"
        rounded = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return f"{rounded:f}".replace(".", separator)

    return [
        TableRow(
            row=row,
            load=[(two_decimals(f.per_hour), f.flag) for f in row.months],
            usual=two_decimals(row.usual),
            referrals=[f"{f.referrals} / {f.accepted}" if f.referrals else "–" for f in row.months],
        )
        for row in stats.rows
    ]


def month_columns() -> list[str]:
    """The headings of the month-by-month table's figures, in the order of month_rows' cells."""
    return [
        _("Conversations"),
        _("Bridge-building"),
        _("Other"),
        _("Group sessions"),
        _("Minutes"),
        *(field_label(NoteVersion, name) for name in CHIME_FIELDS),
        _("Referrals"),
        _("Accepted"),
    ]


def month_rows(stats: Statistics) -> list[tuple[datetime.date, list[int]]]:
    """(month, the cells of its row) of the month-by-month table of the totals."""
    return [
        (
            month,
            [
                f.conversations,
                f.bridge,
                f.other,
                f.group_sessions,
                f.minutes,
                *(f.chime[name] for name in CHIME_FIELDS),
                f.referrals,
                f.accepted,
            ],
        )
        for month, f in zip(stats.months, stats.totals, strict=True)
    ]


def grid_texts(by_unit: bool, low: float, high: float) -> dict[str, str]:
    """The words of the statistics' tables, translated here: their template is Jinja2's
    (docs/architecture.md, "Templates"), which Django's message extraction does not read."""
    return {
        "month_by_month": _("Month by month"),
        "month": _("Month"),
        "load_title": _("Conversations per contracted hour, per unit")
        if by_unit
        else _("Conversations per contracted hour, per peer worker"),
        "load_intro": _(
            "Compared with the unit's usual level: the median of its peer workers' "
            "conversations per contracted hour over complete months, counted from the first "
            "month each of them recorded any activity. A unit with one peer worker is "
            "compared with the whole programme instead (all conversations over every "
            "contract), never with itself. A month below %(low)s or above %(high)s times the "
            "usual level is marked: too little and too much work are both known sources of "
            "stress."
        )
        % {"low": localize(low), "high": localize(high)},
        "who": _("Unit") if by_unit else _("Peer worker"),
        "usual": _("Usual"),
        "marked": _("Peer months marked"),
        "below": _("far below the usual level"),
        "above": _("far above the usual level"),
        "nobody": _("No peer workers to show."),
        "referrals_title": _("Referrals per unit: received / accepted")
        if by_unit
        else _("Referrals per peer worker: received / accepted"),
        "total": _("Total"),
    }
