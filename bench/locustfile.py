"""The simulated users of `make loadtest`: the five roles, logged in through the login form.

Run by bench/loadtest.py; by hand against `make run` (the demo logins):

    locust -f bench/locustfile.py --headless -u 10 -r 5 -t 1m --host http://127.0.0.1:8000

Each user logs in as a login of its role (numbered ones from seed_scale, listed by
loadtest.py in the file named by LOADTEST_LOGINS; otherwise the named demo login), then
opens pages of its role's mix (bench/loadtest.py: MIX) with 1-3 s to think between them.
It finds the pages behind ids (a patient, a note, a unit, ...) by following the links of
the pages it was shown, as a person clicks: no second copy of the access rules, and any
data set works. Every GET of a note page is counted (NoteReads); at the end the figures and
the count go to the file named by LOADTEST_RESULTS, for the report and the access-log check.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time
from collections import Counter
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, events
from locust.exception import StopUser

from bench.loadtest import (
    LOGIN_PATH,
    MIX,
    NoteReads,
    assets_in,
    links_in,
    name_of,
    page_of,
    step_towards,
)

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo")
# Think time between pages, in seconds (the tests shorten it).
THINK = tuple(float(s) for s in os.environ.get("LOADTEST_THINK", "1-3").split("-", 1))
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Users open no page after this many seconds (loadtest.py and the test set it a few
# seconds before locust's run time ends). At the end locust stops the users where they
# are; a note page stopped mid-request may or may not have reached the server, and the
# access-log check could not be exact.
LAST_PAGE_AT = float(os.environ.get("LOADTEST_LAST_PAGE_AT", "inf"))
_STARTED = time.monotonic()


def _logins() -> dict[str, list[str]]:
    path = os.environ.get("LOADTEST_LOGINS")
    if path:
        with open(path) as f:
            return json.load(f)
    return {role: [spec.login] for role, spec in MIX.items()}


LOGINS = _logins()
NOTE_READS = NoteReads()
USERS: Counter[str] = Counter()
REQUESTS: list[tuple[float, float, str, str, bool]] = []
_closing = False
_numbers = {role: itertools.count() for role in MIX}


@events.request.add_listener
def _count(request_type, name, url, response, response_time, start_time, exception, **_kw):
    redirected = bool(getattr(response, "history", None))
    NOTE_READS.record(request_type, url, getattr(response, "status_code", 0) or 0, redirected)
    # Every request with its start, for the figures after the last login (loadtest.steady).
    REQUESTS.append((start_time, response_time, request_type, name, exception is None))


@events.quitting.add_listener
def _write_results(environment, **_kwargs):
    """The figures, the note reads and who took part, once the users have stopped.

    (locust's --csv files are written once a second by a greenlet that may stop before the
    last request finished; these are complete.)"""
    global _closing
    # A user can outlive locust's stop while it waits for a page (seen with locust 2.47):
    # open no more pages, and let the note pages asked for answer before counting.
    _closing = True
    deadline = time.monotonic() + 30
    while NOTE_READS.interrupted and time.monotonic() < deadline:
        gevent.sleep(0.1)
    path = os.environ.get("LOADTEST_RESULTS")
    if not path:
        return
    stats = environment.stats
    entries = sorted(stats.entries.values(), key=lambda e: (e.name, e.method))
    results = {
        "stats": [_entry(e) for e in [*entries, stats.total] if e.num_requests or e.num_failures],
        "errors": [
            {"method": e.method, "name": e.name, "error": str(e.error), "count": e.occurrences}
            for e in stats.errors.values()
        ],
        "exceptions": sum(row["count"] for row in environment.runner.exceptions.values()),
        "note_reads": NOTE_READS.as_dict(),
        "users": dict(USERS),
        "requests": REQUESTS,
    }
    with open(path, "w") as f:
        json.dump(results, f, indent=1)


def _entry(entry) -> dict:
    return {
        "method": entry.method or "",
        "name": entry.name,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.total_rps,
        "p50": entry.get_response_time_percentile(0.5),
        "p95": entry.get_response_time_percentile(0.95),
        "p99": entry.get_response_time_percentile(0.99),
        "max": entry.max_response_time,
    }


class Visitor(HttpUser):
    abstract = True
    role = ""
    wait_time = between(*THINK)

    def on_start(self) -> None:
        logins = LOGINS[self.role]
        self.username = logins[next(_numbers[self.role]) % len(logins)]
        self.pages = set(MIX[self.role].pages)
        self.known: dict[str, set[str]] = {}
        self.visited: set[str] = set()
        self.assets: set[str] = set()
        USERS[self.role] += 1
        self.log_in()

    def log_in(self) -> None:
        with self.client.get(LOGIN_PATH, name=LOGIN_PATH, catch_response=True) as response:
            token = _CSRF.search(response.text or "")
            if response.status_code != 200 or token is None:
                response.failure("no login form")
                return
        self._take(response.text)
        data = {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]}
        with self.client.post(
            LOGIN_PATH, data=data, name=LOGIN_PATH, catch_response=True
        ) as response:
            if response.status_code != 200 or urlsplit(response.url).path != "/":
                response.failure(f"{self.username} could not log in")
                return
        self._learn("/", response.text)

    def open(self, page: str) -> None:
        """One click: the page itself, or the next page on the way to it."""
        self.get(step_towards(page, self.pages, self.known, self.visited))

    def get(self, path: str) -> None:
        if _closing or time.monotonic() - _STARTED > LAST_PAGE_AT:
            raise StopUser()
        NOTE_READS.start("GET", path)
        with self.client.get(path, name=name_of(path), catch_response=True) as response:
            if response.status_code != 200:
                response.failure(_problem(response))
                return
            landed = urlsplit(response.url).path
            if landed != path:
                response.failure(f"sent on to {landed}")
                return
        if "html" in response.headers.get("Content-Type", ""):
            self._learn(path, response.text)

    def _learn(self, path: str, html: str) -> None:
        self.visited.add(page_of(path) or path)
        for page, links in links_in(html).items():
            self.known.setdefault(page, set()).update(links)
        self._take(html)

    def _take(self, html: str) -> None:
        """The page's style sheets and scripts, once per user: a browser caches them."""
        for asset in assets_in(html):
            if asset not in self.assets:
                self.assets.add(asset)
                self.client.get(asset, name=name_of(asset))


def _problem(response) -> str:
    """What went wrong: the HTTP status, or the connection error when there was no answer."""
    if response.status_code:
        return f"HTTP {response.status_code}"
    return f"no answer: {type(response.error).__name__}: {response.error}"


def _tasks(role: str) -> dict:
    def opener(page: str):
        def open_page(user: Visitor) -> None:
            user.open(page)

        open_page.__name__ = f"open_{page}"
        return open_page

    return {opener(page): weight for page, weight in MIX[role].pages.items()}


class PeerWorker(Visitor):
    role = "peer"
    weight = MIX[role].weight
    tasks = _tasks(role)


class Leader(Visitor):
    role = "leader"
    weight = MIX[role].weight
    tasks = _tasks(role)


class Mentor(Visitor):
    role = "mentor"
    weight = MIX[role].weight
    tasks = _tasks(role)


class CentreStaff(Visitor):
    role = "centre"
    weight = MIX[role].weight
    tasks = _tasks(role)


class Administrator(Visitor):
    role = "admin"
    weight = MIX[role].weight
    tasks = _tasks(role)
