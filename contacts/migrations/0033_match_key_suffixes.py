"""Read a suffix after a name's comma only when each of its words is one, of ASCII letters
("Rahman, Md Abdul" and "García, Iván" are written family name first; "Dana Reyes, PhD
MBA" is not: matching.is_suffix): the name key of every person with a comma in the name."""

from __future__ import annotations

from django.db import migrations

from contacts import matching
from foldcard.iterables import batched

CHUNK = 2000


def fill(apps, schema_editor) -> None:
    Contact = apps.get_model("contacts", "Contact")
    people = Contact.objects.filter(name__contains=",").exclude(match_key="")
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
    dependencies = [("contacts", "0032_card_added")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
