"""Logging a batch of cards at once (services.log_cards, an import's write path): the same
cards and the same people as the booth's log_card, one card after the other, would make."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from contacts import photos, services
from contacts.folds import HALF, UL, UR
from contacts.models import Card, Consent, Contact, ContactEmail, ContactPhone
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(conference) -> dict[str, Contact]:
    """People met before: by primary email, by another email, by phone (no email)."""
    conference.country = "SE"
    conference.save()
    anna = Contact.objects.create(name="Anna Berg", company="Bergwerk", email="anna@berg.example")
    bo = Contact.objects.create(name="Bo Ek", email="bo@ek.example", phone="+46 8 555 0199")
    ContactEmail.objects.create(contact=bo, email="bo@old.example")
    cy = Contact.objects.create(name="Cy Ito", phone="08-555 0101", phone_normalized="+4685550101")
    return {"anna": anna, "bo": bo, "cy": cy}


def batch(known: dict[str, Contact]) -> list[services.CardInput]:
    """Return a batch mixing new people, known ones and repeated rows."""
    return [
        # New people, one of them twice (same email), one twice by phone (no email).
        services.CardInput(folds=UL, name="Dana Reyes", email="Dana@Acme.example"),
        services.CardInput(folds=UR, name="Eli Park", phone="+1 415 555 0100"),
        services.CardInput(folds=HALF, name="Dana R.", company="Acme", email="dana@acme.example"),
        services.CardInput(name="Eli Park", title="CTO", phone="+1 (415) 555-0100"),
        # Known by primary email, gaining a title and a phone (they had none).
        services.CardInput(email="ANNA@berg.example", title="CEO", phone="070 555 0123"),
        # Known by another email, gaining another phone (they have one).
        services.CardInput(name="Bo Ek", email="bo@old.example", phone="070 555 0456"),
        # Known by phone (no email on the card), then by phone with an email: gains it.
        services.CardInput(company="Ito AB", phone="+46 8 555 01 01"),
        services.CardInput(name="Cy Ito", email="cy@ito.example", phone="08 5550101"),
        # Chosen at the booth, giving an email that is now theirs beside their own.
        services.CardInput(contact_id=known["anna"].pk, email="anna@new.example"),
        # A phone of someone else with another name: another person.
        services.CardInput(name="Fay Lund", phone="08-555 0101", consent=Consent.GIVEN),
    ]


def people_and_cards() -> tuple[list, list]:
    """Return every person (details, emails, phones) and every card, as compared."""
    people = []
    for person in Contact.objects.order_by("pk").prefetch_related("other_emails", "other_phones"):
        details = (person.name, person.company, person.title, person.match_key)
        emails = tuple(person.all_emails())
        numbers = tuple((p.phone, p.phone_normalized, p.phone_digits) for p in person.all_phones())
        people.append((*details, emails, numbers))
    fields = ("folds", "priority", "due_on", "consent", "owner_id", "search", "client_uuid")
    cards = [
        (card.contact.all_emails(), card.contact.name, *(getattr(card, f) for f in fields))
        for card in Card.objects.select_related("contact").order_by("pk")
    ]
    return people, cards


def test_a_batch_makes_the_people_and_cards_the_booth_makes_one_by_one(conference, alice, known):
    decoder = services.Decoder.of(alice)
    inputs = [replace(data, client_uuid=uuid.uuid4()) for data in batch(known)]
    with transaction.atomic():
        for data in inputs:
            services.log_card(conference, alice, data, decoder)
        one_by_one = people_and_cards()
        transaction.set_rollback(True)
    cards = services.log_cards(conference, alice, inputs, decoder)
    assert people_and_cards() == one_by_one
    assert len(cards) == len(inputs) and all(card.pk for card in cards)
    # What the booth's rules say, spelled out.
    assert Contact.objects.count() == 3 + 3  # Dana, Eli, Fay
    dana, eli, fay = Contact.objects.filter(pk__gt=known["cy"].pk).order_by("pk")
    assert [card.contact for card in cards[:4]] == [dana, eli, dana, eli]
    assert (dana.email, dana.company, eli.title) == ("dana@acme.example", "Acme", "CTO")
    assert dana.name == "Dana Reyes"  # a later card's shorter form replaces nothing
    anna, bo, cy = (Contact.objects.get(pk=known[name].pk) for name in ("anna", "bo", "cy"))
    assert [card.contact for card in cards[4:9]] == [anna, bo, cy, cy, anna]
    assert anna.all_emails() == ["anna@berg.example", "anna@new.example"]
    assert (anna.title, anna.phone_normalized) == ("CEO", "+46705550123")
    assert [p.phone_normalized for p in bo.all_phones()] == ["", "+46705550456"]
    assert (cy.email, cy.company) == ("cy@ito.example", "Ito AB")
    assert cards[9].contact == fay and fay.phone_normalized == "+4685550101"
    assert ContactPhone.objects.count() == 1


def test_a_batch_rewrites_the_search_text_of_known_peoples_cards(conference, alice, known):
    decoder = services.Decoder.of(alice)
    services.log_card(conference, alice, services.CardInput(email="anna@berg.example"), decoder)
    inputs = [services.CardInput(email="anna@berg.example", company="Bergwerk Mining")]
    services.log_cards(conference, alice, inputs, decoder)
    assert Card.objects.filter(search__contains="bergwerk mining").count() == 2


def test_a_batch_tells_the_webhooks_of_each_card_reading_the_endpoints_once(
    conference, alice, known, django_assert_num_queries
):
    Endpoint.objects.create(owner=alice, url="https://crm.example/hook", events=["card.logged"])
    Endpoint.objects.create(owner=alice, url="https://crm.example/other", events=["card.updated"])
    cards = services.log_cards(conference, alice, batch(known)[:3], services.Decoder.of(alice))
    deliveries = Delivery.objects.order_by("pk")
    assert [d.subject for d in deliveries] == [f"card:{card.pk}" for card in cards]
    assert {d.event for d in deliveries} == {"card.logged"}
    emails = [d.payload["data"]["email"] for d in deliveries]
    assert emails == ["dana@acme.example", "", "dana@acme.example"]


def inserts(model, rows: int) -> int:
    """Return how many statements bulk_create takes to insert ``rows`` rows of ``model``."""
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key or f.generated)]
    size = transaction.get_connection().ops.bulk_batch_size(fields, range(rows))
    return -(-rows // size)


def test_a_batch_of_500_cards_takes_a_few_statements_not_some_per_card(
    conference, alice, known, django_assert_num_queries
):
    Endpoint.objects.create(owner=alice, url="https://crm.example/hook", events=["card.logged"])
    decoder = services.Decoder.of(alice)
    inputs = [
        services.CardInput(name=f"Person {n}", email=f"p{n}@example.com", phone=f"+1 555 {n:07d}")
        for n in range(450)
    ]
    inputs += batch(known) * 5  # known people gaining details, and repeated rows
    # A savepoint (2); read the people (3); write the new people, emails, phones (3), the
    # known people (2: Anna gains a title and a phone, Cy a company and an email, one
    # UPDATE per set of fields; Bo only another phone) and their cards' search text (read
    # 1, and none to write); the cards (1); read the endpoints (1) and whether each card's
    # person may be emailed (1), write the deliveries (1). Each write in as many
    # statements as the database takes rows in one (SQLite: 999 values a statement).
    new = 450 + 3
    expected = 2 + 3 + inserts(Contact, new) + 2 + 3 + inserts(Card, 500) + 2
    expected += inserts(Delivery, 500)
    with django_assert_num_queries(expected):
        services.log_cards(conference, alice, inputs, decoder)
    assert Card.objects.count() == 500
    assert Contact.objects.count() == 3 + new


def test_a_batch_writes_a_known_person_only_what_its_rows_changed(conference, known):
    anna = known["anna"]
    inputs = [services.CardInput(email="anna@berg.example", title="CEO")]
    people = services.BatchPeople.of(inputs, "SE")
    services.find_or_create_contact(inputs[0], "SE", people)
    # Meanwhile, at the booth, her name is corrected.
    Contact.objects.filter(pk=anna.pk).update(name="Anna Lind", version=F("version") + 1)
    people.save()
    saved = Contact.objects.get(pk=anna.pk)
    assert (saved.name, saved.title) == ("Anna Lind", "CEO")
    assert saved.version == anna.version + 2  # the booth's edit and the batch's


def test_a_card_saved_before_makes_the_batch_fail_whole(conference, alice, known):
    decoder = services.Decoder.of(alice)
    again = uuid.uuid4()
    services.log_card(conference, alice, services.CardInput(name="Dana", client_uuid=again))
    inputs = [services.CardInput(name="Eli"), services.CardInput(name="Dana", client_uuid=again)]
    with pytest.raises(IntegrityError), transaction.atomic():
        services.log_cards(conference, alice, inputs, decoder)
    assert list(Contact.objects.filter(name="Eli")) == []
    assert Card.objects.count() == 1


def test_a_batch_keeps_no_photos(conference, alice):
    photo = photos.Photo(photo=b"jpeg", thumbnail=b"jpeg")
    with pytest.raises(ValueError, match="log_cards keeps no photos"):
        services.log_cards(
            conference, alice, [services.CardInput(photo=photo)], services.Decoder.of(alice)
        )
    assert not Card.objects.exists()
