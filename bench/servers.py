"""`make loadtest SERVERS=2`: two app servers behind HAProxy, one of them stopped halfway.

    python -m bench.loadtest --servers 2 [--scale region|nation|demo] [--duration 2m] ...

The data, the logins and the simulated users are those of `make loadtest` (bench/loadtest.py).
Two gunicorns serve them on two free loopback ports with one SECRET_KEY, sharing PostgreSQL
and a Redis cache (CACHE_URL: sessions live in the cache and the database, so either server
knows every session), behind HAProxy (Debian's package, which `make setup` installs) on a
third port, configured by haproxy_config(). locust runs through HAProxy.

Halfway through the run the first server's gunicorn gets SIGTERM: it stops listening, its
workers finish the requests they hold and exit. HAProxy sends a request the stopped server
never took to the other one (retries, redispatch) and its health check (GET /health/)
marks the server down. The locustfile writes every request to a CSV file
(LOADTEST_REQUESTS: its user, start, end and failure); from it this module tells the
failures in flight at the stop from the others (target: none) and follows each user logged
in before the stop (target: none sent back to the login page). It writes the section
`loadtest-servers` of docs/performance.md and exits 1 when a target is missed.

The top half is plain Python (the configuration, the classification, the report), tested
without any server running.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench import loadtest
from bench.loadtest import (
    BASE_DIR,
    LOGIN_PATH,
    P95_TARGET_MS,
    PAGES,
    access_check,
    environment,
    locust_command,
    read_csv,
    seeded,
    sent_on,
    server_errors,
    start_gunicorn,
    stop,
    table,
)

HOST = "127.0.0.1"
SERVERS = ("s1", "s2")
STOPPED = "s1"
# A Redis database of the load test's own (the test suite uses 3).
CACHE_URL = os.environ.get("LOADTEST_CACHE_URL", f"redis://{HOST}:6379/5")
# HAProxy keeps its connections to a server open between requests: the server keeps them
# longer than gunicorn's usual 5 s, so that it rarely closes one just as HAProxy sends on it.
KEEP_ALIVE = 30
# What a stopping worker may take to finish its requests (gunicorn's default, said aloud).
GRACEFUL_TIMEOUT = 30
ARTEFACTS = loadtest.ARTEFACTS / "servers"
# The locustfile's failure for a page that sent its user to the login page.
SENT_TO_LOGIN = sent_on(LOGIN_PATH)
# The requests of the first seconds after the stop, whose p95 the report shows beside the run's.
AFTER_STOP_SECONDS = 10

# HAProxy ---------------------------------------------------------------------------------


def haproxy_config(*, port: int, servers: Mapping[str, int], stats_socket: Path) -> str:
    """HAProxy on HOST:`port` in front of `servers` (name: port on HOST): round robin, a
    health check on /health/, and a request a stopped server never took sent to another."""
    backend = [f"    server {name} {HOST}:{server_port}" for name, server_port in servers.items()]
    return "\n".join(
        [
            "# Written by bench/servers.py for `make loadtest SERVERS=2`.",
            "global",
            "    log stdout format raw local0 info",
            f"    stats socket {stats_socket} mode 600 level admin",
            "",
            "defaults",
            "    mode http",
            "    log global",
            "    option httplog",
            "    option dontlognull",
            "    # The client's address in X-Forwarded-For: the app's PROXY_COUNT=1 takes it.",
            "    option forwardfor",
            "    # A refused connection (a stopped server) is tried again, each time on another",
            "    # server; so is a request a server closed without answering (one waiting in the",
            "    # listen queue of a worker that exits), GET and HEAD only (see the backend).",
            "    retries 3",
            "    option redispatch 1",
            "    retry-on conn-failure empty-response",
            "    timeout connect 2s",
            "    timeout client 30s",
            "    timeout http-request 10s",
            "    timeout http-keep-alive 10s",
            "    timeout queue 30s",
            "    # Longer than gunicorn's graceful timeout (30 s): a stopping server answers or",
            "    # closes first.",
            "    timeout server 60s",
            "    timeout check 2s",
            "",
            "frontend app",
            f"    bind {HOST}:{port}",
            "    # No TLS here, so no client may claim it: BEHIND_PROXY trusts X-Forwarded-Proto.",
            "    http-request del-header X-Forwarded-Proto",
            "    default_backend servers",
            "",
            "backend servers",
            "    balance roundrobin",
            "    # A POST the server may have acted on is never sent twice.",
            "    http-request disable-l7-retry unless METH_GET",
            "    option httpchk GET /health/ HTTP/1.1",
            f"    http-check send hdr Host {HOST}",
            "    http-check expect status 200",
            "    # Every 2 s; every 0.5 s once a check failed; down after 2 failures, up after 2.",
            "    default-server check inter 2s fastinter 500ms fall 2 rise 2",
            *backend,
            "",
        ]
    )


@dataclass(frozen=True)
class ServerState:
    """One server as HAProxy's statistics show it."""

    status: str  # UP, DOWN, ...
    check: str  # the last health check's result: L7OK, L4CON (refused), ...
    downs: int  # times its health check marked it down
    since: int  # seconds since it last went up or down
    retries: int  # connections to it tried again
    redispatches: int  # requests meant for it sent to another server


