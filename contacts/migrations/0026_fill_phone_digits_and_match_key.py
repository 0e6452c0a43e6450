"""Fill the compared forms that changed: the digits of each phone that is no valid number
(compared as typed), and the name and company key, whose company now leaves out "and"."""

from __future__ import annotations

from django.db import migrations

from contacts import matching, phones
from foldcard.iterables import batched

CHUNK = 2000


def fill(apps, schema_editor) -> None:
    Contact = apps.get_model("contacts", "Contact")
    ContactPhone = apps.get_model("contacts", "ContactPhone")
    # Written a chunk at a time, and only what changes: memory flat in the number of people.
    people = Contact.objects.only("name", "company", "phone", "phone_normalized", "match_key")
    for chunk in batched(people.order_by("pk").iterator(CHUNK), CHUNK):
        changed = []
        for contact in chunk:
            key = matching.match_key(contact.name, contact.company)
            digits = phones.digits(contact.phone, contact.phone_normalized)
            if (key, digits) != (contact.match_key, ""):
                contact.match_key, contact.phone_digits = key, digits
                changed.append(contact)
        Contact.objects.bulk_update(changed, ["match_key", "phone_digits"])
    numbers = ContactPhone.objects.filter(phone_normalized="").order_by("pk")
    for chunk in batched(numbers.iterator(CHUNK), CHUNK):
        for number in chunk:
            number.phone_digits = phones.digits(number.phone, number.phone_normalized)
        ContactPhone.objects.bulk_update(chunk, ["phone_digits"])


class Migration(migrations.Migration):
    dependencies = [("contacts", "0025_contact_phone_digits")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
