"""How people log in, under load: `make loadtest LOGIN=sso` and the morning peak (`--morning`).

    python -m bench.loadtest --login password|sso [--morning] [--scale demo] ...

`--login sso` serves the region's login (OpenID Connect) from the provider of the single
sign-on browser tests, tests/oidc/provider.mjs (node oidc-provider; `npm ci` runs once when its
pinned packages are missing), on a free loopback port beside gunicorn: one client, gunicorn's
callback its redirect URI, and one account per login the simulated users log in as, named by
the username and carrying the e-mail of the login's staff record. gunicorn gets OIDC_ISSUER,
OIDC_CLIENT_ID and OIDC_CLIENT_SECRET. The locust users click the login page's button for the
region's login and follow it as a browser would, over plain HTTP, each redirect a request of
its own: the provider's sign-in form (it takes any password), its consent page, the callback,
the home page. A login without an active staff record (the administrator) cannot sign on and
logs in with its password, as it must in production.

`--morning` is the morning peak: 200 staff (the administrator left out) log in within a minute,
each once, and stay on the home page they land on. The locustfile times each login from the
click (the password form's button, or the region's) to the home page and writes it to a CSV
file. The run keeps its figures in var/loadtest/logins-<login>.json and writes the section
`loadtest-logins` of docs/performance.md: its own figures beside the other login's last run.

The top half is plain Python (the pages' forms, the request names, the settings, the figures
and the report), tested without any server.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import fcntl
import hashlib
import html
import json
import math
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.loadtest import ARTEFACTS, BASE_DIR, LOGIN_PATH, MIX, name_of, table

LOGINS = ("password", "sso")
OIDC_DIR = BASE_DIR / "tests" / "oidc"
HOST = "127.0.0.1"
CLIENT_ID = "peerprogram-loadtest"
CALLBACK_PATH = "/accounts/sso/callback/"
# The morning peak, unless --users, --spawn-rate or --duration say otherwise: a minute of
# arrivals, then half a minute for the last to get in.
MORNING_USERS = 200
MORNING_SPAWN_RATE = "200/60"
MORNING_DURATION = "90s"
# At eight in the morning the staff arrive; the administrator has no staff record to sign on
# with, and leaving the role out of both runs keeps the two logins' people the same.
MORNING_ROLES = tuple(role for role in MIX if role != "admin")
# The locustfile's CSV file of logins.
LOGIN_FIELDS = ("user", "login", "start", "end", "error")
SECTION = "loadtest-logins"
# How the users log in with --login sso, for the reports.
SSO_LOGIN = (
    "the region's login (single sign-on against the OpenID Provider of the single sign-on"
    " tests, tests/oidc/provider.mjs, on the same machine; the administrator, who has no staff"
    " record, with its password)"
)


# The command line ------------------------------------------------------------------------


def spawn_rate(text: str) -> float:
    """locust's users started a second, also as a fraction: "200/60" is 200 in a minute."""
    number, _slash, per = text.partition("/")
    try:
        rate = float(number) / float(per or 1)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"not a rate: {text!r} (e.g. 2, 0.5, 200/60)") from None
    if not rate > 0 or math.isinf(rate):
        raise argparse.ArgumentTypeError(f"not a rate: {text!r} (e.g. 2, 0.5, 200/60)")
    return rate


def settle(args: argparse.Namespace, *, users: int, rate: float, duration: str) -> None:
    """The profile's users, rate and run time where the command line left them out (None);
    the morning peak's own when --morning. One server only."""
    if args.morning:
        users, rate, duration = MORNING_USERS, spawn_rate(MORNING_SPAWN_RATE), MORNING_DURATION
    args.users = users if args.users is None else args.users
    args.spawn_rate = rate if args.spawn_rate is None else args.spawn_rate
    args.duration = duration if args.duration is None else args.duration
    if args.servers != 1 and (args.morning or args.login != "password"):
        raise SystemExit("--login sso and --morning run against one server (--servers 1).")


