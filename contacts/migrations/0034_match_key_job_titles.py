"""Read a job title's abbreviation after a name's comma as no given name ("Dana Reyes,
CEO" is not "CEO Dana Reyes": matching.SUFFIXES): the name key of every person with a
comma in the name."""

from __future__ import annotations

from django.db import migrations

from contacts import duplicates


def fill(apps, schema_editor) -> None:
    Contact = apps.get_model("contacts", "Contact")
    duplicates.rewrite_match_keys(Contact.objects.filter(name__contains=","))


class Migration(migrations.Migration):
    dependencies = [("contacts", "0033_match_key_suffixes")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
