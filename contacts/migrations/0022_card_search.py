from django.db import migrations

import contacts.models
from contacts import search


def fill(apps, schema_editor):
    """Work out the search text of the cards logged before it was kept (Card.search_text)."""
    Card = apps.get_model("contacts", "Card")
    cards = Card.objects.select_related("contact").only(
        "note", *(f"contact__{name}" for name in contacts.models.SEARCHED_DETAILS)
    )
    batch = []
    for card in cards.order_by("pk").iterator(chunk_size=2000):
        contact = card.contact
        details = [contact.name, contact.company, contact.email, contact.notes, card.note]
        card.search = search.search_text(*details, phone=contact.phone)
        batch.append(card)
        if len(batch) == 2000:
            Card.objects.bulk_update(batch, ["search"])
            batch = []
    Card.objects.bulk_update(batch, ["search"])


def index(apps, schema_editor):
    """Index the search text for substrings: trigrams on PostgreSQL (pg_trgm, a trusted
    extension the database's owner may create), an FTS5 table of trigrams on SQLite."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX card_search ON contacts_card USING gin (search gin_trgm_ops)"
        )
    else:
        search.ensure_sqlite_index(schema_editor.connection.alias)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX card_search")
    else:
        for kind in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {search.SQLITE_TABLE}_{kind}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {search.SQLITE_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0021_fill_contact_match_key_and_phone")]

    operations = [
        migrations.AddField(
            model_name="card",
            name="search",
            field=contacts.models.SearchField(blank=True, editable=False, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index, drop_index),
    ]
