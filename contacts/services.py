"""Work that spans several models: logging cards and keeping their decoding current."""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from contacts import folds, phones, photos, queries, rules
from contacts.models import (
    FOLD_MEANING_FIELDS,
    FOLLOW_UP_ORDER,
    PERSONS_WORD,
    SEARCHED_DETAILS,
    Card,
    Contact,
    ContactEmail,
    ContactPhone,
    EmailBatch,
    Meaning,
    ReadingState,
    Reprioritization,
    StackPhoto,
    UserSettings,
    Vocabulary,
    fold_rules_of,
)
from contacts.queries import (
    by_folds,
    due_by_folds,
    followup_key,
    met_before,
    whole_followup,
    whole_followups,
)
from events.models import Conference
from foldcard import storage
from foldcard.sql import any_of, rows_of
from foldcard.text import sentence
from webhooks.events import emit, emit_each

logger = logging.getLogger(__name__)

# Cards (by id) re-decoded per statement by the background re-prioritization: each batch is
# its own short transaction, so that no card stays locked for long (the booth keeps
# saving). At 5,000 the batches' own statements took the job to twice a single UPDATE.
REPRIORITIZE_BATCH = 20_000


def reprioritize(vocabularies: Iterable[Vocabulary]) -> list[Reprioritization]:
    """Re-decode every card of ``vocabularies`` (priority, window and due date) after an
    edit, in the background: queue one job per vocabulary and return the jobs.

    The edit is saved at once; new cards are decoded with it at once (see Decoder), the
    existing ones in batches by tasks.reprioritize_cards (progress: Reprioritization).
    """
    jobs = []
    for vocabulary in vocabularies:
        ids = Card.objects.filter(vocabulary=vocabulary).aggregate(
            first=models.Min("pk"), last=models.Max("pk")
        )
        job = Reprioritization.objects.create(
            vocabulary=vocabulary, first_id=ids["first"] or 0, last_id=ids["last"] or 0
        )
        transaction.on_commit(partial(_enqueue, "reprioritize_cards", job.pk))
        jobs.append(job)
    return jobs


def reprioritize_batch(job: Reprioritization) -> bool:
    """Re-decode the job's next batch of cards; return whether cards are left.

    The decoding table is read for each batch, so that a later edit queued meanwhile is
    never overwritten by an earlier job. One statement per column, writing only rows whose
    value changes: a new window rewrites the due date, a new priority only the priority
    (each rewritten column costs index updates).
    """
    start = job.done_to + 1 if job.done_to else job.first_id
    end = min(start + REPRIORITIZE_BATCH - 1, job.last_id)
    with transaction.atomic():
        table = Vocabulary.objects.get(pk=job.vocabulary_id).table()
        cards = Card.objects.filter(vocabulary_id=job.vocabulary_id, pk__range=(start, end))
        if table:
            redecode(cards, table)
        job.done_to = end
        left = end < job.last_id
        if not left:
            job.finished_at = timezone.now()
        job.save(update_fields=["done_to", "finished_at"])
    return left


def redecode(cards: models.QuerySet[Card], table: tuple[folds.Decoding, ...]) -> None:
    """Give ``cards`` the priority, window and due date of their folds in ``table``."""
    window = by_folds(table, "window_days")
    cards.exclude(window_days=window).update(window_days=window, due_on=due_by_folds(table))
    priority = by_folds(table, "priority")
    cards.exclude(priority=priority).update(priority=priority)


def meaning_changed(meaning: Meaning) -> list[Reprioritization]:
    """Re-decode the cards of every vocabulary that uses ``meaning`` (in the background)."""
    return reprioritize(Vocabulary.objects.filter(rules__meanings=meaning).distinct())


def delete_meanings(meanings: models.QuerySet[Meaning]) -> list[Reprioritization]:
    """Delete ``meanings`` and re-decode the cards of the vocabularies that used them (in
    the background: return the jobs)."""
    with transaction.atomic():
        vocabularies = list(Vocabulary.objects.filter(rules__meanings__in=meanings).distinct())
        meanings.delete()
        return reprioritize(vocabularies)


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
# What a card may fill in a known person's own fields (Card.added).
ADDED_FIELDS = (*CONTACT_DETAILS, "email", "phone_normalized")


@dataclass(frozen=True)
class FollowupState:
    """What an undo of a follow-up action puts back on one card (an owner of None is left
    as it is), if the card is still at ``version``, as the action left it."""

    card_id: int
    state: str
    snoozed_until: date | None
    outcome: str
    owner_id: int | None = None
    version: int | None = None

    @classmethod
    def of(cls, card: Card) -> FollowupState:
        """Return the card's state now, to be put back once an action changed it (see
        left_at)."""
        return cls(card.pk, card.state, card.snoozed_until, card.outcome, card.owner_id)

    def left_at(self, card: Card) -> FollowupState:
        """Return this state put back only on ``card`` as the action left it: at its
        version now."""
        return replace(self, version=card.version)


class EditConflict(Exception):
    """The card or person changed since the user saw them (an editor, a list, a composer)."""


# Why an action from a page left a card as it was.
CHANGED = "someone changed it after you loaded the list"
CHANGED_SINCE_UNDONE = "someone changed it after the action you took back"


def lock_unchanged(card: Card, version: int | None) -> None:
    """Lock the card's row for the transaction; raise EditConflict if the card changed since
    the user saw it at ``version`` (None: not checked, nothing locked), or is gone."""
    if version is None:
        return
    current = Card.objects.select_for_update().filter(pk=card.pk).values_list("version")
    if current.first() != (version,):
        raise EditConflict


