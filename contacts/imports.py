"""Importing people from files: the CSV exports of the common address books and CRMs, and
vCards (3.0 and 4.0), into a conference's cards or into contacts only.

As pretix's importer does, every row is first validated into typed values, here the
booth's own input (`services.CardInput`, through the booth's `CardForm`), and rows are saved
only when all of them are valid: in one transaction, through the same services as the
booth. A file is read as a stream, once to check it and once to save it, so that memory
stays flat in the number of rows; each row imported is remembered by its key
(`ImportedRow`), so that importing the same file again changes nothing. A phone without a
country code is read in the row's country: the one its country column names, else that
of its email's country domain, else the conference's, as the booth reads it.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import hashlib
import io
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from typing import BinaryIO, NamedTuple

import phonenumbers
import vobject
from babel import Locale
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import Truncator
from phonenumbers import geocoder

from contacts import exports, folds, services
from contacts.forms import CardForm
from contacts.models import Consent, Contact, Import, ImportedRow
from events.models import Conference
from foldcard.iterables import batched
from reading.fields import fold_ascii, region_of_domain

# What a column can be. The keys are what Import.mapping stores.
TARGETS = {
    "": "(not imported)",
    "name": "Name",
    "first_name": "First name",
    "last_name": "Last name",
    "company": "Company",
    "title": "Title",
    "email": "Email",
    "phone": "Phone",
    "note": "Note",
    "folds": "Folds",
    "consent": "Consent",
    "email_opt_out": "Email opt out (1: does not want to be contacted)",
    "id": "The source's own id",
    "country": "Country (of phones without a country code)",
}
# A card needs a name, a company or an email (CardForm); a file needs a column for one.
REQUIRED = {"name", "first_name", "last_name", "company", "email"}
# What cards have and contacts do not: left out of a contacts-only import.
CARD_ONLY = {"note", "folds", "consent", "email_opt_out"}
# What a person often has several of. A row's may be in any of several columns (Outlook's
# "Business Phone" and "Mobile Phone", "Business Country/Region" and "Home Country/Region"):
# each column that HEADERS names is mapped, and the first that is not empty kept (see
# _values). Google Contacts writes several in one cell, "a@x.example ::: b@y.example": the
# first is kept.
SEVERAL = {"email", "phone", "country"}
SEVERAL_SEPARATOR = ":::"

# Column names of the common exports, normalized (see normalize_header), most telling first:
# a column goes to the first target whose list names it, and each target takes the
# column its list names first, or, for SEVERAL, every column its list names. Outlook has
# both "Title" (Mr, Dr) and "Job Title". Pipedrive names a column by its entity, its
# field and the kind of email or phone ("Person - Email - Home"), or, in some exports,
# without the entity ("Email - Home").
HEADERS = {
    "name": ["name", "full name", "display name", "fn", "person name"],
    "first_name": ["first name", "given name", "firstname", "person first name"],
    "last_name": ["last name", "family name", "lastname", "surname", "person last name"],
    "company": [
        "company",
        "company name",
        "organization name",
        "organization 1 name",
        "organization",
        "account name",
        "person organization",
    ],
    "title": [
        "job title",
        "title",
        "position",
        "organization title",
        "organization 1 title",
        "person job title",
    ],
    "email": [
        "email",
        "email address",
        "e mail address",
        "e mail 1 value",
        "e mail",
        "work email",
        "e mail 2 address",
        "e mail 3 address",
        "e mail 2 value",
        "e mail 3 value",
        "secondary email",
        "person email work",
        "email work",
        "person email",
        "person email home",
        "email home",
        "person email other",
        "email other",
    ],
    "phone": [
        "phone",
        "phone number",
        "business phone",
        "phone 1 value",
        "mobile phone",
        "mobile",
        "mobile phone number",
        "business phone 2",
        "home phone",
        "phone 2 value",
        "phone 3 value",
        "primary phone",
        "company main phone",
        "other phone",
        "person phone work",
        "phone work",
        "person phone",
        "person phone mobile",
        "phone mobile",
        "person phone home",
        "phone home",
        "person phone other",
        "phone other",
    ],
    "note": ["note", "notes", "description", "person notes", "person note", "note body"],
    "folds": ["folds", "fold code", "x foldcard folds"],
    # HubSpot's lawful basis (exports.LEGAL_BASES); Salesforce's Email Opt Out.
    "consent": ["consent", "legal basis for processing contact s data"],
    "email_opt_out": ["email opt out", "has opted out of email"],
    "id": ["record id", "lead id", "contact id", "id", "uid", "person id"],
    # The person's country, or their company's (the address of Pipedrive's organization).
    "country": [
        "country",
        "country region",
        "business country region",
        "home country region",
        "other country region",
        "business country",
        "home country",
        "address 1 country",
        "mailing country",
        "person country of postal address",
        "country of postal address",
        "person country",
        "organization country of address",
        "country of address",
    ],
}

# The properties read from each vCard, as the columns of a CSV file, with what they are.
VCARD_COLUMNS = {
    "FN": "name",
    "N (given)": "first_name",
    "N (family)": "last_name",
    "ORG": "company",
    "TITLE": "title",
    "EMAIL": "email",
    "TEL": "phone",
    "NOTE": "note",
    "X-FOLDCARD-FOLDS": "folds",
    "UID": "id",
    # Last: a vCard file kept for its preview before this was read finds its columns in place.
    "X-FOLDCARD-CONSENT": "consent",
}

# The languages whose names of countries a country column may give (the Unicode CLDR's, as
# the conference's country list shows them, and the older ones of phonenumbers' geocoder),
# besides the ISO 3166 codes; and names people write that are none of those.
COUNTRY_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "sv", "pt", "pl", "fi")
COUNTRY_ALIASES = {"uk": "GB", "usa": "US", "united states of america": "US"}

# Files that are something else; the first bytes tell.
SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip archive (an Excel workbook is one: save it as CSV)",
    b"\x1f\x8b": "a gzip archive",
    b"\xd0\xcf\x11\xe0": "an Office document (save it as CSV)",
}
HEAD_BYTES = 64 * 1024
HEADER_SEARCH = 50  # records looked at for the header row (LinkedIn puts notes first)
DELIMITERS = ",;\t"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

BATCH = 500  # rows looked up together (their keys and emails) and saved together
SAMPLE = 20  # rows shown in the preview
PROBLEMS_KEPT = 100  # rows whose errors the preview lists; the count is always whole
# A message quotes at most this many characters of the file: a file of one 2 MB line must
# not become a message as wide as thousands of pixels.
EXCERPT = 80

# Cards imported get a client_uuid derived from the row's key: the booth's own guard
# against a card saved twice then holds for imports too.
CARD_UUIDS = uuid.UUID("5f0b1d1e-3c4a-4c55-9a7e-f01dca2d0001")


class BadFile(Exception):
    """A file that cannot be imported at all; the message tells the user why."""


class InvalidRows(Exception):
    """A row did not validate while saving: nothing is saved."""


@dataclass(frozen=True)
class Source:
    """How to read a file: CSV or vCards, its encoding, and for CSV its delimiter, the
    records before the header row, and the column names."""

    kind: str
    encoding: str
    delimiter: str = ""
    skip: int = 0
    columns: tuple[str, ...] = ()

    @classmethod
    def of(cls, upload: Import) -> Source:
        return cls(
            upload.kind, upload.encoding, upload.delimiter, upload.skip, tuple(upload.columns)
        )


class Record(NamedTuple):
    number: int  # the row of a spreadsheet showing the file, or the vCard's place
    cells: list[str]
    error: str = ""


@dataclass(frozen=True)
class Row:
    """A record mapped to what it says, and validated: the card's input, or errors."""

    number: int
    values: dict[str, str]
    input: services.CardInput | None
    errors: tuple[str, ...]
    key: str

    @property
    def email(self) -> str:
        return Contact.normalize_email(self.input.email) if self.input else ""

    @property
    def declines(self) -> bool:
        """Return whether the row says the person does not want to be contacted: a skipped
        row records it all the same (_keep_declines)."""
        return bool(self.input) and self.input.consent == Consent.DECLINED

    @property
    def uid(self) -> uuid.UUID | None:
        """Return the row's id as a UUID (a vCard's UID, "urn:uuid:…" or bare), if it is
        one: the UID foldcard's vCards give each person."""
        try:
            return uuid.UUID(self.values.get("id", "").removeprefix("urn:uuid:"))
        except ValueError:
            return None


