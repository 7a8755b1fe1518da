"""The programme summary of many checklists, set as monospaced lines (see below)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .selectors import ListProgress

# The summary of many checklists ----------------------------------------------------------
#
# The programme's summary lists every checklist: some 1,700 in a nation. WeasyPrint spends
# about a millisecond laying out each table cell, and a table of 7 columns took a minute,
# so the summary is set as monospaced text instead: each page one block of lines under its
# own heading line, the columns made of spaces. Every line is one row (texts are cut to
# their column), and the rows have a fixed height, so the rows per page are known here.

SUMMARY_ROWS_FIRST_PAGE = 32  # under the title
SUMMARY_ROWS_PER_PAGE = 37


def _cut(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def summary_columns(*, with_unit: bool) -> list[tuple[str, int, bool]]:
    """(heading, width in characters, right-aligned) of each column; the PDF is Danish."""
    columns = [
        ("Peermedarbejder / stilling", 30, False),
        ("Enhed", 24, False),
        ("Start", 10, False),
        ("Fremdrift", 11, False),
        ("Overskredet", 11, True),
        ("Næste frist", 11, False),
        ("Næste opgave", 52, False),
    ]
    if not with_unit:  # the unit's width goes to the names and the tasks
        columns.pop(1)
        columns[0] = ("Peermedarbejder / stilling", 40, False)
        columns[-1] = ("Næste opgave", 52 + 16, False)
    return columns


def _line(cells: list[str], columns: list[tuple[str, int, bool]]) -> str:
    parts = [
        (cell.rjust(width) if right else cell.ljust(width))
        for cell, (_title, width, right) in zip(cells, columns, strict=True)
    ]
    return "  ".join(parts).rstrip()


def summary_row(progress: ListProgress, columns: list[tuple[str, int, bool]]) -> str:
    """One checklist as one line of the summary."""
    onboarding = progress.onboarding
    widths = {title: width for title, width, _right in columns}
    name_width = widths["Peermedarbejder / stilling"]
    if onboarding.peer_id:
        label = _cut(onboarding.label, name_width)
    else:
        label = _cut(onboarding.label, name_width - len(" (stilling)")) + " (stilling)"
    next_open = progress.next_open
    cells = [label]
    if "Enhed" in widths:
        cells.append(_cut(onboarding.unit_name, widths["Enhed"]))
    cells += [
        onboarding.start_date.strftime("%d.%m.%Y"),
        f"{progress.done:>2}/{progress.total:<2} {progress.percent:>3} %",
        str(progress.overdue) if progress.overdue else "–",
        next_open.due.strftime("%d.%m.%Y") if next_open else "",
        _cut(next_open.item.title, widths["Næste opgave"]) if next_open else "Alt udført",
    ]
    return _line(cells, columns)


def summary_pages(rows: list[ListProgress], *, with_unit: bool) -> tuple[str, list[str]]:
    """The heading line, and the rows' lines cut into pages (each page's lines as one
    text, one line a row)."""
    columns = summary_columns(with_unit=with_unit)
    heading = _line([title for title, _width, _right in columns], columns)
    lines = [summary_row(progress, columns) for progress in rows]
    if not lines:
        return heading, []
    pages = [lines[:SUMMARY_ROWS_FIRST_PAGE]]
    for start in range(SUMMARY_ROWS_FIRST_PAGE, len(lines), SUMMARY_ROWS_PER_PAGE):
        pages.append(lines[start : start + SUMMARY_ROWS_PER_PAGE])
    return heading, ["\n".join(page) for page in pages]
