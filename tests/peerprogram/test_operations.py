"""What a region's operations need: /health/ for load balancers, structured logs with a
request id and no traceback for an ordinary refusal, failed logins without the username,
and Danish pages for a bad request and an expired form."""

import json
import logging
from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import Client, override_settings
from django.urls import reverse

from peerprogram import health, logs

pytestmark = pytest.mark.django_db

REDIS = "django.core.cache.backends.redis.RedisCache"


@pytest.fixture(autouse=True)
def _migrations_checked_again():
    health.Migrations.applied = False
    yield
    health.Migrations.applied = False


def test_health_answers_200_with_a_small_json_body_without_a_login(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"Database": "ok", "Migrations": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]
    assert reverse("health") == "/health/"


def test_health_answers_503_when_the_database_does_not(client):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.temporary_connection",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/health/")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["checks"]["Database"] != "ok"


def test_health_answers_503_until_every_migration_is_applied(client):
    with mock.patch(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        return_value=[("journal.0099_new", False)],
    ):
        response = client.get("/health/")
    assert response.status_code == 503
    assert "Migrations are not applied" in json.loads(response.content)["checks"]["Migrations"]
    assert client.get("/health/").status_code == 200  # applied now: remembered


@pytest.mark.parametrize(
    ("location", "status"),
    [("redis://127.0.0.1:6379/3", 200), ("redis://127.0.0.1:1/3", 503)],
)
def test_health_checks_a_shared_cache_when_one_is_configured(client, location, status):
    with override_settings(CACHES={"default": {"BACKEND": REDIS, "LOCATION": location}}):
        response = client.get("/health/")
    assert response.status_code == status, response.content
    checks = json.loads(response.content)["checks"]
    assert (checks["Cache"] == "ok") == (status == 200)
    assert set(checks) == {"Database", "Migrations", "Cache"}


def test_a_bad_request_gets_a_danish_page_not_djangos_english_one(client):
    from django.contrib.sessions.exceptions import SessionInterrupted

    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_response",
        side_effect=SessionInterrupted("The session was deleted meanwhile"),
    ):
        response = client.get("/accounts/login/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Bad Request" not in page
    assert "Forespørgslen kunne ikke behandles" in page
    assert '<html lang="da">' in page


def test_an_expired_form_gets_a_plain_danish_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "CSRF" not in page
    assert "Formularen var udløbet" in page


def _record(**extra) -> logging.LogRecord:
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "msg", (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_lines_carry_time_level_logger_request_id_user_and_path():
    from pythonjsonlogger.json import JsonFormatter

    config = logs.config("json", requests=True, axes_level="WARNING")
    options = dict(config["formatters"]["json"])
    options.pop("()")
    formatter = JsonFormatter(**options)
    token = logs.request_id.set("abc123")
    try:
        record = _record()
        logs.RequestContext().filter(record)
        line = json.loads(formatter.format(record))
    finally:
        logs.request_id.reset(token)
    assert {"time", "level", "logger", "request_id", "user_id", "path", "message"} <= set(line)
    assert (line["level"], line["logger"], line["request_id"]) == (
        "WARNING",
        "django.request",
        "abc123",
    )


def test_a_refused_request_is_logged_without_its_traceback_a_server_error_with_it():
    try:
        raise PermissionError("no")
    except PermissionError:
        import sys

        info = sys.exc_info()
    refused = _record(status_code=403, exc_info=info)
    logs.NoClientErrorTraceback().filter(refused)
    assert refused.exc_info is None
    failed = _record(status_code=500, exc_info=info)
    logs.NoClientErrorTraceback().filter(failed)
    assert failed.exc_info is info


def test_each_request_gets_an_id_on_its_response_and_one_log_line(client, caplog, cast):
    client.force_login(cast.leader.user)
    with caplog.at_level(logging.INFO, logger="peerprogram.requests"):
        response = client.get("/", HTTP_X_REQUEST_ID="lb-42")
        other = client.get("/")
    assert response["X-Request-ID"] == "lb-42"
    assert len(other["X-Request-ID"]) == 32  # a new one
    lines = [r for r in caplog.records if r.name == "peerprogram.requests"]
    assert [(r.status, r.method) for r in lines] == [(200, "GET"), (200, "GET")]
    assert lines[0].user_id == str(cast.leader.user.pk)
    assert lines[0].duration_ms >= 0
    # A forged id with odd characters is replaced, not written into the log.
    assert client.get("/", HTTP_X_REQUEST_ID="x\ny")["X-Request-ID"] != "x\ny"


def test_a_failed_login_is_logged_with_a_hashed_username_and_the_address(client, caplog, cast):
    with (
        override_settings(AXES_ENABLED=True),
        caplog.at_level(logging.WARNING, logger="axes"),
    ):
        client.post("/accounts/login/", {"username": "lene.leder", "password": "wrong"})
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("axes"))
    assert "lene.leder" not in text
    assert logs.username_hash("lene.leder") in text
    assert "127.0.0.1" in text


def test_sentry_is_started_without_personal_data():
    import sentry_sdk

    try:
        logs.start_sentry("https://public@127.0.0.1:9/1", environment="test")
        options = sentry_sdk.get_client().options
        assert not options.get("send_default_pii")
        assert options["include_local_variables"] is False
        assert options["max_request_body_size"] == "never"
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # off again for the other tests


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9"),  # no proxy: a forwarded header is the client's own words
        (1, "10.1.1.1", "10.1.1.1"),  # HAProxy appended the client
        (1, "6.6.6.6, 10.1.1.1", "10.1.1.1"),  # the client's forged entry is ignored
        (2, "6.6.6.6, 10.1.1.1, 10.2.2.2", "10.1.1.1"),
        (1, "", "10.0.0.9"),
    ],
)
def test_the_client_address_is_the_one_the_proxies_saw(settings, count, forwarded, expected):
    from django.test import RequestFactory

    settings.PROXY_COUNT = count
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.9")
    assert logs.client_ip(request) == expected


