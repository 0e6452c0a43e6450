"""The data migration that compares a name written family name first with a comma as
given name first, and a company without the spaces between its words, in the name and
company keys kept before."""

from __future__ import annotations

import pytest

from tests.migrating import migrated_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("contacts", "0029_email_batch_versions")]
AFTER = [("contacts", "0030_match_key_name_order")]


def test_it_rewrites_the_keys_of_names_written_family_name_first_and_of_companies():
    with migrated_to(BEFORE) as executor:
        Contact = executor.loader.project_state(BEFORE).apps.get_model("contacts", "Contact")
        reyes = Contact.objects.create(
            name="Reyes, Dana", company="Acme Inc.", match_key="reyes dana|acme"
        )
        combo = Contact.objects.create(
            name="Dana Reyes", company="Combo Corp Inc.", match_key="dana reyes|combo"
        )
        glued = Contact.objects.create(
            name="Dana Reyes", company="ComboCorp", match_key="dana reyes|combocorp"
        )
        labs = Contact.objects.create(
            name="Li Wei", company="Bergwerk Labs AB", match_key="li wei|bergwerk labs"
        )
        # A degree after the comma, one word, or no name: as they were.
        phd = Contact.objects.create(
            name="Dana Reyes, PhD", company="Acme", match_key="dana reyes phd|acme"
        )
        anna = Contact.objects.create(
            name="Anna Berg", company="Bergwerk AB", match_key="anna berg|bergwerk"
        )
        nameless = Contact.objects.create(name="", company="Combo Corp", match_key="")
        executor.loader.build_graph()
        executor.migrate(AFTER)
        Contact = executor.loader.project_state(AFTER).apps.get_model("contacts", "Contact")
        keys = dict(Contact.objects.values_list("pk", "match_key"))
        assert keys == {
            reyes.pk: "dana reyes|acme",
            combo.pk: "dana reyes|combo",
            glued.pk: "dana reyes|combo",
            labs.pk: "li wei|bergwerklabs",
            phd.pk: "dana reyes phd|acme",
            anna.pk: "anna berg|bergwerk",
            nameless.pk: "",
        }
