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
from .resources import ScopedResource


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


@dataclass
class ParsedFile:
    """The rows of a file without its empty rows, and the line each row had in the file."""

    dataset: tablib.Dataset
    lines: list[int]


def read_dataset(content: bytes, filename: str) -> ParsedFile:
    """Turn an uploaded file into rows, or raise ImportFileError with a clear reason."""
    is_xlsx = filename.lower().endswith(".xlsx")
    rows = _xlsx_rows(content) if is_xlsx else _csv_rows(content)
    rows = [(n, r) for n, r in rows if any(str(v).strip() for v in r if v is not None)]
    if not rows:
        raise ImportFileError(_("The file is empty."))
    (_n, header), *body = rows
    if len(body) > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(rows)s rows; at most %(max)s can be imported at a time.")
            % {
                "rows": number_format(len(body), force_grouping=True),
                "max": number_format(MAX_ROWS, force_grouping=True),
            }
        )
    width = len(header)
    dataset = tablib.Dataset(headers=[str(h or "").strip() for h in header])
    for _number, values in body:
        values = list(values)[:width] + [None] * (width - len(values))
        dataset.append([_unescape(v) for v in values])
    return ParsedFile(dataset, [n for n, _v in body])


def _csv_rows(content: bytes) -> list[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The CSV file is not UTF-8. Save it as “CSV UTF-8” and try again.")
        ) from exc
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise ImportFileError(_("The file is empty."))
    first = next(line for line in lines if line.strip())
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file could not be read near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc


def _xlsx_rows(content: bytes) -> list[tuple[int, list[Any]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The Excel file could not be read.")) from exc
    sheet = book.worksheets[0]
    return [(n, list(row)) for n, row in enumerate(sheet.iter_rows(values_only=True), 1)]


def _unescape(value: Any) -> Any:
    """Undo the apostrophe our exports put before text that looks like a formula."""
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("'") and value[1:2] in FORMULA_START:
            return value[1:]
    return value


def escape_for_spreadsheet(dataset: tablib.Dataset) -> tablib.Dataset:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        safe.append(
            [f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in row]
        )
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
