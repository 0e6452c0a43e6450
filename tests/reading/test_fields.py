"""The field parser on text lines, without OCR."""

from __future__ import annotations

import pytest

from reading.fields import Parsed, combine, normalize_phone, parse
from reading.result import Suggestion, TextLine


def values(parsed: Parsed) -> dict[str, str]:
    return {name: suggestion.value for name, suggestion in parsed.fields.items()}


def test_it_reads_a_swedish_card() -> None:
    parsed = parse(
        [
            "Anna Lindqvist",
            "Inköpschef",
            "Nordkraft AB",
            "anna.lindqvist@nordkraft.se",
            "Mobil 070-123 45 67",
            "www.nordkraft.se",
            "Storgatan 12, 111 22 Stockholm",
        ]
    )
    assert values(parsed) == {
        "name": "Anna Lindqvist",
        "title": "Inköpschef",
        "company": "Nordkraft AB",
        "email": "anna.lindqvist@nordkraft.se",
        "phone": "+46 70 123 45 67",
        "website": "https://www.nordkraft.se",
    }
    assert all(s.source == "text" and 0 < s.confidence <= 1 for s in parsed.fields.values())


def test_it_reads_a_german_card_with_umlauts_spelled_out_in_the_email() -> None:
    parsed = parse(
        [
            "Brandt Technik GmbH & Co. KG",
            "Jürgen Müller",
            "Vertriebsleiter",
            "Tel. 030 12345678",
            "juergen.mueller@brandt-technik.de",
            "brandt-technik.de",
        ]
    )
    assert values(parsed) == {
        "name": "Jürgen Müller",
        "title": "Vertriebsleiter",
        "company": "Brandt Technik GmbH & Co. KG",
        "email": "juergen.mueller@brandt-technik.de",
        "phone": "+49 30 12345678",
        "website": "https://brandt-technik.de",
    }


def test_it_reads_a_us_card_in_the_national_format_at_a_swedish_booth() -> None:
    parsed = parse(
        [
            "Sarah Garcia",
            "VP Business Development",
            "Bluepeak Inc.",
            "P (415) 555-2671",
            "sarah@bluepeak.com",
        ],
        default_region="SE",
    )
    assert values(parsed) == {
        "name": "Sarah Garcia",
        "title": "VP Business Development",
        "company": "Bluepeak Inc.",
        "email": "sarah@bluepeak.com",
        "phone": "+1 415-555-2671",
    }


def test_it_reads_a_uk_card_with_a_company_named_only_by_its_domain() -> None:
    parsed = parse(
        [
            "Charlotte O'Brien",
            "Kestrel Analytics",
            "Senior Data Analyst",
            "T +44 (0)20 7946 0018",
            "charlotte.obrien@kestrel-analytics.co.uk",
        ]
    )
    assert values(parsed) == {
        "name": "Charlotte O'Brien",
        "title": "Senior Data Analyst",
        "company": "Kestrel Analytics",
        "email": "charlotte.obrien@kestrel-analytics.co.uk",
        "phone": "+44 20 7946 0018",
    }


def test_it_reads_a_french_card() -> None:
    parsed = parse(
        [
            "Hélène Lefèvre",
            "Directrice commerciale",
            "Clairval SAS",
            "Tél. 01 23 45 67 89",
            "h.lefevre@clairval.fr",
            "12 rue de la Paix, 75002 Paris",
        ]
    )
    assert values(parsed) == {
        "name": "Hélène Lefèvre",
        "title": "Directrice commerciale",
        "company": "Clairval SAS",
        "email": "h.lefevre@clairval.fr",
        "phone": "+33 1 23 45 67 89",
    }


@pytest.mark.parametrize(
    ("printed", "regions", "number"),
    [
        ("070-123 45 67", ["SE"], "+46 70 123 45 67"),
        ("08-123 456 78", ["SE"], "+46 8 123 456 78"),
        ("+46 (0)8 123 456 78", [], "+46 8 123 456 78"),
        ("0171 / 123 45 67", ["DE"], "+49 171 1234567"),
        ("+49 (0)30 1234567", [], "+49 30 1234567"),
        ("(415) 555-2671", ["US"], "+1 415-555-2671"),
        ("415.555.2671", ["US"], "+1 415-555-2671"),
        ("020 7946 0018", ["GB"], "+44 20 7946 0018"),
        ("07911 123456", ["GB"], "+44 7911 123456"),
        ("06 12 34 56 78", ["FR"], "+33 6 12 34 56 78"),
        ("0033 1 23 45 67 89", [], "+33 1 23 45 67 89"),
    ],
)
def test_it_reads_national_formats(printed: str, regions: list[str], number: str) -> None:
    assert normalize_phone(printed, regions) == (number, True)


