from django.db import migrations

# PostgreSQL's trigram indexes of the other emails and phones, which the follow-up list's
# search looks in besides the cards' own search text (queries.people_by_other_details):
# each search read them all.
INDEXES = {
    "contactemail_search": "contacts_contactemail USING gin (email gin_trgm_ops)",
    "contactphone_search": "contacts_contactphone USING gin (upper(phone::text) gin_trgm_ops)",
    "contactphone_normalized_search": (
        "contacts_contactphone USING gin (phone_normalized gin_trgm_ops)"
    ),
}


def index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, what in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {what}")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0038_card_due")]

    operations = [migrations.RunPython(index, drop_index)]
