"""Compare a legal form written with stops or a slash as the word it abbreviates ("Acme
S.A." is "Acme SA": matching.company_key): the name and company key of the people whose
company has such a run of single letters."""

from __future__ import annotations

from django.db import migrations

from contacts import duplicates

# Two single letters with only punctuation or space between them: "S.A.", "B. V.", "A/S".
INITIALS = r"(^|\W)\w\W+\w(\W|$)"


def fill(apps, schema_editor) -> None:
    Contact = apps.get_model("contacts", "Contact")
    duplicates.rewrite_match_keys(Contact.objects.filter(company__regex=INITIALS))


class Migration(migrations.Migration):
    dependencies = [("contacts", "0027_fold_base_letters")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
