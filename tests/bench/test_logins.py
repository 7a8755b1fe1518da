"""How people log in under load (bench/logins.py and the locustfile's sign-on): the command
line, the provider's settings and accounts, the pages of the sign-on, the logins' times and
the morning peak's report. Two tests run the real provider (tests/oidc/provider.mjs, with
node): one signs on at it with the load test's own helpers, one runs locust's users through
the whole sign-on against the live server."""

import argparse
import base64
import csv
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse

from bench import logins
from bench.loadtest import LOGIN_PATH, chosen_logins, login_rows, read_csv
from bench.logins import (
    CALLBACK_PATH,
    CLIENT_ID,
    Form,
    LoginRun,
    form_in,
    gunicorn_settings,
    login_row,
    morning_environment,
    percentile,
    provider_accounts,
    provider_answer,
    provider_environment,
    rate_text,
    read_logins,
    report,
    request_name,
    settle,
    spawn_rate,
    sso_link,
)
from tests.bench.conftest import locust_on_postgres
from tests.factories import StaffMemberFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]
APP = "http://127.0.0.1:8000"
OP = "http://127.0.0.1:9000"
needs_node = pytest.mark.skipif(
    shutil.which("node") is None, reason="the OpenID Provider runs on Node.js 20"
)


# The command line ------------------------------------------------------------------------


def test_a_spawn_rate_is_users_a_second_or_users_in_so_many_seconds():
    assert spawn_rate("2") == 2
    assert spawn_rate("0.5") == 0.5
    assert spawn_rate("200/60") == pytest.approx(3.3333, abs=1e-4)


@pytest.mark.parametrize("text", ["", "fast", "1/0", "0", "-2", "200/-60", "inf"])
def test_what_is_no_rate_is_refused_with_examples(text):
    with pytest.raises(argparse.ArgumentTypeError, match=r"e\.g\. 2, 0\.5, 200/60"):
        spawn_rate(text)


def _args(**given):
    values = {
        "users": None,
        "spawn_rate": None,
        "duration": None,
        "morning": False,
        "login": "password",
        "servers": 1,
    }
    return argparse.Namespace(**{**values, **given})


def test_the_usual_profile_fills_in_only_what_the_command_line_left_out():
    args = _args(users=10)
    settle(args, users=50, rate=2, duration="2m")

    assert (args.users, args.spawn_rate, args.duration) == (10, 2, "2m")


def test_the_morning_peak_is_200_people_in_a_minute_unless_told_otherwise():
    args = _args(morning=True)
    settle(args, users=50, rate=2, duration="2m")
    assert (args.users, round(args.spawn_rate * 60), args.duration) == (200, 200, "90s")

    args = _args(morning=True, users=20, spawn_rate=20 / 60, duration="2m")
    settle(args, users=50, rate=2, duration="2m")
    assert (args.users, round(args.spawn_rate * 60), args.duration) == (20, 20, "2m")


@pytest.mark.parametrize("given", [{"login": "sso"}, {"morning": True}])
def test_single_sign_on_and_the_morning_peak_run_against_one_server(given):
    settle(_args(**given), users=50, rate=2, duration="2m")
    with pytest.raises(SystemExit, match=r"one server \(--servers 1\)"):
        settle(_args(servers=2, **given), users=50, rate=2, duration="2m")


def test_the_rate_is_said_a_minute_too_when_that_is_a_whole_number():
    assert rate_text(200 / 60) == "3.33 started a second (200 a minute)"
    assert rate_text(2) == "2 started a second (120 a minute)"
    assert rate_text(0.123) == "0.123 started a second"


def test_the_morning_peak_leaves_out_the_administrator_and_times_every_login(tmp_path):
    assert morning_environment(tmp_path / "logins.csv") == {
        "LOADTEST_ROLES": "peer,leader,mentor,centre",
        "LOADTEST_STAY": "1",
        "LOADTEST_LOGIN_TIMES": str(tmp_path / "logins.csv"),
    }


# The provider ----------------------------------------------------------------------------