# The actions that close or snooze a whole follow-up: the person's other waiting cards too.
WHOLE_FOLLOWUP_ACTIONS = ("done", "drop", "snooze")
# What can be done to many follow-ups at once.
BULK_ACTIONS = (*WHOLE_FOLLOWUP_ACTIONS, "assign")


def work_followup(
    card: Card,
    user,
    action: str,
    outcome: str | None = "",
    days: int = 0,
    until: date | None = None,
    version: int | None = None,
) -> list[FollowupState]:
    """Mark the follow-up of ``card`` done, drop it (``outcome`` recorded on both; None:
    kept) or snooze it for ``days`` days or ``until`` a day, with the person's other
    waiting cards at that conference (queries.whole_followup); return each card's state
    before, for the undo, the shown card first.

    Raise EditConflict, changing nothing, if the card changed since the user saw it at
    ``version`` (see lock_unchanged).
    """
    with transaction.atomic():
        lock_unchanged(card, version)
        today = timezone.localdate()
        others = whole_followup(card, user, today).exclude(pk=card.pk).select_for_update()
        cards = [card, *others.order_by(*FOLLOW_UP_ORDER)]
        return _work(cards, user, action, outcome, until or today + timedelta(days=days))


def _work(
    cards: list[Card], user, action: str, outcome: str | None, until: date
) -> list[FollowupState]:
    """Do ``action`` to ``cards``, the cards of one follow-up (see work_followup); return
    each card's state before."""
    state, outcome, snoozed_until = _change(action, outcome, until)
    before = [FollowupState.of(each) for each in cards]
    for each in cards:
        each.snoozed_until = snoozed_until
        each.set_state(state, user, outcome)
    _tell_closed(cards, state)
    return [state.left_at(each) for state, each in zip(before, cards, strict=True)]


def _work_all(cards: list[Card], user, action: str, outcome: str, until: date) -> None:
    """Do ``action`` to ``cards``, as _work does, in one statement."""
    state, outcome, snoozed_until = _change(action, outcome, until)
    fields = Card.state_fields(state, user, outcome, snoozed_until)
    Card.objects.filter(pk__in=[each.pk for each in cards]).update(
        **fields, version=models.F("version") + 1
    )
    for each in cards:
        for name, value in fields.items():
            setattr(each, name, value)
        each.version += 1
    _tell_closed(cards, state)


def _change(action: str, outcome: str | None, until: date) -> tuple[str, str | None, date | None]:
    """Return the state, the outcome (None: kept) and the snooze's end that ``action``
    gives a follow-up."""
    if action == "done":
        return Card.State.DONE, outcome, None
    if action == "drop":
        return Card.State.DROPPED, outcome or None, None
    if action == "snooze":
        return Card.State.SNOOZED, None, until
    raise ValueError(f"{action} is not an action on a whole follow-up")


def assign_followup(card: Card, owner, version: int | None = None) -> FollowupState:
    """Hand the follow-up of ``card`` (the card alone) to ``owner``; return its state
    before, for the undo.

    Raise EditConflict, changing nothing, if the card changed since the user saw it at
    ``version`` (see lock_unchanged).
    """
    with transaction.atomic():
        lock_unchanged(card, version)
        before = FollowupState.of(card)
        card.owner = owner
        card.version += 1
        card.save(update_fields=["owner", "version"])
    return before.left_at(card)


def reopen_followup(card: Card, user, version: int | None = None) -> None:
    """Reopen the follow-up of ``card`` (the card alone).

    Raise EditConflict, changing nothing, if the card changed since the user saw it at
    ``version`` (see lock_unchanged).
    """
    with transaction.atomic():
        lock_unchanged(card, version)
        was = card.state
        card.set_state(Card.State.OPEN, user)
        _tell_state(card, was)


@dataclass(frozen=True)
class Skipped:
    """A card an action on many (a bulk action, an undo, emails) left as it was, and why."""

    card_id: int
    name: str
    reason: str


@dataclass
class BulkWorked:
    """What a bulk action (or an undo) did: the cards it worked, those it skipped, and
    every card's state before (the person's other cards too), for its one undo."""

    worked: list[Card]
    skipped: list[Skipped]
    before: list[FollowupState]


def work_followups(
    user,
    versions: Mapping[int, int],
    action: str,
    outcome: str = "",
    days: int = 0,
    until: date | None = None,
    owner=None,
) -> BulkWorked:
    """Do ``action`` (BULK_ACTIONS) on the follow-up of each card that ``versions`` names
    (card id: the version the user saw), as work_followup and assign_followup do on one,
    in one transaction; skip, and say why, a card the user may not work, one changed since
    the user saw it, and one gone."""
    if action not in BULK_ACTIONS:
        raise ValueError(f"{action} is not a bulk action")
    worked = BulkWorked([], [], [])
    today = timezone.localdate()
    until = until or today + timedelta(days=days)
    with transaction.atomic():
        cards = Card.objects.select_related("contact", "conference", "owner")
        cards = cards.select_for_update(of=("self",)).in_bulk(list(versions))
        # The chosen cards' follow-ups, read at once rather than card by card.
        followups: dict[tuple, list[Card]] = defaultdict(list)
        if action in WHOLE_FOLLOWUP_ACTIONS:
            others = whole_followups(list(cards.values()), user, today).exclude(pk__in=list(cards))
            for other in others.select_for_update(of=("self",)):
                followups[followup_key(other)].append(other)
        changed: dict[int, Card] = {}
        to_work: list[Card] = []
        for pk, seen in versions.items():
            card = cards.get(pk)
            if card is None:
                worked.skipped.append(Skipped(pk, f"card {pk}", "it was deleted meanwhile"))
            elif pk in changed:
                continue  # worked already with an earlier card of the same person
            elif not rules.can_work(user, card):
                owner_name = card.owner.get_username() if card.owner else "nobody"
                reason = f"it is followed up by {owner_name}: only they or a manager may work it"
                worked.skipped.append(Skipped(pk, str(card.contact), reason))
            elif card.version != seen:
                worked.skipped.append(Skipped(pk, str(card.contact), CHANGED))
            else:
                if action == "assign":
                    cards_of_followup = [card]
                    worked.before.append(assign_followup(card, owner))
                else:
                    others = [o for o in followups[followup_key(card)] if o.pk not in changed]
                    cards_of_followup = [card, *others]
                    worked.before += [FollowupState.of(each) for each in cards_of_followup]
                    to_work += cards_of_followup
                changed.update((each.pk, each) for each in cards_of_followup)
                worked.worked.append(card)
        if to_work:
            _work_all(to_work, user, action, outcome, until)
    # The undo puts back only the cards still as the action left them.
    worked.before = [state.left_at(changed[state.card_id]) for state in worked.before]
    return worked


