"""Copies of the test database's rows, kept as tables in the same database, put back in ms.

The browser tests each need the whole demo programme in a database the live server sees
(committed rows), and each test changes it. Seeding it takes seconds; copying it back from
a snapshot taken once per session takes a few hundred milliseconds. The same mechanism keeps
the freshly migrated state ("base": the rows the data migrations load) so a reused test
database (`pytest --reuse-db`) starts every run as a new one would, however the run before
it ended.

A snapshot of table `t` is the table `zsnap_<name>_<i>` (plain `CREATE TABLE ... AS
SELECT`), where `i` is the table's position among the project's tables. It works the same
on SQLite and PostgreSQL: the tables are emptied (Django's flush SQL on SQLite, DELETE on
PostgreSQL), every foreign key is deferred until commit on both, and the sequences are set
past the copied ids.
"""

import hashlib

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction

PREFIX = "zsnap"


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _copy_name(name: str, index: int) -> str:
    return connection.ops.quote_name(f"{PREFIX}_{name}_{index}")


def _existing() -> set[str]:
    return set(connection.introspection.table_names())


def migrations_fingerprint() -> str:
    """Which migrations the database has: a snapshot from other migrations is stale."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        rows = cursor.fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def exists(name: str) -> bool:
    return f"{PREFIX}_{name}_0" in _existing()


def take(name: str) -> None:
    """Copy every project table's rows into the snapshot `name` (replacing an older one)."""
    quote = connection.ops.quote_name
    existing = _existing()
    with transaction.atomic(), connection.cursor() as cursor:
        for index, table in enumerate(_tables()):
            copy = _copy_name(name, index)
            if f"{PREFIX}_{name}_{index}" in existing:
                cursor.execute(f"DROP TABLE {copy}")
            cursor.execute(f"CREATE TABLE {copy} AS SELECT * FROM {quote(table)}")


def restore(name: str) -> None:
    """Make every project table hold exactly the rows of the snapshot `name`."""
    quote = connection.ops.quote_name
    tables = _tables()
    if connection.vendor == "postgresql":
        # DELETE, not Django's TRUNCATE: a TRUNCATE gives each of the ~90 tables and their
        # indexes new files (about 0.4 s in all, against a few ms), and refuses a table
        # with foreign-key checks still pending in the transaction. The sequences are set
        # below either way.
        flush = [f"DELETE FROM {quote(table)}" for table in tables]
    else:
        flush = connection.ops.sql_flush(
            no_style(), tables, reset_sequences=True, allow_cascade=True
        )
    with transaction.atomic():
        connection.ops.execute_sql_flush(flush)
        with connection.cursor() as cursor:
            for index, table in enumerate(tables):
                copy = _copy_name(name, index)
                cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {copy}")
            models = list(apps.get_models(include_auto_created=True))
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
    # Content types are cached by id; the flush and copy may have given them other ids.
    ContentType.objects.clear_cache()
