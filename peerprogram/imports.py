"""All-or-nothing imports from CSV or XLSX, with a dry-run preview first.

The file is checked and imported inside one transaction; if any row is wrong,
the transaction is rolled back and every problem is reported with the row (as
the user sees it in a spreadsheet, the header being row 1) and the column.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

import tablib
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.formats import number_format
from django.utils.timezone import now
from django.utils.translation import gettext as _
from import_export.results import Result, RowResult

from .models import CheckedImport
from .resources import ScopedResource, formula_escaped, formula_unescaped


@dataclass
class ImportProblem:
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


class PreviewRow(TypedDict):
    line: int
    kind: str
    values: list[Any]


@dataclass
class ImportReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: list[PreviewRow] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged

    # The preview lists the first rows only: 10,000 rows made a page of several megabytes
    # that took seconds to render and to scroll, and the counts above it say the rest.
    @property
    def shown_rows(self) -> list[PreviewRow]:
        return self.rows[:PREVIEW_ROWS]

    @property
    def more_rows(self) -> int:
        return max(0, len(self.rows) - PREVIEW_ROWS)


class ImportFileError(ValueError):
    pass


MAX_ROWS = 10_000
PREVIEW_ROWS = 100
FORMULA_START = ("=", "+", "-", "@")

# What an Excel file may make the server do. A file of 1.6 kB that declared 16,384 columns,
# and a zip bomb of 1.3 MB, each grew a worker by more than a gigabyte: files like them are
# refused from the zip directory and one quick pass over the parts, before openpyxl parses
# any, and a sheet is then read row by row, only as far and as wide as needed.
MAX_COLUMNS = 100  # the imports use up to 7 columns; more are named and ignored
MAX_SHEET_ROWS = 10 * MAX_ROWS  # the last row read: room for blank rows between the data
MB = 1024 * 1024
MAX_UNPACKED_MB = 50  # 10,000 rows of 7 columns unpack to some 4 MB
MAX_PACKING = 100  # Excel's parts pack 5-20 times; Apache POI refuses more than 100 times too
PACKING_FROM = MB  # smaller parts may pack tighter
# openpyxl keeps some 80 bytes for each element of a sheet it does not use, and some 600 for
# each element of the style sheet and of the other parts it turns into objects.
MAX_DATA_MARKUP = 1_000_000  # tags in the sheets and their shared strings: 10,000 rows of ~20
MAX_OTHER_MARKUP = 100_000  # tags in all the other parts together
DATA_PART = re.compile(r"xl/(worksheets/[^/]+|sharedStrings)\.xml")
# A document type can declare entities that expand a few bytes into millions of elements; no
# spreadsheet has one. XML may be in UTF-16 as well.
DOCTYPE = tuple("<!DOCTYPE".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be"))


@dataclass
class ParsedFile:
    """The rows of a file without its empty rows, and the line each row had in the file."""

    dataset: tablib.Dataset
    lines: list[int]


def read_dataset(content: bytes, filename: str) -> ParsedFile:
    """Turn an uploaded file into rows, or raise ImportFileError with a clear reason."""
    is_xlsx = filename.lower().endswith(".xlsx")
    rows = _xlsx_rows(content) if is_xlsx else _csv_rows(content)
    filled = ((n, r) for n, r in rows if any(str(v).strip() for v in r if v is not None))
    first = next(filled, None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    header = list(first[1])
    while header and not str(header[-1] or "").strip():
        header.pop()  # empty columns after the last heading are no columns
    width = len(header)
    body = [(n, _fitted(r, width)) for n, r in itertools.islice(filled, MAX_ROWS + 1)]
    if len(body) > MAX_ROWS and is_xlsx:
        # Counting the rows would parse the rest of the sheet.
        raise ImportFileError(
            _("The file has more than %(max)s rows; at most %(max)s can be imported at a time.")
            % {"max": _grouped(MAX_ROWS)}
        )
    if len(body) > MAX_ROWS:
        # Counting the rest of a CSV file costs only time, over at most 5 MB (ImportUploadForm).
        rows_in_file = len(body) + sum(1 for _row in filled)
        raise ImportFileError(
            _("The file has %(rows)s rows; at most %(max)s can be imported at a time.")
            % {"rows": _grouped(rows_in_file), "max": _grouped(MAX_ROWS)}
        )
    dataset = tablib.Dataset(headers=[str(h or "").strip() for h in header])
    for _number, values in body:
        dataset.append([_unescape(v) for v in values])
    return ParsedFile(dataset, [n for n, _v in body])


def _fitted(values: Sequence[Any], width: int) -> list[Any]:
    row = list(values[:width])
    return row + [None] * (width - len(row))


def _grouped(number: int) -> str:
    return number_format(number, force_grouping=True)


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _csv_text(content)
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    # The separator the header line has most of: Excel separates by the list separator of
    # the computer's region, a semicolon in Danish; a tie goes to the comma.
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file could not be read near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc


def _csv_text(content: bytes) -> str:
    # Excel saves "CSV UTF-8" with a byte order mark, and its plain "CSV" in the code page
    # of Windows: Windows-1252 in Danish. A text in neither, UTF-16 say, holds NUL characters.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise ImportFileError(_("The CSV file is not UTF-8. Save it as “CSV UTF-8” and try again."))


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    import openpyxl

    _check_package(content)
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
        sheet = book.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _unreadable() from exc
    columns, rows = sheet.max_column or 0, sheet.max_row or 0
    if columns > MAX_COLUMNS or rows > MAX_SHEET_ROWS:
        raise _too_far(columns, rows)
    # Read what the sheet holds, not what it declares: openpyxl pads each row to the declared
    # width, adds the declared rows after the last, and stops at them when they are too few.
    sheet.reset_dimensions()
    try:
        cells = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        for number, row in enumerate(cells, 1):
            if number > MAX_SHEET_ROWS:
                raise _too_far(1, number)
            yield number, row
    except ImportFileError:
        raise
    except Exception as exc:  # a damaged sheet shows only as it is read
        raise _unreadable() from exc
    finally:
        book.close()


def _check_package(content: bytes) -> None:
    """Refuse an Excel file that unpacks or parses into far more than any spreadsheet does,
    from the zip directory and one pass over the unpacked parts that keeps nothing."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except Exception as exc:  # zipfile raises many kinds for a damaged file
        raise _unreadable() from exc
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_MB * MB:
        raise ImportFileError(
            _("The Excel file is %(size)s MB unpacked; at most %(max)s MB can be imported.")
            % {"size": _grouped(math.ceil(unpacked / MB)), "max": MAX_UNPACKED_MB}
        )
    if any(m.file_size > max(PACKING_FROM, MAX_PACKING * m.compress_size) for m in members):
        raise ImportFileError(
            _(
                "A part of the Excel file unpacks to more than %(ratio)s times its packed "
                "size, which no spreadsheet does; the file was not read."
            )
            % {"ratio": MAX_PACKING}
        )
    data_markup = other_markup = 0
    for member in members:
        tail = b""
        for chunk in _unpacked(archive, member):
            if any(mark in tail + chunk for mark in DOCTYPE):
                raise _unreadable()
            tail = chunk[-20:]
            if DATA_PART.fullmatch(member.filename):
                data_markup += chunk.count(b"<")
            else:
                other_markup += chunk.count(b"<")
        if data_markup > MAX_DATA_MARKUP or other_markup > MAX_OTHER_MARKUP:
            raise ImportFileError(
                _(
                    "The Excel file holds more than an import reads; copy only the rows and "
                    "columns to import into a new workbook and try again."
                )
            )