def normalize_header(name: str) -> str:
    """Return a column name as HEADERS lists it: "E-mail 1 - Value" is "e mail 1 value"."""
    return re.sub(r"[^0-9a-z]+", " ", name.lower()).strip()


def country_code(text: str) -> str | None:
    """Return the ISO 3166 code of the country ``text`` names, by its code ("FR") or its
    name ("France", "Frankreich"), if phone numbers know it; else None."""
    if len(code := text.strip().upper()) == 2 and code in phonenumbers.SUPPORTED_REGIONS:
        return code
    return _country_names().get(normalize_header(fold_ascii(text)))


@cache
def _country_names() -> dict[str, str]:
    """Return the code of each country phone numbers know by its names, as country_code
    compares them ("etats unis" is US): the CLDR's ("Czechia", "Kosovo") and the geocoder's
    ("Czech Republic") in COUNTRY_LANGUAGES, and COUNTRY_ALIASES."""
    names = dict(COUNTRY_ALIASES)
    examples = {code: phonenumbers.example_number(code) for code in phonenumbers.SUPPORTED_REGIONS}
    for language in COUNTRY_LANGUAGES:  # a name in an earlier language wins
        territories = Locale(language).territories
        for code, example in examples.items():
            for name in (territories[code], geocoder.country_name_for_number(example, language)):
                if key := normalize_header(fold_ascii(name)):
                    names.setdefault(key, code)
    return names