def test_gunicorn_and_the_provider_agree_on_the_client_the_secret_and_the_callback(tmp_path):
    accounts = tmp_path / "accounts.json"

    assert gunicorn_settings(OP, "s3cret") == {
        "OIDC_ISSUER": OP,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": "s3cret",
        "OIDC_MATCH_CLAIM": "email",
    }
    assert provider_environment(port=9000, app_url=APP, secret="s3cret", accounts=accounts) == {
        "OIDC_PORT": "9000",
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": "s3cret",
        "OIDC_REDIRECT_URI": f"{APP}/accounts/sso/callback/",
        "OIDC_POST_LOGOUT_REDIRECT_URI": f"{APP}/accounts/login/",
        "OIDC_ACCOUNTS_FILE": str(accounts),
    }
    assert reverse("sso_callback") == CALLBACK_PATH
    assert reverse("login") == LOGIN_PATH


def test_the_provider_has_an_account_under_each_username_with_a_staff_email():
    rows = [
        ("peer", "peer-1", "anna@example.org"),
        ("leader", "leder", "Lone@Example.org"),
        ("admin", "admin", ""),
    ]

    assert provider_accounts(rows) == {
        "peer-1": {"email": "anna@example.org", "email_verified": True},
        "leder": {"email": "Lone@Example.org", "email_verified": True},
    }


def test_the_file_of_logins_is_read_with_or_without_its_email_column():
    assert login_rows("peer,peer-1,anna@example.org\nadmin,admin,\nmentor,mentor") == [
        ("peer", "peer-1", "anna@example.org"),
        ("admin", "admin", ""),
        ("mentor", "mentor", ""),
    ]


@pytest.mark.django_db
def test_the_chosen_logins_carry_the_email_of_their_active_staff_record_only():
    for username, email, active in [
        ("peer-1", "anna@example.org", True),
        ("peer-2", "bo@example.org", False),
        ("leder", "lone@example.org", True),
        ("mentor", "mikkel@example.org", True),
    ]:
        StaffMemberFactory(user=UserFactory(username=username), email=email, active=active)
    closed = UserFactory(username="center")
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    StaffMemberFactory(user=closed, email="carla@example.org")
    UserFactory(username="admin")

    assert chosen_logins() == [
        ("peer", "peer-1", "anna@example.org"),
        ("peer", "peer-2", ""),
        ("leader", "leder", "lone@example.org"),
        ("mentor", "mentor", "mikkel@example.org"),
        ("centre", "center", ""),
        ("admin", "admin", ""),
    ]


# The pages of the sign-on ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_login_pages_button_for_the_regions_login_is_found_only_with_single_sign_on(
    client, settings
):
    assert sso_link(client.get(LOGIN_PATH).content.decode()) is None

    settings.OIDC_ISSUER = OP
    page = client.get(f"{LOGIN_PATH}?next=/journal/%3Fq%3D1").content.decode()

    assert sso_link(page) == f"{reverse('sso_login')}?next=/journal/%3Fq%3D1"


def test_the_form_that_posts_is_read_with_its_hidden_fields_only():
    page = """
    <form action="/search" method="get"><input type="hidden" name="q" value="x"></form>
    <form autocomplete="off" action="http://op/interaction/a1B2/login" method="post">
      <input type="hidden" name="prompt" value="login"/>
      <input type="hidden" name="note" value="a &amp; b">
      <input required type="text" name="login" placeholder="Enter any login">
      <input required type="password" name="password">
      <button type="submit">Sign-in</button>
    </form>"""

    assert form_in(page) == Form(
        "http://op/interaction/a1B2/login", {"prompt": "login", "note": "a & b"}
    )
    assert form_in("<p>No form</p>") is None


def test_the_provider_is_answered_on_its_sign_in_and_consent_pages_and_nowhere_else():
    sign_in = Form("/interaction/u1", {"prompt": "login"})
    consent = Form("/interaction/u2", {"prompt": "consent"})

    assert provider_answer(sign_in, "leder") == {
        "prompt": "login",
        "login": "leder",
        "password": "any password",
    }
    assert provider_answer(consent, "leder") == {"prompt": "consent"}
    assert provider_answer(Form("/interaction/u3", {"prompt": "select_account"}), "x") is None
    assert provider_answer(Form("/logout", {}), "x") is None


