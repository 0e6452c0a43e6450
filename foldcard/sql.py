"""SQL that Django has no portable form of (SQLite and PostgreSQL): expressions, capped
counts, and queries compiled once and prepared (Prepared)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, models
from psycopg2.extensions import AsIs


class JSONRows(models.Func):
    """The rows of a subquery as one JSON array of arrays, each holding the expressions.

    A Func, not an Aggregate: in a Subquery it then aggregates the subquery's rows
    without a GROUP BY, giving one value per outer row. An empty subquery gives NULL or
    "[]" (see rows_of).
    """

    template = "json_group_array(json_array(%(expressions)s))"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra):
        # As text: psycopg2 would otherwise parse the json itself, differently per type.
        template = "json_agg(json_build_array(%(expressions)s))::text"
        return self.as_sql(compiler, connection, template=template, **extra)


def rows_of(value: str | None) -> list[list]:
    """Return the rows of a JSONRows value."""
    return json.loads(value) if value else []


class ExistsPerRow(models.Exists):
    """An EXISTS that the database asks for each row that the outer query reads.

    PostgreSQL turns a plain EXISTS into a (anti-)join, which it may plan as a hash of
    every row of both sides, guessing wrongly how many rows the join keeps; ``OFFSET 0``
    keeps it a subquery (SQLite asks every EXISTS per row anyway). A query that stops
    after some rows (a page, a capped count) then costs those rows, not the table.
    """

    template = "EXISTS(%(subquery)s OFFSET 0)"


class Switch(models.Func):
    """``CASE value WHEN choice THEN result … ELSE default END``: ``value`` is worked out
    once per row, where Django's Case (``CASE WHEN value = choice …``) works it out again
    for each choice, a subquery then running again."""

    def __init__(
        self,
        value: models.Expression,
        results: dict[str, models.Expression],
        default: models.Expression | None = None,
        output_field: models.Field | None = None,
    ):
        pairs = [part for choice, then in results.items() for part in (models.Value(choice), then)]
        default = models.Value(None) if default is None else default
        super().__init__(value, *pairs, default, output_field=output_field)

    def as_sql(self, compiler, connection, **extra):
        compiled = [compiler.compile(e) for e in self.get_source_expressions()]
        (value, _), *pairs, (default, _) = compiled
        whens = zip(pairs[::2], pairs[1::2], strict=True)
        sql = " ".join(f"WHEN {choice} THEN {then}" for (choice, _), (then, _) in whens)
        params = [param for _, params in compiled for param in params]
        return f"CASE {value} {sql} ELSE {default} END", params


class Condition(models.Func):
    """A condition for When or Q: ``sql`` ("%s > %s", "%s = ANY(%s)") with the SQL of
    ``expressions`` for its %s, each compiled once. A lookup (Exact, GreaterThan…) of an
    expression resolves the whole expression again each time it is compiled: nested in
    one another, as the CSV export's name parts are, they cost Django more to compile than
    the query costs PostgreSQL to run on thousands of rows. A % of the SQL itself is
    written %%%% (once for this, once for the driver's parameters)."""

    output_field = models.BooleanField()

    def __init__(self, sql: str, *expressions: models.Expression):
        super().__init__(*expressions)
        self.sql = sql

    def as_sql(self, compiler, connection, **extra):
        compiled = [compiler.compile(e) for e in self.get_source_expressions()]
        sql = self.sql % tuple(f"({part})" for part, _ in compiled)
        return f"({sql})", [param for _, params in compiled for param in params]


def capped_counts(querysets: dict[str, models.QuerySet], cap: int) -> dict[str, int]:
    """Return how many rows each of ``querysets`` has, in one query, each read no further
    than ``cap`` + 1 rows: a count above ``cap`` says "more than cap"."""
    parts, params = [], []
    database = next(iter(querysets.values())).db
    for queryset in querysets.values():
        first = queryset.order_by().values("pk")[: cap + 1]
        try:
            sql, more = first.query.get_compiler(database).as_sql()
        except EmptyResultSet:  # e.g. a filter by an empty list of ids: nothing to read
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")
        params.extend(more)
    with connections[database].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))


