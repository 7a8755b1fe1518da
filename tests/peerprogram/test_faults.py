"""Faults, on the engine the suite runs on (SQLite or PostgreSQL): a database that cannot
be reached, a kept connection that the database dropped, and an import killed midway.
"""

import contextlib
import json
import os
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client, RequestFactory

from peerprogram.views import server_error

ROOT = Path(__file__).resolve().parents[2]

# The database is unreachable ------------------------------------------------------------


@contextlib.contextmanager
def _suite_connection_restored():
    """Whatever the test does to the connection, the rest of the suite gets it back."""
    connection.ensure_connection()
    original = dict(connection.settings_dict)
    # SQLite: the test database lives in memory and is gone when its last connection
    # closes, so that connection is kept aside while the application reconnects by itself.
    kept = connection.connection if connection.vendor == "sqlite" else None
    try:
        yield
    finally:
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
        if kept is None:
            connection.close()
        elif connection.connection is None:
            connection.connection = kept
        elif connection.connection is not kept:
            kept.close()  # the application's new connection holds the database now


@pytest.fixture
def unreachable():
    """A block in which the database cannot be reached, as when its server is down.

    SQLite: a file in a directory that does not exist. PostgreSQL: a port nobody listens on.
    """
    with _suite_connection_restored():

        @contextlib.contextmanager
        def database_down():
            before = dict(connection.settings_dict)
            if connection.vendor == "sqlite":
                connection.connection = None  # kept aside by _suite_connection_restored
                missing = Path(tempfile.gettempdir()) / "peerprogram-no-such-dir" / "x.sqlite3"
                connection.settings_dict["NAME"] = str(missing)
            else:
                connection.close()
                connection.settings_dict["PORT"] = _closed_port()
            try:
                yield
            finally:
                connection.settings_dict.clear()
                connection.settings_dict.update(before)

        yield database_down


def _closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])  # and closed again: nobody listens there


def wsgi_get(path: str, cookies: dict[str, str]) -> tuple[int, dict[str, str], str]:
    """GET a page the way the WSGI server does: Django's handler, with the signals at the
    start and end of a request that close broken and expired database connections (the
    test client leaves those out)."""
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    environ = RequestFactory().get(path, HTTP_COOKIE=cookie).environ
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=int(status.split()[0]), headers=dict(headers))

    result = WSGIHandler()(environ, start_response)
    try:
        body = b"".join(result).decode()
    finally:
        result.close()  # as the server does when the response is sent: request_finished
    return started["status"], started["headers"], body


