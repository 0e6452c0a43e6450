"""A conference's cards for other tools: CSV for spreadsheets and CRMs, vCard for address
books, iCalendar tasks for calendars."""

from __future__ import annotations

import csv
import io
import queue
import string
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

import vobject
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import Case, Exists, Expression, F, Func, OuterRef, Value, When
from django.db.models.functions import (
    Cast,
    Coalesce,
    Concat,
    Left,
    Length,
    NullIf,
    Ord,
    Replace,
    Reverse,
    StrIndex,
    Substr,
)
from django.utils import timezone
from icalendar import Calendar, Todo

from contacts import folds, matching, phones, rules
from contacts.models import FOLLOW_UP_ORDER, Card, Consent, Contact, Vocabulary, contact_basis
from contacts.queries import decode_cards
from events.models import Conference
from foldcard.iterables import batched
from foldcard.sql import Condition, Switch

# Spreadsheets run a cell that starts with one of these as a formula, and also with the
# full-width equals, plus, minus and at signs that Japanese and Chinese keyboards type.
FORMULA_TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"


def neutralize(cell: str) -> str:
    """Return the cell so that a spreadsheet shows it as text, never runs it as a formula."""
    if cell and cell[0] in FORMULA_TRIGGERS:
        return "'" + cell
    return cell


def phone_cell(phone: str, normalized: str) -> str:
    """Return a phone number's cell: its E.164 form ("+4685550101") when it is a valid
    number (``normalized``, worked out when it was stored), else the number as typed,
    neutralized.

    A CRM stores the cell as it is, so a number is not marked as text: "+" and digits
    alone are no formula a spreadsheet could run.
    """
    return normalized or neutralize(phone)


# The type of the SQL of every cell.
TEXT = models.TextField()
# The type of a list of words in SQL.
WORDS = ArrayField(models.TextField())
# The code points of FORMULA_TRIGGERS, as SQL.
TRIGGER_CODES = Value(
    [ord(c) for c in FORMULA_TRIGGERS], output_field=ArrayField(models.IntegerField())
)


def neutralized(text: Expression) -> Expression:
    """Return the SQL of ``neutralize``: the text, with "'" before a formula trigger."""
    # By code point: comparing an integer costs less than cutting the first character.
    trigger = Condition("%s = ANY(%s)", Ord(text), TRIGGER_CODES)
    return Case(
        When(trigger, then=Concat(Value("'"), text, output_field=TEXT)),
        default=text,
        output_field=TEXT,
    )


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
        value = self[key] = cell(self.table(vocabulary_id)[mask])
        return value

    def table(self, vocabulary_id: int) -> tuple[folds.Decoding, ...]:
        """Return the decoding table of the vocabulary, read once."""
        if vocabulary_id not in self.tables:
            self.tables[vocabulary_id] = Vocabulary.objects.get(pk=vocabulary_id).table()
        return self.tables[vocabulary_id]


