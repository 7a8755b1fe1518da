"""Only a POST changes data, and every POST needs the CSRF token.

Both tests walk the permission matrix (tests/peerprogram/test_permissions.py), so a new
URL is covered here as soon as it has its row there.
"""

import functools

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.urls import resolve, reverse

from journal import services as journal_services
from journal.models import NoteAccess
from mentoring.models import CheckIn
from peerprogram.models import Unit
from tests.conftest import ROLES

from .test_permissions import MATRIX

# What a read may write: table -> why. Every other table must be the same after a GET.
WRITTEN_BY_A_READ = {
    "sessions.Session": "A request moves the idle timeout on (saved at most once a minute).",
}
# Logs a read adds its own rows to, without touching any row already there.
APPENDED_BY_A_READ = {
    "journal.NoteAccess": "Each page that shows note content logs the read before showing it.",
}


def _tables():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.label not in WRITTEN_BY_A_READ
    ]


@functools.cache
def _reads() -> list[tuple[str, str]]:
    """(table label, SELECT of every row's columns by primary key) for each table: the
    statements are written once, since a snapshot reads some ninety tables twice a test."""
    quote = connection.ops.quote_name
    reads = []
    for model in _tables():
        meta = model._meta
        columns = ", ".join(quote(c) for c in [meta.pk.column, *_db_columns(model)])
        reads.append(
            (
                meta.label,
                f"SELECT {columns} FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)}",
            )
        )
    return reads


def _snapshot() -> dict[str, dict]:
    """Every row of every table, as the database holds it, by table and primary key."""
    found = {}
    with connection.cursor() as cursor:
        for label, sql in _reads():
            cursor.execute(sql)
            found[label] = {row[0]: row for row in cursor.fetchall()}
    return found


