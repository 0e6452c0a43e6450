"""Join a word at its apostrophe ("O'Brien" is "obrien", as "OBrien": matching.words): the
key of every person with an apostrophe in the name or the company ("Jack's A/S" was
"jack" and the initials "s a s"; it is "jacks" and the legal form A/S)."""

from __future__ import annotations

from django.db import migrations
from django.db.models import Q

from contacts import duplicates


def fill(apps, schema_editor) -> None:
    Contact = apps.get_model("contacts", "Contact")
    marks = Q()
    for mark in ("'", "\u2019", "\u02bc", "`"):
        marks |= Q(name__contains=mark) | Q(company__contains=mark)
    duplicates.rewrite_match_keys(Contact.objects.filter(marks))


class Migration(migrations.Migration):
    dependencies = [("contacts", "0034_match_key_job_titles")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
