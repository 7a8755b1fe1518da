"""Single sign-on, end to end: Chromium, the live server and a real OpenID Provider.

The provider is the certified node `oidc-provider` (tests/oidc/provider.mjs, versions pinned
in tests/oidc/package-lock.json), run on a free port for this module with one client and the
accounts below. Its sign-in form takes any password. `npm ci` runs once if node_modules is
missing. The settings point single sign-on at it for each test.
"""

import contextlib
import copy
import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from playwright.sync_api import Browser, Page, expect

from peerprogram.models import StaffMember

from .conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

OIDC_DIR = Path(__file__).resolve().parents[1] / "oidc"
CLIENT_ID = "peerprogram-test"
CLIENT_SECRET = "test-only-client-secret"
LEADER_EMAIL = "lone.kjaergaard@region-nord.example"  # the demo's leader, login "leder"
MENTOR_EMAIL = "mikkel.dahl@region-nord.example"  # the demo's mentor, login "mentor"
NEWCOMER_EMAIL = "ny.kollega@region-nord.example"  # no staff record
# The provider's people: login at the provider -> claims. The leader's address comes in
# another case than the staff record's (matching is case-insensitive).
ACCOUNTS = {
    "lone": {"email": "Lone.Kjaergaard@Region-Nord.example", "email_verified": True},
    "mikkel": {"email": MENTOR_EMAIL, "email_verified": True},
    "ny": {"email": NEWCOMER_EMAIL, "email_verified": True},
}


def _npm_ci() -> None:
    """Install the provider's pinned packages unless this lockfile's are in place. Parallel
    workers take turns; the mark is written last, so a half-done install is never used."""
    lockfile = hashlib.sha256((OIDC_DIR / "package-lock.json").read_bytes()).hexdigest()
    mark = OIDC_DIR / "node_modules" / ".installed-from"
    with (Path(tempfile.gettempdir()) / "peerprogram-oidc-npm.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if mark.exists() and mark.read_text() == lockfile:
            return
        if shutil.which("npm") is None:
            pytest.fail("npm is not installed: the single sign-on test needs Node.js 20 and npm")
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=OIDC_DIR, check=True
        )
        mark.write_text(lockfile)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oidc_provider(live_server) -> Iterator[str]:
    """The provider's issuer URL, with the live server's callback registered."""
    _npm_ci()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": f"{live_server.url}/accounts/sso/callback/",
        "OIDC_POST_LOGOUT_REDIRECT_URI": f"{live_server.url}/accounts/login/",
        "OIDC_ACCOUNTS": json.dumps(ACCOUNTS),
    }
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            ["node", "provider.mjs"], cwd=OIDC_DIR, env=env, stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                with contextlib.suppress(OSError):
                    url = f"{issuer}/.well-known/openid-configuration"
                    with urllib.request.urlopen(url, timeout=2) as response:
                        if response.status == 200:
                            break
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"The OpenID Provider did not start:\n{log.read()}")
                time.sleep(0.1)
            yield issuer
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(autouse=True)
def sso(settings, oidc_provider) -> str:
    """Single sign-on on, pointed at the test provider (as OIDC_ISSUER etc. would)."""
    settings.OIDC_ISSUER = oidc_provider
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "peerprogram.sso.StaffBackend",
    ]
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], oidc_provider]
    settings.CONTENT_SECURITY_POLICY = policy
    return oidc_provider


def _local_only(page: Page) -> Page:
    """The provider's pages ask for web fonts; this machine stays off the internet."""
    page.context.route(
        lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")),
        lambda route: route.abort(),
    )
    return page


def sign_on(page: Page, live_server, issuer: str, login: str, start: str = "/") -> None:
    """From a page (the login page it sends to) through the provider's sign-in (and consent,
    the first time) back to Peerprogram, as a person would click it."""
    _local_only(page)
    page.goto(f"{live_server.url}{start}")
    page.get_by_test_id("sso-login").click()
    # The provider's sign-in, or straight back when the provider still knows the person.
    page.wait_for_url(
        lambda url: (
            url.startswith(f"{issuer}/interaction/")
            or (url.startswith(live_server.url) and "/accounts/login/" not in url)
        )
    )
    if page.url.startswith(f"{issuer}/interaction/") and page.locator("input[name=login]").count():
        at = page.url
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", "anything")
        page.get_by_role("button", name="Sign-in").click()
        page.wait_for_url(lambda url: url != at)
    if page.url.startswith(f"{issuer}/interaction/"):
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: url.startswith(live_server.url))