def region_of_row(values: dict[str, str], email: str) -> str | None:
    """Return the country a row's phone without a country code is read in: the one its
    country column names, else that of its email's country domain (".fr"), else None (the
    conference's)."""
    return country_code(values.get("country", "")) or region_of_domain(email.rpartition("@")[2])


def check_size(size: int, slack: int = 0) -> None:
    """Raise BadFile if a file of ``size`` bytes (give or take ``slack``) is larger than an
    import may be."""
    limit = settings.IMPORT_MAX_BYTES
    if size > limit + slack:
        raise BadFile(
            f"This file is {filesizeformat(size)}; an import can be at most "
            f"{filesizeformat(limit)}. Split it into smaller files."
        )


def inspect(file: BinaryIO) -> Source:
    """Return how to read ``file``, or raise BadFile saying why it cannot be imported."""
    encoding = detect_encoding(file)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    text = codecs.getincrementaldecoder(encoding)().decode(head)
    if text.lstrip().upper().startswith("BEGIN:VCARD"):
        return Source("vcard", encoding, columns=tuple(VCARD_COLUMNS))
    if len(head) == HEAD_BYTES and "\n" in text:
        text = text[: text.rindex("\n")]  # leave out the line cut in the middle
    return _inspect_csv(text, encoding)


def detect_encoding(file: BinaryIO) -> str:
    """Return the encoding of a text file: UTF-8 (with or without BOM), UTF-16 (with its
    BOM) or Windows-1252; raise BadFile for anything else."""
    head = file.read(HEAD_BYTES)
    file.seek(0)
    for signature, what in SIGNATURES.items():
        if head.startswith(signature):
            raise BadFile(f"This is {what}, not a CSV or vCard file.")
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in head:
        raise BadFile("This is not a text file: a CSV or vCard file is text.")
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        if _decodes(file, encoding):
            if CONTROL.search(codecs.getincrementaldecoder(encoding)().decode(head)):
                raise BadFile("This is not a text file: a CSV or vCard file is text.")
            return encoding
    raise BadFile(
        "This file is not in UTF-8, UTF-16 or Windows-1252 text. Save it again as "
        '"CSV UTF-8" (Excel) or with UTF-8 encoding.'
    )


def _decodes(file: BinaryIO, encoding: str) -> bool:
    """Return whether the whole file decodes in ``encoding``, reading it a block at a time."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while block := file.read(1 << 20):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        file.seek(0)
    return True


def _inspect_csv(text: str, encoding: str) -> Source:
    try:
        sniffed = csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ","
    for delimiter in dict.fromkeys(sniffed + DELIMITERS):
        found = _find_header(text, delimiter)
        if found is not None:
            skip, columns = found
            return Source("csv", encoding, delimiter, skip, tuple(columns))
    first = next((cells for cells in _head_records(text, sniffed) if any(cells)), [])
    named = ", ".join(f'"{excerpt(cell)}"' for cell in first[:12]) or "nothing"
    raise BadFile(
        "No column of this file is a name, a company or an email: its first line has "
        f"{named}. The first line must name the columns (e.g. Name, Company, Email), "
        "separated by commas, semicolons or tabs."
    )


def excerpt(text: str) -> str:
    """Return the start of ``text`` quoted from a file in a message: at most EXCERPT
    characters, "…" ending what was cut."""
    return Truncator(text).chars(EXCERPT)


def _head_records(text: str, delimiter: str) -> Iterator[list[str]]:
    # Lines end as the file ends them (CR alone from Excel for Mac), as records() reads them.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from islice(reader, HEADER_SEARCH)
    except csv.Error:
        return


def _find_header(text: str, delimiter: str) -> tuple[int, list[str]] | None:
    """Return how many records come before the header row and the header's cells: the
    first record naming a column that is a name, a company or an email."""
    for skip, cells in enumerate(_head_records(text, delimiter)):
        if REQUIRED & set(auto_mapping_of(cells)):
            return skip, cells
    return None


def auto_mapping_of(columns: Iterable[str]) -> list[str]:
    """Return what each column is by its name (see HEADERS); "" for the others."""
    names = [normalize_header(column) for column in columns]
    mapping = [""] * len(names)
    for target, known in HEADERS.items():
        # The columns its list names, in the list's order; not those of a target before.
        free = [
            i
            for header in known
            for i, name in enumerate(names)
            if name == header and not mapping[i]
        ]
        for i in free if target in SEVERAL else free[:1]:
            mapping[i] = target
    return mapping


def targets(cards: bool) -> dict[str, str]:
    """Return what a column can be in an import of cards, or of contacts only."""
    return {key: label for key, label in TARGETS.items() if cards or key not in CARD_ONLY}


def auto_mapping(source: Source, cards: bool) -> list[str]:
    """Return what each column of ``source`` is, by its name."""
    if source.kind == "vcard":
        mapping = list(VCARD_COLUMNS.values())
    else:
        mapping = auto_mapping_of(source.columns)
    return [target if target in targets(cards) else "" for target in mapping]


def left_out_of_contacts(source: Source) -> list[str]:
    """Return the columns of ``source`` that say what goes with a card (a note, folds, the
    person's consent, Email Opt Out), which an import of contacts only leaves out (those
    of a vCard: the properties, whether its cards have them or not)."""
    # Not strict: a vCard file kept from before X-FOLDCARD-CONSENT was read has one fewer.
    named = zip(source.columns, auto_mapping(source, cards=True), strict=False)
    return [column for column, target in named if target in CARD_ONLY]


def check_mapping(source: Source, mapping: list[str], cards: bool) -> None:
    """Raise BadFile unless ``mapping`` says what each column is, one of them being a
    name, a company or an email."""
    if len(mapping) != len(source.columns) or not set(mapping) <= set(targets(cards)):
        raise BadFile(
            "Say for each column what it is (notes, folds and consent go with cards: an "
            "import of contacts only leaves them out)."
        )
    if not REQUIRED & set(mapping):
        raise BadFile("Choose a column for the name, the company or the email.")


def records(file: BinaryIO, source: Source) -> Iterator[Record]:
    """Yield the file's records after the header, as lists of cells in column order."""
    text = io.TextIOWrapper(file, encoding=source.encoding, newline="")
    try:
        if source.kind == "vcard":
            yield from _vcard_records(text)
        else:
            yield from _csv_records(text, source)
    finally:
        text.detach()  # the caller closes the file


