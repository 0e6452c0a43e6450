"""The data migration that compares the letters Unicode does not decompose as the letters
they are written for, in the keys and search text kept before."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.migrating import migrated_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("contacts", "0026_fill_phone_digits_and_match_key"),
    ("events", "0005_conference_retention"),
]
AFTER = [("contacts", "0027_fold_base_letters")]


def test_it_rewrites_the_keys_and_search_text_written_with_such_a_letter():
    with migrated_to(BEFORE) as executor:
        old = executor.loader.project_state(BEFORE).apps
        Contact = old.get_model("contacts", "Contact")
        Card = old.get_model("contacts", "Card")
        fair = old.get_model("events", "Conference").objects.create(
            name="Fair", slug="fair", starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 2)
        )
        vocabulary = old.get_model("contacts", "Vocabulary").objects.create(name="v")

        def card(contact, note: str = ""):
            return Card.objects.create(
                contact=contact,
                conference=fair,
                vocabulary=vocabulary,
                note=note,
                logged_at=timezone.make_aware(datetime(2026, 5, 1, 10)),
                due_from=date(2026, 5, 2),
                due_on=date(2026, 5, 9),
                search="as kept before",
            )

        # As kept before: the letters as they were.
        zoe = Contact.objects.create(
            name="Zoë Ørsted", company="ØRSTED A/S", match_key="zoe ørsted|ørsted a s"
        )
        dana = Contact.objects.create(name="Dana Reyes", match_key="as kept before")
        of_zoe, noting, of_dana = card(zoe), card(dana, note="Office in Łódź"), card(dana)
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        Contact, Card = new.get_model("contacts", "Contact"), new.get_model("contacts", "Card")
        # The migration keys with today's contacts.matching, which also reads "A/S" as
        # the legal form AS (migration 0028).
        assert Contact.objects.get(pk=zoe.pk).match_key == "zoe orsted|orsted"
        assert Card.objects.get(pk=of_zoe.pk).search == "zoe orsted\norsted a/s\n\n\n\n\n"
        assert "office in lodz" in Card.objects.get(pk=noting.pk).search
        # Written without such a letter: left as it was.
        assert Contact.objects.get(pk=dana.pk).match_key == "as kept before"
        assert Card.objects.get(pk=of_dana.pk).search == "as kept before"
