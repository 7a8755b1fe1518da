"""`make loadtest`: gunicorn on PostgreSQL under simulated users of the five roles.

    python -m bench.loadtest [--scale region|nation|demo] [--users 50] [--duration 2m]
                             [--servers 1|2] [--login password|sso] [--morning]

Recreates the database `peerprogram_load` or $LOADTEST_DATABASE (migrate, then `seed_scale`;
`--reuse` keeps a database seeded at the same scale), serves it with gunicorn in production
mode (DEBUG off, WhiteNoise static files) on a free loopback port and runs locust headless on
bench/locustfile.py. locust keeps the figures: its CSV files (var/loadtest/stats_*.csv, the
history per second included) are the report's source, and its exit code is the verdict on
its thresholds (no failed request, p95 under 250 ms). This module adds what locust cannot
see: exactly one access-log row per note read, and no error in gunicorn's log. It writes the
section `loadtest` of docs/performance.md and exits 1 when a target is missed.

The top half is the load mix (pages, links): plain Python shared with the locustfile, so the
tests check it without locust.

`--servers 2` (`make loadtest SERVERS=2`) runs the same users against two gunicorns behind
HAProxy and stops one of them halfway: bench/servers.py.

`--login sso` (`make loadtest LOGIN=sso`) has the users log in through the region's login
(OpenID Connect, against the single sign-on tests' provider) and writes the section
`loadtest-sso`; `--morning` is the morning peak, 200 staff logging in within a minute, which
writes the section `loadtest-logins`: bench/logins.py.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
P95_TARGET_MS = 250

# The pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page of the mix: a fixed path, or a path with [id] reached by following links
    found on the pages named in `found_on` (nearest first)."""

    path: str
    found_on: tuple[str, ...] = ()

    @property
    def fixed(self) -> bool:
        return "[id]" not in self.path

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(re.escape(self.path).replace(r"\[id\]", r"\d+"))


PAGES = {
    "home": Page("/"),
    "caseload": Page("/journal/"),
    "patient": Page("/journal/patients/[id]/", ("caseload",)),
    # The note as it stands: the one page of the mix that writes the access log (one row).
    "note": Page("/journal/notes/[id]/", ("patient", "caseload")),
    "statistics": Page("/journal/statistics/"),
    "calendar": Page("/education/calendar/"),
    "unit_list": Page("/units/"),
    "unit": Page("/units/[id]/", ("unit_list", "home")),
    "staff_list": Page("/staff/"),
    "peer_list": Page("/peers/"),
    "peer": Page("/peers/[id]/", ("home", "peer_list", "mentorship", "unit")),
    "checklist_list": Page("/recruitment/checklists/"),
    "checklist": Page("/recruitment/checklists/[id]/", ("home", "checklist_list")),
    "onboarding_pdf": Page("/recruitment/checklists/[id]/onboarding.pdf", ("checklist",)),
    "vacancy_list": Page("/recruitment/vacancies/"),
    "mentoring": Page("/mentoring/"),
    "mentorship": Page("/mentoring/mentorships/[id]/", ("home", "mentoring")),
    # The form a mentor opens to log (or move) a check-in; the load test does not post it.
    "checkin": Page("/mentoring/checkins/[id]/log/", ("mentorship",)),
    "cohort_list": Page("/education/"),
    "cohort": Page("/education/cohorts/[id]/", ("cohort_list", "home")),
    "admin": Page("/admin/"),
}
LOGIN_PATH = "/accounts/login/"
_LINKED = {name: page.pattern for name, page in PAGES.items() if not page.fixed}
_HREF = re.compile(r'href="(/[^"#?]*)"')
_ASSET = re.compile(r'(?:href|src)="(/static/[^"#?]+)"')


@dataclass(frozen=True)
class Role:
    """One kind of simulated user: how many of the users it is (weight), the login when
    no numbered ones exist, and the pages it opens, each with how often (weight)."""

    weight: int
    login: str
    pages: Mapping[str, int]


