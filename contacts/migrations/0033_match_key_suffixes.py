"""Read a suffix after a name's comma only when each of its words is one, of ASCII letters
("Rahman, Md Abdul" and "García, Iván" are written family name first; "Dana Reyes, PhD
MBA" is not: matching.is_suffix): the name key of every person with a comma in the name."""

from __future__ import annotations

from django.db import migrations

from contacts import duplicates


def fill(apps, schema_editor) -> None:
    Contact = apps.get_model("contacts", "Contact")
    duplicates.rewrite_match_keys(Contact.objects.filter(name__contains=","))


class Migration(migrations.Migration):
    dependencies = [("contacts", "0032_card_added")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