def server_states(stat: str, backend: str = "servers") -> dict[str, ServerState]:
    """The servers of `backend` in HAProxy's `show stat` CSV."""

    def number(value: str | None) -> int:
        return int(value) if value else 0

    rows = csv.DictReader(stat.removeprefix("# ").splitlines())
    return {
        row["svname"]: ServerState(
            status=row["status"],
            check=row["check_status"],
            downs=number(row["chkdown"]),
            since=number(row["lastchg"]),
            retries=number(row["wretr"]),
            redispatches=number(row["wredis"]),
        )
        for row in rows
        if row["pxname"] == backend and row["svname"] not in ("FRONTEND", "BACKEND")
    }


def haproxy_command(stats_socket: Path, command: str) -> str:
    """One command on HAProxy's stats socket, and its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(str(stats_socket))
        s.sendall(f"{command}\n".encode())
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


# The requests ----------------------------------------------------------------------------

REQUEST_FIELDS = ("user", "method", "name", "start", "end", "error")


def request_row(
    *,
    user: str,
    method: str,
    name: str,
    start: float,
    milliseconds: float,
    error: BaseException | None,
) -> list[str]:
    """A line of the locustfile's requests CSV (times in seconds since the epoch); the error
    is locust's failure text, empty when the request succeeded."""
    end = start + milliseconds / 1000
    failure = "" if error is None else str(error) or type(error).__name__
    return [user, method, name, f"{start:.6f}", f"{end:.6f}", " ".join(failure.split())]


@dataclass(frozen=True)
class Request:
    user: str
    method: str
    name: str
    start: float
    end: float
    error: str  # empty when it succeeded


def read_requests(path: Path) -> list[Request]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [
        Request(r["user"], r["method"], r["name"], float(r["start"]), float(r["end"]), r["error"])
        for r in rows
    ]


def in_flight(request: Request, stop: float) -> bool:
    """Sent before the stop (the SIGTERM) and answered, or failed, after it."""
    return request.start < stop < request.end


def _is_login(request: Request) -> bool:
    return request.method == "POST" and request.name == LOGIN_PATH and not request.error


def _is_page(request: Request) -> bool:
    """A page only a logged-in user is shown (not the login page, not a static file)."""
    return request.name != LOGIN_PATH and not request.name.startswith("/static/")


@dataclass(frozen=True)
class StopOutcome:
    """The run's requests seen from the stop."""

    requests: int
    in_flight: int  # requests in flight at the stop, answered or not
    failed_in_flight: tuple[Request, ...]
    failed_otherwise: tuple[Request, ...]  # before or after the stop: the target is none
    logged_in: frozenset[str]  # users logged in before the stop
    sent_back: frozenset[str]  # of those, sent to the login page after it
    unseen: frozenset[str]  # of those, no page answered after it (nothing to tell)

    @property
    def survived(self) -> frozenset[str]:
        return self.logged_in - self.sent_back - self.unseen


