"""Read a stored number that begins with 00 and had no E.164 form as phones.e164 reads it
now, with the 00 as its + ("0046 8 555 01 01" is +4685550101): so that the same number
typed again finds the person by it. Of people and of their other phones."""

from __future__ import annotations

from django.db import migrations

from contacts import phones
from foldcard.iterables import batched

CHUNK = 1000


def fill(apps, schema_editor) -> None:
    for model in ("Contact", "ContactPhone"):
        Model = apps.get_model("contacts", model)
        numbers = Model.objects.filter(phone_normalized="", phone__regex=r"^\s*00")
        numbers = numbers.only("phone", "phone_normalized", "phone_digits").order_by("pk")
        for chunk in batched(numbers.iterator(CHUNK), CHUNK):
            changed = []
            for number in chunk:
                normalized = phones.e164(number.phone, None)
                if normalized:
                    number.phone_normalized = normalized
                    number.phone_digits = phones.digits(number.phone, normalized)
                    changed.append(number)
            Model.objects.bulk_update(changed, ["phone_normalized", "phone_digits"])


class Migration(migrations.Migration):
    dependencies = [("contacts", "0035_match_key_apostrophes")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
