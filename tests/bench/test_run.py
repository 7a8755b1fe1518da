"""bench/run.py: the verdicts against the targets, the comparison with the other scale and
with the admin, the report, the import step and the pages it measures.

Nothing here asserts a time: the benchmark prints times; these tests check that it counts,
compares and writes them correctly.
"""

import json

import pytest
from django.contrib import admin
from django.test import Client

from bench import report, run
from education.models import CalendarFeed
from peerprogram.imports import read_dataset, run_import
from peerprogram.models import StaffMember
from peerprogram.resources import StaffResource


def _page(**changes):
    page = {"id": "center:staff_list", "name": "staff_list", "kind": "page", "queries": 9}
    return {**page, "p50": 20.0, "p95": 30.0, **changes}


# The verdicts ------------------------------------------------------------------------------


def test_p50_and_p95_interpolate_between_the_closest_ranks():
    values = [10.0, 1.0, 9.0, 2.0, 8.0, 3.0, 7.0, 4.0, 6.0, 5.0]

    assert run.p50_p95(values) == (5.5, pytest.approx(9.55))
    assert run.p50_p95([4.0]) == (4.0, 4.0)


def test_a_page_within_every_target_has_no_failures_and_the_limits_themselves_pass():
    assert run.page_failures(_page(), {"queries": 9, "p50": 19.0}) == []
    assert run.page_failures(_page(queries=15, p95=50.0, scale_ratio=1.3), None) == []


def test_each_missed_page_target_is_named():
    page = _page(queries=16, p95=80.0, scale_ratio=1.5, admin_ratio=0.7)

    assert run.page_failures(page, {"queries": 12, "p50": 10.0}) == [
        "16 queries > 15",
        "p95 80 ms > 50 ms",
        "16 queries here, 12 at the other scale",
        "nation p50 1.50× region > 1.3×",
        "p50 0.70× the admin changelist > 0.6×",
    ]


def test_pdfs_have_their_own_time_limits():
    summary = _page(id="center:onboarding_summary_pdf", name="onboarding_summary_pdf", kind="pdf")
    onboarding = _page(id="leder:onboarding_pdf", name="onboarding_pdf", kind="pdf")

    assert run.page_failures({**summary, "p95": 5900.0, "scale_ratio": 3.3}, {"queries": 9}) == []
    assert run.page_failures({**summary, "p95": 6100.0}, None) == ["p95 6100 ms > 6000 ms"]
    assert run.page_failures({**onboarding, "p95": 290.0}, None) == []
    assert run.page_failures({**onboarding, "p95": 310.0, "queries": 22}, None) == [
        "22 queries > 15",
        "p95 310 ms > 300 ms",
    ]


def test_admin_pages_allow_25_queries_and_300_ms_and_are_not_compared_across_scales():
    page = _page(id="admin/recruitment.vacancy/add", name="add", kind="admin")

    assert run.page_failures({**page, "queries": 25, "p95": 300.0}, {"queries": 3}) == []
    assert run.page_failures({**page, "queries": 9572, "p95": 9800.0}, None) == [
        "9572 queries > 25",
        "p95 9800 ms > 300 ms",
    ]


def test_a_page_that_errors_fails_with_its_error():
    page = {"id": "peer:caseload", "name": "caseload", "kind": "page", "error": "HTTP 500"}

    assert run.page_failures(page, None) == ["error: HTTP 500"]


def _import(**changes):
    return {"dry_run_s": 8.0, "real_s": 15.0, "growth_mb": 120.0, "tracemalloc_mb": 80.0, **changes}


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


def _run(scale, pages, import_result=None):
    backend = {
        "data": {"units": 2, "staff members": 10},
        "load": [0.4, 1.1],
        "pages": pages,
        "floor": {"queries": 5, "p50": 4.0, "p95": 5.0},
        "import": import_result or {},
        "max_rss_mb": 180.0,
        "seed_text": "12 s",
    }
    return {
        "scale": scale,
        "repeat": 30,
        "date": "2026-01-02 03:04 CET",
        "machine": "CPU, 2 cores",
        "commit": "abc1234",
        "skipped": {"postgres": "PostgreSQL is not reachable at x"},
        "backends": {"sqlite": backend},
        "comparison": "Not compared.",
    }


def _pages():
    return [
        _page(id="admin:staff_list", name="staff_list", p50=12.0, p95=14.0),
        _page(id="peer:caseload", name="caseload", p50=10.0, p95=12.0, queries=11),
        _page(id="admin/peerprogram.staffmember/changelist", kind="admin", p50=30.0, kb=40.0),
        _page(id="admin/peerprogram.staffmember/add", kind="admin", p50=500.0, p95=900.0, kb=1e3),
    ]


