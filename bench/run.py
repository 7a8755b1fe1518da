"""`make bench`: every main page of every role, the PDFs, the seed and a staff import, timed.

    python -m bench.run --scale region|nation [--reuse] [--only sqlite|postgres] [--no-import]
    python -m bench.run --scale region --profile center:staff_list   (or --profile import)

The parent process prepares one database per backend (SQLite under var/, PostgreSQL
`peerprogram_bench_<scale>`) and seeds it with `seed_scale`. Child processes do the
measuring, since settings are read at start-up and each backend has its own DATABASE_URL:
one measures the pages in-process with Django's test client through the full middleware
stack, DEBUG off; a fresh one imports 10,000 staff rows, so that its memory is the import's
own. The parent prints one table, checks the targets and writes the section
`bench-<scale>` of docs/performance.md (and everything measured to var/bench-run-<scale>.json).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench import report

BASE_DIR = report.BASE_DIR
VAR_DIR = BASE_DIR / "var"
BACKENDS = ("sqlite", "postgres")
BACKEND_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
ROLES = ("admin", "center", "leder", "mentor", "peer")

# The targets (at nation scale on a 2-core machine). Tests never assert times; the
# benchmark prints pass or fail against these.
MAX_QUERIES = 15
PAGE_P95_MS = 50.0
FLOOR_RATIO = 8.0
PDF_P95_MS = {"onboarding_pdf": 300.0, "onboarding_summary_pdf": 6000.0}
IMPORT_ROWS = 10_000
IMPORT_SECONDS = 20.0
IMPORT_MEMORY_MB = 300.0

REPEAT = 30
WARMUP = 2
FLOOR_REPEAT = 100
# PDFs take longer: the summary (seconds at nation scale) is repeated less; the onboarding
# PDF as often as a page, so that its p95 is not simply the slowest of a handful.
PDF_REPEAT = {"onboarding_pdf": 30, "onboarding_summary_pdf": 3}
IMPORT_DOMAIN = "bench-import.example"


# Pure helpers (tested in tests/bench) ---------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation between the closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is not between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def page_failures(
    page: dict, *, floor_p95: float | None, other_scale_queries: int | None
) -> list[str]:
    """The targets one measured page misses, in words ([] when it meets them all)."""
    if page.get("error"):
        return [f"error: {page['error']}"]
    failures = []
    queries = page["queries"]
    if queries > MAX_QUERIES:
        failures.append(f"{queries} queries > {MAX_QUERIES}")
    if other_scale_queries is not None and other_scale_queries != queries:
        failures.append(f"{queries} queries here, {other_scale_queries} at the other scale")
    limit = PDF_P95_MS.get(page["name"], None if page["kind"] == "pdf" else PAGE_P95_MS)
    if limit is not None and page["p95"] > limit:
        failures.append(f"p95 {page['p95']:.0f} ms > {limit:.0f} ms")
    if page["kind"] == "page" and floor_p95:
        ratio = page["p95"] / floor_p95
        if ratio > FLOOR_RATIO:
            failures.append(f"p95 {ratio:.1f}× floor > {FLOOR_RATIO:.0f}×")
    return failures


def import_failures(result: dict) -> list[str]:
    """The import targets missed: each run within IMPORT_SECONDS, growth under the limit."""
    if result.get("error"):
        return [f"error: {result['error']}"]
    if not result:  # not measured (--no-import)
        return []
    failures = []
    for key, label in (("dry_run_s", "dry run"), ("real_s", "import")):
        if result[key] > IMPORT_SECONDS:
            failures.append(f"{label} {result[key]:.1f} s > {IMPORT_SECONDS:.0f} s")
    if result["growth_mb"] >= IMPORT_MEMORY_MB:
        failures.append(f"memory growth {result['growth_mb']:.0f} MB ≥ {IMPORT_MEMORY_MB:.0f} MB")
    return failures


def query_mismatches(this: dict[str, int], other: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Pages measured at both scales whose query counts differ: page -> (this, other)."""
    return {
        page: (n, other[page]) for page, n in this.items() if page in other and other[page] != n
    }


def staff_csv(unit_names: list[str], rows: int, prefix: str) -> bytes:
    """A staff import file (UTF-8 CSV) of `rows` new people spread over the given units."""
    if not unit_names:
        raise ValueError("no units to place the imported staff in")
    professions = ["nurse", "sosu", "psychologist", "doctor", "ot", "social_worker", "other"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "email", "phone", "unit", "profession", "centre_staff", "active"])
    for i in range(rows):
        writer.writerow(
            [
                f"Bench Importsen {prefix} {i:05d}",
                f"{prefix}-{i:05d}@{IMPORT_DOMAIN}",
                f"+45 20 {i // 100 % 100:02d} {i % 100:02d} 00",
                unit_names[i % len(unit_names)],
                professions[i % len(professions)],
                "nej",
                "ja",
            ]
        )
    return out.getvalue().encode("utf-8")


