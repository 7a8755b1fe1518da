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

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import Browser

from tests.crawl import reachable

from .conftest import DESKTOP, login_through_form

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
    # Every violation with every element; of the rules passed (or not applicable) one
    # element each, not thousands: the same checks, far less to hand back to Python.
    "resultTypes": ["violations"],
}
# Each page is checked at laptop width and again at phone width, where wide tables scroll
# and the menu folds away.
PHONE = {"width": 390, "height": 844}
# css-orientation-lock reads the style sheets' orientation media rules whether or not they
# apply at the width, and the elements their selectors match: the same at any width, so it
# runs once per page, at laptop width. (It is the rule that makes axe-core read every style
# sheet again: about a third of a page's checking.)
AXE_OPTIONS_BY_WIDTH = {
    "laptop": AXE_OPTIONS,
    "phone": {
        **AXE_OPTIONS,
        "rules": {**AXE_OPTIONS["rules"], "css-orientation-lock": {"enabled": False}},
    },
}

_axe = Axe()


def violations(browser: Browser, live_server, username: str | None, pages: dict[str, str]):
    context = browser.new_context(viewport=DESKTOP, locale="da-DK")
    context.set_default_timeout(10_000)
    # axe-core in every page the context opens, sent to the browser once, not once a page.
    context.add_init_script(_axe.axe_script)
    page = context.new_page()
    problems: list[str] = []
    try:
        if username:
            login_through_form(page, live_server, username)
        for url in pages.values():
            response = page.goto(live_server.url + url)
            assert response is not None and response.status == 200, url
            for size, viewport in (("laptop", DESKTOP), ("phone", PHONE)):
                page.set_viewport_size(viewport)
                # The page marks scroll boxes on "resize": let that event run first.
                page.evaluate(
                    "() => new Promise(done => requestAnimationFrame("
                    "() => requestAnimationFrame(done)))"
                )
                result = page.evaluate(
                    "options => axe.run(document, options)", AXE_OPTIONS_BY_WIDTH[size]
                )
                for violation in result["violations"]:
                    targets = [", ".join(node["target"]) for node in violation["nodes"]]
                    problems.append(
                        f"{url} ({size}): {violation['id']} ({len(targets)}): "
                        + "; ".join(targets[:5])
                    )
            page.set_viewport_size(DESKTOP)
    finally:
        context.close()
    return problems


# The longest first (the Centre's crawl has the most pages).
@pytest.mark.long
@pytest.mark.parametrize("username", ["center", "leder", "admin", "peer", "mentor"])
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