def test_the_judge_compares_nation_with_region_and_each_list_with_its_admin_changelist():
    region = run.record(_run("region", _pages()))
    nation = _run("nation", _pages())
    nation["backends"]["sqlite"]["pages"][0].update(p50=18.0, queries=10)

    failed = run.judge(nation, region)

    staff_list, caseload, changelist, add = nation["backends"]["sqlite"]["pages"]
    assert (staff_list["scale_ratio"], staff_list["admin_ratio"]) == (1.5, 0.6)
    assert staff_list["failures"] == [
        "10 queries here, 9 at the other scale",
        "nation p50 1.50× region > 1.3×",
    ]
    # No admin changelist holds a peer worker's caseload (patients are not in the admin).
    assert (caseload["scale_ratio"], "admin_ratio" in caseload) == (1.0, False)
    assert caseload["failures"] == []
    assert changelist["failures"] == []
    assert add["failures"] == ["p95 900 ms > 300 ms"]
    assert failed == 3


def test_at_region_scale_the_ratio_is_still_the_nation_run_over_this_one():
    nation = _run("nation", [_page(p50=30.0)])
    region = _run("region", [_page(p50=20.0)])

    run.judge(region, run.record(nation))

    assert region["backends"]["sqlite"]["pages"][0]["scale_ratio"] == 1.5


def test_without_a_run_at_the_other_scale_nothing_is_compared_and_the_report_says_how():
    region = _run("region", [_page()])

    assert run.judge(region, None) == 0
    assert "scale_ratio" not in region["backends"]["sqlite"]["pages"][0]
    assert run.comparison(region, None) == (
        "Query counts not compared with the nation scale (no run recorded in "
        "var/bench-nation.json yet; run `make bench SCALE=nation`)."
    )
    other = {"date": "2026-01-01 10:00 CET", "commit": "def5678"}
    assert run.comparison(region, other) == (
        "Query counts and nation÷region compared with the nation run of 2026-01-01 10:00 CET, "
        "commit `def5678` (other code, or uncommitted changes: measure both scales on the same "
        "code)."
    )


def test_a_paired_ratio_is_the_one_judged_with_or_without_a_recorded_run():
    nation = _run("nation", _pages())
    nation["backends"]["sqlite"]["paired"] = {"admin:staff_list": 1.1, "peer:caseload": 1.4}
    # The recorded region run says 1.0 for both: the paired ratios are judged instead.
    run.judge(nation, run.record(_run("region", _pages())))
    staff_list, caseload, *_admin = nation["backends"]["sqlite"]["pages"]
    assert (staff_list["scale_ratio"], staff_list["failures"]) == (1.1, [])
    assert caseload["failures"] == ["nation p50 1.40× region > 1.3×"]
    alone = _run("nation", _pages())
    alone["backends"]["sqlite"]["paired"] = {"peer:caseload": 1.4}
    assert run.judge(alone, None) == 2  # the caseload, and the admin add page's p95
    assert run.comparison(alone, None).endswith(
        "nation÷region measured paired on SQLite: each product page requested at both "
        "scales in turn, 10 batches of 3 requests at each, in one process per scale; the "
        "PDFs' ratio from the recorded run."
    )


class _Serving:
    """A serving child's stand-in: answers each "<page> <n>" with n times of its scale."""

    asked: list[tuple[str, str]] = []

    def __init__(self, command, env, **kwargs):

        self.scale = (
            "nation" if env["DATABASE_URL"].endswith(("nation", "nation.sqlite3")) else "region"
        )
        self.stdin = self
        self._answers = [run.SAMPLES_PREFIX + "ready\n"]
        self.stdout = self

    def write(self, line):
        page_id, n = line.split()
        _Serving.asked.append((self.scale, page_id))
        times = {"region": [10.0, 11.0, 12.0], "nation": [12.0, 13.0, 14.0]}[self.scale]
        samples = None if page_id == "gone" else (times * 10)[: int(n)]
        self._answers.append("Django says hello\n")
        self._answers.append(run.SAMPLES_PREFIX + json.dumps(samples) + "\n")

    def flush(self):
        pass

    def __iter__(self):
        while self._answers:
            yield self._answers.pop(0)

    def close(self):
        pass

    def wait(self, timeout=None):
        return 0


def test_the_paired_ratio_asks_both_scales_in_turn_and_divides_their_medians(monkeypatch, tmp_path):
    import argparse

    monkeypatch.setattr(run, "VAR_DIR", tmp_path)
    monkeypatch.setattr(run, "manage", lambda *args: "")
    monkeypatch.setattr(run, "daily_run", lambda *args: None)
    monkeypatch.setattr(run.subprocess, "Popen", _Serving)
    _Serving.asked = []
    args = argparse.Namespace(scale="nation", repeat=30)
    # The other scale not seeded on this backend: nothing paired.
    assert run.paired_ratios("sqlite", args, ["peer:home"]) == {}
    (tmp_path / "bench-region-sqlite.seeded.json").write_text("{}")
    ratios = run.paired_ratios("sqlite", args, ["peer:home", "gone"])
    assert ratios == {"peer:home": pytest.approx(13.0 / 11.0)}
    home = [scale for scale, page in _Serving.asked if page == "peer:home"]
    assert home == ["region", "nation", "nation", "region"] * 5