def seed_seconds(output: str) -> float | None:
    """The seconds from seed_scale's last line, `Seeded <scale> in <seconds> s`."""
    matches = re.findall(r"^Seeded \S+ in ([0-9.]+) s\s*$", output, re.MULTILINE)
    return float(matches[-1]) if matches else None


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _mb(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} MB"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def markdown(run: dict) -> str:
    """The report of one run: the page table, the other measures and the verdicts."""
    backends = [b for b in BACKENDS if b in run["backends"]]
    results = run["backends"]
    lines = [
        f"## {run['label'].capitalize()} scale",
        "",
        f"Measured {run['date']} on {run['machine']}; commit `{run['commit']}`.",
        f"`python -m bench.run --scale {run['scale']}`"
        + (f" (data: `seed_{run['seed']}`)" if run["seed"] != "scale" else "")
        + f": {run['repeat']} requests per page after {WARMUP} warm-up requests "
        f"({', '.join(f'{k} {v}' for k, v in PDF_REPEAT.items())}), in-process through the "
        "full middleware stack with DEBUG off; server time in ms.",
        f"Targets (nation scale, 2 cores): at most {MAX_QUERIES} queries per page and the same "
        f"number at both scales; p95 ≤ {PAGE_P95_MS:.0f} ms and ≤ {FLOOR_RATIO:.0f}× the floor "
        "(p95 of a trivial login-protected view, requested between the page's own requests; "
        "the floor row sums up all of them); onboarding PDF ≤ "
        f"{PDF_P95_MS['onboarding_pdf']:.0f} ms; programme summary PDF ≤ "
        f"{PDF_P95_MS['onboarding_summary_pdf'] / 1000:.0f} s; import of {IMPORT_ROWS:,} staff "
        f"rows ≤ {IMPORT_SECONDS:.0f} s, memory growth under {IMPORT_MEMORY_MB:.0f} MB.",
        "",
    ]
    for backend in BACKENDS:
        if backend not in results:
            lines.append(f"{BACKEND_NAMES[backend]}: not measured ({run['skipped'][backend]}).")
        elif results[backend].get("error"):
            lines.append(f"{BACKEND_NAMES[backend]}: failed: {results[backend]['error']}")
        elif results[backend].get("data"):
            counts = ", ".join(f"{v:,} {k}" for k, v in results[backend]["data"].items())
            load = " and ".join(f"{v:.1f}" for v in results[backend]["load"])
            lines.append(
                f"Data on {BACKEND_NAMES[backend]}: {counts}. Load average (1 min) before "
                f"and after its pages: {load} (the benchmark alone makes about 1 of "
                f"{os.cpu_count()} cores busy; more means other work shared the machine)."
            )
    lines.append("")
    header = ["Page", "Queries"]
    for backend in backends:
        name = BACKEND_NAMES[backend]
        header += [f"{name} p50", f"{name} p95", "× floor"]
    header.append("Targets")
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    ids = []
    for backend in backends:
        for page in results[backend].get("pages", []):
            if page["id"] not in ids:
                ids.append(page["id"])
    for page_id in ids:
        cells, queries, failures = [page_id], [], []
        for backend in backends:
            page = next((p for p in results[backend].get("pages", []) if p["id"] == page_id), None)
            if page is None or page.get("error"):
                cells += ["error", "", ""]
                failures.append(f"{BACKEND_NAMES[backend]}: {page['error'] if page else 'missing'}")
                continue
            queries.append(str(page["queries"]))
            floor = page.get("floor_p95", results[backend]["floor"]["p95"])
            ratio = f"{page['p95'] / floor:.1f}" if floor and page["kind"] == "page" else "–"
            cells += [_ms(page["p50"]), _ms(page["p95"]), ratio]
            failures += [f"{BACKEND_NAMES[backend]}: {f}" for f in page["failures"]]
        cells.insert(1, "/".join(dict.fromkeys(queries)) or "–")
        cells.append("pass" if not failures else "**FAIL** " + "; ".join(failures))
        lines.append("| " + " | ".join(cells) + " |")
    floor_cells = [
        "floor (trivial view)",
        "/".join(
            dict.fromkeys(
                str(results[b]["floor"]["queries"]) for b in backends if "floor" in results[b]
            )
        ),
    ]
    for backend in backends:
        floor = results[backend].get("floor")
        floor_cells += [_ms(floor["p50"]), _ms(floor["p95"]), "1.0"] if floor else ["", "", ""]
    floor_cells.append("")
    lines += ["| " + " | ".join(floor_cells) + " |", ""]

    lines += ["| Also measured | " + " | ".join(BACKEND_NAMES[b] for b in backends) + " |"]
    lines.append("|---|" + "---|" * len(backends))

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row("`seed_scale` (or reused)", [results[b].get("seed_text", "–") for b in backends])
    imports = [results[b].get("import") or {} for b in backends]
    row(
        f"import of {IMPORT_ROWS:,} staff rows, dry run (upload and preview)",
        [_seconds(i.get("dry_run_s")) for i in imports],
    )
    row("the same import for real (confirm)", [_seconds(i.get("real_s")) for i in imports])
    row(
        "memory growth during the import (peak RSS − RSS before)",
        [_mb(i.get("growth_mb")) for i in imports],
    )
    row("RSS after the import − before the dry run", [_mb(i.get("rss_delta_mb")) for i in imports])
    row(
        "tracemalloc peak during a dry run of 10,000 other new rows",
        [_mb(i.get("tracemalloc_peak_mb")) for i in imports],
    )
    row(
        "peak memory of the process measuring the pages (max RSS)",
        [_mb(results[b].get("max_rss_mb")) for b in backends],
    )
    row(
        "peak memory of the process importing (max RSS)",
        [_mb(i.get("max_rss_mb")) for i in imports],
    )
    verdicts = [
        "pass" if not (f := import_failures(i)) else "**FAIL** " + "; ".join(f) for i in imports
    ]
    row(
        "import targets",
        verdicts if any(imports) else ["not measured (--no-import)"] * len(imports),
    )
    lines.append("")
    lines.append(run["queries_verdict"])
    lines.append("")
    failed = run["failed"]
    lines.append(
        f"Result: all targets met ({len(ids)} pages and PDFs)."
        if not failed
        else f"Result: {failed} target check(s) failed (marked **FAIL** above)."
    )
    return "\n".join(lines)