def test_it_takes_the_country_of_the_way_a_number_is_grouped() -> None:
    # Valid as a Swedish number too, but grouped in pairs as in France.
    assert normalize_phone("07 67 62 96 90", ["SE"]) == ("+33 7 67 62 96 90", True)
    assert normalize_phone("076-762 96 90", ["SE"]) == ("+46 76 762 96 90", True)


def test_it_reads_national_numbers_in_the_country_of_the_email_domain() -> None:
    parsed = parse(["Tel 030 12345678", "info@kranich.de"], default_region="SE")
    assert parsed.fields["phone"].value == "+49 30 12345678"


def test_it_puts_back_a_plus_read_as_four() -> None:
    parsed = parse(["Mob 446 70 123 45 67"], default_region="SE")
    assert parsed.fields["phone"].value == "+46 70 123 45 67"


def test_it_puts_back_a_lost_plus() -> None:
    assert normalize_phone("44 20 7946 0018", []) == ("+44 20 7946 0018", True)


def test_it_splits_tel_and_fax_on_one_line_and_drops_the_fax() -> None:
    parsed = parse(["TEL +46 8 123 45 67  FAX +46 8 123 45 68"])
    assert parsed.fields["phone"].value == "+46 8 123 45 67"
    assert parsed.phones == []


def test_it_suggests_the_mobile_and_keeps_the_other_numbers_as_alternatives() -> None:
    parsed = parse(["T: +44 20 7946 0018", "Switchboard +44 20 7946 0000", "M: +44 7911 123456"])
    assert parsed.fields["phone"].value == "+44 7911 123456"
    assert parsed.phones == ["+44 20 7946 0018", "+44 20 7946 0000"]


def test_it_knows_a_mobile_number_without_a_label() -> None:
    parsed = parse(["+46 8 123 456 78", "+46 70 123 45 67"])
    assert parsed.fields["phone"].value == "+46 70 123 45 67"


def test_it_takes_no_registration_number_for_a_phone() -> None:
    parsed = parse(["Org.nr 556677-8899", "SIRET 123 456 789 00012"])
    assert "phone" not in parsed.fields


def test_it_takes_no_postal_code_or_house_number_for_a_phone() -> None:
    parsed = parse(["Hauptstraße 5, 10115 Berlin", "500 Market St, San Francisco, CA 94105"])
    assert parsed.fields == {}


@pytest.mark.parametrize(
    "line",
    [
        "anna.lindqvist@nordkraft.se",
        "E-mail: anna.lindqvist@nordkraft.se",
        "E anna.lindqvist@nordkraft.se",
        "anna.lindqvist @ nordkraft.se",
        "anna.lindqvist(at)nordkraft.se",
        "Anna.Lindqvist@Nordkraft.SE",
    ],
)
def test_it_reads_emails(line: str) -> None:
    assert parse([line]).fields["email"].value == "anna.lindqvist@nordkraft.se"


def test_it_drops_a_label_read_into_the_email_when_the_name_says_so() -> None:
    parsed = parse(["William Jones", "Ewilliam.jones@kestrel.co.uk", "James Davis"])
    assert parsed.fields["email"].value == "william.jones@kestrel.co.uk"


def test_it_reads_an_l_misread_as_i_in_the_email_when_the_name_says_so() -> None:
    parsed = parse(["Lukas Weber-Becker", "E-mail: Iweber-becker@kranich.de"])
    assert parsed.fields["email"].value == "lweber-becker@kranich.de"


@pytest.mark.parametrize("email", ["emil.holm@ekdal.se", "eholm1@ekdal.se", "info@ekdal.se"])
def test_it_leaves_an_email_that_does_not_spell_the_name_alone(email: str) -> None:
    assert parse(["Erik Holm", email]).fields["email"].value == email


def test_it_suggests_the_persons_email_before_a_general_mailbox() -> None:
    parsed = parse(["info@nordkraft.se", "anna@nordkraft.se"])
    assert parsed.fields["email"].value == "anna@nordkraft.se"
    assert parsed.emails == ["info@nordkraft.se"]


@pytest.mark.parametrize(
    ("line", "website"),
    [
        ("www.nordkraft.se", "https://www.nordkraft.se"),
        ("Web: nordkraft.se", "https://nordkraft.se"),
        ("http://nordkraft.se/", "http://nordkraft.se"),
        ("https://www.nordkraft.se/kontakt", "https://www.nordkraft.se/kontakt"),
        ("WWW.NORDKRAFT.SE", "https://www.nordkraft.se"),
    ],
)
def test_it_reads_websites(line: str, website: str) -> None:
    assert parse([line]).fields["website"].value == website


def test_it_takes_no_legal_form_for_a_website() -> None:
    parsed = parse(["Lindenhof GmbH & Co.KG"])
    assert "website" not in parsed.fields
    assert parsed.fields["company"].value == "Lindenhof GmbH & Co.KG"