# Weighted like real use: with 50 users locust starts 20 peer workers, 16 leaders, 8 mentors,
# 5 Centre staff and 1 administrator. Mentors have no mentoring overview (that is for leaders
# and the Centre) and no link to their mentee's page: their home page lists their mentorships.
MIX = {
    "peer": Role(
        20,
        "peer",
        {"home": 3, "caseload": 3, "patient": 3, "note": 4, "statistics": 1, "calendar": 1},
    ),
    "leader": Role(
        16,
        "leder",
        {
            "home": 10,
            "unit_list": 3,
            "unit": 5,
            "staff_list": 3,
            "peer_list": 2,
            "peer": 3,
            "checklist_list": 2,
            "checklist": 4,
            "vacancy_list": 3,
            "mentoring": 3,
            "statistics": 1,
            "onboarding_pdf": 1,
        },
    ),
    "mentor": Role(8, "mentor", {"home": 3, "mentorship": 4, "checkin": 2, "calendar": 1}),
    "centre": Role(
        5,
        "center",
        {"home": 3, "cohort_list": 2, "cohort": 3, "calendar": 2, "statistics": 2, "peer_list": 2},
    ),
    "admin": Role(1, "admin", {"home": 5, "admin": 1}),
}
# The numbered logins of seed_scale: leder-1, peer-1, mentor-1, center-1, ...
NUMBERED = {"peer": "peer", "leader": "leder", "mentor": "mentor", "centre": "center"}


def page_of(path: str) -> str | None:
    """The page of the mix that `path` is, or None."""
    for name, page in PAGES.items():
        if page.pattern.fullmatch(path):
            return name
    return None


def name_of(path: str) -> str:
    """The name locust reports the request under: the page's path with [id]."""
    if path.startswith("/static/"):
        return "/static/[asset]"
    page = page_of(path)
    return PAGES[page].path if page else path


def links_in(html: str) -> dict[str, set[str]]:
    """The links of the page, by the page of the mix they lead to."""
    found: dict[str, set[str]] = {}
    for href in _HREF.findall(html):
        for name, pattern in _LINKED.items():
            if pattern.fullmatch(href):
                found.setdefault(name, set()).add(href)
    return found


def assets_in(html: str) -> list[str]:
    """The page's own static files (style sheets and scripts), in page order."""
    return list(dict.fromkeys(_ASSET.findall(html)))


def step_towards(
    page: str,
    pages: Iterable[str],
    known: Mapping[str, set[str]],
    visited: set[str],
    pick: Callable[[list[str]], str] = random.choice,
) -> str:
    """The path to open next on the way to `page`, clicking only through `pages` (the
    role's own): the page itself when it is fixed or a link to it is known; otherwise a
    page where such links are found, one not looked at yet first."""
    spec = PAGES[page]
    if spec.fixed:
        return spec.path
    if known.get(page):
        return pick(sorted(known[page]))
    sources = [s for s in spec.found_on if s in pages or s == "home"]
    for source in sources:
        if source not in visited and (PAGES[source].fixed or known.get(source)):
            return step_towards(source, pages, known, visited, pick)
    for source in sources:
        if PAGES[source].fixed or known.get(source):
            return step_towards(source, pages, known, visited, pick)
    return step_towards(sources[0], pages, known, visited, pick) if sources else "/"


def sent_on(path: str) -> str:
    """The locustfile's failure for a page that answered with another page (a redirect): the
    login page's path when the user's session was lost."""
    return f"sent on to {path}"


def login_rows(text: str) -> list[tuple[str, str, str]]:
    """The file of logins `seeded` writes for the locustfile: (role, username, e-mail) lines,
    the e-mail that of the login's active staff record (empty without one)."""
    rows = []
    for line in text.splitlines():
        role, username, email = (line.split(",") + ["", ""])[:3]
        rows.append((role, username, email))
    return rows


def logins_for(role: str, usernames: Iterable[str]) -> list[str]:
    """The role's numbered logins among `usernames` in number order, else its named one."""
    prefix = NUMBERED.get(role)
    numbered = re.compile(rf"{re.escape(prefix)}-(\d+)") if prefix else None
    found = sorted(
        (int(m.group(1)), name)
        for name in usernames
        if numbered and (m := numbered.fullmatch(name))
    )
    return [name for _, name in found] or [MIX[role].login]