# The pages -------------------------------------------------------------------------------


@dataclass
class Page:
    id: str  # "<role>:<url name without namespace>", what --profile takes
    role: str
    name: str
    url: str | None  # None when the data lacks the object the page needs
    kind: str = "page"  # or "pdf"
    missing: str = ""


def build_pages(objects: dict) -> list[Page]:
    """Every main page of every role, with the objects each needs taken from the data."""
    from django.urls import reverse

    def page(role, view, kwargs_of=None, kind="page"):
        name = view.split(":")[-1]
        kwargs = {}
        if kwargs_of:
            needed, build = kwargs_of
            if objects.get(needed) is None:
                return Page(f"{role}:{name}", role, name, None, kind, missing=needed)
            kwargs = build(objects[needed])
        return Page(f"{role}:{name}", role, name, reverse(view, kwargs=kwargs), kind)

    unit = ("leder_unit", lambda u: {"pk": u.pk})
    onboarding = ("onboarding", lambda o: {"pk": o.pk})
    mentorship = ("mentorship", lambda m: {"pk": m.pk})
    cohort = ("cohort", lambda c: {"pk": c.pk})
    vacancy = ("vacancy", lambda v: {"pk": v.pk})
    everyone = [
        "peerprogram:home",
        "recruitment:vacancy_list",
        "education:cohort_list",
        "education:calendar",
        "journal:statistics",
    ]
    managers = [
        "peerprogram:unit_list",
        "peerprogram:staff_list",
        "peerprogram:peer_list",
        "recruitment:checklist_overview",
        "mentoring:overview",
    ]
    pages = []
    for role in ROLES:
        pages += [page(role, view) for view in everyone]
        if role in ("admin", "center", "leder"):
            pages += [page(role, view) for view in managers]
        if role in ("center", "leder"):
            pages += [
                page(role, "peerprogram:unit_detail", unit),
                page(role, "recruitment:checklist", onboarding),
            ]
        if role in ("center", "leder", "peer"):
            pages.append(page(role, "education:cohort_detail", cohort))
        if role in ("leder", "mentor", "peer"):
            pages.append(page(role, "mentoring:mentorship_detail", mentorship))
    pages += [
        page("leder", "recruitment:applicant_board", vacancy),
        page("peer", "journal:caseload"),
        page("peer", "journal:patient_detail", ("note", lambda n: {"pk": n.patient_id})),
        page("peer", "journal:note_detail", ("note", lambda n: {"pk": n.pk})),
        page("leder", "recruitment:onboarding_pdf", onboarding, kind="pdf"),
        page("center", "recruitment:onboarding_pdf", onboarding, kind="pdf"),
        page("center", "recruitment:onboarding_summary_pdf", kind="pdf"),
    ]
    order = {role: i for i, role in enumerate(ROLES)}
    return sorted(pages, key=lambda p: (p.kind == "pdf", order[p.role]))