def stop_outcome(requests: Sequence[Request], stop: float) -> StopOutcome:
    """Which failures were in flight at the stop, and which sessions outlived it."""
    failed = [r for r in requests if r.error]
    logged_in = frozenset(r.user for r in requests if _is_login(r) and r.end <= stop)
    after = [r for r in requests if r.end > stop]
    sent_back = logged_in & {r.user for r in after if r.error == SENT_TO_LOGIN}
    answered = {r.user for r in after if r.start >= stop and _is_page(r) and not r.error}
    return StopOutcome(
        requests=len(requests),
        in_flight=sum(in_flight(r, stop) for r in requests),
        failed_in_flight=tuple(r for r in failed if in_flight(r, stop)),
        failed_otherwise=tuple(r for r in failed if not in_flight(r, stop)),
        logged_in=logged_in,
        sent_back=sent_back,
        unseen=logged_in - sent_back - answered,
    )


def p95(requests: Iterable[Request]) -> float | None:
    """The 95th percentile of the requests' times in ms (nearest rank), None without any."""
    times = sorted((r.end - r.start) * 1000 for r in requests)
    return times[math.ceil(0.95 * len(times)) - 1] if times else None


def access_verdict(
    rows: int, stats: list[dict[str, str]], outcome: StopOutcome
) -> tuple[bool | None, str]:
    """The access-log check of `make loadtest`; not a verdict (None) when the only note reads
    that failed were in flight at the stop (one may or may not have written its row)."""
    ok, text = access_check(rows, stats)
    note = PAGES["note"].path
    if any(r.name == note for r in outcome.failed_in_flight) and not any(
        r.name == note for r in outcome.failed_otherwise
    ):
        return None, f"{text} (in flight at the stop: not a verdict)"
    return ok, text


def served(access_log: Path) -> int:
    """Responses a server gave, from its access log, HAProxy's health checks left out (a
    redirect locust follows, such as the login's, is two responses to one locust request)."""
    if not access_log.exists():
        return 0
    lines = access_log.read_text(errors="replace").splitlines()
    return sum(1 for line in lines if line.strip() and '"GET /health/ ' not in line)


def seconds(duration: str) -> float:
    """locust's --run-time ("2m", "90s", "1h30m", "1m30s" or plain seconds) in seconds."""
    if duration.strip().isdigit():
        return float(duration)
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", duration.replace(" ", ""))
    if not match or not any(match.groups()):
        raise ValueError(f"Not a run time: {duration!r} (e.g. 2m, 90s, 1h30m)")
    hours, minutes, secs = (int(g or 0) for g in match.groups())
    return float(hours * 3600 + minutes * 60 + secs)


# The report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    outcome: StopOutcome
    stats: list[dict[str, str]]  # locust's stats CSV
    after_stop_p95: float | None  # ms, the requests started in the first seconds after it
    stop: float  # when the SIGTERM was sent (seconds since the epoch)
    stop_at: float  # seconds from the first request to the SIGTERM
    exited_after: float  # seconds from the SIGTERM to the server's exit
    exit_code: int | None  # the stopped gunicorn's
    states: Mapping[str, ServerState]
    # Seconds from the SIGTERM to HAProxy marking it down (its statistics count whole seconds).
    down_after: float | None
    served: Mapping[str, int]  # responses per server
    access: tuple[bool | None, str]
    logged: int  # errors in the gunicorns' logs

    @property
    def total(self) -> dict[str, str]:
        return next(r for r in self.stats if r["Name"] == "Aggregated")


def verdicts(m: Measured) -> dict[str, bool]:
    stopped = m.states.get(STOPPED)
    others = [state for name, state in m.states.items() if name != STOPPED]
    outcome = m.outcome
    return {
        "p95": float(m.total["95%"]) < P95_TARGET_MS,
        "failures": not outcome.failed_otherwise,
        "sessions": bool(outcome.logged_in) and outcome.survived == outcome.logged_in,
        "exit": m.exit_code == 0,
        "down": stopped is not None
        and stopped.status.startswith("DOWN")
        and stopped.downs > 0
        and bool(others)
        and all(s.status.startswith("UP") for s in others),
        "access": m.access[0] is not False,
        "errors": not m.logged,
    }


