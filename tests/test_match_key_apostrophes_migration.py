"""The data migration that joins a word at its apostrophe, in the name keys kept before."""

from __future__ import annotations

import pytest

from tests.migrating import migrated_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("contacts", "0034_match_key_job_titles")]
AFTER = [("contacts", "0035_match_key_apostrophes")]


def test_it_rewrites_the_keys_of_names_with_an_apostrophe():
    with migrated_to(BEFORE) as executor:
        Contact = executor.loader.project_state(BEFORE).apps.get_model("contacts", "Contact")
        # Keys as the rule before wrote them: the apostrophe parted the word.
        renee = Contact.objects.create(
            name="Renée O\u2019Brien", company="Acme", match_key="renee o brien|acme"
        )
        jack = Contact.objects.create(
            name="Jack Holm", company="Jack's A/S", match_key="jack holm|jacksas"
        )
        reyes = Contact.objects.create(name="Dana Reyes", company="", match_key="dana reyes|")
        executor.loader.build_graph()
        executor.migrate(AFTER)
        Contact = executor.loader.project_state(AFTER).apps.get_model("contacts", "Contact")
        keys = dict(Contact.objects.values_list("pk", "match_key"))
        assert keys == {
            renee.pk: "renee obrien|acme",
            jack.pk: "jack holm|jacks",
            reyes.pk: "dana reyes|",
        }