@pytest.fixture
def leader_cookies(client, cast):
    client.force_login(cast.leader.user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


UNITS = "/units/?page=2"
DANISH_PAGE = [
    '<html lang="da">',
    "<title>Peerprogram er ikke tilgængeligt lige nu · Peerprogram</title>",
    "<h1>Peerprogram er ikke tilgængeligt lige nu</h1>",
    "Peerprogram kan ikke få kontakt til sin database lige nu, så siden kunne ikke vises. "
    "Det, du lige har gjort, er måske ikke blevet gemt.",
    f'<a href="{UNITS}">Prøv igen</a>',
    '<a href="/">Gå til forsiden</a>',
    '<link rel="stylesheet" href="/static/css/peerprogram.css">',
]
# What a page with a stack trace or the driver's error would show.
LEAKS = ["Traceback", "OperationalError", "unable to open", "refused", "no-such-dir", "5432"]


@pytest.mark.django_db(transaction=True)
def test_a_lost_database_gives_a_danish_503_page_and_the_site_recovers_by_itself(
    unreachable, leader_cookies
):
    status, _headers, body = wsgi_get(UNITS, leader_cookies)
    assert (status, "F-ACT Øst" in body) == (200, True)

    with unreachable():
        status, headers, body = wsgi_get(UNITS, leader_cookies)
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert [text for text in DANISH_PAGE if text not in body] == []
        assert [leak for leak in LEAKS if leak in body] == []
        # The page headers are on the error page too.
        assert "no-store" in headers["Cache-Control"]
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        # Every page, not only the first one asked for.
        assert wsgi_get("/", leader_cookies)[0] == 503

    # The database is back: the same page, with no restart and nothing else done.
    status, _headers, body = wsgi_get(UNITS, leader_cookies)
    assert (status, "F-ACT Øst" in body) == (200, True)


@pytest.mark.django_db(transaction=True)
def test_the_503_page_is_in_english_when_the_user_chose_english(unreachable, leader_cookies):
    with unreachable():
        status, headers, body = wsgi_get(
            UNITS, {**leader_cookies, settings.LANGUAGE_COOKIE_NAME: "en"}
        )
    assert (status, headers["Retry-After"]) == (503, "30")
    assert '<html lang="en">' in body
    assert "<h1>Peerprogram is not available right now</h1>" in body
    assert "Peerprogram cannot reach its database at the moment" in body


@pytest.mark.django_db(transaction=True)
def test_logging_in_while_the_database_is_lost_gives_the_503_page(unreachable):
    client = Client(raise_request_exception=False)
    with unreachable():
        response = client.post("/accounts/login/", {"username": "leader", "password": "x"})
    assert response.status_code == 503
    assert "<h1>Peerprogram er ikke tilgængeligt lige nu</h1>" in response.content.decode()


def test_an_error_raised_from_a_database_error_also_gives_the_503_page(rf):
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as exc:
            raise RuntimeError("the page could not be built") from exc
    except RuntimeError:
        response = server_error(rf.get("/"))
    assert (response.status_code, response["Retry-After"]) == (503, "30")


def test_any_other_error_keeps_the_500_page(rf):
    try:
        raise ZeroDivisionError("a bug, not the database")
    except ZeroDivisionError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Retry-After" not in response
    body = response.content.decode()
    assert "<h1>Der skete en fejl</h1>" in body
    assert '<link rel="stylesheet" href="/static/css/peerprogram.css">' in body


# A kept connection that the database dropped ---------------------------------------------


@contextlib.contextmanager
def _postgres_admin():
    """A connection of its own to the server's maintenance database, outside Django."""
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        user=s["USER"] or None,
        password=s["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        yield admin


@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_the_database_dropped_is_replaced_before_a_page_fails(
    leader_cookies,
):
    if connection.vendor != "postgresql":
        pytest.skip("only a database server drops connections")
    with _suite_connection_restored():
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = 60  # production's default (settings.py)
        assert wsgi_get(UNITS, leader_cookies)[0] == 200
        first = connection.connection.info.backend_pid
        assert wsgi_get(UNITS, leader_cookies)[0] == 200
        assert connection.connection.info.backend_pid == first  # kept between requests

        with _postgres_admin() as admin:  # what a restart of the server does to it
            ended = admin.execute("SELECT pg_terminate_backend(%s, 10000)", [first]).fetchone()
        assert ended == (True,)

        status, _headers, body = wsgi_get(UNITS, leader_cookies)
        assert (status, "F-ACT Øst" in body) == (200, True)
        assert connection.connection.info.backend_pid != first


# An import killed midway -----------------------------------------------------------------

ROWS = 1_000
# Rows written inside the transaction before the child says so; a whole number of the
# import's batches, so the count the child reads is exactly this.
SIGNAL_AT = 300

# Run in a child process with DATABASE_URL set to a database of the test's own.
CHILD = r"""
import json, sys
import django
django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
from peerprogram.imports import read_dataset, run_import
from peerprogram.models import AuditEvent, StaffMember, Unit
from peerprogram.resources import StaffResource

mode, path, signal_at = sys.argv[1], sys.argv[2], int(sys.argv[3])


def counts():
    return {
        "staff": StaffMember.objects.filter(email__endswith="@kill.example").count(),
        "audit": AuditEvent.objects.filter(action="staff_import").count(),
    }


class Watched(StaffResource):
    written = 0

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if kwargs.get("dry_run"):
            return
        Watched.written += 1
        if Watched.written == signal_at:
            # Counted by the database, inside the import's transaction.
            print("written", counts()["staff"], counts()["audit"], flush=True)
            sys.stdin.read()  # and wait here, in the middle, to be killed


def import_file(resource):
    parsed = read_dataset(open(path, "rb").read(), "staff.csv")
    by = User.objects.get(username="importer")
    return run_import(resource=resource, parsed=parsed, dry_run=False, by=by, label="staff")


if mode == "prepare":
    call_command("migrate", verbosity=0)  # SQLite: a copy of the test database, migrated
    Unit.objects.create(name="F-ACT Øst", kind="fact", organisation="Region Nordjylland")
    User.objects.create_user("importer", is_superuser=True)
elif mode == "import":
    import_file(Watched())
    print("finished", flush=True)
elif mode == "check":
    before = counts()
    report = import_file(StaffResource())
    print(json.dumps({"before": before, "report": [report.ok, report.new], "after": counts()}))
"""


@pytest.fixture
def own_database(tmp_path, django_db_setup, django_db_blocker):
    """A database for the child processes, on the suite's engine, removed after."""
    if connection.vendor == "sqlite":
        # A copy of the test database (migrated, and empty outside a test): quicker than
        # migrating a new one.
        path = tmp_path / "import.sqlite3"
        copy = sqlite3.connect(path)
        with django_db_blocker.unblock():
            connection.ensure_connection()
            connection.connection.backup(copy)
        copy.close()
        yield f"sqlite:///{path}"
        return
    s = connection.settings_dict
    name = f"peerprogram_killed_import_{os.getpid()}"
    with _postgres_admin() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    login = quote(s["USER"]) + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    try:
        yield f"postgres://{login}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"
    finally:
        with _postgres_admin() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _child(mode: str, path: Path, url: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "peerprogram.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, str(path), str(SIGNAL_AT)],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **popen,
    )


def _run(mode: str, path: Path, url: str) -> str:
    child = _child(mode, path, url)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    return out


def _wait_for_line(child: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([child.stdout], [], [], 1.0)
        if ready:
            return child.stdout.readline().strip()
        if child.poll() is not None:
            break
    child.kill()
    raise AssertionError(f"the import never reported: {child.stderr.read()}")


def test_an_import_killed_midway_leaves_no_rows_and_the_database_imports_again(
    own_database, tmp_path
):
    csv = tmp_path / "staff.csv"
    lines = [f"Person {n},person{n}@kill.example,F-ACT Øst,nurse" for n in range(ROWS)]
    csv.write_text("name,email,unit,profession\n" + "\n".join(lines) + "\n", encoding="utf-8")
    _run("prepare", csv, own_database)

    child = _child("import", csv, own_database, stdin=subprocess.PIPE)
    try:
        line = _wait_for_line(child, timeout=120)
        # The rows and their audit rows are in the database, uncommitted.
        from peerprogram.resources import StaffResource

        assert SIGNAL_AT % StaffResource._meta.batch_size == 0
        assert line == f"written {SIGNAL_AT} {SIGNAL_AT}"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        child.stdin.close()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    result = json.loads(_run("check", csv, own_database))
    assert result == {
        "before": {"staff": 0, "audit": 0},
        "report": [True, ROWS],
        "after": {"staff": ROWS, "audit": ROWS},
    }