class Export:
    """What one export of a conference works out once and its cells share: the fold cells
    of each vocabulary and mask, the local times (where the conference is) of each hour;
    and the SQL of the cells that need the conference."""

    def __init__(self, conference: Conference) -> None:
        self.conference = conference
        self.fold_cells = FoldCells()
        self.local_minutes = LocalMinutes(conference.zone)
        self._vocabulary_ids: list[int] | None = None

    def closed_at(self, state: str, changed_at: str | None) -> str:
        """Return when a done or dropped follow-up was closed, in local time; else ""."""
        if state in rules.OPEN_STATES or changed_at is None:
            return ""
        return self.local_minutes(changed_at)

    def decoded(self, cell: Callable[[folds.Decoding], str]) -> Expression:
        """Return the SQL of a cell made of the card's folds, looked up by the fold mask
        in the cells of the card's vocabulary: the vocabularies that decode alike share
        their cells, so that with one vocabulary in use there is a single lookup."""
        if self._vocabulary_ids is None:
            # Those the conference's cards use (each user may have a copy of their own):
            # an index look-up per vocabulary, each read costing three queries.
            used = Card.objects.filter(conference=self.conference, vocabulary=OuterRef("pk"))
            self._vocabulary_ids = list(
                Vocabulary.objects.filter(Exists(used)).order_by("pk").values_list("pk", flat=True)
            )
        alike: dict[tuple[str, ...], list[int]] = {}
        for pk in self._vocabulary_ids:
            alike.setdefault(tuple(map(cell, self.fold_cells.table(pk))), []).append(pk)
        *others, (last, _) = alike.items() or [((), [])]
        return Case(
            *(When(vocabulary_id__in=pks, then=ByMask(cells)) for cells, pks in others),
            default=ByMask(last),
            output_field=TEXT,
        )

    def closed_at_sql(self) -> Expression:
        """Return the SQL of ``closed_at``."""
        return Case(
            When(rules.open_followups(), then=Value("")),
            default=LocalTime(F("state_changed_at")),
            output_field=TEXT,
        )


class ByMask(Func):
    """The cell of a card's folds in a vocabulary's 64 cells (in the order of its decoding
    table, by mask), on PostgreSQL: an array indexed by the mask. A CASE over the masks,
    as the re-prioritization writes, took twice as long per row."""

    output_field = TEXT

    def __init__(self, cells: Sequence[str]) -> None:
        super().__init__(F("folds"))
        self.cells = list(cells)

    def as_sql(self, compiler, _connection, **extra) -> tuple[str, list]:
        mask, params = compiler.compile(self.get_source_expressions()[0])
        return f"(%s::text[])[{mask} + 1]", [self.cells, *params]


class LocalTime(Func):
    """A timestamp as local ISO time to the minute with its offset, in the session's time
    zone ("2026-11-20T05:00-05:00", as LocalMinutes writes it), on PostgreSQL:
    copy_chunks sets the conference's. One to_char in the session's zone took half the
    time of converting with AT TIME ZONE and formatting the offset apart."""

    output_field = TEXT
    template = """to_char(%(expressions)s, 'YYYY-MM-DD"T"HH24:MITZH:TZM')"""


@dataclass(frozen=True)
class Column:
    """One column of a CSV export: its header, the values of a card it reads (field paths
    or expressions of ``Card``), how the export turns them into the cell, and the same
    cell as SQL of the export's ``Card`` query, for the COPY of PostgreSQL. Both forms
    give the same text (tests/test_export_copy.py)."""

    header: str
    reads: tuple[str | Expression, ...]
    cell: Callable[..., object]
    sql: Callable[[Export], Expression]


def text(header: str, field: str) -> Column:
    """Return a column of free text, which a spreadsheet must not run as a formula."""
    return Column(
        header,
        (field,),
        lambda export, value: neutralize(value),
        lambda export: neutralized(F(field)),
    )


def plain(header: str, field: str | Expression, stored: str = "") -> Column:
    """Return a column whose values are safe as they are (numbers, dates, choices); in SQL
    the ``stored`` field (or ``field``), which COPY writes as Python reads it as text."""
    sql = F(stored or field) if stored or isinstance(field, str) else field
    return Column(header, (field,), lambda export, value: value, lambda export: sql)


def constant(header: str, cell: Callable[[Export], str]) -> Column:
    """Return a column of the same cell on every card of the export."""
    return Column(header, (), cell, lambda export: Value(cell(export)))


def of_choices(
    header: str, field: str | Expression, choices: Iterable[str], cell: Callable[[str], str]
) -> Column:
    """Return a column of a cell of ``field``'s value (a field or an expression), one of
    ``choices`` (SQL: a CASE over the choices, each worked out by ``cell``)."""
    value = F(field) if isinstance(field, str) else field
    results = {choice: Value(cell(choice)) for choice in choices}
    return Column(
        header,
        (field,),
        lambda export, value: cell(value),
        lambda export: Switch(value, results, output_field=TEXT),
    )


