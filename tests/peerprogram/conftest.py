"""The permission matrix's world: the cast and one object of every kind, built once per
module that asks for `world` (tests.conftest.built_once)."""

import pytest

from tests import snapshots
from tests.conftest import build_cast, built_once

from .world import Objects


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _fresh_database) -> Objects:
    # A test with committed rows before this module (a browser test, a backup test) leaves
    # the database emptied of what the data migrations loaded (the standard function
    # description, checklist and course): the world is built on the migrated state.
    with django_db_blocker.unblock():
        snapshots.restore(_fresh_database)
    with built_once(django_db_blocker, lambda: Objects(build_cast())) as objects:
        yield objects
