"""The data migration that fills the compared forms of the people known before them."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.migrating import migrated_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("contacts", "0020_contact_emails_phones_merges"),
    ("events", "0004_conference_time_zone_and_country"),
]
AFTER = [("contacts", "0021_fill_contact_match_key_and_phone")]


def test_it_fills_the_name_key_and_the_phone_read_in_the_latest_conferences_country():
    with migrated_to(BEFORE) as executor:
        fill_and_check(executor)


def fill_and_check(executor: MigrationExecutor) -> None:
    old = executor.loader.project_state(BEFORE).apps
    Contact = old.get_model("contacts", "Contact")
    Conference = old.get_model("events", "Conference")
    Card = old.get_model("contacts", "Card")
    Vocabulary = old.get_model("contacts", "Vocabulary")
    anna = Contact.objects.create(name="Ánna Berg", company="Bergwerk AB", phone="08-555 01 01")
    nobody = Contact.objects.create(company="Acme", phone="08-555 01 01")
    stockholm = Conference.objects.create(
        name="Nordic",
        slug="nordic",
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 5, 2),
        country="SE",
    )
    Card.objects.create(
        contact=anna,
        conference=stockholm,
        vocabulary=Vocabulary.objects.create(name="v"),
        logged_at=timezone.make_aware(datetime(2026, 5, 1, 10)),
        due_from=date(2026, 5, 2),
        due_on=date(2026, 5, 9),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("contacts", "Contact")
    anna, nobody = new.objects.get(pk=anna.pk), new.objects.get(pk=nobody.pk)
    assert (anna.match_key, anna.phone_normalized) == ("anna berg|bergwerk", "+4685550101")
    # No card, no country: a number without country code is compared as typed.
    assert (nobody.match_key, nobody.phone_normalized) == ("", "")
