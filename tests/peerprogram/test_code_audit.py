"""The project's own code turns off neither HTML escaping nor the ORM, except where the
short allow-list below says why: HTML is written by templates, with autoescaping, and no
module makes safe strings or escapes by hand.

A hit names its file, line and pattern. An allow-list entry that no longer matches
anything fails too, so the list cannot outlive its reason.
"""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Our code, migrations included; not .venv, static/vendor or the tests.
SCANNED = [
    "peerprogram",
    "programme",
    "recruitment",
    "employment",
    "mentoring",
    "education",
    "journal",
    "bench",
    "templates",
]
SUFFIXES = {".py", ".html", ".txt", ".xml", ".ics", ".csv"}

PATTERNS = {
    # Output that skips HTML escaping.
    "|safe": re.compile(r"\|\s*safe\b"),
    "|safeseq": re.compile(r"\|\s*safeseq\b"),
    "{% filter safe %}": re.compile(r"{%\s*filter\b[^%]*\bsafe"),
    "{% autoescape off %}": re.compile(r"{%\s*autoescape\s+off\b"),
    "autoescape=False": re.compile(r"\bautoescape\s*=\s*False\b"),
    "mark_safe": re.compile(r"\bmark_safe\b"),
    "SafeString": re.compile(r"\bSafe(?:String|Text|Data)\b"),
    "__html__": re.compile(r"\b__html__\b"),
    # HTML written in Python, escaped by hand or by Django's helpers: templates write it.
    "html.escape": re.compile(
        r"^\s*(?:from\s+html\s+import\b|import\s+html\b)|\bhtml\.escape\s*\("
    ),
    "format_html": re.compile(r"\bformat_html(?:_join)?\b"),
    "escape()": re.compile(
        r"\bconditional_escape\b|from\s+django\.utils\.html\s+import\b[^#]*\bescape\b"
    ),
    # SQL written by hand.
    ".extra(": re.compile(r"\.extra\s*\("),
    "RawSQL": re.compile(r"\bRawSQL\b"),
    ".raw(": re.compile(r"\.raw\s*\("),
    "cursor/execute": re.compile(r"\bcursor\s*\(|\.execute(?:many|script)?\s*\("),
    "RunSQL": re.compile(r"\bRunSQL\b"),
}

# (file, pattern): why it is right there. Keep it short.
ALLOWED = {
    ("templates/journal/note_plain.txt", "{% autoescape off %}"): (
        "The note as plain text, pasted into the hospital record: HTML escaping would put "
        "&amp; and &#x27; into the record. The only page that shows it, note_copy.html, "
        "escapes it with |force_escape (tests/journal/test_xss.py)."
    ),
    ("templates/registration/password_reset_email.html", "{% autoescape off %}"): (
        "The body of a plain-text e-mail, as in Django's own template: escaping would show "
        "&amp; in the login name and the link."
    ),
    ("templates/registration/password_reset_subject.txt", "{% autoescape off %}"): (
        "An e-mail subject line: plain text."
    ),
    ("journal/views.py", "mark_safe"): (
        "The statistics' tables, written by their Jinja2 template (the one measured "
        'exception, docs/architecture.md "Templates") whose environment escapes every '
        "value as Django does: its output is HTML, placed in the page once "
        "(tests/journal/test_statistics_tables.py and test_xss.py feed it markup)."
    ),
    ("peerprogram/jinja2.py", "__html__"): (
        "The same environment keeps a value that is already marked safe, as Django's "
        "conditional_escape does."
    ),
    ("peerprogram/jinja2.py", "html.escape"): (
        "The Jinja2 environment of the statistics' tables escapes every value with the "
        "function Django's own escape() calls (html.escape), so they write the same entities "
        "as a Django template (tests/peerprogram/test_jinja2.py)."
    ),
    ("education/views.py", "format_html"): (
        "The warning after a double booking links to moving the clashing check-ins: "
        "format_html escapes the address and the two names it puts in the link."
    ),
    ("bench/logins.py", "html.escape"): (
        "The load test reads the OpenID Provider's sign-in form: `import html` for "
        "html.unescape of its attribute values. Nothing is written as HTML."
    ),
    ("peerprogram/backup/archive.py", "cursor/execute"): (
        "SELECT pg_export_snapshot(), a fixed statement with no ORM equivalent: it hands the "
        "backup's transaction snapshot to pg_dump."
    ),
    ("bench/report.py", "cursor/execute"): (
        "SHOW server_version on a psycopg connection, a fixed statement, to name the "
        "PostgreSQL server in the benchmark report."
    ),
    ("bench/run.py", "cursor/execute"): (
        "The benchmark's own throwaway databases, outside Django: SELECT 1, a lookup in "
        "pg_database with a bound parameter, and DROP/CREATE DATABASE with the name quoted "
        "by psycopg.sql.Identifier."
    ),
    ("bench/loadtest.py", "cursor/execute"): (
        "The load test's own databases, outside Django: a lookup in pg_database with a bound "
        "parameter, DROP/CREATE DATABASE and COMMENT ON DATABASE composed with "
        "psycopg.sql.Identifier and sql.Literal."
    ),
}


