"""bench/report.py: the marked sections of docs/performance.md, the machine and the commit."""

import os
import platform
import sqlite3
import subprocess

import pytest

from bench import report

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
