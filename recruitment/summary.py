"""The programme summary of many checklists, set as monospaced lines (see below)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from employment.selectors import RetentionRow

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


def cut(text: str, width: int) -> str:
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


def line(cells: list[str], columns: list[tuple[str, int, bool]]) -> str:
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
        label = cut(onboarding.label, name_width)
    else:
        label = cut(onboarding.label, name_width - len(" (stilling)")) + " (stilling)"
    next_open = progress.next_open
    cells = [label]
    if "Enhed" in widths:
        cells.append(cut(onboarding.unit_name, widths["Enhed"]))
    cells += [
        onboarding.start_date.strftime("%d.%m.%Y"),
        f"{progress.done:>2}/{progress.total:<2} {progress.percent:>3} %",
        str(progress.overdue) if progress.overdue else "–",
        next_open.due.strftime("%d.%m.%Y") if next_open else "",
        cut(next_open.item.title, widths["Næste opgave"]) if next_open else "Alt udført",
    ]
    return line(cells, columns)


def summary_pages(rows: list[ListProgress], *, with_unit: bool) -> tuple[str, list[str]]:
    """The heading line, and the rows' lines cut into pages (each page's lines as one
    text, one line a row)."""
    columns = summary_columns(with_unit=with_unit)
    heading = line([title for title, _width, _right in columns], columns)
    return heading, pages([summary_row(progress, columns) for progress in rows])


def pages(lines: list[str], first: int = SUMMARY_ROWS_FIRST_PAGE) -> list[str]:
    """The lines cut into pages, each page's lines as one text."""
    if not lines:
        return []
    cut_up = [lines[:first]]
    for start in range(first, len(lines), SUMMARY_ROWS_PER_PAGE):
        cut_up.append(lines[start : start + SUMMARY_ROWS_PER_PAGE])
    return ["\n".join(page) for page in cut_up]


# Retention per unit, in the same monospaced lines (a nation has some 300 units).

RETENTION_COLUMNS = [
    ("Enhed", 48, False),
    ("Ansat i alt", 11, True),
    ("Ansat nu", 8, True),
    ("Fratrådt", 8, True),
    ("Median anciennitet", 18, True),
    ("Ansat efter 1 år", 16, True),
    ("Ansat efter 2 år", 16, True),
]
# Under the programme's figures and the reasons for leaving on the retention page.
RETENTION_ROWS_FIRST_PAGE = 16


def share_text(pair: tuple[int, int]) -> str:
    """ "75 % (3/4)", or "–" when nobody started that long ago."""
    kept, of = pair
    return f"{round(100 * kept / of)} % ({kept}/{of})" if of else "–"


def retention_pages(rows: list[RetentionRow]) -> tuple[str, list[str]]:
    """The heading line and the units' lines cut into pages."""
    columns = RETENTION_COLUMNS
    heading = line([title for title, _width, _right in columns], columns)
    lines = [
        line(
            [
                cut(row.label, columns[0][1]),
                str(row.peers),
                str(row.employed),
                str(row.left),
                f"{row.median_months:.1f} mdr.".replace(".", ",", 1)
                if row.median_months is not None
                else "–",
                share_text(row.after_one),
                share_text(row.after_two),
            ],
            columns,
        )
        for row in rows
    ]
    return heading, pages(lines, RETENTION_ROWS_FIRST_PAGE)
