"""Work that spans several models: logging cards and keeping their decoding current."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from contacts import folds, photos, rules
from contacts.models import (
    FOLLOW_UP_ORDER,
    Card,
    Contact,
    Meaning,
    ReadingState,
    StackPhoto,
    UserSettings,
    Vocabulary,
)
from contacts.queries import met_before, whole_followup
from events.models import Conference


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


def conference_changed(conference: Conference, fields: Iterable[str]) -> None:
    """Recompute the due dates of the conference's cards if the edit of ``fields`` moved
    its last day or its time zone, in which the days are counted."""
    if {"ends_on", "time_zone"} & set(fields):
        conference_dates_changed(conference)


def conference_dates_changed(conference: Conference) -> None:
    """Recompute the due dates of the conference's cards after its last day moved."""
    cards = list(conference.cards.only("logged_at", "window_days"))
    for card in cards:
        card.conference = conference
        card.refresh_due()
    Card.objects.bulk_update(cards, ["due_from", "due_on"], batch_size=1000)


# The person's details a card gives, besides the email.
CONTACT_DETAILS = ("name", "company", "title", "phone", "website")


@dataclass(frozen=True)
class FollowupState:
    """What an undo of a follow-up action puts back on one card."""

    card_id: int
    state: str
    snoozed_until: date | None
    outcome: str

    @classmethod
    def of(cls, card: Card) -> FollowupState:
        return cls(card.pk, card.state, card.snoozed_until, card.outcome)


# The actions that close or snooze a whole follow-up: the person's other waiting cards too.
WHOLE_FOLLOWUP_ACTIONS = ("done", "drop", "snooze")


def work_followup(
    card: Card, user, action: str, outcome: str = "", days: int = 0
) -> list[FollowupState]:
    """Mark the follow-up of ``card`` done, drop it (``outcome`` recorded on both) or snooze
    it for ``days`` days, with the person's other waiting cards at that conference
    (queries.whole_followup); return each card's state before, the shown card first."""
    with transaction.atomic():
        today = timezone.localdate()
        others = whole_followup(card, user, today).exclude(pk=card.pk).select_for_update()
        cards = [card, *others.order_by(*FOLLOW_UP_ORDER)]
        before = [FollowupState.of(each) for each in cards]
        for each in cards:
            if action == "done":
                each.set_state(Card.State.DONE, user, outcome)
            elif action == "drop":
                each.set_state(Card.State.DROPPED, user, outcome or None)
            elif action == "snooze":
                each.snooze(user, days)
            else:
                raise ValueError(f"{action} is not an action on a whole follow-up")
    return before


def restore_followups(card: Card, user, states: list[FollowupState]) -> list[Card]:
    """Put back the follow-up ``states`` of ``card`` and its person's other cards at that
    conference (an undo); return the cards in that order.

    Raise Card.DoesNotExist, changing nothing, if one of them is not a card of that person
    at that conference which ``user`` may work on.
    """
    with transaction.atomic():
        found = (
            Card.objects.filter(rules.workable(user))
            .filter(contact_id=card.contact_id, conference_id=card.conference_id)
            .select_for_update()
            .in_bulk([state.card_id for state in states])
        )
        if len(found) != len({state.card_id for state in states}):
            raise Card.DoesNotExist("Not one follow-up that you may work on.")
        found[card.pk] = card  # the caller's copy of the row's card shows what was put back
        for state in states:
            each = found[state.card_id]
            each.snoozed_until = state.snoozed_until
            each.set_state(state.state, user, state.outcome)
    return [found[state.card_id] for state in states]


@dataclass(frozen=True)
class CardInput:
    """A card to log, or the edit of one, as the booth's form, an import or the API give it:
    the folds as a mask (see folds.py), the person's details and what was said."""

    folds: int = 0
    name: str = ""
    company: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    note: str = ""
    consent: str = ""  # a models.Consent: whether and why the person may be contacted
    photo: photos.Photo | None = None
    client_uuid: uuid.UUID | None = None
    version: int | None = None  # the card's version the editor saw; None: no check

    def contact_fields(self) -> dict[str, str]:
        """Return the person's details other than the email."""
        return {name: getattr(self, name) for name in CONTACT_DETAILS}

    def names_someone(self) -> bool:
        """Return whether the input says who the card is of: a name, company or email."""
        return bool(self.name or self.company or self.email)


