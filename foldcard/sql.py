"""SQL expressions that Django has no portable form of (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from django.db import models


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
