"""Phones and tablets: the caseload, the applicant board, the onboarding checklists and the
statistics need no sideways scrolling below 768 px, their main actions stay within the
screen's width, and the applicant board fits a 1366 px laptop with all its columns.
Screenshots at phone, tablet and laptop sizes for the README."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from recruitment.models import Vacancy

from .conftest import DESKTOP, TABLET, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

PHONE = {"width": 390, "height": 844}
LAPTOP_1366 = {"width": 1366, "height": 900}
SIZES = {"phone": PHONE, "tablet": TABLET, "laptop": DESKTOP}
DEMO_VACANCY = "Peermedarbejder til F-ACT Aalborg Øst"

# What overflows sideways: the page itself, any table's scroll box, and any cell of a
# table shown as cards (a word or a button wider than its place).
OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth - window.innerWidth,
  tables: [...document.querySelectorAll("main .table-responsive")]
    .filter((box) => box.scrollWidth > box.clientWidth + 1)
    .map((box) => box.querySelector("table")?.dataset.testid
      + `: ${box.scrollWidth} > ${box.clientWidth}`),
  cells: [...document.querySelectorAll("main table.stack-sm > tbody > tr > *")]
    .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
    .map((cell) => cell.textContent.trim().slice(0, 40)),
})"""


def assert_no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(OVERFLOW)
    assert overflow["page"] <= 0, (page.url, overflow)
    assert overflow["tables"] == [], (page.url, overflow)
    assert overflow["cells"] == [], (page.url, overflow)


# Words the browser split over two lines (to fit a box too narrow for them) in the elements
# the selector finds, and those elements whose text runs out of them.
SPLIT_WORDS = """(selector) => {
  const split = [];
  for (const box of document.querySelectorAll(selector)) {
    if (box.scrollWidth > box.clientWidth + 1) {
      split.push(`overflows: ${box.textContent.trim()}`);
    }
    const texts = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node = texts.nextNode(); node; node = texts.nextNode()) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) split.push(word[0]);
      }
    }
  }
  return split;
}"""


def assert_whole_words(page: Page, selector: str) -> None:
    expect(page.locator(selector).first).to_be_visible()
    split = page.evaluate(SPLIT_WORDS, selector)
    assert split == [], (page.url, page.viewport_size, split)


def assert_within_width(page: Page, target: Locator) -> None:
    """The element shows without scrolling sideways: its box lies inside the screen's width."""
    expect(target).to_be_visible()
    box = target.bounding_box()
    width = page.viewport_size["width"]
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (page.url, box, width)


def screenshots(page: Page, screenshot, name: str) -> None:
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        screenshot(page, f"{size}-{name}")
    page.set_viewport_size(PHONE)


@pytest.fixture
def viewport() -> dict:
    return PHONE


def test_the_peer_worker_writes_a_note_from_the_caseload_on_a_phone(
    page: Page, live_server, screenshot
):
    login(page, live_server, "peer")
    page.goto(f"{live_server.url}/journal/")
    assert_no_sideways_scroll(page)
    write = page.get_by_test_id("caseload").get_by_role("link", name="Skriv et notat")
    expect(write).to_have_count(5)  # the demo's five active patients, all with consent
    for link in write.all():
        assert_within_width(page, link)
    screenshots(page, screenshot, "caseload")
    write.first.click()
    expect(page).to_have_url(re.compile(r"/journal/patients/\d+/notes/new/$"))


def test_the_caseload_shown_as_cards_is_still_a_table_for_screen_readers(page: Page, live_server):
    login(page, live_server, "peer")
    page.goto(f"{live_server.url}/journal/")
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    roles = [node.get("role", {}).get("value") for node in nodes]
    assert roles.count("table") == 1
    assert roles.count("columnheader") == 6
    assert roles.count("rowheader") == 5
    # A cell is read with its real column heading: the heading drawn before it on the card
    # is not read again as part of its text.
    cells = [n["name"]["value"] for n in nodes if n.get("role", {}).get("value") == "cell"]
    assert "AØ-1042" in cells
    assert not [name for name in cells if name.startswith("Reference")]


