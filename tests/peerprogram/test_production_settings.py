"""Production settings pass Django's deployment checks (README, "Production"), and turn on
HSTS, the Content-Security-Policy and kept, health-checked database connections."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "peer.region.example",
    "DATABASE_URL": "sqlite:////tmp/peerprogram-deploy-check.sqlite3",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.region.example:587",
}


def _run(
    *args: str, env: dict, program: tuple[str, ...] = ("manage.py",)
) -> subprocess.CompletedProcess:
    dropped = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, *program, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_documented_production_environment():
    result = _run("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


import pytest  # noqa: E402

from .test_security_headers import NO_STORE, POLICY, directives  # noqa: E402


@pytest.mark.parametrize("name", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL"])
def test_production_refuses_to_start_without_a_required_setting(name):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != name}
    result = _run("check", env=env)
    assert result.returncode != 0
    assert name in result.stderr


# Asks the production settings for a page, over HTTPS and over plain HTTP. Static files are
# looked up without the manifest that collectstatic writes (it has not run here).
PROBE = r"""
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
    client = Client(HTTP_HOST="peer.region.example")
    answers = {"https": client.get("/accounts/login/", secure=True), "http": client.get("/")}
database = settings.DATABASES["default"]
print(json.dumps({
    **{name: [r.status_code, dict(r.headers)] for name, r in answers.items()},
    "database": [database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]],
}))
"""


@pytest.fixture(scope="module")
def production_answers() -> dict:
    result = _run(PROBE, env=PRODUCTION_ENV, program=("-c",))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_sends_hsts_and_the_content_security_policy_over_https(production_answers):
    status, headers = production_answers["https"]
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert directives(headers["Content-Security-Policy"]) == POLICY
    assert {part.strip() for part in headers["Cache-Control"].split(",")} == NO_STORE
    assert (headers["X-Frame-Options"], headers["X-Content-Type-Options"]) == ("DENY", "nosniff")

    # Plain HTTP is sent to HTTPS (HSTS is only ever sent over HTTPS).
    status, headers = production_answers["http"]
    assert (status, headers["Location"]) == (301, "https://peer.region.example/")
    assert "Strict-Transport-Security" not in headers


def test_production_keeps_database_connections_and_checks_them_before_use(production_answers):
    assert production_answers["database"] == [60, True]
