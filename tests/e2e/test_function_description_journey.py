"""The function description in a real browser: the leader revises the demo peer worker's
description and agrees to it, the peer worker reads it and agrees too, and both see the
revision in force; at phone and laptop sizes, with screenshots for the README."""

import re

import pytest
from playwright.sync_api import Page, expect

from employment.models import FunctionDescription
from peerprogram.models import PeerWorker

from .conftest import DESKTOP, TABLET, log_out, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

PHONE = {"width": 390, "height": 844}


def test_leader_and_peer_agree_a_revised_function_description(page: Page, live_server, screenshot):
    maria = PeerWorker.objects.get(staff_member__name="Maria Sørensen")
    in_force = maria.function_descriptions.order_by("-number").first()
    function_url = f"{live_server.url}/employment/peers/{maria.pk}/function/"

    login(page, live_server, "leder")
    page.goto(f"{live_server.url}{maria.get_absolute_url()}")
    page.get_by_test_id("peer-function").get_by_role(
        "link", name="Åbn funktionsbeskrivelsen"
    ).click()
    expect(page).to_have_url(function_url)
    expect(page.get_by_test_id("function-in-force")).to_contain_text(f"revision {in_force.number}")
    expect(page.get_by_test_id("activity-mix")).to_be_visible()
    screenshot(page, "function-description")

    page.get_by_role("link", name="Revidér").click()
    # The draft starts from the description in force; every error shows at once.
    expect(page.locator("#id_hours_psychoeducation")).to_have_value(
        str(in_force.hours_psychoeducation)
    )
    page.fill("#id_hours_conversations", "40")
    page.fill("#id_other_tasks", "")
    page.fill("#id_hours_other", "2")
    page.get_by_role("button", name="Gem udkastet").click()
    expect(page.locator("#id_hours_conversations")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_other_tasks")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#error_1_id_hours_conversations")).to_contain_text("mere end")
    # What was typed is still there.
    expect(page.locator("#id_hours_other")).to_have_value("2")
    page.fill("#id_hours_conversations", "10")
    page.fill("#id_other_tasks", "Peerperspektiv i teamets morgenmøde")
    page.get_by_role("button", name="Gem udkastet").click()

    draft = maria.function_descriptions.get(number=in_force.number + 1)
    expect(page).to_have_url(f"{live_server.url}{draft.get_absolute_url()}")
    page.get_by_role("button", name="Godkend som leder").click()
    expect(page).to_have_url(function_url)
    expect(page.get_by_test_id("function-draft")).to_contain_text("Endnu ikke")
    log_out(page)

    login(page, live_server, "peer")
    page.goto(function_url)
    # The description in force stays in force until both have agreed to the new one.
    expect(page.get_by_test_id("function-in-force")).to_contain_text(f"revision {in_force.number}")
    page.get_by_test_id("function-draft").get_by_role("link", name="Læs udkastet").click()
    expect(page.get_by_text("Peerperspektiv i teamets morgenmøde")).to_be_visible()
    page.get_by_role("button", name="Godkend som peermedarbejder").click()
    expect(page.get_by_test_id("function-in-force")).to_contain_text(f"revision {draft.number}")
    expect(page.get_by_test_id("function-draft")).to_have_count(0)
    draft.refresh_from_db()
    assert draft.agreed
    assert FunctionDescription.objects.filter(peer=maria, number=in_force.number).exists()

    page.set_viewport_size(PHONE)
    page.reload()
    screenshot(page, "function-description-phone")
    page.set_viewport_size(DESKTOP)


def test_leader_records_a_follow_up_talk_and_the_peer_reads_it(page: Page, live_server, screenshot):
    maria = PeerWorker.objects.get(staff_member__name="Maria Sørensen")
    follow_up_url = f"{live_server.url}/employment/peers/{maria.pk}/follow-up/"

    login(page, live_server, "leder")
    page.goto(f"{live_server.url}{maria.get_absolute_url()}")
    page.get_by_test_id("peer-follow-up").get_by_role("link").click()
    expect(page).to_have_url(follow_up_url)
    # The action agreed last month is still open.
    expect(page.get_by_test_id("open-actions")).to_contain_text("Forbered oplæg")
    page.get_by_test_id("talks-due").get_by_role("link", name="Registrér samtalen").first.click()
    page.fill("#id_how_it_goes", "Oplægget er holdt; teamet spurgte meget.")
    page.get_by_label("Passende").check()
    page.get_by_label("Forbered oplæg", exact=False).check()
    page.fill("#id_actions-0-text", "Aftal brobygningstimer med ergoterapeuten")
    page.select_option("#id_actions-0-responsible", "peer")
    page.get_by_role("button", name="Gem samtalen").click()
    expect(page).to_have_url(follow_up_url)
    expect(page.get_by_test_id("open-actions")).to_contain_text("Aftal brobygningstimer")
    expect(page.get_by_test_id("open-actions")).not_to_contain_text("Forbered oplæg")
    screenshot(page, "follow-up-talks")
    page.set_viewport_size(PHONE)
    screenshot(page, "follow-up-talks-phone")
    page.set_viewport_size(DESKTOP)
    log_out(page)

    login(page, live_server, "peer")
    page.goto(f"{live_server.url}{maria.get_absolute_url()}")
    card = page.get_by_test_id("peer-follow-up")
    expect(card).to_contain_text("Næste MUS")
    card.get_by_role("link").click()
    page.get_by_role("link", name="Opfølgningssamtale").first.click()
    expect(page.get_by_text("Oplægget er holdt; teamet spurgte meget.")).to_be_visible()
    # The peer worker reads; recording is the leader's.
    page.goto(follow_up_url)
    expect(page.get_by_role("link", name="Registrér samtalen")).to_have_count(0)
    # Her leaflet, from her own approved words.
    page.goto(f"{live_server.url}/employment/peers/{maria.pk}/leaflet/")
    expect(page.get_by_test_id("leaflet-preview")).to_contain_text("Jeg hedder Maria")
    screenshot(page, "leaflet")
    log_out(page)

    # The Centre sees retention across the programme, the one who left among them.
    login(page, live_server, "center")
    page.goto(f"{live_server.url}/employment/retention/")
    expect(page.get_by_test_id("retention-total")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Eget ønske: nyt job")
    screenshot(page, "retention")
    page.set_viewport_size(TABLET)
    screenshot(page, "retention-tablet")
    page.set_viewport_size(DESKTOP)
