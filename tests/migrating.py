"""Tests of data migrations: the database at an older migration for the length of a test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@contextmanager
def migrated_to(targets: list[tuple[str, str]]) -> Iterator[MigrationExecutor]:
    """Migrate the database back to ``targets``; after the block, forward to the latest
    migrations again, whatever happened in it: the tests after it need the whole schema."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    try:
        yield executor
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
