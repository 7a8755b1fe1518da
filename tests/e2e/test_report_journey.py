"""The yearly report in a real browser: the Centre opens the programme report from the
menu and a leader opens their unit's status report from the unit's page; axe-core checks
both at laptop and phone width."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import DESKTOP, login
from .test_accessibility import AXE_OPTIONS, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]


def _axe_at_both_widths(page: Page) -> None:
    for name, viewport in (("laptop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.evaluate(
            "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        result = Axe().run(page, options=AXE_OPTIONS)
        assert result.response["violations"] == [], name
    page.set_viewport_size(DESKTOP)


def test_the_centre_reads_the_programme_report(page: Page, live_server, screenshot):
    login(page, live_server, "center")
    page.get_by_role("button", name="Centret").or_(page.get_by_role("link", name="Centret")).click()
    page.get_by_role("link", name="Programrapport").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Programrapport")
    expect(page.get_by_test_id("report-people")).to_contain_text("Ansat ved periodens slutning")
    expect(page.get_by_test_id("report-outcomes")).to_contain_text("patienter målt første gang")
    expect(page.get_by_test_id("report-survey")).to_contain_text(
        "Gennemsnit: Klarhed om funktionen"
    )
    _axe_at_both_widths(page)
    screenshot(page, "programme-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Regneark (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_a_leader_reads_the_units_status_report(page: Page, live_server):
    login(page, live_server, "leder")
    page.goto(live_server.url + "/units/")
    page.get_by_role("link", name="F-ACT Aalborg Øst").first.click()
    page.get_by_role("link", name="Statusrapport").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Statusrapport")
    expect(page.get_by_role("heading", level=1)).to_contain_text("F-ACT Aalborg Øst")
    _axe_at_both_widths(page)
