"""A conference's cards for other tools: CSV for spreadsheets and CRMs, vCard for address
books, iCalendar tasks for calendars."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import islice

import vobject
from django.db import models
from django.db.models import Expression
from django.db.models.functions import Cast
from django.utils import timezone
from icalendar import Calendar, Todo

from contacts import folds, phones, rules
from contacts.models import FOLLOW_UP_ORDER, Card, Consent, Contact, Vocabulary
from contacts.queries import decode_cards
from events.models import Conference

# Spreadsheets run a cell that starts with one of these as a formula, and also with the
# full-width equals, plus, minus and at signs that Japanese and Chinese keyboards type.
FORMULA_TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"


def neutralize(cell: str) -> str:
    """Return the cell so that a spreadsheet shows it as text, never runs it as a formula."""
    if cell and cell[0] in FORMULA_TRIGGERS:
        return "'" + cell
    return cell


def phone_cell(phone: str, region: str | None) -> str:
    """Return a phone number as E.164 ("+4685550101") when it is a valid number, read as
    ``region``'s (ISO 3166 code) if it has no country code; else as neutralized text.

    A CRM stores the cell as it is, so a number is not marked as text: "+" and digits
    alone are no formula a spreadsheet could run.
    """
    return phones.e164(phone, region) or neutralize(phone)


def ical_priority(priority: int) -> int:
    """Map a card's priority to iCalendar's 1 (highest) to 9 (lowest)."""
    if priority >= 80:
        return 1
    if priority >= 50:
        return 3
    if priority >= 20:
        return 5
    if priority > 0:
        return 7
    return 9


class LocalMinutes:
    """Turn UTC timestamps read as text ("YYYY-MM-DD HH:MM…") into local ISO times to the
    minute, with their offset: "2026-11-20T05:00-05:00".

    The local hour and offset are worked out once per UTC hour, as an export has many
    cards and a conference few hours. An hour in which the offset changes, or a zone whose
    offset is not whole hours, is converted minute by minute.
    """

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.hours: dict[str, tuple[str, str] | None] = {}

    def __call__(self, utc: str) -> str:
        hour = utc[:13]
        if hour not in self.hours:
            self.hours[hour] = self._local_hour(hour)
        local = self.hours[hour]
        if local is None:
            moment = datetime.fromisoformat(utc[:16] + "+00:00").astimezone(self.zone)
            return moment.isoformat(timespec="minutes")
        prefix, offset = local
        return f"{prefix}:{utc[14:16]}{offset}"

    def _local_hour(self, hour: str) -> tuple[str, str] | None:
        """Return the local "YYYY-MM-DDTHH" and offset of a UTC hour, or None if its
        minutes do not map one to one."""
        start = datetime.fromisoformat(hour + ":00+00:00")
        first = start.astimezone(self.zone)
        last = (start + timedelta(minutes=59)).astimezone(self.zone)
        if first.minute or first.utcoffset() != last.utcoffset():
            return None
        text = first.isoformat(timespec="minutes")
        return text[:13], text[16:]


class FoldCells(dict):
    """The cells a column makes of the folds of each (cell function, vocabulary id, mask),
    worked out on first use: a conference has thousands of cards but few distinct fold
    combinations."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[int, tuple[folds.Decoding, ...]] = {}

    def __missing__(self, key: tuple[Callable[[folds.Decoding], str], int, int]) -> str:
        cell, vocabulary_id, mask = key
        if vocabulary_id not in self.tables:
            self.tables[vocabulary_id] = Vocabulary.objects.get(pk=vocabulary_id).table()
        value = self[key] = cell(self.tables[vocabulary_id][mask])
        return value


class Export:
    """What one export of a conference works out once and its cells share: the fold cells
    of each vocabulary and mask, the local times (where the conference is) of each hour,
    the country phone numbers without a country code are read as."""

    def __init__(self, conference: Conference) -> None:
        self.conference = conference
        self.fold_cells = FoldCells()
        self.local_minutes = LocalMinutes(conference.zone)
        self.region = conference.country or None

    def closed_at(self, state: str, changed_at: str | None) -> str:
        """Return when a done or dropped follow-up was closed, in local time; else ""."""
        if state in rules.OPEN_STATES or changed_at is None:
            return ""
        return self.local_minutes(changed_at)


@dataclass(frozen=True)
class Column:
    """One column of a CSV export: its header, the values of a card it reads (field paths
    or expressions of ``Card``), and how the export turns them into the cell."""

    header: str
    reads: tuple[str | Expression, ...]
    cell: Callable[..., object]


def text(header: str, field: str) -> Column:
    """Return a column of free text, which a spreadsheet must not run as a formula."""
    return Column(header, (field,), lambda export, value: neutralize(value))


