"""What an import file may cost the server, and the files Excel really saves.

The Excel files here are built the way an attacker would: a small workbook whose sheet XML
is rewritten to declare a huge size, a zip bomb, entities that expand, masses of markup.
Each is refused before it is read, with a plain reason, in little memory and time.
"""

import contextlib
import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from peerprogram.imports import MAX_ROWS, ImportFileError, read_dataset
from peerprogram.models import StaffMember

STAFF_URL = reverse("peerprogram:data_import", kwargs={"kind": "staff"})
HEADER = ("name", "email", "unit", "profession")
SHEET = "xl/worksheets/sheet1.xml"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@dataclass
class Cost:
    peak: int = 0
    seconds: float = 0.0


@contextlib.contextmanager
def _cost() -> Iterator[Cost]:
    """The peak of memory allocated while the block runs, and the time it takes."""
    cost = Cost()
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    try:
        yield cost
    finally:
        cost.seconds = time.perf_counter() - started
        cost.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def _refusal(content: bytes, name: str = "staff.xlsx") -> tuple[str, Cost]:
    with _cost() as cost, pytest.raises(ImportFileError) as refused:
        read_dataset(content, name)
    return str(refused.value), cost


def _workbook(*rows: tuple) -> bytes:
    book = openpyxl.Workbook()
    for row in (HEADER, *rows):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _repacked(content: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one part rewritten (a part not there yet is added)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for member in names:
            data = source.read(member)
            target.writestr(member, change(data) if member == name else data)
        if name not in names:
            target.writestr(name, change(b""))
    return out.getvalue()


def _sheet(content: bytes, change: Callable[[bytes], bytes]) -> bytes:
    return _repacked(content, SHEET, change)


SMALL = _workbook(("Bo Berg", "bo@example.org", "F-ACT Øst", "nurse"))
LAST_CELL = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


# Excel files that claim or hold far more than their data --------------------------------


def test_a_small_file_that_declares_16384_columns_over_many_rows_is_refused_unread():
    # As the security test's file: openpyxl would pad each of the 20,000 rows to 16,384 cells.
    def every_column(xml: bytes) -> bytes:
        xml = xml.replace(b'ref="A1:D2"', b'ref="A1:XFD20002"')
        return xml.replace(b"</sheetData>", b"<row/>" * 20_000 + b"</sheetData>")

    content = _sheet(SMALL, every_column)
    assert len(content) < 10_000
    message, cost = _refusal(content)
    assert message == (
        "The sheet reaches cell XFD20002, but an import reads at most 100 columns and "
        "100,000 rows; delete the columns and rows after your data and try again."
    )
    assert cost.peak < 50 * MB and cost.seconds < 2


def test_a_sheet_with_a_cell_at_xfd1048576_is_refused_before_it_is_read():
    def far_cell(xml: bytes) -> bytes:
        xml = xml.replace(b'ref="A1:D2"', b'ref="A1:XFD1048576"')
        return xml.replace(b"</sheetData>", LAST_CELL + b"</sheetData>")

    content = _sheet(SMALL, far_cell)
    assert len(content) < 10_000
    message, cost = _refusal(content)
    assert message.startswith("The sheet reaches cell XFD1048576, but an import reads ")
    assert cost.peak < 50 * MB and cost.seconds < 2


def test_a_far_cell_is_refused_even_when_the_sheet_declares_no_size():
    def far_cell_without_dimension(xml: bytes) -> bytes:
        xml = xml.replace(b'<dimension ref="A1:D2" />', b"")
        return xml.replace(b"</sheetData>", LAST_CELL + b"</sheetData>")

    message, cost = _refusal(_sheet(SMALL, far_cell_without_dimension))
    # Read row by row, the sheet is given up at the first row past the limit.
    assert message.startswith("The sheet reaches cell A100001, ")
    assert cost.peak < 50 * MB and cost.seconds < 5


def test_a_zip_bomb_is_refused_from_the_sizes_in_its_directory():
    # 302 MB of rows, packed into a few hundred kilobytes.
    row = b"<row>" + b'<c t="n"><v>1</v></c>' * 100 + b"</row>"
    source = zipfile.ZipFile(io.BytesIO(SMALL))
    original = source.read(SHEET).replace(b'ref="A1:D2"', b'ref="A1:CV150002"')
    head, tail = original.split(b"</sheetData>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in source.infolist():
            if member.filename != SHEET:
                bomb.writestr(member, source.read(member))
        with bomb.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(head)
            for _ in range(150):
                sheet.write(row * 1000)
            sheet.write(b"</sheetData>" + tail)
    content = out.getvalue()
    assert len(content) < 2 * MB

    message, cost = _refusal(content)
    assert message == "The Excel file is 302 MB unpacked; at most 50 MB can be imported."
    assert cost.peak < 5 * MB and cost.seconds < 1


def test_a_part_packed_far_tighter_than_any_spreadsheet_is_refused():
    rows = b'<row><c t="n"><v>1</v></c></row>' * 1_000_000  # 32 MB: below the size limit

    def packed(xml: bytes) -> bytes:
        xml = xml.replace(b'ref="A1:D2"', b'ref="A1:D1000002"')
        return xml.replace(b"</sheetData>", rows + b"</sheetData>")

    message, cost = _refusal(_sheet(SMALL, packed))
    assert message == (
        "A part of the Excel file unpacks to more than 100 times its packed size, which "
        "no spreadsheet does; the file was not read."
    )
    assert cost.peak < 5 * MB and cost.seconds < 1


def test_entities_that_expand_into_markup_are_refused():
    entities = (
        '<!ENTITY e0 "'
        + "<x/>" * 10
        + '">'
        + "".join(f'<!ENTITY e{i} "' + f"&e{i - 1};" * 10 + '">' for i in range(1, 6))
    )

    def expanding(xml: bytes) -> bytes:
        xml = xml.replace(b"<worksheet", f"<!DOCTYPE worksheet [{entities}]><worksheet".encode())
        return xml.replace(b"<sheetData>", b"<sheetData>&e5;")

    content = _sheet(SMALL, expanding)
    assert len(content) < 10_000
    message, cost = _refusal(content)
    assert message == "The Excel file could not be read."
    assert cost.peak < 5 * MB and cost.seconds < 1


def test_masses_of_markup_in_the_sheet_are_refused_before_it_is_parsed():
    # 1.1 million elements openpyxl would keep in memory, varied so they do not pack tightly.
    junk = "".join(f'<x a="{n}"/>' for n in range(1_100_000)).encode()
    content = _sheet(SMALL, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + junk))
    message, cost = _refusal(content)
    assert message == (
        "The Excel file holds more than an import reads; copy only the rows and columns to "
        "import into a new workbook and try again."
    )
    assert cost.peak < 10 * MB and cost.seconds < 3


def test_masses_of_styles_are_refused_before_they_are_parsed():
    # Each style becomes an object of some 600 bytes when openpyxl reads the style sheet.
    styles = "".join(
        f'<xf numFmtId="{n % 150}" fontId="0" fillId="0" borderId="0" xfId="{n}"/>'
        for n in range(120_000)
    ).encode()
    content = _repacked(
        SMALL,
        "xl/styles.xml",
        lambda xml: xml.replace(b'<cellXfs count="1">', b"<cellXfs>" + styles),
    )
    message, cost = _refusal(content)
    assert message.startswith("The Excel file holds more than an import reads; ")
    assert cost.peak < 10 * MB and cost.seconds < 2


# Excel files read as far as needed, as wide as the header --------------------------------


def test_an_excel_sheet_is_read_only_up_to_the_first_row_too_many():
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for n in range(MAX_ROWS + 1):
        sheet.append((f"Person {n}", f"p{n}@example.org", "F-ACT Øst", "nurse"))
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportFileError) as refused:
        read_dataset(out.getvalue(), "staff.xlsx")
    assert str(refused.value) == (
        "The file has more than 10,000 rows; at most 10,000 can be imported at a time."
    )


