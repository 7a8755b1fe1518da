"""The standard cast: a leader, a peer, a mentor, Centre staff, an admin and an outsider.

Unit A holds the leader, the peer and the peer's mentor. The outsider leads unit B.
"""

import contextlib
import datetime
import gc
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import TypeVar

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from django.test import TransactionTestCase, override_settings
from django.utils import timezone, translation

from peerprogram.models import PeerWorker, StaffMember, Unit
from recruitment import services as recruitment_services
from recruitment.models import CommitteeMember

from . import snapshots
from .factories import (
    MentorshipFactory,
    PeerWorkerFactory,
    StaffMemberFactory,
    UnitFactory,
    UserFactory,
)

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="session", autouse=True)
def _fresh_database(django_db_setup, django_db_blocker) -> Iterator[str]:
    """Every run starts on a freshly migrated database and leaves one behind.

    With `--reuse-db` the test database outlives the run, and a run stopped half-way may
    leave a test's committed rows in it (a browser test's demo programme). So the migrated
    state is kept as a snapshot and put back at the start and at the end, and after every
    test with committed rows (`_transactional_tests_end_migrated`). Yields the snapshot's
    name.
    """
    with django_db_blocker.unblock():
        name = f"base_{snapshots.migrations_fingerprint()}"
        if snapshots.exists(name):
            snapshots.restore(name)
        else:
            snapshots.take(name)
    yield name
    with django_db_blocker.unblock():
        snapshots.restore(name)


@pytest.fixture(scope="session", autouse=True)
def _transactional_tests_end_migrated(_fresh_database) -> Iterator[None]:
    """A test with committed rows (transactional_db, the browser tests' live server among
    them) ends with the database put back to its freshly migrated rows, whatever test comes
    next on this worker.

    Django ends such a test by emptying every table (a TRUNCATE on PostgreSQL: about half
    a second) and sending post_migrate (content types and permissions made again), only
    for the migrated rows to be copied back after it. The copy alone does both jobs.
    """

    def put_back_migrated_rows(self: TransactionTestCase) -> None:
        snapshots.restore(_fresh_database)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", put_back_migrated_rows)
        yield


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before a test that drives no browser: Chromium stopped, if a browser test before it
    on this worker left it running (tests/e2e/chromium.py)."""
    if item.get_closest_marker("browser") is None:
        from tests.e2e import chromium

        chromium.stop()


# After every 50th test on a worker: what the tests so far left behind in reference cycles
# collected, and what is still alive (Django, the snapshots, the module's objects) frozen out
# of the collector's reach, as a server's worker does (peerprogram/wsgi.py). Without it each
# full collection walked some half a million objects again: about 8 of a worker's 100
# seconds on the suite without the browser tests, half of that with it.
COLLECT_AND_FREEZE_EVERY = 50
_finished = 0


def pytest_runtest_logfinish(nodeid: str, location: tuple) -> None:
    global _finished
    _finished += 1
    if _finished % COLLECT_AND_FREEZE_EVERY == 0:
        gc.collect()
        gc.freeze()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked `long` run first (after pytest-django's own ordering, stable).

    The workers take the list in two halves and then from each other's ends: a long test
    that starts late keeps one worker busy while the other has nothing left to do.
    """
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(autouse=True)
def _danish(settings):
    """Each test starts in Danish (a request in English leaves English active)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def _demo_snapshot(_fresh_database, django_db_blocker) -> str:
    """Seed the fictional demo programme once per session and keep a copy of its rows."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        call_command("seed_demo", force=True, verbosity=0)
        snapshots.take("demo")
        snapshots.restore(_fresh_database)
    return "demo"


@pytest.fixture
def demo_programme(db, _demo_snapshot) -> None:
    """The demo programme as `seed_demo` leaves it, copied from the session's snapshot.

    Inside the test's transaction, so it is undone afterwards; a test that also asks for
    `transactional_db` gets it committed (and the migrated rows back afterwards, as such
    tests do)."""
    snapshots.restore(_demo_snapshot)


@dataclass
class Cast:
    unit: Unit
    other_unit: Unit
    centre_unit: Unit
    leader: StaffMember
    peer: PeerWorker
    mentor: StaffMember
    centre: StaffMember
    outsider: StaffMember
    other_peer: PeerWorker
    admin_user: object

    def user(self, role: str):
        return {
            "anonymous": AnonymousUser(),
            "leader": self.leader.user,
            "peer": self.peer.staff_member.user,
            "mentor": self.mentor.user,
            "centre": self.centre.user,
            "admin": self.admin_user,
            "outsider": self.outsider.user,
        }[role]