def plain(header: str, field: str | Expression) -> Column:
    """Return a column whose values are safe as they are (numbers, dates, choices)."""
    return Column(header, (field,), lambda export, value: value)


# Dates come as the database's text, not through Django's per-row converters: the export's
# time is mostly per-row work. ISO dates read the same from every database; a timestamp is
# UTC (Django's connections use UTC), "YYYY-MM-DD HH:MM" first, then seconds and an offset
# (PostgreSQL) or seconds alone (SQLite).
AS_TEXT = models.CharField()


def of_folds(header: str, cell: Callable[[folds.Decoding], str]) -> Column:
    """Return a column made of the card's folds as its vocabulary decodes them."""
    return Column(
        header,
        ("vocabulary_id", "folds"),
        lambda export, vocabulary_id, mask: export.fold_cells[cell, vocabulary_id, mask],
    )


def phone(header: str) -> Column:
    """Return a column of the person's phone number, in E.164 when it is a valid one."""
    return Column(header, ("contact__phone",), lambda export, v: phone_cell(v, export.region))


def fold_codes(decoding: folds.Decoding) -> str:
    return " ".join(folds.to_codes(decoding.folds))


def meaning_labels(decoding: folds.Decoding, separator: str = "; ") -> str:
    return neutralize(separator.join(m.label for m in decoding.meanings))


FOLDCARD_COLUMNS = (
    text("name", "contact__name"),
    text("company", "contact__company"),
    text("title", "contact__title"),
    text("email", "contact__email"),
    phone("phone"),
    of_folds("folds", fold_codes),
    of_folds("meanings", meaning_labels),
    plain("priority", "priority"),
    plain("due", Cast("due_on", AS_TEXT)),
    plain("state", "state"),
    text("note", "note"),
    Column(
        "met_at", (Cast("logged_at", AS_TEXT),), lambda export, value: export.local_minutes(value)
    ),
    Column("owner", ("owner__username",), lambda export, value: value or ""),
    text("outcome", "outcome"),
    Column("outcome_at", ("state", Cast("state_changed_at", AS_TEXT)), Export.closed_at),
    plain("consent", "consent"),
    Column(
        "consent_at",
        (Cast("consent_at", AS_TEXT),),
        lambda export, value: export.local_minutes(value) if value else "",
    ),
    Column("consent_by", ("consent_by__username",), lambda export, value: value or ""),
)


def split_name(name: str) -> tuple[str, str]:
    """Return a name's given and family parts: the family name is its last word."""
    given, _, family = name.strip().rpartition(" ")
    return given.strip(), family


def first_name(header: str) -> Column:
    return Column(header, ("contact__name",), lambda export, name: neutralize(split_name(name)[0]))


def last_name(header: str, missing: str = "") -> Column:
    """Return a column of the family name; a person without a name is given their company
    or email (as everywhere a person is shown), else ``missing``."""

    def cell(export: Export, name: str, company: str, email: str) -> str:
        return neutralize(split_name(name)[1] or company or email or missing)

    return Column(header, ("contact__name", "contact__company", "contact__email"), cell)


# HubSpot's "Legal basis for processing contact's data" of each basis of consent (its
# knowledge base, "Track lawful basis of processing"); none for a person who declined.
LEGAL_BASES = {
    Consent.GIVEN: "Freely given consent from contact",
    Consent.INTEREST: "Legitimate interest - prospect/lead",
    Consent.CUSTOMER: "Legitimate interest - existing customer",
}


def email_opt_out(consent: str) -> str:
    """Return Salesforce's Email Opt Out: 1 for a person who declined, 0 for one who may
    be contacted, empty when not recorded."""
    if not consent:
        return ""
    return "1" if consent == Consent.DECLINED else "0"


# HubSpot's lifecycle stage (its internal values) of the meanings a card's folds decode
# to: the first stage whose meanings the card has, else "lead".
LIFECYCLE_STAGES = (("customer", {"customer", "upsell"}), ("other", {"competitor"}))


def lifecycle_stage(decoding: folds.Decoding) -> str:
    slugs = {m.slug for m in decoding.meanings}
    return next((stage for stage, meanings in LIFECYCLE_STAGES if slugs & meanings), "lead")


def salesforce_rating(priority: int) -> str:
    """Map a card's priority to Salesforce's lead ratings."""
    if priority >= 80:
        return "Hot"
    if priority >= 50:
        return "Warm"
    return "Cold"


