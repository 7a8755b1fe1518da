"""The benchmark's bookkeeping: the report file, the arithmetic, the verdicts, the pages.

Nothing here measures or asserts a time: the benchmark prints times, tests check that it
counts, compares and writes them correctly.
"""

import json
import os
import platform
import sqlite3
import subprocess

import pytest
from django.test import Client

from bench import report, run
from peerprogram.imports import read_dataset, run_import
from peerprogram.models import StaffMember
from peerprogram.resources import StaffResource

HEADER_START = "# Performance\n"


@pytest.fixture
def performance_md(tmp_path, monkeypatch):
    path = tmp_path / "docs" / "performance.md"
    monkeypatch.setattr(report, "PERFORMANCE_MD", path)
    monkeypatch.setattr(report, "LOCK", tmp_path / "var" / "performance.md.lock")
    return path


# report.write_section ---------------------------------------------------------------------


def test_write_section_creates_the_file_with_a_header_and_the_marked_section(performance_md):
    report.write_section("bench-region", "| a | b |\n|---|---|")

    assert performance_md.read_text() == (
        report.HEADER
        + "\n<!-- bench:bench-region:start -->\n| a | b |\n|---|---|\n"
        + "<!-- bench:bench-region:end -->\n"
    )
    assert performance_md.read_text().startswith(HEADER_START)


def test_write_section_replaces_only_its_own_section(performance_md):
    performance_md.parent.mkdir()
    performance_md.write_text(
        "# Performance\n\nIntro.\n\n"
        "<!-- bench:bench-region:start -->\nold region\n<!-- bench:bench-region:end -->\n\n"
        "Between.\n\n"
        "<!-- bench:loadtest-region:start -->\nload test\n<!-- bench:loadtest-region:end -->\n"
        "Tail.\n"
    )

    report.write_section("bench-region", "new region\n")

    assert performance_md.read_text() == (
        "# Performance\n\nIntro.\n\n"
        "<!-- bench:bench-region:start -->\nnew region\n<!-- bench:bench-region:end -->\n\n"
        "Between.\n\n"
        "<!-- bench:loadtest-region:start -->\nload test\n<!-- bench:loadtest-region:end -->\n"
        "Tail.\n"
    )


def test_write_section_appends_a_section_that_is_not_there_yet(performance_md):
    performance_md.parent.mkdir()
    performance_md.write_text("# Performance\n\n<!-- bench:a:start -->\nA\n<!-- bench:a:end -->\n")

    report.write_section("b", "B")

    assert performance_md.read_text() == (
        "# Performance\n\n<!-- bench:a:start -->\nA\n<!-- bench:a:end -->\n\n"
        "<!-- bench:b:start -->\nB\n<!-- bench:b:end -->\n"
    )


def test_writing_the_same_section_twice_leaves_one_copy(performance_md):
    report.write_section("bench-nation", "first")
    report.write_section("bench-nation", "second")

    text = performance_md.read_text()
    assert text.count("<!-- bench:bench-nation:start -->") == 1
    assert "first" not in text
    assert "second" in text


def test_a_key_that_could_break_the_markers_is_refused(performance_md):
    with pytest.raises(ValueError, match="Section key 'bench region'"):
        report.write_section("bench region", "x")
    with pytest.raises(ValueError, match="Section key 'a:b'"):
        report.write_section("a:b", "x")
    assert not performance_md.exists()


def test_a_section_text_holding_a_marker_is_refused(performance_md):
    with pytest.raises(ValueError, match="must not contain a '<!-- bench:' marker"):
        report.write_section("a", "<!-- bench:b:start -->")


def test_a_start_marker_without_its_end_is_an_error_not_a_silent_rewrite(performance_md):
    performance_md.parent.mkdir()
    performance_md.write_text("# Performance\n\n<!-- bench:a:start -->\nA\n")

    with pytest.raises(ValueError, match="has no matching <!-- bench:a:end -->"):
        report.write_section("a", "B")
    assert performance_md.read_text() == "# Performance\n\n<!-- bench:a:start -->\nA\n"


# report.machine and report.commit ---------------------------------------------------------