def _csv_records(text: io.TextIOWrapper, source: Source) -> Iterator[Record]:
    reader = csv.reader(text, delimiter=source.delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, 1):
            if number > source.skip + 1 and any(cell.strip() for cell in cells):
                yield Record(number, [unneutralized(cell) for cell in cells])
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            raise BadFile(
                f"Row {number + 1} has a cell of more than {csv.field_size_limit():,} "
                'characters: a quote (") may open a cell that nothing closes.'
            ) from e
        raise BadFile(f"Row {number + 1} cannot be read as CSV: {e}.") from e


def unneutralized(cell: str) -> str:
    """Return a cell of a CSV file as it was before a CSV export (foldcard's among them,
    exports.neutralize) put "'" before a formula trigger so that spreadsheets show it as
    text."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in exports.FORMULA_TRIGGERS:
        return cell[1:]
    return cell


def _vcard_records(text: io.TextIOWrapper) -> Iterator[Record]:
    lines: list[str] = []
    number = 0
    for line in text:
        marker = line.strip().upper()
        if marker == "BEGIN:VCARD":
            if any(seen.strip().upper() == "BEGIN:VCARD" for seen in lines):
                number += 1
                yield Record(number, [], "This vCard has no END:VCARD.")
            lines = []
        lines.append(line)
        if marker == "END:VCARD":
            number += 1
            yield _vcard_record(number, "".join(lines))
            lines = []
    if any(line.strip() for line in lines):
        yield Record(number + 1, [], "This vCard has no END:VCARD; the file may be cut short.")


def _vcard_record(number: int, text: str) -> Record:
    try:
        card = vobject.readOne(text, allowQP=True)
    except (vobject.base.VObjectError, ValueError, TypeError, AttributeError) as e:
        return Record(number, [], f"This vCard cannot be read: {excerpt(str(e))}")
    name = _first(card, "n")
    org = _first(card, "org")
    org = org[0] if isinstance(org, list) and org else org
    phone = _first(card, "tel")
    email = _first(card, "email")
    cells = {
        "FN": _person_named(_first(card, "fn"), name, (org, email)),
        "N (given)": getattr(name, "given", ""),
        "N (family)": getattr(name, "family", ""),
        "ORG": org,
        "TITLE": _first(card, "title"),
        "EMAIL": email,
        "TEL": phone.removeprefix("tel:") if isinstance(phone, str) else phone,
        "NOTE": _first(card, "note"),
        "X-FOLDCARD-FOLDS": _first(card, "x-foldcard-folds"),
        "UID": _first(card, "uid"),
        "X-FOLDCARD-CONSENT": _first(card, "x-foldcard-consent"),
    }
    return Record(number, [_text(value) for value in cells.values()])


def _person_named(fn: str, name, others: tuple[str, ...]) -> str:
    """Return a vCard's FN as the person's name, without the title and suffix its N marks
    ("Dr. Dana Reyes PhD" is Dana Reyes when N is Reyes;Dana;;Dr.;PhD); none when the card
    names no person (an empty N) and FN, which a vCard must have, only repeats its ORG or
    EMAIL (foldcard's export writes a person without a name so, as address books do)."""
    named = any(getattr(name, part, "") for part in ("given", "family"))
    if not named:
        return fn if fn not in others else ""
    prefix, suffix = (_text(getattr(name, part, "")) for part in ("prefix", "suffix"))
    bare = fn.strip()
    # Whole words only, in any case, with or without a stop: the title "Dr." is "DR" in
    # "DR DANA REYES", and not the start of "Drew".
    if prefix:
        bare = re.sub(rf"^{_word(prefix)}(?:[\s,]+|$)", "", bare, flags=re.IGNORECASE)
    if suffix:
        bare = re.sub(rf"(?:^|[\s,]+){_word(suffix)}$", "", bare, flags=re.IGNORECASE)
    return bare or fn


def _word(text: str) -> str:
    """Return a pattern of ``text`` as a word, its stop at the end left to the writer."""
    return re.escape(text.rstrip(".")) + r"\.?"


def _first(card, name: str):
    """Return the value of the card's property ``name``, the preferred one if several
    (PREF=1 in vCard 4.0, TYPE=pref in 3.0, a bare PREF in 2.1), or "" if the card has
    none."""
    lines = card.contents.get(name, [])
    for line in lines:
        types = ",".join([*line.params.get("TYPE", []), *line.singletonparams]).lower().split(",")
        if "pref" in types or line.params.get("PREF") == ["1"]:
            return line.value
    return lines[0].value if lines else ""


def _text(value) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_text(item) for item in value if item)
    return value if isinstance(value, str) else ""


