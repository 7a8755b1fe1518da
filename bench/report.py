"""Writing measured results into docs/performance.md, and describing where they were measured.

Shared by `make bench` and `make loadtest`: each owns marked sections of the file
(``<!-- bench:KEY:start -->`` ... ``<!-- bench:KEY:end -->``) and replaces only those,
so one run never overwrites the other's results.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import platform
import re
import sqlite3
import subprocess
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PERFORMANCE_MD = BASE_DIR / "docs" / "performance.md"
# Outside docs/, so no stray file shows up there.
LOCK = BASE_DIR / "var" / "performance.md.lock"
# The server the benchmark uses; the load test uses the same one.
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

HEADER = """# Performance

Measured, not estimated: `make bench` (every main page of every role and every Django admin
page on SQLite and PostgreSQL, the PDFs and a 10,000-row staff import) and `make loadtest`
(gunicorn on PostgreSQL under simulated users, measured by locust). Each run replaces its own
section below; every section names the machine, the date and the commit it was measured on.
"""

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def _markers(key: str) -> tuple[str, str]:
    return f"<!-- bench:{key}:start -->", f"<!-- bench:{key}:end -->"


def replace_section(text: str, key: str, markdown: str) -> str:
    """The document `text` with the section `key` holding `markdown` (appended if absent)."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"Section key {key!r}: use letters, digits, '.', '_' and '-' only.")
    if "<!-- bench:" in markdown:
        raise ValueError("The section's text must not contain a '<!-- bench:' marker.")
    start, end = _markers(key)
    body = f"{start}\n{markdown.strip(chr(10))}\n{end}"
    first = text.find(start)
    if first == -1:
        return f"{text.rstrip(chr(10))}\n\n{body}\n"
    last = text.find(end, first)
    if last == -1:
        raise ValueError(f"{PERFORMANCE_MD.name}: {start} has no matching {end}.")
    return text[:first] + body + text[last + len(end) :]


def write_section(key: str, markdown: str) -> None:
    """Replace the section `key` of docs/performance.md with `markdown` (created if missing)."""
    path = PERFORMANCE_MD
    path.parent.mkdir(parents=True, exist_ok=True)
    # The benchmark and the load test may finish at the same moment: lock, then
    # read-modify-write, then replace the file in one step so no reader sees half of it.
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        text = path.read_text(encoding="utf-8") if path.exists() else HEADER
        new = replace_section(text, key, markdown)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(new)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def _ram() -> str:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GB RAM"
    return "RAM unknown"


def _os() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    return f"{platform.system()} {platform.release()}"


def postgres_version(url: str = POSTGRES_URL) -> str | None:
    """The PostgreSQL server's version, or None when no server answers at `url`."""
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except Exception:
        return None
    return row[0].split()[0] if row else None


def machine() -> str:
    """One line: CPU model, cores, RAM, OS, Python, SQLite and PostgreSQL server versions."""
    pg = postgres_version()
    return ", ".join(
        [
            _cpu_model(),
            f"{os.cpu_count()} cores",
            _ram(),
            _os(),
            f"Python {platform.python_version()}",
            f"SQLite {sqlite3.sqlite_version}",
            f"PostgreSQL {pg}" if pg else "PostgreSQL not reachable",
        ]
    )


def commit() -> str:
    """The short git commit, with "+dirty" when the working tree has changes."""

    def git(*args: str) -> str:
        return subprocess.run(  # noqa: S603 - git on PATH, our own arguments, no shell
            ["git", *args],  # noqa: S607 - git from PATH, like a developer's shell
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()

    try:
        short = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=normal")
    except (OSError, subprocess.SubprocessError):
        return "unknown commit"
    return f"{short}+dirty" if dirty else short