def email_followups(
    user, cards: list[Card], versions: Mapping[int, int], mark_done: bool
) -> tuple[EmailBatch | None, list[Skipped]]:
    """Queue a follow-up email to the person of each of ``cards``, sent in the background
    (tasks.send_email_batch), and then, if ``mark_done``, their follow-ups marked done;
    skip, and say why, a card changed since the user saw it (``versions``: card id: the
    version seen) or of a person who declined to be contacted. Return the batch (None when
    every card was skipped; else it lists the skipped with what could not be sent) and the
    skipped."""
    chosen, skipped = [], []
    queries.read_persons_consent(cards)
    for card in cards:
        if card.version != versions[card.pk]:
            skipped.append(Skipped(card.pk, str(card.contact), CHANGED))
        elif not rules.may_be_emailed(card):
            skipped.append(Skipped(card.pk, str(card.contact), rules.DECLINED))
        else:
            chosen.append(card)
    if not chosen:
        return None, skipped
    with transaction.atomic():
        batch = EmailBatch.objects.create(
            created_by=user,
            mark_done=mark_done,
            total=len(chosen),
            versions={str(card.pk): card.version for card in chosen},
            problems=[f"{each.name}: skipped, {each.reason}" for each in skipped],
        )
        batch.cards.set(chosen)
        transaction.on_commit(partial(_enqueue, "send_email_batch", batch.pk))
    return batch, skipped


# The webhook event of each state a follow-up is closed in.
CLOSED_EVENTS = {Card.State.DONE: "followup.done", Card.State.DROPPED: "followup.dropped"}


def correct_outcome(card: Card, user, outcome: str) -> None:
    """Record ``outcome`` on the card's closed follow-up (the card alone), and tell the
    webhooks again that it is done or dropped, with it."""
    card.set_state(card.state, user, outcome)
    _tell_closed([card], card.state)


def _tell_state(card: Card, was: str) -> None:
    """Tell the webhooks of the follow-up of ``card`` once it went from the state ``was`` to
    its state now, if it closed or reopened: an undo either way, a reopen."""
    if card.state in CLOSED_EVENTS and was != card.state:
        _tell_closed([card], card.state)
    elif was in CLOSED_EVENTS and card.state not in CLOSED_EVENTS:
        emit("followup.reopened", card)


def _tell_closed(cards: list[Card], state: str) -> None:
    """Tell the webhooks of the follow-ups of ``cards`` if ``state`` closes them."""
    if state in CLOSED_EVENTS:
        emit_each(CLOSED_EVENTS[state], cards)


def restore_followups(card: Card, user, states: list[FollowupState]) -> BulkWorked:
    """Put back the follow-up ``states`` of ``card`` and its person's other cards at that
    conference (an undo), on each card still as the action left it; return the cards put
    back, in that order, and those skipped (see _restore).

    Raise Card.DoesNotExist, changing nothing, if one of them is not a card of that person
    at that conference which ``user`` may work on.
    """
    same_person = Card.objects.filter(contact_id=card.contact_id, conference_id=card.conference_id)
    return _restore(same_person, user, states, card)


def restore_many(user, states: list[FollowupState]) -> BulkWorked:
    """Put back the follow-up ``states`` of any cards (the undo of a bulk action), as
    restore_followups does.

    Raise Card.DoesNotExist, changing nothing, if one of them is not a card ``user`` may
    work on.
    """
    return _restore(Card.objects.all(), user, states)


