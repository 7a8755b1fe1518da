"""The statistics tables' rows and the bars of its charts, written in Python (see
peerprogram.html for why): two tables of a unit or peer worker a row and a month a
column, 600 cells a page."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peerprogram.html import element, join, number, wrap_in

from .charts import Bar, TableRow


def month_rows(rows: list[tuple]) -> str:
    """The month-by-month table of the totals: a month a row (charts.month_rows)."""
    cell = wrap_in("td", class_="text-end")
    return join(
        element(
            "tr",
            element("th", date_format(month, "M Y"), scope="row", class_="fw-normal text-nowrap"),
            *(cell(number(n)) for n in cells),
        )
        for month, cells in rows
    )


def _flag(flag: str) -> str:
    """The mark of a month far below or above the usual level, for eyes and screen readers."""
    if flag == "low":
        text, sign, colour = _("far below the usual level"), "▼", "text-bg-warning"
    else:
        text, sign, colour = _("far above the usual level"), "▲", "text-bg-danger"
    hidden = element("span", f" {text}", class_="visually-hidden")
    return join([" ", element("span", sign, hidden, class_=f"badge {colour}", title=text)])


def load_rows(table: list[TableRow], *, by_unit: bool, unit_query: str) -> str:
    """Conversations per contracted hour: a unit (linked to its own figures) or a peer
    worker a row, a month a column, months far from the usual level marked."""
    flags = {"low": _flag("low"), "high": _flag("high")}
    cell = wrap_in("td", class_="text-end")
    html = []
    for t in table:
        if by_unit:
            name = element("a", t.row.label, href=f"?{unit_query}{t.row.unit.pk}")
        else:
            name = join(
                [
                    t.row.label,
                    element("br"),
                    element("span", t.row.unit.name, class_="small text-body-secondary"),
                ]
            )
        cells = [element("th", name, scope="row", class_="fw-normal")]
        cells += [
            element("td", text, flags[flag], class_=f"text-end load-{flag}") if flag else cell(text)
            for text, flag in t.load
        ]
        cells.append(element("td", t.usual, class_="text-end"))
        if by_unit:
            weight = " fw-semibold" if t.row.flagged else ""
            cells.append(element("td", number(t.row.flagged), class_=f"text-end{weight}"))
        html.append(element("tr", *cells))
    return join(html)


def referral_rows(table: list[TableRow]) -> str:
    """Referrals received / accepted: a unit or peer worker a row, a month a column."""
    cell = wrap_in("td", class_="text-end")
    return join(
        element(
            "tr",
            element("th", t.row.label, scope="row", class_="fw-normal"),
            *map(cell, t.referrals),
            element(
                "td",
                f"{number(t.row.total.referrals)} / {number(t.row.total.accepted)}",
                class_="text-end fw-semibold",
            ),
        )
        for t in table
    )


def _rect(b: Bar, value: int, y: float, height: float, css_class: str) -> str:
    """A bar of a chart, with its figure as the tooltip."""
    return element(
        "rect",
        element("title", f"{b.label}: {value}"),
        x=b.x,
        y=y,
        width=b.width,
        height=height,
        class_=css_class,
    )


def month_chart(bars: list[Bar]) -> str:
    """The bars of the month chart (charts.month_bars): individual notes, group sessions
    stacked on top, the month below and the sum above. SVG numbers are never localised."""
    pieces = []
    for b in bars:
        pieces.append(_rect(b, b.value, b.y, b.height, "chart-bar"))
        if b.second:
            pieces.append(_rect(b, b.second, b.stacked_y, b.stacked_height, "chart-bar-2"))
        pieces.append(element("text", b.label, x=b.text_x, y=212, class_="chart-label"))
        if b.value or b.second:
            pieces.append(
                element(
                    "text", str(b.value + b.second), x=b.text_x, y=b.text_y, class_="chart-value"
                )
            )
    return join(pieces)


def chime_chart(bars: list[Bar]) -> str:
    """The bars of the CHIME chart (charts.chime_bars): the element, its bar, its count."""
    return join(
        join(
            [
                element("text", b.label, x=0, y=b.text_y, class_="chart-label-lg"),
                _rect(b, b.value, b.y, b.height, "chart-bar"),
                element("text", str(b.value), x=b.text_x, y=b.text_y, class_="chart-label-lg"),
            ]
        )
        for b in bars
    )
