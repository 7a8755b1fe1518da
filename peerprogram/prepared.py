"""Queries whose SQL the ORM writes once per process instead of on every request.

Django turns a queryset into SQL each time it is evaluated. For the small, fixed queries
that every page runs (the user's staff row with the units they lead and the peers they
mentor; a peer worker's caseload counts) writing the SQL costs 0.3-1.3 ms, ten to fifty
times what the database needs to answer it: 2-5 ms of every page altogether.

A Prepared query is an ordinary queryset, built by a function of named values: ids,
dates, times, text, and lists of ids (`Ids`). The first time it runs on a
database (for lists: with lists of those lengths), the function is called twice with
stand-ins for the values, and the two SQL texts and parameter lists show where each value
goes; the SQL must be the same both times and every other parameter equal, or the query
cannot be prepared (ImproperlyConfigured). Later runs execute that SQL with the real
values in their places, passed to the database driver as parameters exactly as the ORM
passes them, and Django's own iterables turn the rows into model instances or tuples
(select_related and annotations included). An empty list, or lengths beyond the
SHAPES kept, run through the ORM as usual.

What cannot be a prepared value: a queryset, a boolean (the ORM writes `x` and `NOT x`),
or anything the ORM rewrites (a `__contains` or `__iexact` pattern); the stand-ins are
chosen so that such a rewrite shows and is refused. The function must use its values as
they are: a value it rounds (to the first of the month) or branches on would be written
into the SQL as the stand-in was. Integers are ids: the stand-ins are about two thousand
million. A value the function reads for itself (today's date, a setting) is written into
the SQL once: pass it as a value instead.
tests/peerprogram/test_prepared.py compares every prepared query with the ORM's own SQL
on the database the tests run on (SQLite and PostgreSQL in CI).
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.utils import timezone


class Ids(list):
    """The kind of a value that is a list (or set) of ids."""


# The kinds of value a prepared query takes.
# Not booleans: the ORM writes `active = True` as `"active"` and False as `NOT "active"`
# on SQLite, a different SQL for each.
KINDS = (int, str, datetime.date, datetime.datetime, Ids)
# The list lengths kept per query: a page of 25 or 50 rows has few, a calendar one.
SHAPES = 64


def _stand_ins(kind: type, n: int, length: int) -> tuple[Any, Any]:
    """Two different values of a kind, unlike any constant a query would hold."""
    if kind is int:
        return 1_900_000_001 + n, 2_000_000_001 + n
    if kind is Ids:
        first = 1_800_000_001 + 10_000 * n
        return list(range(first, first + length)), list(range(-first, -first - length, -1))
    if kind is str:
        # With the characters a LIKE pattern escapes: a lookup that escapes them (iexact
        # on SQLite, contains) changes the stand-in, and is refused.
        return f"\x01%_\\a{n}\x01", f"\x01%_\\b{n}\x01"
    # Neither the first of a month nor a whole minute: a function that rounds its value
    # changes the stand-in, and is refused.
    if kind is datetime.datetime:
        utc = datetime.UTC
        return (
            datetime.datetime(1901, 3, 17, 1, n, 7, 123457, tzinfo=utc),
            datetime.datetime(1902, 5, 23, 2, n, 11, 654321, tzinfo=utc),
        )
    return datetime.date(1901, 3, 5 + n), datetime.date(1902, 5, 9 + n)


def _adapt(value: Any, connection) -> Any:
    """A value as the ORM hands it to the driver (the date and time fields' adaptation)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


@dataclass(frozen=True)
class _Template:
    queryset: QuerySet
    compiler: Any  # the SQLCompiler that wrote the SQL: its select and klass_info
    sql: str
    params: tuple
    places: dict[str, tuple[tuple[int, int], ...]]  # (parameter, item of a list or -1)


class Prepared:
    """A queryset built from named values, its SQL written once per database (and per
    length of its lists)."""

    every: list[Prepared] = []  # noqa: RUF012 - the registry the tests go through

    def __init__(self, name: str, build: Callable[..., QuerySet], /, **kinds: type) -> None:
        for value_name, kind in kinds.items():
            if kind not in KINDS:
                raise ImproperlyConfigured(f"{name}: {value_name} must be one of {KINDS}")
        self.name = name
        self.build = build
        self.kinds = kinds
        self._templates: dict[tuple[str, tuple[int, ...]], _Template] = {}
        Prepared.every.append(self)

    def __repr__(self) -> str:
        return f"<Prepared {self.name}>"

    def _template(self, alias: str, shape: tuple[int, ...]) -> _Template | None:
        """The SQL for lists of these lengths, written now if it is new; None when too
        many lengths are kept already."""
        key = (alias, shape)
        template = self._templates.get(key)
        if template is None:
            if len(self._templates) >= SHAPES:
                return None
            template = self._templates[key] = self._prepare(alias, shape)
        return template

    def _shape(self, values: dict[str, Any]) -> tuple[int, ...]:
        if values.keys() != self.kinds.keys():
            raise TypeError(f"{self.name} takes {', '.join(self.kinds)}, got {', '.join(values)}")
        shape = []
        for name, kind in self.kinds.items():
            value = values[name]
            if kind is Ids:
                if not isinstance(value, list) or not all(
                    isinstance(item, int) and not isinstance(item, bool) for item in value
                ):
                    raise TypeError(f"{self.name}: {name} must be a list of ids")
                shape.append(len(value))
            elif not isinstance(value, kind) or isinstance(value, bool):
                raise TypeError(f"{self.name}: {name} must be {kind.__name__}")
            elif kind is datetime.date and isinstance(value, datetime.datetime):
                raise TypeError(f"{self.name}: {name} must be a date, not a date and time")
            elif kind is datetime.datetime and timezone.is_naive(value):
                # The ORM would read it in the current time zone; the adaptation as UTC.
                raise TypeError(f"{self.name}: {name} must be an aware date and time")
        return tuple(shape)

    def _distinct(self, values: dict[str, Any]) -> dict[str, Any]:
        """Lists without repeats, in their order, as the ORM writes them into IN (...)."""
        return {
            name: list(dict.fromkeys(value))
            if self.kinds.get(name) is Ids and isinstance(value, (list, tuple, set, frozenset))
            else value
            for name, value in values.items()
        }

    def _prepare(self, alias: str, shape: tuple[int, ...]) -> _Template:
        connection = connections[alias]
        lengths = iter(shape)
        pairs = {
            name: _stand_ins(kind, n, next(lengths) if kind is Ids else 0)
            for n, (name, kind) in enumerate(self.kinds.items())
        }
        built = []
        for side in (0, 1):
            queryset = self.build(**{name: pair[side] for name, pair in pairs.items()})
            compiler = queryset.query.get_compiler(using=alias)
            try:
                sql, params = compiler.as_sql()
            except (EmptyResultSet, FullResultSet) as exc:
                # An integer beyond its column's range, say (PostgreSQL's small integers).
                raise ImproperlyConfigured(
                    f"{self.name}: the ORM writes no SQL for the stand-ins ({exc!r})"
                ) from exc
            built.append((queryset, compiler, sql, tuple(params)))
        (queryset, compiler, sql, params), (_q, _c, sql_b, params_b) = built
        if sql != sql_b or len(params) != len(params_b):
            raise ImproperlyConfigured(f"{self.name}: the SQL changes with the values")
        # Each stand-in (each item of a list) as the driver receives it.
        owners: dict[tuple, tuple[str, int]] = {}
        for name, (a, b) in pairs.items():
            if self.kinds[name] is Ids:
                for j, (item_a, item_b) in enumerate(zip(a, b, strict=True)):
                    owners[(item_a, item_b)] = (name, j)
            else:
                owners[(_adapt(a, connection), _adapt(b, connection))] = (name, -1)
        places: dict[str, list[tuple[int, int]]] = {name: [] for name in self.kinds}
        for i, (a, b) in enumerate(zip(params, params_b, strict=True)):
            if a == b and type(a) is type(b):
                continue
            owner = owners.get((a, b)) if type(a) is type(b) else None
            if owner is None:
                raise ImproperlyConfigured(
                    f"{self.name}: parameter {i} ({a!r}) is not one of the values as given"
                )
            places[owner[0]].append((i, owner[1]))
        for name, found in places.items():
            items = range(len(pairs[name][0])) if self.kinds[name] is Ids else [-1]
            if {j for _i, j in found} != set(items):
                raise ImproperlyConfigured(f"{self.name}: {name} is not all in the SQL")
        return _Template(queryset, compiler, sql, params, {n: tuple(p) for n, p in places.items()})

    def _resolve(self, values: dict[str, Any]) -> tuple[dict[str, Any], _Template | None]:
        """The values checked (lists without repeats) and the SQL for them, or None when
        the ORM writes it: an empty list, or a length beyond those kept."""
        values = self._distinct(values)
        shape = self._shape(values)
        return values, None if 0 in shape else self._template(DEFAULT_DB_ALIAS, shape)

    def sql_with_params(self, **values: Any) -> tuple[str, tuple] | None:
        """The SQL and parameters a run with these values executes; None when the ORM
        writes it."""
        values, template = self._resolve(values)
        return None if template is None else self._sql_with_params(template, values)

    def _sql_with_params(self, template: _Template, values: dict[str, Any]) -> tuple[str, tuple]:
        connection = connections[template.queryset.db]
        params = list(template.params)
        for name, places in template.places.items():
            value = values[name]
            if self.kinds[name] is Ids:
                for i, j in places:
                    params[i] = value[j]
            else:
                value = _adapt(value, connection)
                for i, _j in places:
                    params[i] = value
        return template.sql, tuple(params)

    def rows(self, **values: Any) -> list:
        """The query's results (model instances or tuples, as the queryset gives them)."""
        values, template = self._resolve(values)
        if template is None:
            return list(self.build(**values))
        sql, params = self._sql_with_params(template, values)
        queryset = template.queryset._chain()  # its own result cache
        compiler = copy.copy(template.compiler)
        compiler.connection = connections[queryset.db]  # this thread's connection
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        # This clone is evaluated here and dropped: nothing chains on from it.
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)

    def first(self, **values: Any) -> Any:
        """The first result, or None (the query orders and limits itself)."""
        rows = self.rows(**values)
        return rows[0] if rows else None