def rows(
    file: BinaryIO, source: Source, mapping: list[str], conference: Conference | None
) -> Iterator[Row]:
    """Yield the file's rows, each validated as the booth validates a card."""
    target = f"conference:{conference.pk}" if conference else "contacts"
    id_column = next(
        (normalize_header(c) for c, t in zip(source.columns, mapping, strict=True) if t == "id"), ""
    )
    form = CardForm()
    for record in records(file, source):
        values = _values(record.cells, mapping)
        if record.error:
            yield Row(record.number, values, None, (record.error,), "")
            continue
        if problem := opt_out_problem(values.get("email_opt_out", "")):
            yield Row(record.number, values, None, (problem,), "")
            continue
        if not form.validate(_form_data(values)):
            yield Row(record.number, values, None, _errors(form, conference is not None), "")
            continue
        data = form.to_input()
        data = dataclasses.replace(data, region=region_of_row(values, data.email))
        yield Row(record.number, values, data, (), _key(target, data, id_column, values))


def _values(cells: list[str], mapping: list[str]) -> dict[str, str]:
    """Return what the record says for each target; several columns for one target give
    its first value that is not empty, except notes, which are joined; a cell of several
    emails or phones (SEVERAL) gives its first."""
    values: dict[str, str] = {}
    for cell, target in zip(cells, mapping, strict=False):
        value = (cell.partition(SEVERAL_SEPARATOR)[0] if target in SEVERAL else cell).strip()
        if not target or not value:
            continue
        if target == "note" and values.get("note"):
            values["note"] += "\n" + value
        else:
            values.setdefault(target, value)
    if "name" not in values:
        name = " ".join(values[part] for part in ("first_name", "last_name") if part in values)
        if name:
            values["name"] = name
    return values


def _form_data(values: dict[str, str]) -> dict:
    """Return the booth form's data for a row: the fold cell as numpad keys ("795") or as
    fold codes ("UL UR HALF")."""
    fields = ("name", "company", "title", "email", "phone", "note")
    data = {f: values.get(f, "") for f in fields}
    data["consent"] = consent_of(values.get("consent", ""), values.get("email_opt_out", ""))
    cell = values.get("folds", "")
    keys = re.sub(r"[\s,+]", "", cell)
    if keys and not any(char.isalpha() for char in keys):
        data["keys"] = keys
    else:
        data["folds"] = [code.upper() for code in re.split(r"[\s,;+]+", cell) if code]
    return data


# What a consent cell may say for each basis: its value, its label, HubSpot's lawful basis
# (its other bases: a contract is with a customer; those foldcard has no basis for record
# none).
CONSENT_WORDS = {
    **{value.lower(): value for value in Consent.values},
    **{label.lower(): value for value, label in Consent.choices},
    **{basis.lower(): value for value, basis in exports.LEGAL_BASES.items()},
    "legitimate interest - other": Consent.INTEREST,
    "performance of a contract": Consent.CUSTOMER,
    **dict.fromkeys(
        ["legal obligation", "vital interest", "public interest", "not applicable"],
        Consent.NOT_RECORDED,
    ),
}
OPTED_OUT = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def consent_of(cell: str, opt_out: str) -> str:
    """Return the basis of consent (Consent) that a row's consent cell and email opt out
    cell (one of OPTED_OUT, or "") say: a person who opted out declined, whatever the other
    says; a value the consent cell does not know is left as it is, for the card's form to
    refuse."""
    if OPTED_OUT.get(opt_out.lower()):
        return Consent.DECLINED
    first = cell.split(";")[0].strip()  # HubSpot lists several bases parted by ;
    # An en or em dash is a hyphen, any run of spaces one.
    spelt = " ".join(re.sub("[\u2013\u2014]", "-", first).lower().split())
    return CONSENT_WORDS.get(spelt, first)


