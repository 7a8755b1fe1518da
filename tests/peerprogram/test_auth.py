import datetime
import time
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_every_page_but_login_requires_a_login(client):
    response = client.get(reverse("peerprogram:peer_list"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/peers/"


def test_login_page_is_in_danish_by_default(client):
    content = client.get(reverse("login")).content.decode()
    assert '<html lang="da">' in content
    assert "Log ind på Peerprogram" in content


def test_a_correct_login_lands_on_the_home_page(client, cast):
    cast.leader.user.set_password("rigtig-kode-123")
    cast.leader.user.save()
    response = client.post(reverse("login"), {"username": "leader", "password": "rigtig-kode-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("peerprogram:home")


def test_repeated_failed_logins_lock_the_username_with_a_danish_message(client, cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        response = client.post(reverse("login"), {"username": "leader", "password": "forkert"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "leader", "password": "forkert"})
    assert response.status_code == 429
    content = response.content.decode()
    assert "Login er midlertidigt spærret" in content
    attempt = AccessAttempt.objects.get(username="leader")
    assert attempt.failures_since_start == 3
    # Even the right password is refused while the lock lasts.
    cast.leader.user.set_password("rigtig-kode-123")
    cast.leader.user.save()
    response = client.post(reverse("login"), {"username": "leader", "password": "rigtig-kode-123"})
    assert response.status_code == 429


def test_sessions_expire_after_30_idle_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_a_request_moves_the_idle_timeout_on_saving_the_session_at_most_once_a_minute(client, cast):
    client.force_login(cast.leader.user)
    home = reverse("peerprogram:home")
    client.get(home)
    key = client.session.session_key
    first = Session.objects.get(pk=key).expire_date
    assert first > timezone.now() + datetime.timedelta(minutes=29)
    client.get(home)  # within the minute: the session's row is not written
    assert Session.objects.get(pk=key).expire_date == first
    later = time.time() + 61
    with mock.patch("peerprogram.middleware.time.time", return_value=later):
        client.get(home)
    assert Session.objects.get(pk=key).expire_date > first


def test_a_session_idle_longer_than_the_timeout_is_signed_out(client, cast):
    client.force_login(cast.leader.user)
    home = reverse("peerprogram:home")
    assert client.get(home).status_code == 200
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(home)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_anonymous_request_makes_no_session(client):
    client.get(reverse("login"))
    assert not Session.objects.exists()
    # Nor does an unknown or expired session cookie, on a page open to all.
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    assert client.get("/health/").status_code == 200
    assert client.get(reverse("login")).status_code == 200
    assert not Session.objects.exists()


def test_language_switch_to_english_works_before_login(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    content = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in content
    assert "Log in to Peerprogram" in content


def test_password_reset_mail_is_in_danish(client, cast, mailoutbox):
    cast.leader.user.email = "lene@example.org"
    cast.leader.user.save()
    client.post(reverse("password_reset"), {"email": "lene@example.org"})
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Ny adgangskode til Peerprogram"


def test_danish_is_shown_even_when_the_browser_asks_for_english(client):
    content = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="da">' in content
