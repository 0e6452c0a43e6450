"""The data migration that reads a suffix after a name's comma only when each of its words
is one, in the name keys kept before."""

from __future__ import annotations

import pytest

from tests.migrating import migrated_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("contacts", "0032_card_added")]
AFTER = [("contacts", "0033_match_key_suffixes")]


def test_it_rewrites_the_keys_of_names_with_a_word_once_taken_for_a_suffix():
    with migrated_to(BEFORE) as executor:
        Contact = executor.loader.project_state(BEFORE).apps.get_model("contacts", "Contact")
        # Keys as the rule before wrote them: "Md" was a suffix, so the name stayed as written.
        rahman = Contact.objects.create(
            name="Rahman, Md Abdul", company="Acme", match_key="rahman md abdul|acme"
        )
        phd = Contact.objects.create(
            name="Dana Reyes, PhD", company="Acme", match_key="dana reyes phd|acme"
        )
        reyes = Contact.objects.create(name="Reyes, Dana", company="", match_key="dana reyes|")
        executor.loader.build_graph()
        executor.migrate(AFTER)
        Contact = executor.loader.project_state(AFTER).apps.get_model("contacts", "Contact")
        keys = dict(Contact.objects.values_list("pk", "match_key"))
        assert keys == {
            rahman.pk: "md abdul rahman|acme",
            phd.pk: "dana reyes phd|acme",
            reyes.pk: "dana reyes|",
        }