def morning_environment(login_times: Path) -> dict[str, str]:
    """The locustfile's settings for the morning peak: the staff's roles only, each user
    staying on its home page, every login timed into `login_times`."""
    return {
        "LOADTEST_ROLES": ",".join(MORNING_ROLES),
        "LOADTEST_STAY": "1",
        "LOADTEST_LOGIN_TIMES": str(login_times),
    }


def rate_text(rate: float) -> str:
    """The rate as the report says it: 3.33 started a second (200 a minute)."""
    per_minute = rate * 60
    minute = f" ({per_minute:.0f} a minute)" if abs(per_minute - round(per_minute)) < 1e-6 else ""
    return f"{rate:.3g} started a second{minute}"


# The provider ----------------------------------------------------------------------------


def gunicorn_settings(issuer: str, secret: str) -> dict[str, str]:
    """The environment that points gunicorn's single sign-on at the provider."""
    return {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": secret,
        "OIDC_MATCH_CLAIM": "email",
    }


def provider_environment(*, port: int, app_url: str, secret: str, accounts: Path) -> dict[str, str]:
    """tests/oidc/provider.mjs's environment: its port, the one client (gunicorn) and the
    file of accounts."""
    return {
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": secret,
        "OIDC_REDIRECT_URI": f"{app_url}{CALLBACK_PATH}",
        "OIDC_POST_LOGOUT_REDIRECT_URI": f"{app_url}{LOGIN_PATH}",
        "OIDC_ACCOUNTS_FILE": str(accounts),
    }


def provider_accounts(logins: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, Any]]:
    """The provider's people: each (role, username, e-mail) login with an e-mail, under its
    username, the e-mail verified (Peerprogram refuses an unverified one)."""
    return {
        username: {"email": email, "email_verified": True}
        for _role, username, email in logins
        if email
    }


# The pages of the sign-on ----------------------------------------------------------------

