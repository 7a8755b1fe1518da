"""Three findings of the security test, closed: user text in the PDFs' running headers,
formulas in the Django admin's exports, and ids too large for the database in the query
string. The world (tests/peerprogram/conftest.py) is built once for the module."""

import csv
import datetime
import io

import openpyxl
import pytest
import tinycss2
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from peerprogram.models import StaffMember
from tests.education.factories import CohortFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world, db):
    """This module's cast is the world's (client_for logs its people in)."""
    return world._cast


# 1. The PDFs' running header and footer are CSS strings --------------------------------


def _css_string(text: str) -> str:
    """What a CSS parser reads from `content: "{{ text|css_string }}"`."""
    css = Template('{% load pdf_css %}content: "{{ text|css_string }}"').render(
        Context({"text": text})
    )
    [declaration] = tinycss2.parse_blocks_contents(css)
    [string] = [token for token in declaration.value if token.type == "string"]
    return string.value


@pytest.mark.parametrize(
    "text",
    [
        "Hold A & B \\",
        'Hold "Nord" 2026',
        "Lises hold's 3. modul",
        "Hold </style><script>x</script>",
        "Hold 1\nHold 2\ttab",
        "Æblehaven 2026 — forår",
        "C:\\hold\\2026\\",
    ],
)
def test_css_string_reads_back_as_the_text_was_typed(text):
    assert _css_string(text) == text


def test_css_string_writes_nothing_that_could_end_the_style_element():
    css = Template("{% load pdf_css %}{{ text|css_string }}").render(
        Context({"text": "</style><b>&amp;"})
    )
    assert "<" not in css and ">" not in css and "&" not in css


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    return "\n".join(page.extract_text() for page in pages)


def test_the_cohort_pdf_header_and_footer_show_the_names_as_typed(client_for, cast):
    cohort = CohortFactory(name="Hold A & B \\", start_date=datetime.date(2031, 3, 3))
    StaffMember.objects.filter(pk=cast.centre.pk).update(name='Cecilie "CC" O\'Center \\')

    response = client_for("centre", "en").get(
        reverse("education:cohort_export", args=[cohort.pk, "pdf"])
    )

    text = _pdf_text(response)
    with translation.override("da"):
        today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert "Peerprogram · Hold A & B \\" in text
    assert today in text
    assert "Side 1 af 1" in text
    assert 'af Cecilie "CC" O\'Center \\' in text
    assert "&amp;" not in text and "&quot;" not in text and "&#x27;" not in text


# 2. The Django admin's exports neutralise formulas, and read their own files back --------

FORMULA = '=HYPERLINK("http://x","y")'


def _admin_export(client, file_format: str) -> bytes:
    url = reverse("admin:peerprogram_staffmember_export")
    form = client.get(url).context["form"]
    titles = dict(form.fields["format"].choices)
    chosen = next(key for key, title in titles.items() if title == file_format)
    data = {"resource": "0", "format": chosen}
    data |= {name: "on" for name in form.fields if name.startswith("staffresource_")}
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    return response.content


@pytest.fixture
def formula_staff(cast):
    StaffMember.objects.filter(pk=cast.mentor.pk).update(name=FORMULA, phone="+45 12 34 56 78")
    return cast.mentor


def test_the_admin_export_as_xlsx_writes_formulas_as_text(client_for, formula_staff):
    content = _admin_export(client_for("admin"), "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.values)
    row = next(r for r in rows if r[1] == formula_staff.email)
    assert row[:3] == (f"'{FORMULA}", formula_staff.email, "'+45 12 34 56 78")
    # Not a formula cell either: openpyxl reads a formula as data_type "f".
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)