def test_with_passwords_off_there_is_no_password_to_reset_or_change(client, settings, cast):
    settings.LOCAL_LOGIN = False
    assert client.get("/accounts/password_reset/").status_code == 404
    client.force_login(cast.leader.user)
    assert "/accounts/password_change/" not in client.get("/").content.decode()
    settings.LOCAL_LOGIN = True
    assert "/accounts/password_change/" in client.get("/").content.decode()


def test_djangos_own_line_for_a_404_carries_the_request_id(client, caplog):
    """django.request writes a 4xx after the middleware has returned: the id comes from the
    request on the record."""
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/no-such-page/", HTTP_X_REQUEST_ID="lb-404")
    record = next(r for r in caplog.records if r.name == "django.request")
    logs.RequestContext().filter(record)
    assert (record.request_id, record.path) == ("lb-404", "/no-such-page/")


def test_health_is_not_sent_to_https_when_the_rest_of_the_site_is(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_the_health_check_says_the_database_is_down_without_a_traceback(client, caplog):
    with (
        mock.patch(
            "django.db.backends.base.base.BaseDatabaseWrapper.temporary_connection",
            side_effect=OperationalError("connection refused"),
        ),
        mock.patch(
            "django.db.migrations.executor.MigrationExecutor.__init__",
            side_effect=OperationalError("connection refused"),
        ),
        caplog.at_level(logging.WARNING),
    ):
        response = client.get("/health/")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["Migrations"] != "ok"
    assert not [r for r in caplog.records if r.name == "django.request"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_secret_tokens_in_addresses_stay_out_of_the_request_log(client, caplog, cast):
    """A calendar feed is fetched every few minutes with its secret in the address: the
    log names the URL pattern, not the token."""
    from education import services

    token = services.feed_for(cast.peer.staff_member).token
    with caplog.at_level(logging.INFO, logger="peerprogram.requests"):
        client.get(f"/education/calendar/feed/{token}.ics")
    line = next(r for r in caplog.records if r.name == "peerprogram.requests")
    assert token not in line.getMessage()
    assert "/education/calendar/feed/<str:token>.ics" in line.getMessage()


def test_json_lines_leave_out_the_request_and_its_query_string():
    from django.test import RequestFactory
    from pythonjsonlogger.json import JsonFormatter

    options = dict(logs.config("json", requests=True, axes_level="WARNING")["formatters"]["json"])
    options.pop("()")
    record = _record(request=RequestFactory().get("/peers/?q=Jensen"), status_code=404)
    logs.RequestContext().filter(record)
    assert "Jensen" not in JsonFormatter(**options).format(record)