def test_the_markdown_report_has_a_row_per_page_with_its_ratios_and_verdict():
    run_ = _run("nation", _pages(), _import())
    run.judge(run_, run.record(_run("region", _pages())))
    run_["failed"] = 1

    text = run.markdown(run_)

    assert "Measured 2026-01-02 03:04 CET on CPU, 2 cores; commit `abc1234`." in text
    assert "PostgreSQL: not measured (PostgreSQL is not reachable at x)." in text
    assert (
        "| Page | Queries | SQLite p50 | SQLite p95 | SQLite nation÷region | SQLite ÷ admin "
        "| SQLite × floor | Targets |"
    ) in text
    assert "| `admin:staff_list` | 9 | 12.0 | 14.0 | 1.00 | 0.40 | – | pass |" in text
    assert "| `peer:caseload` | 11 | 10.0 | 12.0 | 1.00 | – | – | pass |" in text
    assert "| Page | Queries | SQLite p50 | SQLite p95 | SQLite KB | Targets |" in text
    assert "| `admin/peerprogram.staffmember/changelist` | 9 | 30.0 | 30.0 | 40 | pass |" in text
    assert (
        "| `admin/peerprogram.staffmember/add` | 9 | 500 | 900 | 1,000 "
        "| **FAIL** SQLite: p95 900 ms > 300 ms |"
    ) in text
    assert "| the same rows imported (confirm) | 15.0 s |" in text
    assert "| import targets | pass |" in text
    assert "Result: 1 target check(s) failed (marked **FAIL** above)." in text


def test_the_markdown_report_marks_a_page_error():
    broken = {"id": "peer:note_detail", "name": "note_detail", "kind": "page", "error": "HTTP 404"}
    run_ = _run("region", [broken])
    run.judge(run_, None)
    run_["failed"] = 1

    text = run.markdown(run_)

    assert (
        "| `peer:note_detail` | – | – | – | – | – | – | **FAIL** SQLite: error: HTTP 404 |" in text
    )
    assert "| import targets | not measured |" in text


def test_an_admin_page_of_an_empty_table_is_listed_as_not_measured_and_fails_nothing():
    empty = {"id": "admin/education.calendarfeed/change", "name": "change", "kind": "admin"}
    run_ = _run("region", [{**empty, "skipped": "no calendar feed row to open"}])

    assert run.judge(run_, None) == 0
    text = run.markdown({**run_, "failed": 0})

    assert (
        "| `admin/education.calendarfeed/change` | – | – | – | – "
        "| SQLite: not measured (no calendar feed row to open) |"
    ) in text


def test_the_recorded_run_keeps_queries_and_p50_per_backend_and_page(tmp_path):
    recorded = run.record({**_run("region", _pages()[:2]), "date": "d", "commit": "c"})

    assert json.loads(json.dumps(recorded)) == {
        "date": "d",
        "commit": "c",
        "backends": {
            "sqlite": {
                "admin:staff_list": {"queries": 9, "p50": 12.0},
                "peer:caseload": {"queries": 11, "p50": 10.0},
            }
        },
    }


def test_an_unreachable_postgresql_is_named_with_its_address(monkeypatch):
    monkeypatch.setattr(report, "POSTGRES_URL", "postgresql://postgres@127.0.0.1:1/postgres")

    assert run.postgres_problem() == (
        "PostgreSQL is not reachable at postgresql://postgres@127.0.0.1:1/postgres"
    )
    assert run.main(["--scale", "region", "--only", "postgres"]) == 1


# The import and the pages (against the database) -------------------------------------------


def test_the_generated_staff_file_imports_cleanly(cast):
    content = run.staff_csv([cast.unit.name, cast.other_unit.name], 5, "t")

    result = run_import(
        resource=StaffResource(),
        parsed=read_dataset(content, "staff.csv"),
        dry_run=False,
        by=cast.admin_user,
        label="staff",
    )

    assert (result.problems, result.new) == ([], 5)
    imported = StaffMember.objects.filter(email__endswith="@bench-import.example").order_by("email")
    assert [(s.email, s.unit.name, s.profession) for s in imported] == [
        ("t-00000@bench-import.example", "F-ACT Øst", "nurse"),
        ("t-00001@bench-import.example", "F-ACT Vest", "sosu"),
        ("t-00002@bench-import.example", "F-ACT Øst", "psychologist"),
        ("t-00003@bench-import.example", "F-ACT Vest", "doctor"),
        ("t-00004@bench-import.example", "F-ACT Øst", "ot"),
    ]