def find_objects(usernames: dict[str, str]) -> dict:
    """The users of the five roles and the objects their pages show."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from education.models import Cohort, Enrolment
    from journal.models import Note
    from recruitment.models import Onboarding, Vacancy

    users = {
        role: get_user_model().objects.filter(username=name).first()
        for role, name in usernames.items()
    }
    missing = [usernames[role] for role, user in users.items() if user is None]
    if missing:
        raise SystemExit(f"The data has no login named {', '.join(missing)}: seed it first.")
    leder = users["leder"].staff_member
    peer = users["peer"].staff_member.peer
    leder_unit = leder.led_units.order_by("pk").first()
    enrolment = Enrolment.objects.filter(peer=peer).order_by("-pk").first()
    return {
        "users": users,
        "leder_unit": leder_unit,
        "onboarding": Onboarding.objects.filter(peer=peer).first(),
        "mentorship": peer.mentorships.filter(end_date__isnull=True).order_by("-pk").first(),
        "cohort": enrolment.cohort if enrolment else Cohort.objects.order_by("-pk").first(),
        "vacancy": Vacancy.objects.filter(unit=leder_unit)
        .annotate(n=Count("applicants"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .first(),
        # The newest note the peer's patient approved: what a peer opens most.
        "note": Note.objects.filter(peer=peer, status=Note.Status.FINAL).order_by("-pk").first()
        or Note.objects.filter(peer=peer).order_by("-pk").first(),
    }


# The child: measuring inside one backend's process -------------------------------------


class PageError(Exception):
    pass


def _fetch(client, url: str) -> None:
    response = client.get(url, secure=True)
    if response.streaming:
        b"".join(response.streaming_content)
    else:
        response.content  # noqa: B018 - the body is part of the work
    if response.status_code != 200:
        where = f" → {response['Location']}" if response.has_header("Location") else ""
        raise PageError(f"HTTP {response.status_code}{where}")


def _time(client, url: str, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        _fetch(client, url)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _queries(client, url: str) -> tuple[int, list[dict]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _fetch(client, url)
    return len(captured.captured_queries), captured.captured_queries


def _clients(users: dict) -> dict:
    from django.test import Client

    clients = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        clients[role] = client
    return clients


def _data_counts() -> dict[str, int]:
    from journal.models import Note, Patient
    from peerprogram.models import PeerWorker, StaffMember, Unit
    from recruitment.models import Onboarding

    return {
        "units": Unit.objects.count(),
        "staff": StaffMember.objects.count(),
        "peer workers": PeerWorker.objects.count(),
        "onboardings": Onboarding.objects.count(),
        "patients": Patient.objects.count(),
        "notes": Note.objects.count(),
    }


class RssSampler:
    """The process's resident memory, sampled every few milliseconds in a thread."""

    def __init__(self, interval: float = 0.005):
        import threading

        self.interval = interval
        self.peak = self.before = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def _remove_imported_staff() -> None:
    """Leaves the seeded data as it was, so --reuse measures the same thing next time."""
    from peerprogram.models import AuditEvent, StaffMember

    imported = StaffMember.objects.filter(email__endswith=f"@{IMPORT_DOMAIN}")
    ids = list(imported.values_list("pk", flat=True))
    AuditEvent.objects.filter(object_type="peerprogram.staffmember", object_id__in=ids).delete()
    imported.delete()


def _import_client(user):
    """A client of Centre staff on the staff import page, and the units they may fill."""
    from django.test import Client
    from django.urls import reverse

    from peerprogram import access

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("peerprogram:data_import", kwargs={"kind": "staff"})
    _fetch(client, url)
    return client, url, list(access.editable_units_for(user).values_list("name", flat=True))