_TAG = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)
_INPUT = re.compile(r"<input\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([a-zA-Z_:-]+)="([^"]*)"')
# The provider's addresses that carry an interaction's id.
_UID = re.compile(r"^/(interaction|auth)/[^/]+")


def _attributes(tag: str) -> dict[str, str]:
    return {name.lower(): html.unescape(value) for name, value in _ATTRIBUTE.findall(tag)}


def sso_link(page: str) -> str | None:
    """The address of the login page's button for the region's login, or None."""
    for tag in _TAG.findall(page):
        attributes = _attributes(tag)
        if attributes.get("data-testid") == "sso-login" and attributes.get("href"):
            return attributes["href"]
    return None


@dataclass(frozen=True)
class Form:
    action: str
    fields: dict[str, str]  # its hidden inputs


def form_in(page: str) -> Form | None:
    """The page's first form that posts, with its hidden inputs, or None."""
    for attributes_text, body in _FORM.findall(page):
        attributes = _attributes(attributes_text)
        if attributes.get("method", "get").lower() != "post":
            continue
        hidden = (_attributes(tag) for tag in _INPUT.findall(body))
        fields = {
            a["name"]: a.get("value", "")
            for a in hidden
            if a.get("type") == "hidden" and "name" in a
        }
        return Form(attributes.get("action", ""), fields)
    return None


def provider_answer(form: Form, username: str) -> dict[str, str] | None:
    """What a person sends on the provider's page: on its sign-in form the login (its sign-in
    takes any password), on its consent page the button; None on any other page."""
    prompt = form.fields.get("prompt")
    if prompt == "login":
        return {**form.fields, "login": username, "password": "any password"}
    if prompt == "consent":
        return dict(form.fields)
    return None


def request_name(url: str, app: str, data: Mapping[str, str] | None = None) -> str:
    """The name locust reports a request of the sign-on under: the app's page as in the rest
    of the load test; the provider's address with `OP` before it, [uid] for the interaction's
    id and the form's prompt (login, consent) after a form sent to it."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" == app.rstrip("/"):
        return name_of(parts.path)
    prompt = f" ({data['prompt']})" if data and data.get("prompt") else ""
    return f"OP {_UID.sub(lambda m: f'/{m[1]}/[uid]', parts.path)}{prompt}"


# The logins' times -----------------------------------------------------------------------


def login_row(*, user: str, login: str, start: float, end: float, error: str) -> list[str]:
    """A line of the locustfile's logins CSV (times in seconds since the epoch)."""
    return [user, login, f"{start:.6f}", f"{end:.6f}", " ".join(error.split())]


@dataclass(frozen=True)
class Login:
    user: str
    login: str  # password or sso
    start: float
    end: float
    error: str  # empty when the user got to the home page

    @property
    def milliseconds(self) -> float:
        return 1000 * (self.end - self.start)


def read_logins(path: Path) -> list[Login]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [
        Login(r["user"], r["login"], float(r["start"]), float(r["end"]), r["error"]) for r in rows
    ]


def percentile(values: Iterable[float], fraction: float) -> float | None:
    """The nearest-rank percentile (`fraction` 0.95 for p95), None without any value."""
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1] if ordered else None


# The report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginRun:
    """One morning peak's figures: the run's own, or the other login's read back from
    var/loadtest/logins-<login>.json."""

    login: str  # password or sso
    date: str
    commit: str
    machine: str
    load: str  # the load average before the run
    scale: str
    facts: str  # what the data holds
    workers: int
    threads: int
    users: int
    spawn_rate: float
    duration: str
    times: list[float]  # ms, each login that got to the home page
    failed: list[str]  # the logins that did not: user and failure
    other_logins: int  # by the other way (a login without a staff record in an SSO run)
    requests: int
    failed_requests: int
    failures: list[str]  # locust's failures and exceptions, one line per kind
    errors: int  # in gunicorn's log
    cpu: float  # seconds, gunicorn's processes over the run
    provider_cpu: float | None  # seconds, the provider's process (SSO only)
    stats: list[dict[str, str]] = field(default_factory=list)  # locust's stats CSV

    @property
    def logins(self) -> int:
        return len(self.times) + len(self.failed) + self.other_logins

    @property
    def ok(self) -> bool:
        return not (self.failed or self.failed_requests or self.failures or self.errors)

    def per_login(self, seconds: float | None) -> str:
        if seconds is None:
            return "—"
        return f"{1000 * seconds / max(self.logins, 1):.0f} ms ({seconds:.1f} s in all)"


def record_path(login: str, directory: Path = ARTEFACTS) -> Path:
    return directory / f"logins-{login}.json"


def save(run: LoginRun, directory: Path = ARTEFACTS) -> None:
    record_path(run.login, directory).write_text(json.dumps(asdict(run), indent=1) + "\n")


def load(login: str, directory: Path = ARTEFACTS) -> LoginRun | None:
    """The last morning peak recorded for `login`, or None (none, or an older format)."""
    try:
        return LoginRun(**json.loads(record_path(login, directory).read_text()))
    except (OSError, ValueError, TypeError):
        return None


TITLES = {"password": "Password", "sso": "Single sign-on"}


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def report(runs: Mapping[str, LoginRun]) -> str:
    """The section `loadtest-logins`: the morning peak with each login's last run side by
    side (a login not measured yet is said to be so)."""
    measured = [runs[login] for login in LOGINS if login in runs]
    if not measured:
        raise ValueError("No run to report.")
    columns = [TITLES[login] for login in LOGINS]

    def row(label: str, value: Any) -> str:
        cells = [value(runs[login]) if login in runs else "not measured yet" for login in LOGINS]
        return f"| {label} | {' | '.join(cells)} |"

    def times(run: LoginRun) -> str:
        p = [percentile(run.times, q) for q in (0.5, 0.95, 0.99)]
        return f"{' / '.join(_ms(v) for v in p)} / {_ms(max(run.times, default=None))} ms"

    def logins(run: LoginRun) -> str:
        other = f" (and {run.other_logins} by password)" if run.other_logins else ""
        return f"{len(run.times)} of {len(run.times) + len(run.failed)}{other}"

    machines = sorted({run.machine for run in measured})
    lines = [
        "## Load test: the morning peak, password against single sign-on",
        "",
        "Measured by `make loadtest LOGIN=password LOADTEST_ARGS=--morning` and `make loadtest"
        " LOGIN=sso LOADTEST_ARGS=--morning`, each run writing its own column beside the other's"
        " last run (var/loadtest/logins-<login>.json).",
        "",
        f"- Machine: {'; '.join(machines)}. Everything runs on it: PostgreSQL, gunicorn, the"
        " provider and locust.",
        "- Server: gunicorn (gthread) on PostgreSQL as in `make loadtest`, DEBUG off; for single"
        " sign-on with OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET set.",
        "- Provider: the single sign-on tests' OpenID Provider (node oidc-provider,"
        " tests/oidc/provider.mjs) on another loopback port, one account per login with the"
        " e-mail of its staff record. It is a stand-in for the region's: its sign-in form takes"
        " any password and it asks for consent at every first sign-on of a session; it signs"
        " the ID token with RS256 as Azure AD and ADFS do.",
        "- Load: locust headless. Staff of four roles (peer workers, leaders, mentors, Centre"
        " staff in the mix's proportions; the administrator has no staff record to sign on"
        " with and is left out of both) arrive at the rate in the table, log in once and stay"
        " on the home page they land on. With a password: the login page, then the form"
        " posted. With single sign-on: the login page, its button for the region's login,"
        " the provider's sign-in form, its consent page, back to the callback and on to the"
        " home page, every redirect a request of its own (the provider's under `OP`). A login"
        " is timed from the click to the home page's HTML.",
        "- CPU: of gunicorn's master and workers (and of the provider's node process) over the"
        " whole run, divided by the logins: a login's share includes the login page, the static"
        " files a first visit fetches and the home page. PostgreSQL and locust not counted.",
        "",
        f"| | {' | '.join(columns)} |",
        f"|---|{'--:|' * len(columns)}",
        row("Measured", lambda r: f"{r.date}, commit {r.commit}"),
        row("Data", lambda r: f"`{r.scale}` ({r.facts})"),
        row("gunicorn", lambda r: f"{r.workers} workers × {r.threads} threads"),
        row(
            "Users",
            lambda r: f"{r.users}, {rate_text(r.spawn_rate)}, run {r.duration}",
        ),
        row("Load average before", lambda r: r.load),
        row("Logins that got to the home page", logins),
        row("Login p50 / p95 / p99 / max", times),
        row("gunicorn CPU per login", lambda r: r.per_login(r.cpu)),
        row("Provider CPU per login", lambda r: r.per_login(r.provider_cpu)),
        row("Requests, of them failed", lambda r: f"{r.requests:,}, {r.failed_requests}"),
        row("Errors in gunicorn's log", lambda r: str(r.errors)),
        "",
        "No target is set for the login yet; a run fails (exit code 1) when a login, a request"
        " or gunicorn's log failed.",
    ]
    for run in measured:
        lines += ["", f"{TITLES[run.login]}, per request (locust's stats CSV):", ""]
        lines.append(table(run.stats))
        problems = [*run.failed, *run.failures]
        if run.errors:
            problems.append(f"{run.errors} errors in gunicorn's log")
        if problems:
            lines += ["", "Failures and errors (the first 20):", ""]
            lines += [f"- {problem}" for problem in problems[:20]]
    return "\n".join(lines)


# The run ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def npm_ci() -> None:
    """The provider's pinned packages, unless this lockfile's are in place; the same mark and
    lock as the single sign-on browser tests (tests/e2e/test_sso.py)."""
    lockfile = hashlib.sha256((OIDC_DIR / "package-lock.json").read_bytes()).hexdigest()
    mark = OIDC_DIR / "node_modules" / ".installed-from"
    with (Path(tempfile.gettempdir()) / "peerprogram-oidc-npm.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if mark.exists() and mark.read_text() == lockfile:
            return
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("npm is not installed: --login sso needs Node.js 20 and npm.")
        subprocess.run(  # noqa: S603 - our own arguments, no shell
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=OIDC_DIR, check=True
        )
        mark.write_text(lockfile)


class Provider:
    """The OpenID Provider of a run: its port and client secret are chosen first (gunicorn's
    settings name them); it starts once gunicorn's address (its redirect URI) is known."""

    def __init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://{HOST}:{self.port}"
        self.secret = secrets.token_urlsafe(32)
        self.process: subprocess.Popen[bytes] | None = None

    def settings(self) -> dict[str, str]:
        return gunicorn_settings(self.issuer, self.secret)

    def start(
        self, *, app_url: str, logins: Sequence[tuple[str, str, str]], tmp: Path, logs: Path
    ) -> subprocess.Popen[bytes]:
        """Started, with an account for each login that can sign on; returned once its
        discovery document answers."""
        node = shutil.which("node")
        if node is None:
            raise SystemExit("node is not installed: --login sso needs Node.js 20 and npm.")
        npm_ci()
        accounts = tmp / "oidc-accounts.json"
        accounts.write_text(json.dumps(provider_accounts(logins)))
        env = provider_environment(
            port=self.port, app_url=app_url, secret=self.secret, accounts=accounts
        )
        log = logs / "provider.log"
        print(f"Starting the OpenID Provider on {self.issuer} (tests/oidc/provider.mjs)")
        with open(log, "wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
                [node, "provider.mjs"],
                cwd=OIDC_DIR,
                env={**os.environ, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
                url = f"{self.issuer}/.well-known/openid-configuration"
                with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our loopback
                    return self.process
            time.sleep(0.2)
        self.process.kill()
        raise SystemExit(f"The OpenID Provider did not start; see {log}")


def login_run(
    args: argparse.Namespace,
    *,
    load: str,
    facts: str,
    logins_csv: Path,
    stats: list[dict[str, str]],
    failures: list[str],
    errors: int,
    cpu: float,
    provider_cpu: float | None,
) -> LoginRun:
    """The run's figures from the locustfile's logins CSV and locust's stats."""
    from bench.report import commit, machine

    done = read_logins(logins_csv)
    own = [r for r in done if r.login == args.login]
    total = next((r for r in stats if r["Name"] == "Aggregated"), None)
    return LoginRun(
        login=args.login,
        date=f"{datetime.date.today():%Y-%m-%d}",
        commit=commit(),
        machine=machine(),
        load=load,
        scale=args.scale,
        facts=facts,
        workers=args.workers,
        threads=args.threads,
        users=args.users,
        spawn_rate=args.spawn_rate,
        duration=args.duration,
        times=[round(r.milliseconds, 1) for r in own if not r.error],
        failed=[f"{r.user}: {r.error}" for r in own if r.error],
        other_logins=len(done) - len(own),
        requests=int(total["Request Count"]) if total else 0,
        failed_requests=int(total["Failure Count"]) if total else 0,
        failures=failures,
        errors=errors,
        cpu=round(cpu, 2),
        provider_cpu=None if provider_cpu is None else round(provider_cpu, 2),
        stats=stats,
    )


def finish(run: LoginRun, *, write: bool) -> int:
    """Print the section; with `write`, keep the run for the other login's report and write
    the section into docs/performance.md."""
    runs = {run.login: run}
    for login in LOGINS:
        if login != run.login and (other := load(login)):
            runs[login] = other
    text = report(runs)
    print(f"\n{text}\n\nLogs, locust's CSV files and the logins: {ARTEFACTS}/")
    if write:
        from bench.report import write_section

        save(run)
        write_section(SECTION, text)
        print(f"Written to docs/performance.md (section {SECTION}).")
    return 0 if run.ok else 1