def opt_out_problem(cell: str) -> str:
    """Return why an email opt out cell says neither yes nor no, or "" when it does."""
    if not cell or cell.lower() in OPTED_OUT:
        return ""
    return f"email opt out: {cell[:60]} is neither 1, true or yes (opted out) nor 0, false or no."


FIELD_NAMES = {"keys": "folds", "__all__": ""}


# What a row of an import of contacts only, which makes no card, lacks.
NO_ONE = "A person needs at least a name, a company or an email."


def _errors(form: CardForm, cards: bool) -> tuple[str, ...]:
    problems = []
    for name, errors in form.errors.get_json_data().items():
        label = FIELD_NAMES.get(name, name)
        for error in errors:
            message = error["message"] if cards or error["code"] != "empty" else NO_ONE
            problems.append(f"{label}: {message}" if label else message)
    return tuple(problems)


def _key(target: str, data: services.CardInput, id_column: str, values: dict[str, str]) -> str:
    """Return the row's key: its target with the source's own id, if the file has one, or
    else with the row's content as validated."""
    if values.get("id"):
        basis = ["id", id_column, values["id"]]
    else:
        content = [data.name, data.company, data.title, data.phone, data.note]
        basis = ["row", *content, Contact.normalize_email(data.email), str(data.folds)]
    return hashlib.sha256("\x1f".join([target, *basis]).encode()).hexdigest()


class Fates:
    """Tell what each row will do: make a new contact ("new"), attach to a known person
    ("attach"), be skipped ("skip"), or nothing, being invalid ("error").

    A row's person is the one its UID names (a vCard exported from foldcard), else the one
    the import finds by the row's email or phone: services.find_or_create_contact, asked
    of the batch's people as services.log_cards and find_or_create_contacts read them. A
    row is skipped when it was imported before, or when, into a conference, its person had
    a card there before this import: so importing an export of the conference (CSV or
    vCard) changes nothing.

    Each batch of rows is looked up at once. While saving, the database holds the rows of
    the batches before; when only checking, the keys and emails seen are remembered here
    (not the phones: a row naming by its phone alone a person first met in a batch before
    is told "new" while checking, and attached to them when saving).
    """

    def __init__(self, remember: bool, conference: Conference | None = None) -> None:
        self.remember = remember
        self.conference = conference
        # The country of the phones of rows that tell none, as log_cards reads them.
        self.region = conference.country if conference else None
        # The conference's last card before this import: the cards it saves are after.
        self.last_card = 0
        if conference is not None:
            self.last_card = conference.cards.aggregate(last=Max("pk"))["last"] or 0
        self.keys: set[str] = set()
        self.emails: set[str] = set()
        self.people: dict[uuid.UUID, Contact] = {}  # the batch's people known by UID
        # The people of the rows skipped as met at the conference already, by key.
        self.met: dict[str, int] = {}

    def of(self, batch: list[Row]) -> list[str]:
        if not self.remember:
            self.keys.clear()
            self.emails.clear()
        valid = [row for row in batch if row.input]
        keys = {row.key for row in valid}
        imported = set(ImportedRow.objects.filter(key__in=keys).values_list("key", flat=True))
        uids = {row.uid for row in valid if row.uid}
        self.people = Contact.objects.in_bulk(uids, field_name="uid") if uids else {}
        inputs = [
            _card_input(row, self.people.get(row.uid)) if row.input else None for row in batch
        ]
        # The people of the rows still to tell apart: a row imported before is skipped.
        fresh = [
            data
            for row, data in zip(batch, inputs, strict=True)
            if data and row.key not in imported
        ]
        people = services.BatchPeople.of(fresh, self.region)
        here = self._here([*self.people.values(), *people.by_id.values()])
        return [
            self._fate(row, data, imported, people, here)
            for row, data in zip(batch, inputs, strict=True)
        ]

    def _here(self, people: list[Contact]) -> set[int]:
        """Return the ids of those of ``people`` with a card at the conference imported to
        from before this import."""
        if self.conference is None or not people:
            return set()
        cards = self.conference.cards.filter(contact__in=people, pk__lte=self.last_card)
        return set(cards.values_list("contact_id", flat=True))

    def _fate(
        self,
        row: Row,
        data: services.CardInput | None,
        imported: set[str],
        people: services.BatchPeople,
        here: set[int],
    ) -> str:
        """Return the fate of ``row``, whose card is ``data``."""
        if data is None:
            return "error"
        if row.key in imported or row.key in self.keys:
            return "skip"
        self.keys.add(row.key)
        named = self.people.get(row.uid)
        if named is not None and named.pk in here:
            self.met[row.key] = named.pk
            return "skip"
        if named is not None and self.conference is None:
            return "attach"  # the row adds to the person its UID names (_save_people)
        person, created, _ = services.find_or_create_contact(data, self.region, people)
        if person.pk in here:
            self.met[row.key] = person.pk
            return "skip"
        seen = row.email in self.emails  # made by a row of a batch before, when checking
        if row.email:
            self.emails.add(row.email)
        return "new" if created and not seen else "attach"