def if_given(header: str, field: str, cell: str) -> Column:
    """Return a column of ``cell`` for a card with a ``field``, else empty."""
    return Column(
        header,
        (field,),
        lambda export, value: cell if value else "",
        lambda export: Case(
            When(**{field: ""}, then=Value("")), default=Value(cell), output_field=TEXT
        ),
    )


# Dates come as the database's text, not through Django's per-row converters: the export's
# time is mostly per-row work. ISO dates read the same from every database; a timestamp is
# UTC (Django's connections use UTC), "YYYY-MM-DD HH:MM" first, then seconds and an offset
# (PostgreSQL) or seconds alone (SQLite).
AS_TEXT = models.CharField()


def local_time(header: str, field: str, length: int | None = None) -> Column:
    """Return a column of a moment (a timestamp field) in the conference's local time, to
    the minute, or its first ``length`` characters (10: the local date); empty for none."""

    def cell(export: Export, value: str | None) -> str:
        return export.local_minutes(value)[:length] if value else ""

    def sql(export: Export) -> Expression:
        local = LocalTime(F(field))
        return Left(local, length) if length else local

    return Column(header, (Cast(field, AS_TEXT),), cell, sql)


def username(header: str, field: str) -> Column:
    """Return a column of the name of the user ``field`` points to, empty for none."""
    return Column(header, (field,), lambda export, value: value or "", lambda export: F(field))


def of_folds(header: str, cell: Callable[[folds.Decoding], str]) -> Column:
    """Return a column made of the card's folds as its vocabulary decodes them."""
    return Column(
        header,
        ("vocabulary_id", "folds"),
        lambda export, vocabulary_id, mask: export.fold_cells[cell, vocabulary_id, mask],
        lambda export: export.decoded(cell),
    )


def phone(header: str) -> Column:
    """Return a column of the person's phone number, in E.164 when it is a valid one."""
    return Column(
        header,
        ("contact__phone", "contact__phone_normalized"),
        lambda export, typed, normalized: phone_cell(typed, normalized),
        lambda export: Coalesce(
            NullIf(F("contact__phone_normalized"), Value("")),
            neutralized(F("contact__phone")),
            output_field=TEXT,
        ),
    )


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
    plain("due", Cast("due_on", AS_TEXT), "due_on"),
    plain("state", "state"),
    text("note", "note"),
    local_time("met_at", "logged_at"),
    username("owner", "owner__username"),
    text("outcome", "outcome"),
    Column(
        "outcome_at",
        ("state", Cast("state_changed_at", AS_TEXT)),
        Export.closed_at,
        Export.closed_at_sql,
    ),
    plain("consent", "consent"),
    local_time("consent_at", "consent_at"),
    username("consent_by", "consent_by__username"),
)

# Python's str.strip() takes away every character that is whitespace to it.
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


def trimmed(text: Expression) -> Func:
    return Func(text, Value(WHITESPACE), function="btrim", output_field=TEXT)