def _failure(request: Request, stop: float) -> str:
    when = request.start - stop
    return (
        f"{request.method} `{request.name}` ({request.user}, sent {when:+.2f} s from the stop,"
        f" {1000 * (request.end - request.start):.0f} ms): {request.error}"
    )


def report(m: Measured, heading: Sequence[str]) -> str:
    """The section `loadtest-servers`: `heading` (title and set-up), then the figures."""
    ok = verdicts(m)
    mark = {True: "met", False: "**missed**"}
    outcome, total = m.outcome, m.total
    requests = int(total["Request Count"])
    stopped = m.states.get(STOPPED)
    if m.down_after is None:
        down = "did not mark it down"
    elif m.down_after < 1:
        down = "marked it down within a second of the SIGTERM"
    else:
        down = f"marked it down about {m.down_after:.0f} s after the SIGTERM"
    exited = (
        f"its workers finished their requests and it exited {m.exited_after:.1f} s later"
        if m.exit_code == 0
        else f"it did not exit cleanly (exit code {m.exit_code}) within {m.exited_after:.0f} s"
    )
    states = ", ".join(
        f"{name} {state.status} ({state.downs}× down, last check {state.check}, "
        f"{m.served.get(name, 0):,} responses)"
        for name, state in m.states.items()
    )
    retried = sum(s.retries for s in m.states.values())
    redispatched = sum(s.redispatches for s in m.states.values())
    failed = outcome.failed_in_flight + outcome.failed_otherwise
    survived = len(outcome.survived)
    after = f"{m.after_stop_p95:.0f} ms" if m.after_stop_p95 is not None else "no requests"
    access_mark = mark[m.access[0]] if m.access[0] is not None else "not counted"
    lines = [
        *heading,
        f"- The stop: SIGTERM to {STOPPED}'s gunicorn {m.stop_at:.0f} s after the first"
        f" request; {exited}. HAProxy {down}.",
        "",
        "| | Measured | Target | |",
        "|---|--:|--:|---|",
        f"| Requests/s | {float(total['Requests/s']):.1f} ({requests:,} requests) | | |",
        f"| p50 / p95 / p99 | {total['50%']} / {total['95%']} / {total['99%']} ms "
        f"| p95 < {P95_TARGET_MS} ms | {mark[ok['p95']]} |",
        f"| Failed requests other than those in flight at the stop "
        f"| {len(outcome.failed_otherwise)} | 0 | {mark[ok['failures']]} |",
        f"| Failed requests in flight at the stop | {len(outcome.failed_in_flight)} of "
        f"{outcome.in_flight} in flight | | |",
        f"| Sessions that survived the stop | {survived} of {len(outcome.logged_in)} users "
        f"logged in before it ({len(outcome.sent_back)} sent back to the login page, "
        f"{len(outcome.unseen)} without a page after it) | all | {mark[ok['sessions']]} |",
        f"| The stopped server's exit | {m.exit_code} after {m.exited_after:.1f} s "
        f"| 0 (graceful) | {mark[ok['exit']]} |",
        f"| HAProxy's view at the end | {states} | {STOPPED} down, the other up "
        f"| {mark[ok['down']]} |",
        f"| Access log | {m.access[1]} | one row per read | {access_mark} |",
        f"| Errors in the gunicorns' logs | {m.logged} | 0 | {mark[ok['errors']]} |",
        "",
        f"p95 of the requests sent in the {AFTER_STOP_SECONDS} s after the stop: {after}."
        f" HAProxy tried {retried} connections again and sent {redispatched} requests to"
        " the other server"
        + (f" ({stopped.retries} and {stopped.redispatches} for {STOPPED})." if stopped else "."),
        "",
        "A request was *in flight at the stop* when locust sent it before the SIGTERM and had"
        " its answer (or its error) after it; every other failed request counts against the"
        " target. A session *survived* when its user logged in before the stop, had a page"
        " answered after it and was never sent back to the login page after it. The figures"
        " come from every request the locustfile recorded (var/loadtest/servers/requests.csv)"
        " and HAProxy's statistics; the gunicorns' and HAProxy's logs and the configuration"
        " are beside them.",
        "",
        "Per page, from locust's stats CSV:",
        "",
        table(m.stats),
    ]
    if failed:
        lines += ["", f"Failed requests ({len(failed)}, the first 20):", ""]
        lines += [f"- {_failure(r, m.stop)}" for r in sorted(failed, key=lambda r: r.start)[:20]]
    return "\n".join(lines)


