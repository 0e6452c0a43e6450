"""Fill the compared forms of the people known: the name and company key, and the phone in
E.164, read in the country of the conference of the person's latest card."""

from __future__ import annotations

from django.db import migrations

from contacts import matching, phones


def fill(apps, schema_editor) -> None:
    Contact = apps.get_model("contacts", "Contact")
    Card = apps.get_model("contacts", "Card")
    changed = []
    for contact in Contact.objects.only("name", "company", "phone").iterator(2000):
        contact.match_key = matching.match_key(contact.name, contact.company)
        if contact.phone:
            latest = Card.objects.filter(contact_id=contact.pk).order_by("-logged_at").first()
            region = latest.conference.country if latest else ""
            contact.phone_normalized = phones.e164(contact.phone, region or None)
        changed.append(contact)
    Contact.objects.bulk_update(changed, ["match_key", "phone_normalized"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0020_contact_emails_phones_merges")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
