"""Production settings pass Django's deployment checks (README, "Production")."""

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


def _run(*args: str, env: dict) -> subprocess.CompletedProcess:
    dropped = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
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


@pytest.mark.parametrize("name", ["SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL"])
def test_production_refuses_to_start_without_a_required_setting(name):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != name}
    result = _run("check", env=env)
    assert result.returncode != 0
    assert name in result.stderr
