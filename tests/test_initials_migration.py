"""The data migration that compares a legal form written with stops or a slash as the word
it abbreviates, in the name and company keys kept before."""

from __future__ import annotations

import pytest

from tests.migrating import migrated_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("contacts", "0027_fold_base_letters")]
AFTER = [("contacts", "0028_join_initials_in_company_key")]


def test_it_rewrites_the_keys_of_companies_written_with_initials():
    with migrated_to(BEFORE) as executor:
        Contact = executor.loader.project_state(BEFORE).apps.get_model("contacts", "Contact")
        jose = Contact.objects.create(
            name="Jose Alvarez", company="Acme S.L.", match_key="jose alvarez|acme s l"
        )
        piet = Contact.objects.create(
            name="Piet Smit", company="Smit B. V.", match_key="piet smit|smit b v"
        )
        ida = Contact.objects.create(
            name="Ida Holm", company="Holm A/S", match_key="ida holm|holm a s"
        )
        # No run of single letters, or no name: left as they were.
        dana = Contact.objects.create(name="Dana Reyes", company="Acme Inc.", match_key="kept")
        nameless = Contact.objects.create(name="", company="Acme S.A.", match_key="")
        executor.loader.build_graph()
        executor.migrate(AFTER)
        Contact = executor.loader.project_state(AFTER).apps.get_model("contacts", "Contact")
        keys = dict(Contact.objects.values_list("pk", "match_key"))
        assert keys == {
            jose.pk: "jose alvarez|acme",
            piet.pk: "piet smit|smit",
            ida.pk: "ida holm|holm",
            dana.pk: "kept",
            nameless.pk: "",
        }