def _restore(
    cards: models.QuerySet[Card], user, states: list[FollowupState], shown: Card | None = None
) -> BulkWorked:
    """Put back ``states`` on those of ``cards`` that ``user`` may work on and that are
    still at the state's version (as the action left them); skip, and say why, those
    changed since.

    Raise Card.DoesNotExist if one is not among them, and PermissionDenied if one put back
    would go to another owner than it has and ``user`` may not hand follow-ups over (or
    that owner may not be given one); in both cases changing nothing.
    """
    with transaction.atomic():
        found = (
            cards.filter(rules.workable(user))
            .select_related("contact", "conference")
            .select_for_update(of=("self",))
            .in_bulk([state.card_id for state in states])
        )
        if len(found) != len({state.card_id for state in states}):
            raise Card.DoesNotExist("Not one follow-up that you may work on.")
        kept, skipped = [], []
        for state in states:
            card = found[state.card_id]
            if state.version == card.version:
                kept.append(state)
            else:
                skipped.append(Skipped(card.pk, str(card.contact), CHANGED_SINCE_UNDONE))
        handed = {
            state.owner_id
            for state in kept
            if state.owner_id not in (None, found[state.card_id].owner_id)
        }
        # An undo that gives a card back to another owner hands it over, as an assign does.
        if handed and not rules.can_work_everyones(user):
            raise PermissionDenied("Only a manager can hand a follow-up to someone else.")
        if handed and rules.followup_owners().filter(pk__in=handed).count() != len(handed):
            raise PermissionDenied("A follow-up goes only to someone who works follow-ups.")
        if shown is not None and shown.pk in found and shown.version == found[shown.pk].version:
            found[shown.pk] = shown  # the caller's copy of the row's card shows what was put back
        for state in kept:
            each = found[state.card_id]
            was = each.state
            each.snoozed_until = state.snoozed_until
            if state.owner_id is not None:
                each.owner_id = state.owner_id
                each.save(update_fields=["owner"])
            each.set_state(state.state, user, state.outcome)
            _tell_state(each, was)
    return BulkWorked([found[state.card_id] for state in kept], skipped, [])


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
    # The country (ISO 3166 code) the phone is read in without a country code, when the
    # card tells (an imported row's country or email domain); None: the conference's.
    region: str | None = None
    website: str = ""
    note: str = ""
    consent: str = ""  # a models.Consent: whether and why the person may be contacted
    photo: photos.Photo | None = None
    client_uuid: uuid.UUID | None = None
    version: int | None = None  # the card's version the editor saw; None: no check
    contact_id: int | None = None  # the known person the card is of, as chosen at the booth
    logged_at: datetime | None = None  # when it was typed, if not now (kept while offline)

    def contact_fields(self) -> dict[str, str]:
        """Return the person's details other than the email."""
        return {name: getattr(self, name) for name in CONTACT_DETAILS}

    def names_someone(self) -> bool:
        """Return whether the input says who the card is of: a name, company or email."""
        return bool(self.name or self.company or self.email)

    def phone_region(self, default: str | None) -> str | None:
        """Return the country the phone is read in without a country code: the card's
        own, else ``default`` (the conference's)."""
        return self.region or default


@dataclass(frozen=True)
class Logged:
    card: Card
    decoding: folds.Decoding
    created: bool
    met_before: list[str]

    @classmethod
    def replay(cls, card: Card) -> Logged:
        return cls(card, card.decode(), created=False, met_before=met_before(card))


class Found(NamedTuple):
    """The person a card is of: whether they are new, and what the card added to them when
    they were known (Card.added)."""

    contact: Contact
    created: bool
    added: dict


def find_or_create_contact(
    card: CardInput, region: str | None = None, people: People | None = None
) -> Found:
    """Return the person the card is of (queries.first_known), with what the card adds to
    what is known of them, or a new contact. A phone without a country code is read as the
    card's region's, else as ``region``'s. ``people``: where people are looked up and
    kept, the database by default (see People)."""
    people = people or DATABASE_PEOPLE
    email = Contact.normalize_email(card.email)
    phone = people.e164(card.phone, card.phone_region(region))
    contact = people.known(card.contact_id, email, phone, card.name)
    if contact is None:
        # Not in a savepoint, which would cost two statements on every save: a person
        # created by another save in between makes the insert fail, and log_card tries
        # again, finding them.
        contact = Contact(email=email, **card.contact_fields(), phone_normalized=phone)
        people.create(contact)
        return Found(contact, True, {})
    return Found(contact, False, _add_to_known(contact, card, email, phone, people))


def _add_to_known(
    contact: Contact, card: CardInput, email: str, normalized: str, people: People
) -> dict:
    """Keep what ``card`` adds to the known person ``contact``: to their details
    (Contact.fill), and a new email or phone beside theirs (``email`` as stored,
    ``normalized`` the phone's E.164 form); return what it added (Card.added), {} for
    nothing."""
    # What is known of them stays: a shorter form typed ("Anna B.", "Bergwerk"), or another
    # name at a shared address (info@…), replaces nothing (Contact.fill).
    details = {k: v for k, v in card.contact_fields().items() if k != "phone"}
    was = {name: getattr(contact, name) for name in ADDED_FIELDS}
    changed = contact.fill(details)
    more, beside = _add_email_and_phone(contact, email, card.phone, normalized, people)
    changed += more
    if changed:
        people.update(contact, changed)
    if not (changed or beside):
        return {}
    filled = {name: [was[name], getattr(contact, name)] for name in changed}
    # Who the person was left as: an undo takes back only while they are (see _take_back).
    return {"contact": contact.pk, "version": contact.version, "filled": filled, **beside}


def add_details(contact: Contact, details: dict[str, str], region: str | None) -> list[str]:
    """Take the non-empty ``details`` (Contact.merge), the phone with its E.164 form (read
    as ``region``'s without a country code); return the contact's fields changed."""
    changed = contact.merge(details)
    if "phone" in changed:
        contact.read_phone(region)
        changed.append("phone_normalized")
    return changed


def find_or_create_contacts(inputs: list[CardInput], region: str | None = None) -> list[Contact]:
    """Return the person each card of ``inputs`` is of, as find_or_create_contact does one
    after the other, the batch's people read and written at once (BatchPeople): a card
    finds the person an earlier card of the batch made or added to."""
    people = BatchPeople.of(inputs, region)
    found = [find_or_create_contact(data, region, people)[0] for data in inputs]
    people.save()
    return found


