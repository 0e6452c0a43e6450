"""Work that spans several models: logging cards and keeping their decoding current."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Value, When
from django.db.models.functions import Cast

from contacts import folds, followups, photos
from contacts.models import Card, Contact, Meaning, UserSettings, Vocabulary
from events.models import Conference


def decode_cards(cards: Iterable[Card]) -> list[Card]:
    """Set ``card.decoding`` on each card, compiling each vocabulary's table once."""
    tables: dict[int, tuple] = {}
    cards = list(cards)
    for card in cards:
        if card.vocabulary_id not in tables:
            tables[card.vocabulary_id] = card.vocabulary.table()
        card.decoding = card.decode(tables[card.vocabulary_id])
    return cards


def reprioritize(vocabularies: Iterable[Vocabulary]) -> None:
    """Re-decode every card of ``vocabularies``: priority, window and due date.

    One statement per column and vocabulary, writing only rows whose value changes: a new
    window rewrites the due date, a new priority only the priority (each rewritten column
    costs index updates).
    """
    with transaction.atomic():
        for vocabulary in vocabularies:
            table = vocabulary.table()
            cards = Card.objects.filter(vocabulary=vocabulary)
            window = _by_folds(table, "window_days")
            cards.exclude(window_days=window).update(
                window_days=window,
                due_on=Cast(
                    models.F("due_from") + _by_folds(table, "window_days", as_days=True),
                    output_field=models.DateField(),
                ),
            )
            priority = _by_folds(table, "priority")
            cards.exclude(priority=priority).update(priority=priority)


def _by_folds(table: tuple[folds.Decoding, ...], name: str, as_days: bool = False) -> Case:
    """Return a SQL expression giving each card the ``name`` of its folds' decoding."""
    values: dict[int, list[int]] = defaultdict(list)
    for decoding in table:
        values[getattr(decoding, name)].append(decoding.folds)
    return Case(
        *(
            When(
                folds__in=masks,
                then=Value(timedelta(days=value) if as_days else value),
            )
            for value, masks in values.items()
        ),
        output_field=models.DurationField() if as_days else models.IntegerField(),
    )


def meaning_changed(meaning: Meaning) -> None:
    """Re-decode the cards of every vocabulary that uses ``meaning``."""
    reprioritize(Vocabulary.objects.filter(rules__meanings=meaning).distinct())


def conference_dates_changed(conference: Conference) -> None:
    """Recompute the due dates of the conference's cards after its last day moved."""
    cards = list(conference.cards.only("logged_at", "window_days"))
    for card in cards:
        card.conference = conference
        card.refresh_due()
    Card.objects.bulk_update(cards, ["due_from", "due_on"], batch_size=1000)


CONTACT_FIELDS = ("name", "company", "title", "phone")


@dataclass(frozen=True)
class Logged:
    card: Card
    decoding: folds.Decoding
    created: bool
    met_before: list[str]

    @classmethod
    def replay(cls, card: Card) -> Logged:
        return cls(card, card.decode(), created=False, met_before=met_before(card))


def find_or_create_contact(data: dict) -> tuple[Contact, bool]:
    """Return the person with this email, brought up to date, or a new contact, and
    whether the contact is new."""
    fields = {field: data.get(field, "") for field in CONTACT_FIELDS}
    email = Contact.normalize_email(data.get("email", ""))
    if not email:
        return Contact.objects.create(**fields), True
    contact, created = Contact.objects.get_or_create(email=email, defaults=fields)
    newer = {field: value for field, value in fields.items() if value}
    if not created and any(getattr(contact, f) != v for f, v in newer.items()):
        for field, value in newer.items():
            setattr(contact, field, value)
        contact.save(update_fields=list(newer))
    return contact, created


def met_before(card: Card) -> list[str]:
    """Return the names of the other conferences where the card's person was met."""
    others = Conference.objects.filter(cards__contact_id=card.contact_id)
    return list(others.exclude(pk=card.conference_id).distinct().values_list("name", flat=True))


def _store_photo(card: Card, photo: photos.Photo | None) -> None:
    if photo is not None:
        card.photo.save("card.jpg", ContentFile(photo.photo), save=False)
        card.thumbnail.save("card-thumb.jpg", ContentFile(photo.thumbnail), save=False)


def delete_photo_files(card: Card) -> None:
    for field in (card.photo, card.thumbnail):
        if field:
            field.delete(save=False)


