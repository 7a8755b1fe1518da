"""PDFs with WeasyPrint: A4, Danish, page numbers "Side X af Y", who and when."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from peerprogram.access import get_actor


def pdf_response(request: HttpRequest, template: str, context: dict, filename: str) -> HttpResponse:
    from weasyprint import HTML  # imported here: loading Pango is slow and only PDFs need it

    # The actor is read once per request already; the user's own staff row only when the
    # actor has none (an administrator, or staff no longer active).
    staff = get_actor(request.user).staff or getattr(request.user, "staff_member", None)
    actor_name = getattr(staff, "name", "") or request.user.get_username()
    # The PDFs are Danish documents, whatever language the page is shown in.
    with translation.override("da"):
        html = render_to_string(
            template,
            {**context, "generated_at": timezone.localtime(), "generated_by": actor_name},
            request=request,
        )
    with _collector_paused():
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


_paused = {"depth": 0, "was_enabled": False}
_paused_lock = threading.Lock()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while WeasyPrint lays out a document. It makes some
    hundred thousand objects that live for the render only; with the collector running they
    were promoted to the older generations, and the full collections over them made one
    onboarding PDF in ten 60-90 ms slower. Objects freed by reference counting go at once
    as always; the cycles left over are collected by the next ordinary collection. The
    switch is the whole process's: with several threads rendering, the first one in turns
    the collector off and the last one out turns it back on (if it was on)."""
    with _paused_lock:
        if _paused["depth"] == 0:
            _paused["was_enabled"] = gc.isenabled()
            gc.disable()
        _paused["depth"] += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused["depth"] -= 1
            if _paused["depth"] == 0 and _paused["was_enabled"]:
                gc.enable()


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


def summary_row(progress, columns: list[tuple[str, int, bool]]) -> str:
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


def summary_pages(rows: list, *, with_unit: bool) -> tuple[str, list[str]]:
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
