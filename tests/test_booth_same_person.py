"""The booth's "same person?": who a card being typed may be of, and attaching it to them."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from contacts.folds import UR
from contacts.models import Card, Contact
from events.models import Conference

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def anna(make_card) -> Contact:
    earlier = Conference.objects.create(
        name="Expo 2025", starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 2), country="SE"
    )
    card = make_card(UR, name="Anna Berg", company="Bergwerk AB", conference=earlier)
    anna = card.contact
    anna.phone, anna.phone_normalized = "08-555 01 01", "+4685550101"
    anna.save()
    return anna


def lookup(client, conference, **typed) -> dict:
    response = client.get(reverse("events-booth-lookup", args=[conference.slug]), typed)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    "typed",
    [
        {"name": "anna berg", "company": "Bergwerk"},
        {"name": "Änna Berg", "company": "BERGWERK AB"},
        {"phone": "+46 8 555 0101"},
    ],
)
def test_it_says_who_the_card_looks_like_while_typing(client, bob, conference, anna, typed):
    client.force_login(bob)
    (person,) = lookup(client, conference, **typed)["people"]
    assert person == {
        "id": anna.pk,
        "name": "Anna Berg",
        "company": "Bergwerk AB",
        "met_at": "Expo 2025",
        "text": "Anna Berg, Bergwerk AB, met at Expo 2025",
        "url": anna.get_absolute_url(),
    }


def test_the_person_known_from_before_comes_before_a_duplicate_made_today(
    client, bob, conference, anna, make_card
):
    make_card(UR, name="Anna Berg", company="Bergwerk")  # not taken for Anna at the booth
    client.force_login(bob)
    people = lookup(client, conference, name="Anna Berg", company="Bergwerk AB")["people"]
    assert [person["met_at"] for person in people] == ["Expo 2025", conference.name]
    make_card(UR, contact=anna, conference=conference)
    people = lookup(client, conference, name="Anna Berg", company="Bergwerk AB")["people"]
    assert people[0]["id"] == anna.pk


def test_a_local_phone_is_read_in_the_conferences_country(client, bob, conference, anna):
    client.force_login(bob)
    assert lookup(client, conference, phone="08 555 0101")["people"] == []
    conference.country = "SE"
    conference.save()
    assert [p["id"] for p in lookup(client, conference, phone="08 555 0101")["people"]] == [anna.pk]


@pytest.fixture
def phil(make_card) -> Contact:
    """A person whose phone was typed at a conference of no known country: kept by its
    digits, not as E.164."""
    phil = make_card(name="Phil Phone").contact
    phil.phone = "0171 9876543"
    phil.save()
    return phil


def test_a_phone_no_country_reads_is_compared_by_its_digits(client, bob, conference, phil):
    client.force_login(bob)
    people = lookup(client, conference, phone="0171-987 65 43")["people"]
    assert [p["id"] for p in people] == [phil.pk]
    assert lookup(client, conference, phone="0171-987")["people"] == []


def test_a_number_kept_by_its_digits_is_found_when_typed_where_its_country_is_known(
    client, bob, conference, phil
):
    assert (phil.phone_normalized, phil.phone_digits) == ("", "01719876543")
    conference.country = "DE"
    conference.save()
    client.force_login(bob)
    people = lookup(client, conference, phone="+49 171 9876543")["people"]
    assert [p["id"] for p in people] == [phil.pk]
    assert lookup(client, conference, phone="0171 9876544")["people"] == []


def test_another_company_is_not_the_same_person(client, bob, conference, anna):
    client.force_login(bob)
    assert lookup(client, conference, name="Anna Berg", company="Acme")["people"] == []


def test_a_card_posted_with_the_person_chosen_is_theirs(client, bob, conference, anna):
    client.force_login(bob)
    booth = reverse("events-booth", args=[conference.slug])
    data = {"name": "Anna B.", "company": "Bergwerk", "title": "CTO", "contact": anna.pk}
    response = client.post(booth, data, **JSON)
    assert response.status_code == 201
    assert response.json()["contact"]["id"] == anna.pk
    assert response.json()["met_before"] == ["Expo 2025"]
    anna.refresh_from_db()
    # What was typed looked like her: it fills what was missing and replaces nothing.
    assert (anna.name, anna.company, anna.title) == ("Anna Berg", "Bergwerk AB", "CTO")


def test_a_card_for_a_person_gone_meanwhile_is_matched_as_any_other(client, bob, conference):
    client.force_login(bob)
    booth = reverse("events-booth", args=[conference.slug])
    response = client.post(booth, {"name": "Kim Ode", "contact": 999999}, **JSON)
    assert response.status_code == 201
    assert Card.objects.get().contact.name == "Kim Ode"


def test_a_bad_person_id_is_a_400(client, bob, conference):
    client.force_login(bob)
    booth = reverse("events-booth", args=[conference.slug])
    response = client.post(booth, {"name": "Kim Ode", "contact": "anna"}, **JSON)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["contact"]


def test_a_card_attached_to_a_person_with_someone_elses_email_keeps_it_theirs(
    client, bob, conference, anna
):
    kim = Contact.objects.create(name="Kim Ode", email="kim@acme.io")
    client.force_login(bob)
    booth = reverse("events-booth", args=[conference.slug])
    response = client.post(
        booth, {"name": "Anna Berg", "email": "kim@acme.io", "contact": anna.pk}, **JSON
    )
    assert response.status_code == 201
    assert Card.objects.get(conference=conference).contact == anna
    anna.refresh_from_db()
    assert anna.all_emails() == []
    assert Contact.objects.get(email="kim@acme.io") == kim


def test_a_card_of_a_known_person_adds_no_number_of_theirs_written_otherwise(
    client, bob, conference, anna
):
    client.force_login(bob)
    booth = reverse("events-booth", args=[conference.slug])
    typed = {"keys": "9", "name": "Anna Berg", "contact": anna.pk}
    for phone in ("08 555 01 01", "+46 8 555 01 01", "0046 8 555 01 01"):
        assert client.post(booth, {**typed, "phone": phone}, **JSON).status_code == 201
    assert [p.phone for p in Contact.objects.get(pk=anna.pk).all_phones()] == ["08-555 01 01"]