def log_card(conference: Conference, user, data: dict) -> Logged:
    """Save a card logged at the booth, once per client_uuid, photo files included.

    ``data`` is a cleaned CardForm. A replay of a client_uuid already saved returns
    that card; a failure leaves no row and no file behind.
    """
    client_uuid = data.get("client_uuid") or uuid.uuid4()
    vocabulary = UserSettings.of(user).get_vocabulary()
    card = Card(
        conference=conference,
        folds=data["mask"],
        vocabulary=vocabulary,
        note=data.get("note", ""),
        logged_by=user,
        owner=user,
        client_uuid=client_uuid,
    )
    decoding = card.decode(vocabulary.table())
    card.apply_decoding(decoding)
    try:
        with transaction.atomic():
            card.contact, new_contact = find_or_create_contact(data)
            _store_photo(card, data.get("photo"))
            card.save()
    except IntegrityError:
        # A replay: the unique client_uuid refused a second card (see Card.client_uuid).
        delete_photo_files(card)
        existing = Card.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        return Logged.replay(existing)
    except BaseException:
        delete_photo_files(card)
        raise
    return Logged(card, decoding, created=True, met_before=[] if new_contact else met_before(card))


class EditConflict(Exception):
    """The card changed since the edit form was opened."""


def update_card(card: Card, data: dict) -> Card:
    """Apply an edit of a card: folds, note, photo and the person's details.

    ``data["version"]`` is the card's version the editor saw; if the card has been edited
    since, raise EditConflict and change nothing.
    """
    old = Card.objects.select_related("contact").get(pk=card.pk)
    try:
        _update_card(card, old, data)
    except BaseException:
        if card.photo.name != old.photo.name:
            delete_photo_files(card)
        raise
    if card.photo.name != old.photo.name:
        delete_photo_files(old)
    return card


def _update_card(card: Card, old: Card, data: dict) -> None:
    with transaction.atomic():
        current = Card.objects.select_for_update().only("version").get(pk=card.pk)
        if data.get("version") is not None and data["version"] != current.version:
            raise EditConflict
        card.version = current.version + 1
        contact = card.contact
        email = Contact.normalize_email(data.get("email", ""))
        if email and email != contact.email:
            other = Contact.objects.filter(email=email).first()
            if other is not None:
                contact = other
        contact.email = email
        for field in CONTACT_FIELDS:
            setattr(contact, field, data.get(field, ""))
        contact.save()
        card.contact = contact
        card.folds = data["mask"]
        card.note = data.get("note", "")
        card.apply_decoding(card.decode())
        _store_photo(card, data.get("photo"))
        card.save()
        if old.contact_id != contact.pk and not old.contact.cards.exists():
            old.contact.delete()


def remove_card(card: Card) -> None:
    """Delete a card (an undo at the booth), and its person if they have no other card."""
    with transaction.atomic():
        contact = card.contact
        card.delete()
        if not contact.cards.exists():
            contact.delete()
    delete_photo_files(card)


def email_draft(card: Card) -> str:
    """Return a mailto: link for following up ``card`` (decoded), from the template of
    its first meaning that has one."""
    contact = card.contact
    values = {
        "name": contact.name,
        "first_name": contact.name.split()[0] if contact.name.strip() else "",
        "company": contact.company,
        "conference": card.conference.name,
        "note": card.note,
    }
    subject, body = f"Following up from {card.conference.name}", ""
    for meaning in card.decoding.meanings:
        if meaning.email_subject or meaning.email_body:
            subject, body = meaning.email_subject or subject, meaning.email_body
            break
    return followups.mailto(
        contact.email, followups.fill(subject, values), followups.fill(body, values)
    )


@dataclass(frozen=True)
class MeaningCount:
    slug: str
    label: str
    colour: str
    count: int


def meaning_counts(cards: models.QuerySet[Card]) -> list[MeaningCount]:
    """Return how many of ``cards`` carry each meaning (a card counts once for each of its
    meanings), then the unclassified ones; one query plus the vocabularies' tables."""
    rows = cards.order_by().values_list("vocabulary_id", "folds").annotate(n=models.Count("pk"))
    vocabularies = Vocabulary.objects.in_bulk({vocabulary_id for vocabulary_id, _, _ in rows})
    tables = {pk: vocabulary.table() for pk, vocabulary in vocabularies.items()}
    found: dict[str, list] = {}
    unclassified = 0
    for vocabulary_id, mask, n in rows:
        meanings = tables[vocabulary_id][mask].meanings
        if not meanings:
            unclassified += n
        for meaning in meanings:
            found.setdefault(meaning.slug, [meaning, 0])[1] += n
    counts = [
        MeaningCount(m.slug, m.label, m.colour, n)
        for m, n in sorted(found.values(), key=lambda pair: (pair[0].order, pair[0].slug))
    ]
    if unclassified:
        counts.append(MeaningCount("", "Unclassified", "#adb5bd", unclassified))
    return counts