@dataclass(frozen=True)
class Logged:
    card: Card
    decoding: folds.Decoding
    created: bool
    met_before: list[str]

    @classmethod
    def replay(cls, card: Card) -> Logged:
        return cls(card, card.decode(), created=False, met_before=met_before(card))


def find_or_create_contact(card: CardInput) -> tuple[Contact, bool]:
    """Return the person with this email, brought up to date, or a new contact, and
    whether the contact is new."""
    fields = card.contact_fields()
    email = Contact.normalize_email(card.email)
    if not email:
        return Contact.objects.create(**fields), True
    contact, created = Contact.objects.get_or_create(email=email, defaults=fields)
    if not created and (changed := contact.merge(fields)):
        contact.save(update_fields=changed)
    return contact, created


def _enqueue(name: str, *args) -> None:
    """Queue the background task ``name`` of contacts/tasks.py."""
    # Imported here: the tasks call these services, and the services queue the tasks.
    from contacts import tasks

    getattr(tasks, name).enqueue(*args)


def _store_photo(card: Card, photo: photos.Photo | None) -> None:
    if photo is not None:
        card.photo.save("card.jpg", ContentFile(photo.photo), save=False)
        card.thumbnail.save("card-thumb.jpg", ContentFile(photo.thumbnail), save=False)


def delete_photo_files(card: Card | StackPhoto) -> None:
    for field in (card.photo, card.thumbnail):
        if field:
            field.delete(save=False)


class ReplayConflict(Exception):
    """The card's client_uuid is taken by a card of another user or another conference."""


@dataclass(frozen=True)
class Decoder:
    """The vocabulary a user's new cards are decoded with, and its decoding table: worked
    out once when one user logs many cards (an import)."""

    vocabulary: Vocabulary
    table: tuple[folds.Decoding, ...]

    @classmethod
    def of(cls, user) -> Decoder:
        """Return the user's decoder; with no user (a command), the site's vocabulary."""
        vocabulary = UserSettings.of(user).get_vocabulary() if user else Vocabulary.default()
        return cls(vocabulary, vocabulary.table())


def log_card(
    conference: Conference, user, data: CardInput, decoder: Decoder | None = None
) -> Logged:
    """Save a card logged at the booth, once per client_uuid, photo files included.

    A card with a photo and nothing saying who it is of is read from its photo in the
    background. A replay of a client_uuid already saved by the same user at the same
    conference returns that card; anyone else's raises ReplayConflict (it must not hand
    over that card). A failure leaves no row and no file behind.
    """
    client_uuid = data.client_uuid or uuid.uuid4()
    decoder = decoder or Decoder.of(user)
    card = Card(
        conference=conference,
        folds=data.folds,
        vocabulary=decoder.vocabulary,
        note=data.note,
        logged_by=user,
        owner=user,
        client_uuid=client_uuid,
    )
    _set_consent(card, data.consent, user)
    decoding = card.decode(decoder.table)
    card.apply_decoding(decoding)
    if data.photo is not None and not data.names_someone():
        card.reading_state = ReadingState.WAITING
    try:
        with transaction.atomic():
            card.contact, new_contact = find_or_create_contact(data)
            _store_photo(card, data.photo)
            card.save()
            if card.reading_state == ReadingState.WAITING:
                transaction.on_commit(lambda: _enqueue("read_card_photo", card.pk))
    except IntegrityError:
        # A replay: the unique client_uuid refused a second card (see Card.client_uuid).
        delete_photo_files(card)
        existing = Card.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        if existing.logged_by_id != user.pk or existing.conference_id != conference.pk:
            raise ReplayConflict from None
        return Logged.replay(existing)
    except BaseException:
        delete_photo_files(card)
        raise
    return Logged(card, decoding, created=True, met_before=[] if new_contact else met_before(card))


def _set_consent(card: Card, consent: str, user) -> None:
    """Record on the card whether and why the person may be contacted, when and by whom."""
    card.consent = consent
    card.consent_at = timezone.now() if consent else None
    card.consent_by = user if consent else None


def record_consent(card: Card, consent: str, user) -> None:
    """Change the card's record of consent, if ``consent`` says something else."""
    if consent != card.consent:
        _set_consent(card, consent, user)
        card.save(update_fields=["consent", "consent_at", "consent_by"])


class EditConflict(Exception):
    """The card changed since the edit form was opened."""


