"""The permission matrix's world: the cast and one object of every kind, built once per
module that asks for `world` (tests.conftest.built_once)."""

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import ROLES, build_cast, built_once

from .world import Objects


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Objects:
    # Built on the migrated state: a test with committed rows before this module ends with
    # the migrated rows put back (tests.conftest).
    with built_once(django_db_blocker, lambda: Objects(build_cast())) as objects:
        yield objects


@pytest.fixture(scope="module")
def world_sessions(world, django_db_blocker) -> dict[str, str]:
    """Each role of the world's cast logged in once for the module: role -> session key
    (the sessions are rows of the module's world, undone with it)."""
    sessions = {}
    with django_db_blocker.unblock():
        for role in ROLES:
            if role != "anonymous":
                client = Client()
                client.force_login(world._cast.user(role))
                sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


@pytest.fixture
def world_client_for(world_sessions, db):
    """`client_for` for a module of the world: a new client with the role's session (what a
    test's requests change in it is undone with the test), instead of a login per test."""

    def make(role: str, lang: str = "da", **client_options) -> Client:
        client = Client(**client_options)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = world_sessions[role]
        return client

    return make
