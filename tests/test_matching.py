"""Who a new card is of: the known person with any of its emails, or its phone."""

from __future__ import annotations

import pytest

from contacts import matching, phones, services
from contacts.imports import Fates, Row
from contacts.models import Contact, ContactEmail, ContactPhone

pytestmark = pytest.mark.django_db

SE, DE = "+4685550101", "+49301234567"


@pytest.fixture
def dana(conference) -> Contact:
    conference.country = "SE"
    conference.save()
    dana = Contact.objects.create(
        name="Dana Reyes",
        email="dana@acme.io",
        phone="08-555 01 01",
        phone_normalized="+4685550101",
    )
    ContactEmail.objects.create(contact=dana, email="dana.reyes@gmail.com")
    ContactPhone.objects.create(
        contact=dana, phone="+49 30 1234567", phone_normalized="+49301234567"
    )
    return dana


def log(conference, alice, **fields) -> Contact:
    return services.log_card(conference, alice, services.CardInput(**fields)).card.contact


def test_a_card_with_another_email_of_a_person_is_theirs(conference, alice, dana):
    assert log(conference, alice, name="Dana", email="Dana.Reyes@gmail.com ") == dana


def test_a_card_without_email_with_a_phone_of_a_person_is_theirs(conference, alice, dana):
    # Written another way, without the country code: the same number in Sweden.
    assert log(conference, alice, name="Dana Reyes", phone="08 555 0101") == dana
    assert log(conference, alice, company="Acme", phone="+49 (30) 123 4567") == dana


def test_a_phone_with_another_name_or_email_is_another_person(conference, alice, dana):
    assert log(conference, alice, name="Sam Lee", phone="08 555 0101") != dana
    assert log(conference, alice, name="Dana Reyes", email="d@x.io", phone="08-5550101") != dana


def test_a_new_email_or_phone_of_a_known_person_is_kept_beside_theirs(conference, alice, dana):
    log(conference, alice, email="dana@acme.io", phone="+46 70 123 45 67")
    log(conference, alice, name="Dana Reyes", phone="08-555 01 01", email="")
    assert [p.phone_normalized for p in dana.all_phones()] == [
        "+4685550101",
        "+49301234567",
        "+46701234567",
    ]


def test_a_card_fills_a_known_persons_empty_email_as_the_primary_one(conference, alice):
    sam = Contact.objects.create(
        name="Sam Lee", phone="08-555 02 02", phone_normalized="+4685550202"
    )
    assert log(conference, alice, name="Sam Lee", phone="+46 8 555 02 02", email="sam@x.io") == sam
    sam.refresh_from_db()
    assert sam.email == "sam@x.io"


def test_a_card_of_a_known_person_adds_to_their_details_and_replaces_none(conference, alice, dana):
    dana.company, dana.title = "Acme", "CTO"
    dana.save()
    log(conference, alice, name="D. Reyes", company="Acme AB", title="CEO", email="dana@acme.io")
    log(conference, alice, company="Globex", website="acme.io", email="dana.reyes@gmail.com")
    dana.refresh_from_db()
    # "Acme AB" is a fuller form of "Acme"; a shorter name, another title or company is not.
    assert (dana.name, dana.company, dana.title) == ("Dana Reyes", "Acme AB", "CTO")
    assert dana.website == "acme.io"


def test_a_card_edited_to_another_persons_email_leaves_that_persons_details(
    conference, alice, dana
):
    card = services.log_card(conference, alice, services.CardInput(name="Sam Lee")).card
    edit = services.CardInput(name="Sam Lee", company="Initech", email="dana@acme.io", version=0)
    services.update_card(card, edit)
    dana.refresh_from_db()
    assert (card.contact, dana.name, dana.company) == (dana, "Dana Reyes", "Initech")


@pytest.mark.parametrize(
    ("typed", "known", "adds"),
    [
        ("Dana Reyes", "", True),
        ("Dana Reyes", "Dana", True),
        ("Bergwerk AB", "bergwerk", True),
        ("Anna B.", "Anna Berg", False),
        ("Bergwerk", "Bergwerk AB", False),
        ("dana reyes", "Dana Reyes", False),
        ("Sam Lee", "Dana Reyes", False),
        ("", "Dana", False),
    ],
)
def test_a_detail_typed_adds_to_a_known_one_when_it_says_more(typed, known, adds):
    assert matching.adds_to(typed, known) is adds


def test_the_booth_edit_of_a_card_to_another_email_of_its_person_keeps_them(
    conference, alice, dana
):
    card = services.log_card(conference, alice, services.CardInput(email="dana@acme.io")).card
    edit = services.CardInput(name="Dana Reyes", email="dana.reyes@gmail.com", version=0)
    services.update_card(card, edit)
    assert card.contact == dana
    assert Contact.objects.count() == 1


def test_a_phone_edited_on_a_card_is_compared_in_its_conferences_country(conference, alice, dana):
    card = services.log_card(conference, alice, services.CardInput(name="Sam Lee")).card
    services.update_card(card, services.CardInput(name="Sam Lee", phone="08-555 02 02", version=0))
    assert card.contact.phone_normalized == "+4685550202"
    # Edited to a known person's email: the phone is added to what is known of them.
    dana.phone = ""
    dana.save()
    edit = services.CardInput(email="dana@acme.io", phone="08-555 03 03", version=1)
    services.update_card(card, edit)
    dana.refresh_from_db()
    assert (card.contact, dana.phone_normalized) == (dana, "+4685550303")


