import pytest

from tests import snapshots


@pytest.fixture
def migrated_rows(live_server, _fresh_database) -> None:
    """The rows the data migrations load, committed for a live-server test. Another
    live-server test before it leaves the tables empty: pytest-django's flush of its
    committed rows runs after the conftest has put the migrated rows back."""
    snapshots.restore(_fresh_database)