def _columns(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _db_columns(model) -> list[str]:
    """The same fields' columns, in the same order."""
    return [field.column for field in model._meta.concrete_fields]


def _changes(before: dict, after: dict, readers) -> list[str]:
    """What differs between two snapshots, in words; an empty list when nothing does.
    `readers` are the users whose own access log rows a read may add."""
    reader_pks = {user.pk for user in readers if user.pk is not None}
    found = []
    for label, old in before.items():
        new = after[label]
        added = sorted(new.keys() - old.keys())
        removed = sorted(old.keys() - new.keys())
        changed = sorted(pk for pk in old.keys() & new.keys() if old[pk] != new[pk])
        if label in APPENDED_BY_A_READ:
            user_column = 1 + _columns(apps.get_model(label)).index("user_id")
            added = [pk for pk in added if new[pk][user_column] not in reader_pks]
        for what, pks, rows in (("added", added, new), ("removed", removed, old)):
            if pks:
                found.append(f"{label}: {what} {[rows[pk] for pk in pks[:3]]}")
        for pk in changed[:3]:
            found.append(f"{label}: changed {old[pk]} -> {new[pk]}")
    return found


def _client(cast, role: str, **kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    if role != "anonymous":
        client.force_login(cast.user(role))
    return client


@pytest.fixture
def cast(world, db):
    """The cast of the module's world (tests/peerprogram/conftest.py), built once."""
    return world._cast


ROWS = [
    pytest.param(name, kwargs, method, expected, id=f"{name}-{method}-{i}")
    for i, (name, kwargs, method, expected) in enumerate(MATRIX)
]


@pytest.mark.parametrize(("name", "kwargs", "method", "expected"), ROWS)
def test_a_get_changes_no_data_and_a_post_only_url_refuses_it(
    world, cast, world_client_for, name, kwargs, method, expected
):
    url = reverse(name, kwargs=kwargs(world))
    # LoginRequiredMiddleware sends the anonymous to the login page before any view runs.
    public = getattr(resolve(url).func, "login_required", True) is False
    clients = {role: world_client_for(role) for role in ROLES}
    before = _snapshot()
    with transaction.atomic():
        for role in ROLES:
            response = clients[role].get(url)
            if role == "anonymous" and not public:
                assert response.status_code == 302, (role, url)
                assert response["Location"].startswith(reverse("login") + "?next="), (role, url)
            elif method == "post":
                assert response.status_code == 405, (role, url)
                allowed = {verb.strip() for verb in response["Allow"].split(",")}
                assert allowed - {"OPTIONS"} == {"POST"}, (role, url)
            else:
                # The GET reached the page as the matrix says, so "no change" means something.
                assert response.status_code == expected[role], (role, url)
        # One comparison for all seven reads keeps the test fast ...
        changed = _changes(before, _snapshot(), [cast.user(role) for role in ROLES])
        transaction.set_rollback(True)
    # ... and only when something changed, one read at a time says who changed what.
    if changed:
        changed = []
        for role in ROLES:
            start = _snapshot()
            clients[role].get(url)
            changed += [f"{role}: {c}" for c in _changes(start, _snapshot(), [cast.user(role)])]
    assert changed == [], f"GET {url} changed data:\n" + "\n".join(changed)


def test_the_snapshot_sees_a_changed_row_a_removed_row_and_a_foreign_access_log_row(world, cast):
    """The comparison the test above relies on finds each kind of change."""
    objects = world
    before = _snapshot()
    Unit.objects.filter(pk=cast.unit.pk).update(name="F-ACT Nord")
    objects.cohort.sessions.first().delete()
    peer_user = cast.user("peer")
    NoteAccess.objects.create(
        user=peer_user,
        who="Pia Peer",
        patient_id=objects.patient.pk,
        note_id=objects.note.pk,
        action="view",
    )
    changes = _changes(before, _snapshot(), [cast.user("leader")])
    assert [line.split(":")[0] for line in changes] == [
        "peerprogram.Unit",
        "education.CohortModule",
        "journal.NoteAccess",
    ]
    # The reader's own access log rows are what a read is meant to write.
    assert _changes(before, _snapshot(), [peer_user]) == changes[:2]


OUR_APPS = (
    "peerprogram.",
    "programme.",
    "recruitment.",
    "employment.",
    "mentoring.",
    "education.",
    "journal.",
)


def test_none_of_our_views_takes_put_patch_or_delete(world, world_client_for):
    """Each of our views names the methods it takes, so nothing changes data by another
    verb. (Django's own form views answer PUT like a POST, which carries no form data.)"""
    objects = world
    clients = {role: world_client_for(role) for role in ROLES}
    taken = []
    for name, kwargs, _method, expected in MATRIX:
        url = reverse(name, kwargs=kwargs(objects))
        if not resolve(url).func.__module__.startswith(OUR_APPS):
            continue
        role = _poster(expected)
        client = clients[role]
        for verb in ("put", "patch", "delete"):
            response = getattr(client, verb)(url)
            if response.status_code != 405:
                taken.append(f"{verb.upper()} {url} as {role}: {response.status_code}")
    assert taken == [], "URLs that answer PUT, PATCH or DELETE:\n" + "\n".join(taken)


# CSRF ------------------------------------------------------------------------------------


def _poster(expected: dict) -> str:
    """A role the matrix lets through, so a missing 403 would mean the POST got in; a
    logged-in one where any is (an anonymous request to a page that needs a login is sent
    to the login page before the view is asked)."""
    allowed = [role for role in ROLES if expected[role] in (200, 302)]
    logged_in = [role for role in allowed if role != "anonymous"]
    return (logged_in or allowed or ["admin"])[0]


def test_every_post_without_a_csrf_token_is_refused(world, world_client_for):
    objects = world
    clients = {role: world_client_for(role, enforce_csrf_checks=True) for role in ROLES}
    let_in = []
    for name, kwargs, _method, expected in MATRIX:
        role = _poster(expected)
        client = clients[role]
        url = reverse(name, kwargs=kwargs(objects))
        response = client.post(url, {"language": "en", "next": "/"})
        refused = "403_csrf.html" in [t.name for t in response.templates]
        if response.status_code != 403 or not refused:
            let_in.append(f"POST {url} as {role}: {response.status_code}")
    assert let_in == [], "POSTs without a CSRF token that got in:\n" + "\n".join(let_in)


def test_the_login_language_switch_and_logout_refuse_a_post_without_a_token(cast):
    anonymous = _client(cast, "anonymous", enforce_csrf_checks=True)
    login = anonymous.post(reverse("login"), {"username": "peer", "password": "x"})
    language = anonymous.post(reverse("set_language"), {"language": "en", "next": "/"})
    peer = _client(cast, "peer", enforce_csrf_checks=True)
    logout = peer.post(reverse("logout"))
    assert [login.status_code, language.status_code, logout.status_code] == [403, 403, 403]
    # Still logged in, still Danish.
    assert peer.get(reverse("peerprogram:home")).status_code == 200
    assert settings.LANGUAGE_COOKIE_NAME not in language.cookies


def _token(client: Client, page: str) -> str:
    client.get(page)
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def _with_token(cast, role: str, page: str):
    client = _client(cast, role, enforce_csrf_checks=True)
    return client, _token(client, page)


def test_the_login_page_takes_a_post_with_its_token(cast):
    # A fresh copy: the cast's own user object serves the module's other tests' logins.
    user = User.objects.get(pk=cast.user("peer").pk)
    user.set_password("Hemmelig-kode-42")
    user.save(update_fields=["password"])
    client, token = _with_token(cast, "anonymous", reverse("login"))
    response = client.post(
        reverse("login"),
        {"username": "peer", "password": "Hemmelig-kode-42", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("peerprogram:home")


def test_the_language_switch_takes_a_post_with_the_token(cast):
    client, token = _with_token(cast, "anonymous", reverse("login"))
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_logout_takes_a_post_with_the_token(cast):
    client, token = _with_token(cast, "peer", reverse("peerprogram:home"))
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get(reverse("peerprogram:home"))["Location"].startswith(reverse("login"))


def test_a_check_in_is_logged_with_the_token_in_the_form(world, cast):
    objects = world
    checkin = CheckIn.objects.get(pk=objects.checkin.pk)
    client, token = _with_token(cast, "mentor", objects.mentorship.get_absolute_url())
    response = client.post(
        reverse("mentoring:checkin_quick", args=[checkin.pk]),
        {"version": checkin.version, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.status == "held"


def test_an_autosave_is_taken_with_the_token_in_the_htmx_header(world, cast):
    """htmx sends the token as X-CSRFToken (base.html's hx-headers)."""
    objects = world
    note_url = reverse("journal:note_write", args=[objects.note.pk])
    client, token = _with_token(cast, "peer", note_url)
    draft = journal_services.draft_of(objects.note)
    response = client.post(
        reverse("journal:note_autosave", args=[objects.note.pk]),
        {"step": "hope", "hope": "Haven og barnebarnet.", "version": draft.version},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.hope == "Haven og barnebarnet."