def _add_email_and_phone(
    contact: Contact, email: str, phone: str, normalized: str, people: People
) -> tuple[list[str], dict[str, str]]:
    """Keep a new email or phone of a known person: as their primary one when they have
    none, else beside it; return the contact's fields changed, and what was kept beside
    theirs ({"email": …, "phone": …})."""
    changed, beside = [], {}
    # An email of someone else stays theirs (a card attached to a person chosen at the booth
    # may give one): the two may be merged later.
    if email and email not in people.emails_of(contact) and not people.email_owner(email):
        if contact.email:
            people.add_email(contact, email)
            beside["email"] = email
        else:
            contact.email = email
            changed.append("email")
    # A number written as one of theirs is theirs, though read in another country (an
    # import reads a row's phone in the row's country, the booth in the conference's).
    known = [(p.phone, p.phone_normalized) for p in people.phones_of(contact)]
    if phone and not any(phones.same_number((phone, normalized), n) for n in known):
        if contact.phone:
            people.add_phone(contact, phone, normalized)
            beside["phone"] = phone
        else:
            contact.phone, contact.phone_normalized = phone, normalized
            changed += ["phone", "phone_normalized"]
    return changed, beside


class People:
    """Where find_or_create_contact looks people up and keeps what a card adds to them:
    here the database, a statement at a time (the booth); BatchPeople for a batch."""

    def e164(self, phone: str, region: str | None) -> str:
        return phones.e164(phone, region)

    def known(self, contact_id: int | None, email: str, phone: str, name: str) -> Contact | None:
        return queries.known_person(contact_id, email, phone, name)

    def email_owner(self, email: str) -> Contact | None:
        return queries.person_with_email(email)

    def emails_of(self, contact: Contact) -> list[str]:
        return contact.all_emails()

    def phones_of(self, contact: Contact) -> list[ContactPhone | Contact]:
        return contact.all_phones()

    def create(self, contact: Contact) -> None:
        contact.save(force_insert=True)

    def update(self, contact: Contact, changed: list[str]) -> None:
        contact.save(update_fields=changed)

    def add_email(self, contact: Contact, email: str) -> None:
        ContactEmail.objects.get_or_create(email=email, defaults={"contact": contact})

    def add_phone(self, contact: Contact, phone: str, normalized: str) -> None:
        contact.other_phones.create(phone=phone, phone_normalized=normalized)


DATABASE_PEOPLE = People()


class BatchPeople(People):
    """The people a batch of cards may name, read at once (of()), kept in memory while
    find_or_create_contact runs on each card, and written at once (save()): the new
    people, the new emails and phones, and what the cards added to known people.

    The batch is one import's, in one transaction: a person the booth adds meanwhile with
    one of its emails makes the import fail (the email is unique), not a second person.
    """

    def __init__(
        self, known: Iterable[Contact], numbers: dict[tuple[str, str | None], str]
    ) -> None:
        # Each phone typed, with the country it is read in: its E.164 form, worked out once.
        self.numbers = numbers
        # Keyed by id(): a new person has no primary key until save().
        self.others: dict[int, tuple[list[ContactEmail], list[ContactPhone]]] = {}
        self.by_id: dict[int, Contact] = {}
        self.by_email: dict[str, Contact] = {}
        self.by_phone: dict[str, list[Contact]] = defaultdict(list)
        self.new: list[Contact] = []
        self.new_emails: list[ContactEmail] = []
        self.new_phones: list[ContactPhone] = []
        self.changed: dict[int, tuple[Contact, set[str]]] = {}
        for person in known:
            self.by_id[person.pk] = person
            self._keep(person, list(person.other_emails.all()), list(person.other_phones.all()))

    @classmethod
    def of(cls, inputs: list[CardInput], region: str | None) -> BatchPeople:
        """Return the people ``inputs`` may name: those chosen, and those with one of their
        emails or phones (any of theirs), with their other emails and phones (three
        statements)."""
        ids = {data.contact_id for data in inputs if data.contact_id is not None}
        emails = {Contact.normalize_email(data.email) for data in inputs} - {""}
        read_in = {(data.phone, data.phone_region(region)) for data in inputs}
        typed = {(phone, country): phones.e164(phone, country) for phone, country in read_in}
        numbers = set(typed.values()) - {""}
        found = Contact.objects.filter(
            pk__in=any_of(
                Contact.objects.filter(pk__in=ids).values("pk"),
                Contact.objects.filter(email__in=emails).values("pk"),
                ContactEmail.objects.filter(email__in=emails).values("contact_id"),
                Contact.objects.filter(phone_normalized__in=numbers).values("pk"),
                ContactPhone.objects.filter(phone_normalized__in=numbers).values("contact_id"),
            )
        )
        return cls(found.order_by("pk").prefetch_related("other_emails", "other_phones"), typed)

    def _keep(self, person: Contact, emails: list[ContactEmail], numbers: list[ContactPhone]):
        self.others[id(person)] = (emails, numbers)
        for email in person.all_emails(emails):
            self.by_email.setdefault(email, person)
        for each in person.all_phones(numbers):
            self._add_to_phone(person, each.phone_normalized)

    def _add_to_phone(self, person: Contact, normalized: str) -> None:
        """List ``person`` among the people with the phone ``normalized``, by id as
        queries.people_with_phone lists them (new people last, in the order made)."""
        listed = self.by_phone[normalized]
        if normalized and person not in listed:
            listed.append(person)
            listed.sort(key=lambda each: (each.pk is None, each.pk or 0))

    def e164(self, phone: str, region: str | None) -> str:
        return self.numbers[phone, region]

    def known(self, contact_id: int | None, email: str, phone: str, name: str) -> Contact | None:
        return queries.first_known(
            lambda: self.by_id.get(contact_id),
            lambda: self.by_email.get(email),
            lambda: self.by_phone.get(phone, []),
            email,
            name,
        )

    def email_owner(self, email: str) -> Contact | None:
        return self.by_email.get(email)

    def emails_of(self, contact: Contact) -> list[str]:
        return contact.all_emails(self.others[id(contact)][0])

    def phones_of(self, contact: Contact) -> list[ContactPhone | Contact]:
        return contact.all_phones(self.others[id(contact)][1])

    def create(self, contact: Contact) -> None:
        self.new.append(contact)
        self._keep(contact, [], [])

    def update(self, contact: Contact, changed: list[str]) -> None:
        if contact.email:
            self.by_email.setdefault(contact.email, contact)
        self._add_to_phone(contact, contact.phone_normalized)
        if contact.pk is not None:
            self.changed.setdefault(contact.pk, (contact, set()))[1].update(changed)

    def add_email(self, contact: Contact, email: str) -> None:
        other = ContactEmail(contact=contact, email=email)
        self.new_emails.append(other)
        self.others[id(contact)][0].append(other)
        self.by_email[email] = contact

    def add_phone(self, contact: Contact, phone: str, normalized: str) -> None:
        other = ContactPhone.of(contact, phone, normalized)
        self.new_phones.append(other)
        self.others[id(contact)][1].append(other)
        self._add_to_phone(contact, normalized)

    def save(self) -> None:
        """Write the new people, their new emails and phones, and what the cards added to
        known people: a few statements for the batch, whatever its size."""
        for person in self.new:
            person.prepare_save()
        Contact.objects.bulk_create(self.new)
        ContactEmail.objects.bulk_create(self.new_emails)
        ContactPhone.objects.bulk_create(self.new_phones)
        if not self.changed:
            return
        # Each person is written only the fields the rows changed, so that what the booth
        # changed meanwhile in the others stays, and their version counts on from the one
        # stored: one UPDATE per set of fields changed, a few for the batch.
        groups: dict[frozenset[str], list[Contact]] = defaultdict(list)
        for person, changed in self.changed.values():
            person.prepare_save()
            person.version = F("version") + 1
            groups[frozenset(changed)].append(person)
        for changed, people in groups.items():
            Contact.objects.bulk_update(people, [*changed, *Contact.KEPT_FIELDS])
        searched = [
            person for person, changed in self.changed.values() if changed & set(SEARCHED_DETAILS)
        ]
        if searched:
            Contact.refresh_search(searched)


