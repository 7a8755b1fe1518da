"""Evaluation in a real browser: a peer worker answers the open survey round from their
home page on a phone; the Centre reads a closed round's results; a peer worker fills in
an outcome measure with a patient on a tablet, skipping a question; the Centre reads the
aggregates. axe-core checks each page."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from evaluation.models import Measurement, Response, SurveyRound
from journal.models import NoteAccess, Patient

from .conftest import DESKTOP, TABLET, login
from .test_accessibility import AXE_OPTIONS, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]


def _axe(page: Page, name: str) -> None:
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
    result = Axe().run(page, options=AXE_OPTIONS)
    assert result.response["violations"] == [], name


def test_a_peer_worker_answers_the_open_round_from_the_home_page_on_a_phone(
    page: Page, live_server, screenshot
):
    page.set_viewport_size(PHONE)
    login(page, live_server, "peer")
    open_round = SurveyRound.objects.get(title__contains="åben nu")
    before = Response.objects.filter(round=open_round).count()
    page.get_by_role("link", name="Besvar undersøgelsen").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(open_round.title)
    _axe(page, "answer")
    screenshot(page, "survey-answer-phone")
    page.get_by_label("4 – Enig").first.check()
    page.get_by_label("5 – Helt enig").nth(1).check()
    page.get_by_role("textbox").first.fill("Erfagruppen giver mig meget.")
    page.get_by_role("button", name="Send mine svar").click()
    expect(page.locator(".alert-success")).to_contain_text("Tak: dine svar er sendt")
    assert Response.objects.filter(round=open_round).count() == before + 1
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Besvar undersøgelsen")).to_have_count(0)


def test_the_centre_reads_a_closed_rounds_results(page: Page, live_server, screenshot):
    closed = SurveyRound.objects.exclude(title__contains="åben").order_by("-opens_on").first()
    login(page, live_server, "center")
    page.goto(live_server.url + "/evaluation/")
    row = page.get_by_role("row").filter(has_text=closed.title).filter(has_not_text="åben")
    row.get_by_role("link", name="Hele programmet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Resultater: {closed.title}")
    expect(page.get_by_test_id("answer-counts")).to_contain_text("svar")
    # Most units are too small to be shown on their own.
    expect(page.get_by_role("table")).to_contain_text("for få svar til at vise")
    expect(page.get_by_test_id("statement").first).to_contain_text("siden sidste runde")
    for name, viewport in (("laptop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        _axe(page, name)
    page.set_viewport_size(DESKTOP)
    screenshot(page, "survey-results")


def test_a_peer_worker_fills_in_an_outcome_measure_with_the_patient_on_a_tablet(
    page: Page, live_server, screenshot
):
    page.set_viewport_size(TABLET)
    patient = Patient.objects.get(reference="AØ-1231")  # no consent to measurement yet
    login(page, live_server, "peer")
    page.goto(live_server.url + patient.get_absolute_url())
    page.get_by_role("link", name="Effektmålinger").click()
    expect(page.get_by_text("Ikke registreret")).to_be_visible()
    page.get_by_role("link", name="Registrér samtykket").click()
    page.get_by_label("Samtykke til effektmåling givet den").fill(patient.consent_date.isoformat())
    page.get_by_label("Hvordan det blev givet").select_option("orally")
    page.get_by_role("button", name="Gem").click()
    page.get_by_role("button", name="Start").click()
    expect(page.locator("legend")).to_have_text("Jeg har håb for min fremtid.")
    page.get_by_label("4", exact=True).check()
    _axe(page, "fill")
    screenshot(page, "outcome-cofill-tablet")
    page.get_by_role("button", name="Næste").click()
    page.get_by_role("button", name="Næste").click()  # the patient skips the second
    for _n in range(4):
        page.get_by_label("5 – Passer helt").check()
        page.get_by_role("button", name="Næste").or_(
            page.get_by_role("button", name="Læs svarene sammen")
        ).click()
    expect(page.get_by_test_id("answers")).to_contain_text("sprunget over")
    _axe(page, "review")
    page.get_by_role("button", name="Patienten er færdig").click()
    expect(page.locator(".alert-success")).to_contain_text("Målingen er færdig")
    measurement = Measurement.objects.get(patient=patient)
    # 4, 5, 5 and (reversed) 1 + 5 - 5 = 1, then 5: the mean of five answers.
    assert measurement.status == "done" and measurement.score == pytest.approx(20 / 5)
    assert NoteAccess.objects.filter(patient_id=patient.pk, action="measure").exists()


def test_the_centre_reads_the_outcome_aggregates(page: Page, live_server, screenshot):
    login(page, live_server, "center")
    page.goto(live_server.url + "/evaluation/outcomes/")
    table = page.get_by_role("table").first
    expect(table).to_contain_text("F-ACT Aalborg Øst")
    expect(table).to_contain_text("færre end 5 patienter")
    _axe(page, "outcomes")
    screenshot(page, "outcomes")