def _unpacked(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """One part of the file, unpacked a megabyte at a time."""
    try:
        with archive.open(member) as part:
            while chunk := part.read(MB):
                yield chunk
    except Exception as exc:  # zipfile raises many kinds for a damaged part
        raise _unreadable() from exc


def _unreadable() -> ImportFileError:
    return ImportFileError(_("The Excel file could not be read."))


def _too_far(columns: int, rows: int) -> ImportFileError:
    from openpyxl.utils import get_column_letter

    return ImportFileError(
        _(
            "The sheet reaches cell %(cell)s, but an import reads at most %(columns)s columns "
            "and %(rows)s rows; delete the columns and rows after your data and try again."
        )
        % {
            "cell": f"{get_column_letter(columns)}{rows}",
            "columns": MAX_COLUMNS,
            "rows": _grouped(MAX_SHEET_ROWS),
        }
    )


def _unescape(value: Any) -> Any:
    """Undo the apostrophe our exports put before text that looks like a formula."""
    return formula_unescaped(value.strip()) if isinstance(value, str) else value


def escape_for_spreadsheet(dataset: tablib.Dataset) -> tablib.Dataset:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        safe.append([formula_escaped(v) for v in row])
    return safe


def run_import(
    *, resource: ScopedResource, parsed: ParsedFile, dry_run: bool, by: User, label: str
) -> ImportReport:
    """Check (dry run) or import every row; any problem rolls everything back."""
    report = ImportReport()
    dataset = parsed.dataset
    resource.by = by
    resource.label = label
    resource.before_import(dataset)
    known = set(resource.fields)
    unknown = [h for h in dataset.headers if h and h not in known]
    if unknown:
        report.warnings.append(
            _("These columns are not used and will be ignored: %(columns)s.")
            % {"columns": ", ".join(unknown)}
        )
    missing = [c for c in resource.required_columns() if c not in dataset.headers]
    if missing:
        report.problems.append(
            ImportProblem(
                None,
                "",
                _("The file lacks the column(s): %(columns)s. Row 1 must hold the column names.")
                % {"columns": ", ".join(missing)},
            )
        )
        return report
    if len(dataset) == 0:
        report.problems.append(ImportProblem(None, "", _("The file has no rows below the header.")))
        return report

    # One pass: the real import checks every row just as the dry run does, and any
    # problem rolls all of it back, so it needs no dry run of its own first.
    resource.skip_row_diffs()
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
        )
        _collect(resource, parsed, result, report)
        if not report.ok:
            transaction.set_rollback(True)
    return report