def test_requests_are_named_by_the_apps_page_or_the_providers_address_with_its_prompt():
    assert request_name(f"{APP}/accounts/sso/?next=/", APP) == "/accounts/sso/"
    assert request_name(f"{APP}/accounts/sso/callback/?code=c&state=s", APP + "/") == (
        "/accounts/sso/callback/"
    )
    assert request_name(f"{APP}/units/12/", APP) == "/units/[id]/"
    assert request_name(f"{OP}/auth?client_id=x", APP) == "OP /auth"
    assert request_name(f"{OP}/auth/Xy_9-z", APP) == "OP /auth/[uid]"
    assert request_name(f"{OP}/interaction/Xy_9-z", APP) == "OP /interaction/[uid]"
    assert request_name(f"{OP}/interaction/Xy_9-z", APP, {"prompt": "consent"}) == (
        "OP /interaction/[uid] (consent)"
    )
    # Another port is another server.
    assert request_name("http://127.0.0.1:8001/", APP) == "OP /"


# The logins' times -----------------------------------------------------------------------


def test_a_login_is_written_on_one_line_with_its_failure_and_read_back(tmp_path):
    path = tmp_path / "logins.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(logins.LOGIN_FIELDS)
        writer.writerow(login_row(user="peer#1", login="sso", start=100.0, end=100.25, error=""))
        writer.writerow(
            login_row(
                user="leader#2",
                login="sso",
                start=101.5,
                end=103.0,
                error="leder could not sign on:\n sent on to /accounts/sso/refused/",
            )
        )

    done = read_logins(path)

    assert [(r.user, r.login, r.error) for r in done] == [
        ("peer#1", "sso", ""),
        ("leader#2", "sso", "leder could not sign on: sent on to /accounts/sso/refused/"),
    ]
    assert [r.milliseconds for r in done] == [250.0, 1500.0]


def test_percentiles_are_the_nearest_rank():
    times = [float(t) for t in range(1, 101)]

    assert (percentile(times, 0.5), percentile(times, 0.95), percentile(times, 0.99)) == (
        50.0,
        95.0,
        99.0,
    )
    assert percentile([7.0], 0.5) == 7.0
    assert percentile([], 0.95) is None


# The report ------------------------------------------------------------------------------


def _stats_row(name, requests, failures, p95, method="GET"):
    return {
        "Type": method,
        "Name": name,
        "Request Count": str(requests),
        "Failure Count": str(failures),
        "50%": "20",
        "95%": p95,
        "99%": "900",
        "Max Response Time": "1200.4",
    }


def _run(login="password", **changes):
    values = {
        "login": login,
        "date": "2026-12-07",
        "commit": "abc1234",
        "machine": "Test CPU, 2 cores",
        "load": "0.5 / 0.4 / 0.3",
        "scale": "demo",
        "facts": "7 logins",
        "workers": 2,
        "threads": 4,
        "users": 200,
        "spawn_rate": 200 / 60,
        "duration": "90s",
        "times": [float(t) for t in range(10, 2010, 10)],
        "failed": [],
        "other_logins": 0,
        "requests": 800,
        "failed_requests": 0,
        "failures": [],
        "errors": 0,
        "cpu": 58.0,
        "provider_cpu": None,
        "stats": [
            _stats_row("/accounts/login/", 200, 0, "1900", method="POST"),
            _stats_row("Aggregated", 800, 0, "1500", method=""),
        ],
    }
    return LoginRun(**{**values, **changes})


def _table(text):
    return [line for line in text.splitlines() if line.startswith("| ") and "Page" not in line]