def _upload(client, url: str, data: bytes) -> None:
    """The first step of an import: upload, dry run, preview. The checked file then waits
    for the confirmation in a CheckedImport row of the user."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from peerprogram.models import CheckedImport

    file = SimpleUploadedFile("staff.csv", data, content_type="text/csv")
    response = client.post(url, {"file": file}, secure=True)
    digest = hashlib.sha256(data).hexdigest()
    if response.status_code != 200 or not CheckedImport.objects.filter(digest=digest).exists():
        raise PageError(f"the dry run was refused (HTTP {response.status_code})")


def _import(user, rows: int = IMPORT_ROWS) -> dict:
    """The staff import as Centre staff do it: upload (dry run, preview), then confirm."""
    import tracemalloc

    from peerprogram.models import StaffMember

    _remove_imported_staff()
    client, url, units = _import_client(user)
    content = staff_csv(units, rows, "run")
    before_count = StaffMember.objects.count()
    try:
        with RssSampler() as dry:
            start = time.perf_counter()
            _upload(client, url, content)
            dry_run_s = time.perf_counter() - start
        digest = hashlib.sha256(content).hexdigest()
        with RssSampler() as real:
            start = time.perf_counter()
            response = client.post(url, {"confirm": "1", "digest": digest}, secure=True)
            real_s = time.perf_counter() - start
        rss_after = rss_mb()
        imported = StaffMember.objects.count() - before_count
        if response.status_code != 302 or imported != rows:
            raise PageError(f"the import made {imported} staff (HTTP {response.status_code})")
        # Python's own allocations, on a second file of new people (tracemalloc slows the
        # run down, so this run is not timed).
        tracemalloc.start()
        _upload(client, url, staff_csv(units, rows, "traced"))
        tracemalloc_peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    finally:
        client.logout()
        _remove_imported_staff()
    return {
        "dry_run_s": dry_run_s,
        "real_s": real_s,
        "growth_mb": max(dry.peak - dry.before, real.peak - real.before),
        "rss_delta_mb": rss_after - dry.before,
        "tracemalloc_peak_mb": tracemalloc_peak,
    }


def child(args: argparse.Namespace) -> None:
    """Measure one backend (the database in DATABASE_URL) and write the results as JSON:
    the pages, or (in a fresh process of its own, as a worker would be) the import."""
    import resource

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    import peerprogram.wsgi  # noqa: F401 - started as a server's worker is (gc.freeze)

    objects = find_objects({role: role for role in ROLES})
    label = BACKEND_NAMES[args.child]
    if args.profile:
        pages = build_pages(objects)
        return _profile(args.profile, pages, _clients(objects["users"]), objects["users"]["center"])
    if args.part == "import":
        result = _import_reported(objects["users"]["center"], label)
    else:
        result = _measure_pages(objects, label, args.repeat)
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")


def _measure_pages(objects: dict, label: str, repeat: int) -> dict:
    from django.urls import reverse

    pages = build_pages(objects)
    clients = _clients(objects["users"])
    floor_url = reverse("bench_floor")
    result = {"data": _data_counts(), "pages": [], "load": [os.getloadavg()[0]]}
    print(f"{label}: measuring {len(pages)} pages and PDFs…", flush=True)
    _fetch(clients["peer"], floor_url)
    floor_samples = _time(clients["peer"], floor_url, FLOOR_REPEAT)
    for page in pages:
        entry = {"id": page.id, "role": page.role, "name": page.name, "kind": page.kind}
        try:
            if page.url is None:
                raise PageError(f"the data has no {page.missing.replace('_', ' ')} for it")
            client = clients[page.role]
            for _ in range(WARMUP):
                _fetch(client, page.url)
            entry["queries"], _captured = _queries(client, page.url)
            samples, beside = [], []
            for _ in range(PDF_REPEAT.get(page.name, repeat)):
                samples += _time(client, page.url, 1)
                if page.kind == "page":
                    # The floor requested between this page's requests: the machine's speed
                    # drifts during a run (a shared VM), and the ratio compares like with like.
                    beside += _time(clients["peer"], floor_url, 1)
            entry.update(url=page.url, p50=percentile(samples, 50), p95=percentile(samples, 95))
            if beside:
                entry["floor_p95"] = percentile(beside, 95)
                floor_samples += beside
            print(
                f"  {page.id:<40} {entry['queries']:>3} queries  p50 {_ms(entry['p50']):>6} ms"
                f"  p95 {_ms(entry['p95']):>6} ms"
                + (f"  {entry['p95'] / entry['floor_p95']:4.1f}× floor" if beside else ""),
                flush=True,
            )
        except PageError as exc:
            entry["error"] = str(exc)
            print(f"  {page.id:<40} ERROR {exc}", flush=True)
        result["pages"].append(entry)
    # The floor again at the end: the machine may have got busier or quieter meanwhile.
    floor_samples += _time(clients["peer"], floor_url, FLOOR_REPEAT)
    result["floor"] = {
        "queries": _queries(clients["peer"], floor_url)[0],
        "p50": percentile(floor_samples, 50),
        "p95": percentile(floor_samples, 95),
    }
    print(
        f"  {'floor':<40} {result['floor']['queries']:>3} queries  p50 "
        f"{_ms(result['floor']['p50']):>6} ms  p95 {_ms(result['floor']['p95']):>6} ms"
    )
    for client in clients.values():
        client.logout()
    result["load"].append(os.getloadavg()[0])
    return result


def _import_reported(user, label: str) -> dict:
    print(f"{label}: importing {IMPORT_ROWS:,} staff rows (dry run, then for real)…", flush=True)
    try:
        result = _import(user)
        print(
            "  dry run {dry_run_s:.1f} s, import {real_s:.1f} s, memory growth "
            "{growth_mb:.0f} MB, tracemalloc peak {tracemalloc_peak_mb:.0f} MB".format(**result),
            flush=True,
        )
        return result
    except PageError as exc:
        print(f"  import ERROR {exc}", flush=True)
        return {"error": str(exc)}


def query_shapes(sqls: list[str], top: int = 10) -> list[tuple[int, str]]:
    """The most repeated statements with their literals blanked out: where an N+1 shows."""
    shapes: dict[str, int] = {}
    for sql in sqls:
        shape = re.sub(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b", "?", " ".join(sql.split()))
        shape = re.sub(r"\((?:\?, )*\?\)", "(…)", shape)
        shapes[shape] = shapes.get(shape, 0) + 1
    return sorted(((n, shape) for shape, n in shapes.items()), key=lambda x: -x[0])[:top]


def _profile(page_id: str, pages: list[Page], clients: dict, centre) -> None:
    """Render one page (or the import's dry run) under pyinstrument; print the profile and
    the queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    if page_id == "import":
        _remove_imported_staff()
        client, url, units = _import_client(centre)
        content = staff_csv(units, IMPORT_ROWS, "profile")
        digest = hashlib.sha256(content).hexdigest()
        try:
            with CaptureQueriesContext(connection) as dry:
                profiler.start()
                _upload(client, url, content)
            with CaptureQueriesContext(connection) as real:
                client.post(url, {"confirm": "1", "digest": digest}, secure=True)
                profiler.stop()
        finally:
            client.logout()
            _remove_imported_staff()
        print(profiler.output_text(unicode=True, color=sys.stdout.isatty()))
        for step, captured in (("Dry run (upload)", dry), ("Import (confirm)", real)):
            print(f"{step} of {IMPORT_ROWS:,} staff rows: {len(captured)} queries; most repeated:")
            for n, shape in query_shapes([q["sql"] for q in captured.captured_queries]):
                print(f"  {n:>6} × {shape[:300]}")
        return
    from django.urls import reverse

    pages = [*pages, Page("peer:floor", "peer", "floor", reverse("bench_floor"))]
    matches = [p for p in pages if p.id == page_id or p.name == page_id]
    if not matches:
        known = "\n  ".join(["import", *(p.id for p in pages)])
        raise SystemExit(f"No page {page_id!r}. The pages are:\n  {known}")
    page = matches[0]
    if page.url is None:
        raise SystemExit(f"{page.id}: the data has no {page.missing} for it.")
    client = clients[page.role]
    for _ in range(WARMUP):
        _fetch(client, page.url)
    count, captured = _queries(client, page.url)
    repeat = PDF_REPEAT.get(page.name, 20)
    profiler.start()
    samples = _time(client, page.url, repeat)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=sys.stdout.isatty()))
    print(
        f"{page.id} ({page.url}): {repeat} requests, p50 {_ms(percentile(samples, 50))} ms, "
        f"p95 {_ms(percentile(samples, 95))} ms, {count} queries:"
    )
    for query in captured:
        sql = " ".join(query["sql"].split())
        print(f"  {float(query['time']) * 1000:7.2f} ms  {sql[:300]}")


