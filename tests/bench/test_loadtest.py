"""The load test (bench/loadtest.py, bench/locustfile.py): which pages each role opens, how it
finds them by following links, and what is read from locust's CSV files. The last test runs
locust itself on the locustfile against the live server and reads the CSV files it wrote."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from bench.loadtest import (
    LOGIN_PATH,
    MIX,
    PAGES,
    access_check,
    assets_in,
    links_in,
    logins_for,
    name_of,
    page_of,
    read_csv,
    server_errors,
    step_towards,
    table,
)
from bench.servers import read_requests
from journal.models import NoteAccess
from tests.bench.conftest import locust_on_postgres
from tests.peerprogram.test_permissions import MATRIX
from tests.peerprogram.world import Objects

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


def _stats_row(name, requests, failures, p95="40", method="GET"):
    return {
        "Type": method,
        "Name": name,
        "Request Count": str(requests),
        "Failure Count": str(failures),
        "50%": "20",
        "95%": p95,
        "99%": "90",
        "Max Response Time": "120.5",
    }


def test_the_access_log_check_wants_one_row_per_note_page_answered():
    stats = [_stats_row("/journal/notes/[id]/", 40, 0), _stats_row("/", 90, 0)]

    assert access_check(40, stats) == (True, "40 access-log rows for 40 note reads")
    assert access_check(41, stats) == (False, "41 access-log rows for 40 note reads")
    assert access_check(0, [_stats_row("/", 3, 0)]) == (True, "0 access-log rows for 0 note reads")


def test_the_access_log_check_fails_when_a_note_read_failed():
    """A failed note page (a server error, a redirect) may or may not have written its row."""
    stats = [_stats_row("/journal/notes/[id]/", 41, 1)]

    assert access_check(40, stats) == (
        False,
        "1 note reads failed: 40 rows for 40 reads is not exact",
    )


def test_the_table_lists_the_slowest_pages_first_and_all_requests_last():
    stats = [
        _stats_row("Aggregated", 130, 1, p95="60", method=""),
        _stats_row("/", 90, 0, p95="40"),
        _stats_row("/journal/", 40, 1, p95="80"),
    ]

    assert table(stats).splitlines()[2:] == [
        "| GET `/journal/` | 40 | 1 | 20 | 80 | 90 | 120 |",
        "| GET `/` | 90 | 0 | 20 | 40 | 90 | 120 |",
        "| **All requests** | 130 | 1 | 20 | 60 | 90 | 120 |",
    ]


def test_errors_in_gunicorns_log_are_counted(tmp_path):
    log = tmp_path / "gunicorn.log"
    log.write_text(
        "[2026-01-01 10:00:00 +0000] [1] [INFO] Booting worker\n"
        "[2026-01-01 10:00:01 +0000] [1] [ERROR] Error handling request /\n"
        "Traceback (most recent call last):\n"
        "[2026-01-01 10:00:02 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:2)\n"
    )

    assert server_errors(log) == 3
    assert server_errors(tmp_path / "absent.log") == 0


def _locust(url, prefix, *, users, run_time, env=None):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(BASE_DIR / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            run_time,
            "--stop-timeout",
            "10",
            "--host",
            url,
            "--csv",
            str(prefix),
            "--only-summary",
        ],  # fmt: skip
        cwd=BASE_DIR,
        env={**os.environ, "LOADTEST_THINK": "0.05-0.2", **(env or {})},
        capture_output=True,
        text=True,
        timeout=90,
    )


@pytest.mark.django_db(transaction=True)
@locust_on_postgres
def test_locust_runs_the_mix_and_its_csv_files_match_the_access_log_and_the_thresholds(
    live_server, tmp_path
):
    """locust itself, against the live server on the demo data with the named logins: short
    think times so the users get to their notes in a few seconds. It also writes every
    request with its user and times (what the two-server run classifies)."""
    call_command("seed_demo", force=True, verbosity=0)
    rows = NoteAccess.objects.count()

    # The test's live server is one process beside the test run: held to a p95 it can meet.
    lenient = {"LOADTEST_P95_MS": "60000", "LOADTEST_REQUESTS": str(tmp_path / "requests.csv")}
    started = time.time()
    done = _locust(live_server.url, tmp_path / "stats", users=5, run_time="8s", env=lenient)

    assert done.returncode == 0, done.stdout + done.stderr
    stats = read_csv(tmp_path / "stats", "stats")
    logins = sorted((r["Type"], r["Request Count"]) for r in stats if r["Name"] == LOGIN_PATH)
    assert logins == [("GET", "5"), ("POST", "5")]
    assert (
        read_csv(tmp_path / "stats", "failures"),
        read_csv(tmp_path / "stats", "exceptions"),
    ) == (
        [],
        [],
    )
    ok, text = access_check(NoteAccess.objects.count() - rows, stats)
    assert ok, text
    note = next(r for r in stats if r["Name"] == PAGES["note"].path)
    assert int(note["Request Count"]) > 0
    assert table(stats).splitlines()[-1].startswith("| **All requests** | ")

    recorded = read_requests(tmp_path / "requests.csv")
    total = next(r for r in stats if r["Name"] == "Aggregated")
    assert len(recorded) == int(total["Request Count"])
    assert [r for r in recorded if r.error] == []
    assert all(started < r.start < r.end < time.time() for r in recorded)
    # Five users, each its own session: one login each, under its own name.
    logins = sorted(r.user for r in recorded if r.method == "POST" and r.name == LOGIN_PATH)
    assert len(set(logins)) == 5
    assert {r.user for r in recorded} == set(logins)

    # The same users held to a p95 no page can meet: locust's exit code says so.
    strict = _locust(
        live_server.url,
        tmp_path / "strict",
        users=1,
        run_time="3s",
        env={"LOADTEST_P95_MS": "0.01"},
    )
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert read_csv(tmp_path / "strict", "failures") == []