T = TypeVar("T")

ROLES = ["anonymous", "leader", "peer", "mentor", "centre", "admin", "outsider"]


def build_cast() -> Cast:
    """Create the cast in the database (the caller provides database access)."""
    unit = UnitFactory(name="F-ACT Øst")
    other_unit = UnitFactory(name="F-ACT Vest")
    centre_unit = UnitFactory(name="Center for Recovery og Samskabelse", kind=Unit.Kind.OTHER)
    leader = StaffMemberFactory(name="Lene Leder", unit=unit, user=UserFactory(username="leader"))
    unit.leader = leader
    unit.save()
    peer = PeerWorkerFactory(
        staff_member__name="Pia Peer",
        staff_member__unit=unit,
        staff_member__user=UserFactory(username="peer"),
    )
    mentor = StaffMemberFactory(name="Mads Mentor", unit=unit, user=UserFactory(username="mentor"))
    MentorshipFactory(peer=peer, mentor=mentor)
    centre = StaffMemberFactory(
        name="Cecilie Center",
        unit=centre_unit,
        is_centre_staff=True,
        profession=StaffMember.Profession.OTHER,
        user=UserFactory(username="centre"),
    )
    outsider = StaffMemberFactory(
        name="Ole Udenfor", unit=other_unit, user=UserFactory(username="outsider")
    )
    other_unit.leader = outsider
    other_unit.save()
    other_peer = PeerWorkerFactory(staff_member__name="Per Anden", staff_member__unit=other_unit)
    admin_user = UserFactory(username="admin", is_superuser=True, is_staff=True)
    return Cast(
        unit=unit,
        other_unit=other_unit,
        centre_unit=centre_unit,
        leader=leader,
        peer=peer,
        mentor=mentor,
        centre=centre,
        outsider=outsider,
        other_peer=other_peer,
        admin_user=admin_user,
    )


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()


@contextlib.contextmanager
def built_once(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """Build test data once for a whole module (or session) instead of once per test.

    The data is written inside a transaction that is rolled back when the context ends, so
    every test of the module sees it, whether it asks for it or not: keep such a module to
    the tests that use the data. Passwords are hashed as the tests' own are.
    Each test that asks for `db` runs in a savepoint nested in it, so what one test writes
    is undone before the next, while the objects built here stay for all of them. Use it
    from a module-scoped fixture:

        @pytest.fixture(scope="module")
        def world(django_db_setup, django_db_blocker):
            with built_once(django_db_blocker, build_world) as world:
                yield world
    """
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            value = build()
            # The foreign keys of what was built are checked now, once, in the outer
            # transaction. Left deferred, PostgreSQL would check them again at the end of
            # every test: each test's savepoint rollback hands the pending checks back.
            connection.check_constraints()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def client_for(client, cast):
    """A test client logged in as one of the cast (or anonymous)."""

    def make(role: str, lang: str = "da"):
        if django_settings.SESSION_COOKIE_NAME in client.cookies:
            client.logout()
        else:
            # Nobody logged in yet: Client.logout() would save a session only to flush it.
            client.cookies = SimpleCookie()
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = lang
        if role != "anonymous":
            client.force_login(cast.user(role))
        return client

    return make


@pytest.fixture
def vacancy(cast):
    """A published vacancy in the leader's unit, with a full committee."""
    today = timezone.localdate()
    vacancy = recruitment_services.vacancy_create(
        by=cast.leader.user,
        unit=cast.unit,
        title="Peermedarbejder",
        hours_per_week=25,
        employment_form="permanent",
        planned_start_date=today + datetime.timedelta(days=60),
        application_deadline=today + datetime.timedelta(days=14),
        contact_person=cast.leader,
    )
    recruitment_services.vacancy_set_status(
        vacancy=vacancy, by=cast.leader.user, status="published"
    )
    recruitment_services.committee_add(
        vacancy=vacancy,
        by=cast.leader.user,
        staff_member=cast.mentor,
        seat=CommitteeMember.Seat.STAFF_REP,
    )
    recruitment_services.committee_add(
        vacancy=vacancy,
        by=cast.leader.user,
        staff_member=cast.centre,
        seat=CommitteeMember.Seat.CENTRE,
    )
    vacancy.refresh_from_db()
    return vacancy