def test_columns_after_the_header_and_empty_rows_are_left_out():
    def stray_cell(xml: bytes) -> bytes:
        xml = xml.replace(b'ref="A1:D2"', b'ref="A1:Z9"')
        return xml.replace(
            b"</sheetData>",
            b'<row r="9"><c r="Z9" t="inlineStr"><is><t>  </t></is></c></row></sheetData>',
        )

    parsed = read_dataset(_sheet(SMALL, stray_cell), "staff.xlsx")
    assert parsed.dataset.headers == list(HEADER)
    assert [list(row) for row in parsed.dataset] == [
        ["Bo Berg", "bo@example.org", "F-ACT Øst", "nurse"]
    ]
    assert parsed.lines == [2]


def test_a_sheet_that_declares_too_small_a_size_is_read_in_full():
    content = _sheet(SMALL, lambda xml: xml.replace(b'ref="A1:D2"', b'ref="A1:A1"'))
    parsed = read_dataset(content, "staff.xlsx")
    assert parsed.dataset.headers == list(HEADER)
    assert [list(row) for row in parsed.dataset] == [
        ["Bo Berg", "bo@example.org", "F-ACT Øst", "nurse"]
    ]


# CSV files as Excel saves them -------------------------------------------------------------


def _danish_excel_csv() -> bytes:
    # Excel's plain "CSV" in Danish: semicolons, Windows-1252, CRLF, a quoted semicolon.
    return (
        "Navn;E-mail;Enhed;Faggruppe\r\n"
        "Søren Ærø;soeren@example.org;F-ACT Øst;sygeplejerske\r\n"
        '"Åse Bøg; jr.";aase@example.org;F-ACT Øst;psykolog\r\n'
    ).encode("cp1252")


