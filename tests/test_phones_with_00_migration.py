"""The data migration that reads a stored number beginning with 00 with that as its +."""

from __future__ import annotations

import pytest

from tests.migrating import migrated_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("contacts", "0035_match_key_apostrophes")]
AFTER = [("contacts", "0036_phones_with_00")]


def test_it_gives_a_number_beginning_with_00_its_e164_form():
    with migrated_to(BEFORE) as executor:
        old = executor.loader.project_state(BEFORE).apps
        Contact = old.get_model("contacts", "Contact")
        ContactPhone = old.get_model("contacts", "ContactPhone")
        # As stored before: no E.164 form, compared by its digits.
        anna = Contact.objects.create(phone="0046 8 555 01 01", phone_digits="004685550101")
        other = ContactPhone.objects.create(
            contact=anna, phone=" 0049 30 1234567", phone_digits="0049301234567"
        )
        short = Contact.objects.create(phone="0012", phone_digits="")
        executor.loader.build_graph()
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        Contact = new.get_model("contacts", "Contact")
        anna = Contact.objects.get(pk=anna.pk)
        assert (anna.phone_normalized, anna.phone_digits) == ("+4685550101", "")
        other = new.get_model("contacts", "ContactPhone").objects.get(pk=other.pk)
        assert (other.phone_normalized, other.phone_digits) == ("+49301234567", "")
        assert Contact.objects.get(pk=short.pk).phone_normalized == ""
