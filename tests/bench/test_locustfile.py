"""The load test's mix (bench/loadtest.py, used by bench/locustfile.py): which pages each role
opens, how it finds them by following links, and the note-read accounting behind the
access-log check. The last test runs the locustfile itself against the live server."""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from bench.loadtest import (
    MIX,
    PAGES,
    AccessCheck,
    NoteReads,
    Row,
    access_check,
    assets_in,
    last_page_at,
    links_in,
    logins_for,
    name_of,
    outcome,
    page_of,
    parse_duration,
    percentile,
    steady,
    step_towards,
    verdict,
)
from journal.models import NoteAccess
from tests.peerprogram.test_permissions import MATRIX, Objects

BASE_DIR = Path(__file__).resolve().parents[2]

# The URL name behind each page of the mix.
URL_NAMES = {
    "home": "peerprogram:home",
    "caseload": "journal:caseload",
    "patient": "journal:patient_detail",
    "note": "journal:note_detail",
    "statistics": "journal:statistics",
    "calendar": "education:calendar",
    "unit_list": "peerprogram:unit_list",
    "unit": "peerprogram:unit_detail",
    "staff_list": "peerprogram:staff_list",
    "peer_list": "peerprogram:peer_list",
    "peer": "peerprogram:peer_detail",
    "checklist_list": "recruitment:checklist_overview",
    "checklist": "recruitment:checklist",
    "onboarding_pdf": "recruitment:onboarding_pdf",
    "vacancy_list": "recruitment:vacancy_list",
    "mentoring": "mentoring:overview",
    "mentorship": "mentoring:mentorship_detail",
    "checkin": "mentoring:checkin_log",
    "cohort_list": "education:cohort_list",
    "cohort": "education:cohort_detail",
    "admin": "admin:index",
}


def first(links: list[str]) -> str:
    return links[0]


def test_every_page_of_the_mix_has_its_url_name():
    assert set(URL_NAMES) == set(PAGES)
    assert {page for role in MIX.values() for page in role.pages} <= set(PAGES)


@pytest.mark.django_db
def test_each_url_of_the_project_is_the_page_of_the_mix_it_should_be_and_no_other(cast):
    """Matched against every URL of the permission matrix: the note page pattern takes the
    note page only, not its versions, copy, PDF or co-writing screens."""
    objects = Objects(cast)
    found = {}
    for name, kwargs, _method, _expected in MATRIX:
        page = page_of(reverse(name, kwargs=kwargs(objects)))
        if page is not None:
            found[name] = page
    found["admin:index"] = page_of(reverse("admin:index"))
    assert found == {url_name: page for page, url_name in URL_NAMES.items()}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(MIX))
def test_each_role_reaches_every_page_of_its_mix_by_links_and_only_the_note_page_logs_a_read(
    cast, client_for, role
):
    """What a simulated user does, with the test client: from its home page it clicks
    towards each page of its mix. Every page it opens answers 200 to its role, and writes
    exactly one access-log row when it is the note page, none otherwise."""
    Objects(cast)
    client = client_for(role)
    pages = set(MIX[role].pages)
    known: dict[str, set[str]] = {}
    visited: set[str] = set()
    for target in MIX[role].pages:
        opened = []
        while target not in opened and len(opened) < 6:
            path = step_towards(target, pages, known, visited, pick=first)
            rows = NoteAccess.objects.count()
            response = client.get(path)
            assert response.status_code == 200, path
            page = page_of(path)
            assert NoteAccess.objects.count() - rows == (1 if page == "note" else 0), path
            opened.append(page)
            visited.add(page)
            if response["Content-Type"].startswith("text/html"):
                for name, links in links_in(response.content.decode()).items():
                    known.setdefault(name, set()).update(links)
        assert target in opened, f"{role} did not find {target} (opened {opened})"


def test_links_are_taken_by_page_and_only_plain_links_to_pages_of_the_mix():
    html = """
      <a href="/journal/notes/5/">note</a> <a href="/journal/notes/5/write/">write</a>
      <a href="/journal/notes/5/versions/1/">v1</a> <a href="/journal/notes/6/note.pdf">pdf</a>
      <a href="/units/7/?tab=staff">unit with a query</a> <a href="/units/8/">unit</a>
      <a href="/journal/patients/9/notes/new/">new note</a> <a href="/journal/patients/9/">p</a>
      <a href="https://example.org/units/3/">elsewhere</a>
    """
    assert links_in(html) == {
        "note": {"/journal/notes/5/"},
        "unit": {"/units/8/"},
        "patient": {"/journal/patients/9/"},
    }


def test_the_assets_of_a_page_are_its_static_style_sheets_and_scripts_once_each():
    html = """<link rel="stylesheet" href="/static/css/a.1f.css">
      <script src="/static/js/b.2e.js"></script><link href="/static/css/a.1f.css">
      <a href="/units/">units</a><img src="https://example.org/x.png">"""
    assert assets_in(html) == ["/static/css/a.1f.css", "/static/js/b.2e.js"]


