"""Merging two people into one, field by field, and undoing it."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from contacts.folds import HALF, UR
from contacts.models import (
    Card,
    Contact,
    ContactEmail,
    ContactMerge,
    ImportedRow,
    SentEmail,
)
from events.models import Conference
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(make_card) -> Contact:
    card = make_card(UR, name="Anna Berg", company="Bergwerk AB", note="Wants a demo.")
    anna = card.contact
    anna.email = "anna@bergwerk.se"
    anna.notes = "Met through Kim."
    anna.phone, anna.phone_normalized = "+46 70 123 45 67", "+46701234567"
    anna.save()
    return anna


@pytest.fixture
def berg(make_card, alice) -> Contact:
    earlier = Conference.objects.create(
        name="Expo 2025", starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 2)
    )
    card = make_card(HALF, name="A. Berg", company="Bergwerk", conference=earlier)
    card.set_state(Card.State.DONE, alice, "Sent the price list.")
    SentEmail.objects.create(card=card, sent_by=alice, to="a@berg.se", subject="Prices", body="…")
    berg = card.contact
    berg.email = "a@berg.se"
    berg.phone, berg.phone_normalized = "08-555 01 01", "+4685550101"
    berg.title = "CTO"
    berg.notes = "Vegetarian."
    berg.save()
    ContactEmail.objects.create(contact=berg, email="anna.berg@gmail.com")
    ImportedRow.objects.create(key="row-1", contact=berg)
    return berg


def merge_url(kept: Contact, other: Contact) -> str:
    return reverse("contacts-merge", args=[kept.pk, other.pk])


def picks(anna: Contact, berg: Contact, **changes) -> dict:
    data = {
        "name": "kept",
        "company": "kept",
        "title": "other",
        "email": "kept",
        "phone": "other",
        "website": "kept",
        "notes": "both",
        "kept_version": anna.version,
        "other_version": berg.version,
    }
    data.update(changes)
    return data


def test_the_page_shows_both_side_by_side_with_the_non_empty_values_picked(
    client, alice, anna, berg
):
    client.force_login(alice)
    response = client.get(merge_url(anna, berg))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["name"].value() == "kept"
    assert form["title"].value() == "other"  # anna has none
    assert form["phone"].value() == "kept"  # both have one: the kept one's
    assert form["notes"].value() == "both"
    page = response.content.decode()
    assert "Vegetarian." in page and "Met through Kim." in page


def test_a_merge_moves_everything_to_the_kept_person_and_records_it(client, alice, anna, berg):
    berg_cards = set(berg.cards.values_list("pk", flat=True))
    client.force_login(alice)
    response = client.post(merge_url(anna, berg), picks(anna, berg))
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=berg.pk).exists()
    anna.refresh_from_db()
    assert (anna.name, anna.company, anna.title) == ("Anna Berg", "Bergwerk AB", "CTO")
    assert anna.notes == "Met through Kim.\n\nVegetarian."
    # Nothing lost: every email and phone of both, the picked ones first.
    assert anna.all_emails() == ["anna@bergwerk.se", "a@berg.se", "anna.berg@gmail.com"]
    assert [p.phone for p in anna.all_phones()] == ["08-555 01 01", "+46 70 123 45 67"]
    assert anna.phone_normalized == "+4685550101"
    # Every card, with its outcome and emails sent, and the imported row's trace.
    assert berg_cards <= set(anna.cards.values_list("pk", flat=True))
    assert anna.cards.filter(outcome="Sent the price list.").exists()
    assert SentEmail.objects.get().card.contact == anna
    assert ImportedRow.objects.get().contact == anna
    merge = ContactMerge.objects.get()
    assert (merge.kept, merge.merged_by, merge.merged["name"]) == (anna, alice, "A. Berg")
    page = client.get(anna.get_absolute_url()).content.decode()
    assert "A. Berg merged in by alice" in page and "Expo 2025" in page


def test_the_message_names_the_person_as_merged(client, alice, anna, berg):
    client.force_login(alice)
    response = client.post(merge_url(anna, berg), picks(anna, berg, company="other"), follow=True)
    assert "Merged A. Berg into Anna Berg, Bergwerk." in response.content.decode()


def test_a_merge_tells_the_webhooks(client, alice, anna, berg):
    Endpoint.objects.create(owner=alice, url="https://example.org/hook", events=["contact.merged"])
    client.force_login(alice)
    client.post(merge_url(anna, berg), picks(anna, berg))
    delivery = Delivery.objects.get()
    assert (delivery.event, delivery.subject) == ("contact.merged", f"contact:{anna.pk}")
    assert delivery.payload["data"]["merged_ids"] == [berg.pk]
    assert delivery.payload["data"]["contact"]["name"] == "Anna Berg"


def test_undo_puts_both_people_back_as_they_were(client, alice, anna, berg):
    before = {
        person.pk: (person.name, person.title, person.notes, person.all_emails(), person.phone)
        for person in (anna, berg)
    }
    cards = {person.pk: set(person.cards.values_list("pk", flat=True)) for person in (anna, berg)}
    client.force_login(alice)
    client.post(merge_url(anna, berg), picks(anna, berg))
    merge = ContactMerge.objects.get()
    response = client.post(reverse("contacts-merge-undo", args=[merge.pk]))
    assert response.status_code == 302
    for person in Contact.objects.filter(pk__in=before):
        assert (
            person.name,
            person.title,
            person.notes,
            person.all_emails(),
            person.phone,
        ) == before[person.pk]
        assert set(person.cards.values_list("pk", flat=True)) == cards[person.pk]
    back = Contact.objects.get(pk=berg.pk)
    assert back.phone_normalized == "+4685550101"
    assert ImportedRow.objects.get().contact == back
    merge.refresh_from_db()
    assert merge.undone_by == alice


def test_undo_is_refused_after_another_edit_of_the_kept_person(client, alice, anna, berg):
    client.force_login(alice)
    client.post(merge_url(anna, berg), picks(anna, berg))
    anna.refresh_from_db()
    edit = {"name": "Anna Berg-Holm", "emails": "anna@bergwerk.se", "version": anna.version}
    assert client.post(anna.get_absolute_url(), edit).status_code == 302
    merge = ContactMerge.objects.get()
    assert "data-undo-merge" not in client.get(anna.get_absolute_url()).content.decode()
    response = client.post(reverse("contacts-merge-undo", args=[merge.pk]))
    assert response.status_code == 409
    assert "can no longer be undone" in response.content.decode()
    assert not Contact.objects.filter(pk=berg.pk).exists()
    assert Contact.objects.get(pk=anna.pk).name == "Anna Berg-Holm"


def test_an_undo_twice_is_refused(client, alice, anna, berg):
    client.force_login(alice)
    client.post(merge_url(anna, berg), picks(anna, berg))
    undo = reverse("contacts-merge-undo", args=[ContactMerge.objects.get().pk])
    assert client.post(undo).status_code == 302
    assert client.post(undo).status_code == 409
    assert Contact.objects.count() == 2


def test_a_merge_of_people_changed_meanwhile_is_refused_with_409(client, alice, anna, berg):
    seen = picks(anna, berg)
    berg.title = "CEO"
    berg.save()
    client.force_login(alice)
    response = client.post(merge_url(anna, berg), seen)
    assert response.status_code == 409
    assert "Nothing was merged" in response.content.decode()
    assert Contact.objects.filter(pk=berg.pk).exists()
    assert not ContactMerge.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "mine"}, "name"),
        ({"title": "both"}, "title"),
        ({"notes": ""}, "notes"),
        ({"kept_version": "x"}, "kept_version"),
    ],
)
def test_a_bad_pick_is_a_400_merging_nothing(client, alice, anna, berg, changes, field):
    client.force_login(alice)
    response = client.post(merge_url(anna, berg), picks(anna, berg, **changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Contact.objects.filter(pk=berg.pk).exists()


def test_a_person_is_not_merged_with_themselves(client, alice, anna):
    client.force_login(alice)
    assert client.get(merge_url(anna, anna)).status_code == 404


@pytest.mark.parametrize("persona", ["bob", "charlie", "vera"])
def test_only_managers_merge_and_undo(client, request, alice, anna, berg, persona):
    client.force_login(alice)
    client.post(merge_url(anna, berg), picks(anna, berg))
    merge = ContactMerge.objects.get()
    other = Contact.objects.create(name="Anna B.")
    anna.refresh_from_db()
    client.force_login(request.getfixturevalue(persona))
    assert client.post(merge_url(anna, other), picks(anna, other)).status_code == 403
    assert client.post(reverse("contacts-merge-undo", args=[merge.pk])).status_code == 403
    assert Contact.objects.filter(pk=other.pk).exists()
    assert ContactMerge.objects.get().undone_at is None


def test_a_pair_sharing_an_email_merges_and_comes_back_apart(client, alice, make_card):
    dana = make_card(name="Dana Reyes").contact
    dana.email = "dana@acme.io"
    dana.save()
    other = make_card(name="D. Reyes").contact
    other.email = "dana.reyes@gmail.com"
    other.save()
    ContactEmail.objects.create(contact=other, email="dana@acme.io")
    client.force_login(alice)
    client.post(merge_url(dana, other), picks(dana, other, title="kept", phone="kept"))
    dana.refresh_from_db()
    assert dana.all_emails() == ["dana@acme.io", "dana.reyes@gmail.com"]
    client.post(reverse("contacts-merge-undo", args=[ContactMerge.objects.get().pk]))
    assert Contact.objects.get(pk=dana.pk).all_emails() == ["dana@acme.io"]
    back = Contact.objects.get(pk=other.pk)
    assert back.all_emails() == ["dana.reyes@gmail.com", "dana@acme.io"]
    assert back.cards.count() == 1


def merge_and_undo_url(client, kept: Contact, other: Contact) -> str:
    """Merge ``other`` into ``kept`` as the page would, and return the merge's undo URL."""
    kept.refresh_from_db()
    other.refresh_from_db()
    assert client.post(merge_url(kept, other), picks(kept, other)).status_code == 302
    return reverse("contacts-merge-undo", args=[ContactMerge.objects.latest("pk").pk])