def test_the_leader_uses_the_applicant_board_on_a_phone_and_a_laptop(
    page: Page, live_server, screenshot
):
    vacancy = Vacancy.objects.get(title=DEMO_VACANCY)
    login(page, live_server, "leder")
    page.goto(f"{live_server.url}/recruitment/vacancies/{vacancy.pk}/applicants/")
    assert_no_sideways_scroll(page)
    board = page.get_by_test_id("board")
    assert_within_width(page, page.get_by_role("link", name="Tilføj ansøger"))
    moves = board.get_by_role("button", name="Flyt")
    expect(moves).to_have_count(5)  # the applicants still in process
    for move in moves.all():
        assert_within_width(page, move)
    screenshots(page, screenshot, "board")

    page.set_viewport_size(LAPTOP_1366)
    assert_no_sideways_scroll(page)
    assert page.evaluate("(b) => b.scrollWidth <= b.clientWidth", board.element_handle()), (
        "the board scrolls sideways at 1366 px"
    )
    columns = board.locator("section")
    expect(columns).to_have_count(8)
    for i in range(8):
        assert_within_width(page, columns.nth(i))


def test_the_leader_ticks_the_onboarding_checklist_on_a_phone(page: Page, live_server, screenshot):
    login(page, live_server, "leder")
    page.goto(f"{live_server.url}/recruitment/checklists/")
    assert_no_sideways_scroll(page)
    link = page.get_by_test_id("checklist-overview").get_by_role("link", name=DEMO_VACANCY)
    assert_within_width(page, link)
    screenshot(page, "phone-checklist-overview")
    link.click()
    expect(page.get_by_test_id("item").first).to_be_visible()
    page.wait_for_load_state()  # the style sheets too, before anything is measured
    assert_no_sideways_scroll(page)
    for edit in page.get_by_test_id("item").get_by_role("link", name="Redigér").all():
        assert_within_width(page, edit)
    task = page.get_by_test_id("item").filter(has=page.get_by_role("button", name="Afkryds"))
    task = page.locator(f"#{task.first.get_attribute('id')}")
    assert_within_width(page, task.get_by_role("button", name="Afkryds"))
    screenshots(page, screenshot, "checklist")

    task.get_by_role("button", name="Afkryds").click()
    expect(task.get_by_role("button", name="Udført")).to_be_visible()
    assert_within_width(page, task.get_by_role("button", name="Udført"))
    assert_no_sideways_scroll(page)
    # The row htmx put in is a table row for screen readers, as the others are.
    expect(task).to_have_attribute("role", "row")

    # On a tablet and a laptop the checklist is a table again, its columns wide enough for
    # their words ("ansættelseskontrakt", "Peermedarbejder").
    for viewport in (TABLET, DESKTOP):
        page.set_viewport_size(viewport)
        assert_whole_words(page, "table.checklist td")
        assert page.evaluate(OVERFLOW)["tables"] == []


@pytest.mark.parametrize("username", ["leder", "peer", "center"])
def test_the_statistics_tables_fit_a_phone(page: Page, live_server, screenshot, username):
    login(page, live_server, username)
    page.goto(f"{live_server.url}/journal/statistics/")
    expect(page.get_by_test_id("months")).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_within_width(page, page.get_by_role("button", name="Vis", exact=True))
    assert_within_width(page, page.get_by_role("link", name="Excel"))
    assert_whole_words(page, "main .stat")
    if username == "leder":
        screenshots(page, screenshot, "statistics")


def test_the_leaders_home_page_on_phone_tablet_and_laptop(page: Page, live_server, screenshot):
    login(page, live_server, "leder")
    assert_no_sideways_scroll(page)
    screenshots(page, screenshot, "leader-home")


@pytest.mark.parametrize("username", ["peer", "center"])
def test_the_home_pages_number_cards_wrap_whole_words(page: Page, live_server, username):
    login(page, live_server, username)
    for width in (360, 390, 576, 700, 768, 820, 1024, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_whole_words(page, "main .stat")
        if width < 768:
            assert_no_sideways_scroll(page)


@pytest.mark.parametrize("width", [1024, 1100, 1200, 1280])
def test_the_centres_full_menu_never_pushes_the_page_sideways(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="da-DK")
    page = context.new_page()
    try:
        login(page, live_server, "center")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        expect(page.locator("nav .navbar-collapse")).to_be_visible()  # not folded away
    finally:
        context.close()