def test_machine_names_cores_python_sqlite_and_the_postgresql_server(monkeypatch):
    monkeypatch.setattr(report, "postgres_version", lambda: "15.20")

    line = report.machine()

    assert f", {os.cpu_count()} cores, " in line
    assert f", Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, " in line
    assert line.endswith(", PostgreSQL 15.20")
    assert "\n" not in line


def test_machine_says_so_when_postgresql_is_not_reachable(monkeypatch):
    monkeypatch.setattr(report, "postgres_version", lambda: None)

    assert report.machine().endswith(", PostgreSQL not reachable")


def test_postgres_version_is_none_when_no_server_answers():
    assert report.postgres_version("postgresql://postgres@127.0.0.1:1/postgres") is None


def _git(path, *args):
    return subprocess.run(
        ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.org", *args],
        cwd=path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_commit_is_the_short_hash_and_dirty_when_the_tree_has_changes(tmp_path, monkeypatch):
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_text("a")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "commit", "-q", "-m", "first")
    monkeypatch.setattr(report, "BASE_DIR", tmp_path)
    short = _git(tmp_path, "rev-parse", "--short", "HEAD")

    assert report.commit() == short

    (tmp_path / "a.txt").write_text("changed")
    assert report.commit() == f"{short}+dirty"


def test_commit_outside_a_repository_says_unknown(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "BASE_DIR", tmp_path)

    assert report.commit() == "unknown commit"


# run: the arithmetic and the verdicts ----------------------------------------------------


def test_percentile_interpolates_between_the_closest_ranks():
    values = [10.0, 1.0, 9.0, 2.0, 8.0, 3.0, 7.0, 4.0, 6.0, 5.0]

    assert run.percentile(values, 50) == 5.5
    assert run.percentile(values, 95) == pytest.approx(9.55)
    assert run.percentile(values, 0) == 1.0
    assert run.percentile(values, 100) == 10.0
    assert run.percentile([4.0], 95) == 4.0
    assert run.percentile([1.0, 3.0], 50) == 2.0


def test_percentile_of_nothing_or_out_of_range_is_an_error():
    with pytest.raises(ValueError, match="percentile of no values"):
        run.percentile([], 50)
    with pytest.raises(ValueError, match="percentile 101 is not between 0 and 100"):
        run.percentile([1.0], 101)


def _page(**changes):
    page = {"id": "center:staff_list", "name": "staff_list", "kind": "page", "queries": 9}
    page.update(p50=20.0, p95=30.0)
    page.update(changes)
    return page


def test_a_page_within_every_target_has_no_failures():
    assert run.page_failures(_page(), floor_p95=5.0, other_scale_queries=9) == []


def test_a_page_at_exactly_the_limits_passes():
    page = _page(queries=15, p95=50.0)

    assert run.page_failures(page, floor_p95=6.25, other_scale_queries=None) == []


def test_each_missed_page_target_is_named():
    page = _page(queries=16, p95=80.0)

    assert run.page_failures(page, floor_p95=5.0, other_scale_queries=12) == [
        "16 queries > 15",
        "16 queries here, 12 at the other scale",
        "p95 80 ms > 50 ms",
        "p95 16.0× floor > 8×",
    ]


def test_a_fast_page_can_still_fail_against_a_fast_floor():
    page = _page(p95=45.0)

    assert run.page_failures(page, floor_p95=5.0, other_scale_queries=None) == [
        "p95 9.0× floor > 8×"
    ]


def test_pdfs_have_their_own_time_limits_and_no_floor_ratio():
    summary = _page(id="center:onboarding_summary_pdf", name="onboarding_summary_pdf", kind="pdf")
    onboarding = _page(id="leder:onboarding_pdf", name="onboarding_pdf", kind="pdf")

    assert (
        run.page_failures({**summary, "p95": 5900.0}, floor_p95=5.0, other_scale_queries=None) == []
    )
    assert run.page_failures(
        {**summary, "p95": 6100.0}, floor_p95=5.0, other_scale_queries=None
    ) == ["p95 6100 ms > 6000 ms"]
    assert (
        run.page_failures({**onboarding, "p95": 290.0}, floor_p95=5.0, other_scale_queries=None)
        == []
    )
    assert run.page_failures(
        {**onboarding, "p95": 310.0, "queries": 22}, floor_p95=5.0, other_scale_queries=22
    ) == ["22 queries > 15", "p95 310 ms > 300 ms"]


