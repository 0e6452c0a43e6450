"""vCard export (4.0 and 3.0) read by vobject, and read back by foldcard's importer."""

from __future__ import annotations

import io

import pytest
import vobject
from django.urls import reverse

from contacts import exports, imports
from contacts.folds import HALF, UL, UR
from contacts.models import Card, Contact, ImportedRow
from events.models import Conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(conference, make_card) -> list[Contact]:
    dana = Contact.objects.create(
        name="Dana Reyes",
        company="Acme, Inc.",
        title="CTO",
        email="dana@acme.io",
        phone="+4685550101",
        website="https://acme.io",
    )
    make_card(UL | UR | HALF, contact=dana, note="wants a second region;\nasap")
    make_card(UR, contact=dana, note="met again on the last day")
    li = Contact.objects.create(name="Li Wei", company="Hooli", phone="555 0100")
    make_card(UL, contact=li)
    return [dana, li]


def download(client, conference, **params) -> tuple:
    url = reverse("events-export-vcf", args=[conference.slug])
    response = client.get(url, params)
    assert response.status_code == 200
    return response, response.content


def by_name(body: bytes) -> dict:
    return {card.fn.value: card for card in vobject.readComponents(body.decode())}


def test_it_exports_vcard_4_with_a_stable_uid(admin_client, conference, people):
    response, body = download(admin_client, conference)
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    cards = by_name(body)
    dana = cards["Dana Reyes"]
    assert dana.version.value == "4.0"
    assert dana.uid.value == people[0].uid.urn
    assert dana.uid.value.startswith("urn:uuid:")
    _, again = download(admin_client, conference)
    assert again == body  # the same export twice: the same UIDs


def test_the_vcard_4_carries_meanings_folds_and_the_conversation(admin_client, conference, people):
    _, body = download(admin_client, conference)
    dana = by_name(body)["Dana Reyes"]
    assert dana.categories.value == ["Talk ASAP", "Wants to buy more", "Customer"]
    folds = [line.value for line in dana.contents["x-foldcard-folds"]]
    assert folds == ["UL UR HALF", "UR"]
    assert dana.note.value == "wants a second region;\nasap\nmet again on the last day"
    assert dana.org.value == ["Acme, Inc."]
    assert (dana.n.value.given, dana.n.value.family) == ("Dana", "Reyes")
    assert dana.tel.value == "tel:+4685550101"
    assert dana.tel.params["VALUE"] == ["uri"]
    assert dana.email.params["TYPE"] == ["work"]
    assert dana.url.value == "https://acme.io"
    li = by_name(body)["Li Wei"]
    assert li.tel.value == "555 0100"  # not a number in E.164: as typed
    assert "VALUE" not in li.tel.params


@pytest.mark.parametrize("version", ["4", "3"])
def test_every_email_and_phone_of_a_person_is_listed_the_primary_first(
    admin_client, conference, people, version
):
    dana = people[0]
    dana.other_emails.create(email="dana@reyes.name")
    dana.other_phones.create(phone="+46 70 123 45 67", phone_normalized="+46701234567")
    _, body = download(admin_client, conference, version=version)
    card = by_name(body)["Dana Reyes"]
    emails = [line.value for line in card.contents["email"]]
    phones = [line.value for line in card.contents["tel"]]
    assert emails == ["dana@acme.io", "dana@reyes.name"]
    primary = "+4685550101" if version == "3" else "tel:+4685550101"
    assert phones == [primary, "+46 70 123 45 67"]


def test_the_vcards_are_read_in_five_queries_however_many_people(
    admin_client, conference, people, make_card, django_assert_num_queries
):
    for n in range(3):
        person = Contact.objects.create(name=f"Person {n}", email=f"p{n}@acme.io")
        person.other_emails.create(email=f"p{n}@home.example")
        make_card(UR, contact=person)
    # The cards with their people and vocabularies, the people's other emails, their other
    # phones, the meanings, the vocabulary's rules.
    with django_assert_num_queries(5):
        exports.vcards(conference)


