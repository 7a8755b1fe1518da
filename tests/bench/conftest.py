import importlib.util

import pytest
from django.conf import settings

# A locust run against the live server: locust installed (make bench-deps), and PostgreSQL
# (the live server shares one SQLite connection between its threads: concurrent users lock
# each other out; make bench-test runs on PostgreSQL).
LOCUST_ON_POSTGRES = [
    pytest.mark.skipif(
        importlib.util.find_spec("locust") is None, reason="locust comes with make bench-deps"
    ),
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="the live server shares one SQLite connection between its threads: "
        "concurrent users lock each other out; run on PostgreSQL (make bench-test does)",
    ),
]


def locust_on_postgres(test):  # type: ignore[no-untyped-def]
    """The markers of a test that runs locust against the live server."""
    for mark in reversed(LOCUST_ON_POSTGRES):
        test = mark(test)
    return test
