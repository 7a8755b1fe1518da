"""Writes at the same moment on the embedded database (SQLite in a file, as `make run` and
small installations use it): none fails with "database is locked", and each ends right.

A real server (gunicorn, two processes of four threads, as in production) gets the writes
at once from logged-in sessions with their CSRF tokens: an autosave crossing "Next" in
co-writing, two hires for one vacancy and one for another, and two enrolments for the last
seat of a cohort. The suite's own SQLite database lives in memory, where WAL does not
apply: the world is built there, copied into a file with SQLite's backup API and served
from the file.
"""

import contextlib
import datetime
import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from education import services as education_services
from education.models import Cohort, Enrolment
from journal import services as journal_services
from journal.models import Note, NoteVersion
from peerprogram.backup.archive import extra_connection
from peerprogram.models import PeerWorker, StaffMember, Unit
from peerprogram.views import server_error
from recruitment import services as recruitment_services
from recruitment.models import Applicant, Vacancy
from tests.education.factories import CohortFactory
from tests.factories import PeerWorkerFactory

pytestmark = pytest.mark.skipif(
    connections["default"].vendor != "sqlite", reason="about the embedded database, SQLite"
)

ROOT = Path(__file__).resolve().parents[2]
# Pairs of crossing writes of each kind, all sent in one burst: 21 requests at once.
ROUNDS = 3
TODAY = timezone.localdate


# The server and the people using it -------------------------------------------------------


@dataclass
class Answer:
    status: int
    location: str
    cookies: dict[str, str]
    body: str