def test_an_import_sees_a_known_persons_other_email(conference, alice, dana):
    data = services.CardInput(email="dana.reyes@gmail.com")
    row = Row(number=1, values={}, input=data, errors=(), key="k")
    assert Fates(remember=False).of([row]) == ["attach"]


@pytest.mark.parametrize(
    ("typed", "region", "expected"),
    [
        ("+46 8 555 0101", None, "+4685550101"),
        ("08-555 01 01", "SE", "+4685550101"),
        ("08-555 01 01", None, ""),
        ("(030) 1234567", "DE", "+49301234567"),
        ("+46 8 555 0101 ext. 12", None, ""),
        ("12", "SE", ""),
        ("", "SE", ""),
        ("call me", "SE", ""),
    ],
)
def test_a_phone_is_normalized_to_e164_in_the_conferences_country(typed, region, expected):
    assert phones.e164(typed, region) == expected


@pytest.mark.parametrize(
    ("typed", "normalized", "expected"),
    [
        ("0171 9876543", "", "01719876543"),
        ("(0171) 987-6543", "", "01719876543"),
        ("08-555 01 01", "+4685550101", ""),  # a valid number is compared in E.164
        ("0100", "", ""),
        ("call me", "", ""),
    ],
)
def test_a_number_that_is_not_valid_is_compared_by_its_digits(typed, normalized, expected):
    assert phones.digits(typed, normalized) == expected


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("Anna Berg", "Bergwerk AB"), ("anna  berg", "Bergwerk")),
        (("Ánna Berg", "Müller GmbH"), ("Anna Berg", "MULLER")),
        (("José Núñez", "ACME, Inc."), ("Jose Nunez", "Acme Ltd")),
        (("Li Wei", ""), ("li wei", "")),
        (("Karin Holm", "Holm & Co"), ("Karin Holm", "Holm and Co")),
        (("Karin Holm", "Holm + Partner"), ("Karin Holm", "Holm und Partner")),
        # Letters with no decomposition, as the letters they are written for.
        (("Zoë Ørsted", "Ørsted Å/S"), ("Zoe Orsted", "ORSTED A/S")),
        (("Łukasz Wałęsa", "Æblegård"), ("Lukasz Walesa", "Aeblegard")),
        # Legal forms written with stops or a slash.
        (("José Álvarez", "Acme SL"), ("Jose Alvarez", "Acme S.L.")),
        (("Piet Smit", "Smit B.V."), ("Piet Smit", "Smit")),
        (("Ida Holm", "Holm A/S"), ("Ida Holm", "Holm")),
        # A name written family name first, after a comma, as address books export it.
        (("Reyes, Dana", "Acme"), ("Dana Reyes", "Acme Inc.")),
        (("Núñez,José", ""), ("Jose  Nunez", "")),
        (("Berg, A.", "Bergwerk"), ("A. Berg", "Bergwerk")),
        # A company written with or without spaces between its words.
        (("Dana Reyes", "Combo Corp Inc."), ("Dana Reyes", "ComboCorp")),
        (("Dana Reyes", "combo-corp"), ("Dana Reyes", "ComboCorp")),
        (("Li Wei", "Bergwerk Labs AB"), ("Li Wei", "BergwerkLabs")),
        (("Karin Holm", "HolmAndPartner"), ("Karin Holm", "Holm & Partner GmbH")),
    ],
)
def test_names_and_companies_compare_without_accents_case_and_legal_forms(one, other):
    assert matching.match_key(*one) == matching.match_key(*other) != ""


def test_different_companies_or_no_name_do_not_compare_equal():
    assert matching.company_key("J. P. Morgan S.A.") == "jpmorgan"
    assert matching.company_key("A B C Labs") == "abclabs"
    assert matching.company_key("Combo Corp") != matching.company_key("Combo Cart")
    assert matching.match_key("Anna Berg", "Bergwerk") != matching.match_key("Anna Berg", "Acme")
    assert matching.match_key("", "Acme") == ""


def test_a_name_is_read_given_name_first_after_its_one_comma():
    assert matching.name_key("Reyes, Dana") == matching.name_key("Dana Reyes") == "dana reyes"
    assert matching.name_key("Reyes Dana") == "reyes dana"  # no comma: as written
    # A suffix or degree after the comma is no given name: kept, where it is written.
    assert matching.name_key("Dana Reyes, PhD") == matching.name_key("Dana Reyes PhD")
    assert matching.name_key("Dana Reyes, M.D.") == matching.name_key("Dana Reyes M.D.")
    assert matching.name_key("Dana Reyes, MD") != matching.name_key("Dana Reyes")
    assert matching.name_key("Bo Ek, Jr.") == "bo ek jr"
    assert matching.name_key("Henry Ford, III") == "henry ford iii"
    assert matching.name_key("Dana Reyes, PhD MBA") == "dana reyes phd mba"
    # Nothing on one side, or more than one comma: as written.
    assert matching.name_key("Reyes,") == "reyes"
    assert matching.name_key(", Dana") == "dana"
    assert matching.name_key("Reyes, Dana, PhD") == "reyes dana phd"
