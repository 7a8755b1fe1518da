"""Single sign-on without a browser: the settings it is switched on by, the login page while it
is off, and a provider that does not answer. The sign-on itself: tests/e2e/test_sso.py."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _settings_with(**env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with these environment variables."""
    script = (
        "import json; from peerprogram import settings as s; print(json.dumps({"
        "'backends': s.AUTHENTICATION_BACKENDS, "
        "'form_action': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'], "
        "'issuer': s.OIDC_ISSUER}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "LOCAL_LOGIN"))}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_switch_single_sign_on_on_with_the_issuer_and_passwords_off():
    done = _settings_with(
        OIDC_ISSUER="https://login.microsoftonline.com/tenant-id/v2.0/", LOCAL_LOGIN="false"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "backends": ["axes.backends.AxesStandaloneBackend", "peerprogram.sso.StaffBackend"],
        "form_action": ["'self'", "https://login.microsoftonline.com"],
        "issuer": "https://login.microsoftonline.com/tenant-id/v2.0",
    }


def test_settings_refuse_passwords_off_without_single_sign_on():
    done = _settings_with(LOCAL_LOGIN="false")
    assert done.returncode != 0
    assert "LOCAL_LOGIN=false needs OIDC_ISSUER: no one could log in." in done.stderr


def test_login_page_has_only_the_password_form_while_single_sign_on_is_off(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'data-testid="sso-login"' not in response.content
    assert b'name="password"' in response.content


@pytest.fixture
def silent_provider(settings) -> str:
    """An issuer whose port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.OIDC_ISSUER = f"http://127.0.0.1:{port}"
    settings.OIDC_RP_CLIENT_ID = "peerprogram"
    return settings.OIDC_ISSUER


def test_sign_on_with_a_provider_that_does_not_answer_says_it_did_not_succeed(
    client, db, silent_provider
):
    page = client.get(reverse("login"))
    assert f'href="{reverse("sso_login")}"'.encode() in page.content

    response = client.get(reverse("sso_login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("sso_refused")
    refused = client.get(response["Location"])
    assert refused.status_code == 200
    assert b'data-reason="failed"' in refused.content
    assert "_auth_user_id" not in client.session


def test_logout_after_a_password_login_goes_to_the_login_page(client, db, silent_provider):
    client.force_login(UserFactory())
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


@pytest.fixture
def backend(rf, settings):
    from django.contrib.sessions.backends.db import SessionStore

    from peerprogram.sso import StaffBackend

    settings.OIDC_ISSUER = "https://login.example/tenant"
    request = rf.get("/accounts/sso/callback/")
    request.session = SessionStore()
    found = StaffBackend()
    found.request = request
    return found


def test_a_login_is_bound_to_the_first_identity_that_signs_on_with_it(backend, cast):
    """A leader may edit their unit's staff records: an address typed onto a peer worker's
    record must not open the peer's login once the peer has signed on."""
    from peerprogram.models import SignOn
    from peerprogram.sso import BOUND, REFUSAL_KEY

    peer = cast.peer.staff_member
    claims = {"sub": "peer-at-region", "email": peer.email}
    assert backend.filter_users_by_claims(claims) == [peer.user]
    assert SignOn.objects.get(user=peer.user).subject == "peer-at-region"
    # The leader's own identity, with the peer's address typed onto the peer's record.
    leader = {"sub": "leader-at-region", "email": peer.email}
    assert backend.filter_users_by_claims(leader) == []
    assert backend.request.session[REFUSAL_KEY]["reason"] == BOUND
    # The peer, whose record now has another address, still gets their own login.
    moved = {"sub": "peer-at-region", "email": "new.address@example.org"}
    assert backend.filter_users_by_claims(moved) == [peer.user]


def test_with_sign_on_only_an_administrator_changes_the_address_of_someone_with_a_login(
    cast, settings
):
    from django.core.exceptions import ValidationError

    from peerprogram import services

    settings.OIDC_ISSUER = "https://login.example/tenant"
    member = cast.peer.staff_member
    with pytest.raises(ValidationError) as refused:
        services.staff_update(
            member=member, by=cast.leader.user, expected_version=member.version,
            email="lene@example.org",
        )  # fmt: skip
    assert "email" in refused.value.message_dict
    services.staff_update(
        member=member, by=cast.admin_user, expected_version=member.version,
        email="pia.new@example.org",
    )  # fmt: skip
    member.refresh_from_db()
    assert member.email == "pia.new@example.org"