# The parent: databases, seeding, children, the report -----------------------------------


def postgres_url(label: str) -> str:
    return urlsplit(report.POSTGRES_URL)._replace(path=f"/peerprogram_bench_{label}").geturl()


def database_url(backend: str, label: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{VAR_DIR / f'bench-{label}.sqlite3'}"
    return postgres_url(label)


def _marker(backend: str, label: str) -> Path:
    return VAR_DIR / f"bench-{label}-{backend}.json"


def _postgres_admin():
    import psycopg

    return psycopg.connect(report.POSTGRES_URL, connect_timeout=5, autocommit=True)


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    try:
        with _postgres_admin() as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        return f"PostgreSQL is not reachable at {report.POSTGRES_URL}: {exc}".strip()
    return None


def _database_exists(backend: str, label: str) -> bool:
    if backend == "sqlite":
        return (VAR_DIR / f"bench-{label}.sqlite3").exists()
    with _postgres_admin() as conn:
        name = f"peerprogram_bench_{label}"
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()


def _recreate_database(backend: str, label: str) -> None:
    if backend == "sqlite":
        path = VAR_DIR / f"bench-{label}.sqlite3"
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from psycopg import sql

    name = sql.Identifier(f"peerprogram_bench_{label}")
    with _postgres_admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _env(backend: str, label: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url(backend, label),
        "PYTHONUNBUFFERED": "1",
    }


def _manage(backend: str, label: str, *command: str) -> tuple[float, str]:
    """Run a manage.py command for one backend, echo its output; (seconds, output)."""
    start = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
        [sys.executable, "manage.py", *command],
        cwd=BASE_DIR,
        env=_env(backend, label),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = []
    for line in process.stdout:
        output.append(line)
        print(f"  {line}", end="", flush=True)
    if process.wait() != 0:
        raise RuntimeError(f"manage.py {' '.join(command)} failed (exit {process.returncode})")
    return time.perf_counter() - start, "".join(output)


def prepare(backend: str, args: argparse.Namespace, label: str) -> str:
    """The database ready for measuring; returns how the seed went, for the report."""
    seed_text = _seed(backend, args, label)
    if backend == "postgres":
        _vacuum_analyze(label)
    return seed_text


def _seed(backend: str, args: argparse.Namespace, label: str) -> str:
    marker = _marker(backend, label)
    name = BACKEND_NAMES[backend]
    if args.reuse and marker.exists() and _database_exists(backend, label):
        seeded = json.loads(marker.read_text(encoding="utf-8"))
        print(f"{name}: reusing the {label} data seeded {seeded['date']}.", flush=True)
        _manage(backend, label, "migrate", "--noinput", "-v", "0")
        return f"reused (seeded in {seeded['seconds']:.1f} s on {seeded['date']})"
    marker.unlink(missing_ok=True)
    print(f"{name}: new database, migrate, seed ({label})…", flush=True)
    _recreate_database(backend, label)
    _manage(backend, label, "migrate", "--noinput", "-v", "0")
    if args.seed == "demo":
        wall, output = _manage(backend, label, "seed_demo", "--force")
    else:
        wall, output = _manage(backend, label, "seed_scale", "--scale", args.scale, "--force")
    seconds = seed_seconds(output) or wall
    stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    marker.write_text(json.dumps({"seconds": seconds, "date": stamp}), encoding="utf-8")
    return f"{seconds:.1f} s"


def _vacuum_analyze(label: str) -> None:
    """Planner statistics as autovacuum keeps them in a running system. Straight after the
    seed they are missing: PostgreSQL then misjudges queries as huge and picks plans (and,
    were JIT not off in the settings, compiling) no production database would show."""
    import psycopg

    print("PostgreSQL: VACUUM ANALYZE (planner statistics as in a running system)…", flush=True)
    with psycopg.connect(postgres_url(label), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _child(backend: str, args: argparse.Namespace, label: str, part: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "bench.run", "--child", backend, "--part", part]
        command += ["--scale", args.scale, "--out", str(out), "--repeat", str(args.repeat)]
        if args.profile:
            command += ["--profile", args.profile]
        code = subprocess.run(  # noqa: S603 - our own arguments, no shell
            command, cwd=BASE_DIR, env=_env(backend, label)
        ).returncode
        if code != 0:
            return {"error": f"the measuring process failed (exit {code}); see its output above"}
        if args.profile:
            return {}
        return json.loads(out.read_text(encoding="utf-8"))


def measure(backend: str, args: argparse.Namespace, label: str) -> dict:
    """The pages in one process, then the import in a fresh one (its memory its own)."""
    result = _child(backend, args, label, "pages")
    if args.profile or result.get("error"):
        return result
    result["import"] = {} if args.no_import else _child(backend, args, label, "import")
    return result


def _collectstatic() -> None:
    # DEBUG off serves static files from the manifest, which collectstatic writes.
    print("Collecting static files for DEBUG off (var/bench-static)…", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        check=True,
    )


def _queries_file(label: str) -> Path:
    return VAR_DIR / f"bench-queries-{label}.json"


def compare_scales(run: dict) -> tuple[dict[str, dict[str, int]], str]:
    """The other scale's query counts per backend, and a sentence about the comparison."""
    label = run["label"]
    other_label = {"region": "nation", "nation": "region"}.get(label)
    other_file = _queries_file(other_label) if other_label else None
    if other_file is None or not other_file.exists():
        return {}, (
            f"Query counts at region and nation scale: not compared (no run at "
            f"{other_label or 'another'} scale yet; run `make bench SCALE={other_label}`)."
            if other_label
            else "Query counts: not compared (demo data)."
        )
    other = json.loads(other_file.read_text(encoding="utf-8"))
    sentences = []
    for backend, results in run["backends"].items():
        this = {p["id"]: p["queries"] for p in results.get("pages", []) if "queries" in p}
        theirs = other["queries"].get(backend, {})
        if not theirs:
            continue
        differ = query_mismatches(this, theirs)
        name = BACKEND_NAMES[backend]
        if differ:
            listed = ", ".join(f"{p} {a} vs {b}" for p, (a, b) in differ.items())
            sentences.append(f"{name}: **differ** on {listed}")
        else:
            sentences.append(f"{name}: the same on all {len(set(this) & set(theirs))} pages")
    when = f"{other_label} run of {other['date']}, commit `{other['commit']}`"
    verdict = "; ".join(sentences) or "no backend measured at both scales"
    caveat = ""
    if other["commit"] != run.get("commit") or other["commit"].endswith("+dirty"):
        caveat = (
            " The two runs may have measured different code (another commit, or uncommitted "
            "changes): measure both scales on the same code before trusting a difference."
        )
    return other["queries"], f"Query counts here vs the {when}: {verdict}.{caveat}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=["region", "nation"], default="region")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already seeded at this scale"
    )
    parser.add_argument("--only", choices=BACKENDS, help="measure one backend only")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="requests per page")
    parser.add_argument(
        "--no-import", action="store_true", help="skip the staff import (quicker; reported so)"
    )
    parser.add_argument(
        "--profile",
        metavar="PAGE",
        help="profile one page (e.g. center:staff_list, or 'import') and stop",
    )
    # Until seed_scale exists, the demo data stands in (hidden: not for reports).
    parser.add_argument(
        "--seed", choices=["scale", "demo"], default="scale", help=argparse.SUPPRESS
    )
    parser.add_argument("--child", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--part", choices=["pages", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.child:
        child(args)
        return 0

    label = "demo" if args.seed == "demo" else args.scale
    backends = [args.only] if args.only else list(BACKENDS)
    if args.profile:
        backends = backends[:1]
        args.reuse = True
    skipped = {}
    if "postgres" in backends and (problem := postgres_problem()):
        print(f"\n*** {problem}", file=sys.stderr, flush=True)
        if backends == ["postgres"]:
            return 1
        print("*** Measuring SQLite only.\n", file=sys.stderr, flush=True)
        backends.remove("postgres")
        skipped["postgres"] = problem
    for backend in BACKENDS:
        if backend not in backends:
            skipped.setdefault(backend, f"--only {args.only}")

    if not (args.profile and (VAR_DIR / "bench-static" / "staticfiles.json").exists()):
        _collectstatic()
    run = {
        "scale": args.scale,
        "label": label,
        "seed": args.seed,
        "repeat": args.repeat,
        "backends": {},
        "skipped": skipped,
    }
    for backend in backends:
        try:
            seed_text = prepare(backend, args, label)
        except Exception as exc:  # a failed seed or database command: report it, go on
            print(f"{BACKEND_NAMES[backend]}: {exc}", file=sys.stderr, flush=True)
            run["backends"][backend] = {"error": str(exc), "seed_text": "failed"}
            continue
        result = measure(backend, args, label)
        result["seed_text"] = seed_text
        run["backends"][backend] = result
    if args.profile:
        return 0 if not any(r.get("error") for r in run["backends"].values()) else 1

    run["date"] = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    run["machine"] = report.machine()
    run["commit"] = report.commit()
    other_queries, run["queries_verdict"] = compare_scales(run)
    failed = 0
    for backend, result in run["backends"].items():
        if result.get("error"):
            failed += 1
            continue
        floor = result["floor"]["p95"]
        for page in result["pages"]:
            other = other_queries.get(backend, {}).get(page["id"])
            page["failures"] = page_failures(
                page, floor_p95=page.get("floor_p95", floor), other_scale_queries=other
            )
            failed += len(page["failures"])
        failed += len(import_failures(result["import"]))
    run["failed"] = failed

    if label in ("region", "nation"):
        queries = {
            backend: {p["id"]: p["queries"] for p in result.get("pages", []) if "queries" in p}
            for backend, result in run["backends"].items()
        }
        _queries_file(label).write_text(
            json.dumps(
                {"date": run["date"], "commit": run["commit"], "queries": queries}, indent=1
            ),
            encoding="utf-8",
        )
    # Everything measured, for a closer look than the table gives.
    (VAR_DIR / f"bench-run-{label}.json").write_text(json.dumps(run, indent=1), encoding="utf-8")
    text = markdown(run)
    print("\n" + text + "\n")
    if args.seed == "demo":
        print("Demo data: not written to docs/performance.md.")
    else:
        report.write_section(f"bench-{label}", text)
        print(f"Written to {report.PERFORMANCE_MD.relative_to(BASE_DIR)} (section bench-{label}).")
    # A missed target is reported, not an error of the run; a page that fails is.
    broken = [
        r
        for r in run["backends"].values()
        if r.get("error") or any(p.get("error") for p in r["pages"]) or r["import"].get("error")
    ]
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
