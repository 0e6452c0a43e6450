from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from contacts import queries, services
from contacts.folds import DIAG, HALF, LL, LR, UL, UR
from contacts.models import Card, Contact, ContactEmail, FoldRule, Meaning, Vocabulary

pytestmark = pytest.mark.django_db


def test_the_migration_creates_the_default_vocabulary_exactly():
    vocabulary = Vocabulary.default()
    assert vocabulary.is_default and vocabulary.default_window_days == 14
    rules = {
        rule.pattern: sorted(m.slug for m in rule.meanings.all()) for rule in vocabulary.rules.all()
    }
    assert rules == {
        UR: ["customer"],
        UL: ["prospect"],
        UR | UL: ["customer", "upsell"],
        HALF: ["asap"],
        DIAG: ["competitor"],
        LR: ["customer", "unhappy"],
        LL: ["prospect", "unhappy"],
    }
    meanings = {m.slug: (m.label, m.weight, m.window_days) for m in Meaning.objects.all()}
    assert meanings == {
        "asap": ("Talk ASAP", 50, 1),
        "unhappy": ("Unhappy", 40, 2),
        "upsell": ("Wants to buy more", 30, 3),
        "prospect": ("Prospect", 20, 3),
        "customer": ("Customer", 20, 7),
        "competitor": ("Competitor (friendly)", 5, 14),
    }


def test_a_saved_card_decodes_the_seed_example(make_card):
    card = make_card(UL | UR | HALF, logged_on=date(2026, 11, 19))
    card.refresh_from_db()
    assert [m.slug for m in card.decode().meanings] == ["asap", "upsell", "customer"]
    assert card.priority == 100
    assert card.due_on == date(2026, 11, 21)


def test_it_compiles_a_vocabulary_in_two_queries(vocabulary, django_assert_num_queries):
    with django_assert_num_queries(2):
        table = vocabulary.table()
    assert len(table) == 64


def test_an_inactive_meaning_is_left_out_but_its_rule_still_covers(vocabulary):
    Meaning.objects.filter(slug="competitor").update(active=False)
    decoding = vocabulary.table()[DIAG]
    assert decoding.meanings == ()
    assert decoding.unmapped == 0


def test_it_finds_cards_by_meaning(make_card):
    asap = make_card(HALF | UR, name="Ana")
    make_card(UL, name="Sam")
    found = Card.objects.with_meaning(Meaning.objects.get(slug="asap"))
    assert list(found) == [asap]