# locust's results ----------------------------------------------------------------------


def read_csv(prefix: Path, kind: str) -> list[dict[str, str]]:
    """One of locust's --csv files (`stats`, `failures`, `exceptions`) as rows."""
    with open(f"{prefix}_{kind}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def access_check(rows: int, stats: list[dict[str, str]]) -> tuple[bool, str]:
    """Exactly one access-log row per note read: per note page locust saw answered (a failed
    one, a server error or a redirect, may or may not have written its row)."""
    note = next((r for r in stats if r["Name"] == PAGES["note"].path), None)
    requests, failures = (
        (int(note["Request Count"]), int(note["Failure Count"])) if note else (0, 0)
    )
    reads = requests - failures
    if failures:
        return False, f"{failures} note reads failed: {rows} rows for {reads} reads is not exact"
    return rows == reads, f"{rows} access-log rows for {reads} note reads"


def server_errors(log: Path) -> int:
    """Errors gunicorn logged (worker timeouts, crashes, tracebacks of 500s)."""
    if not log.exists():
        return 0
    text = log.read_text(errors="replace")
    return len(re.findall(r"\[(?:ERROR|CRITICAL)\]|^Traceback", text, flags=re.MULTILINE))


def table(stats: list[dict[str, str]]) -> str:
    """locust's figures per page, slowest first, all requests last."""
    lines = [
        "| Page | Requests | Failures | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in sorted(stats, key=lambda r: (r["Name"] == "Aggregated", -float(r["95%"]))):
        name = "**All requests**" if r["Name"] == "Aggregated" else f"{r['Type']} `{r['Name']}`"
        lines.append(
            f"| {name} | {int(r['Request Count']):,} | {r['Failure Count']} | {r['50%']} | "
            f"{r['95%']} | {r['99%']} | {float(r['Max Response Time']):.0f} |"
        )
    return "\n".join(lines)


# The run -------------------------------------------------------------------------------

DATABASE = os.environ.get("LOADTEST_DATABASE", "peerprogram_load")
STOP_TIMEOUT = 90  # seconds a user may take to finish its page once the time is up
ARTEFACTS = BASE_DIR / "var" / "loadtest"


def postgres(sql: str, *params: str) -> Any:
    """One statement on the maintenance database; its first row, if it returns rows."""
    import psycopg

    from bench.report import POSTGRES_URL

    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(sql.encode(), params)
        return cursor.fetchone() if cursor.description else None


def manage(env: dict[str, str], *args: str) -> None:
    print(f"$ manage.py {' '.join(args)}", flush=True)
    subprocess.run(  # noqa: S603 - our own arguments, no shell
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, timeout=3600
    )


def prepare_database(env: dict[str, str], scale: str, reuse: bool) -> None:
    """Migrated and seeded; the scale is kept as the database's comment, for --reuse."""
    seeded = postgres(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        DATABASE,
    )
    if reuse and seeded and seeded[0] == f"seed {scale}":
        print(f"Reusing {DATABASE} (seeded at {scale} scale).")
        manage(env, "migrate", "--noinput", "-v", "0")
        return
    postgres(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    postgres(f'CREATE DATABASE "{DATABASE}"')
    manage(env, "migrate", "--noinput", "-v", "0")
    if scale == "demo":
        manage(env, "seed_demo", "--force")
    else:
        manage(env, "seed_scale", "--scale", scale, "--force")
    postgres(f"COMMENT ON DATABASE \"{DATABASE}\" IS 'seed {scale}'")


def environment(tmp: Path) -> dict[str, str]:
    """Production settings on loopback, without HTTPS; static files from a temporary
    STATIC_ROOT (the settings fix it to staticfiles/, so a one-line module overrides it)."""
    from bench.report import POSTGRES_URL

    (tmp / "loadtest_settings.py").write_text(
        "from peerprogram.settings import *  # noqa: F403\n\n"
        f"STATIC_ROOT = {str(tmp / 'static')!r}\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "loadtest_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp), str(BASE_DIR)]),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": urlsplit(POSTGRES_URL)._replace(path=f"/{DATABASE}").geturl(),
        "EMAIL_URL": "consolemail://",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
    }
    # Axes stays on as in production: every simulated user logs in correctly.
    env.pop("BEHIND_PROXY", None)
    return env


