"""SQL expressions that Django has no portable form of (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from django.core.exceptions import EmptyResultSet
from django.db import connections, models


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