def test_reprioritize_applies_a_weight_edit_to_existing_cards(
    make_card, vocabulary, tasks_at_once, django_capture_on_commit_callbacks
):
    customer = make_card(UR, name="Cus")
    prospect = make_card(UL, name="Pro")
    Meaning.objects.filter(slug="prospect").update(weight=70, window_days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.meaning_changed(Meaning.objects.get(slug="prospect"))
    prospect.refresh_from_db()
    customer.refresh_from_db()
    assert (prospect.priority, prospect.due_on) == (70, date(2026, 11, 21))
    assert (customer.priority, customer.due_on) == (20, date(2026, 11, 27))


def test_reprioritize_gives_every_fold_combination_what_the_fold_engine_says(
    make_card, vocabulary, tasks_at_once, django_capture_on_commit_callbacks
):
    cards = [make_card(mask, name=f"Mask {mask}") for mask in range(64)]
    Meaning.objects.filter(slug="customer").update(weight=5, window_days=30)
    Meaning.objects.filter(slug="unhappy").update(weight=300, window_days=2)
    vocabulary.default_window_days = 9
    vocabulary.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.reprioritize([vocabulary])
    table = Vocabulary.objects.get(pk=vocabulary.pk).table()
    for card in cards:
        card.refresh_from_db()
        expected = Card(conference=card.conference, logged_at=card.logged_at)
        expected.apply_decoding(table[card.folds])
        assert (card.priority, card.window_days, card.due_on) == (
            expected.priority,
            expected.window_days,
            expected.due_on,
        ), card.folds


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL table setting")
def test_card_pages_keep_room_to_rewrite_every_row_in_place():
    # A weight edit rewrites the priority of most cards; see the squashed contacts migration.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'contacts_card'")
        assert cursor.fetchone()[0] == ["fillfactor=50"]


def test_moving_the_conference_end_moves_due_dates(make_card, conference):
    card = make_card(UR, logged_on=date(2026, 11, 19))
    conference.ends_on = date(2026, 11, 22)
    conference.save()
    services.conference_dates_changed(conference)
    card.refresh_from_db()
    assert (card.due_from, card.due_on) == (date(2026, 11, 22), date(2026, 11, 29))


def test_one_contact_per_email_after_normalizing():
    Contact.objects.create(name="Dana", email=" Dana@Acme.io ")
    assert Contact.objects.get().email == "dana@acme.io"
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(name="Dana again", email="DANA@acme.io")
    Contact.objects.create(name="No email")
    Contact.objects.create(name="No email either")


def test_the_database_refuses_a_duplicate_or_empty_rule(vocabulary):
    with pytest.raises(IntegrityError), transaction.atomic():
        FoldRule.objects.create(vocabulary=vocabulary, pattern=UR)
    with pytest.raises(IntegrityError), transaction.atomic():
        FoldRule.objects.create(vocabulary=vocabulary, pattern=0)


def test_client_uuid_is_unique(make_card):
    card = make_card(UR)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_card(UL, client_uuid=card.client_uuid)


def test_a_person_is_looked_up_by_email_through_an_index():
    # SQLite uses the partial unique index on emails only for a query that repeats its
    # condition (email <> ''): without an index of its own, each card logged scanned
    # every contact.
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL proves email = '...' implies the partial index's condition")
    plan = Contact.objects.filter(email="dana@acme.io").explain()
    assert "SEARCH contacts_contact USING INDEX contact_email (email=?)" in plan


@pytest.mark.parametrize(
    "look_up",
    [
        lambda: queries.person_with_email("dana@acme.io"),
        lambda: list(queries.people_with_phone("+15550100")),
        lambda: list(queries.people_with_phone("", "5550100")),
        lambda: services.BatchPeople.of(
            [services.CardInput(name="Dana", email="dana@acme.io", phone="+1 555 0100")], "US"
        ),
    ],
    ids=["email", "phone", "phone's digits", "a batch's people"],
)
def test_a_person_is_looked_up_by_any_of_their_emails_and_phones_through_indexes(look_up):
    # `email = %s OR id IN (SELECT contact_id FROM contacts_contactemail …)` was answered
    # on PostgreSQL by reading every person (a hashed SubPlan): 15 ms a card logged at
    # 100,000 people.
    dana = Contact.objects.create(name="Dana", email="dana@acme.io", phone="+15550100")
    ContactEmail.objects.create(contact=dana, email="dana@home.example")
    with transaction.atomic(), CaptureQueriesContext(connection) as ran:
        if connection.vendor == "postgresql":
            # As at a million people: the few test rows would be read whole anyway. Prepared
            # statements (foldcard.sql.Prepared) planned by earlier tests are planned again.
            connection.cursor().execute("SET LOCAL enable_seqscan = off; DISCARD PLANS")
        look_up()
    # A prepared statement on PostgreSQL (foldcard.sql.Prepared): EXPLAIN EXECUTE … plans it.
    people = ('FROM "contacts_contact" WHERE', "EXECUTE ")
    (statement,) = [q["sql"] for q in ran if any(each in q["sql"] for each in people)]
    plan = "\n".join(row[-1] for row in _explain(statement))
    assert "SubPlan" not in plan and "Seq Scan" not in plan
    assert not [line for line in plan.splitlines() if line.startswith("SCAN")]


def _explain(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql)
        return cursor.fetchall()


def test_merging_details_never_blanks_a_known_value():
    dana = Contact(name="Dana Reyes", company="Acme", title="CTO", phone="555 0100")
    changed = dana.merge({"name": "Dana R.", "company": "", "title": "", "phone": "555 0199"})
    assert changed == ["name", "phone"]
    assert (dana.name, dana.company, dana.title, dana.phone) == (
        "Dana R.",
        "Acme",
        "CTO",
        "555 0199",
    )
    assert dana.merge({"name": "Dana R.", "company": ""}) == []
