"""Reading files to import (contacts.imports): encodings, delimiters, column names of the
common exports, vCards 3.0 and 4.0, validation, and what saving does, twice."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import duplicates, exports, imports, services
from contacts.folds import DIAG, HALF, UL, UR
from contacts.forms import CardForm
from contacts.models import Card, Consent, Contact, ImportedRow
from events.models import Conference, country_choices
from tests.imports_files import PIPEDRIVE_PEOPLE, VCARD_4, VCARD_21, csv_bytes, vcard

pytestmark = pytest.mark.django_db


def read(data: bytes, conference=None) -> list[imports.Row]:
    file = io.BytesIO(data)
    source = imports.inspect(file)
    mapping = imports.auto_mapping(source, cards=conference is not None)
    return list(imports.rows(file, source, mapping, conference))


def mapped(data: bytes) -> dict[str, str]:
    source = imports.inspect(io.BytesIO(data))
    mapping = imports.auto_mapping(source, cards=True)
    return {column: what for column, what in zip(source.columns, mapping, strict=True) if what}


# The column names of each export, as their documentation and published samples give them.
EXPORTS = {
    "hubspot": (
        [
            "Record ID",
            "First Name",
            "Last Name",
            "Email",
            "Phone Number",
            "Company Name",
            "Job Title",
            "Lifecycle Stage",
        ],
        {
            "Record ID": "id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Phone Number": "phone",
            "Company Name": "company",
            "Job Title": "title",
        },
    ),
    "salesforce": (
        [
            "Lead ID",
            "First Name",
            "Last Name",
            "Company",
            "Title",
            "Email",
            "Phone",
            "Description",
            "Lead Status",
        ],
        {
            "Lead ID": "id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Company": "company",
            "Title": "title",
            "Email": "email",
            "Phone": "phone",
            "Description": "note",
        },
    ),
    "google": (
        [
            "First Name",
            "Middle Name",
            "Last Name",
            "Organization Name",
            "Organization Title",
            "Notes",
            "E-mail 1 - Label",
            "E-mail 1 - Value",
            "Phone 1 - Label",
            "Phone 1 - Value",
        ],
        {
            "First Name": "first_name",
            "Last Name": "last_name",
            "Organization Name": "company",
            "Organization Title": "title",
            "Notes": "note",
            "E-mail 1 - Value": "email",
            "Phone 1 - Value": "phone",
        },
    ),
    "google, older": (
        [
            "Name",
            "Given Name",
            "Family Name",
            "E-mail 1 - Type",
            "E-mail 1 - Value",
            "Phone 1 - Value",
            "Organization 1 - Type",
            "Organization 1 - Name",
            "Organization 1 - Title",
        ],
        {
            "Name": "name",
            "Given Name": "first_name",
            "Family Name": "last_name",
            "E-mail 1 - Value": "email",
            "Phone 1 - Value": "phone",
            "Organization 1 - Name": "company",
            "Organization 1 - Title": "title",
        },
    ),
    "outlook": (
        [
            "Title",
            "First Name",
            "Middle Name",
            "Last Name",
            "Company",
            "Job Title",
            "Business Phone",
            "Mobile Phone",
            "E-mail Address",
            "Notes",
        ],
        {
            "First Name": "first_name",
            "Last Name": "last_name",
            "Company": "company",
            "Job Title": "title",  # Outlook's "Title" is Mr, Dr
            "Business Phone": "phone",
            "Mobile Phone": "phone",  # kept when there is no business phone
            "E-mail Address": "email",
            "Notes": "note",
        },
    ),
    "linkedin": (
        ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
        {
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email Address": "email",
            "Company": "company",
            "Position": "title",
        },
    ),
    "pipedrive": (
        [
            "Person - ID",
            "Person - Name",
            "Person - First name",
            "Person - Last name",
            "Person - Organization",
            "Person - Job title",
            "Person - Email - Work",
            "Person - Phone - Mobile",
            "Person - Labels",
            "Person - Owner",
            "Person - Notes",
        ],
        {
            "Person - ID": "id",
            "Person - Name": "name",
            "Person - First name": "first_name",
            "Person - Last name": "last_name",
            "Person - Organization": "company",
            "Person - Job title": "title",
            "Person - Email - Work": "email",
            "Person - Phone - Mobile": "phone",
            "Person - Notes": "note",
        },
    ),
    "pipedrive, without the entity": (
        ["ID", "Name", "Organization", "Job title", "Email - Work", "Phone - Mobile", "Note"],
        {
            "ID": "id",
            "Name": "name",
            "Organization": "company",
            "Job title": "title",
            "Email - Work": "email",
            "Phone - Mobile": "phone",
            "Note": "note",
        },
    ),
    "foldcard": (
        [column.header for column in exports.FOLDCARD_COLUMNS],
        {
            "name": "name",
            "company": "company",
            "title": "title",
            "email": "email",
            "phone": "phone",
            "folds": "folds",
            "note": "note",
            "consent": "consent",
        },
    ),
}


@pytest.mark.parametrize("export", EXPORTS)
def test_it_maps_the_columns_of_the_common_exports(export):
    header, expected = EXPORTS[export]
    assert mapped(csv_bytes(header)) == expected


def test_it_skips_linkedins_notes_before_the_header():
    data = (
        b"Notes:\n"
        b'"When exporting your connection data, you may notice that some of the email '
        b'addresses are missing, for connections who have not allowed it."\n'
        b"\n"
        b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        b"Dana,Reyes,https://www.linkedin.com/in/dana,dana@acme.io,Acme,CTO,12 Nov 2026\n"
    )
    [row] = read(data)
    assert row.number == 5
    assert (row.input.name, row.input.company, row.input.title) == ("Dana Reyes", "Acme", "CTO")


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode(),
        lambda text: text.encode("utf-8-sig"),
        lambda text: text.encode("utf-16"),  # with its BOM, as Excel's "Unicode text"
        lambda text: text.encode("utf-16-be").join([b"\xfe\xff", b""]),
        lambda text: text.encode("cp1252"),
    ],
    ids=["utf-8", "utf-8 BOM", "utf-16 LE BOM", "utf-16 BE BOM", "windows-1252"],
)
def test_it_reads_each_encoding(encode):
    text = "Name,Company,Email\nJosé Müller,Société Œuvre,jose@example.com\n"
    [row] = read(encode(text))
    assert (row.input.name, row.input.company) == ("José Müller", "Société Œuvre")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_it_finds_the_delimiter(conference, delimiter):
    data = csv_bytes(
        ["Name", "Company", "Note"],
        ["Dana Reyes", "Acme, Inc.", "said; twice"],
        delimiter=delimiter,
    )
    [row] = read(data, conference)
    assert (row.input.company, row.input.note) == ("Acme, Inc.", "said; twice")


@pytest.mark.parametrize(
    ("cell", "mask"),
    [
        ("795", UL | UR | HALF),
        ("7 9 5", UL | UR | HALF),
        ("UL UR HALF", UL | UR | HALF),
        ("ul, diag", UL | DIAG),
        ("/", DIAG),
        ("", 0),
    ],
)
def test_it_reads_folds_as_keys_or_codes(conference, cell, mask):
    [row] = read(csv_bytes(["name", "folds"], ["Dana", cell]), conference)
    assert row.input.folds == mask


@pytest.mark.parametrize(
    ("cell", "error"),
    [("8", "folds: '8' is not a fold key"), ("UPPER", "folds: UPPER is not a fold")],
)
def test_a_fold_that_is_none_is_an_error_of_its_row(conference, cell, error):
    [row] = read(csv_bytes(["name", "folds"], ["Dana", cell]), conference)
    assert row.input is None
    assert row.errors[0].startswith(error)


def test_rows_are_validated_as_the_booth_validates_a_card(conference):
    data = csv_bytes(
        ["Name", "Company", "Email", "Phone"],
        ["Dana", "Acme", "not an email", ""],
        ["", "", "", "555 0100"],
        ["Li", "", "", "5" * 51],
        ["Ok", "", "", ""],
    )
    rows = read(data, conference)
    assert [row.errors for row in rows] == [
        ("email: Enter a valid email address.",),
        ("A card needs at least a name, a company, an email or its photo.",),
        ("phone: Ensure this value has at most 50 characters (it has 51).",),
        (),
    ]
    # Into contacts only, no card is made: a person is.
    assert read(data)[1].errors == ("A person needs at least a name, a company or an email.",)


def test_one_form_checks_each_row_as_a_new_form_would():
    rows = [
        {"name": "Dana", "email": "not an email", "keys": "8"},
        {"name": "Li", "email": "li@hooli.example", "keys": "79"},
        {"phone": "555 0100"},
        {"company": "Acme", "folds": ["UL", "NOPE"]},
        {"name": "Sam"},
    ]
    form = CardForm()
    for data in rows:
        fresh = CardForm(data)
        assert form.validate(data) == fresh.is_valid()
        assert form.errors == fresh.errors
        if fresh.is_valid():
            assert form.to_input() == fresh.to_input()


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["LF", "CR LF", "CR (Excel for Mac)"])
def test_it_reads_each_line_ending(end):
    rows = read(
        end.join(["Name,Email", "Dana Reyes,dana@acme.io", "Li Wei,li@acme.io", ""]).encode()
    )
    assert [(row.number, row.input.email) for row in rows] == [
        (2, "dana@acme.io"),
        (3, "li@acme.io"),
    ]


def test_blank_lines_are_not_rows():
    assert [row.number for row in read(b"Name\n\nDana\n,\nLi\n")] == [3, 5]


def test_a_formula_is_read_as_the_text_it_is():
    cell = '=HYPERLINK("http://evil.example","click")'
    [row] = read(csv_bytes(["Name", "Company"], [cell, "+1 Corp"]))
    assert (row.input.name, row.input.company) == (cell, "+1 Corp")


def test_a_quote_an_export_put_before_a_formula_is_taken_away(conference):
    data = csv_bytes(
        ["Name", "Company", "Phone", "Note"],
        ['\'=HYPERLINK("http://evil.example")', "'+Plus AG", "'+49 30 1234-567 ext 9", "'@x"],
        ["'tis Dana", "'", "'\t555 0100", "''=1"],
    )
    first, second = read(data, conference)
    assert (first.input.name, first.input.company) == (
        '=HYPERLINK("http://evil.example")',
        "+Plus AG",
    )
    assert (first.input.phone, first.input.note) == ("+49 30 1234-567 ext 9", "@x")
    # Only the quote before a formula trigger, which exports.neutralize puts there.
    assert (second.input.name, second.input.company) == ("'tis Dana", "'")
    assert (second.input.phone, second.input.note) == ("555 0100", "''=1")


def test_a_persons_only_phone_or_email_in_a_second_column_is_kept():
    data = csv_bytes(
        [
            "First Name",
            "Last Name",
            "Business Phone",
            "Mobile Phone",
            "E-mail Address",
            "E-mail 2 Address",
        ],
        ["Greta", "Lindqvist", "", "+46 70 123 45 67", "greta@nordkraft.se", ""],
        ["Hans", "Becker", "+49 30 1234567", "", "", "hans.becker@web.de"],
        ["Anna", "Berg", "+46 8 555 0101", "+46 70 555 0101", "anna@bergwerk.se", "anna@gmail.com"],
    )
    greta, hans, anna = read(data)
    assert (greta.input.phone, hans.input.email) == ("+46 70 123 45 67", "hans.becker@web.de")
    # Someone with both: the first column's.
    assert (anna.input.phone, anna.input.email) == ("+46 8 555 0101", "anna@bergwerk.se")


@pytest.mark.parametrize(
    "columns",
    [
        ["Email", "Phone Number", "Mobile Phone Number"],
        ["Email", "Secondary Email", "Phone", "Mobile"],
        ["Email", "Phone", "Mobile"],
        ["E-mail 1 - Value", "E-mail 2 - Value", "Phone 1 - Value", "Phone 2 - Value"],
        ["E-mail Address", "E-mail 2 Address", "E-mail 3 Address", "Home Phone"],
        [
            "Person - Email - Work",
            "Person - Email - Home",
            "Person - Email - Other",
            "Person - Phone - Work",
            "Person - Phone - Mobile",
            "Person - Phone - Home",
            "Person - Phone - Other",
        ],
        ["Email - Work", "Email - Home", "Email - Other", "Phone - Work", "Phone - Mobile"],
    ],
    ids=["hubspot", "zoho", "salesforce", "google", "outlook", "pipedrive", "pipedrive, plain"],
)
def test_every_email_and_phone_column_of_an_export_is_mapped(columns):
    expected = {column: "email" if "mail" in column else "phone" for column in columns}
    assert mapped(csv_bytes(["Name", *columns])) == {"Name": "name", **expected}


def test_a_pipedrive_person_keeps_their_home_email_mobile_phone_organization_and_id():
    [row] = read(PIPEDRIVE_PEOPLE)
    assert (row.input.name, row.input.company) == ("Inès Moreau", "Lumière SAS")
    # Their only email and phone, in the second of their kinds' columns.
    assert (row.input.email, row.input.phone) == ("ines.moreau@gmail.com", "06 12 34 56 78")
    assert row.input.title == "Directrice achats"
    assert row.values["id"] == "4711"


def test_the_first_of_several_values_in_a_cell_is_taken():
    data = csv_bytes(
        ["Name", "E-mail 1 - Type", "E-mail 1 - Value", "Phone 1 - Value", "Group Membership"],
        [
            "Pierre Dubois",
            "* Work ::: Home",
            "pierre@dubois.fr ::: p.dubois@gmail.com",
            "+33 6 12 34 56 78 ::: +33 1 23 45 67 89",
            "* myContacts ::: VivaTech",
        ],
    )
    [row] = read(data)
    assert (row.input.email, row.input.phone) == ("pierre@dubois.fr", "+33 6 12 34 56 78")


@pytest.mark.parametrize(
    ("cell", "consent"),
    [("declined", "declined"), ("interest", "interest"), ("", "")],
)
def test_a_consent_column_gives_the_cards_consent(conference, cell, consent):
    [row] = read(csv_bytes(["name", "consent"], ["Dana", cell]), conference)
    assert row.input.consent == consent


def test_a_consent_that_is_none_is_an_error_of_its_row(conference):
    [row] = read(csv_bytes(["name", "consent"], ["Dana", "maybe"]), conference)
    assert row.errors == (
        "consent: Select a valid choice. maybe is not one of the available choices.",
    )
    # Consent goes with a card: an import of contacts only leaves the column out.
    [person] = read(csv_bytes(["name", "consent"], ["Dana", "maybe"]))
    assert (person.errors, person.input.consent) == ((), "")


def test_it_reads_vcards_3_and_4_many_to_a_file(conference):
    data = (
        vcard("Dana Reyes", "dana@acme.io", "Acme", folds="795", uid="dana-1", title="CTO")
        + VCARD_4
    ).encode()
    dana, ana = read(data, conference)
    assert dana.input.folds == UL | UR | HALF
    assert (dana.input.name, dana.input.company, dana.input.title) == ("Dana Reyes", "Acme", "CTO")
    assert dana.values["id"] == "dana-1"
    assert ana.input.folds == UL | HALF
    assert ana.input.email == "Ana@Globex.example"  # the preferred one
    assert (ana.input.phone, ana.input.company) == ("+1-555-555-0100", "Globex, Inc.")
    assert (ana.input.title, ana.input.note) == ("VP Sales", "met at the bar, wants a demo")


def test_it_takes_the_preferred_email_and_phone_of_a_vcard_2_1():
    [row] = read(VCARD_21.encode())
    assert (row.input.name, row.input.email) == ("Jürgen Müller", "juergen@private.de")
    assert row.input.phone == "+49 170 7654321"


@pytest.mark.parametrize(
    ("fn", "n", "name"),
    [
        ("Dr. Dana Reyes PhD", "Reyes;Dana;;Dr.;PhD", "Dana Reyes"),
        ("Dana Reyes, PhD", "Reyes;Dana;;;PhD", "Dana Reyes"),
        ("Prof. Dr. Jürgen Müller", "Müller;Jürgen;;Prof.,Dr.;", "Jürgen Müller"),
        ("Dana Reyes", "Reyes;Dana;;Ms.;", "Dana Reyes"),  # FN without the title
        ("Dr.", "Reyes;Dana;;Dr.;", "Dr."),  # nothing left: FN as it is
        ("Drew Smith", "Smith;Drew;;Dr;", "Drew Smith"),  # whole words only
        ("Ana Srinivasan", "Srinivasan;Ana;;;Sr", "Ana Srinivasan"),
        ("Bo Ek Jr", "Ek;Bo;;;Jr", "Bo Ek"),
        ("Dr Dana Reyes", "Reyes;Dana;;Dr.;", "Dana Reyes"),  # with or without its stop
        ("DR. DANA REYES PHD", "Reyes;Dana;;Dr.;PhD", "DANA REYES"),  # in any case
    ],
)
def test_a_vcards_name_leaves_out_the_title_and_suffix_its_n_marks(fn, n, name):
    data = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{fn}\r\nN:{n}\r\nEND:VCARD\r\n"
    [row] = read(data.encode())
    assert row.input.name == name


def test_a_vcard_that_cannot_be_read_is_an_error_of_its_own():
    data = (
        vcard("Dana Reyes")
        + "BEGIN:VCARD\r\nVERSION:3.0\r\nthis line has no colon\r\nEND:VCARD\r\n"
        + vcard("Li Wei")
        + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Short\r\n"
    ).encode()
    rows = read(data)
    assert [bool(row.input) for row in rows] == [True, False, True, False]
    assert rows[1].errors[0].startswith("This vCard cannot be read")
    assert rows[3].errors == ("This vCard has no END:VCARD; the file may be cut short.",)


def test_a_quote_that_nothing_closes_says_so():
    data = b'Name,Email\nDana,d@acme.io\n"Li Wei,li@hooli.example\n' + b"Sam,s@x.io\n" * 13_000
    with pytest.raises(imports.BadFile, match="Row 3 has a cell of more than 131,072 characters"):
        read(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is a PNG image"),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is a zip archive"),
        (b"name\x00\x01\x02\x03", "This is not a text file"),
        (b"name,company\n\x01\x02\x03,\x04\n", "This is not a text file"),
        (b"name\n\x81\x8d\x8f\x90\x9d\n", "This file is not in UTF-8, UTF-16 or Windows-1252"),
        (b"Name|Company|Email\nDana|Acme|d@acme.io\n", 'its first line has "Name|Company|Email"'),
        (b"Phone,Website\n555,acme.io\n", 'its first line has "Phone", "Website"'),
        (b"", "its first line has nothing"),
    ],
    ids=["png", "zip", "nul", "control", "encoding", "delimiter", "columns", "empty"],
)
def test_a_file_that_cannot_be_imported_says_why(data, message):
    with pytest.raises(imports.BadFile, match=message.replace("|", r"\|")):
        imports.inspect(io.BytesIO(data))


def test_a_file_too_large_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(imports.BadFile, match=r"This file is 1000.0\sKB; an import can be at most"):
        imports.check_size(1024 * 1000)
    imports.check_size(1000)


def test_a_mapping_needs_a_name_a_company_or_an_email():
    source = imports.inspect(io.BytesIO(b"Name,Phone\nDana,555\n"))
    imports.check_mapping(source, ["name", "phone"], cards=False)
    with pytest.raises(imports.BadFile, match="Choose a column for the name"):
        imports.check_mapping(source, ["", "phone"], cards=False)
    with pytest.raises(imports.BadFile, match="notes, folds and consent go with cards"):
        imports.check_mapping(source, ["name", "folds"], cards=False)


def test_a_rows_key_is_its_content_or_its_id_and_its_target(conference, alice):
    other = Conference.objects.create(
        name="Other", starts_on=conference.starts_on, ends_on=conference.ends_on
    )
    plain = csv_bytes(["Name", "Email"], ["Dana", "Dana@Acme.io"], ["Dana", " dana@acme.io"])
    first, same = read(plain, conference)
    assert first.key == same.key  # emails compare as they are stored
    assert read(plain, other)[0].key != first.key
    assert read(plain)[0].key != first.key
    with_id = csv_bytes(["Record ID", "Name"], ["17", "Dana"], ["17", "Dana Reyes"])
    one, renamed = read(with_id, conference)
    assert one.key == renamed.key != first.key


def check(data: bytes, conference=None) -> imports.Summary:
    file = io.BytesIO(data)
    source = imports.inspect(file)
    mapping = imports.auto_mapping(source, cards=conference is not None)
    return imports.check(file, source, mapping, conference)


def save(data: bytes, conference=None, user=None) -> imports.Summary:
    file = io.BytesIO(data)
    source = imports.inspect(file)
    mapping = imports.auto_mapping(source, cards=conference is not None)
    return imports.save(file, source, mapping, conference, user)


PEOPLE = csv_bytes(
    ["Name", "Company", "Email", "Folds"],
    ["Dana Reyes", "Acme", "dana@acme.io", "795"],
    ["Li Wei", "Hooli", "LI@hooli.example", "5"],
    ["Li Wei", "Hooli", "li@hooli.example", "9"],  # the same person, another card
    ["Dana Reyes", "Acme", "dana@acme.io", "795"],  # the same row again
    ["Sam Lee", "Initech", "", ""],
)


def test_a_file_imported_again_looks_up_no_one(conference, alice):
    save(PEOPLE, conference, alice)
    with CaptureQueriesContext(connection) as queries:
        summary = save(PEOPLE, conference, alice)
    assert summary.skipped == 5
    assert not [q for q in queries if 'FROM "contacts_contact"' in q["sql"]]


def test_checking_tells_what_each_row_will_do_and_saves_nothing(conference):
    Contact.objects.create(name="Li", email="li@hooli.example")
    summary = check(PEOPLE, conference)
    assert [row["fate"] for row in summary.sample] == ["new", "attach", "attach", "skip", "new"]
    assert (summary.rows, summary.new, summary.attached, summary.skipped) == (5, 2, 2, 1)
    assert not Card.objects.exists()
    assert Contact.objects.count() == 1


def test_saving_twice_changes_nothing_the_second_time(conference, alice):
    first = save(PEOPLE, conference, alice)
    assert (first.new, first.attached, first.skipped) == (3, 1, 1)
    cards = {(c.contact.email, c.folds, c.owner) for c in Card.objects.select_related("contact")}
    assert cards == {
        ("dana@acme.io", UL | UR | HALF, alice),
        ("li@hooli.example", HALF, alice),
        ("li@hooli.example", UR, alice),
        ("", 0, alice),
    }
    assert ImportedRow.objects.count() == 4
    again = save(PEOPLE, conference, alice)
    assert (again.new, again.attached, again.skipped) == (0, 0, 5)
    assert Card.objects.count() == 4
    assert Contact.objects.count() == 3
    assert check(PEOPLE, conference).skipped == 5


def test_saving_into_contacts_only_makes_no_cards_and_keeps_known_values(conference):
    known = Contact.objects.create(name="Li Wei", title="CTO", email="li@hooli.example")
    summary = save(csv_bytes(["Email", "Company", "Title"], ["Li@Hooli.example", "Hooli", ""]))
    assert (summary.new, summary.attached) == (0, 1)
    known.refresh_from_db()
    assert (known.company, known.title) == ("Hooli", "CTO")
    assert not Card.objects.exists()
    assert ImportedRow.objects.get().contact == known


def test_a_repeated_row_that_says_they_declined_records_it_on_the_card(conference, alice):
    header = ["Name", "Email", "Consent"]
    data = csv_bytes(header, ["Dana", "dana@acme.io", ""], ["Dana", "dana@acme.io", "declined"])
    summary = check_and_save(data, conference, alice)
    assert (summary.new, summary.skipped) == (1, 1)
    card = Card.objects.get()
    assert (card.consent, card.consent_by) == (Consent.DECLINED, alice)


def test_a_file_imported_again_where_someone_opted_out_since_records_it(conference, alice):
    header = ["Name", "Email", "Email Opt Out"]
    save(
        csv_bytes(header, ["Dana", "dana@acme.io", "0"], ["Li", "li@hooli.example", "0"]),
        conference,
        alice,
    )
    again = csv_bytes(header, ["Dana", "dana@acme.io", "1"], ["Li", "li@hooli.example", "0"])
    assert check_and_save(again, conference, alice).skipped == 2
    consents = dict(Card.objects.values_list("contact__email", "consent"))
    assert consents == {"dana@acme.io": Consent.DECLINED, "li@hooli.example": ""}


def test_a_person_met_here_already_who_declined_since_declines_on_each_card(conference, alice):
    for note in ("n1", "n2"):
        services.log_card(conference, alice, services.CardInput(email="dana@acme.io", note=note))
    data = csv_bytes(["Email", "Note", "Consent"], ["dana@acme.io", "n3", "declined"])
    assert check_and_save(data, conference, alice).skipped == 1
    consents = set(Card.objects.values_list("consent", flat=True))
    assert consents == {Consent.DECLINED}
    assert Card.objects.count() == 2


def test_a_decline_in_a_skipped_row_changes_no_card_of_another_conference(conference, alice):
    other = Conference.objects.create(
        name="Next", starts_on=conference.starts_on, ends_on=conference.ends_on
    )
    dana = services.CardInput(email="dana@acme.io")
    elsewhere = services.log_card(other, alice, dana).card
    here = services.log_card(conference, alice, dana).card
    save(csv_bytes(["Email", "Consent"], ["dana@acme.io", "declined"]), conference, alice)
    elsewhere.refresh_from_db()
    here.refresh_from_db()
    assert (elsewhere.consent, here.consent) == ("", Consent.DECLINED)


def test_a_decline_recorded_by_an_import_is_a_new_version_of_the_card(conference, alice):
    card = services.log_card(conference, alice, services.CardInput(email="dana@acme.io")).card
    save(csv_bytes(["Email", "Consent"], ["dana@acme.io", "declined"]), conference, alice)
    card.refresh_from_db()
    assert (card.consent, card.consent_by, card.version) == (Consent.DECLINED, alice, 1)
    assert card.consent_at is not None


def test_saving_is_all_or_nothing(conference, alice):
    data = csv_bytes(["Name", "Email"], ["Dana", "dana@acme.io"], ["Li", "not an email"])
    with pytest.raises(imports.InvalidRows, match="Row 3: email: Enter a valid email address"):
        save(data, conference, alice)
    assert not Contact.objects.exists()
    assert not ImportedRow.objects.exists()


def test_a_card_imported_without_a_user_is_decoded_with_the_sites_vocabulary(conference):
    save(csv_bytes(["Name", "Folds"], ["Dana", "795"]), conference)
    card = Card.objects.get()
    assert (card.owner, card.logged_by, card.priority) == (None, None, 100)


def test_the_csv_export_reads_back_as_the_same_cards(conference, alice, make_card):
    dana = Contact.objects.create(
        name="Dana Reyes", company="Acme", title="CTO", email="dana@acme.io", phone="555"
    )
    make_card(UL | UR | HALF, contact=dana, note="wants a second region")
    make_card(DIAG, name='=HYPERLINK("http://evil.example","x")', note="+1 idea")
    exported = "".join(exports.csv_chunks(conference)).encode()
    other = Conference.objects.create(
        name="Next", starts_on=conference.starts_on, ends_on=conference.ends_on
    )
    summary = save(exported, other, alice)
    assert (summary.new, summary.attached) == (1, 1)  # Dana's email is known already
    imported = {(c.contact.name, c.folds, c.note) for c in other.cards.select_related("contact")}
    # The export put a quote before each formula; reading it back takes it away.
    assert imported == {
        ("Dana Reyes", UL | UR | HALF, "wants a second region"),
        ('=HYPERLINK("http://evil.example","x")', DIAG, "+1 idea"),
    }


def test_a_formula_imported_is_stored_verbatim_and_exported_neutralized(conference, alice):
    cell = '=HYPERLINK("http://evil.example","click")'
    save(csv_bytes(["Name", "Note"], [cell, "@SUM(A1)"]), conference, alice)
    card = Card.objects.select_related("contact").get()
    assert (card.contact.name, card.note) == (cell, "@SUM(A1)")
    exported = "".join(exports.csv_chunks(conference)).removeprefix("\ufeff")
    [row] = list(csv.DictReader(io.StringIO(exported)))
    assert (row["name"], row["note"]) == ("'" + cell, "'@SUM(A1)")


def test_the_vcard_export_reads_back_as_the_same_contacts(conference, make_card):
    dana = Contact.objects.create(name="Dana Reyes", company="Acme", email="dana@acme.io")
    make_card(UR, contact=dana)
    make_card(UR, name="Li Wei", company="Hooli")
    data = exports.vcards(conference).encode()
    Contact.objects.all().delete()
    summary = save(data)
    assert summary.new == 2
    people = set(Contact.objects.values_list("name", "company", "email"))
    assert people == {("Dana Reyes", "Acme", "dana@acme.io"), ("Li Wei", "Hooli", "")}


def test_the_vcard_export_of_a_person_without_a_name_reads_back_without_one(make_card):
    nameless = Contact.objects.create(company="Solo Company GmbH", email="info@solo.example")
    make_card(UR, contact=nameless)
    data = exports.vcards(nameless.cards.get().conference).encode()
    Contact.objects.all().delete()
    save(data)
    assert Contact.objects.values_list("name", "company").get() == ("", "Solo Company GmbH")


def test_a_phone_imported_into_contacts_only_is_stored_in_e164_when_it_is_one():
    known = Contact.objects.create(name="Dana Reyes", email="dana@acme.io")
    data = (
        vcard("Dana Reyes", uid=known.uid.urn, tel="+46 8 555 0101")
        + vcard("Li Wei", "li@hooli.example", tel="+1 (212) 555-0100")
        + vcard("Sam Local", "sam@example.org", tel="08-555 010 1")
    ).encode()
    save(data)
    phones = dict(Contact.objects.values_list("name", "phone_normalized"))
    # Without a conference there is no country to read a number without its code in.
    assert phones == {"Dana Reyes": "+4685550101", "Li Wei": "+12125550100", "Sam Local": ""}


def check_and_save(data: bytes, conference=None, user=None) -> imports.Summary:
    """Save the file, having checked that checking tells what saving does."""
    checked = check(data, conference)
    saved = save(data, conference, user)
    told = (checked.new, checked.attached, checked.skipped)
    assert told == (saved.new, saved.attached, saved.skipped)
    return saved


def snapshot() -> tuple:
    contacts = list(Contact.objects.order_by("pk").values())
    cards = list(Card.objects.order_by("pk").values())
    return contacts, cards


@pytest.fixture
def met(conference, alice) -> list[Card]:
    """Return the cards of two people met at the conference, as the booth logs them."""
    logged = [
        services.CardInput(
            name="Olga Round",
            company="Trip GmbH",
            email="olga@trip.de",
            phone="+49 30 1234-567 ext 9",  # no E.164: exported as typed, neutralized
            folds=UL,
            note="n1",
            consent=Consent.DECLINED,
        ),
        services.CardInput(
            name="-Minus Person", company="+Plus AG", email="minus@plus.de", note="=SUM(A1)"
        ),
        # Olga met again, the same day: a row of its own in the export.
        services.CardInput(email="olga@trip.de", folds=HALF, note="n2"),
    ]
    return [services.log_card(conference, alice, data).card for data in logged]


def test_the_csv_export_imported_into_its_conference_changes_nothing(conference, alice, met):
    exported = "".join(exports.csv_chunks(conference)).encode()
    before = snapshot()
    summary = check_and_save(exported, conference, alice)
    assert (summary.rows, summary.new, summary.attached, summary.skipped) == (3, 0, 0, 3)
    assert snapshot() == before


def test_the_csv_export_brings_its_consent_and_cells_into_another_conference(
    conference, alice, met
):
    exported = "".join(exports.csv_chunks(conference)).encode()
    other = Conference.objects.create(
        name="Next", starts_on=conference.starts_on, ends_on=conference.ends_on
    )
    summary = check_and_save(exported, other, alice)
    assert (summary.new, summary.attached) == (0, 3)
    cards = other.cards.select_related("contact")
    assert {(c.contact.name, c.folds, c.note, c.consent) for c in cards} == {
        ("Olga Round", UL, "n1", Consent.DECLINED),
        ("-Minus Person", 0, "=SUM(A1)", ""),
        ("Olga Round", HALF, "n2", ""),
    }
    olga = Contact.objects.get(email="olga@trip.de")
    assert (olga.phone, olga.other_phones.count()) == ("+49 30 1234-567 ext 9", 0)
    assert Contact.objects.get(email="minus@plus.de").company == "+Plus AG"


def test_the_vcard_export_brings_its_consent_into_another_conference(conference, alice, met):
    other = Conference.objects.create(
        name="Next", starts_on=conference.starts_on, ends_on=conference.ends_on
    )
    check_and_save(exports.vcards(conference).encode(), other, alice)
    consents = {(c.contact.email, c.consent) for c in other.cards.select_related("contact")}
    assert consents == {("olga@trip.de", Consent.DECLINED), ("minus@plus.de", "")}


@pytest.mark.parametrize("profile", ["foldcard", "hubspot", "salesforce"])
def test_a_crm_export_brings_its_consent_into_another_conference(conference, alice, met, profile):
    met[1].consent = Consent.INTEREST
    met[1].save()
    met[2].delete()  # one card a person: an import skips a person's second row
    other = Conference.objects.create(
        name="Next", starts_on=conference.starts_on, ends_on=conference.ends_on
    )
    exported = "".join(exports.csv_chunks(conference, exports.PROFILES[profile]))
    check_and_save(exported.encode(), other, alice)
    consents = {(c.contact.email, c.consent) for c in other.cards.select_related("contact")}
    assert {c.note for c in other.cards.all()} == {"n1", "=SUM(A1)"}  # HubSpot's Note Body too
    # Salesforce says only who opted out.
    interest = "" if profile == "salesforce" else Consent.INTEREST
    assert consents == {("olga@trip.de", Consent.DECLINED), ("minus@plus.de", interest)}


@pytest.mark.parametrize(
    ("consent", "opt_out", "read"),
    [
        ("Does not want to be contacted", "", Consent.DECLINED),
        ("Freely given consent from contact;Legitimate interest - prospect/lead", "", "consent"),
        ("customer", "true", Consent.DECLINED),
        ("customer", "0", Consent.CUSTOMER),
        ("", "No", ""),
        ("Legitimate interest \u2013 prospect/lead", "", Consent.INTEREST),
        ("Performance of a contract", "", Consent.CUSTOMER),
        ("Not applicable", "", ""),
    ],
)
def test_a_consent_cell_may_say_the_label_hubspots_basis_or_an_opt_out(
    conference, alice, consent, opt_out, read
):
    data = csv_bytes(["Name", "Consent", "Email Opt Out"], ["Dana", consent, opt_out])
    check_and_save(data, conference, alice)
    assert Card.objects.get().consent == read


def test_an_opt_out_that_says_neither_yes_nor_no_is_refused(conference, alice):
    data = csv_bytes(["Name", "Email Opt Out"], ["Dana", "maybe"])
    summary = check(data, conference)
    assert summary.errors == 1
    assert summary.problems == [
        "Row 2: email opt out: maybe is neither 1, true or yes (opted out) nor 0, false or no."
    ]
    assert not Card.objects.exists()


@pytest.mark.parametrize("export", ["csv", "vcard"])
def test_a_number_typed_at_the_booth_reads_back_as_the_same_phone(conference, alice, export):
    # Met at a Swedish booth, a .fr email and a Swedish number typed without +46: the file
    # reads it in France, but it is the number the person has, written the same.
    conference.country = "SE"
    conference.save()
    data = services.CardInput(name="Jean Dupont", email="jean@dupont.fr", phone="08-555 123 45")
    jean = services.log_card(conference, alice, data).card.contact
    other = Conference.objects.create(
        name="Next", starts_on=conference.starts_on, ends_on=conference.ends_on, country="SE"
    )
    exported = (
        exports.vcards(conference) if export == "vcard" else "".join(exports.csv_chunks(conference))
    )
    check_and_save(exported.encode(), other, alice)
    jean.refresh_from_db()
    assert (jean.phone, jean.phone_normalized) == ("08-555 123 45", "+46855512345")
    assert not jean.other_phones.exists()


def test_the_vcard_export_finds_a_person_without_email_by_their_uid(conference, alice, make_card):
    quiet = Contact.objects.create(name="Quiet Person", company="Hush AB")
    make_card(UR, contact=quiet)
    other = Conference.objects.create(
        name="Next", starts_on=conference.starts_on, ends_on=conference.ends_on
    )
    summary = check_and_save(exports.vcards(conference).encode(), other, alice)
    assert (summary.new, summary.attached) == (0, 1)
    assert other.cards.get().contact == quiet
    assert Contact.objects.count() == 1


NILS = csv_bytes(["Name", "Company", "Phone"], ["Nils Phone", "Ring AB", "070-999 88 77"])


@pytest.fixture
def nils(conference, alice) -> Contact:
    """Return a person met at the booth in Sweden, known by their phone alone."""
    conference.country = "SE"
    conference.save()
    data = services.CardInput(name="Nils Phone", company="Ring AB", phone="+46 70 999 88 77")
    return services.log_card(conference, alice, data).card.contact


def test_a_row_of_a_person_known_by_their_phone_is_told_as_added_to_them(conference, alice, nils):
    other = Conference.objects.create(
        name="Next", starts_on=conference.starts_on, ends_on=conference.ends_on, country="SE"
    )
    summary = check_and_save(NILS, other, alice)
    assert (summary.new, summary.attached) == (0, 1)
    assert other.cards.get().contact == nils
    assert Contact.objects.count() == 1


def test_a_person_found_by_their_phone_with_a_card_here_is_skipped(conference, alice, nils):
    summary = check_and_save(NILS, conference, alice)
    assert (summary.new, summary.attached, summary.skipped) == (0, 0, 1)
    assert conference.cards.count() == 1


def test_a_person_met_earlier_in_the_file_is_attached_in_any_batch(conference, alice, monkeypatch):
    # The cards of the batches before are saved already: they are not "met here before".
    monkeypatch.setattr(imports, "BATCH", 2)
    summary = check_and_save(PEOPLE, conference, alice)
    assert (summary.new, summary.attached, summary.skipped) == (3, 1, 1)
    assert Card.objects.count() == 4


@pytest.fixture
def sweden(conference) -> Conference:
    """Return the conference, held in Sweden: a phone without a country code is Swedish."""
    conference.country = "SE"
    conference.save()
    return conference


JEAN = ["Jean Dupont", "jean@dupont.fr", "01 23 45 67 89"]


@pytest.mark.parametrize(
    ("header", "row", "compared"),
    [
        (["Name", "Email", "Phone"], JEAN, "+33123456789"),  # by the email's country domain
        (
            ["Name", "Email", "Phone", "Country"],
            ["Jean", "j@d.com", JEAN[2], "France"],
            "+33123456789",
        ),
        # The country column wins over the email's domain.
        (["Name", "Email", "Phone", "Country"], [*JEAN, "Italy"], "+390123456789"),
        # Neither: the conference's country (Sweden).
        (["Name", "Email", "Phone"], ["Jean", "j@d.com", JEAN[2]], "+46123456789"),
        # A country that names nothing known is no country.
        (["Name", "Email", "Phone", "Country"], [*JEAN, "Atlantis"], "+33123456789"),
        (
            ["Name", "Email", "Phone", "Country"],
            ["Jean", "j@d.com", JEAN[2], "n/a"],
            "+46123456789",
        ),
        # A number with its country code is read as it says.
        (
            ["Name", "Email", "Phone", "Country"],
            [*JEAN[:2], "+1 212 555 0100", "FR"],
            "+12125550100",
        ),
    ],
    ids=[
        "email domain",
        "country column",
        "country column before email",
        "neither",
        "unknown country, email domain",
        "unknown country, nothing else",
        "country code",
    ],
)
def test_a_phone_without_a_country_code_is_read_in_the_rows_country(
    sweden, alice, header, row, compared
):
    summary = check_and_save(csv_bytes(header, row), sweden, alice)
    assert summary.new == 1
    assert Contact.objects.values_list("phone", "phone_normalized").get() == (row[2], compared)


@pytest.mark.parametrize(
    ("cell", "region"),
    [
        ("FR", "FR"),
        ("fr", "FR"),
        ("France", "FR"),
        ("United States", "US"),
        ("  united   STATES ", "US"),
        ("USA", "US"),
        ("UK", "GB"),
        ("Deutschland", "DE"),
        ("Österreich", "AT"),
        ("États-Unis", "US"),
        ("Sverige", "SE"),
        # The conference's country list names (the CLDR's), and the older names beside them.
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Tschechien", "CZ"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Kosovo", "XK"),
        ("Ascension Island", "AC"),
        ("Western Sahara", "EH"),
        ("Atlantis", None),
        ("EU", None),
        ("", None),
    ],
)
def test_a_country_is_known_by_its_code_or_its_name(cell, region):
    assert imports.country_code(cell) == region


def test_every_country_the_conference_form_names_is_known_by_that_name():
    for code, label in country_choices():
        assert imports.country_code(label.rpartition(" (")[0]) == code, label


@pytest.mark.parametrize(
    "header",
    [
        "Business Country/Region",
        "Home Country/Region",
        "Address 1 - Country",
        "Country/Region",
        "Mailing Country",
        "Country",
        "Person - Country of Postal address",
        "Organization - Country of Address",
    ],
    ids=[
        "outlook",
        "outlook, home",
        "google",
        "hubspot",
        "salesforce and zoho contacts",
        "salesforce and zoho leads",
        "pipedrive person",
        "pipedrive organization",
    ],
)
def test_the_country_column_of_each_export_is_mapped(header):
    assert mapped(csv_bytes(["Name", header])) == {"Name": "name", header: "country"}


def test_a_pipedrive_person_s_phone_is_read_in_their_country(sweden, alice):
    check_and_save(PIPEDRIVE_PEOPLE, sweden, alice)
    person = Contact.objects.get()
    assert (person.phone, person.phone_normalized) == ("06 12 34 56 78", "+33612345678")


def test_a_phone_imported_into_contacts_only_is_read_in_the_rows_country():
    save(csv_bytes(["Name", "Email", "Phone"], JEAN))
    assert Contact.objects.get().phone_normalized == "+33123456789"


def test_a_person_known_by_a_uid_gets_their_phone_read_in_the_rows_country():
    known = Contact.objects.create(name="Jean Dupont")
    save(vcard("Jean Dupont", "jean@dupont.fr", uid=known.uid.urn, tel=JEAN[2]).encode())
    known.refresh_from_db()
    assert (known.phone, known.phone_normalized) == (JEAN[2], "+33123456789")


def test_the_same_number_typed_in_rows_of_two_countries_is_two_numbers(sweden, alice):
    data = csv_bytes(["Name", "Email", "Phone"], JEAN, ["Sven Berg", "", JEAN[2]])
    summary = check_and_save(data, sweden, alice)
    assert (summary.new, summary.attached) == (2, 0)
    phones = dict(Contact.objects.values_list("name", "phone_normalized"))
    assert phones == {"Jean Dupont": "+33123456789", "Sven Berg": "+46123456789"}


def test_an_imported_person_is_paired_by_phone_with_a_booth_cards_person(sweden, alice):
    check_and_save(csv_bytes(["Name", "Email", "Phone"], JEAN), sweden, alice)
    jean = Contact.objects.get()
    # Another email: the booth makes another person, whom the managers may merge.
    data = services.CardInput(
        name="J. Dupont", email="contact@dupont-sa.example", phone="+33 1 23 45 67 89"
    )
    typed = services.log_card(sweden, alice, data).card.contact
    assert typed != jean
    [(first, second, kinds)] = duplicates.scan().pairs
    assert ({first, second}, "phone" in kinds) == ({jean.pk, typed.pk}, True)