def test_leader_signs_on_as_their_staff_login_and_logging_out_ends_both_sessions(
    page: Page, live_server, sso
):
    users = User.objects.count()
    sign_on(page, live_server, sso, "lone")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("who")).to_have_text("Lone Kjærgaard")
    expect(page.get_by_test_id("led-unit").get_by_role("heading", level=2)).to_contain_text(
        "F-ACT Aalborg Øst"
    )
    assert User.objects.count() == users
    session_key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = Session.objects.get(session_key=session_key).get_decoded()
    assert session["_auth_user_id"] == str(User.objects.get(username="leder").pk)
    assert session["_auth_user_backend"] == "peerprogram.sso.StaffBackend"

    page.locator("nav .user-menu").click()
    page.locator("form[action$='/accounts/logout/'] [type=submit]").click()
    # The provider asks whether to end its session too.
    page.wait_for_url(lambda url: url.startswith(f"{sso}/session/end"))
    assert not Session.objects.filter(session_key=session_key).exists()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    # Signing on again asks for the person at the provider: its session ended too.
    page.get_by_test_id("sso-login").click()
    expect(page.locator("input[name=login]")).to_be_visible()


def test_unknown_person_is_told_whom_to_ask_and_gets_no_login(
    page: Page, browser: Browser, live_server, sso, settings, screenshot
):
    # One refused sign-on would lock a hospital's shared address if django-axes counted it.
    settings.AXES_FAILURE_LIMIT = 1
    users = User.objects.count()
    sign_on(page, live_server, sso, "ny")

    expect(page).to_have_url(f"{live_server.url}/accounts/sso/refused/")
    refused = page.get_by_test_id("sso-refused")
    expect(refused).to_have_attribute("data-reason", "unknown")
    expect(refused).to_contain_text(NEWCOMER_EMAIL)
    expect(refused.get_by_role("link")).to_have_attribute("href", "/accounts/login/")
    expect(page.get_by_test_id("who")).to_have_count(0)
    screenshot(page, "sso-refused")
    assert User.objects.count() == users
    assert not User.objects.filter(email__iexact=NEWCOMER_EMAIL).exists()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")

    # A colleague at the same address signs on straight after.
    context = browser.new_context(viewport=DESKTOP, locale="da-DK")
    try:
        colleague = context.new_page()
        sign_on(colleague, live_server, sso, "lone")
        expect(colleague.get_by_test_id("who")).to_have_text("Lone Kjærgaard")
    finally:
        context.close()


def test_closed_staff_record_or_closed_login_cannot_sign_on(page: Page, live_server, sso):
    mentor = StaffMember.objects.select_related("user").get(email=MENTOR_EMAIL)
    mentor.active = False
    mentor.save(update_fields=["active"])

    sign_on(page, live_server, sso, "mikkel")
    expect(page).to_have_url(f"{live_server.url}/accounts/sso/refused/")
    expect(page.get_by_test_id("sso-refused")).to_have_attribute("data-reason", "inactive")
    expect(page.get_by_test_id("who")).to_have_count(0)

    mentor.active = True
    mentor.save(update_fields=["active"])
    mentor.user.is_active = False
    mentor.user.save(update_fields=["is_active"])
    sign_on(page, live_server, sso, "mikkel")
    expect(page).to_have_url(f"{live_server.url}/accounts/sso/refused/")
    expect(page.get_by_test_id("sso-refused")).to_have_attribute("data-reason", "inactive")

    # Open again: the mentor lands on the page they set out for.
    mentor.user.is_active = True
    mentor.user.save(update_fields=["is_active"])
    own_page = f"/staff/{mentor.pk}/"
    sign_on(page, live_server, sso, "mikkel", start=own_page)
    expect(page).to_have_url(f"{live_server.url}{own_page}")
    expect(page.get_by_test_id("who")).to_have_text("Mikkel Dahl")


def test_with_passwords_off_the_login_page_offers_only_the_region_login(
    page: Page, live_server, sso, settings, screenshot
):
    settings.LOCAL_LOGIN = False
    settings.AUTHENTICATION_BACKENDS = [
        b for b in settings.AUTHENTICATION_BACKENDS if not b.endswith("ModelBackend")
    ]
    _local_only(page)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_test_id("sso-login")).to_be_visible()
    expect(page.locator("input[name=password]")).to_have_count(0)
    screenshot(page, "sso-login-only")

    # The password form sent anyway (an old tab): refused, the password never looked at.
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{live_server.url}/accounts/login/",
        form={"username": "leder", "password": "demo", "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{live_server.url}/accounts/login/"},
        max_redirects=0,
    )
    assert response.status == 403
    assert 'data-testid="password-refused"' in response.text()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")

    sign_on(page, live_server, sso, "lone")
    expect(page.get_by_test_id("who")).to_have_text("Lone Kjærgaard")