# What the preview shows of each of the first rows, beside its folds and fate.
SHOWN = ("name", "company", "email", "phone")


@dataclass
class Summary:
    """What a check or an import found: counts of the rows' fates, the first rows, and the
    errors of the first rows with errors (``problems_kept`` of them; None: all)."""

    problems_kept: int | None = PROBLEMS_KEPT
    rows: int = 0
    new: int = 0
    attached: int = 0
    skipped: int = 0
    declines: int = 0  # of the rows skipped, those saying the person declined (_keep_declines)
    errors: int = 0
    problems: list[str] = field(default_factory=list)
    sample: list[dict] = field(default_factory=list)

    def add(self, row: Row, fate: str) -> None:
        self.rows += 1
        if fate == "error":
            self.errors += 1
            if self.problems_kept is None or self.errors <= self.problems_kept:
                self.problems.extend(f"Row {row.number}: {error}" for error in row.errors)
        else:
            counter = {"new": "new", "attach": "attached", "skip": "skipped"}[fate]
            setattr(self, counter, getattr(self, counter) + 1)
            if fate == "skip" and row.declines:
                self.declines += 1
        if len(self.sample) < SAMPLE:
            shown = {name: row.values.get(name, "") for name in SHOWN}
            if row.input:
                shown["folds"] = " ".join(folds.to_codes(row.input.folds))
            else:
                shown["folds"] = row.values.get("folds", "")
            self.sample.append(
                {"number": row.number, **shown, "fate": fate, "errors": list(row.errors)}
            )


def check(
    file: BinaryIO,
    source: Source,
    mapping: list[str],
    conference: Conference | None,
    *,
    problems_kept: int | None = PROBLEMS_KEPT,
    progress: Callable[[Summary], object] | None = None,
) -> Summary:
    """Validate every row and tell what importing the file would do; save nothing."""
    summary = Summary(problems_kept)
    fates = Fates(remember=True, conference=conference)
    for batch in batched(rows(file, source, mapping, conference), BATCH):
        for row, fate in zip(batch, fates.of(batch), strict=True):
            summary.add(row, fate)
        if progress:
            progress(summary)
    return summary


def save(
    file: BinaryIO,
    source: Source,
    mapping: list[str],
    conference: Conference | None,
    user,
    upload: Import | None = None,
) -> Summary:
    """Import the file in one transaction: a card for each row (or, into contacts only,
    the person), each person found by their email or phone, or made, through the booth's
    services. Rows imported before, or of a person with a card at the conference already,
    are skipped (Fates). Check the file first: a row that does not validate raises
    InvalidRows, and nothing is saved."""
    summary = Summary()
    fates = Fates(remember=False, conference=conference)
    decoder = services.Decoder.of(user) if conference else None
    with transaction.atomic():
        for batch in batched(rows(file, source, mapping, conference), BATCH):
            saved, declined = [], []
            for row, fate in zip(batch, fates.of(batch), strict=True):
                if fate == "error":
                    raise InvalidRows(f"Row {row.number}: {'; '.join(row.errors)}")
                summary.add(row, fate)
                if fate != "skip":
                    saved.append((row, fates.people.get(row.uid)))
                elif row.declines:
                    declined.append(row.key)
            if conference is None:
                imported = _save_people(saved, upload)
            else:
                imported = _save_cards(saved, conference, user, decoder, upload)
            ImportedRow.objects.bulk_create(imported)
            if conference is not None and declined:
                _keep_declines(declined, fates, user)
    return summary


def _card_input(row: Row, person: Contact | None) -> services.CardInput:
    """Return the card a valid row logs, its client_uuid made of the row's key; of
    ``person``, whom the row's UID names, if anyone (as a person chosen at the booth), else
    of whoever its email or phone finds."""
    contact_id = person.pk if person else row.input.contact_id
    key = uuid.uuid5(CARD_UUIDS, row.key)
    return dataclasses.replace(row.input, contact_id=contact_id, client_uuid=key)


def _save_cards(
    saved: list[tuple[Row, Contact | None]],
    conference: Conference,
    user,
    decoder: services.Decoder,
    upload: Import | None,
) -> list[ImportedRow]:
    """Log a batch's rows as cards, each with the person its UID names, if anyone."""
    inputs = [_card_input(row, person) for row, person in saved]
    cards = services.log_cards(conference, user, inputs, decoder)
    return [
        ImportedRow(
            key=row.key, conference=conference, card=card, contact=card.contact, source=upload
        )
        for (row, _), card in zip(saved, cards, strict=True)
    ]