@dataclass(frozen=True)
class NameParts:
    """The SQL of ``matching.split_name``'s parts of ``name``. Each test of a comma begins with
    whether there is one, which spares the names without (most) the rest."""

    name: Expression

    @property
    def family(self) -> Expression:
        return Case(
            When(self.family_first, then=self.before), default=self.last_word, output_field=TEXT
        )

    @property
    def given(self) -> Expression:
        """Nothing for a name of one word."""
        before_last_word = trimmed(Left(trimmed(self.written), -(Length(self.last_word) + 1)))
        return Case(
            When(self.family_first, then=self.after), default=before_last_word, output_field=TEXT
        )

    @property
    def written(self) -> Expression:
        """The name without a suffix after its last comma."""
        last_comma = Length(self.name) - StrIndex(Reverse(self.name), Value(",")) + 1
        suffixed = Condition(
            "%s > 0 AND %s <> '' AND %s",
            StrIndex(self.name, Value(",")),
            trimmed(Left(self.name, last_comma - 1)),
            is_suffix(Substr(self.name, last_comma + 1)),
        )
        return Case(
            When(suffixed, then=Left(self.name, last_comma - 1)),
            default=self.name,
            output_field=TEXT,
        )

    @property
    def family_first(self) -> Condition:
        """The SQL of ``matching.family_first`` of the name written."""
        return Condition(
            "%s > 0 AND %s = 0 AND %s <> '' AND %s <> '' AND NOT %s",
            self.comma,
            StrIndex(self.after, Value(",")),
            self.before,
            self.after,
            is_suffix(self.after),
        )

    @property
    def last_word(self) -> Expression:
        return Func(
            trimmed(self.written), Value(" "), Value(-1), function="split_part", output_field=TEXT
        )

    @property
    def comma(self) -> Expression:
        return StrIndex(self.written, Value(","))

    @property
    def before(self) -> Expression:
        return trimmed(Left(self.written, self.comma - 1))

    @property
    def after(self) -> Expression:
        return trimmed(Substr(self.written, self.comma + 1))


def is_suffix(text: Expression) -> Condition:
    """Return the SQL of ``matching.is_suffix``: ``text``'s words (parted by ASCII spaces
    and punctuation) are of ASCII letters alone, each a suffix or together one. Lower case
    by ``translate``, which no collation changes."""
    spaced = Func(
        text,
        Value(matching.SUFFIX_SEPARATORS.pattern),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TEXT,
    )
    lowered = Func(
        spaced,
        Value(string.ascii_uppercase),
        Value(string.ascii_lowercase),
        function="translate",
        output_field=TEXT,
    )
    words = Func(
        Func(lowered, Value(" "), function="string_to_array", output_field=WORDS),
        Value(""),
        function="array_remove",
        output_field=WORDS,
    )
    suffixes = Value(sorted(matching.SUFFIXES), output_field=WORDS)
    joined = Replace(lowered, Value(" "), Value(""), output_field=TEXT)
    return Condition(
        "%s ~ %s AND (%s = ANY(%s) OR %s <@ %s)",
        spaced,
        Value("^[A-Za-z ]*[A-Za-z][A-Za-z ]*$"),
        joined,
        suffixes,
        words,
        suffixes,
    )


def first_name(header: str) -> Column:
    return Column(
        header,
        ("contact__name",),
        lambda export, name: neutralize(matching.split_name(name)[0]),
        lambda export: neutralized(NameParts(F("contact__name")).given),
    )


def last_name(header: str, missing: str = "") -> Column:
    """Return a column of the family name; a person without a name is given their company
    or email (as everywhere a person is shown), else ``missing``."""

    def cell(export: Export, name: str, company: str, email: str) -> str:
        return neutralize(matching.split_name(name)[1] or company or email or missing)

    def sql(export: Export) -> Expression:
        family = NullIf(NameParts(F("contact__name")).family, Value(""))
        company = NullIf(F("contact__company"), Value(""))
        email = NullIf(F("contact__email"), Value(""))
        return neutralized(Coalesce(family, company, email, Value(missing), output_field=TEXT))

    return Column(header, ("contact__name", "contact__company", "contact__email"), cell, sql)


# HubSpot's "Legal basis for processing contact's data" of each basis of consent (its
# knowledge base, "Track lawful basis of processing"); none for a person who declined.
LEGAL_BASES = {
    Consent.GIVEN: "Freely given consent from contact",
    Consent.INTEREST: "Legitimate interest - prospect/lead",
    Consent.CUSTOMER: "Legitimate interest - existing customer",
}
# A card's consent: one of the choices, or empty when none was recorded.
CONSENTS = ("", *Consent.values)
# What a CRM is told of a card's person: their decline, on any card of theirs, first.
BASIS = contact_basis()