def test_requests_are_reported_under_the_page_path_with_id():
    assert name_of("/journal/notes/1234/") == "/journal/notes/[id]/"
    assert name_of("/recruitment/checklists/3/onboarding.pdf") == (
        "/recruitment/checklists/[id]/onboarding.pdf"
    )
    assert name_of("/static/vendor/bootstrap.min.4a5b.css") == "/static/[asset]"
    assert name_of("/accounts/login/") == "/accounts/login/"


def test_a_user_clicks_from_the_caseload_through_a_patient_to_a_note():
    pages = set(MIX["peer"].pages)
    known: dict[str, set[str]] = {}
    visited: set[str] = set()
    assert step_towards("note", pages, known, visited, first) == "/journal/"
    visited.add("caseload")
    known["patient"] = {"/journal/patients/4/", "/journal/patients/2/"}
    assert step_towards("note", pages, known, visited, first) == "/journal/patients/2/"
    known["note"] = {"/journal/notes/8/"}
    assert step_towards("note", pages, known, visited, first) == "/journal/notes/8/"


def test_a_user_looks_on_a_page_it_has_not_looked_at_yet_and_only_on_its_own_roles_pages():
    leader = set(MIX["leader"].pages)
    assert step_towards("checklist", leader, {}, set(), first) == "/"
    assert step_towards("checklist", leader, {}, {"home"}, first) == "/recruitment/checklists/"
    # Looked everywhere and found nothing: home again.
    assert step_towards("checklist", leader, {}, {"home", "checklist_list"}, first) == "/"
    # A peer worker's page is found on the peer list too, but that is not a mentor's page.
    mentor = set(MIX["mentor"].pages)
    known = {"mentorship": {"/mentoring/mentorships/3/"}}
    assert step_towards("peer", mentor, known, {"home"}, first) == "/mentoring/mentorships/3/"
    assert step_towards("peer", mentor, known, {"home", "mentorship"}, first) == "/"


def test_numbered_logins_are_used_in_number_order_and_the_named_login_without_them():
    usernames = ["peer", "peer2", "peer-10", "peer-2", "peer-1", "peer-x", "leder", "center-1"]
    assert logins_for("peer", usernames) == ["peer-1", "peer-2", "peer-10"]
    assert logins_for("leader", usernames) == ["leder"]
    assert logins_for("centre", usernames) == ["center-1"]
    assert logins_for("admin", usernames) == ["admin"]


def test_a_note_read_is_a_get_of_the_note_page_that_the_page_answered_itself():
    reads = NoteReads()
    note = "http://127.0.0.1:8000/journal/notes/12/"
    for url in [note, "/journal/notes/12/versions/1/", "/journal/notes/12/write/", "/"]:
        reads.start("GET", url)
        reads.record("GET", url, 200, redirected=False)
    reads.start("GET", note)
    reads.record("GET", note, 200, redirected=True)  # sent to the login page: no view ran
    reads.start("GET", note)
    reads.record("GET", note, 404, redirected=False)
    reads.record("POST", note, 200, redirected=False)
    assert reads.as_dict() == {"started": 3, "reads": 1, "uncertain": 0, "other": 2}
    assert reads.interrupted == 0


def test_server_errors_and_requests_stopped_midway_make_the_count_uncertain():
    reads = NoteReads()
    for status in (500, 0):
        reads.start("GET", "/journal/notes/3/")
        reads.record("GET", "/journal/notes/3/", status, redirected=False)
    reads.start("GET", "/journal/notes/3/")
    assert (reads.uncertain, reads.interrupted) == (2, 1)


def test_the_access_log_check_wants_one_row_per_read_exactly():
    reads = NoteReads(started=40, reads=40)
    assert access_check(100, 140, reads) == AccessCheck(
        True, "40 access-log rows for 40 note reads"
    )
    assert access_check(100, 141, reads) == AccessCheck(
        False, "41 access-log rows for 40 note reads"
    )
    assert access_check(100, 139, reads).ok is False


def test_the_access_log_check_fails_when_a_read_cannot_be_accounted_for():
    stopped = access_check(0, 40, NoteReads(started=41, reads=40))
    assert stopped == AccessCheck(
        False,
        "1 note reads were stopped mid-request: 40 rows for 40 reads cannot be checked exactly",
    )
    failed = access_check(0, 41, NoteReads(started=41, reads=40, uncertain=1))
    assert failed == AccessCheck(
        False,
        "1 note reads ended in a server error or no answer: "
        "41 rows for 40 reads cannot be checked exactly",
    )


def _row(**changes) -> Row:
    values = {"method": "", "name": "Aggregated", "requests": 3000, "failures": 0, "rps": 25.0}
    return Row(**{**values, "p50": 40, "p95": 200, "p99": 600, "max": 2000, **changes})


