"""The data migration that reads a job title's abbreviation after a name's comma as no
given name, in the name keys kept before."""

from __future__ import annotations

import pytest

from tests.migrating import migrated_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("contacts", "0033_match_key_suffixes")]
AFTER = [("contacts", "0034_match_key_job_titles")]


def test_it_rewrites_the_keys_of_names_with_a_job_title_after_the_comma():
    with migrated_to(BEFORE) as executor:
        Contact = executor.loader.project_state(BEFORE).apps.get_model("contacts", "Contact")
        # Keys as the rule before wrote them: "CEO" was the given name.
        ceo = Contact.objects.create(
            name="Dana Smith, CEO", company="Acme", match_key="ceo dana smith|acme"
        )
        reyes = Contact.objects.create(name="Reyes, Dana", company="", match_key="dana reyes|")
        executor.loader.build_graph()
        executor.migrate(AFTER)
        Contact = executor.loader.project_state(AFTER).apps.get_model("contacts", "Contact")
        keys = dict(Contact.objects.values_list("pk", "match_key"))
        assert keys == {ceo.pk: "dana smith ceo|acme", reyes.pk: "dana reyes|"}