def test_a_page_that_errors_fails_with_its_error():
    page = {"id": "peer:caseload", "name": "caseload", "kind": "page", "error": "HTTP 500"}

    assert run.page_failures(page, floor_p95=5.0, other_scale_queries=None) == ["error: HTTP 500"]


def _import(**changes):
    return {"dry_run_s": 8.0, "real_s": 15.0, "growth_mb": 120.0, **changes}


def test_the_import_targets():
    assert run.import_failures(_import()) == []
    assert run.import_failures(_import(dry_run_s=20.0, real_s=20.0, growth_mb=299.0)) == []
    assert run.import_failures(_import(dry_run_s=21.0, real_s=40.5, growth_mb=300.0)) == [
        "dry run 21.0 s > 20 s",
        "import 40.5 s > 20 s",
        "memory growth 300 MB ≥ 300 MB",
    ]
    assert run.import_failures({"error": "the dry run was refused (HTTP 200)"}) == [
        "error: the dry run was refused (HTTP 200)"
    ]
    assert run.import_failures({}) == []


def test_query_mismatches_lists_only_pages_measured_at_both_scales_that_differ():
    region = {"center:home": 12, "center:staff_list": 9, "peer:caseload": 11}
    nation = {"center:home": 12, "center:staff_list": 10, "leder:home": 14}

    assert run.query_mismatches(region, nation) == {"center:staff_list": (9, 10)}


def test_query_shapes_counts_repeated_statements_whatever_their_values():
    sqls = [
        'SELECT "a" FROM "t1" WHERE "id" = 1',
        "SELECT b FROM u WHERE name = 'O''Neil' AND id IN (1, 2, 3)",
        'SELECT "a" FROM "t1" WHERE "id" = 22',
        "SELECT b FROM u WHERE name = 'x' AND id IN (4)",
        'SELECT "a" FROM "t1" WHERE "id" = 3.5',
    ]

    assert run.query_shapes(sqls) == [
        (3, 'SELECT "a" FROM "t1" WHERE "id" = ?'),
        (2, "SELECT b FROM u WHERE name = ? AND id IN (…)"),
    ]
    assert run.query_shapes(sqls, top=1) == [(3, 'SELECT "a" FROM "t1" WHERE "id" = ?')]


def test_compare_scales_names_the_pages_whose_query_counts_differ(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "VAR_DIR", tmp_path)
    nation = {"sqlite": {"center:home": 12, "center:staff_list": 10}, "postgres": {}}
    (tmp_path / "bench-queries-nation.json").write_text(
        json.dumps({"date": "2026-01-01 10:00 CET", "commit": "def5678", "queries": nation})
    )
    region = {
        "label": "region",
        "commit": "def5678",
        "backends": {
            "sqlite": {
                "pages": [
                    {"id": "center:home", "queries": 12},
                    {"id": "center:staff_list", "queries": 9},
                    {"id": "peer:caseload", "error": "HTTP 500"},
                ]
            }
        },
    }

    other, sentence = run.compare_scales(region)

    assert other == nation
    assert sentence == (
        "Query counts here vs the nation run of 2026-01-01 10:00 CET, commit `def5678`: "
        "SQLite: **differ** on center:staff_list 9 vs 10."
    )
    _other, on_other_code = run.compare_scales({**region, "commit": "abc1234+dirty"})
    assert on_other_code.endswith(
        "SQLite: **differ** on center:staff_list 9 vs 10. The two runs may have measured "
        "different code (another commit, or uncommitted changes): measure both scales on the "
        "same code before trusting a difference."
    )


