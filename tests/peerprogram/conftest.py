"""The permission matrix's world: the cast and one object of every kind, built once per
module that asks for `world` (tests.conftest.built_once)."""

import pytest

from tests.conftest import build_cast, built_once

from .world import Objects


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Objects:
    with built_once(django_db_blocker, lambda: Objects(build_cast())) as objects:
        yield objects