def test_the_targets_are_no_errors_p95_under_250_ms_and_the_access_log_exact():
    exact = AccessCheck(True, "")
    assert verdict(_row(), exact, 0).ok is True
    assert verdict(_row(p95=250), exact, 0).p95 is False
    assert verdict(_row(failures=1), exact, 0).errors is False
    assert verdict(_row(), exact, other_errors=1).errors is False
    assert verdict(_row(requests=0), exact, 0).errors is False
    assert verdict(_row(), AccessCheck(False, ""), 0).ok is False


def test_the_outcome_reads_the_results_the_locustfile_writes():
    results = {
        "stats": [
            asdict(_row(method="GET", name="/journal/notes/[id]/", requests=10, failures=1)),
            asdict(_row(requests=30, failures=1, rps=3.0, p95=100)),
        ],
        "errors": [{"method": "GET", "name": "/", "error": "HTTP 500", "count": 1}],
        "exceptions": 2,
        "note_reads": {"started": 10, "reads": 9, "uncertain": 0, "other": 1},
        "users": {"peer": 1},
    }
    out = outcome(results, before=5, after=14, server_errors=1)
    assert out.total == _row(requests=30, failures=1, rps=3.0, p95=100)
    assert out.check == AccessCheck(True, "9 access-log rows for 9 note reads")
    assert out.errors == [
        "GET /: HTTP 500 (1x)",
        "2 exceptions in the simulated users (locust.log)",
        "1 errors in gunicorn's log (gunicorn.log)",
    ]
    assert (out.other_errors, out.result.errors, out.result.p95) == (3, False, True)


def test_percentiles_are_nearest_rank():
    times = [float(t) for t in range(100, 0, -1)]
    assert (percentile(times, 0.5), percentile(times, 0.95), percentile(times, 0.99)) == (
        50.0,
        95.0,
        99.0,
    )
    assert percentile([20.0, 10.0], 0.5) == 10.0
    assert percentile([], 0.95) == 0.0


def test_the_figures_after_the_last_login_leave_out_what_started_before_it_answered():
    login = "/accounts/login/"
    requests = [
        (100.0, 50, "GET", login, True),
        (100.1, 3000, "POST", login, True),  # the last login answers at 103.1
        (101.0, 900, "GET", "/", True),
        (103.2, 40, "GET", "/", True),
        (104.0, 60, "GET", "/journal/", False),
        (104.5, 20, "GET", "/static/[asset]", True),
    ]
    seconds, row = steady({"requests": requests})
    assert seconds == pytest.approx(3.1)
    assert (row.requests, row.failures, row.p50, row.p95, row.max) == (3, 1, 40, 60, 60)
    assert row.rps == pytest.approx(3 / 1.42)
    assert steady({"requests": requests[:3]}) is None
    assert steady({"requests": []}) is None


@pytest.mark.parametrize(
    ("text", "seconds"), [("2m", 120), ("90s", 90), ("1m30s", 90), ("120", 120), ("1h", 3600)]
)
def test_durations_are_read_like_locusts_run_time(text, seconds):
    assert parse_duration(text) == seconds


def test_the_users_open_their_last_page_seconds_before_locust_stops_them():
    assert [last_page_at(d) for d in (120, 20, 8, 2)] == [115, 15, 6, 2]


@pytest.mark.parametrize("text", ["", "0", "0s", "two minutes", "2x"])
def test_a_duration_that_is_not_one_is_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        parse_duration(text)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    importlib.util.find_spec("locust") is None, reason="locust comes with make bench-deps"
)
@pytest.mark.skipif(
    "sqlite" in settings.DATABASES["default"]["ENGINE"],
    reason="the live server shares one SQLite connection between its threads: concurrent "
    "users lock each other out; run on PostgreSQL (DATABASE_URL)",
)
def test_the_locustfile_logs_in_every_user_and_its_note_reads_match_the_access_log(
    live_server, tmp_path
):
    """locust itself, against the live server on the demo data with the named logins:
    short think times so the users get to their notes in a few seconds."""
    call_command("seed_demo", force=True, verbosity=0)
    results = tmp_path / "results.json"
    rows = NoteAccess.objects.count()
    env = {
        **os.environ,
        "LOADTEST_RESULTS": str(results),
        "LOADTEST_THINK": "0.05-0.2",
        "LOADTEST_LAST_PAGE_AT": "6",  # 2 s before the run time ends
    }
    env.pop("LOADTEST_LOGINS", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(BASE_DIR / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            "5",
            "--spawn-rate",
            "5",
            "--run-time",
            "8s",
            "--stop-timeout",
            "10",
            "--host",
            live_server.url,
            "--only-summary",
        ],  # fmt: skip
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(results.read_text())
    out = outcome(data, before=rows, after=NoteAccess.objects.count(), server_errors=0)
    assert (out.total.failures, out.errors) == (0, [])
    assert sum(data["users"].values()) == 5
    logins = [r for r in out.rows if r.name == "/accounts/login/"]
    assert sorted((r.method, r.requests) for r in logins) == [("GET", 5), ("POST", 5)]
    assert data["note_reads"]["reads"] > 0
    assert out.check.ok, out.check.text
