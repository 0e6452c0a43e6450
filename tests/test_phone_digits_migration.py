"""The data migration that fills the digits of the phones compared as typed and refreshes
the name and company keys of the people known before them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.migrating import migrated_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("contacts", "0025_contact_phone_digits")]
AFTER = [("contacts", "0026_fill_phone_digits_and_match_key")]


def test_it_fills_the_digits_of_invalid_numbers_and_the_keys_without_and():
    with migrated_to(BEFORE) as executor:
        old = executor.loader.project_state(BEFORE).apps
        Contact = old.get_model("contacts", "Contact")
        ContactPhone = old.get_model("contacts", "ContactPhone")
        # As saved before: the key kept "and", no digits.
        karin = Contact.objects.create(
            name="Karin Holm", company="Holm and Co", match_key="karin holm|holm and"
        )
        phil = Contact.objects.create(name="Phil", phone="0171 9876543")
        anna = Contact.objects.create(phone="08-555 01 01", phone_normalized="+4685550101")
        other = ContactPhone.objects.create(contact=anna, phone="(0171) 987-6543")
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        Contact = new.get_model("contacts", "Contact")
        assert Contact.objects.get(pk=karin.pk).match_key == "karin holm|holm"
        assert Contact.objects.get(pk=phil.pk).phone_digits == "01719876543"
        assert Contact.objects.get(pk=anna.pk).phone_digits == ""
        phone = new.get_model("contacts", "ContactPhone").objects.get(pk=other.pk)
        assert phone.phone_digits == "01719876543"
