"""A round's results as a spreadsheet: the same figures and the same rule of five as the
page (a cell of too few answers is marked, never filled)."""

from __future__ import annotations

import tablib
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import SCALE
from .presenters import column_label
from .selectors import Results


def filename(result: Results) -> str:
    name = slugify(f"{_('survey')}-{result.survey.title}")
    if result.unit is not None:
        name += "-" + slugify(result.unit.name)
    return name


def _number(value: float | None) -> float | str:
    return round(value, 2) if value is not None else ""


def dataset(result: Results) -> tablib.Dataset:
    """A row per statement and group: answers, mean, the count of each score, the change
    since the previous round; too few answers: the count of answers is left out too."""
    too_few = _("too few answers to show")
    headers = [
        _("Theme"),
        _("Statement"),
        _("Group"),
        _("Answers"),
        _("Mean (1–5)"),
        *[str(s) for s in SCALE],
        _("Change since the previous round"),
        _("Free text"),
    ]
    data = tablib.Dataset(headers=headers, title=_("Results")[:31])
    for q in result.scale_questions:
        for key in result.columns:
            if key != "all" and not q.question.asked_of(key):
                continue
            cell = q.cells[key]
            row: list[object] = [
                q.question.get_theme_display(),
                q.question.text,
                str(column_label(key)),
            ]
            if cell.shown:
                row += [cell.n, _number(cell.mean), *cell.counts.values(), _number(cell.change), ""]
            else:
                row += [too_few, "", *["" for _s in SCALE], "", ""]
            data.append(row)
    blank = ["", "", *["" for _s in SCALE], ""]
    for q in result.text_questions:
        for text in q.texts:
            data.append([_("Free text"), q.question.text, str(column_label("all")), *blank, text])
    return data