@dataclass(frozen=True)
class ContactInput:
    """The edit of a person on their page: their details, every email and phone (the
    primary one first), and the version the editor saw (None: no check)."""

    name: str = ""
    company: str = ""
    title: str = ""
    website: str = ""
    notes: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    version: int | None = None


class EmailTaken(Exception):
    """An email given for a person is another person's."""

    def __init__(self, email: str, owner: Contact) -> None:
        super().__init__(sentence(f"{email} is the email of {owner}"))
        self.email = email
        self.owner = owner


def edit_contact(contact: Contact, data: ContactInput, region: str | None) -> Contact:
    """Save the edit of a person's details, emails and phones (phones without a country code
    read as ``region``'s).

    Raise EditConflict if the person changed since the editor saw ``data.version``, and
    EmailTaken if an email is another person's; either way change nothing.
    """
    with transaction.atomic():
        current = Contact.objects.select_for_update().only("version").get(pk=contact.pk)
        if data.version is not None and data.version != current.version:
            raise EditConflict
        emails = list(dict.fromkeys(Contact.normalize_email(e) for e in data.emails if e.strip()))
        for email in emails:
            owner = queries.person_with_email(email)
            if owner is not None and owner.pk != contact.pk:
                raise EmailTaken(email, owner)
        contact.version = current.version
        for field in ("name", "company", "title", "website", "notes"):
            setattr(contact, field, getattr(data, field))
        set_emails(contact, emails)
        set_phones(contact, [p.strip() for p in data.phones if p.strip()], region)
        contact.save()
        # What cards added before is theirs now, no longer to be taken back by an undo.
        contact.cards.exclude(added={}).update(added={})
        # Each card carries its person's details: a receiver hears of the edit by each.
        cards = contact.cards.select_related("conference", "vocabulary", "owner", "logged_by")
        cards = list(cards.order_by("pk"))
        for card in cards:
            card.contact = contact
        emit_each("card.updated", cards)
    return contact


def set_emails(contact: Contact, emails: list[str]) -> None:
    """Give the person ``emails`` (normalized, no repeats), the first one primary; the
    caller saves the contact."""
    contact.email = emails[0] if emails else ""
    contact.other_emails.all().delete()
    ContactEmail.objects.bulk_create(ContactEmail(contact=contact, email=e) for e in emails[1:])


def set_phones(contact: Contact, typed: list[str], region: str | None) -> None:
    """Give the person the phones ``typed``, the first one primary, each with its E.164 form
    (read as ``region``'s without a country code); the caller saves the contact. A phone
    the person has, written the same, keeps the form it was read as (an import reads a
    row's phone in the row's country)."""
    kept = {number.phone: number.phone_normalized for number in contact.all_phones()}
    store_phones(contact, [(phone, e164_unless_kept(phone, kept, region)) for phone in typed])


def e164_unless_kept(phone: str, kept: Mapping[str, str], region: str | None) -> str:
    """Return the E.164 form of ``phone``: the one ``kept`` (phones as typed: their E.164
    form) has for it, written the same, else read as ``region``'s without a country code."""
    return kept.get(phone) or phones.e164(phone, region)


def store_phones(contact: Contact, numbers: list[tuple[str, str]]) -> None:
    """Give the person the phones ``numbers`` (as typed, E.164 or ""), the first one
    primary, each number once however written (the first way); the caller saves the
    contact."""
    numbers = _unique_phones(numbers)
    contact.phone, contact.phone_normalized = numbers[0] if numbers else ("", "")
    contact.other_phones.all().delete()
    ContactPhone.objects.bulk_create(
        ContactPhone.of(contact, phone, normalized) for phone, normalized in numbers[1:]
    )