def _collect(
    resource: ScopedResource, parsed: ParsedFile, result: Result, report: ImportReport
) -> None:
    dataset = parsed.dataset
    report.headers = list(dataset.headers)
    for error in result.base_errors:
        # A write the database refused names its row (see ScopedResource._write_batch).
        line = parsed.lines[error.number - 1] if error.number else None
        report.problems.append(ImportProblem(line, "", str(error.error)))
    for number, errors in result.row_errors():
        for error in errors:
            report.problems.append(ImportProblem(parsed.lines[number - 1], "", str(error.error)))
    for invalid in result.invalid_rows:
        line = parsed.lines[invalid.number - 1]
        for attribute, messages in invalid.error_dict.items():
            column = "" if attribute == NON_FIELD_ERRORS else resource.column_for(attribute)
            for message in messages:
                report.problems.append(ImportProblem(line, column, str(message)))
    report.problems.sort(key=lambda p: (p.row or 0, p.column))
    for index, row_result in enumerate(result.rows):
        kind = row_result.import_type
        if kind == RowResult.IMPORT_TYPE_NEW:
            report.new += 1
        elif kind == RowResult.IMPORT_TYPE_UPDATE:
            report.updated += 1
        elif kind == RowResult.IMPORT_TYPE_SKIP:
            report.unchanged += 1
        if kind in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE):
            report.rows.append(
                {"line": parsed.lines[index], "kind": kind, "values": list(dataset[index])}
            )


# The checked file between the preview and the confirmation --------------------------------


def keep_checked(*, user: User, kind: str, name: str, content: bytes) -> str:
    """Keep a file that passed the check for its confirmation; returns its digest, which
    the confirmation must name (only the previewed file is imported)."""
    digest = hashlib.sha256(content).hexdigest()
    # One statement, and an upsert: a double-clicked upload replaces rather than fails.
    CheckedImport.objects.bulk_create(
        [CheckedImport(user=user, kind=kind, name=name, digest=digest, content=content)],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["name", "digest", "content", "created_at"],
    )
    return digest


def take_checked(*, user: User, kind: str, digest: str) -> tuple[str, bytes] | None:
    """The kept file (name, content) if it is the one with this digest, removing it; None
    when there is none, or another file was checked since."""
    kept = CheckedImport.objects.filter(user=user, kind=kind, digest=digest).first()
    if kept is None:
        return None
    CheckedImport.objects.filter(pk=kept.pk).delete()
    return kept.name, bytes(kept.content)


def forget_checked(*, user: User, kind: str) -> None:
    """A new upload replaces the kept file; files older than a session are removed too."""
    CheckedImport.objects.filter(user=user, kind=kind).delete()
    age = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    CheckedImport.objects.filter(created_at__lt=now() - age).delete()
