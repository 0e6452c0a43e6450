"""Possible duplicates: each kind of likeness, their order, the managers' page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import duplicates
from contacts.models import Contact, ContactEmail, ContactPhone

pytestmark = pytest.mark.django_db


def person(name: str = "", company: str = "", **fields) -> Contact:
    return Contact.objects.create(name=name, company=company, **fields)


def found() -> list[tuple[int, int, tuple[str, ...]]]:
    return duplicates.scan().pairs


def test_it_finds_the_same_email_among_any_of_a_persons():
    anna = person("Anna Berg", email="anna@bergwerk.se")
    other = person("A. Berg")
    ContactEmail.objects.create(contact=other, email="anna@bergwerk.se")
    person("Sam Lee", email="sam@bergwerk.se")
    assert found() == [(anna.pk, other.pk, ("email",))]


def test_it_finds_the_same_normalized_phone_however_written():
    anna = person("Anna Berg", phone="08-555 01 01", phone_normalized="+4685550101")
    other = person("Berg")
    ContactPhone.objects.create(
        contact=other, phone="+46 8 555 0101", phone_normalized="+4685550101"
    )
    person("Sam Lee", phone="555", phone_normalized="")
    person("Kim Ode", phone="555", phone_normalized="")  # not valid numbers: not compared
    assert found() == [(anna.pk, other.pk, ("phone",))]


def test_it_compares_a_number_without_a_country_code_by_its_digits_as_typed():
    phil = person("Phil Phone", phone="0171 9876543")
    paula = person("Paula Phone", phone="(0171) 987-6543")
    other = person("Pat")
    ContactPhone.objects.create(contact=other, phone="0171/9876543")
    person("Sam Lee", phone="0100")  # too few digits to tell anyone apart
    person("Kim Ode", phone="0100")
    person("Valid Number", phone="+4917198765430", phone_normalized="+4917198765430")
    assert sorted(found()) == [
        (phil.pk, paula.pk, ("phone",)),
        (phil.pk, other.pk, ("phone",)),
        (paula.pk, other.pk, ("phone",)),
    ]


def test_a_number_kept_by_its_digits_is_found_in_e164_as_its_country_writes_it():
    klaus = person("Klaus Fischer", phone="+49 171 5550001", phone_normalized="+491715550001")
    typed = person("Klaus F", phone="0171 5550001")  # where no country was known
    person("Other Ending", phone="+491715550009", phone_normalized="+491715550009")
    person("Same Ending", phone="+46 301 55 00 01", phone_normalized="+46301550001")
    assert found() == [(klaus.pk, typed.pk, ("phone",))]


def test_it_finds_a_similar_company_written_with_and():
    karin = person("Karin Holm", "Holm & Co")
    other = person("Karin Holm", "Holm and Co")
    assert found() == [(karin.pk, other.pk, ("name",))]


def test_it_finds_the_same_name_with_a_similar_company():
    anna = person("Anna Berg", "Bergwerk AB")
    other = person("ÁNNA  berg", "bergwerk")
    person("Anna Berg", "Acme Inc.")  # another company: another person
    person("", "Bergwerk AB")  # no name: no likeness by name
    assert found() == [(anna.pk, other.pk, ("name",))]


def test_it_finds_a_name_written_family_name_first():
    dana = person("Dana Reyes", "Acme")
    other = person("Reyes, Dana", "Acme Inc.")
    person("Reyes, Dana", "Globex")  # another company: another person
    assert found() == [(dana.pk, other.pk, ("name",))]


def test_it_finds_a_name_written_with_or_without_its_apostrophe():
    renee = person("Renée O'Brien", "O'Brien & Sons Ltd")
    other = person("Renee OBrien", "OBrien and Sons")
    curly = person("Renee O\u2019Brien", "O\u2019Brien & Sons")
    person("Renee O Brien", "Globex")  # another company: another person
    assert set(found()) == {
        (renee.pk, other.pk, ("name",)),
        (renee.pk, curly.pk, ("name",)),
        (other.pk, curly.pk, ("name",)),
    }


def test_it_finds_a_company_written_with_or_without_spaces():
    dana = person("Dana Reyes", "ComboCorp")
    other = person("Dana Reyes", "Combo Corp Inc.")
    person("Dana Reyes", "Combo Cart")  # another company: another person
    assert found() == [(dana.pk, other.pk, ("name",))]


def test_the_most_certain_pairs_come_first():
    by_name = [person("Li Wei", "Acme"), person("Li Wei", "ACME Ltd")]
    by_phone = [
        person("Kim", phone="+4685550101", phone_normalized="+4685550101"),
        person("Kim Ode", phone="08 555 0101", phone_normalized="+4685550101"),
    ]
    by_email_and_name = [person("Dana Reyes", "Acme", email="dana@acme.io"), person("Dana Reyes")]
    ContactEmail.objects.create(contact=by_email_and_name[1], email="dana@acme.io")
    by_email_and_name[1].company = "Acme GmbH"
    by_email_and_name[1].save()
    assert [(a, b) for a, b, _ in found()] == [
        tuple(p.pk for p in by_email_and_name),
        tuple(p.pk for p in by_phone),
        tuple(p.pk for p in by_name),
    ]
    assert found()[0][2] == ("email", "name")


def test_a_number_shared_by_many_is_left_out_as_a_switchboard():
    for n in range(duplicates.MAX_GROUP + 1):
        person(f"Person {n}", phone="+4685550101", phone_normalized="+4685550101")
    scan = duplicates.scan()
    assert (scan.pairs, scan.left_out) == ([], 1)


def test_the_managers_page_lists_the_pairs_with_why(client, alice, make_card):
    anna = make_card(name="Anna Berg", company="Bergwerk AB").contact
    other = person("Anna Berg", "Bergwerk")
    client.force_login(alice)
    response = client.get(reverse("contacts-duplicates"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-pair="{anna.pk}-{other.pk}"' in page  # the one with a card is kept
    assert "the same name and a similar company" in page
    assert reverse("contacts-merge", args=[anna.pk, other.pk]) in page


def test_a_pair_without_companies_is_said_to_have_the_same_name_only(client, alice):
    person("Li Wei", phone="0171 9876543")
    person("li wei", phone="0171 9876543")
    client.force_login(alice)
    page = client.get(reverse("contacts-duplicates")).content.decode()
    assert (
        '<td class="small" data-reasons>the same phone, the same name and neither has a company<'
        in page
    )


def test_the_page_reads_a_constant_number_of_queries(client, alice, django_assert_num_queries):
    for n in range(5):
        person(f"Anna Berg {n}", "Acme")
        person(f"anna berg {n}", "ACME AB", phone="+4685550101", phone_normalized="+4685550101")
    client.force_login(alice)
    client.get(reverse("contacts-duplicates"))
    with django_assert_num_queries(11):
        assert client.get(reverse("contacts-duplicates")).status_code == 200


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_only_managers_see_the_duplicates(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("contacts-duplicates")).status_code == 403


def test_the_scan_sorts_no_one():
    # The model's order (by name) sorted every person three times: 660 ms at 200,000
    # people on PostgreSQL, spilling to disk; the pairs are sorted in Python after.
    Contact.objects.create(name="Dana Reyes", company="Acme", phone="+15550100")
    Contact.objects.create(name="Dana Reyes", company="Acme Inc", email="dana@acme.io")
    with CaptureQueriesContext(connection) as ran:
        assert len(duplicates.scan().pairs) == 1
    assert [q["sql"] for q in ran if "ORDER BY" in q["sql"]] == []