def _unique_phones(numbers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the phones once each (the same number however written: phones.same_number),
    first first."""
    kept: list[tuple[str, str]] = []
    for number in numbers:
        if number[0] and not any(phones.same_number(number, other) for other in kept):
            kept.append(number)
    return kept


def _enqueue(name: str, *args) -> None:
    """Queue the background task ``name`` of contacts/tasks.py."""
    # Imported here: the tasks call these services, and the services queue the tasks.
    from contacts import tasks

    getattr(tasks, name).enqueue(*args)


def _store_photo(card: Card | StackPhoto, photo: photos.Photo | None) -> None:
    """Keep ``photo`` and its thumbnail in the photo storage, named on ``card`` (unsaved);
    raise storage.Unavailable if the storage fails."""
    if photo is not None:
        with storage.reached():
            card.photo.save("card.jpg", ContentFile(photo.photo), save=False)
            card.thumbnail.save("card-thumb.jpg", ContentFile(photo.thumbnail), save=False)


def delete_photo_files(card: Card | StackPhoto, kept: Card | None = None) -> None:
    """Delete the photo files of a card gone, replaced or never saved, but for those the
    card ``kept`` has (a card as it stays after an edit that failed). A file the storage
    fails to delete now is only left over, and logged: the change stands."""
    keep = {kept.photo.name, kept.thumbnail.name} if kept is not None else set()
    for field in (card.photo, card.thumbnail):
        if field and field.name not in keep:
            try:
                field.delete(save=False)
            except Exception:
                logger.exception("Could not delete the photo file %s", field.name)


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
        """Return the user's decoder; with no user (a command), the site's vocabulary.

        A user read by the login (foldcard.auth.Backend) carries their vocabulary's rules
        and meanings already (queries.with_decoder): decoding reads nothing more.
        """
        if getattr(user, "decoder_vocabulary", None) is not None:
            return cls.loaded(user)
        vocabulary = UserSettings.of(user).get_vocabulary() if user else Vocabulary.default()
        return cls(vocabulary, vocabulary.table())

    @classmethod
    def loaded(cls, user) -> Decoder:
        """Return the decoder of a user annotated by queries.with_decoder."""
        window = user.decoder_default_window
        vocabulary = Vocabulary.from_db(
            "default", ["id", "default_window_days"], [user.decoder_vocabulary, window]
        )
        meanings = [
            folds.Meaning(**dict(zip(FOLD_MEANING_FIELDS, row, strict=True)))
            for row in rows_of(user.decoder_meanings)
        ]
        table = folds.compile_table(
            fold_rules_of(rows_of(user.decoder_rules)),
            {meaning.slug: meaning for meaning in meanings},
            window,
        )
        return cls(vocabulary, table)


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
    try:
        return _insert_card(conference, user, data, decoder, client_uuid)
    except IntegrityError:
        existing = Card.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            # Not a replay: another save created the same person (email) in between,
            # which this one finds now.
            return _insert_card(conference, user, data, decoder, client_uuid)
        # A replay: the unique client_uuid refused a second card (see Card.client_uuid).
        if existing.logged_by_id != user.pk or existing.conference_id != conference.pk:
            raise ReplayConflict from None
        return Logged.replay(existing)


def log_cards(
    conference: Conference, user, inputs: list[CardInput], decoder: Decoder
) -> list[Card]:
    """Save cards as log_card saves each, one after the other (the same card, the same
    person found or made), but read and written a batch at once: an import's. Return the
    cards, in the order of ``inputs``.

    The inputs have no photo. A client_uuid saved before raises IntegrityError, and the
    caller's transaction rolls back: an import skips the rows it imported before
    (imports.Fates), and a replay of anything else is not one of its own.
    """
    if any(data.photo is not None for data in inputs):
        raise ValueError("log_cards keeps no photos: log a card with its photo by log_card")
    cards = [
        _new_card(conference, user, data, decoder, data.client_uuid or uuid.uuid4())[0]
        for data in inputs
    ]
    with transaction.atomic():
        found = find_or_create_contacts(inputs, conference.country)
        for card, contact in zip(cards, found, strict=True):
            card.contact = contact
        Card.objects.bulk_create(cards)
        emit_each("card.logged", cards)
    return cards


def _new_card(
    conference: Conference, user, data: CardInput, decoder: Decoder, client_uuid: uuid.UUID
) -> tuple[Card, folds.Decoding]:
    """Return the card ``data`` logs, unsaved and without its person, and its decoding:
    logged and followed up by ``user``, decoded by ``decoder``, with its consent."""
    card = Card(
        conference=conference,
        folds=data.folds,
        vocabulary=decoder.vocabulary,
        note=data.note,
        logged_by=user,
        owner=user,
        client_uuid=client_uuid,
        logged_at=data.logged_at or timezone.now(),
    )
    _set_consent(card, data.consent, user)
    decoding = card.decode(decoder.table)
    card.apply_decoding(decoding)
    # What the card's webhook body shows (CardSerializer), rather than read again per card.
    card.decoding = decoding
    if data.photo is not None and not data.names_someone():
        card.reading_state = ReadingState.WAITING
    return card, decoding


def _insert_card(
    conference: Conference, user, data: CardInput, decoder: Decoder, client_uuid: uuid.UUID
) -> Logged:
    card, decoding = _new_card(conference, user, data, decoder, client_uuid)
    try:
        with transaction.atomic():
            card.contact, new_contact, card.added = find_or_create_contact(data, conference.country)
            if new_contact:  # all the person said is on this card (CardSerializer shows it)
                card.persons_consent = card.consent if card.consent in PERSONS_WORD else ""
            _store_photo(card, data.photo)
            card.save()
            emit("card.logged", card, by=user)
            if card.reading_state == ReadingState.WAITING:
                transaction.on_commit(lambda: _enqueue("read_card_photo", card.pk))
    except BaseException:
        delete_photo_files(card)
        raise
    return Logged(card, decoding, created=True, met_before=[] if new_contact else met_before(card))


def _set_consent(card: Card, consent: str, user) -> None:
    """Record on the card whether and why the person may be contacted, when and by whom."""
    card.consent = consent
    card.consent_at = timezone.now() if consent else None
    card.consent_by = user if consent else None


def what_a_move_does(card: Card) -> str:
    """Return what an edit moving ``card`` to another person does (queries.moved_to), for
    the question asked before."""
    return (
        "they keep their name and details and take only what they lack from here, and "
        f"{card.contact.display_name} is deleted if this is their only card and they were "
        "not imported into the contacts"
    )


def update_card(card: Card, data: CardInput, checked: bool = True, by=None) -> Card:
    """Apply an edit of a card: folds, note, photo and the person's details; what was read
    from its photo counts as ``checked`` by the person editing. The edit of a person
    (``by``) records the consent ``data`` gives, if it says something else; a reading of
    the photo leaves it.

    If the card has been edited since the editor saw ``data.version``, raise EditConflict
    and change nothing.
    """
    old = Card.objects.select_related("contact").get(pk=card.pk)
    if checked:
        card.reading_state = ReadingState.CHECKED
    try:
        _update_card(card, old, data, by)
    except BaseException:
        # The new photo's files, not the old ones, which the card keeps (the new photo
        # stored but its thumbnail not, say).
        delete_photo_files(card, kept=old)
        raise
    if card.photo.name != old.photo.name:
        delete_photo_files(old)
    return card


def _update_card(card: Card, old: Card, data: CardInput, by) -> None:
    with transaction.atomic():
        current = Card.objects.select_for_update().only("version").get(pk=card.pk)
        if data.version is not None and data.version != current.version:
            raise EditConflict
        card.version = current.version + 1
        contact = card.contact
        email = Contact.normalize_email(data.email)
        known = None
        if email and email != contact.email:
            known = queries.person_with_email(email)  # the person themselves: another email
        region = card.conference.country or None
        if known is None:
            # The card's own person: the editor showed every detail, so an emptied field
            # is meant to be cleared. A phone left as it was keeps the country it was read
            # in (e164_unless_kept).
            kept = {contact.phone: contact.phone_normalized}
            contact.email = email
            for field, value in data.contact_fields().items():
                setattr(contact, field, value)
            contact.phone_normalized = e164_unless_kept(contact.phone, kept, region)
            contact.save()
        else:
            # Someone known by this email: the card adds to them as a card logged with it.
            contact = known
            normalized = phones.e164(data.phone, region)
            card.added = _add_to_known(contact, data, email, normalized, DATABASE_PEOPLE)
        card.contact = contact
        card.folds = data.folds
        card.note = data.note
        if by is not None and data.consent != card.consent:
            _set_consent(card, data.consent, by)
        card.apply_decoding(card.decode())
        _store_photo(card, data.photo)
        card.save()
        emit("card.updated", card)
        if old.contact_id != contact.pk:
            queries.left_without_cards().filter(pk=old.contact_id).delete()


def remove_card(card: Card) -> None:
    """Delete a card (an undo at the booth), and its person if the card was all that
    brought them (queries.left_without_cards), else what the card added to them
    (Card.added) while nothing changed since: no card of theirs saved after it (which may
    have said the same), nothing saving them (_take_back)."""
    with transaction.atomic():
        contact = card.contact
        later = bool(card.added) and contact.cards.filter(pk__gt=card.pk).exists()
        card.delete()
        gone, _ = queries.left_without_cards().filter(pk=contact.pk).delete()
        if not gone and card.added and not later:
            _take_back(card.added, Contact.objects.select_for_update().get(pk=contact.pk))
    delete_photo_files(card)


def _take_back(added: dict, contact: Contact) -> None:
    """Give ``contact`` back what a card ``added`` to them (Card.added: the details it
    filled, the email and phone it kept beside theirs), if nothing saved them since (their
    id and version as the card left them)."""
    if (added.get("contact"), added.get("version")) != (contact.pk, contact.version):
        return
    if "email" in added:
        ContactEmail.objects.filter(contact=contact, email=added["email"]).delete()
    if "phone" in added:
        ContactPhone.objects.filter(contact=contact, phone=added["phone"]).delete()
    filled = added["filled"]
    for name, (was, _) in filled.items():
        setattr(contact, name, was)
    if filled:
        contact.save(update_fields=filled)


def apply_reading(card: Card, answer: dict) -> None:
    """Keep what was read from the card's photo (``answer`` as reading.Reading.as_json()
    gives it) and fill the person's empty details from it, to be checked by a person."""
    contact = card.contact
    read = {
        name: field["value"]
        for name, field in answer["fields"].items()
        # A value longer than its column is a misreading, not a detail to cut short.
        if len(field["value"]) <= Contact._meta.get_field(name).max_length
    }
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
    try:
        _store_photo(stack_photo, photo)
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
    with (
        storage.reached(),
        stack_photo.photo.open("rb") as photo,
        stack_photo.thumbnail.open("rb") as thumbnail,
    ):
        kept = photos.Photo(photo=photo.read(), thumbnail=thumbnail.read())
    with transaction.atomic():
        logged = log_card(stack_photo.conference, user, replace(data, photo=kept))
        stack_photo.card = logged.card
        stack_photo.state = StackPhoto.State.DONE
        stack_photo.save(update_fields=["card", "state"])
    return logged
