"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Sync Playwright runs an event loop in the test thread while the test also uses the ORM
(to load the demo data and look up ids), so Django's async-safety check is switched off here.
"""

import os

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from tests import snapshots  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=da-DK",
]
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180}
DEMO_PASSWORD = "demo"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is not installed: run make test, or apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def viewport() -> dict:
    """Override in a test module, or with @pytest.mark.parametrize, for other screen sizes."""
    return DESKTOP


@pytest.fixture
def page(browser: Browser, viewport: dict) -> Page:
    context = browser.new_context(viewport=viewport, locale="da-DK")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo(live_server, _demo_snapshot):
    """The demo programme, as seed_demo leaves it, in the live server's database.

    live_server gives the test a transactional database, emptied afterwards; the rows are
    copied back from the session's snapshot (a second, not a fresh seed).
    """
    snapshots.restore(_demo_snapshot)


@pytest.fixture
def screenshot():
    """Save a full-page PNG under docs/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def login(page: Page, live_server, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real login form and wait for the role home page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action$='/accounts/login/'] [type=submit]")
    # The navbar may be collapsed on small screens, so wait for the name to exist, not to show.
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("who")).to_be_attached()


def log_out(page: Page) -> None:
    """Log out with the real button in the user menu."""
    page.locator("nav .user-menu").click()
    page.locator("form[action$='/accounts/logout/'] [type=submit]").click()
    expect(page.get_by_test_id("who")).to_have_count(0)
