"""All-or-nothing imports from CSV or XLSX, with a dry-run preview first.

The file is checked and imported inside one transaction; if any row is wrong,
the transaction is rolled back and every problem is reported with the row (as
the user sees it in a spreadsheet, the header being row 1) and the column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.results import RowResult

from .resources import ScopedResource
from .services import audit


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


@dataclass
class ImportReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


class ImportFileError(ValueError):
    pass


def read_dataset(content: bytes, filename: str) -> tablib.Dataset:
    """Turn an uploaded file into a dataset, or raise ImportFileError with a clear reason."""
    if filename.lower().endswith(".xlsx"):
        try:
            return tablib.Dataset().load(io.BytesIO(content), format="xlsx")
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ImportFileError(_("The Excel file could not be read.")) from exc
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The CSV file is not UTF-8. Save it as “CSV UTF-8” and try again.")
        ) from exc
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return tablib.Dataset().load(text, format="csv", delimiter=delimiter)
    except (csv.Error, tablib.InvalidDimensions) as exc:
        raise ImportFileError(
            _("The CSV file could not be read: some rows have a different number of columns.")
        ) from exc


def run_import(
    *, resource: ScopedResource, dataset: tablib.Dataset, dry_run: bool, by, label: str
) -> ImportReport:
    """Check (dry run) or import every row; any problem rolls everything back."""
    report = ImportReport()
    resource.before_import(dataset)
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

    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=True, use_transactions=True, rollback_on_validation_errors=True
        )
        _collect(resource, dataset, result, report)
        if report.ok and not dry_run:
            sid = transaction.savepoint()
            result = resource.import_data(
                dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
            )
            again = ImportReport()
            _collect(resource, dataset, result, again)
            if not again.ok:  # the data changed between the check and the import
                transaction.savepoint_rollback(sid)
                return again
            audit(
                by=by,
                action=f"{label}_import",
                obj=by,
                summary=f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged",
            )
    return report


def _collect(resource: ScopedResource, dataset, result, report: ImportReport) -> None:
    report.headers = list(dataset.headers)
    for error in result.base_errors:
        report.problems.append(ImportProblem(None, "", str(error.error)))
    for line_number, errors in result.row_errors():
        for error in errors:
            report.problems.append(ImportProblem(line_number + 1, "", str(error.error)))
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = "" if attribute == NON_FIELD_ERRORS else resource.column_for(attribute)
            for message in messages:
                report.problems.append(ImportProblem(invalid.number + 1, column, str(message)))
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
            report.rows.append({"line": index + 2, "kind": kind, "values": list(dataset[index])})