# HubSpot contacts: its import guide ("Set up your import files": contacts need First
# Name, Last Name and Email; notes Note Body and Activity Date), the labels of its default
# contact properties, and a multiple checkboxes property of one's own for the meanings
# (its import separates values by semicolons).
HUBSPOT_COLUMNS = (
    first_name("First Name"),
    last_name("Last Name"),
    text("Email", "contact__email"),
    phone("Phone Number"),
    text("Company Name", "contact__company"),
    text("Job Title", "contact__title"),
    of_folds("Lifecycle Stage", lifecycle_stage),
    of_folds("Fold Meanings", lambda decoding: meaning_labels(decoding, ";")),
    text("Note Body", "note"),
    Column(
        "Activity Date",
        (Cast("logged_at", AS_TEXT),),
        lambda export, value: export.local_minutes(value)[:10],
    ),
    Column(
        "Legal basis for processing contact's data",
        ("consent",),
        lambda export, consent: LEGAL_BASES.get(consent, ""),
    ),
)

# Salesforce leads: "Field Mapping for Importing Leads" (the Data Import Wizard). Last
# Name and Company are required; its Web-to-Lead writes "[not provided]" for a lead
# without a company.
NOT_PROVIDED = "[not provided]"
SALESFORCE_COLUMNS = (
    first_name("First Name"),
    last_name("Last Name", NOT_PROVIDED),
    Column("Company", ("contact__company",), lambda export, v: neutralize(v) or NOT_PROVIDED),
    text("Title", "contact__title"),
    text("Email", "contact__email"),
    phone("Phone"),
    Column("Lead Source", (), lambda export: neutralize(export.conference.name)),
    Column("Rating", ("priority",), lambda export, priority: salesforce_rating(priority)),
    text("Description", "note"),
    Column("Email Opt Out", ("consent",), lambda export, consent: email_opt_out(consent)),
)

# Google Contacts: the "Google CSV" format its export writes and its import reads
# (Name, Given Name, Family Name, E-mail 1 - Value …); labels are separated by " ::: ",
# "* myContacts" being the contact list itself.
GOOGLE_COLUMNS = (
    text("Name", "contact__name"),
    first_name("Given Name"),
    Column("Family Name", ("contact__name",), lambda export, v: neutralize(split_name(v)[1])),
    text("Organization 1 - Name", "contact__company"),
    text("Organization 1 - Title", "contact__title"),
    Column("E-mail 1 - Type", ("contact__email",), lambda export, v: "* Work" if v else ""),
    text("E-mail 1 - Value", "contact__email"),
    Column("Phone 1 - Type", ("contact__phone",), lambda export, v: "Work" if v else ""),
    phone("Phone 1 - Value"),
    text("Notes", "note"),
    Column(
        "Group Membership",
        (),
        lambda export: neutralize(f"* myContacts ::: {export.conference.name}"),
    ),
)

PROFILES: dict[str, Sequence[Column]] = {
    "foldcard": FOLDCARD_COLUMNS,
    "hubspot": HUBSPOT_COLUMNS,
    "salesforce": SALESFORCE_COLUMNS,
    "google": GOOGLE_COLUMNS,
}


def csv_rows(
    conference: Conference, columns: Sequence[Column] = FOLDCARD_COLUMNS
) -> Iterator[list]:
    """Yield the CSV header, then one row per card, reading the cards in chunks."""
    yield [column.header for column in columns]
    reads: dict[str | Expression, int] = {}
    for column in columns:
        for value in column.reads:
            reads.setdefault(value, len(reads))
    cells = [_cell_of_row(column, reads) for column in columns]
    export = Export(conference)
    rows = conference.cards.order_by(*FOLLOW_UP_ORDER).values_list(*reads).iterator(5000)
    for row in rows:
        yield [cell(export, row) for cell in cells]


def _cell_of_row(column: Column, reads: dict) -> Callable[[Export, tuple], object]:
    """Return a function giving ``column``'s cell from a row of the query of ``reads``."""
    cell = column.cell
    positions = [reads[value] for value in column.reads]
    if not positions:
        return lambda export, row: cell(export)
    if len(positions) == 1:
        (i,) = positions
        return lambda export, row: cell(export, row[i])
    return lambda export, row: cell(export, *(row[i] for i in positions))


def csv_chunks(
    conference: Conference,
    columns: Sequence[Column] = FOLDCARD_COLUMNS,
    rows_per_chunk: int = 1000,
) -> Iterator[str]:
    """Yield the conference's CSV a block of rows at a time: a response chunk per row
    would cost more than writing the row."""
    # The byte order mark tells spreadsheets the file is UTF-8: without it, Excel shows
    # "ZoÃ«" for "Zoë".
    yield "\ufeff"
    rows = csv_rows(conference, columns)
    while block := list(islice(rows, rows_per_chunk)):
        buffer = io.StringIO()
        csv.writer(buffer).writerows(block)
        yield buffer.getvalue()


