"""Fill the compared forms that changed: the digits of each phone that is no valid number
(compared as typed), and the name and company key, whose company now leaves out "and"."""

from __future__ import annotations

from django.db import migrations

from contacts import matching, phones


def fill(apps, schema_editor) -> None:
    Contact = apps.get_model("contacts", "Contact")
    ContactPhone = apps.get_model("contacts", "ContactPhone")
    changed = []
    for contact in Contact.objects.only("name", "company", "phone", "phone_normalized").iterator(
        2000
    ):
        contact.match_key = matching.match_key(contact.name, contact.company)
        contact.phone_digits = phones.digits(contact.phone, contact.phone_normalized)
        changed.append(contact)
    Contact.objects.bulk_update(changed, ["match_key", "phone_digits"], batch_size=2000)
    others = []
    for number in ContactPhone.objects.filter(phone_normalized="").iterator(2000):
        number.phone_digits = phones.digits(number.phone, number.phone_normalized)
        others.append(number)
    ContactPhone.objects.bulk_update(others, ["phone_digits"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0025_contact_phone_digits")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