def test_it_splits_a_line_at_separators() -> None:
    parsed = parse(["T +46 8 123 456 78 | anna@nordkraft.se | www.nordkraft.se"])
    assert values(parsed) == {
        "phone": "+46 8 123 456 78",
        "email": "anna@nordkraft.se",
        "website": "https://www.nordkraft.se",
    }


def test_it_ignores_junk_read_from_a_qr_code_or_a_logo() -> None:
    parsed = parse(
        [
            TextLine("回回", 0.7),
            TextLine("NK", 0.9),
            TextLine("#%:@.", 0.6),
            TextLine("lI1|l", 0.62),
            "Anna Lindqvist",
            "Nordkraft AB",
            "anna.lindqvist@nordkraft.se",
        ]
    )
    assert values(parsed) == {
        "name": "Anna Lindqvist",
        "company": "Nordkraft AB",
        "email": "anna.lindqvist@nordkraft.se",
    }


def test_it_takes_the_name_that_matches_the_email_over_a_tagline() -> None:
    parsed = parse(
        [
            TextLine("Built To Last", 0.99, height=40),
            TextLine("Erik Holm", 0.97, height=30),
            "e.holm@ekdal.se",
        ]
    )
    assert parsed.fields["name"].value == "Erik Holm"


def test_it_takes_the_largest_line_for_the_name_when_the_email_says_nothing() -> None:
    parsed = parse(
        [TextLine("Sales Director", 0.99, 20), TextLine("Maja Ekström", 0.98, 44), "info@x.se"]
    )
    assert parsed.fields["name"].value == "Maja Ekström"
    assert parsed.fields["title"].value == "Sales Director"


def test_it_puts_back_the_space_of_a_name_read_without_it() -> None:
    parsed = parse(["LarsWallin", "Säljare", "larsw@fjallbo.se"])
    assert parsed.fields["name"].value == "Lars Wallin"


def test_it_corrects_a_name_misread_by_a_character_from_the_email() -> None:
    parsed = parse(["Anna Lindqvlst", "anna.lindqvist@nordkraft.se"])
    assert parsed.fields["name"].value == "Anna Lindqvist"


def test_it_leaves_a_name_with_accents_as_printed() -> None:
    parsed = parse(["Jürgen Müller", "juergen.mueller@brandt.de"])
    assert parsed.fields["name"].value == "Jürgen Müller"


def test_it_takes_no_address_for_a_company_or_title() -> None:
    parsed = parse(["Kungsvägen 9, 411 19 Göteborg", "Stockholm, Sweden", "anna@x.se"])
    assert set(parsed.fields) == {"email"}


def test_it_makes_a_website_one_character_off_the_email_agree_with_it() -> None:
    parsed = parse(["Nordkraft AB", "anna@nordkraft.se", "www.nordkrafi.se"])
    assert parsed.fields["email"].value == "anna@nordkraft.se"
    assert parsed.fields["website"].value == "https://www.nordkraft.se"
    assert parsed.fields["website"].confidence < 0.9
    assert parsed.warnings == [
        "The website's and the email's domains differ by one character: "
        "kept nordkraft.se, not nordkrafi.se."
    ]


def test_it_keeps_the_domain_that_matches_the_company_when_the_email_is_misread() -> None:
    parsed = parse(["Nordkraft AB", "anna@nordkrafi.se", "www.nordkraft.se"])
    assert parsed.fields["email"].value == "anna@nordkraft.se"
    assert parsed.fields["website"].value == "https://www.nordkraft.se"


def test_it_keeps_the_domain_read_with_more_confidence() -> None:
    parsed = parse([TextLine("anna@ekdal.se", 0.7), TextLine("www.ekdai.se", 0.99)])
    assert parsed.fields["email"].value == "anna@ekdai.se"


def test_it_leaves_a_website_unlike_the_email_alone() -> None:
    parsed = parse(["anna@nordkraft.se", "www.nordkraftgroup.com"])
    assert parsed.fields["website"].value == "https://www.nordkraftgroup.com"
    assert parsed.warnings == []


def test_it_reads_nothing_from_no_lines() -> None:
    assert parse([]) == Parsed()


def test_the_qr_code_wins_field_by_field() -> None:
    text = parse(["Anna Lindqvlst", "Inköpschef", "anna@nordkraft.se", "Tel 08-123 456 78"])
    qr = Parsed(
        fields={
            "name": Suggestion("Anna Lindqvist", "qr", 0.99),
            "phone": Suggestion("+46 70 123 45 67", "qr", 0.99),
        }
    )
    combined = combine(text, qr)
    assert {n: (s.value, s.source) for n, s in combined.fields.items()} == {
        "name": ("Anna Lindqvist", "qr"),
        "title": ("Inköpschef", "text"),
        "email": ("anna@nordkraft.se", "text"),
        "phone": ("+46 70 123 45 67", "qr"),
    }
    assert combined.phones == ["+46 8 123 456 78"]
