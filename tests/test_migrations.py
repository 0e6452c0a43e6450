"""The squashed contacts migration against the migrations it replaces: a new database and
one migrated step by step through 0001 to 0012, as deployed databases were, end alike."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from contacts.models import FoldRule, Meaning, Vocabulary
from tests.migrating import migrated_to

SQUASHED = ("contacts", "0001_squashed_0012_schema_vocabulary_roles_page_fill")

# Migrating needs the database outside a test's transaction; the tables are emptied after.
pytestmark = pytest.mark.django_db(transaction=True)


def migrate_contacts_from_zero(*, step_by_step: bool) -> None:
    """Unapply the contacts migrations, then apply the squashed one, as on a new database,
    or the migrations it replaces one at a time."""
    executor = MigrationExecutor(connection)
    executor.migrate([("contacts", None)])
    if step_by_step:
        # Without the replacing, the graph keeps the replaced migrations to migrate to.
        executor.loader = MigrationLoader(connection, replace_migrations=False)
        for target in executor.loader.get_migration(*SQUASHED).replaces:
            executor.migrate([target])
            executor.loader.build_graph()
    else:
        executor.loader.build_graph()
        executor.migrate([SQUASHED])


def schema() -> dict[str, dict]:
    """Return each table's columns, indexes and constraints, and on PostgreSQL its storage
    parameters (the cards' fillfactor).

    Names Django made up (from the table's name, which a renamed model's indexes keep)
    are left out; the names the models declare are kept, with their SQL.
    """
    declared = {
        item.name
        for model in apps.get_models()
        for item in (*model._meta.indexes, *model._meta.constraints)
    }
    introspection = connection.introspection
    tables = {}
    with connection.cursor() as cursor:
        for table in introspection.table_names(cursor):
            constraints = [
                {
                    **constraint,
                    "name": name if name in declared else None,
                    "sql": definition(cursor, name) if name in declared else None,
                }
                for name, constraint in introspection.get_constraints(cursor, table).items()
            ]
            tables[table] = {
                "columns": {
                    column.name: column
                    for column in introspection.get_table_description(cursor, table)
                },
                "constraints": sorted(constraints, key=repr),
                "options": storage_parameters(cursor, table),
            }
    return tables


def definition(cursor, name: str) -> list[str]:
    """Return the SQL of the index or constraint ``name`` as the database shows it
    (on SQLite, an index's: a check constraint is part of its table's)."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT pg_get_indexdef(oid) FROM pg_class WHERE relname = %s AND relkind = 'i'"
            " UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
            [name, name],
        )
    else:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [name])
    return sorted(sql for (sql,) in cursor.fetchall())


def storage_parameters(cursor, table: str) -> list[str] | None:
    if connection.vendor != "postgresql":
        return None
    cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [table])
    return cursor.fetchone()[0]


def default_data() -> dict[str, list]:
    """Return the default vocabulary and the roles, without the ids."""
    return {
        "meanings": [
            {field: value for field, value in row.items() if field != "id"}
            for row in Meaning.objects.order_by("order").values()
        ],
        "vocabularies": list(Vocabulary.objects.values_list("name", "description", "is_default")),
        # Read column by column: the models have columns the squashed migration lacks.
        "rules": sorted(
            (name, pattern, sorted(Meaning.objects.filter(rules=pk).values_list("slug", flat=True)))
            for name, pattern, pk in FoldRule.objects.values_list(
                "vocabulary__name", "pattern", "pk"
            )
        ),
        "roles": sorted(
            (
                group.name,
                sorted(group.permissions.values_list("content_type__app_label", "codename")),
            )
            for group in Group.objects.all()
        ),
    }


@pytest.fixture
def both_ways() -> dict[str, tuple[dict, dict]]:
    """Return the schema and the default data of a database migrated step by step, then of
    a new one, which is then migrated to the latest migrations."""
    ends = {}
    for way, step_by_step in (("step by step", True), ("new", False)):
        migrate_contacts_from_zero(step_by_step=step_by_step)
        ends[way] = schema(), default_data()
    # The migrations after the squashed one, for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    return ends


def test_a_new_database_and_one_migrated_step_by_step_have_the_same_schema(both_ways):
    step_by_step, new = both_ways["step by step"][0], both_ways["new"][0]
    assert new["contacts_card"]["columns"].keys() >= {"waiting", "version"}
    if connection.vendor == "postgresql":
        assert new["contacts_card"]["options"] == ["fillfactor=50"]
    assert step_by_step == new


def test_a_new_database_and_one_migrated_step_by_step_have_the_same_defaults(both_ways):
    step_by_step, new = both_ways["step by step"][1], both_ways["new"][1]
    assert len(new["meanings"]) == 6 and len(new["roles"]) == 3
    assert step_by_step == new


def test_contacts_there_before_get_a_uid_each():
    before = [
        ("contacts", "0023_reprioritizations"),
        ("events", "0004_conference_time_zone_and_country"),
    ]
    with migrated_to(before) as executor:
        old = executor.loader.project_state(before).apps
        Contact = old.get_model("contacts", "Contact")
        Card = old.get_model("contacts", "Card")
        conference = old.get_model("events", "Conference").objects.create(
            name="Old", slug="old", starts_on="2026-01-01", ends_on="2026-01-02"
        )
        vocabulary = old.get_model("contacts", "Vocabulary").objects.create(name="Old words")
        for name in ("Ana", "Li", "Sam"):
            Card.objects.create(
                contact=Contact.objects.create(name=name),
                conference=conference,
                vocabulary=vocabulary,
                due_from="2026-01-02",
                due_on="2026-01-09",
            )
        executor.loader.build_graph()
        executor.migrate([("contacts", "0024_personal_data")])
        new = executor.loader.project_state([("contacts", "0024_personal_data")]).apps
        uids = list(new.get_model("contacts", "Contact").objects.values_list("uid", flat=True))
        assert len(uids) == len(set(uids)) == 3
        assert None not in uids
