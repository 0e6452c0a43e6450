from django.db import migrations


def leave_half_free(apps, schema_editor):
    """On PostgreSQL, keep half of each page of cards free: a weight edit can rewrite the
    priority of every card (a meaning carried by every other fold combination rewrites half
    of them), and with room for a new version of each row in its own page, each rewrite is a
    HOT update that touches no index. 70% full left room for about two rows in five, and
    the first edit after a conference moved many rows to other pages, adding entries to
    every index (measured in README, Performance)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE contacts_card SET (fillfactor = 50)")


def back_to_seventy(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE contacts_card SET (fillfactor = 70)")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0010_card_followup_indexes_without_priority")]

    operations = [migrations.RunPython(leave_half_free, back_to_seventy)]
