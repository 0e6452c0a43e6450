from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from contacts import exports, imports
from contacts.folds import DIAG, HALF, UL, UR
from contacts.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, alice):
    client.force_login(alice)
    return client


def export(client, conference, profile: str | None) -> tuple:
    url = reverse("events-export-csv", args=[conference.slug])
    response = client.get(url, {"profile": profile} if profile else {})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return response, list(csv.reader(io.StringIO(body)))


@pytest.fixture
def dana(make_card):
    contact = Contact.objects.create(
        name="Dana Maria Reyes",
        company="Acme",
        title="CTO",
        email="dana@acme.io",
        phone="+46 8 555 01 01",
        phone_normalized="+4685550101",  # as the booth stores it
    )
    return make_card(UL | UR | HALF, contact=contact, note="wants a second region")


HEADERS = {
    "hubspot": [
        "First Name",
        "Last Name",
        "Email",
        "Phone Number",
        "Company Name",
        "Job Title",
        "Lifecycle Stage",
        "Fold Meanings",
        "Note Body",
        "Activity Date",
        "Legal basis for processing contact's data",
        "Email Opt Out",
    ],
    "salesforce": [
        "First Name",
        "Last Name",
        "Company",
        "Title",
        "Email",
        "Phone",
        "Lead Source",
        "Rating",
        "Description",
        "Email Opt Out",
    ],
    "google": [
        "Name",
        "Given Name",
        "Family Name",
        "Organization 1 - Name",
        "Organization 1 - Title",
        "E-mail 1 - Type",
        "E-mail 1 - Value",
        "Phone 1 - Type",
        "Phone 1 - Value",
        "Notes",
        "Group Membership",
    ],
}


@pytest.mark.parametrize("profile", HEADERS)
def test_it_names_the_columns_as_the_crm_imports_them(logged_in, conference, dana, profile):
    response, rows = export(logged_in, conference, profile)
    assert rows[0] == HEADERS[profile]
    assert len(rows) == 2
    assert response["Content-Disposition"] == f'attachment; filename="expo-2026-{profile}.csv"'


def test_hubspot_gets_a_lifecycle_stage_meanings_and_the_note(logged_in, conference, dana):
    _, rows = export(logged_in, conference, "hubspot")
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["First Name"], row["Last Name"]) == ("Dana Maria", "Reyes")
    assert (row["Email"], row["Phone Number"]) == ("dana@acme.io", "+4685550101")
    assert (row["Company Name"], row["Job Title"]) == ("Acme", "CTO")
    assert row["Lifecycle Stage"] == "customer"
    assert row["Fold Meanings"] == "Talk ASAP;Wants to buy more;Customer"
    assert (row["Note Body"], row["Activity Date"]) == ("wants a second region", "2026-11-20")


@pytest.mark.parametrize(
    ("mask", "stage"), [(UL, "lead"), (0, "lead"), (DIAG, "other"), (UR, "customer")]
)
def test_the_lifecycle_stage_comes_from_the_meanings(logged_in, conference, make_card, mask, stage):
    make_card(mask)
    _, rows = export(logged_in, conference, "hubspot")
    assert rows[1][rows[0].index("Lifecycle Stage")] == stage


def test_salesforce_gets_the_conference_as_source_and_a_rating(logged_in, conference, dana):
    _, rows = export(logged_in, conference, "salesforce")
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["First Name"], row["Last Name"], row["Company"]) == ("Dana Maria", "Reyes", "Acme")
    assert (row["Lead Source"], row["Rating"]) == ("Expo 2026", "Hot")
    assert row["Description"] == "wants a second region"


def test_salesforce_always_gets_a_last_name_and_a_company(logged_in, conference, make_card):
    make_card(UL, contact=Contact.objects.create(email="li@hooli.com"))
    make_card(0, contact=Contact.objects.create(company="Hooli"))
    _, rows = export(logged_in, conference, "salesforce")
    people = {(r[1], r[2], r[7]) for r in rows[1:]}
    assert people == {("li@hooli.com", "[not provided]", "Cold"), ("Hooli", "Hooli", "Cold")}