def test_the_report_sets_both_logins_side_by_side():
    sso = _run(
        "sso",
        date="2026-12-08",
        commit="def5678",
        times=[float(t) for t in range(1, 201)],
        cpu=12.5,
        provider_cpu=3.0,
        requests=2400,
    )
    text = report({"sso": sso, "password": _run()})
    lines = text.splitlines()

    assert lines[0] == "## Load test: the morning peak, password against single sign-on"
    assert "- Machine: Test CPU, 2 cores. Everything runs on it" in text
    assert _table(text)[:13] == [
        "| | Password | Single sign-on |",
        "| Measured | 2026-12-07, commit abc1234 | 2026-12-08, commit def5678 |",
        "| Data | `demo` (7 logins) | `demo` (7 logins) |",
        "| gunicorn | 2 workers × 4 threads | 2 workers × 4 threads |",
        "| Users | 200, 3.33 started a second (200 a minute), run 90s "
        "| 200, 3.33 started a second (200 a minute), run 90s |",
        "| Load average before | 0.5 / 0.4 / 0.3 | 0.5 / 0.4 / 0.3 |",
        "| Logins that got to the home page | 200 of 200 | 200 of 200 |",
        "| Login p50 / p95 / p99 / max | 1,000 / 1,900 / 1,980 / 2,000 ms "
        "| 100 / 190 / 198 / 200 ms |",
        "| gunicorn CPU per login | 290 ms (58.0 s in all) | 62 ms (12.5 s in all) |",
        "| Provider CPU per login | — | 15 ms (3.0 s in all) |",
        "| Requests, of them failed | 800, 0 | 2,400, 0 |",
        "| Errors in gunicorn's log | 0 | 0 |",
        "| POST `/accounts/login/` | 200 | 0 | 20 | 1900 | 900 | 1200 |",
    ]
    assert lines.index("Password, per request (locust's stats CSV):") < lines.index(
        "Single sign-on, per request (locust's stats CSV):"
    )
    assert "Failures and errors" not in text


def test_a_login_not_measured_yet_is_said_to_be_so():
    text = report({"sso": _run("sso", provider_cpu=1.0)})

    assert "| Measured | not measured yet | 2026-12-07, commit abc1234 |" in text
    assert "Password, per request" not in text
    with pytest.raises(ValueError, match="No run"):
        report({})


def test_failed_logins_requests_and_errors_are_listed_and_fail_the_run():
    run = _run(
        "sso",
        times=[100.0, 200.0],
        failed=["leader#1: leder could not sign on: sent on to /accounts/sso/refused/"],
        other_logins=1,
        failed_requests=1,
        failures=["GET /accounts/sso/callback/: HTTP 500 (1×)"],
        errors=2,
    )
    text = report({"sso": run})

    table = _table(text)
    assert (
        "| Logins that got to the home page | not measured yet | 2 of 3 (and 1 by password) |"
        in table
    )
    assert "| gunicorn CPU per login | not measured yet | 14500 ms (58.0 s in all) |" in table
    assert text.splitlines()[-5:] == [
        "Failures and errors (the first 20):",
        "",
        "- leader#1: leder could not sign on: sent on to /accounts/sso/refused/",
        "- GET /accounts/sso/callback/: HTTP 500 (1×)",
        "- 2 errors in gunicorn's log",
    ]
    assert not run.ok
    assert _run().ok
    for problem in [
        {"failed": ["x"]},
        {"failed_requests": 1},
        {"failures": ["x"]},
        {"errors": 1},
    ]:
        assert not _run(**problem).ok


def test_a_run_is_kept_and_read_back_and_a_missing_or_old_record_is_none(tmp_path):
    run = _run("sso", provider_cpu=2.5)
    logins.save(run, tmp_path)

    assert logins.load("sso", tmp_path) == run
    assert logins.load("password", tmp_path) is None
    (tmp_path / "logins-password.json").write_text('{"login": "password"}')
    assert logins.load("password", tmp_path) is None


# Against the real provider ---------------------------------------------------------------


@pytest.fixture
def start_provider(tmp_path):
    """Starts tests/oidc/provider.mjs as the load test does, its redirect URI at the given
    app's callback, with an account for each (role, username, e-mail) login."""
    processes = []

    def start(app_url, rows):
        op = logins.Provider()
        processes.append(op.start(app_url=app_url, logins=rows, tmp=tmp_path, logs=tmp_path))
        return op

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


