"""The simulated users of `make loadtest` (run by locust; see bench/loadtest.py).

Each user logs in through the login form as one of the seeded logins of its role (the file
named by LOADTEST_LOGINS: `role,username` lines; the named demo logins without it), then
opens the pages of its role's mix, finding the pages with an id by following the links it is
shown, as a person clicks. It keeps no copy of the access rules, and any data set works.

locust keeps every figure; at the end this file lets locust write its CSV files once more,
complete, and sets the exit code from the thresholds (no failure, p95 under the target).
With LOADTEST_REQUESTS set (the two-server run, bench/servers.py) it also writes every
request to that CSV file: which user sent it, when it started and ended, and its failure.

With LOADTEST_LOGIN=sso a user whose login has a staff record logs in through the region's
login instead, as a browser follows it (bench/logins.py). For the morning peak
(LOADTEST_STAY) each user stays on the home page it logs in to, only the roles in
LOADTEST_ROLES take part, and every login is timed into the CSV file LOADTEST_LOGIN_TIMES.
"""

from __future__ import annotations

import csv
import itertools
import os
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import gevent  # type: ignore[import-untyped]
from locust import HttpUser, between, events
from locust.clients import ResponseContextManager
from locust.env import Environment
from locust.stats import CSV_STATS_INTERVAL_SEC

from bench.loadtest import (
    LOGIN_PATH,
    MIX,
    P95_TARGET_MS,
    assets_in,
    links_in,
    login_rows,
    name_of,
    page_of,
    sent_on,
    step_towards,
)
from bench.logins import (
    LOGIN_FIELDS,
    form_in,
    login_row,
    provider_answer,
    request_name,
    sso_link,
)
from bench.servers import REQUEST_FIELDS, request_row

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo")
# Think time between pages, in seconds (the tests shorten it).
THINK = tuple(float(s) for s in os.environ.get("LOADTEST_THINK", "1-3").split("-", 1))
# The p95 locust holds the run to (the tests lower it to see the threshold fail the run).
P95_MS = float(os.environ.get("LOADTEST_P95_MS", P95_TARGET_MS))
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# password, or sso: through the region's login where the login has a staff record.
LOGIN = os.environ.get("LOADTEST_LOGIN", "password")
# The morning peak: the roles that take part, and the users stay once logged in.
ROLES = os.environ.get("LOADTEST_ROLES", ",".join(MIX)).split(",")
STAY = bool(os.environ.get("LOADTEST_STAY"))
# Redirects and pages of one sign-on, at most: a loop is a failure, not a hang.
SIGN_ON_STEPS = 12


def _logins() -> dict[str, list[tuple[str, str]]]:
    """Per role, its (username, e-mail) logins; the e-mail empty without a staff record."""
    path = os.environ.get("LOADTEST_LOGINS")
    if not path:
        return {role: [(spec.login, "")] for role, spec in MIX.items()}
    logins: dict[str, list[tuple[str, str]]] = {}
    with open(path, encoding="utf-8") as f:
        for role, username, email in login_rows(f.read()):
            logins.setdefault(role, []).append((username, email))
    return logins


LOGINS = _logins()
_numbers = {role: itertools.count() for role in MIX}


def _record_requests(path: str) -> None:
    # Line-buffered: the run reads the file while locust writes it (the first request starts
    # the clock of the stop), and every line is complete when locust ends.
    out = open(path, "w", newline="", encoding="utf-8", buffering=1)  # noqa: SIM115 - whole run
    writer = csv.writer(out)
    writer.writerow(REQUEST_FIELDS)

    @events.request.add_listener
    def _record(
        request_type: str,
        name: str,
        response_time: float,
        context: dict[str, Any],
        exception: BaseException | None,
        start_time: float,
        **_kwargs: Any,
    ) -> None:
        writer.writerow(
            request_row(
                user=context.get("user", ""),
                method=request_type,
                name=name,
                start=start_time,
                milliseconds=response_time,
                error=exception,
            )
        )


if os.environ.get("LOADTEST_REQUESTS"):
    _record_requests(os.environ["LOADTEST_REQUESTS"])


def _login_times() -> Callable[..., None]:
    """Writes one line per login to LOADTEST_LOGIN_TIMES (nothing without it)."""
    path = os.environ.get("LOADTEST_LOGIN_TIMES")
    if not path:
        return lambda **_row: None
    out = open(path, "w", newline="", encoding="utf-8", buffering=1)  # noqa: SIM115 - whole run
    writer = csv.writer(out)
    writer.writerow(LOGIN_FIELDS)
    return lambda **row: writer.writerow(login_row(**row))


_write_login = _login_times()


@events.quitting.add_listener
def _thresholds(environment: Environment, **_kwargs: Any) -> None:
    # The users have stopped; locust's CSV writer runs once a second until the process ends,
    # so one more pass of it holds the last requests too.
    gevent.sleep(CSV_STATS_INTERVAL_SEC + 0.5)
    total = environment.stats.total
    if (
        not total.num_requests
        or total.num_failures
        or total.get_response_time_percentile(0.95) >= P95_MS
    ):
        environment.process_exit_code = 1