def update_card(card: Card, data: CardInput, checked: bool = True) -> Card:
    """Apply an edit of a card: folds, note, photo and the person's details; what was read
    from its photo counts as ``checked`` by the person editing.

    If the card has been edited since the editor saw ``data.version``, raise EditConflict
    and change nothing.
    """
    old = Card.objects.select_related("contact").get(pk=card.pk)
    if checked:
        card.reading_state = ReadingState.CHECKED
    try:
        _update_card(card, old, data)
    except BaseException:
        if card.photo.name != old.photo.name:
            delete_photo_files(card)
        raise
    if card.photo.name != old.photo.name:
        delete_photo_files(old)
    return card


def _update_card(card: Card, old: Card, data: CardInput) -> None:
    with transaction.atomic():
        current = Card.objects.select_for_update().only("version").get(pk=card.pk)
        if data.version is not None and data.version != current.version:
            raise EditConflict
        card.version = current.version + 1
        contact = card.contact
        email = Contact.normalize_email(data.email)
        known = None
        if email and email != contact.email:
            known = Contact.objects.filter(email=email).first()
        if known is None:
            # The card's own person: the editor showed every detail, so an emptied field
            # is meant to be cleared.
            contact.email = email
            for field, value in data.contact_fields().items():
                setattr(contact, field, value)
            contact.save()
        else:
            # Someone known by this email: the card adds to what is known of them.
            contact = known
            if changed := contact.merge(data.contact_fields()):
                contact.save(update_fields=changed)
        card.contact = contact
        card.folds = data.folds
        card.note = data.note
        card.apply_decoding(card.decode())
        _store_photo(card, data.photo)
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


def apply_reading(card: Card, answer: dict) -> None:
    """Keep what was read from the card's photo (``answer`` as reading.Reading.as_json()
    gives it) and fill the person's empty details from it, to be checked by a person."""
    contact = card.contact
    read = {name: field["value"] for name, field in answer["fields"].items()}
    current = {name: getattr(contact, name) for name in (*CONTACT_DETAILS, "email")}
    filled = {name: value or read.get(name, "") for name, value in current.items()}
    data = CardInput(folds=card.folds, note=card.note, version=card.version, **filled)
    card.reading = answer
    card.reading_state = ReadingState.READ if read else ReadingState.FAILED
    update_card(card, data, checked=False)


def reading_failed(card: Card, problem: str) -> None:
    """Record that the card's photo could not be read; a person types the card."""
    card.reading = {"fields": {}, "warnings": [problem]}
    card.reading_state = ReadingState.FAILED
    card.save(update_fields=["reading", "reading_state"])


def add_stack_photo(conference: Conference, user, content: bytes, name: str) -> StackPhoto:
    """Keep one photo of a stack of cards and have it read in the background; the same
    photo uploaded again is the photo already kept."""
    digest = hashlib.sha256(content).hexdigest()
    kept = StackPhoto.objects.filter(conference=conference, sha256=digest).first()
    if kept is not None:
        return kept
    photo = photos.process(io.BytesIO(content), len(content))
    stack_photo = StackPhoto(
        conference=conference, uploaded_by=user, name=name[:200], sha256=digest
    )
    stack_photo.photo.save("card.jpg", ContentFile(photo.photo), save=False)
    stack_photo.thumbnail.save("card-thumb.jpg", ContentFile(photo.thumbnail), save=False)
    try:
        with transaction.atomic():
            stack_photo.save()
            transaction.on_commit(lambda: _enqueue("read_stack_photo", stack_photo.pk))
    except IntegrityError:
        # The same photo, uploaded at the same moment by another request.
        delete_photo_files(stack_photo)
        return StackPhoto.objects.get(conference=conference, sha256=digest)
    except BaseException:
        delete_photo_files(stack_photo)
        raise
    return stack_photo


def log_stack_photo(stack_photo: StackPhoto, user, data: CardInput) -> Logged:
    """Log the card a person reviewed from a stack photo, with that photo."""
    with stack_photo.photo.open("rb") as photo, stack_photo.thumbnail.open("rb") as thumbnail:
        kept = photos.Photo(photo=photo.read(), thumbnail=thumbnail.read())
    with transaction.atomic():
        logged = log_card(stack_photo.conference, user, replace(data, photo=kept))
        stack_photo.card = logged.card
        stack_photo.state = StackPhoto.State.DONE
        stack_photo.save(update_fields=["card", "state"])
    return logged