def email_opt_out(consent: str) -> str:
    """Return the Email Opt Out of Salesforce's and HubSpot's profiles: 1 for a person who
    declined, 0 for one who may be contacted, empty when not recorded."""
    if not consent:
        return ""
    return "1" if consent == Consent.DECLINED else "0"


# HubSpot's lifecycle stage (its internal values) of the meanings a card's folds decode
# to: the first stage whose meanings the card has, else "lead".
LIFECYCLE_STAGES = (("customer", {"customer", "upsell"}), ("other", {"competitor"}))


def lifecycle_stage(decoding: folds.Decoding) -> str:
    slugs = {m.slug for m in decoding.meanings}
    return next((stage for stage, meanings in LIFECYCLE_STAGES if slugs & meanings), "lead")


# Salesforce's lead ratings: the first whose lowest priority a card has, else the last.
RATINGS = ((80, "Hot"), (50, "Warm"))
LAST_RATING = "Cold"


def salesforce_rating(priority: int) -> str:
    """Map a card's priority to Salesforce's lead ratings."""
    return next((rating for lowest, rating in RATINGS if priority >= lowest), LAST_RATING)


def rating(header: str) -> Column:
    return Column(
        header,
        ("priority",),
        lambda export, priority: salesforce_rating(priority),
        lambda export: Case(
            *(When(priority__gte=lowest, then=Value(name)) for lowest, name in RATINGS),
            default=Value(LAST_RATING),
            output_field=TEXT,
        ),
    )


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
    local_time("Activity Date", "logged_at", 10),
    of_choices(
        "Legal basis for processing contact's data",
        BASIS,
        CONSENTS,
        lambda consent: LEGAL_BASES.get(consent, ""),
    ),
    # A person who declined has no lawful basis: this says so, for a property of one's own.
    of_choices("Email Opt Out", BASIS, CONSENTS, email_opt_out),
)

# Salesforce leads: "Field Mapping for Importing Leads" (the Data Import Wizard). Last
# Name and Company are required; its Web-to-Lead writes "[not provided]" for a lead
# without a company.
NOT_PROVIDED = "[not provided]"
SALESFORCE_COLUMNS = (
    first_name("First Name"),
    last_name("Last Name", NOT_PROVIDED),
    Column(
        "Company",
        ("contact__company",),
        lambda export, v: neutralize(v) or NOT_PROVIDED,
        lambda export: Coalesce(
            NullIf(neutralized(F("contact__company")), Value("")),
            Value(NOT_PROVIDED),
            output_field=TEXT,
        ),
    ),
    text("Title", "contact__title"),
    text("Email", "contact__email"),
    phone("Phone"),
    constant("Lead Source", lambda export: neutralize(export.conference.name)),
    rating("Rating"),
    text("Description", "note"),
    of_choices("Email Opt Out", BASIS, CONSENTS, email_opt_out),
)