def _keep_declines(keys: list[str], fates: Fates, user) -> None:
    """Record that they do not want to be contacted on cards at the conference, for the
    batch's skipped rows that say so (by ``keys``): on the card of the row a row repeats
    (imported before or earlier in the file), and on the cards of a person met there
    already of whom none says so yet (a card of theirs that does is what the row
    repeats). A skipped row adds nothing else; its decline is never lost."""
    here = fates.conference.cards
    repeated = ImportedRow.objects.filter(key__in=keys, card__isnull=False).values("card")
    met = {fates.met[key] for key in keys if key in fates.met}
    declined = here.filter(contact__in=met, consent=Consent.DECLINED)
    met -= set(declined.values_list("contact", flat=True))
    either = Q(pk__in=repeated) | Q(contact__in=met, pk__lte=fates.last_card)
    # A new version: a page that showed the card before cannot save its consent back.
    here.filter(either).exclude(consent=Consent.DECLINED).update(
        consent=Consent.DECLINED,
        consent_at=timezone.now(),
        consent_by=user,
        version=F("version") + 1,
    )


def _save_people(
    saved: list[tuple[Row, Contact | None]], upload: Import | None
) -> list[ImportedRow]:
    """Save a batch's rows as people: what a row's UID names adds to that person, the
    other rows find or make theirs."""
    for row, person in saved:
        if person is not None and (
            changed := services.add_details(person, row.input.contact_fields(), row.input.region)
        ):
            person.save(update_fields=changed)
    # After those saves: a row without UID may name the same person by email.
    others = [row for row, person in saved if person is None]
    found = dict(
        zip(
            [row.key for row in others],
            services.find_or_create_contacts([row.input for row in others]),
            strict=True,
        )
    )
    return [
        ImportedRow(key=row.key, contact=person or found[row.key], source=upload)
        for row, person in saved
    ]


def start(upload: UploadedFile, conference: Conference | None, user) -> Import:
    """Keep an uploaded file for its preview, with the columns mapped by their names;
    raise BadFile if it cannot be imported."""
    check_size(upload.size)
    upload.seek(0)
    source = inspect(upload)
    kept = Import(
        created_by=user,
        conference=conference,
        filename=upload.name[-255:],
        kind=source.kind,
        encoding=source.encoding,
        delimiter=source.delimiter,
        skip=source.skip,
        columns=list(source.columns),
        mapping=auto_mapping(source, cards=conference is not None),
    )
    kept.file.save("import.vcf" if source.kind == "vcard" else "import.csv", upload, save=False)
    kept.save()
    return kept


def _store(upload: Import, summary: Summary, **fields) -> None:
    for name in ("rows", "new", "attached", "skipped", "declines", "errors", "problems", "sample"):
        setattr(upload, name, getattr(summary, name))
    for name, value in fields.items():
        setattr(upload, name, value)
    upload.save()


def _fail(upload: Import, failure: str) -> None:
    upload.state = Import.State.FAILED
    upload.failure = failure
    upload.save(update_fields=["state", "failure"])


def why_not_importable(upload: Import) -> str:
    """Return why the kept file cannot be imported now, or "" if it can."""
    if upload.state == Import.State.DONE:
        return "This file was imported."
    if upload.state != Import.State.CHECKED:
        return "Wait until the file is checked."
    if upload.errors:
        return (
            f"Correct the {upload.errors} row(s) with errors in the file, or leave their "
            "columns out: nothing is imported while a row is wrong."
        )
    if not upload.rows:
        return "This file has no rows to import."
    return ""


def check_upload(upload: Import) -> None:
    """Check a kept file with its mapping, storing what importing it would do."""
    source = Source.of(upload)

    def progress(summary: Summary) -> None:
        Import.objects.filter(pk=upload.pk).update(rows=summary.rows)

    try:
        check_mapping(source, upload.mapping, cards=upload.conference_id is not None)
        with upload.file.open("rb") as file:
            summary = check(file.file, source, upload.mapping, upload.conference, progress=progress)
    except BadFile as e:
        _fail(upload, str(e))
        return
    except Exception:
        _fail(upload, "The file could not be checked: something went wrong (see the worker's log).")
        raise
    _store(upload, summary, state=Import.State.CHECKED, failure="")


def import_upload(upload: Import) -> None:
    """Import a kept file that was checked, then delete the file; on failure keep it and
    say why."""
    if upload.state != Import.State.IMPORTING:
        return  # imported already, or not asked to
    source = Source.of(upload)
    try:
        with upload.file.open("rb") as file:
            summary = save(
                file.file, source, upload.mapping, upload.conference, upload.created_by, upload
            )
    except (BadFile, InvalidRows) as e:
        _fail(upload, f"Nothing was imported: {e}")
        return
    except IntegrityError:
        # Another import saved some of these rows meanwhile (ImportedRow.key is unique), or
        # the booth a person with one of their emails, read before a batch was written.
        _fail(
            upload,
            "Nothing was imported: some of these people or rows were saved meanwhile (at the "
            "booth or by another import).",
        )
        return
    except Exception:
        _fail(upload, "Nothing was imported: something went wrong (see the worker's log).")
        raise
    upload.file.delete(save=False)
    _store(upload, summary, state=Import.State.DONE, finished_at=timezone.now())