def test_the_import_step_runs_the_import_as_centre_staff_do_and_leaves_no_staff(cast):
    """The benchmark's own import (upload and preview, then confirm) on a few rows."""
    before = StaffMember.objects.count()

    result = run.measure_import(cast.centre.user, rows=4)

    assert set(result) == {"dry_run_s", "real_s", "growth_mb", "tracemalloc_mb"}
    assert StaffMember.objects.count() == before


CAST_LOGINS = {"admin": "admin", "center": "centre", "leder": "leader", "mentor": "mentor"}


@pytest.fixture
def bench_objects(cast):
    from recruitment.services import onboarding_start_for_peer
    from tests.peerprogram.world import Objects

    Objects(cast)
    onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)
    return run.find_objects({**CAST_LOGINS, "peer": "peer"})


def test_every_benchmarked_page_answers_its_role_and_counts_its_queries(bench_objects):
    pages = run.build_pages(bench_objects)
    clients = run.clients(bench_objects["users"])

    measured = [run.measure_page(clients[page.role], page, repeat=1) for page in pages]

    assert [(m["id"], m.get("error")) for m in measured] == [(p.id, None) for p in pages]
    assert all(0 < m["queries"] <= run.MAX_QUERIES + 10 and m["n"] == 1 for m in measured)
    assert {f"admin:{name}" for name in ("staff_list", "peer_list", "overview")} <= {
        p.id for p in pages
    }
    assert {p.id for p in pages if p.name == "home"} == {f"{role}:home" for role in run.ROLES}
    # Each product list paired with the admin changelist of the same rows is measured.
    assert set(run.ADMIN_PAIRS) <= {p.id for p in pages}


def test_every_admin_model_has_its_changelist_add_and_change_page_measured(bench_objects):
    CalendarFeed.objects.all().delete()

    pages = run.admin_pages()

    ids = {p.id for p in pages}
    for model in admin.site._registry:
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        assert f"admin/{label}/changelist" in ids
        assert f"admin/{label}/change" in ids
    assert set(run.ADMIN_PAIRS.values()) <= {p.id.split("/")[1] for p in pages}
    # Read-only admins (the access log) have no add page; the others have. A table without
    # rows has no change page to open: named in English.
    assert [p.missing for p in pages if p.id == "admin/education.calendarfeed/change"] == [
        "calendar feed row"
    ]
    assert "admin/journal.noteaccess/add" not in ids
    assert "admin/recruitment.vacancy/add" in ids
    client = run.clients({"admin": bench_objects["users"]["admin"]})["admin"]
    vacancy = [p for p in pages if p.id.startswith("admin/recruitment.vacancy/")]
    measured = [run.measure_page(client, page, repeat=1) for page in vacancy]
    assert [(m["name"], m.get("error"), m["queries"] > 0) for m in measured] == [
        ("changelist", None, True),
        ("add", None, True),
        ("change", None, True),
    ]


def test_a_page_whose_object_the_data_lacks_is_reported_as_an_error_not_skipped(bench_objects):
    pages = run.build_pages({**bench_objects, "onboarding": None})

    lacking = [p for p in pages if p.url is None]
    assert [(p.id, p.missing) for p in lacking] == [
        ("center:checklist", "onboarding"),
        ("leder:checklist", "onboarding"),
        ("center:onboarding_pdf", "onboarding"),
        ("leder:onboarding_pdf", "onboarding"),
    ]
    assert run.measure_page(Client(), lacking[0], repeat=1)["error"] == (
        "the data has no onboarding for it"
    )


def test_the_floor_is_a_trivial_view_behind_the_login(cast, settings):
    settings.ROOT_URLCONF = "bench.urls"
    client = Client()

    anonymous = client.get("/bench/floor/")
    client.force_login(cast.peer.staff_member.user)
    logged_in = client.get("/bench/floor/")

    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accounts/login/?next=/bench/floor/"
    assert (logged_in.status_code, logged_in.content) == (200, b"ok")


def test_a_serving_child_answers_each_page_asked_with_its_request_times(
    bench_objects, monkeypatch, capsys
):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("peer:home 2\nadmin/peerprogram.unit/add 1\n"))
    run.serve(bench_objects)
    lines = [
        line[len(run.SAMPLES_PREFIX) :]
        for line in capsys.readouterr().out.splitlines()
        if line.startswith(run.SAMPLES_PREFIX)
    ]
    assert lines[0] == "ready"
    home = json.loads(lines[1])
    assert len(home) == 2 and all(t > 0 for t in home)
    # Only product pages are measured paired.
    assert json.loads(lines[2]) is None