# The run ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_haproxy(
    haproxy: str, ports: Mapping[str, int], tmp: Path
) -> tuple[subprocess.Popen[bytes], str, Path]:
    """HAProxy in the foreground, its log in the artefacts; returned once its health checks
    have found every server healthy."""
    stats_socket, port = tmp / "haproxy.sock", _free_port()
    config = ARTEFACTS / "haproxy.cfg"
    config.write_text(haproxy_config(port=port, servers=ports, stats_socket=stats_socket))
    log = ARTEFACTS / "haproxy.log"
    print(f"Starting HAProxy on http://{HOST}:{port} ({config.relative_to(BASE_DIR)})")
    with open(log, "wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            [haproxy, "-db", "-f", str(config)], stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError):
            states = server_states(haproxy_command(stats_socket, "show stat"))
            if set(states) == set(ports) and all(s.check == "L7OK" for s in states.values()):
                return process, f"http://{HOST}:{port}", stats_socket
        time.sleep(0.5)
    stop(process)
    raise SystemExit(f"HAProxy did not find both servers healthy; see {log}")


def first_request(path: Path, locust: subprocess.Popen[bytes]) -> float:
    """When locust sent its first request (its run time counts from about then)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and locust.poll() is None:
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            if requests := read_requests(path):
                return min(r.start for r in requests)
        time.sleep(0.2)
    raise SystemExit(f"locust sent no request; see {ARTEFACTS / 'locust.log'}")


def haproxy_version(haproxy: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [haproxy, "-v"], capture_output=True, text=True, check=False, timeout=10
    )
    found = re.search(r"version (\d+(?:\.\d+)+)", done.stdout)
    return found[1] if found else "(version unknown)"


def main(args: argparse.Namespace) -> int:
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    if haproxy is None:
        raise SystemExit("HAProxy is not installed: `make setup` installs Debian's haproxy.")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="peerprogram-loadtest-"))
    # One SECRET_KEY (environment() makes it) for both servers: a session cookie signed by
    # one is good on the other.
    env = {**environment(tmp), "CACHE_URL": CACHE_URL, "BEHIND_PROXY": "true", "PROXY_COUNT": "1"}
    requests_csv = ARTEFACTS / "requests.csv"
    requests_csv.unlink(missing_ok=True)
    servers: dict[str, subprocess.Popen[bytes]] = {}
    running: list[subprocess.Popen[bytes]] = []
    try:
        facts, logins = seeded(env, args, tmp)
        from journal.models import NoteAccess

        ports = {}
        for name in SERVERS:
            (ARTEFACTS / name).mkdir(exist_ok=True)
            options = ["--no-control-socket", "--graceful-timeout", str(GRACEFUL_TIMEOUT)]
            server, url = start_gunicorn(
                env, args, logs=ARTEFACTS / name, keep_alive=KEEP_ALIVE, options=options
            )
            servers[name] = server
            running.append(server)
            ports[name] = int(urlsplit(url).port or 0)
        balancer, url, stats_socket = start_haproxy(haproxy, ports, tmp)
        running.append(balancer)
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        before = NoteAccess.objects.count()
        command = locust_command(args, url, ARTEFACTS / "stats")
        print(f"$ {' '.join(command[1:])}", flush=True)
        locust_env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "SECRET_KEY", "CACHE_URL")
        }
        locust_env |= {"LOADTEST_LOGINS": str(logins), "LOADTEST_REQUESTS": str(requests_csv)}
        with open(ARTEFACTS / "locust.log", "w") as log:
            locust = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
                command, cwd=BASE_DIR, env=locust_env, stdout=log, stderr=subprocess.STDOUT
            )
        running.append(locust)
        first = first_request(requests_csv, locust)
        halfway = first + seconds(args.duration) / 2
        try:
            locust.wait(timeout=max(halfway - time.time(), 0))
        except subprocess.TimeoutExpired:
            pass
        else:
            raise SystemExit(f"locust ended before the stop; see {ARTEFACTS / 'locust.log'}")
        stopped = time.time()
        print(f"Stopping {STOPPED} (SIGTERM) {stopped - first:.0f} s into the run", flush=True)
        stop(servers[STOPPED])
        exited_after = time.time() - stopped
        exit_code = servers[STOPPED].returncode
        code = locust.wait()
        queried = time.time()
        states = server_states(haproxy_command(stats_socket, "show stat"))
        rows = NoteAccess.objects.count() - before
    finally:
        for process in reversed(running):
            stop(process)
        shutil.rmtree(tmp, ignore_errors=True)
    if code not in (0, 1):
        raise SystemExit(f"locust ended with exit code {code}; see {ARTEFACTS / 'locust.log'}")

    stats = read_csv(ARTEFACTS / "stats", "stats")
    requests = read_requests(requests_csv)
    outcome = stop_outcome(requests, stopped)
    down = states.get(STOPPED)
    measured = Measured(
        outcome=outcome,
        stats=stats,
        after_stop_p95=p95(
            r for r in requests if stopped <= r.start < stopped + AFTER_STOP_SECONDS
        ),
        stop=stopped,
        stop_at=stopped - first,
        exited_after=exited_after,
        exit_code=exit_code,
        states=states,
        down_after=queried - down.since - stopped if down and down.downs else None,
        served={name: served(ARTEFACTS / name / "access.log") for name in SERVERS},
        access=access_verdict(rows, stats, outcome),
        logged=sum(server_errors(ARTEFACTS / name / "gunicorn.log") for name in SERVERS),
    )
    from bench.report import commit, machine

    heading = [
        "## Load test: two servers, one stopped halfway",
        "",
        f"Measured by `make loadtest SERVERS=2` on {datetime.date.today():%Y-%m-%d},"
        f" commit {commit()}.",
        "",
        f"- Machine: {machine()}; load average {load} before the run. Everything below runs"
        " on it: PostgreSQL, Redis, both servers, HAProxy and locust.",
        f"- Data: `{args.scale}` on PostgreSQL ({facts}).",
        f"- Servers: two gunicorns ({SERVERS[0]}, {SERVERS[1]}), each {args.workers} workers"
        f" (gthread, {args.threads} threads each), keep-alive {KEEP_ALIVE} s, graceful timeout"
        f" {GRACEFUL_TIMEOUT} s, on two loopback ports; the same `SECRET_KEY`, one PostgreSQL"
        f" database and one Redis (`CACHE_URL={CACHE_URL}`: sessions in the cache and the"
        " database), `BEHIND_PROXY=true`, `PROXY_COUNT=1`; DEBUG off, static files from"
        " WhiteNoise.",
        f"- Load balancer: HAProxy {haproxy_version(haproxy)} on a third loopback port:"
        " round robin; health check `GET /health/` every 2 s (every 0.5 s once one failed;"
        " down after 2 failures, up after 2 passes); `retries 3` with `option redispatch 1`"
        " (a refused connection is tried again on the other server) and `retry-on"
        " conn-failure empty-response` for GET and HEAD (a request a server closed without"
        " answering is sent again; a POST never); `option forwardfor`. Its configuration is"
        " var/loadtest/servers/haproxy.cfg.",
        f"- Load: locust headless through HAProxy, {args.users} users, {args.spawn_rate:g}"
        f" started a second, for {args.duration}: the users and pages of `make loadtest`.",
    ]
    text = report(measured, heading)
    print(f"\n{text}\n\nLogs, locust's CSV files and the requests: {ARTEFACTS}/")
    if not args.no_report:
        from bench.report import write_section

        write_section("loadtest-servers", text)
        print("Written to docs/performance.md (section loadtest-servers).")
    ok = all(verdicts(measured).values())
    if not ok:
        missed = [name for name, met in verdicts(measured).items() if not met]
        print(f"A target was missed: {', '.join(missed)}.", file=sys.stderr)
    return 0 if ok else 1