@dataclass
class Browser:
    """One person's browser: the session cookie a login gave it, and the CSRF cookie."""

    port: int
    cookies: dict[str, str]

    def request(self, method: str, path: str, data: dict | None = None, **headers) -> Answer:
        conn = self.connect()
        try:
            return self.send(conn, method, path, data, **headers)
        finally:
            conn.close()

    def connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.connect()
        return conn

    def send(self, conn, method: str, path: str, data: dict | None = None, **headers) -> Answer:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        headers = {"Cookie": cookie, **headers}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        jar = SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or []:
            jar.load(value)
        return Answer(
            status=response.status,
            location=response.getheader("Location", ""),
            cookies={name: morsel.value for name, morsel in jar.items()},
            body=response.read().decode(),
        )

    def form(self, path: str) -> str:
        """Open a form page as the person would: the CSRF token its form posts."""
        answer = self.request("GET", path)
        assert answer.status == 200, (path, answer.status)
        self.cookies.update(answer.cookies)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.body).group(1)

    def follow(self, answer: Answer) -> str:
        """The page a redirect leads to, with the messages it left in a cookie."""
        page = Browser(self.port, {**self.cookies, **answer.cookies})
        followed = page.request("GET", answer.location)
        assert followed.status == 200, (answer.location, followed.status)
        return followed.body


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def served(database: Path, log: Path):
    """gunicorn on the database file, with the app's settings (DEBUG on: no collectstatic)."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "peerprogram.settings",
        "DEBUG": "true",
        "CONN_MAX_AGE": "60",  # production's default: each thread keeps its connection
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [sys.executable, "-m", "gunicorn", "peerprogram.wsgi", "--workers", "2"]
    command += ["--threads", "4", "--bind", f"127.0.0.1:{port}"]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            with contextlib.suppress(OSError):
                if Browser(port, {}).request("GET", "/accounts/login/").status == 200:
                    break
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def at_once(requests: dict[str, tuple]) -> dict[str, Answer]:
    """Send every request at the same moment, each from a thread of its own, on a
    connection opened beforehand."""
    ready = threading.Barrier(len(requests))
    answers: dict[str, Answer] = {}
    failures: dict[str, BaseException] = {}

    def send(name, browser, path, data, headers):
        conn = browser.connect()
        try:
            ready.wait(timeout=30)
            answers[name] = browser.send(conn, "POST", path, data, **headers)
        except BaseException as exc:  # reported below, in the test's own thread
            failures[name] = exc
        finally:
            conn.close()

    threads = [
        threading.Thread(target=send, args=(name, *request)) for name, request in requests.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == {}
    return answers


# The world ---------------------------------------------------------------------------------


@dataclass
class Round:
    """Each kind of crossing writes once."""

    n: int
    cohort: Cohort
    our_peer: PeerWorker  # enrolled by the leader
    their_peer: PeerWorker  # enrolled by the other unit's leader, at the same moment
    vacancy: Vacancy
    first: Applicant  # hired by the leader
    second: Applicant  # hired by an administrator, at the same moment
    elsewhere: Applicant  # hired by the other unit's leader, on a vacancy of their unit
    note: Note
    version: int  # of the note's draft, as the co-writing screen shows it
    text: str


def _vacancy(leader: StaffMember, unit: Unit, n: int) -> Vacancy:
    vacancy = recruitment_services.vacancy_create(
        by=leader.user,
        unit=unit,
        title=f"Peermedarbejder {n}",
        hours_per_week=25,
        employment_form="permanent",
        planned_start_date=TODAY() + datetime.timedelta(days=60),
        application_deadline=TODAY() + datetime.timedelta(days=14),
        contact_person=leader,
    )
    recruitment_services.vacancy_set_status(vacancy=vacancy, by=leader.user, status="published")
    return vacancy


def _applicant(vacancy: Vacancy, leader: StaffMember, name: str) -> Applicant:
    email = f"{name.split()[0].lower()}@example.org"
    return recruitment_services.applicant_add(
        vacancy=vacancy, by=leader.user, name=name, email=email
    )


def _round(cast, n: int) -> Round:
    # A cohort of two seats with one taken: the other is the last.
    cohort = CohortFactory(name=f"Hold {n}", capacity=2)
    education_services.enrol(
        cohort=cohort,
        by=cast.centre.user,
        external_name=f"Eva Ekstern {n}",
        external_organisation="Aalborg Kommune",
        external_contact="eva@example.org",
        centre=True,
    )
    vacancy = _vacancy(cast.leader, cast.unit, n)
    peer_user = cast.peer.staff_member.user
    patient = journal_services.patient_create(
        by=peer_user,
        peer=cast.peer,
        name=f"Patient {n}",
        reference=f"F-{n}",
        consent_date=TODAY() - datetime.timedelta(days=3),
        consent_given="orally",
    )
    note = journal_services.note_start(
        patient=patient,
        peer=cast.peer,
        by=peer_user,
        date=TODAY(),
        place="outpatient",
        activity="conversation",
        minutes=45,
    )
    return Round(
        n=n,
        cohort=cohort,
        our_peer=PeerWorkerFactory(
            staff_member__name=f"Anna Andersen {n}", staff_member__unit=cast.unit
        ),
        their_peer=PeerWorkerFactory(
            staff_member__name=f"Bo Bech {n}", staff_member__unit=cast.other_unit
        ),
        vacancy=vacancy,
        first=_applicant(vacancy, cast.leader, f"Frida{n} Først"),
        second=_applicant(vacancy, cast.leader, f"Sofus{n} Samtidig"),
        elsewhere=_applicant(
            _vacancy(cast.outsider, cast.other_unit, n), cast.outsider, f"Ellen{n} Andetsteds"
        ),
        note=note,
        version=journal_services.draft_of(note).version,
        text=f"En gåtur ved havet, dag {n}",
    )


def _logged_in(user) -> dict[str, str]:
    """The session cookie of a login (the session row is in the database)."""
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def _into_file(path: Path) -> None:
    """The test database, with the world in it, copied into a file."""
    target = sqlite3.connect(path)
    try:
        connection.ensure_connection()
        connection.connection.backup(target)
    finally:
        target.close()


# The test ----------------------------------------------------------------------------------

HIRE = {
    "start_date": (TODAY() + datetime.timedelta(days=30)).isoformat(),
    "hours_per_week": "25",
    "employment_form": "permanent",
    "probation_months": "3",
}


@pytest.mark.django_db(transaction=True)
def test_writes_at_the_same_moment_all_succeed_on_the_embedded_database_and_end_right(
    cast, tmp_path
):
    rounds = [_round(cast, n) for n in range(1, ROUNDS + 1)]
    sessions = {
        role: _logged_in(cast.user(role)) for role in ("leader", "outsider", "admin", "peer")
    }
    database, log = tmp_path / "peerprogram.sqlite3", tmp_path / "gunicorn.log"
    _into_file(database)

    with served(database, log) as port:
        browser = {role: Browser(port, dict(cookies)) for role, cookies in sessions.items()}
        # Each person opens a form once: the CSRF token of their session.
        first = rounds[0]
        token = {
            role: browser[role].form(path)
            for role, path in (
                ("leader", reverse("education:enrol", args=[first.cohort.pk])),
                ("outsider", reverse("recruitment:applicant_hire", args=[first.elsewhere.pk])),
                ("admin", reverse("recruitment:applicant_hire", args=[first.second.pk])),
                ("peer", reverse("journal:note_write", args=[first.note.pk]) + "?step=hope"),
            )
        }
        requests = {}
        for r in rounds:
            n = r.n
            enrol = reverse("education:enrol", args=[r.cohort.pk])
            for key, role, peer in (
                ("ours", "leader", r.our_peer),
                ("theirs", "outsider", r.their_peer),
            ):
                data = {"csrfmiddlewaretoken": token[role], "peer": peer.pk}
                requests[f"enrol {key} {n}"] = (browser[role], enrol, data, {})
            for key, role, applicant in (
                ("first", "leader", r.first),
                ("second", "admin", r.second),
                ("elsewhere", "outsider", r.elsewhere),
            ):
                hire = reverse("recruitment:applicant_hire", args=[applicant.pk])
                data = {"csrfmiddlewaretoken": token[role], **HIRE}
                requests[f"hire {key} {n}"] = (browser[role], hire, data, {})
            write = reverse("journal:note_write", args=[r.note.pk])
            typed = {"csrfmiddlewaretoken": token["peer"], "step": "hope", "version": r.version}
            typed["hope"] = r.text
            autosave = reverse("journal:note_autosave", args=[r.note.pk])
            requests[f"autosave {n}"] = (browser["peer"], autosave, typed, {"HX-Request": "true"})
            requests[f"next {n}"] = (browser["peer"], write, {**typed, "next": "1"}, {})

        answers = at_once(requests)
        # No 500 ("database is locked") and no 503: every write was taken.
        failed = {name: a.status for name, a in answers.items() if a.status >= 400}
        assert failed == {}, log.read_text()
        pages = {
            name: browser["leader" if "ours" in name else "outsider"].follow(answer)
            for name, answer in answers.items()
            if name.startswith("enrol")
        }

    with extra_connection(like="default", NAME=str(database)) as alias:
        for r in rounds:
            n = r.n
            # Two enrolments for the last seat: one seat, one place on the waiting list, and
            # each leader is told which.
            cohort_url = reverse("education:cohort_detail", args=[r.cohort.pk])
            assert [answers[f"enrol {key} {n}"].location for key in ("ours", "theirs")] == [
                cohort_url,
                cohort_url,
            ]
            enrolments = Enrolment.objects.using(alias).filter(cohort=r.cohort)
            seat_of = dict(enrolments.values_list("peer_id", "status"))
            assert seat_of.pop(None) == Enrolment.Status.ENROLLED  # the external participant
            assert sorted(seat_of) == sorted([r.our_peer.pk, r.their_peer.pk])
            assert sorted(seat_of.values()) == [
                Enrolment.Status.ENROLLED,
                Enrolment.Status.WAITING,
            ]
            for key, peer in (("ours", r.our_peer), ("theirs", r.their_peer)):
                told = (
                    f"{peer.name} har fået en plads på {r.cohort.name}."
                    if seat_of[peer.pk] == Enrolment.Status.ENROLLED
                    else f"{r.cohort.name} er fuldt: {peer.name} er sat på venteliste"
                )
                assert told in pages[f"enrol {key} {n}"]

            # Two hires for one vacancy: one is recorded, the other is refused, saying why.
            hired = {key: answers[f"hire {key} {n}"] for key in ("first", "second")}
            won = [key for key, answer in hired.items() if answer.status == 302]
            assert len(won) == 1
            lost = "second" if won == ["first"] else "first"
            assert hired[lost].status == 200
            assert "Stillingen er besat." in hired[lost].body
            winner, loser = getattr(r, won[0]), getattr(r, lost)
            stored = Applicant.objects.using(alias).in_bulk([winner.pk, loser.pk])
            assert (stored[winner.pk].stage, stored[loser.pk].stage) == ("hired", loser.stage)
            assert stored[loser.pk].hired_peer_id is None
            peer = PeerWorker.objects.using(alias).get(pk=stored[winner.pk].hired_peer_id)
            assert peer.staff_member.email == winner.email
            checklist = reverse("recruitment:checklist", args=[peer.onboarding.pk])
            assert hired[won[0]].location == checklist
            assert (
                StaffMember.objects.using(alias)
                .filter(email__in=[winner.email, loser.email])
                .count()
                == 1
            )
            assert Vacancy.objects.using(alias).get(pk=r.vacancy.pk).status == "filled"
            # A hire elsewhere at the same moment is recorded as well.
            elsewhere = Applicant.objects.using(alias).get(pk=r.elsewhere.pk)
            assert (answers[f"hire elsewhere {n}"].status, elsewhere.stage) == (302, "hired")

            # An autosave crossing "Next" with the same text: both are taken, the text is
            # saved once, and the screen goes on to the next step.
            assert "Kladde gemt kl." in answers[f"autosave {n}"].body
            assert "Ikke gemt" not in answers[f"autosave {n}"].body
            assert answers[f"next {n}"].location == (
                reverse("journal:note_write", args=[r.note.pk]) + "?step=identity"
            )
            draft = NoteVersion.objects.using(alias).get(note=r.note, status="draft")
            assert (draft.hope, draft.version) == (r.text, r.version + 1)

    # The server ran the database in WAL mode (it stays so in the file).
    with contextlib.closing(sqlite3.connect(database)) as check:
        assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)


# When a write still waits too long ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_database_still_locked_after_the_busy_timeout_gives_the_busy_page(rf, tmp_path):
    database = tmp_path / "locked.sqlite3"
    _into_file(database)
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer that does not let go in time
    options = {**connection.settings_dict["OPTIONS"], "timeout": 0.1}
    response = None
    try:
        with extra_connection(like="default", NAME=str(database), OPTIONS=options) as alias:
            try:
                Unit.objects.using(alias).create(
                    name="F-ACT Nord", kind=Unit.Kind.FACT, organisation="Region Nordjylland"
                )
            except OperationalError:  # as Django raises it, from the driver's error
                response = server_error(rf.get("/journal/notes/1/write/?step=hope"))
    finally:
        holder.close()
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    body = response.content.decode()
    assert "<title>Peerprogram har travlt lige nu · Peerprogram</title>" in body
    assert "<h1>Peerprogram har travlt lige nu</h1>" in body
    assert (
        "Peerprogram var i gang med at gemme andre ændringer og nåede ikke dine i tide. "
        "Det, du lige har gjort, er måske ikke blevet gemt." in body
    )
    assert "<p>Vent et par sekunder, og prøv igen.</p>" in body
    assert '<a href="/journal/notes/1/write/?step=hope">Prøv igen</a>' in body
    # Not the page for a database that cannot be reached, and nothing of the error.
    assert "kontakt til sin database" not in body
    assert [leak for leak in ("locked", "OperationalError", "Traceback") if leak in body] == []


@pytest.mark.django_db
def test_a_commit_on_the_embedded_database_waits_for_the_disk():
    """synchronous=FULL (2): an approval the user was told is saved survives a power cut."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone() == (2,)
