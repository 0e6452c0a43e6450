"""Compare a name written family name first with a comma as given name first ("Reyes,
Dana" is "Dana Reyes"), and a company without the spaces between its words ("Combo Corp
Inc." is "ComboCorp": matching.match_key): the name and company key of every person."""

from __future__ import annotations

from django.db import migrations

from contacts import matching
from foldcard.iterables import batched

CHUNK = 2000


def fill(apps, schema_editor) -> None:
    Contact = apps.get_model("contacts", "Contact")
    people = Contact.objects.exclude(match_key="")
    people = people.only("name", "company", "match_key").order_by("pk")
    for chunk in batched(people.iterator(CHUNK), CHUNK):
        changed = []
        for person in chunk:
            key = matching.match_key(person.name, person.company)
            if key != person.match_key:
                person.match_key = key
                changed.append(person)
        Contact.objects.bulk_update(changed, ["match_key"])


class Migration(migrations.Migration):
    dependencies = [("contacts", "0029_email_batch_versions")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
