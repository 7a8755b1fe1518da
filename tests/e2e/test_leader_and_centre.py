"""User journeys through the shared programme pages, in a real browser on the demo data.

Assertions lean on names from the demo data, data-testid hooks and form field names rather
than on Danish wording, which is still being translated.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from peerprogram.models import PeerWorker

from .conftest import TABLET, log_out, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

ONE_PEER = re.compile(r"^\s*1\D")
TWO_PEERS = re.compile(r"^\s*2\D")
NINE_UNITS = [
    "F-ACT Aalborg Øst",
    "F-ACT Hjørring",
    "F-ACT Frederikshavn",
    "F-ACT Brønderslev",
    "F-ACT Thisted",
    "F-ACT Himmerland",
    "F-ACT Aalborg Vest",
    "F-ACT Vendsyssel Syd",
    "Sengeafsnit S4, akutpsykiatri",
]


def peer_names(page: Page) -> list[str]:
    """The names in the first column of the peer table, in order, once the page has loaded."""
    page.wait_for_load_state()
    return [
        n.strip()
        for n in page.locator("[data-testid=peer-table] tbody tr td:first-child").all_inner_texts()
    ]


def nav(page: Page):
    return page.get_by_role("navigation")


def test_leader_sees_own_unit_and_its_peer_but_not_other_units(page: Page, live_server, screenshot):
    login(page, live_server, "leder")

    unit = page.get_by_test_id("led-unit")
    expect(unit).to_have_count(1)
    expect(unit.get_by_role("heading", level=2)).to_contain_text("F-ACT Aalborg Øst")
    maria = unit.get_by_test_id("peer-table").locator("tr", has_text="Maria Sørensen")
    expect(maria).to_contain_text("Mikkel Dahl")
    main = page.locator("main")
    expect(main).not_to_contain_text("F-ACT Hjørring")
    expect(main).not_to_contain_text("Oliver Jakobsen")
    expect(page.get_by_test_id("programme")).to_have_count(0)
    screenshot(page, "leader-home")

    maria.get_by_role("link", name="Maria Sørensen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Sørensen")
    facts = page.get_by_test_id("peer-facts")
    expect(facts).to_contain_text("F-ACT Aalborg Øst")
    # "1. september 2020" in Danish, "1. September 2020" in English.
    expect(facts).to_contain_text(re.compile(r"1\. september 2020", re.IGNORECASE))
    expect(facts.locator("dd", has_text=re.compile(r"^\s*30\s*$"))).to_have_count(1)
    expect(page.get_by_test_id("mentor")).to_contain_text("Mikkel Dahl")

    page.goto(f"{live_server.url}/peers/")
    expect(page.get_by_test_id("peer-count")).to_have_text(TWO_PEERS)
    assert peer_names(page) == ["Camilla Nørgaard", "Maria Sørensen"]
    # The unit filter only offers the leader's own unit.
    options = page.locator("select[name=unit] option").all_inner_texts()
    assert options == ["Alle", "F-ACT Aalborg Øst"]


def test_centre_staff_see_the_whole_programme_and_filter_peers(page: Page, live_server, screenshot):
    login(page, live_server, "center")
    expect(page.get_by_test_id("who")).to_have_text("Karen Mølgaard")

    programme = page.get_by_test_id("programme")
    expect(programme).to_be_visible()
    expect(page.get_by_test_id("todo")).to_be_visible()
    expect(page.get_by_test_id("led-unit")).to_have_count(0)
    screenshot(page, "centre-home")

    # Every unit is on the programme's health page.
    programme.get_by_role("link", name="Programhelbred: alle enheder").click()
    expect(page).to_have_url(f"{live_server.url}/programme/health/")
    page.wait_for_load_state()
    unit_links = page.get_by_test_id("health").locator("tbody tr th a")
    names = unit_links.all_inner_texts()
    for name in NINE_UNITS:
        assert name in names
    # Alphabetical, so a unit is easy to find (SQLite compares code points, as Python does).
    assert names == sorted(names)
    page.goto(f"{live_server.url}/")

    nav(page).locator("a[href='/peers/']").click()
    expect(page).to_have_url(f"{live_server.url}/peers/")
    everyone = peer_names(page)
    for name in ["Maria Sørensen", "Oliver Jakobsen", "Freja Holst"]:
        assert name in everyone
    assert len(everyone) == PeerWorker.objects.count()
    # Freja Holst works 15 hours a week: her row carries the "low hours" badge.
    freja = page.get_by_test_id("peer-table").locator("tr", has_text="Freja Holst")
    expect(freja.locator(".badge.text-bg-warning")).to_be_visible()

    page.select_option("select[name=unit]", label="F-ACT Hjørring")
    page.locator("form.filter-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/peers/\?.*unit=\d+"))
    assert peer_names(page) == ["Oliver Jakobsen"]
    expect(page.get_by_test_id("peer-count")).to_have_text(ONE_PEER)
    # The filter form remembers the choice.
    expect(page.locator("select[name=unit] option:checked")).to_have_text("F-ACT Hjørring")
    screenshot(page, "centre-peers-filtered")


def test_switching_language_to_english_and_back(page: Page, live_server, screenshot):
    login(page, live_server, "center")
    expect(page.locator("html")).to_have_attribute("lang", "da")

    page.locator("button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(nav(page).get_by_role("link", name="Peer workers")).to_be_visible()
    expect(nav(page).get_by_role("link", name="Units")).to_be_visible()
    page.locator("nav .user-menu").click()
    expect(nav(page).get_by_role("button", name="Log out")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("button[name=language][value=en]")).to_have_attribute(
        "aria-current", "true"
    )
    screenshot(page, "centre-home-english")

    # The choice sticks while moving around.
    nav(page).get_by_role("link", name="Peer workers").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Peer workers")

    page.locator("button[name=language][value=da]").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page).to_have_url(f"{live_server.url}/peers/")
    expect(page.locator("button[name=language][value=da]")).to_have_attribute(
        "aria-current", "true"
    )


def test_leader_registers_a_peer_worker_and_sees_the_low_hours_warning(
    page: Page, live_server, screenshot
):
    login(page, live_server, "leder")
    page.get_by_test_id("led-unit").locator("a[href^='/peers/new/']").click()
    expect(page).to_have_url(re.compile(r"/peers/new/\?unit=\d+$"))
    # The unit comes preselected from the leader's home page.
    expect(page.locator("select[name=person-unit] option:checked")).to_have_text(
        "F-ACT Aalborg Øst"
    )

    page.fill("input[name=person-name]", "Aske Nørgaard")
    page.fill("input[name=person-email]", "aske.noergaard@region-nord.example")
    page.fill("input[name=person-phone]", "+45 20 30 40 50")
    page.fill("input[name=employment-start_date]", "2026-03-01")
    page.select_option("select[name=employment-employment_form]", "fee_paid")

    warning = page.locator("[data-low-hours]")
    cost = page.locator("[data-cost-label]")
    expect(warning).to_be_hidden()
    page.fill("input[name=employment-hours_per_week]", "12")
    expect(warning).to_be_visible()
    # 12 × 10,115 kr. = 121,380 kr., written "121.380" in Danish.
    expect(cost).to_contain_text(re.compile(r"121[.,\s\u00a0]380"))
    screenshot(page, "leader-register-peer")

    # At 20 hours the warning goes away again, and comes back below.
    page.fill("input[name=employment-hours_per_week]", "20")
    expect(warning).to_be_hidden()
    expect(cost).to_contain_text(re.compile(r"202[.,\s\u00a0]300"))
    page.fill("input[name=employment-hours_per_week]", "12")
    expect(warning).to_be_visible()

    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/peers/\d+/$"))  # saved: the new peer's page
    peer = PeerWorker.objects.get(staff_member__name="Aske Nørgaard")
    expect(page).to_have_url(f"{live_server.url}/peers/{peer.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aske Nørgaard")
    expect(page.locator("main .alert-success")).to_contain_text("Aske Nørgaard")
    # Two warnings, each with its reason: under 20 hours, and a fee-paid post.
    warnings = page.locator("main .alert-warning[role=alert]")
    expect(warnings.filter(has_text="20 timer")).to_be_visible()
    expect(warnings.filter(has_text="fast stilling")).to_be_visible()
    facts = page.get_by_test_id("peer-facts")
    expect(facts).to_contain_text("F-ACT Aalborg Øst")
    expect(facts.locator(".alert-warning")).to_have_count(2)
    assert peer.hours_per_week == 12
    assert peer.staff_member.unit.name == "F-ACT Aalborg Øst"

    # The new peer worker is now on the leader's home page.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("peer-table")).to_contain_text("Aske Nørgaard")


def test_too_many_hours_is_refused_without_losing_what_was_typed(page: Page, live_server):
    login(page, live_server, "leder")
    page.goto(f"{live_server.url}/peers/new/")
    page.fill("input[name=person-name]", "Vilma Krag")
    page.fill("input[name=person-email]", "vilma.krag@region-nord.example")
    page.select_option("select[name=person-unit]", label="F-ACT Aalborg Øst")
    page.fill("input[name=employment-start_date]", "2026-03-01")
    page.select_option("select[name=employment-employment_form]", "fee_paid")
    page.fill("input[name=employment-hours_per_week]", "40")
    page.locator("main form[method=post] button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/peers/new/")
    hours = page.locator("input[name=employment-hours_per_week]")
    expect(hours).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("[id^=error_][id$=id_employment-hours_per_week]")).to_contain_text("37")
    expect(page.locator("input[name=person-name]")).to_have_value("Vilma Krag")
    expect(page.locator("input[name=person-email]")).to_have_value("vilma.krag@region-nord.example")
    expect(page.locator("input[name=employment-start_date]")).to_have_value("2026-03-01")
    expect(hours).to_have_value("40")
    assert not PeerWorker.objects.filter(staff_member__name="Vilma Krag").exists()


def test_peer_and_mentor_see_their_own_pages(page: Page, live_server, screenshot):
    login(page, live_server, "peer")
    expect(page.get_by_test_id("who")).to_have_text("Maria Sørensen")
    own = page.get_by_test_id("own-peer")
    expect(own).to_be_visible()
    expect(own.get_by_test_id("mentor")).to_contain_text("Mikkel Dahl")
    expect(own.get_by_test_id("peer-facts")).to_contain_text("F-ACT Aalborg Øst")
    expect(nav(page).locator("a[href='/units/']")).to_have_count(0)
    expect(nav(page).locator("a[href='/peers/']")).to_have_count(0)
    expect(page.get_by_test_id("mentees")).to_have_count(0)
    screenshot(page, "peer-home")

    # The programme lists are not for peer workers.
    response = page.goto(f"{live_server.url}/units/")
    assert response.status == 403

    page.goto(f"{live_server.url}/")
    log_out(page)
    login(page, live_server, "mentor")
    expect(page.get_by_test_id("who")).to_have_text("Mikkel Dahl")
    mentees = page.get_by_test_id("mentees")
    expect(mentees).to_be_visible()
    expect(mentees.locator("li")).to_have_count(1)
    expect(mentees).to_contain_text("Maria Sørensen")
    expect(nav(page).locator("a[href='/units/']")).to_have_count(0)
    expect(page.get_by_test_id("own-peer")).to_have_count(0)

    # The mentee links to the mentorship: the check-ins the two of them log.
    mentees.get_by_role("link", name="Maria Sørensen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maria Sørensen")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mikkel Dahl")
    expect(page.get_by_test_id("health")).to_be_visible()
    # The employment is the leader's to change, not the mentor's.
    expect(page.locator("main a[href$='/edit/']")).to_have_count(0)


@pytest.mark.parametrize("viewport", [TABLET], ids=["tablet"])
def test_tablet_layout_of_leader_home(page: Page, live_server, screenshot):
    login(page, live_server, "leder")
    expect(page.get_by_test_id("led-unit")).to_be_visible()
    overflow = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], f"page is wider than the screen: {overflow}"
    # The navbar collapses behind the menu button; it opens and shows the links.
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    screenshot(page, "leader-home-tablet")
    toggler.click()
    expect(nav(page).locator("a[href='/peers/']")).to_be_visible()
    expect(page.get_by_test_id("who")).to_be_visible()


def test_the_navigation_fits_a_desktop_screen_with_the_most_links(page: Page, live_server):
    # The Centre sees the most links; a leader sees the peer-notes menu instead of the Centre's.
    for username in ("center", "leder"):
        login(page, live_server, username)
        for path in (
            "/",
            "/mentoring/",
            "/recruitment/vacancies/",
            "/education/",
            "/journal/statistics/",
        ):
            page.goto(f"{live_server.url}{path}")
            width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], f"{username}: {path} is wider than the screen: {width}"
        log_out(page)
