"""Security headers on every response: the Content-Security-Policy, nosniff, no framing, the
referrer policy, and `Cache-Control: no-store` on every page a view makes.

Every URL of the permission matrix is asked for once, by the first role that may open it.
HSTS needs the production settings and a secure request: test_production_settings.py.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import ROLES

from .test_permissions import LOGIN, MATRIX

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
NO_STORE = {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}
# A view that sets its own Cache-Control keeps it: Outlook polls the calendar feed.
OWN_CACHE_CONTROL = {"education:calendar_feed": "private, max-age=900"}


def directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in parts}


def assert_page_headers(response, *, cache_control: str | None = None) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert "Content-Security-Policy-Report-Only" not in response
    if cache_control is None:
        parts = {part.strip() for part in response["Cache-Control"].split(",")}
        assert parts == NO_STORE
    else:
        assert response["Cache-Control"] == cache_control


def _first_role_let_in(expected: dict) -> str:
    """The first role that gets the page itself (200), else the first that is not sent to
    the login page (a POST answered with a redirect)."""
    for wanted in (lambda outcome: outcome == 200, lambda outcome: outcome != LOGIN):
        for role in ROLES:
            if wanted(expected[role]):
                return role
    raise AssertionError("no role opens this URL")


def _cases():
    for i, (name, kwargs, method, expected) in enumerate(MATRIX):
        role = _first_role_let_in(expected)
        yield pytest.param(
            name, kwargs, method, role, expected[role], id=f"{name}-{method}-{i}-{role}"
        )


@pytest.fixture
def cast(world, db):
    """The cast of the module's world (tests/peerprogram/conftest.py), built once."""
    return world._cast


@pytest.mark.parametrize(("name", "kwargs", "method", "role", "status"), list(_cases()))
def test_every_url_sends_the_security_headers(
    world_client_for, world, name, kwargs, method, role, status
):
    url = reverse(name, kwargs=kwargs(world))
    data = {"language": "da", "next": "/"} if name == "set_language" else {}
    response = getattr(world_client_for(role), method)(url, data)
    assert response.status_code == status
    assert_page_headers(response, cache_control=OWN_CACHE_CONTROL.get(name))


def test_the_not_found_page_sends_the_security_headers(world_client_for, cast):
    response = world_client_for("leader").get("/no-such-page/")
    assert response.status_code == 404
    assert_page_headers(response)


def test_the_login_page_sends_the_security_headers(world_client_for, cast):
    response = world_client_for("anonymous").get(reverse("login"))
    assert response.status_code == 200
    assert_page_headers(response)


@pytest.mark.parametrize(
    "url", [reverse("admin:index"), reverse("admin:peerprogram_staffmember_changelist")]
)
def test_the_django_admin_sends_the_security_headers(world_client_for, cast, url):
    response = world_client_for("admin").get(url)
    assert response.status_code == 200
    assert_page_headers(response)


def test_static_files_keep_their_cache_and_get_no_page_headers(settings, db):
    # CI serves static files from the finders (no collectstatic); WhiteNoise reads its
    # settings when the first request builds the middleware, so a new client.
    settings.WHITENOISE_USE_FINDERS = True
    response = Client().get("/static/css/peerprogram.css")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Content-Security-Policy" not in response
    response.close()
