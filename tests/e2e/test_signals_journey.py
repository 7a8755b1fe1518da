"""Signals in a real browser: the Centre finds the drifting peer worker from its home page
through the programme's health, and the unit's leader acknowledges the signal with a
comment; every role's home page tells what needs them. Screenshots for the README."""

import pytest
from playwright.sync_api import Page, expect

from programme.models import SignalAck

from .conftest import DESKTOP, TABLET, log_out, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

PHONE = {"width": 390, "height": 844}


def test_centre_finds_the_drifting_peer_and_the_leader_acknowledges_it(
    page: Page, live_server, screenshot
):
    login(page, live_server, "center")
    todo = page.get_by_test_id("todo")
    todo.get_by_role("link", name="Peer drift: 3 peermedarbejdere").click()
    health = page.get_by_test_id("health")
    row = health.locator("tbody tr", has_text="F-ACT Aalborg Øst")
    expect(row).to_be_visible()
    # Only units with a drifting peer worker are left.
    expect(health.locator("tbody tr", has_text="F-ACT Brønderslev")).to_have_count(0)
    page.goto(f"{live_server.url}/programme/health/")
    screenshot(page, "programme-health")
    page.set_viewport_size(TABLET)
    screenshot(page, "programme-health-tablet")
    page.set_viewport_size(DESKTOP)
    page.get_by_test_id("health").get_by_role("link", name="F-ACT Aalborg Øst").click()
    card = page.locator("article", has_text="Peer drift: Camilla Nørgaard")
    expect(card).to_contain_text("mere udsat")
    expect(card).to_contain_text("Opgaver uden for beskrivelsen: 80 timer i 8 registrerede uger")
    expect(card).to_contain_text("Hvorfor det betyder noget")
    screenshot(page, "unit-signals")
    log_out(page)

    login(page, live_server, "leder")
    todo = page.get_by_test_id("todo")
    line = todo.locator("li", has_text="Camilla Nørgaard").filter(has_text="Peer drift")
    expect(line).to_have_count(1)
    line.get_by_role("link", name="Peer drift").click()
    card = page.locator("article", has_text="Peer drift: Camilla Nørgaard")
    card.get_by_role("link", name="Kvittér for “Peer drift” for Camilla Nørgaard").click()
    page.get_by_role("button", name="Kvittér").click()
    expect(page.locator("#id_comment")).to_have_class("textarea form-control is-invalid")
    page.fill("#id_comment", "Vi har aftalt, at medicinrunderne overgår til sygeplejen fra 1.")
    page.get_by_role("button", name="Kvittér").click()
    expect(page.get_by_text("Der er kvitteret for signalet indtil")).to_be_visible()
    card = page.locator("article", has_text="Peer drift: Camilla Nørgaard")
    expect(card).to_contain_text("kvitteret")
    ack = SignalAck.objects.get()
    assert (ack.kind, ack.peer.name) == ("drift", "Camilla Nørgaard")
    page.goto(f"{live_server.url}/")
    drift = page.get_by_test_id("todo").locator("li", has_text="Camilla Nørgaard")
    expect(drift.filter(has_text="Peer drift")).to_have_count(0)
    page.set_viewport_size(PHONE)
    screenshot(page, "leader-home-phone")
    page.set_viewport_size(DESKTOP)


def test_the_mentor_and_the_peer_worker_see_what_needs_them(page: Page, live_server, screenshot):
    login(page, live_server, "mentor")
    expect(page.get_by_test_id("todo")).to_be_visible()
    screenshot(page, "mentor-home")
    log_out(page)
    login(page, live_server, "peer")
    todo = page.get_by_test_id("todo")
    expect(todo).to_be_visible()