def test_every_line_ends_in_crlf(admin_client, conference, people):
    _, body = download(admin_client, conference)
    assert body.count(b"\n") == body.count(b"\r\n")
    assert body.startswith(b"BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))


def test_version_3_is_for_old_address_books(admin_client, conference, people):
    _, body = download(admin_client, conference, version="3")
    cards = by_name(body)
    dana = cards["Dana Reyes"]
    assert dana.version.value == "3.0"
    assert dana.uid.value == people[0].uid.urn
    assert dana.tel.value == "+4685550101"
    assert dana.tel.params["TYPE"] == ["WORK", "VOICE"]
    assert dana.email.params["TYPE"] == ["INTERNET", "WORK"]
    assert dana.categories.value == ["Talk ASAP", "Wants to buy more", "Customer"]
    assert body.count(b"\n") == body.count(b"\r\n")


@pytest.mark.parametrize("version", ["2", "5", "4.0", "x"])
def test_an_unknown_version_is_refused(admin_client, conference, version):
    url = reverse("events-export-vcf", args=[conference.slug])
    response = admin_client.get(url, {"version": version})
    assert response.status_code == 400
    assert "choose 4 (the default) or 3" in response.content.decode()


def test_the_vcards_need_the_export_permission(client, bob, conference):
    client.force_login(bob)
    assert client.get(reverse("events-export-vcf", args=[conference.slug])).status_code == 403


def import_file(data: bytes, conference, user=None) -> imports.Summary:
    file = io.BytesIO(data)
    source = imports.inspect(file)
    mapping = imports.auto_mapping(source, cards=conference is not None)
    checked = imports.check(io.BytesIO(data), source, mapping, conference)
    saved = imports.save(file, source, mapping, conference, user)
    assert (checked.new, checked.attached, checked.skipped) == (
        saved.new,
        saved.attached,
        saved.skipped,
    )
    return saved


def snapshot() -> tuple:
    contacts = list(Contact.objects.order_by("pk").values())
    cards = list(Card.objects.order_by("pk").values())
    return contacts, cards


@pytest.mark.parametrize("version", [4, 3])
def test_importing_the_export_into_its_conference_changes_nothing(
    conference, alice, people, version
):
    before = snapshot()
    summary = import_file(exports.vcards(conference, version).encode(), conference, alice)
    assert (summary.rows, summary.new, summary.attached, summary.skipped) == (2, 0, 0, 2)
    assert snapshot() == before


@pytest.mark.parametrize("version", [4, 3])
def test_importing_the_export_as_contacts_changes_nothing(conference, people, version):
    before = snapshot()
    summary = import_file(exports.vcards(conference, version).encode(), None)
    assert (summary.new, summary.attached) == (0, 2)
    assert snapshot() == before
    assert ImportedRow.objects.count() == 2


def test_the_export_imported_elsewhere_adds_cards_to_the_same_people(conference, alice, people):
    other = Conference.objects.create(
        name="Next", starts_on=conference.starts_on, ends_on=conference.ends_on
    )
    Contact.objects.filter(pk=people[1].pk).update(email="li@hooli.example")
    summary = import_file(exports.vcards(conference).encode(), other, alice)
    assert (summary.new, summary.attached) == (0, 2)
    assert Contact.objects.count() == 2
    cards = other.cards.select_related("contact").order_by("contact__name")
    assert [(c.contact, c.folds) for c in cards] == [(people[0], UL | UR | HALF), (people[1], UL)]


def test_an_export_of_a_uid_unknown_here_imports_as_new_people(conference, alice, people):
    data = exports.vcards(conference).encode()
    Card.objects.all().delete()
    Contact.objects.all().delete()
    summary = import_file(data, conference, alice)
    assert summary.new == 2
    assert set(Contact.objects.values_list("name", flat=True)) == {"Dana Reyes", "Li Wei"}
