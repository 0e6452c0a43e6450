"""Compare a name written family name first with a comma as given name first ("Reyes,
Dana" is "Dana Reyes"), and a company without the spaces between its words ("Combo Corp
Inc." is "ComboCorp": matching.match_key): the name and company key of every person."""

from __future__ import annotations

from django.db import migrations

from contacts import duplicates


def fill(apps, schema_editor) -> None:
    duplicates.rewrite_match_keys(apps.get_model("contacts", "Contact").objects.all())


class Migration(migrations.Migration):
    dependencies = [("contacts", "0029_email_batch_versions")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
