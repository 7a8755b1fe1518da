"""The survey's results as the page and the PDF draw them: a bar of the five answers for
each statement and group (SVG geometry worked out here, so the templates only place it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from peerprogram.models import Unit

from .models import MIN_ANSWERS, Group, Theme, Timepoint
from .selectors import ALL, Cell, OutcomeRow, OutcomeSummary, Results

BAR_WIDTH = 240
# 1 (lightest) to 5 (darkest): the page's legend (peerprogram.css) and the PDF's use them.
COLOURS = {1: "#e3ecf3", 2: "#a9c6da", 3: "#6f9bbb", 4: "#3f7aa1", 5: "#1d4e6f"}


@dataclass
class Segment:
    score: int
    count: int
    x: float
    width: float
    percent: int

    @property
    def colour(self) -> str:
        return COLOURS[self.score]


def signed(change: float | None) -> str:
    """A change with its sign, to one decimal: "+0,4", "−0,2", "±0,0"; none: ""."""
    if change is None:
        return ""
    rounded = round(change, 1)
    figure = number_format(abs(rounded), 1)
    if rounded == 0:
        return "±" + figure
    return ("+" if rounded > 0 else "−") + figure


@dataclass
class ColumnView:
    key: str
    label: Promise
    cell: Cell
    segments: list[Segment]

    @property
    def change(self) -> str:
        """The change since the previous round, signed."""
        return signed(self.cell.change)


@dataclass
class QuestionView:
    text: str
    theme: Promise
    columns: list[ColumnView]


def column_label(key: str) -> Promise:
    """Lazy: the PDF is Danish whatever language the page that asked for it is in."""
    return gettext_lazy("All groups") if key == ALL else Group(key).label


def segments(cell: Cell) -> list[Segment]:
    if not cell.shown:
        return []
    found, x = [], 0.0
    for score, count, share in cell.shares:
        width = share * BAR_WIDTH
        found.append(Segment(score, count, round(x, 1), round(width, 1), round(share * 100)))
        x += width
    return found


def view(result: Results) -> list[QuestionView]:
    return [
        QuestionView(
            q.question.text,
            Theme(q.question.theme).label,
            [
                ColumnView(key, column_label(key), q.cells[key], segments(q.cells[key]))
                for key in result.columns
                if key == ALL or q.question.asked_of(key)
            ],
        )
        for q in result.scale_questions
    ]


@dataclass
class TextsView:
    question: str
    answers: list[str]


def texts(result: Results) -> list[TextsView]:
    """The free texts of each question (all groups together)."""
    return [TextsView(q.question.text, q.texts) for q in result.text_questions]


def sizes(result: Results) -> list[tuple[Promise, int]]:
    """The number of answerers of each group and of all, for the page's cards."""
    return [(column_label(key), result.sizes.get(key, 0)) for key in result.columns]


@dataclass
class UnitRow:
    unit: Unit
    n: int
    means: list[float | None]

    @property
    def shown(self) -> bool:
        return self.n >= MIN_ANSWERS


def unit_rows(result: Results) -> list[UnitRow]:
    """The per-unit table: each unit's answerers and its mean of each statement."""
    statements = [q.question.pk for q in result.scale_questions]
    return [
        UnitRow(unit, n, [means.get(pk) for pk in statements]) for unit, n, means in result.units
    ]


# Outcomes ----------------------------------------------------------------------------


@dataclass
class OutcomeRowView:
    label: str | Promise
    row: OutcomeRow
    changes: list[tuple[Cell, str]]  # per later timepoint: the cell, its signed mean


@dataclass
class OutcomeView:
    summary: OutcomeSummary
    headers: list[Promise]
    units: list[OutcomeRowView]
    programme: OutcomeRowView


def _outcome_row(label: str | Promise, row: OutcomeRow, points: list[str]) -> OutcomeRowView:
    return OutcomeRowView(
        label, row, [(row.changes[p], signed(row.changes[p].mean)) for p in points]
    )


def outcome_views(summaries: list[OutcomeSummary]) -> list[OutcomeView]:
    return [
        OutcomeView(
            s,
            [Timepoint(p).label for p in s.timepoints],
            [_outcome_row(r.unit.name if r.unit else "", r, s.timepoints) for r in s.units],
            _outcome_row(gettext_lazy("The programme"), s.programme, s.timepoints),
        )
        for s in summaries
    ]