def _files() -> list[Path]:
    found = []
    for top in SCANNED:
        if (ROOT / top).is_dir():
            found += [
                path
                for path in sorted((ROOT / top).rglob("*"))
                if path.suffix in SUFFIXES and "__pycache__" not in path.parts
            ]
    return found


def _hits(text: str) -> list[tuple[int, str, str]]:
    """(line number, pattern, line) for each pattern on each line of a file's text."""
    return [
        (number, name, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        for name, pattern in PATTERNS.items()
        if pattern.search(line)
    ]


def _scan() -> list[tuple[str, int, str, str]]:
    return [
        (path.relative_to(ROOT).as_posix(), number, name, line)
        for path in _files()
        for number, name, line in _hits(path.read_text(encoding="utf-8"))
    ]


def test_no_unescaped_output_or_hand_written_sql_outside_the_allow_list():
    unexplained = [
        f"{path}:{number}: {name} in `{line}`"
        for path, number, name, line in _scan()
        if (path, name) not in ALLOWED
    ]
    assert unexplained == [], (
        "Unescaped output or hand-written SQL; use the ORM and autoescaping, or add the "
        "file and pattern to ALLOWED in tests/peerprogram/test_code_audit.py with the "
        "reason it is safe:\n" + "\n".join(unexplained)
    )


def test_every_allow_list_entry_still_matches():
    found = {(path, name) for path, _number, name, _line in _scan()}
    stale = [f"{path}: {name}" for path, name in ALLOWED if (path, name) not in found]
    assert stale == [], "Allow-list entries that match nothing any more:\n" + "\n".join(stale)


def test_the_scan_reads_our_code_templates_and_migrations():
    scanned = {path.relative_to(ROOT).as_posix() for path in _files()}
    assert {
        "journal/views.py",
        "templates/base.html",
        "templates/journal/note_plain.txt",
        "education/migrations/0002_standard_course.py",
    } <= scanned
    assert not any(path.startswith(("static/", ".venv/", "tests/")) for path in scanned)


def test_each_pattern_is_found_and_the_safe_look_alikes_are_not():
    hits = _hits(
        "\n".join(
            [
                "{{ text|safe }}",
                "{{ rows | safeseq }}",
                "{% filter force_escape|safe %}",
                "{% autoescape off %}",
                "Engine(autoescape=False)",
                "from django.utils.safestring import mark_safe",
                "SafeString(value)",
                "def __html__(self):",
                "from html import escape",
                "cell = html.escape(name)",
                "format_html('<b>{}</b>', name)",
                "format_html_join('', '<td>{}</td>', rows)",
                "conditional_escape(value)",
                "from django.utils.html import escape, strip_tags",
                "Note.objects.extra(where=['1'])",
                "annotate(n=RawSQL('select 1', []))",
                "Note.objects.raw('select * from journal_note')",
                "with connection.cursor() as c:",
                "c.execute('select 1')",
                "migrations.RunSQL('drop table x')",
                # Look-alikes that keep escaping or the ORM:
                "{{ text|force_escape }} {{ data|json_script:'id' }} {% autoescape on %}",
                "register.filter(is_safe=True); re.escape(path); import html5lib",
                "from django.utils.html import strip_tags  # escape nothing here",
                "safe_join(root, name); Note.objects.extra_field; extra_connection(like=x)",
                "request.GET.get('raw'); executor.submit(job)",
            ]
        )
    )
    assert [(number, name) for number, name, _line in hits] == [
        (1, "|safe"),
        (2, "|safeseq"),
        (3, "|safe"),
        (3, "{% filter safe %}"),
        (4, "{% autoescape off %}"),
        (5, "autoescape=False"),
        (6, "mark_safe"),
        (7, "SafeString"),
        (8, "__html__"),
        (9, "html.escape"),
        (10, "html.escape"),
        (11, "format_html"),
        (12, "format_html"),
        (13, "escape()"),
        (14, "escape()"),
        (15, ".extra("),
        (16, "RawSQL"),
        (17, ".raw("),
        (18, "cursor/execute"),
        (19, "cursor/execute"),
        (20, "RunSQL"),
    ]