def start_gunicorn(
    env: dict[str, str],
    args: argparse.Namespace,
    *,
    logs: Path = ARTEFACTS,
    keep_alive: int = 5,
    options: Sequence[str] = (),
) -> tuple[subprocess.Popen[bytes], str]:
    """gthread workers: like a browser, each user keeps its connection open between pages,
    and a slow answer (a PDF, a login's password hash) holds one thread, not the worker.
    Keep-alive longer than the users' longest pause (3 s), or the server closes a connection
    just as the user sends the next page on it. Its logs go to `logs` (gunicorn.log and
    access.log)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    log = logs / "gunicorn.log"
    log.unlink(missing_ok=True)
    command = [sys.executable, "-m", "gunicorn", "peerprogram.wsgi:application"]
    command += ["--bind", url.removeprefix("http://"), "--workers", str(args.workers)]
    command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    command += ["--keep-alive", str(keep_alive), *options]
    command += ["--access-logfile", str(logs / "access.log"), "--error-logfile", str(log)]
    print(f"Starting gunicorn ({args.workers} workers × {args.threads} threads) on {url}")
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}{LOGIN_PATH}", timeout=5):  # noqa: S310
                return process, url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    process.kill()
    raise SystemExit(f"gunicorn did not start; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Gracefully: the workers finish their requests first."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and its children (gunicorn's master and workers)."""
    import psutil  # type: ignore[import-untyped]

    master = psutil.Process(pid)
    return sum(sum(p.cpu_times()[:2]) for p in [master, *master.children(recursive=True)])


def seeded(env: dict[str, str], args: argparse.Namespace, tmp: Path) -> tuple[str, Path]:
    """The database seeded and the static files collected, and Django set up in this process
    (to count rows): what the data holds, and the file of logins for the locustfile."""
    prepare_database(env, args.scale, args.reuse)
    manage(env, "collectstatic", "--noinput", "-v", "0")
    os.environ.update(env)
    sys.path.insert(0, str(tmp))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Model

    from journal.models import Note, Patient
    from peerprogram.models import PeerWorker, StaffMember, Unit

    models: list[tuple[type[Model], str]] = [
        (Unit, "units"),
        (StaffMember, "staff"),
        (PeerWorker, "peer workers"),
        (Patient, "patients"),
        (Note, "notes"),
        (get_user_model(), "logins"),
    ]
    facts = ", ".join(f"{m._default_manager.count():,} {label}" for m, label in models)
    logins = tmp / "logins.csv"
    logins.write_text("\n".join(",".join(row) for row in chosen_logins()))
    return facts, logins


def chosen_logins() -> list[tuple[str, str, str]]:
    """(role, username, e-mail) of the logins the users log in as (logins_for), the e-mail
    that of the login's active staff record (what single sign-on matches), else empty."""
    from django.contrib.auth import get_user_model

    from peerprogram.models import StaffMember

    usernames = list(get_user_model().objects.values_list("username", flat=True))
    chosen = [(role, u) for role in MIX for u in logins_for(role, usernames)]
    emails = dict(
        StaffMember.objects.filter(
            user__username__in=[u for _role, u in chosen], user__is_active=True, active=True
        ).values_list("user__username", "email")
    )
    return [(role, u, emails.get(u, "")) for role, u in chosen]


def locust_command(args: argparse.Namespace, url: str, stats: Path) -> list[str]:
    """locust headless on bench/locustfile.py against `url`, its CSV files at `stats`_*."""
    command = [sys.executable, "-m", "locust", "-f", str(BASE_DIR / "bench/locustfile.py")]
    command += ["--headless", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate)]
    command += ["--run-time", args.duration, "--stop-timeout", str(STOP_TIMEOUT)]
    command += ["--host", url, "--csv", str(stats), "--only-summary"]
    return command