def test_a_csv_file_from_danish_excel_is_read_with_its_letters():
    parsed = read_dataset(_danish_excel_csv(), "medarbejdere.csv")
    assert parsed.dataset.headers == ["Navn", "E-mail", "Enhed", "Faggruppe"]
    assert [list(row) for row in parsed.dataset] == [
        ["Søren Ærø", "soeren@example.org", "F-ACT Øst", "sygeplejerske"],
        ["Åse Bøg; jr.", "aase@example.org", "F-ACT Øst", "psykolog"],
    ]


@pytest.mark.django_db
def test_a_csv_file_from_danish_excel_imports_through_the_page(client_for, cast):
    client = client_for("leader", "en")
    upload = SimpleUploadedFile("medarbejdere.csv", _danish_excel_csv(), content_type="text/csv")
    response = client.post(STAFF_URL, {"file": upload})
    report = response.context["report"]
    assert (report.ok, report.new) == (True, 2)
    client.post(STAFF_URL, {"confirm": "1", "digest": response.context["digest"]})
    imported = StaffMember.objects.filter(email__in=["soeren@example.org", "aase@example.org"])
    assert sorted(imported.values_list("name", "unit__name", "profession")) == [
        ("Søren Ærø", "F-ACT Øst", "nurse"),
        ("Åse Bøg; jr.", "F-ACT Øst", "psychologist"),
    ]


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_a_utf8_csv_file_with_a_bom_is_read_with_any_of_the_separators(separator):
    text = separator.join(HEADER) + "\n" + separator.join(("Bo Bæk", "bo@x.dk", "Øst", "nurse"))
    parsed = read_dataset(("\ufeff" + text + "\n").encode("utf-8"), "staff.csv")
    assert parsed.dataset.headers == list(HEADER)
    assert [list(row) for row in parsed.dataset] == [["Bo Bæk", "bo@x.dk", "Øst", "nurse"]]


@pytest.mark.parametrize(
    "content",
    [
        "name\r\nSøren\r\n".encode("utf-16"),  # Excel's "Unicode text", renamed to .csv
        b"name\r\nS\x81ren\r\n",  # a byte that is a letter in neither UTF-8 nor Windows-1252
    ],
    ids=["utf-16", "undefined-byte"],
)
def test_a_csv_file_in_neither_utf8_nor_windows_1252_gets_a_clear_error(content):
    with pytest.raises(ImportFileError) as refused:
        read_dataset(content, "staff.csv")
    assert str(refused.value) == "The CSV file is not UTF-8. Save it as “CSV UTF-8” and try again."


def test_blank_lines_in_a_csv_file_cost_no_memory():
    content = b"name,email,unit,profession\n" + b"\n" * 500_000 + "Bo,bo@x.dk,Øst,nurse\n".encode()
    with _cost() as cost:
        parsed = read_dataset(content, "staff.csv")
    assert parsed.lines == [500_002]
    assert cost.peak < 50 * MB and cost.seconds < 5


def test_the_admins_import_reads_files_as_ours_does(client_for):
    """The Django admin's import goes through the same reader: a file declaring 16,384
    columns is refused with the reason, and Danish Excel's CSV is read."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def every_column(xml: bytes) -> bytes:
        return xml.replace(b'ref="A1:D2"', b'ref="A1:XFD20002"')

    client = client_for("admin", "en")
    refused = client.post(
        "/admin/peerprogram/staffmember/import/",
        {
            "import_file": SimpleUploadedFile("staff.xlsx", _sheet(SMALL, every_column)),
            "format": "1",
        },
    )
    assert refused.status_code == 200
    assert "The sheet reaches cell XFD20002" in str(refused.context["form"].errors["import_file"])
    read = client.post(
        "/admin/peerprogram/staffmember/import/",
        {"import_file": SimpleUploadedFile("staff.csv", _danish_excel_csv()), "format": "0"},
    )
    assert read.status_code == 200 and "confirm_form" in read.context