def test_compare_scales_without_a_run_at_the_other_scale_says_how_to_make_one(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(run, "VAR_DIR", tmp_path)

    other, sentence = run.compare_scales({"label": "nation", "backends": {}})

    assert other == {}
    assert sentence == (
        "Query counts at region and nation scale: not compared (no run at region scale yet; "
        "run `make bench SCALE=region`)."
    )


def test_an_unreachable_postgresql_is_named_with_its_address(monkeypatch):
    monkeypatch.setattr(report, "POSTGRES_URL", "postgresql://postgres@127.0.0.1:1/postgres")

    problem = run.postgres_problem()

    assert problem.startswith(
        "PostgreSQL is not reachable at postgresql://postgres@127.0.0.1:1/postgres: "
    )


def test_asking_for_postgresql_alone_when_it_is_unreachable_fails_at_once(monkeypatch, capsys):
    monkeypatch.setattr(report, "POSTGRES_URL", "postgresql://postgres@127.0.0.1:1/postgres")

    assert run.main(["--scale", "region", "--only", "postgres"]) == 1
    assert "*** PostgreSQL is not reachable at postgresql://postgres@127.0.0.1:1/postgres" in (
        capsys.readouterr().err
    )


def test_seed_seconds_reads_the_last_line_of_seed_scale():
    output = "Units: 12\nPeer workers: 150\nSeeded region in 83.4 s\n"

    assert run.seed_seconds(output) == 83.4
    assert run.seed_seconds("Demo programme ready (389 new records).\n") is None


def _run(pages, import_result, other=""):
    backend = {
        "data": {"units": 2, "staff": 10},
        "load": [0.4, 1.1],
        "pages": pages,
        "floor": {"queries": 5, "p50": 4.0, "p95": 5.0},
        "import": import_result,
        "max_rss_mb": 180.0,
        "seed_text": "12.5 s",
    }
    return {
        "label": "region",
        "scale": "region",
        "seed": "scale",
        "repeat": 30,
        "date": "2026-01-02 03:04 CET",
        "machine": "CPU, 2 cores",
        "commit": "abc1234",
        "skipped": {"postgres": "PostgreSQL is not reachable at x"},
        "backends": {"sqlite": backend},
        "queries_verdict": other or "Query counts: not compared.",
        "failed": 1,
    }


def test_the_markdown_report_has_one_row_per_page_with_its_verdict_and_the_floor():
    good = _page(id="peer:caseload", name="caseload", failures=[])
    bad = _page(id="center:home", name="home", queries=20, p95=60.0)
    bad["failures"] = ["20 queries > 15", "p95 60 ms > 50 ms"]

    text = run.markdown(_run([good, bad], _import(tracemalloc_peak_mb=80.0, rss_delta_mb=40.0)))

    assert "Measured 2026-01-02 03:04 CET on CPU, 2 cores; commit `abc1234`." in text
    assert "PostgreSQL: not measured (PostgreSQL is not reachable at x)." in text
    assert "| Page | Queries | SQLite p50 | SQLite p95 | × floor | Targets |" in text
    assert "| peer:caseload | 9 | 20.0 | 30.0 | 6.0 | pass |" in text
    assert (
        "| center:home | 20 | 20.0 | 60.0 | 12.0 | **FAIL** SQLite: 20 queries > 15; "
        "SQLite: p95 60 ms > 50 ms |" in text
    )
    assert "| floor (trivial view) | 5 | 4.0 | 5.0 | 1.0 |  |" in text
    assert "| `seed_scale` (or reused) | 12.5 s |" in text
    assert "| the same import for real (confirm) | 15.0 s |" in text
    assert "| memory growth during the import (peak RSS − RSS before) | 120 MB |" in text
    assert "| import targets | pass |" in text
    assert "Result: 1 target check(s) failed (marked **FAIL** above)." in text


def test_a_page_measured_with_its_own_floor_is_compared_with_that_floor():
    # The floor requested between the page's requests (4 ms), not the run's (5 ms).
    page = _page(id="center:statistics", name="statistics", p95=36.0, floor_p95=4.0, failures=[])

    text = run.markdown(_run([page], {}))

    assert "| center:statistics | 9 | 20.0 | 36.0 | 9.0 |" in text


def test_the_markdown_report_marks_a_page_error():
    broken = {"id": "peer:note_detail", "name": "note_detail", "kind": "page", "error": "HTTP 404"}

    text = run.markdown(_run([broken], {}))

    assert "| peer:note_detail | – | error |  |  | **FAIL** SQLite: HTTP 404 |" in text
    assert "| import targets | not measured (--no-import) |" in text


# run: the import file and the pages (against the database) -------------------------------


def test_the_generated_staff_file_imports_cleanly(cast):
    content = run.staff_csv([cast.unit.name, cast.other_unit.name], 5, "t")
    resource = StaffResource()

    result = run_import(
        resource=resource,
        parsed=read_dataset(content, "staff.csv"),
        dry_run=False,
        by=cast.admin_user,
        label="staff",
    )

    assert result.problems == []
    assert result.new == 5
    imported = StaffMember.objects.filter(email__endswith="@bench-import.example").order_by("email")
    assert [(s.email, s.unit.name, s.profession) for s in imported] == [
        ("t-00000@bench-import.example", "F-ACT Øst", "nurse"),
        ("t-00001@bench-import.example", "F-ACT Vest", "sosu"),
        ("t-00002@bench-import.example", "F-ACT Øst", "psychologist"),
        ("t-00003@bench-import.example", "F-ACT Vest", "doctor"),
        ("t-00004@bench-import.example", "F-ACT Øst", "ot"),
    ]


def test_the_imported_staff_are_removed_again(cast):
    content = run.staff_csv([cast.unit.name], 3, "t")
    run_import(
        resource=StaffResource(),
        parsed=read_dataset(content, "staff.csv"),
        dry_run=False,
        by=cast.admin_user,
        label="staff",
    )
    before = StaffMember.objects.exclude(email__endswith="@bench-import.example").count()

    run._remove_imported_staff()

    assert not StaffMember.objects.filter(email__endswith="@bench-import.example").exists()
    assert StaffMember.objects.count() == before


def test_the_import_step_runs_the_import_as_centre_staff_do_and_leaves_no_staff(cast):
    """The benchmark's own import (upload and preview, then confirm) on a few rows: it
    broke once when the checked file moved out of the session, unnoticed until a run."""
    before = StaffMember.objects.count()

    result = run._import(cast.centre.user, rows=4)

    assert set(result) == {
        "dry_run_s",
        "real_s",
        "growth_mb",
        "rss_delta_mb",
        "tracemalloc_peak_mb",
    }
    assert StaffMember.objects.count() == before


CAST_LOGINS = {
    "admin": "admin",
    "center": "centre",
    "leder": "leader",
    "mentor": "mentor",
    "peer": "peer",
}


@pytest.fixture
def bench_objects(cast):
    from recruitment.services import onboarding_start_for_peer
    from tests.peerprogram.test_permissions import Objects

    Objects(cast)
    onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)
    return run.find_objects(CAST_LOGINS)