def main(argv: list[str] | None = None) -> int:
    from bench import logins

    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__)
    parser.add_argument("--scale", choices=["region", "nation", "demo"], default="region")
    parser.add_argument("--users", type=int, help="50; the morning peak 200")
    # A login is about 0.2 s of CPU (PBKDF2): 50 people start their day over 25 s, so that
    # the first seconds are not nothing but password hashing.
    parser.add_argument(
        "--spawn-rate",
        type=logins.spawn_rate,
        help="users started a second, e.g. 2 or 200/60 (200 in a minute); 2, the morning peak"
        f" {logins.MORNING_SPAWN_RATE}",
    )
    parser.add_argument(
        "--duration",
        help=f"locust's --run-time, e.g. 2m, 90s; 2m, the morning peak {logins.MORNING_DURATION}",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="per gunicorn worker")
    parser.add_argument("--reuse", action="store_true", help="keep a database seeded at this scale")
    parser.add_argument("--no-report", action="store_true", help="leave docs/performance.md")
    parser.add_argument(
        "--servers",
        type=int,
        choices=[1, 2],
        default=1,
        help="2: two gunicorns behind HAProxy, one stopped halfway (bench/servers.py)",
    )
    parser.add_argument(
        "--login",
        choices=logins.LOGINS,
        default="password",
        help="how the users log in; sso: through the region's login (bench/logins.py)",
    )
    parser.add_argument(
        "--morning",
        action="store_true",
        help="the morning peak: 200 staff log in within a minute and stay (bench/logins.py)",
    )
    args = parser.parse_args(argv)
    logins.settle(args, users=50, rate=2, duration="2m")
    if args.servers == 2:
        from bench import servers

        return servers.main(args)

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="peerprogram-loadtest-"))
    env = environment(tmp)
    provider = logins.Provider() if args.login == "sso" else None
    if provider:
        env |= provider.settings()
    login_times = ARTEFACTS / "logins.csv"
    login_times.unlink(missing_ok=True)
    running: list[subprocess.Popen[bytes]] = []
    provider_cpu: float | None = None
    try:
        facts, logins_csv = seeded(env, args, tmp)
        from journal.models import NoteAccess

        server, url = start_gunicorn(env, args)
        running.append(server)
        if provider:
            rows = login_rows(logins_csv.read_text())
            running.append(provider.start(app_url=url, logins=rows, tmp=tmp, logs=ARTEFACTS))
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        before, cpu = NoteAccess.objects.count(), cpu_seconds(server.pid)
        if provider:
            provider_cpu = cpu_seconds(running[-1].pid)
        command = locust_command(args, url, ARTEFACTS / "stats")
        print(f"$ {' '.join(command[1:])}", flush=True)
        locust_env = {
            k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")
        }
        locust_env |= {"LOADTEST_LOGINS": str(logins_csv), "LOADTEST_LOGIN": args.login}
        if args.morning:
            locust_env |= logins.morning_environment(login_times)
        with open(ARTEFACTS / "locust.log", "w") as log:
            code = subprocess.run(  # noqa: S603 - our own arguments, no shell
                command, cwd=BASE_DIR, env=locust_env,
                stdout=log, stderr=subprocess.STDOUT, check=False,
            ).returncode  # fmt: skip
        cpu = cpu_seconds(server.pid) - cpu
        if provider and provider_cpu is not None:
            provider_cpu = cpu_seconds(running[-1].pid) - provider_cpu
        stop(server)
        rows_written = NoteAccess.objects.count() - before
    finally:
        for process in reversed(running):
            stop(process)
        shutil.rmtree(tmp, ignore_errors=True)
    if code not in (0, 1):
        raise SystemExit(f"locust ended with exit code {code}; see {ARTEFACTS / 'locust.log'}")

    stats = read_csv(ARTEFACTS / "stats", "stats")
    total = next(r for r in stats if r["Name"] == "Aggregated")
    access_ok, access = access_check(rows_written, stats)
    failures = [f"{r['Method']} {r['Name']}: {r['Error']} ({r['Occurrences']}×)" for r in read_csv(
        ARTEFACTS / "stats", "failures")]  # fmt: skip
    failures += [
        f"{r['Count']}× {r['Message']}" for r in read_csv(ARTEFACTS / "stats", "exceptions")
    ]
    logged = server_errors(ARTEFACTS / "gunicorn.log")
    if args.morning:
        run = logins.login_run(
            args,
            load=load,
            facts=facts,
            logins_csv=login_times,
            stats=stats,
            failures=failures,
            errors=logged,
            cpu=cpu,
            provider_cpu=provider_cpu,
        )
        return logins.finish(run, write=not args.no_report)
    if logged:
        failures.append(f"{logged} errors in gunicorn's log (var/loadtest/gunicorn.log)")
    ok = code == 0 and access_ok and not logged
    from bench.report import commit, machine

    mark = {True: "met", False: "**missed**"}
    requests = int(total["Request Count"])
    sso = args.login == "sso"
    key = "loadtest-sso" if sso else "loadtest"
    how = logins.SSO_LOGIN if sso else "the login form"
    text = "\n".join(
        [
            "## Load test, logging in through single sign-on" if sso else "## Load test",
            "",
            f"Measured by `make loadtest{' LOGIN=sso' if sso else ''}` on"
            f" {datetime.date.today():%Y-%m-%d}, commit {commit()}.",
            "",
            f"- Machine: {machine()}; load average {load} before the run.",
            f"- Data: `{args.scale}` on PostgreSQL ({facts}).",
            f"- Server: gunicorn, {args.workers} workers (gthread, {args.threads} threads each),"
            " keep-alive 5 s, on 127.0.0.1 with locust on the same machine; DEBUG off, static"
            " files from WhiteNoise.",
            f"- Load: locust headless, {args.users} users, {args.spawn_rate:g} started a second,"
            f" for {args.duration}. Each logs in through {how}, then opens pages of its role"
            " with 1-3 s between them, finding patients, notes, units and so on by"
            " following the links it is shown; it fetches the style sheets and scripts once."
            " Nothing is saved but the logins and the access log.",
            "",
            "| | Measured | Target | |",
            "|---|--:|--:|---|",
            f"| Requests/s | {float(total['Requests/s']):.1f} | | |",
            f"| p50 / p95 / p99 | {total['50%']} / {total['95%']} / {total['99%']} ms "
            f"| p95 < {P95_TARGET_MS} ms | {mark[float(total['95%']) < P95_TARGET_MS]} |",
            f"| Failures | {total['Failure Count']} in {requests:,} requests | 0 "
            f"| {mark[total['Failure Count'] == '0']} |",
            f"| locust's thresholds (its exit code) | {code} | 0 | {mark[code == 0]} |",
            f"| Access log | {access} | one row per read | {mark[access_ok]} |",
            f"| Errors in gunicorn's log | {logged} | 0 | {mark[not logged]} |",
            "",
            f"CPU of gunicorn's processes during the test: {cpu:.0f} s, "
            f"{1000 * cpu / max(requests, 1):.0f} ms a request (PostgreSQL not counted)."
            + (
                f" The OpenID Provider's: {provider_cpu:.0f} s." if provider_cpu is not None else ""
            ),
            "",
            "Per page, from locust's stats CSV (it rounds times above 100 ms to 2 significant"
            " digits; the history per second is in var/loadtest/stats_stats_history.csv):",
            "",
            table(stats),
            *(["", "Failures and errors:", "", *[f"- {f}" for f in failures]] if failures else []),
        ]
    )
    print(f"\n{text}\n\nLogs and locust's CSV files: var/loadtest/")
    if not args.no_report:
        from bench.report import write_section

        write_section(key, text)
        print(f"Written to docs/performance.md (section {key}).")
    if not ok:
        print("A target was missed.", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
