"""A conference's cards for other tools: CSV for spreadsheets and CRMs, vCard for address
books, iCalendar tasks for calendars."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from itertools import islice

import vobject
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone
from icalendar import Calendar, Todo

from contacts import folds
from contacts.followups import LocalMinutes, ical_priority, neutralize
from contacts.models import FOLLOW_UP_ORDER, Card, Contact, Vocabulary
from contacts.services import decode_cards
from events.models import Conference

CSV_HEADER = [
    "name",
    "company",
    "title",
    "email",
    "phone",
    "folds",
    "meanings",
    "priority",
    "due",
    "state",
    "note",
    "met_at",
    "owner",
]


class FoldCells(dict):
    """The folds and meanings cells of each (vocabulary id, mask), worked out on first use:
    a conference has thousands of cards but few distinct fold combinations."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[int, tuple[folds.Decoding, ...]] = {}

    def __missing__(self, key: tuple[int, int]) -> tuple[str, str]:
        vocabulary_id, mask = key
        if vocabulary_id not in self.tables:
            self.tables[vocabulary_id] = Vocabulary.objects.get(pk=vocabulary_id).table()
        decoding = self.tables[vocabulary_id][mask]
        labels = "; ".join(m.label for m in decoding.meanings)
        cells = self[key] = (" ".join(folds.to_codes(mask)), neutralize(labels))
        return cells


def csv_rows(conference: Conference) -> Iterator[list]:
    """Yield the CSV header, then one row per card, reading the cards in chunks."""
    yield CSV_HEADER
    fold_cells = FoldCells()
    met_at = LocalMinutes(timezone.get_current_timezone())
    # Dates come as the database's text, not through Django's per-row converters: the
    # export's time is mostly per-row work. ISO dates read the same from every database;
    # a timestamp is UTC (Django's connections use UTC), "YYYY-MM-DD HH:MM" first, then
    # seconds and an offset (PostgreSQL) or seconds alone (SQLite).
    as_text = models.CharField()
    rows = (
        conference.cards.order_by(*FOLLOW_UP_ORDER)
        .values_list(
            "contact__name",
            "contact__company",
            "contact__title",
            "contact__email",
            "contact__phone",
            "folds",
            "vocabulary_id",
            "priority",
            Cast("due_on", as_text),
            "state",
            "note",
            Cast("logged_at", as_text),
            "owner__username",
        )
        .iterator(chunk_size=5000)
    )
    for (
        name,
        company,
        title,
        email,
        phone,
        mask,
        vocabulary_id,
        priority,
        due_on,
        state,
        note,
        logged_at,
        owner,
    ) in rows:
        codes, meanings = fold_cells[vocabulary_id, mask]
        yield [
            neutralize(name),
            neutralize(company),
            neutralize(title),
            neutralize(email),
            neutralize(phone),
            codes,
            meanings,
            priority,
            due_on,
            state,
            neutralize(note),
            met_at(logged_at),
            owner or "",
        ]


def csv_chunks(conference: Conference, rows_per_chunk: int = 1000) -> Iterator[str]:
    """Yield the conference's CSV a block of rows at a time: a response chunk per row
    would cost more than writing the row."""
    rows = csv_rows(conference)
    while block := list(islice(rows, rows_per_chunk)):
        buffer = io.StringIO()
        csv.writer(buffer).writerows(block)
        yield buffer.getvalue()


def vcards(conference: Conference) -> str:
    """Return one vCard per person met at the conference: meanings as CATEGORIES, what was
    said as NOTE."""
    cards = conference.cards.select_related("contact", "vocabulary")
    people: dict[int, list[Card]] = {}
    for card in decode_cards(cards.order_by("contact__name", "contact_id", "logged_at")):
        people.setdefault(card.contact_id, []).append(card)
    return "".join(_vcard(cards[0].contact, cards) for cards in people.values())


def _vcard(person: Contact, cards: list[Card]) -> str:
    card = vobject.vCard()
    card.add("fn").value = person.name or person.email or person.company or "Unknown"
    given, _, family = person.name.rpartition(" ")
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    if person.company:
        card.add("org").value = [person.company]
    if person.title:
        card.add("title").value = person.title
    if person.email:
        email = card.add("email")
        email.value = person.email
        email.type_param = "INTERNET"
    if person.phone:
        card.add("tel").value = person.phone
    labels = {m.label: None for c in cards for m in c.decoding.meanings}
    if labels:
        card.add("categories").value = list(labels)
    notes = [c.note for c in cards if c.note]
    if notes:
        card.add("note").value = "\n".join(notes)
    return card.serialize()


def icalendar_tasks(conference: Conference) -> bytes:
    """Return an iCalendar with a VTODO for each open follow-up, due on its due date."""
    calendar = Calendar()
    calendar.add("prodid", "-//foldcard//follow-ups//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Follow-ups: {conference.name}")
    stamp = datetime.now(tz=timezone.get_current_timezone())
    cards = conference.cards.filter(state__in=[Card.State.OPEN, Card.State.SNOOZED])
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
        todo.add("description", "\n".join(filter(None, [", ".join(labels), card.note])))
        todo.add("status", "NEEDS-ACTION")
        calendar.add_component(todo)
    return calendar.to_ical()
