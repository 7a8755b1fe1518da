"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Sync Playwright runs an event loop in the test thread while the test also uses the ORM
(to load the demo data and look up ids), so Django's async-safety check is switched off here.
"""

import os
import threading
from collections.abc import Iterator

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client, testcases  # noqa: E402
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests import snapshots  # noqa: E402
from tests.e2e import chromium  # noqa: E402

DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180}
DEMO_PASSWORD = "demo"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def browser() -> Browser:
    """Chromium, kept running from one browser test to the next (tests/e2e/chromium.py)."""
    return chromium.start()


@pytest.fixture(scope="session", autouse=True)
def _chromium_stopped_at_the_end() -> Iterator[None]:
    yield
    chromium.stop()


class OneRequestAtATime(WSGIHandler):
    """Django's handler, answering one request at a time.

    On the in-memory SQLite test database the live server's threads all use the test's one
    connection (Django hands it over; a second connection would see another, empty
    database). Two requests at once, such as an autosave crossing "Næste", would then mix
    their transactions on it. In production every thread has its own connection, and the
    database makes writes take turns (tests/peerprogram/test_concurrent_writes.py).
    Static files are served outside this handler and still in parallel.
    """

    lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            return super().__call__(environ, start_response)


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time(django_db_setup):
    """Before the session's live server starts (and once the test database is known): its
    handler takes requests in turn when the database connection is shared between threads."""
    connection = connections["default"]
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(testcases, "WSGIHandler", OneRequestAtATime)
        yield


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

    live_server gives the test a transactional database, put back to the migrated rows
    afterwards; the demo's rows are copied from the session's snapshot (a fraction of a
    second, not a fresh seed).
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


def login(page: Page, live_server, username: str) -> None:
    """Log the browser in as `username` and open the role's home page.

    The session is made as Django's test client makes one (`force_login`: the user's
    session in the database, `user_logged_in` sent) and its cookie handed to the browser: a
    journey starts where a user who has just logged in would, without the login form's
    three steps (about a second a login, under load two). The form itself is driven by
    `login_through_form`, in the accessibility crawl and the hiring journey.
    """
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("who")).to_be_attached()


def login_through_form(
    page: Page, live_server, username: str, password: str = DEMO_PASSWORD
) -> None:
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