def three_people(make_card) -> list[Contact]:
    people = []
    for name in ("Alma", "Bert", "Cleo"):
        contact = Contact.objects.create(name=name, email=f"{name.lower()}@example.org")
        people.append(make_card(contact=contact).contact)
    return people


def test_a_merge_carried_into_a_third_person_is_undone_only_after_that_one(
    client, alice, make_card
):
    a, b, c = three_people(make_card)
    client.force_login(alice)
    a_into_b = merge_and_undo_url(client, b, a)
    b_into_c = merge_and_undo_url(client, c, b)
    page = client.get(c.get_absolute_url()).content.decode()
    assert page.count("data-undo-merge") == 1  # B into C's only

    # Undone, A into B would write B's details over Cleo's.
    response = client.post(a_into_b)
    assert response.status_code == 409
    assert (Contact.objects.get(pk=c.pk).name, Contact.objects.count()) == ("Cleo", 1)

    assert client.post(b_into_c).status_code == 302
    assert client.post(a_into_b).status_code == 302
    people = Contact.objects.order_by("pk").values_list("pk", "name", "email")
    assert list(people) == [(p.pk, p.name, p.email) for p in (a, b, c)]


def test_two_merges_into_one_person_are_undone_last_first(client, alice, make_card):
    a, b, c = three_people(make_card)
    version = Contact.objects.get(pk=c.pk).version
    client.force_login(alice)
    a_into_c = merge_and_undo_url(client, c, a)
    b_into_c = merge_and_undo_url(client, c, b)
    assert client.post(a_into_c).status_code == 409  # B's merge first
    assert client.post(b_into_c).status_code == 302
    page = client.get(c.get_absolute_url()).content.decode()
    assert page.count("data-undo-merge") == 1  # A into C's, now
    assert client.post(a_into_c).status_code == 302
    people = Contact.objects.order_by("pk").values_list("pk", "name", "email")
    assert list(people) == [(p.pk, p.name, p.email) for p in (a, b, c)]
    # Back as before the merges: a form loaded then saves.
    assert Contact.objects.get(pk=c.pk).version == version


def test_a_person_changed_before_being_merged_on_keeps_an_earlier_merge_into_them(
    client, alice, make_card
):
    a, b, c = three_people(make_card)
    client.force_login(alice)
    a_into_b = merge_and_undo_url(client, b, a)
    b.refresh_from_db()
    b.title = "CEO"  # after A went into B: undoing A into B would lose it
    b.save()
    b_into_c = merge_and_undo_url(client, c, b)
    assert client.post(b_into_c).status_code == 302
    assert client.post(a_into_b).status_code == 409
    assert Contact.objects.get(pk=b.pk).title == "CEO"


def test_an_undone_merge_gives_the_person_back_their_uid_and_their_cards_search(
    client, alice, anna, berg
):
    client.force_login(alice)
    undo = merge_and_undo_url(client, anna, berg)
    assert client.post(undo).status_code == 302
    back = Contact.objects.get(pk=berg.pk)
    assert back.uid == berg.uid
    assert all("a@berg.se" in card.search for card in back.cards.all())
    assert not any("a@berg.se" in card.search for card in anna.cards.all())
    assert Card.objects.filter(search__contains="anna@bergwerk.se").count() == anna.cards.count()