# Google Contacts: the "Google CSV" format its export writes and its import reads
# (Name, Given Name, Family Name, E-mail 1 - Value …); labels are separated by " ::: ",
# "* myContacts" being the contact list itself.
GOOGLE_COLUMNS = (
    text("Name", "contact__name"),
    first_name("Given Name"),
    Column(
        "Family Name",
        ("contact__name",),
        lambda export, v: neutralize(matching.split_name(v)[1]),
        lambda export: neutralized(NameParts(F("contact__name")).family),
    ),
    text("Organization 1 - Name", "contact__company"),
    text("Organization 1 - Title", "contact__title"),
    if_given("E-mail 1 - Type", "contact__email", "* Work"),
    text("E-mail 1 - Value", "contact__email"),
    if_given("Phone 1 - Type", "contact__phone", "Work"),
    phone("Phone 1 - Value"),
    text("Notes", "note"),
    constant(
        "Group Membership", lambda export: neutralize(f"* myContacts ::: {export.conference.name}")
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


# The byte order mark tells spreadsheets the file is UTF-8: without it, Excel shows "ZoÃ«"
# for "Zoë".
BOM = "\ufeff"


def csv_file(conference: Conference, columns: Sequence[Column] = FOLDCARD_COLUMNS) -> Iterator:
    """Yield the conference's CSV in chunks (text or bytes): on PostgreSQL as its COPY
    writes it, elsewhere from Python."""
    if connection.vendor == "postgresql":
        return copy_chunks(conference, columns)
    return csv_chunks(conference, columns)


def csv_chunks(
    conference: Conference,
    columns: Sequence[Column] = FOLDCARD_COLUMNS,
    rows_per_chunk: int = 1000,
) -> Iterator[str]:
    """Yield the conference's CSV a block of rows at a time: a response chunk per row
    would cost more than writing the row."""
    yield BOM
    rows = csv_rows(conference, columns)
    for block in batched(rows, rows_per_chunk):
        buffer = io.StringIO()
        csv.writer(buffer).writerows(block)
        yield buffer.getvalue()


def copy_chunks(
    conference: Conference, columns: Sequence[Column] = FOLDCARD_COLUMNS
) -> Iterator[bytes]:
    """Yield the conference's CSV as PostgreSQL writes it with ``COPY (SELECT …) TO
    STDOUT``, every cell worked out in SQL (``Column.sql``): the same bytes as
    ``csv_chunks``."""
    # The header is written as csv_chunks writes it, not by COPY's HEADER, whose names
    # would be SQL identifiers (63 bytes at most).
    header = io.StringIO()
    csv.writer(header).writerow([column.header for column in columns])
    yield (BOM + header.getvalue()).encode()
    export = Export(conference)
    cards = conference.cards.order_by(*FOLLOW_UP_ORDER).alias(
        **{f"sql{i}": column.sql(export) for i, column in enumerate(columns)}
    )
    # An empty text is NULL, which COPY writes as nothing, as csv.writer does; COPY writes
    # an empty text as "" (to tell it from NULL). Numbers and dates are left to COPY to
    # write: made text before the rows are sorted, they would make the sort wider.
    cells = {}
    for name, sql in cards.query.annotations.items():
        text = isinstance(sql.output_field, models.CharField | models.TextField)
        cells[f"cell{name}"] = NullIf(F(name), Value(""), output_field=TEXT) if text else F(name)
    cards = cards.annotate(**cells).values_list(*cells)
    query, params = cards.query.sql_with_params()
    with connection.cursor() as cursor:
        command = cursor.mogrify(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", params)
        # LocalTime writes the session's time zone; Django's is UTC, and is put back.
        zone = "SELECT set_config('TimeZone', %s, false)"
        cursor.execute(zone, [conference.time_zone])
        try:
            # Closed here, not when collected: an abandoned download's COPY is cancelled
            # before the time zone is put back on the connection.
            with closing(copied(cursor.cursor, command)) as blocks:
                yield from crlf(blocks)
        finally:
            cursor.execute(zone, [connection.timezone_name])


# The size of the blocks of COPY's rows handed to the response: about as many rows as
# csv_chunks writes at a time.
COPY_BLOCK = 64 * 1024


class CopyPipe:
    """The file COPY writes its rows to, from a thread of its own, and a short queue of
    blocks of them to the response: the driver's ``copy_expert`` returns only when COPY
    is done, so that streaming needs the thread, and the queue keeps memory flat (at
    most a few blocks held, whatever the number of rows)."""

    def __init__(self) -> None:
        self.blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self.rows: list[bytes] = []
        self.size = 0
        self.error: BaseException | None = None
        self.abandoned = False

    def write(self, row: bytes) -> None:
        if self.abandoned:
            return
        self.rows.append(row)
        self.size += len(row)
        if self.size >= COPY_BLOCK:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.blocks.put(b"".join(self.rows))
            self.rows, self.size = [], 0

    def copy(self, cursor, command: bytes) -> None:
        """Run the COPY ``command`` into the pipe; the end (or the error) is a None."""
        try:
            cursor.copy_expert(command, self)
            self.flush()
        except Exception as error:  # handed to the response's thread, which raises it
            self.error = error
        finally:
            self.blocks.put(None)


def copied(cursor, command: bytes) -> Iterator[bytes]:
    """Yield what the COPY ``command`` writes (a driver's cursor), in blocks, as it comes."""
    pipe = CopyPipe()
    worker = threading.Thread(target=pipe.copy, args=(cursor, command), daemon=True)
    worker.start()
    ended = False
    try:
        while (block := pipe.blocks.get()) is not None:
            yield block
        ended = True
    finally:
        if not ended:
            # The download was abandoned: stop the query, and take what was queued so
            # that the thread can end.
            pipe.abandoned = True
            cursor.connection.cancel()
            while pipe.blocks.get() is not None:
                pass
        worker.join()
    if pipe.error is not None and not pipe.abandoned:
        raise pipe.error


def crlf(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """Yield COPY's CSV with csv.writer's row ends: a newline outside quotes ends a row
    and becomes "\\r\\n"; one inside a quoted cell is the cell's own and stays."""
    quoted = False  # whether the next block starts inside a quoted cell
    for block in blocks:
        if not quoted and b'"' not in block:
            yield block.replace(b"\n", b"\r\n")
            continue
        parts = block.split(b'"')
        for i in range(int(quoted), len(parts), 2):
            parts[i] = parts[i].replace(b"\n", b"\r\n")
        quoted ^= len(parts) % 2 == 0
        yield b'"'.join(parts)


VCARD_VERSIONS = (4, 3)
# What a vCard reads of a card's person besides the contact row (see vcard).
PERSON_DETAILS = ("contact__other_emails", "contact__other_phones")


def vcards(conference: Conference, version: int = 4) -> str:
    """Return one vCard per person met at the conference (4.0, RFC 6350, or 3.0 for old
    address books): meanings as CATEGORIES, what was said as NOTE."""
    cards = conference.cards.with_basis().select_related("contact", "vocabulary")
    cards = cards.prefetch_related(*PERSON_DETAILS)
    people: dict[int, list[Card]] = {}
    for card in decode_cards(cards.order_by("contact__name", "contact_id", "logged_at", "pk")):
        people.setdefault(card.contact_id, []).append(card)
    region = conference.country or None
    return "".join(vcard(cards[0].contact, cards, version, region) for cards in people.values())


def vcard(person: Contact, cards: list[Card], version: int = 4, region: str | None = None) -> str:
    """Return the person's vCard (lines end in CRLF), with what ``cards`` (decoded) say:
    their UID (urn:uuid:…), the meanings as CATEGORIES, each card's fold code as an
    X-FOLDCARD-FOLDS, the notes as NOTE and the basis of consent of the latest card that
    gives one (their ``basis``, CardQuerySet.with_basis) as X-FOLDCARD-CONSENT. Every
    email and phone of the person is listed, the primary ones first: an address book
    takes the first as the one to use."""
    card = vobject.vCard()
    card.add("version").value = f"{version}.0"
    card.add("prodid").value = "-//foldcard//contacts//EN"
    card.add("uid").value = person.uid.urn
    card.add("fn").value = person.display_name
    given, family = matching.split_name(person.name)
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
    consent = next((c.basis for c in reversed(cards) if c.basis), "")
    if consent:
        card.add("x-foldcard-consent").value = consent
    return card.serialize()


def _add_phone(card: vobject.base.Component, phone: str, version: int, region: str | None):
    """Add the phone number as typed: in 4.0 as a tel: URI when it is a valid number
    typed in E.164, else as text (a URI would have to rewrite it, and the vCard imported
    again would change the number)."""
    tel = card.add("tel")
    if version == 4 and phone.startswith("+") and phones.e164(phone, region) == phone:
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