VCARD_VERSIONS = (4, 3)
# What a vCard reads of a card's person besides the contact row (see vcard).
PERSON_DETAILS = ("contact__other_emails", "contact__other_phones")


def vcards(conference: Conference, version: int = 4) -> str:
    """Return one vCard per person met at the conference (4.0, RFC 6350, or 3.0 for old
    address books): meanings as CATEGORIES, what was said as NOTE."""
    cards = conference.cards.select_related("contact", "vocabulary").prefetch_related(
        *PERSON_DETAILS
    )
    people: dict[int, list[Card]] = {}
    for card in decode_cards(cards.order_by("contact__name", "contact_id", "logged_at", "pk")):
        people.setdefault(card.contact_id, []).append(card)
    region = conference.country or None
    return "".join(vcard(cards[0].contact, cards, version, region) for cards in people.values())


def vcard(person: Contact, cards: list[Card], version: int = 4, region: str | None = None) -> str:
    """Return the person's vCard (lines end in CRLF), with what ``cards`` (decoded) say:
    their UID (urn:uuid:…), the meanings as CATEGORIES, each card's fold code as an
    X-FOLDCARD-FOLDS, the notes as NOTE and the latest basis of consent recorded as
    X-FOLDCARD-CONSENT. Every email and phone of the person is listed, the primary ones
    first: an address book takes the first as the one to use."""
    card = vobject.vCard()
    card.add("version").value = f"{version}.0"
    card.add("prodid").value = "-//foldcard//contacts//EN"
    card.add("uid").value = person.uid.urn
    card.add("fn").value = person.display_name
    given, family = split_name(person.name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    if person.company:
        card.add("org").value = [person.company]
    if person.title:
        card.add("title").value = person.title
    for address in person.all_emails():
        email = card.add("email")
        email.value = address
        email.params["TYPE"] = ["work"] if version == 4 else ["INTERNET", "WORK"]
    for number in person.all_phones():
        _add_phone(card, number.phone, version, region)
    if person.website:
        card.add("url").value = person.website
    labels = {m.label: None for c in cards for m in c.decoding.meanings}
    if labels:
        card.add("categories").value = list(labels)
    for each in cards:
        if each.folds:
            card.add("x-foldcard-folds").value = " ".join(each.fold_codes)
    notes = [c.note for c in cards if c.note]
    if notes:
        card.add("note").value = "\n".join(notes)
    consent = next((c.consent for c in reversed(cards) if c.consent), "")
    if consent:
        card.add("x-foldcard-consent").value = consent
    return card.serialize()


def _add_phone(card: vobject.base.Component, phone: str, version: int, region: str | None):
    """Add the phone number as typed: in 4.0 as a tel: URI when it is a valid number
    typed in E.164, else as text (a URI would have to rewrite it, and the vCard imported
    again would change the number)."""
    tel = card.add("tel")
    if version == 4 and phone.startswith("+") and phone_cell(phone, region) == phone:
        tel.value = f"tel:{phone}"
        tel.params["VALUE"] = ["uri"]
        tel.params["TYPE"] = ["work", "voice"]
    else:
        tel.value = phone
        tel.params["TYPE"] = ["work", "voice"] if version == 4 else ["WORK", "VOICE"]


def icalendar_tasks(conference: Conference) -> bytes:
    """Return an iCalendar with a VTODO for each open follow-up, due on its due date."""
    calendar = Calendar()
    calendar.add("prodid", "-//foldcard//follow-ups//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Follow-ups: {conference.name}")
    stamp = datetime.now(tz=UTC)
    cards = conference.cards.filter(rules.open_followups())
    cards = cards.select_related("contact", "vocabulary", "conference").order_by("due_on", "pk")
    for card in decode_cards(cards):
        todo = Todo()
        todo.add("uid", f"card-{card.client_uuid}@foldcard")
        todo.add("dtstamp", stamp)
        todo.add("summary", f"Follow up: {card.contact}")
        todo.add("due", card.due_on)
        todo.add("priority", ical_priority(card.priority))
        labels = [m.label for m in card.decoding.meanings]
        if labels:
            todo.add("categories", labels)
        met = timezone.localtime(card.logged_at, conference.zone)
        lines = [", ".join(labels), card.note, f"Met {met:%a %-d %b %Y %H:%M %Z}"]
        todo.add("description", "\n".join(filter(None, lines)))
        todo.add("status", "NEEDS-ACTION")
        calendar.add_component(todo)
    return calendar.to_ical()