def test_every_benchmarked_page_answers_its_role(bench_objects):
    pages = run.build_pages(bench_objects)
    clients = run._clients(bench_objects["users"])
    answers = {}
    for page in pages:
        try:
            run._fetch(clients[page.role], page.url)
            answers[page.id] = 200
        except run.PageError as exc:
            answers[page.id] = str(exc)

    assert answers == {page.id: 200 for page in pages}
    names = {page.name for page in pages}
    assert {
        "home",
        "unit_list",
        "staff_list",
        "vacancy_list",
        "checklist",
        "overview",
        "cohort_detail",
        "calendar",
        "caseload",
        "note_detail",
        "statistics",
        "onboarding_pdf",
        "onboarding_summary_pdf",
    } <= names
    assert {page.id for page in pages if page.name == "home"} == {
        f"{role}:home" for role in run.ROLES
    }


def test_a_page_whose_object_the_data_lacks_is_reported_not_skipped(bench_objects):
    pages = run.build_pages({**bench_objects, "onboarding": None})

    lacking = [(p.id, p.url, p.missing) for p in pages if p.url is None]
    assert lacking == [
        ("center:checklist", None, "onboarding"),
        ("leder:checklist", None, "onboarding"),
        ("center:onboarding_pdf", None, "onboarding"),
        ("leder:onboarding_pdf", None, "onboarding"),
    ]


def test_the_floor_is_a_trivial_view_behind_the_login(cast, settings):
    settings.ROOT_URLCONF = "bench.urls"
    client = Client()

    anonymous = client.get("/bench/floor/")
    client.force_login(cast.peer.staff_member.user)
    logged_in = client.get("/bench/floor/")

    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accounts/login/?next=/bench/floor/"
    assert logged_in.status_code == 200
    assert logged_in.content == b"ok"