def any_of(*queries: models.QuerySet) -> models.QuerySet:
    """Return one query of the values that any of ``queries`` (each of one column) finds,
    for an ``__in`` lookup: `pk IN (… UNION …)`, which each query's index answers.
    PostgreSQL reads every row for `a = x OR pk IN (…)` (a "hashed SubPlan"). A query
    that can find nothing (an empty ``__in``) Django leaves out of the union."""
    first, *others = (query.order_by() for query in queries)
    return first.union(*others)


class Prepared:
    """A query compiled once per process, then run with each call's values: for the small
    look-ups of every request, where building and compiling a queryset with the ORM
    costs more than running it (on SQLite, 0.3 to 2 ms against 0.05 to 0.2 ms).

    On PostgreSQL it is also a prepared statement of each connection kept for the next
    requests (CONN_MAX_AGE), planned once by the database: planning the user's query
    took 1.1 ms of its 1.7 ms there. Prepared on the connection's own cursor, the first
    time the connection runs it, and not counted as one of the request's statements.

    ``build`` returns the queryset, given a marker in place of each value: use each marker
    as the value of an exact lookup (or as ``Value(marker)`` where the field is no text,
    which would convert it). Only the SQL is kept: every call reads the rows anew.
    """

    MARKER = "\0foldcard"
    names = itertools.count()

    def __init__(self, build: Callable[..., models.QuerySet]) -> None:
        self.build = build
        self.compiled: dict[str, tuple[type[models.Model], str, list, list]] = {}
        self.name = f"foldcard_{next(self.names)}"

    def __call__(self, *values, using: str = DEFAULT_DB_ALIAS) -> models.RawQuerySet:
        """Return the query's rows for ``values``, as the queryset's model."""
        if using not in self.compiled:
            self.compiled[using] = self._compile(len(values), using)
        model, sql, params, slots = self.compiled[using]
        manager = model._default_manager.db_manager(using)
        if self._prepare(connections[using], sql, params, slots):
            placeholders = ", ".join(["%s"] * len(values))
            return manager.raw(f"EXECUTE {self.name} ({placeholders})", values)
        params = list(params)
        for position, index in slots:
            params[position] = values[index]
        return manager.raw(sql, params)

    def first(self, *values, using: str = DEFAULT_DB_ALIAS) -> models.Model | None:
        """Return the query's first row for ``values``, or None."""
        return next(iter(self(*values, using=using)), None)

    def _compile(self, count: int, using: str) -> tuple[type[models.Model], str, list, list]:
        """Return the queryset's model, SQL and parameters, and where each value goes: a
        list of (parameter's position, value's index)."""
        # With characters that a LIKE escapes: a lookup that changes its value shows.
        markers = {f"{self.MARKER}%prepared_{i}\0": i for i in range(count)}
        queryset = self.build(*markers).using(using)
        sql, params = queryset.query.get_compiler(using).as_sql()
        slots = [
            (at, markers[p]) for at, p in enumerate(params) if isinstance(p, str) and p in markers
        ]
        marked = [p for p in params if isinstance(p, str) and self.MARKER in p]
        # A lookup that changes its value (startswith, contains) would run with the marker.
        if {i for _, i in slots} != set(markers.values()) or len(marked) != len(slots):
            raise ValueError("Each value of a prepared query must be one exact lookup's.")
        return queryset.model, sql, list(params), slots

    def _prepare(self, connection, sql: str, params: list, slots: list) -> bool:
        """Make the query a prepared statement of ``connection``'s database session, if
        it is not one yet; return whether it is one.

        Not on SQLite, nor with a connection per request (CONN_MAX_AGE 0: it would be
        prepared on every request). A pooler must keep each connection's session (the
        README's "Running in production").
        """
        if connection.vendor != "postgresql" or connection.settings_dict["CONN_MAX_AGE"] == 0:
            return False
        # As Django's own cursor would: a connection found broken is replaced first.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        # The statements prepared in this database session: a new connection has none.
        session, prepared = getattr(connection, "foldcard_prepared", (None, set()))
        if session is not connection.connection:
            session, prepared = connection.connection, set()
            connection.foldcard_prepared = (session, prepared)
        if self.name not in prepared:
            params = list(params)
            for position, index in slots:
                params[position] = AsIs(f"${index + 1}")
            with connection.wrap_database_errors, session.cursor() as cursor:
                cursor.execute(f"PREPARE {self.name} AS {cursor.mogrify(sql, params).decode()}")
            prepared.add(self.name)
        return True