@needs_node
def test_the_providers_sign_in_and_consent_are_answered_by_the_helpers_back_to_the_callback(
    start_provider,
):
    """The load test's helpers on the provider's own pages: its sign-in form and its consent
    page are found and answered, and it sends the browser to the callback with a code."""
    provider = start_provider(APP, [("leader", "leder", "lone@example.org")])
    session = requests.Session()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "scope": "openid email",
        "redirect_uri": f"{APP}{CALLBACK_PATH}",
        "state": "the-state",
        "nonce": "the-nonce",
        "code_challenge": challenge.decode().rstrip("="),
        "code_challenge_method": "S256",
    }
    response = session.get(f"{provider.issuer}/auth", params=query, timeout=10)
    names, prompts = [], []
    while response.status_code == 200 and len(prompts) < 3:
        names.append(request_name(response.url, APP))
        form = form_in(response.text)
        data = provider_answer(form, "leder") if form else None
        assert form is not None and data is not None, response.text
        prompts.append(data["prompt"])
        url = urljoin(response.url, form.action)
        response = session.post(url, data=data, allow_redirects=False, timeout=10)
        # The provider's own redirects, up to its page or to the callback.
        while response.is_redirect and (
            url := urljoin(url, response.headers["Location"])
        ).startswith(provider.issuer):
            response = session.get(url, allow_redirects=False, timeout=10)

    assert names == ["OP /interaction/[uid]", "OP /interaction/[uid]"]
    assert prompts == ["login", "consent"]
    assert response.is_redirect
    back = urlsplit(response.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{APP}{CALLBACK_PATH}"
    assert parse_qs(back.query)["state"] == ["the-state"]
    assert parse_qs(back.query)["code"]


@needs_node
@locust_on_postgres
def test_locusts_users_sign_on_through_the_provider_and_stay_on_their_home_page(
    live_server, start_provider, settings, tmp_path
):
    """The morning peak's users on the demo data: the four staff roles sign on through the
    region's login and stay; every login is timed."""
    call_command("seed_demo", force=True, verbosity=0)
    rows = chosen_logins()
    assert [(role, email != "") for role, _u, email in rows] == [
        ("peer", True),
        ("leader", True),
        ("mentor", True),
        ("centre", True),
        ("admin", False),
    ]
    provider = start_provider(live_server.url, rows)
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = provider.secret
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "peerprogram.sso.StaffBackend",
    ]
    logins_csv = tmp_path / "logins-in.csv"
    logins_csv.write_text("\n".join(",".join(row) for row in rows))
    times = tmp_path / "logins.csv"
    env = {
        **os.environ,
        "LOADTEST_THINK": "0.05-0.2",
        "LOADTEST_P95_MS": "60000",
        "LOADTEST_LOGINS": str(logins_csv),
        "LOADTEST_LOGIN": "sso",
        **morning_environment(times),
    }
    started = time.time()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(BASE_DIR / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            "4",
            "--spawn-rate",
            "4",
            "--run-time",
            "6s",
            "--stop-timeout",
            "10",
            "--host",
            live_server.url,
            "--csv",
            str(tmp_path / "stats"),
            "--only-summary",
        ],  # fmt: skip
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert read_csv(tmp_path / "stats", "failures") == []
    assert read_csv(tmp_path / "stats", "exceptions") == []
    timed = read_logins(times)
    # locust shares the four users out by the roles' weights.
    assert len(timed) == 4
    assert {r.user.split("#")[0] for r in timed} <= set(logins.MORNING_ROLES)
    assert {(r.login, r.error) for r in timed} == {("sso", "")}
    assert all(started < r.start < r.end < time.time() for r in timed)
    counts = {
        (r["Type"], r["Name"]): int(r["Request Count"])
        for r in read_csv(tmp_path / "stats", "stats")
    }
    # Once each, and nothing after the home page but its static files: the users stay.
    assert {k: v for k, v in counts.items() if not k[1].startswith("/static/")} == {
        ("GET", "/accounts/login/"): 4,
        ("GET", "/accounts/sso/"): 4,
        ("GET", "OP /auth"): 4,
        ("GET", "OP /interaction/[uid]"): 8,
        ("POST", "OP /interaction/[uid] (login)"): 4,
        ("POST", "OP /interaction/[uid] (consent)"): 4,
        ("GET", "OP /auth/[uid]"): 8,
        ("GET", "/accounts/sso/callback/"): 4,
        ("GET", "/"): 4,
        ("", "Aggregated"): sum(counts.values()) - counts[("", "Aggregated")],
    }
    backends = {s.get_decoded().get("_auth_user_backend") for s in Session.objects.all()}
    assert backends == {"peerprogram.sso.StaffBackend"}