class Visitor(HttpUser):
    abstract = True
    role = ""
    wait_time = between(THINK[0], THINK[-1])

    def on_start(self) -> None:
        logins = LOGINS[self.role]
        number = next(_numbers[self.role])
        self.username, self.email = logins[number % len(logins)]
        # Users of a role share the named demo logins: each still has a session of its own.
        self.ident = f"{self.role}#{number + 1}"
        self.pages = set(MIX[self.role].pages)
        self.known: dict[str, set[str]] = {}
        self.visited: set[str] = set()
        self.assets: set[str] = set()
        self.log_in()

    def context(self) -> dict[str, Any]:
        """Names the user on each of its requests (the request event's context)."""
        return {"user": getattr(self, "ident", "")}

    def log_in(self) -> None:
        if LOGIN == "sso" and self.email:
            self.sign_on()
        else:
            self.password_log_in()

    def password_log_in(self) -> None:
        with self.client.get(LOGIN_PATH, name=LOGIN_PATH, catch_response=True) as response:
            token = _CSRF.search(response.text or "")
            if response.status_code != 200 or token is None:
                response.failure("no login form")
                self._timed("password", time.time(), "no login form")
                return
        self._take(response.text)
        data = {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]}
        started = time.time()
        with self.client.post(
            LOGIN_PATH, data=data, name=LOGIN_PATH, catch_response=True
        ) as response:
            if response.status_code != 200 or urlsplit(response.url).path != "/":
                self._timed("password", started, f"{self.username} could not log in")
                response.failure(f"{self.username} could not log in")
                return
        self._timed("password", started)
        self._learn("/", response.text)

    def sign_on(self) -> None:
        """The region's login as a person clicks through it: the login page's button, the
        provider's sign-in form and consent page, back through the callback to the home
        page. Each redirect is a request of its own, named by request_name()."""
        with self.client.get(LOGIN_PATH, name=LOGIN_PATH, catch_response=True) as response:
            link = sso_link(response.text or "")
            if response.status_code != 200 or link is None:
                response.failure("no button for the region's login")
                self._timed("sso", time.time(), "no button for the region's login")
                return
        self._take(response.text)
        started = time.time()
        method, url, data = "GET", urljoin(response.url, link), None
        for _step in range(SIGN_ON_STEPS):
            with self._request(method, url, data) as answer:
                location = answer.headers.get("Location") if answer.is_redirect else None
                if location:
                    # 302 and 303 alike: the browser GETs the next address.
                    method, url, data = "GET", urljoin(url, location), None
                    continue
                error = self._sign_on_error(answer)
                if error:
                    answer.failure(error)
                    self._timed("sso", started, error)
                    return
                if request_name(url, self.host or "") == "/":
                    self._timed("sso", started)
                    self._learn("/", answer.text)
                    return
                form = form_in(answer.text or "")
                data = provider_answer(form, self.username) if form else None
                if form is None or data is None:
                    answer.failure(f"no sign-in form on {request_name(url, self.host or '')}")
                    self._timed("sso", started, "no sign-in form")
                    return
                method, url = "POST", urljoin(url, form.action)
        self._timed("sso", started, f"no home page after {SIGN_ON_STEPS} steps")

    def _request(
        self, method: str, url: str, data: dict[str, str] | None
    ) -> ResponseContextManager:
        return self.client.request(
            method,
            url,
            data=data,
            name=request_name(url, self.host or "", data),
            allow_redirects=False,
            catch_response=True,
        )

    def _sign_on_error(self, response: ResponseContextManager) -> str | None:
        """Why a page of the sign-on is not the next step: an error, or a page of ours other
        than the home page (the page saying the sign-on was refused, the login page)."""
        if response.status_code != 200:
            return (
                f"HTTP {response.status_code}"
                if response.status_code
                else f"no answer: {response.error!r}"
            )
        name = request_name(response.url or "", self.host or "")
        if not name.startswith("OP ") and name != "/":
            return f"{self.username} could not sign on: {sent_on(urlsplit(response.url).path)}"
        return None

    def _timed(self, login: str, started: float, error: str = "") -> None:
        """The login from the click to the home page (or its failure), for the morning peak."""
        _write_login(user=self.ident, login=login, start=started, end=time.time(), error=error)

    def open(self, page: str) -> None:
        """One click: the page itself, or the next page on the way to it."""
        path = step_towards(page, self.pages, self.known, self.visited)
        with self.client.get(path, name=name_of(path), catch_response=True) as response:
            if response.status_code != 200:
                response.failure(
                    f"HTTP {response.status_code}"
                    if response.status_code
                    else f"no answer: {response.error!r}"
                )
                return
            if urlsplit(response.url).path != path:
                response.failure(sent_on(urlsplit(response.url).path))
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


def _stay(user: Visitor) -> None:
    """The morning peak: logged in, the person reads the home page."""


def _tasks(role: str) -> Any:  # a dict of weights, which locust takes (its annotation: list)
    if STAY:
        return {_stay: 1}

    def opener(page: str) -> Callable[[Visitor], None]:
        def open_page(user: Visitor) -> None:
            user.open(page)

        open_page.__name__ = f"open_{page}"
        return open_page

    return {opener(page): weight for page, weight in MIX[role].pages.items()}


class PeerWorker(Visitor):
    role = "peer"
    abstract = role not in ROLES
    weight = MIX[role].weight
    tasks = _tasks(role)


class Leader(Visitor):
    role = "leader"
    abstract = role not in ROLES
    weight = MIX[role].weight
    tasks = _tasks(role)


class Mentor(Visitor):
    role = "mentor"
    abstract = role not in ROLES
    weight = MIX[role].weight
    tasks = _tasks(role)


class CentreStaff(Visitor):
    role = "centre"
    abstract = role not in ROLES
    weight = MIX[role].weight
    tasks = _tasks(role)


class Administrator(Visitor):
    role = "admin"
    abstract = role not in ROLES
    weight = MIX[role].weight
    tasks = _tasks(role)