def test_google_gets_its_name_parts_and_a_label_for_the_conference(logged_in, conference, dana):
    _, rows = export(logged_in, conference, "google")
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Name"], row["Given Name"], row["Family Name"]) == (
        "Dana Maria Reyes",
        "Dana Maria",
        "Reyes",
    )
    assert (row["E-mail 1 - Type"], row["E-mail 1 - Value"]) == ("* Work", "dana@acme.io")
    assert (row["Phone 1 - Type"], row["Phone 1 - Value"]) == ("Work", "+4685550101")
    assert row["Group Membership"] == "* myContacts ::: Expo 2026"


def test_a_name_written_family_name_first_is_split_at_its_comma(logged_in, conference, make_card):
    make_card(UL, contact=Contact.objects.create(name="Reyes, Dana Maria"))
    make_card(UL, contact=Contact.objects.create(name="Ek, Bo, Jr."))  # a suffix after Bo
    make_card(UL, contact=Contact.objects.create(name="García, Iván"))
    make_card(UL, contact=Contact.objects.create(name="Li Wei Chen, Ph.D."))
    make_card(UL, contact=Contact.objects.create(name="Dana Smith, CEO"))
    _, rows = export(logged_in, conference, "google")
    assert {tuple(r[:3]) for r in rows[1:]} == {
        ("Reyes, Dana Maria", "Dana Maria", "Reyes"),
        ("Ek, Bo, Jr.", "Bo", "Ek"),
        ("García, Iván", "Iván", "García"),  # no "iv" suffix in it
        ("Li Wei Chen, Ph.D.", "Li Wei", "Chen"),  # a suffix is in neither part
        ("Dana Smith, CEO", "Dana", "Smith"),  # nor a job title
    }
    vcards = logged_in.get(reverse("events-export-vcf", args=[conference.slug]))
    assert "N:Reyes;Dana Maria;;;" in vcards.content.decode()


@pytest.mark.parametrize("profile", HEADERS)
def test_every_profile_neutralizes_formulas(logged_in, conference, make_card, profile):
    make_card(UL, name="=cmd", company="+evil", note="@SUM(A1)")
    _, rows = export(logged_in, conference, profile)
    cells = [cell for cell in rows[1] if cell]
    assert not [cell for cell in cells if cell[0] in exports.FORMULA_TRIGGERS]


def test_no_profile_is_foldcards_own_columns(logged_in, conference, dana):
    _, rows = export(logged_in, conference, None)
    assert rows[0] == [column.header for column in exports.FOLDCARD_COLUMNS]


def test_a_profile_is_named_in_any_case(logged_in, conference, dana):
    response, rows = export(logged_in, conference, "HubSpot")
    assert rows[0] == [column.header for column in exports.HUBSPOT_COLUMNS]
    assert response["Content-Disposition"].endswith('-hubspot.csv"')


def test_an_unknown_profile_is_refused_with_the_known_ones(logged_in, conference):
    url = reverse("events-export-csv", args=[conference.slug])
    response = logged_in.get(url, {"profile": "pipedrive"})
    assert response.status_code == 400
    message = response.content.decode()
    assert "pipedrive" in message
    assert "hubspot, salesforce, google" in message


def test_profiles_need_the_export_permission(client, bob, conference):
    client.force_login(bob)
    url = reverse("events-export-csv", args=[conference.slug])
    assert client.get(url, {"profile": "hubspot"}).status_code == 403


def test_the_hubspot_export_reads_back_through_the_importer(conference, alice, dana):
    data = "".join(exports.csv_chunks(conference, exports.HUBSPOT_COLUMNS)).encode()
    source = imports.inspect(io.BytesIO(data))
    mapping = imports.auto_mapping(source, cards=True)
    [row] = imports.rows(io.BytesIO(data), source, mapping, conference)
    assert (row.input.name, row.input.email, row.input.company) == (
        "Dana Maria Reyes",
        "dana@acme.io",
        "Acme",
    )
