"""`make loadtest`: gunicorn on PostgreSQL under simulated users of the five roles.

    python -m bench.loadtest [--scale region|nation|demo] [--users 50] [--duration 2m]

Recreates the database `peerprogram_load` (migrate, then `seed_scale`; `--reuse` keeps a
database seeded at the same scale), serves it with gunicorn in production mode (DEBUG off,
WhiteNoise static files) on a free loopback port, runs locust headless (bench/locustfile.py,
which stops by itself after the duration), stops gunicorn, and reports requests/s, p50, p95,
p99, errors and the access-log check in docs/performance.md (section `loadtest`). Exits 1
when a target is missed: any error, p95 of 250 ms or more, or access-log rows that do not
match the note reads one for one.

The top half of this module is the load mix itself (pages, links, note-read accounting):
plain Python shared with the locustfile, so the tests check it without locust installed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import math
import os
import random
import re
import resource
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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent

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
    def pattern(self) -> re.Pattern:
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
NOTE_PATTERN = PAGES["note"].pattern
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


# Weighted like real use: peer workers and leaders most, one administrator. With 50 users
# locust starts 20 peer workers, 16 leaders, 8 mentors, 5 Centre staff and 1 administrator.
# Mentors have no mentoring overview (that is for leaders and the Centre) and no link to
# their mentee's page: their home page lists their mentorships.
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


# Counting note reads ------------------------------------------------------------------


@dataclass
class NoteReads:
    """The note pages locust asked for, and how each ended.

    `reads` are the GETs the note page answered itself with 200: each wrote exactly one
    access-log row. A 404 or a redirect (to the login page) ran no note view: no row.
    `uncertain` ended in a server error or no answer, after which a row may or may not
    exist; `interrupted` were started but never finished (stopped mid-request).
    """

    started: int = 0
    reads: int = 0
    uncertain: int = 0
    other: int = 0

    def start(self, method: str, url: str) -> None:
        if _is_note(method, url):
            self.started += 1

    def record(self, method: str, url: str, status: int, redirected: bool) -> None:
        if not _is_note(method, url):
            return
        if status == 200 and not redirected:
            self.reads += 1
        elif status == 0 or status >= 500:
            self.uncertain += 1
        else:
            self.other += 1

    @property
    def interrupted(self) -> int:
        return self.started - self.reads - self.uncertain - self.other

    def as_dict(self) -> dict[str, int]:
        return {
            "started": self.started,
            "reads": self.reads,
            "uncertain": self.uncertain,
            "other": self.other,
        }


def _is_note(method: str, url: str) -> bool:
    return method.upper() == "GET" and bool(NOTE_PATTERN.fullmatch(urlsplit(url).path))


@dataclass(frozen=True)
class AccessCheck:
    ok: bool
    text: str


def access_check(before: int, after: int, tally: NoteReads) -> AccessCheck:
    """Exactly one access-log row per note read made during the test."""
    rows = after - before
    if tally.interrupted:
        return AccessCheck(
            False,
            f"{tally.interrupted} note reads were stopped mid-request: "
            f"{rows} rows for {tally.reads} reads cannot be checked exactly",
        )
    if tally.uncertain:
        return AccessCheck(
            False,
            f"{tally.uncertain} note reads ended in a server error or no answer: "
            f"{rows} rows for {tally.reads} reads cannot be checked exactly",
        )
    if rows != tally.reads:
        return AccessCheck(False, f"{rows} access-log rows for {tally.reads} note reads")
    return AccessCheck(True, f"{rows} access-log rows for {tally.reads} note reads")


# Results -------------------------------------------------------------------------------

P95_TARGET_MS = 250


@dataclass(frozen=True)
class Row:
    method: str
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    max: float


def rows_of(results: dict) -> list[Row]:
    """The rows the locustfile wrote, one per method and page, the Aggregated one last."""
    return [Row(**r) for r in results["stats"]]


def percentile(times: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest time at or below which `share` of all lie."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


def steady(results: dict) -> tuple[float, Row] | None:
    """The requests started after the last login answered, when every user is in: (seconds
    from the first request, their figures). None if no request started after it.

    Logging in is slow on purpose (PBKDF2), and 50 users logging in within seconds keep
    both cores busy for a while; this shows the pages without that, for the diagnosis."""
    requests = results.get("requests") or []
    logins = [
        s + t / 1000 for s, t, method, name, _ in requests if (method, name) == ("POST", LOGIN_PATH)
    ]
    if not requests or not logins:
        return None
    first, settled = min(s for s, *_ in requests), max(logins)
    after = [(s, t, ok) for s, t, _m, _n, ok in requests if s >= settled]
    if not after:
        return None
    times = [t for _s, t, _ok in after]
    span = max(s + t / 1000 for s, t, _ok in after) - settled
    row = Row(
        method="",
        name="After the last login",
        requests=len(after),
        failures=sum(not ok for *_, ok in after),
        rps=len(after) / span if span > 0 else 0.0,
        p50=percentile(times, 0.50),
        p95=percentile(times, 0.95),
        p99=percentile(times, 0.99),
        max=max(times),
    )
    return settled - first, row


@dataclass(frozen=True)
class Verdict:
    errors: bool
    p95: bool
    access: bool

    @property
    def ok(self) -> bool:
        return self.errors and self.p95 and self.access


def verdict(total: Row, access: AccessCheck, other_errors: int) -> Verdict:
    """Against the targets. `other_errors`: errors in the locust users' own code and in
    the server's log, which locust's failure count does not hold."""
    return Verdict(
        errors=total.failures == 0 and total.requests > 0 and other_errors == 0,
        p95=total.p95 < P95_TARGET_MS,
        access=access.ok,
    )


def last_page_at(duration: int) -> int:
    """When the simulated users open their last page: 5 s (a quarter of a short run)
    before locust stops them, so that no note page is cut off mid-request."""
    return duration - min(5, duration // 4)


def parse_duration(text: str) -> int:
    """Seconds in "2m", "90s", "1m30s", "1h" or plain "120"."""
    text = text.strip().lower()
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", text)
    if not text or not parts:
        raise argparse.ArgumentTypeError(f"{text!r}: write a duration like 2m, 90s or 1m30s.")
    hours, minutes, seconds = (int(p or 0) for p in parts.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise argparse.ArgumentTypeError("The duration must be more than 0 seconds.")
    return total


def _fmt_duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    parts = [f"{minutes} min" if minutes else "", f"{rest} s" if rest else ""]
    return " ".join(p for p in parts if p)


# The run -------------------------------------------------------------------------------

DATABASE = "peerprogram_load"
STOP_TIMEOUT = 90  # seconds a user may take to finish its page once the time is up
ARTEFACTS = BASE_DIR / "var" / "loadtest"


@dataclass
class Server:
    """gunicorn. gthread workers by default: like a browser, each user keeps its connection
    open between pages (sync workers close it after every answer), and a slow answer (a
    PDF, a login's password hashing) holds one thread, not the whole worker, while the
    other threads go on (each waits on PostgreSQL with the GIL released). Two workers are
    still at most two cores of Python: the threads add overlap, not CPU."""

    workers: int
    worker_class: str
    threads: int
    # Longer than the users' longest pause (3 s): with gunicorn's default of 2 s the server
    # closes a kept-alive connection just as the user sends the next page on it, which
    # requests reports as an error. (Browsers send such a request again; behind a proxy
    # the proxy holds the connections.)
    keep_alive: int = 5
    port: int = 0
    process: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def describe(self) -> str:
        kind = (
            f"{self.worker_class}, {self.threads} threads each"
            if self.worker_class == "gthread"
            else self.worker_class
        )
        return f"gunicorn, {self.workers} workers ({kind}), keep-alive {self.keep_alive} s"


@dataclass
class Run:
    args: argparse.Namespace
    env: dict[str, str] = field(default_factory=dict)
    tmp: Path = Path()


def _database_url(name: str) -> str:
    from bench.report import POSTGRES_URL

    parts = urlsplit(POSTGRES_URL)
    return parts._replace(path=f"/{name}").geturl()


def _maintenance():
    import psycopg

    from bench.report import POSTGRES_URL

    return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)


def _seeded_as(name: str) -> str | None:
    """The scale the database was seeded at (its comment), or None if it does not exist."""
    with _maintenance() as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    return None if row is None else (row[0] or "")


def _recreate(name: str) -> None:
    from psycopg import sql

    with _maintenance() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _mark_seeded(name: str, scale: str) -> None:
    from psycopg import sql

    with _maintenance() as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(f"seed {scale}")
            )
        )


def _manage(run: Run, *args: str) -> None:
    print(f"$ manage.py {' '.join(args)}", flush=True)
    subprocess.run(  # noqa: S603 - our own arguments, no shell
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=run.env, check=True, timeout=3600
    )


def _prepare_database(run: Run) -> None:
    scale = run.args.scale
    if run.args.reuse and _seeded_as(DATABASE) == f"seed {scale}":
        print(f"Reusing {DATABASE} (seeded at {scale} scale).")
        _manage(run, "migrate", "--noinput", "-v", "0")
        return
    print(f"Creating {DATABASE} afresh.")
    _recreate(DATABASE)
    _manage(run, "migrate", "--noinput", "-v", "0")
    if scale == "demo":
        _manage(run, "seed_demo", "--force")
    else:
        _manage(run, "seed_scale", "--scale", scale, "--force")
    _mark_seeded(DATABASE, scale)


def _environment(args: argparse.Namespace, tmp: Path) -> dict[str, str]:
    """Production settings on loopback, without HTTPS; static files from a temporary
    STATIC_ROOT (the settings fix it to staticfiles/, so a one-line module overrides it)."""
    static_root = tmp / "static"
    (tmp / "loadtest_settings.py").write_text(
        f"from peerprogram.settings import *  # noqa: F403\n\nSTATIC_ROOT = {str(static_root)!r}\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "loadtest_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp), str(BASE_DIR)]),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": _database_url(DATABASE),
        "EMAIL_URL": "consolemail://",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
    }
    # Axes stays on as in production: the simulated users all log in correctly, and it
    # locks a username together with an address only after repeated failures.
    env.pop("BEHIND_PROXY", None)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(run: Run, server: Server) -> None:
    server.port = _free_port()
    server.log = ARTEFACTS / "gunicorn.log"
    for log in (server.log, ARTEFACTS / "access.log"):
        log.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "peerprogram.wsgi:application",
        "--bind",
        f"127.0.0.1:{server.port}",
        "--workers",
        str(server.workers),
        "--worker-class",
        server.worker_class,
        "--threads",
        str(server.threads),
        "--keep-alive",
        str(server.keep_alive),
        "--access-logfile",
        str(ARTEFACTS / "access.log"),
        "--error-logfile",
        str(server.log),
        "--log-level",
        "info",
    ]
    print(f"Starting {server.describe()} on {server.url}", flush=True)
    server.process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
        command, cwd=BASE_DIR, env=run.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start:\n{_tail(server.log)}")
        try:
            with urllib.request.urlopen(f"{server.url}{LOGIN_PATH}", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{_tail(server.log)}")


def _stop(server: Server) -> None:
    process = server.process
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # graceful: the workers finish their requests
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(path: Path | None, lines: int = 30) -> str:
    if path is None or not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children (gunicorn's
    master and workers), from /proc; 0 where it cannot be read."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _server_errors(path: Path | None) -> int:
    """Errors gunicorn logged (worker timeouts, crashes, tracebacks of 500s)."""
    if path is None or not path.exists():
        return 0
    text = path.read_text(errors="replace")
    return len(re.findall(r"\[(?:ERROR|CRITICAL)\]|^Traceback", text, flags=re.MULTILINE))


def _setup_django(run: Run) -> None:
    os.environ.update(run.env)
    sys.path.insert(0, str(run.tmp))
    import django

    django.setup()


def _note_access_rows() -> int:
    from django.db import connections

    from journal.models import NoteAccess

    count = NoteAccess.objects.count()
    connections.close_all()
    return count


def _facts() -> dict[str, int]:
    from django.contrib.auth import get_user_model

    from journal.models import Note, Patient
    from peerprogram.models import PeerWorker, StaffMember, Unit

    return {
        "units": Unit.objects.count(),
        "staff": StaffMember.objects.count(),
        "peer workers": PeerWorker.objects.count(),
        "patients": Patient.objects.count(),
        "notes": Note.objects.count(),
        "logins": get_user_model().objects.count(),
    }


def _write_logins(run: Run) -> Path:
    from django.contrib.auth import get_user_model

    usernames = list(get_user_model().objects.values_list("username", flat=True))
    logins = {role: logins_for(role, usernames) for role in MIX}
    path = run.tmp / "logins.json"
    path.write_text(json.dumps(logins))
    return path


def _run_locust(run: Run, server: Server, logins: Path) -> dict:
    args = run.args
    results = ARTEFACTS / "results.json"
    results.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(BASE_DIR / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.duration}s",
        "--stop-timeout",
        str(STOP_TIMEOUT),
        "--host",
        server.url,
        "--csv",
        str(ARTEFACTS / "stats"),
        "--only-summary",
    ]
    env = {
        **os.environ,
        "LOADTEST_LOGINS": str(logins),
        "LOADTEST_RESULTS": str(results),
        "LOADTEST_LAST_PAGE_AT": str(last_page_at(args.duration)),
    }
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY"):
        env.pop(name, None)
    print(
        f"Running locust: {args.users} users, {args.spawn_rate:g} a second, "
        f"{_fmt_duration(args.duration)}",
        flush=True,
    )
    with open(ARTEFACTS / "locust.log", "w") as log:
        done = subprocess.run(  # noqa: S603 - our own arguments, no shell
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=args.duration + STOP_TIMEOUT + 120,
            check=False,
        )
    # locust exits 1 when a request failed: that is reported, not a crash.
    if done.returncode not in (0, 1) or not results.exists():
        raise SystemExit(
            f"locust ended with exit code {done.returncode}:\n{_tail(ARTEFACTS / 'locust.log')}"
        )
    return json.loads(results.read_text())


ROLE_LABELS = {
    "peer": "peer workers",
    "leader": "leaders",
    "mentor": "mentors",
    "centre": "Centre staff",
    "admin": "administrator",
}


def _table(rows: list[Row]) -> str:
    lines = [
        "| Page | Requests | Failures | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in sorted(rows, key=lambda r: (r.name == "Aggregated", -r.p95, r.name)):
        name = "**All requests**" if r.name == "Aggregated" else f"{r.method} `{r.name}`"
        lines.append(
            f"| {name} | {r.requests:,} | {r.failures} | {r.p50:.0f} | {r.p95:.0f} "
            f"| {r.p99:.0f} | {r.max:.0f} |"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class Outcome:
    rows: list[Row]
    total: Row
    check: AccessCheck
    errors: list[str]
    other_errors: int
    result: Verdict
    steady: tuple[float, Row] | None = None


def outcome(results: dict, before: int, after: int, server_errors: int) -> Outcome:
    """The figures, the access-log check and the verdict, from the locustfile's results."""
    rows = rows_of(results)
    total = next(r for r in rows if r.name == "Aggregated")
    tally = NoteReads(**results["note_reads"])
    check = access_check(before, after, tally)
    errors = [f"{e['method']} {e['name']}: {e['error']} ({e['count']}x)" for e in results["errors"]]
    if results["exceptions"]:
        errors.append(f"{results['exceptions']} exceptions in the simulated users (locust.log)")
    if server_errors:
        errors.append(f"{server_errors} errors in gunicorn's log (gunicorn.log)")
    other = results["exceptions"] + server_errors
    return Outcome(rows, total, check, errors, other, verdict(total, check, other), steady(results))


def _steady_line(settled: tuple[float, Row] | None) -> list[str]:
    if settled is None:
        return []
    seconds, row = settled
    return [
        f"| After the last login ({seconds:.0f} s in): p50 / p95 / p99 | {row.p50:.0f} / "
        f"{row.p95:.0f} / {row.p99:.0f} ms, {row.rps:.1f} requests/s | | not a target; "
        "shows the pages without the logins |"
    ]


def report(
    *,
    run: Run,
    server: Server,
    results: dict,
    out: Outcome,
    facts: dict,
    load: str,
    cpu: tuple[float, float],
) -> str:
    """The markdown of the section: where, what, the figures against the targets, per page."""
    from bench.report import commit, machine

    args = run.args
    users = results["users"]
    users = ", ".join(f"{users[role]} {ROLE_LABELS[role]}" for role in MIX if users.get(role))
    seed = "seed_demo" if args.scale == "demo" else f"seed_scale --scale {args.scale}"
    data = ", ".join(f"{n:,} {what}" for what, n in facts.items())
    mark = {True: "met", False: "**missed**"}
    total, result = out.total, out.result
    errors = total.failures + out.other_errors
    lines = [
        f"Measured by `make loadtest` on {datetime.date.today():%Y-%m-%d}, commit {commit()}.",
        "",
        f"- Machine: {machine()}; load average {load} before the run.",
        f"- Data: `{seed}` on PostgreSQL ({data}).",
        f"- Server: {server.describe()} on 127.0.0.1, the load generator on the same "
        "machine; DEBUG off, static files from WhiteNoise after collectstatic.",
        f"- Load: locust headless, {args.users} users ({users}), {args.spawn_rate:g} started "
        f"a second (a login is about 0.2 s of CPU for the password hash), for "
        f"{_fmt_duration(args.duration)}. Each logs in through the login form, "
        "then opens pages of its role with 1-3 s between them, finding patients, notes, "
        "units and so on by following the links it is shown; it fetches the style sheets and "
        "scripts once. Nothing is saved but the logins and the access log.",
        "",
        "| | Measured | Target | |",
        "|---|--:|--:|---|",
        f"| Requests/s | {total.rps:.1f} | | |",
        f"| p50 / p95 / p99 | {total.p50:.0f} / {total.p95:.0f} / {total.p99:.0f} ms "
        f"| p95 < {P95_TARGET_MS} ms | {mark[result.p95]} |",
        f"| Errors | {errors} in {total.requests:,} requests | 0 | {mark[result.errors]} |",
        f"| Access log | {out.check.text} | one row per read | {mark[result.access]} |",
        *_steady_line(out.steady),
        "",
        f"CPU during the test: gunicorn's processes {cpu[0]:.0f} s, "
        f"{1000 * cpu[0] / max(total.requests, 1):.0f} ms a request on average (PostgreSQL "
        f"not counted); locust {cpu[1]:.0f} s. The machine has {os.cpu_count()} cores for "
        f"{_fmt_duration(run.args.duration)}: {os.cpu_count() * run.args.duration} CPU seconds "
        "in all, shared with PostgreSQL, locust and anything else running.",
        "",
        "Per page (locust rounds times above 100 ms to 2 significant digits):",
        "",
        _table(out.rows),
    ]
    if out.errors:
        lines += ["", "Errors:", "", *[f"- {e}" for e in out.errors]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.loadtest", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scale", choices=["region", "nation", "demo"], default="region")
    parser.add_argument("--users", type=int, default=50)
    # 50 people start their day over 25 s, not in the same 5 s: a login costs about 0.2 s of
    # CPU (PBKDF2, Django's 1,000,000 iterations), so 10 a second on 2 cores is nothing but
    # password hashing for the first seconds, which says nothing about the pages.
    parser.add_argument("--spawn-rate", type=float, default=2)
    parser.add_argument("--duration", type=parse_duration, default=parse_duration("2m"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=["gthread", "sync"], default="gthread")
    parser.add_argument("--threads", type=int, default=4, help="per worker (gthread)")
    parser.add_argument("--keep-alive", type=int, default=5, help="seconds (gunicorn)")
    parser.add_argument("--reuse", action="store_true", help="keep a database seeded at this scale")
    parser.add_argument("--no-report", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    if args.worker_class == "sync":
        args.threads = 1

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="peerprogram-loadtest-"))
    run = Run(args=args, tmp=tmp)
    run.env = _environment(args, tmp)
    server = Server(
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        keep_alive=args.keep_alive,
    )
    try:
        _prepare_database(run)
        _manage(run, "collectstatic", "--noinput", "-v", "0")
        _setup_django(run)
        facts = _facts()
        logins = _write_logins(run)
        _start(run, server)
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        before = _note_access_rows()
        cpu = (_cpu_seconds(server.process.pid), _children_cpu())
        results = _run_locust(run, server, logins)
        cpu = (_cpu_seconds(server.process.pid) - cpu[0], _children_cpu() - cpu[1])
        _stop(server)  # the workers finish what they were doing first
        after = _note_access_rows()
    finally:
        _stop(server)
        shutil.rmtree(tmp, ignore_errors=True)

    out = outcome(results, before, after, _server_errors(server.log))
    text = report(run=run, server=server, results=results, out=out, facts=facts, load=load, cpu=cpu)
    print(f"\n{text}\n\nLogs and locust's CSV files: {ARTEFACTS.relative_to(BASE_DIR)}/")
    if not args.no_report:
        from bench.report import write_section

        write_section("loadtest", f"## Load test\n\n{text}")
        print("Written to docs/performance.md (section loadtest).")
    if not out.result.ok:
        print("A target was missed.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
