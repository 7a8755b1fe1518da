"""WCAG 2.1 A and AA, measured by axe-core in Chromium, on every page each demo role reaches.

Each role's pages are found by following the links of the pages it sees, from its home page,
with Django's test client (fast, no browser): one address per URL pattern (and per co-writing
step), the files (PDF, spreadsheets, calendars) left out. Chromium then opens each address
as the role, logged in through the real form, and axe-core (shipped inside
axe-playwright-python, no download) checks it against the WCAG 2.0/2.1 A and AA rules. Any
violation fails the test, listed with the page, the rule and the elements.

The Django admin is Django's own and is not crawled.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, resolve
from playwright.sync_api import Browser

from .conftest import DESKTOP, login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe-core's experimental rules for WCAG 2.1 A/AA are off unless asked for: asked for.
EXPERIMENTAL = [
    "css-orientation-lock",
    "label-content-name-mismatch",
    "p-as-heading",
    "table-fake-caption",
    "td-has-header",
]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "rules": {rule: {"enabled": True} for rule in EXPERIMENTAL},
}
# Files and actions, not pages: what a link to them gives is not HTML to check.
NOT_PAGES = ("pdf", "xlsx", "export", "ics", "feed", "logout", "set_language", "autosave")
# Query parameters that choose what a page shows (each value is its own page).
SHAPING = {"step"}
# A bound on the crawl: the demo has some 150 patterns in all.
MAX_PAGES = 400
# Each page is checked at laptop width and again at phone width, where wide tables scroll
# and the menu folds away.
PHONE = {"width": 390, "height": 844}

_axe = Axe()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _key(url: str) -> str | None:
    """The page's pattern (None: not a page of the product)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(("/admin/", "/static/", "/media/")):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    name = match.view_name or ""
    if any(word in name for word in NOT_PAGES):
        return None
    query = dict(parse_qsl(parts.query))
    shaping = sorted(f"{k}={v}" for k, v in query.items() if k in SHAPING)
    others = sorted(k for k in query if k not in SHAPING)
    return f"{name}?{'&'.join(shaping + others)}"


def reachable(client: Client, start: str = "/") -> dict[str, str]:
    """Pattern -> the first address of it found by following links from `start`."""
    found: dict[str, str] = {}
    queue = deque([start])
    while queue and len(found) < MAX_PAGES:
        url = urldefrag(queue.popleft())[0]
        key = _key(url)
        if key is None or key in found:
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        found[key] = url
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            if href.startswith("?"):
                href = urlsplit(url).path + href
            if (k := _key(href)) is not None and k not in found:
                queue.append(href)
    return found


def violations(browser: Browser, live_server, username: str | None, pages: dict[str, str]):
    context = browser.new_context(viewport=DESKTOP, locale="da-DK")
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    try:
        if username:
            login(page, live_server, username)
        for url in pages.values():
            response = page.goto(live_server.url + url)
            assert response is not None and response.status == 200, url
            for size, viewport in (("laptop", DESKTOP), ("phone", PHONE)):
                page.set_viewport_size(viewport)
                result = _axe.run(page, options=AXE_OPTIONS)
                for violation in result.response["violations"]:
                    targets = [", ".join(node["target"]) for node in violation["nodes"]]
                    problems.append(
                        f"{url} ({size}): {violation['id']} ({len(targets)}): "
                        + "; ".join(targets[:5])
                    )
            page.set_viewport_size(DESKTOP)
    finally:
        context.close()
    return problems


@pytest.mark.parametrize("username", ["leder", "peer", "mentor", "center", "admin"])
def test_every_page_a_role_reaches_meets_wcag_21_aa(browser, live_server, username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    pages = reachable(client)
    assert len(pages) > 15, pages  # the crawl found the role's pages
    problems = violations(browser, live_server, username, pages)
    assert problems == [], "\n".join(problems)


def test_the_pages_before_logging_in_meet_wcag_21_aa(browser, live_server):
    pages = reachable(Client(), "/accounts/login/")
    pages.update(reachable(Client(), "/accounts/password_reset/"))
    assert len(pages) >= 2, pages
    problems = violations(browser, live_server, None, pages)
    assert problems == [], "\n".join(problems)