def test_the_admin_export_as_csv_writes_formulas_as_text(client_for, formula_staff):
    content = _admin_export(client_for("admin"), "csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(content)))
    row = next(r for r in rows if r[1] == formula_staff.email)
    assert row[:3] == [f"'{FORMULA}", formula_staff.email, "'+45 12 34 56 78"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_the_admin_export_imports_again_unchanged_through_the_admin(client_for, formula_staff):
    client = client_for("admin")
    content = _admin_export(client, "csv")
    preview = client.post(
        "/admin/peerprogram/staffmember/import/",
        {"import_file": SimpleUploadedFile("staff.csv", content), "format": "0"},
    )
    confirm = preview.context["confirm_form"].initial

    assert client.post("/admin/peerprogram/staffmember/process_import/", confirm).status_code == 302
    formula_staff.refresh_from_db()
    assert (formula_staff.name, formula_staff.phone) == (FORMULA, "+45 12 34 56 78")


def test_the_admin_export_imports_again_unchanged_through_our_import_page(
    client_for, formula_staff
):
    content = _admin_export(client_for("admin"), "xlsx")
    response = client_for("centre", "en").post(
        reverse("peerprogram:data_import", kwargs={"kind": "staff"}),
        {"file": SimpleUploadedFile("staff.xlsx", content)},
    )
    report = response.context["report"]
    assert (report.ok, report.new, report.updated) == (True, 0, 0)
    assert report.unchanged == StaffMember.objects.count()


def test_every_import_export_admin_uses_a_resource_that_escapes_formulas():
    from import_export.admin import ExportMixin

    from peerprogram.resources import ScopedResource

    exporting = [a for a in admin.site._registry.values() if isinstance(a, ExportMixin)]
    assert exporting
    for model_admin in exporting:
        for resource in model_admin.get_export_resource_classes(None):
            assert issubclass(resource, ScopedResource), model_admin


# 3. An id past what the database holds, or no id at all, in the query string -----------

NOT_IDS = [
    "99999999999999999999999",
    "9223372036854775808",  # one past the largest 64-bit id
    "-99999999999999999999999",
    "abc",
    "²",  # str.isdigit says yes, int() says no
]

# (URL name, its arguments from the world, the parameter that names an id, who asks)
ID_PARAMETERS = [
    ("peerprogram:peer_list", {}, "unit", "centre"),
    ("peerprogram:staff_list", {}, "unit", "leader"),
    ("peerprogram:peer_create", {}, "unit", "centre"),
    ("peerprogram:staff_create", {}, "unit", "leader"),
    ("journal:statistics", {}, "unit", "centre"),
    ("recruitment:checklist_overview", {}, "unit", "centre"),
    ("recruitment:onboarding_summary_pdf", {}, "unit", "leader"),
    ("recruitment:vacancy_create", {}, "function", "leader"),
    ("education:calendar", {}, "person", "centre"),
    ("education:enrol", {"pk": "cohort"}, "peer", "centre"),
    ("education:supervision_create", {}, "peer", "centre"),
    # Pages numbered by ?page= (and the health page, whose filters are words).
    ("peerprogram:unit_list", {}, "page", "centre"),
    ("programme:health", {}, "page", "centre"),
    ("recruitment:vacancy_list", {}, "page", "centre"),
]


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize(("name", "kwargs", "parameter", "role"), ID_PARAMETERS)
def test_a_value_that_cannot_be_an_id_is_ignored_as_if_not_given(
    client_for, world, name, kwargs, parameter, role, value
):
    client = client_for(role)
    url = reverse(name, kwargs={k: getattr(world, v).pk for k, v in kwargs.items()})
    without = client.get(url)

    response = client.get(url, {parameter: value})

    assert response.status_code == without.status_code
    if without.context is not None and "page" in without.context:
        assert list(response.context["page"]) == list(without.context["page"])


def test_a_unit_filter_past_the_largest_id_says_it_is_not_a_choice(client_for):
    response = client_for("centre", "en").get(
        reverse("peerprogram:peer_list"), {"unit": "99999999999999999999999"}
    )
    assert response.context["filter"].errors == {
        "unit": ["Select a valid choice. That choice is not one of the available choices."]
    }


def test_a_real_unit_id_still_filters_the_checklists(client_for, world):
    client = client_for("centre")
    url = reverse("recruitment:checklist_overview")

    def listed(unit: int) -> list[int]:
        return [row[0] for row in client.get(url, {"unit": unit}).context["page"]]  # the pk

    assert listed(world.vacancy.unit_id) == [world.onboarding.pk]
    assert listed(world._cast.other_unit.pk) == []
