"""Personal data: erasing a person, a person's data for an access request, and each
conference's retention of its cards.

Erasing deletes every row that holds the person and every file of theirs (card and
stack photos, through the storage API, so in the media folder or the S3 bucket alike),
and takes them out of what other rows remember of them (an email batch's problems, an
import's preview, a kept import file, another person's undone merge). What remains is an
`Erasure` saying when, by whom and how many cards, with nothing about the person.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone

from contacts import exports, rules
from contacts.models import (
    Card,
    Contact,
    ContactMerge,
    EmailBatch,
    Erasure,
    Import,
    ImportedRow,
    SentEmail,
    StackPhoto,
)
from contacts.queries import decode_cards, left_without_cards
from events.models import Conference
from webhooks import events as webhooks
from webhooks.models import Delivery

ERASED_FILE = "This file was deleted: it held the data of a person who was erased."


def identifiers(contact: Contact) -> list[str]:
    """Return what finds the person in text other rows keep: name, every email and phone,
    in lower case."""
    values = [contact.name, *contact.all_emails(), *(p.phone for p in contact.all_phones())]
    return [value.lower() for value in values if value]


def mentions(value: object, needles: Iterable[str]) -> bool:
    """Return whether ``value`` (text, or JSON data) mentions one of ``needles``."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.lower()
    return any(needle in text for needle in needles)


def erase_person(contact: Contact, user=None) -> Erasure:
    """Delete the person, all their cards with their photos, notes and emails sent, their
    merges, what imports, webhook deliveries and other people's merges remember of them,
    and record the erasure (no personal data); the webhooks are told ``contact.erased``
    with the person's id alone."""
    needles = identifiers(contact)
    with transaction.atomic():
        cards = list(contact.cards.all())
        files = _forget_cards(cards, needles)
        known_as = _ids_of([contact])
        _forget_people([contact], known_as, needles, files)
        webhooks.forget([card.pk for card in cards], known_as)
        webhooks.emit("contact.erased", contact)
        contact.delete()  # its cards, their sent emails, imported rows and merges go with it
        erasure = Erasure.objects.create(
            erased_by=user, reason=Erasure.Reason.REQUEST, cards=len(cards)
        )
        transaction.on_commit(lambda: _delete_files(files))
    return erasure


def _forget_cards(cards: list[Card], needles: list[str]) -> list[FieldFile]:
    """Delete what other rows keep of the cards (their stack photos, admin history) and
    return the files to delete once the cards are gone."""
    files = [field for card in cards for field in (card.photo, card.thumbnail) if field]
    ids = [card.pk for card in cards]
    stack_photos = StackPhoto.objects.filter(card__in=ids)
    unlinked = StackPhoto.objects.filter(card__isnull=True).only("name", "reading", "error")
    if needles:
        read_of_them = [
            photo.pk
            for photo in unlinked.iterator()
            if mentions([photo.name, photo.reading, photo.error], needles)
        ]
        stack_photos = StackPhoto.objects.filter(Q(card__in=ids) | Q(pk__in=read_of_them))
    for photo in stack_photos:
        files += [field for field in (photo.photo, photo.thumbnail) if field]
    stack_photos.delete()
    _forget_history(Card, ids)
    return files


def _ids_of(people: list[Contact]) -> list[int]:
    """Return the people's ids and the ids of the people merged into them (by their merges
    not undone, those they took over included): webhook deliveries and the admin's history
    name them by any."""
    merges = ContactMerge.objects.filter(kept__in=people, undone_at__isnull=True)
    merged = merges.values_list("merged", flat=True)
    return [*(person.pk for person in people), *(snapshot["pk"] for snapshot in merged)]


def _forget_people(
    people: list[Contact], known_as: list[int], needles: list[str], files: list[FieldFile]
) -> None:
    """Take the people out of the admin's history (under ``known_as``, every id of theirs:
    _ids_of) and what email batches, imports, other people's merges and the webhook
    deliveries of those remember of them (``needles``: the identifiers of them all),
    reading each of those rows, and each kept import file, once for them all."""
    _forget_history(Contact, known_as)
    _forget_merges(people, needles)
    if not needles:
        return
    _forget_merge_deliveries(needles)
    for batch in EmailBatch.objects.exclude(problems=[]):
        kept = [problem for problem in batch.problems if not mentions(problem, needles)]
        if kept != batch.problems:
            EmailBatch.objects.filter(pk=batch.pk).update(problems=kept)
    for upload in Import.objects.all():
        changed = {
            "sample": [row for row in upload.sample if not mentions(row, needles)],
            "problems": [row for row in upload.problems if not mentions(row, needles)],
        }
        if mentions(upload.filename, needles):
            changed["filename"] = "erased"
        if upload.file and _file_mentions(upload, needles):
            files.append(upload.file)
            changed.update(file="", state=Import.State.FAILED, failure=ERASED_FILE)
        if any(getattr(upload, name) != value for name, value in changed.items()):
            Import.objects.filter(pk=upload.pk).update(**changed)


def _forget_merges(people: list[Contact], needles: list[str]) -> None:
    """Blank each snapshot of one of the people, or holding their details, in others'
    undone merges: the person merged in and back, or someone who held their details
    meanwhile. Their own merges are deleted with them; others' merges not undone hold none
    of their details (the person came back by undoing those), and keep what their own
    undo needs."""
    pks = {person.pk for person in people}
    undone = ContactMerge.objects.exclude(kept__in=pks).filter(undone_at__isnull=False)
    for done in undone:
        blanked = {
            name: {}
            for name in ("kept_before", "merged")
            if _holds(getattr(done, name), pks, needles)
        }
        if blanked:
            ContactMerge.objects.filter(pk=done.pk).update(**blanked)


def _holds(snapshot: dict, pks: set[int], needles: list[str]) -> bool:
    """Return whether a merge's snapshot is of one of the people (by ``pks``), or mentions
    one of them."""
    return snapshot.get("pk") in pks or mentions(list(snapshot.values()), needles)


def _forget_merge_deliveries(needles: list[str]) -> None:
    """Delete the ``contact.merged`` deliveries whose person mentions the person erased:
    the merges of those who held their details, picked by a merge undone since."""
    merges = Delivery.objects.filter(event="contact.merged").only("payload")
    told = [
        delivery.pk
        for delivery in merges.iterator()
        if mentions(list(delivery.payload["data"]["contact"].values()), needles)
    ]
    Delivery.objects.filter(pk__in=told).delete()


def _file_mentions(upload: Import, needles: list[str]) -> bool:
    """Return whether a kept import file holds one of ``needles``, reading it a block at a
    time (a needle cut by a block's end is found by the overlap with the next)."""
    overlap = max(len(needle) for needle in needles)
    tail = ""
    with upload.file.open("rb") as file:
        while block := file.read(1 << 20):
            text = tail + block.decode(upload.encoding or "utf-8", errors="replace").lower()
            if any(needle in text for needle in needles):
                return True
            tail = text[-overlap:]
    return False


def _forget_history(model: type, ids: list[int]) -> None:
    """Delete the admin's history of the objects, whose descriptions name the person."""
    kind = ContentType.objects.get_for_model(model)
    LogEntry.objects.filter(content_type=kind, object_id__in=[str(pk) for pk in ids]).delete()


def _delete_files(files: list[FieldFile]) -> None:
    for field in files:
        field.storage.delete(field.name)


def person_data(contact: Contact) -> dict:
    """Return everything kept about the person, for an access request."""
    cards = contact.cards.select_related(
        "conference", "vocabulary", "logged_by", "owner", "consent_by", "stack_photo"
    ).order_by("logged_at", "pk")
    cards = cards.prefetch_related("emails__sent_by")
    return {
        "exported_at": timezone.now().isoformat(),
        "person": {
            "uid": contact.uid.urn,
            "name": contact.name,
            "company": contact.company,
            "title": contact.title,
            "email": contact.email,
            "phone": contact.phone,
            "emails": contact.all_emails(),
            "phones": [number.phone for number in contact.all_phones()],
            "website": contact.website,
            "notes": contact.notes,
            "created_at": contact.created_at.isoformat(),
        },
        "cards": [_card_data(card) for card in decode_cards(cards)],
        "imported_from": [
            {"file": filename or "", "imported_at": imported_at.isoformat()}
            for filename, imported_at in ImportedRow.objects.filter(contact=contact)
            .order_by("imported_at")
            .values_list("source__filename", "imported_at")
        ],
    }


def _card_data(card: Card) -> dict:
    photo = None
    if card.photo:
        photo = reverse("events-card-photo", args=[card.conference.slug, card.pk, "photo"])
    return {
        "conference": card.conference.name,
        "met_at": timezone.localtime(card.logged_at, card.conference.zone).isoformat(),
        "logged_by": _username(card.logged_by),
        "folds": card.fold_codes,
        "meanings": [m.label for m in card.decoding.meanings],
        "note": card.note,
        "photo": photo,
        "read_from_photo": _reading(card),
        # What the card added to what was known of them, with what it was before.
        "added_to_details": card.added,
        "follow_up": {
            "owner": _username(card.owner),
            "due_on": card.due_on.isoformat(),
            "state": card.state,
            "outcome": card.outcome,
        },
        "kept_past_retention": rules.is_kept_past_retention(card),
        "consent": {
            "basis": card.consent,
            "recorded_at": card.consent_at.isoformat() if card.consent_at else None,
            "recorded_by": _username(card.consent_by),
        },
        "emails": [
            {
                "sent_at": email.sent_at.isoformat(),
                "sent_by": _username(email.sent_by),
                "to": email.to,
                "subject": email.subject,
                "body": email.body,
            }
            for email in card.emails.all()
        ],
    }


def _reading(card: Card) -> dict | None:
    """Return what was read from the card's photo: by the booth or the background reader,
    or from the stack photo it was logged from."""
    stack_photo = getattr(card, "stack_photo", None)
    return card.reading if stack_photo is None else card.reading or stack_photo.reading


def _username(user) -> str | None:
    return user.get_username() if user else None


def person_vcard(contact: Contact) -> str:
    """Return the person's vCard 4.0 with what all their cards say."""
    cards = contact.cards.with_basis().select_related("vocabulary").order_by("logged_at", "pk")
    return exports.vcard(contact, decode_cards(cards))


@dataclass(frozen=True)
class RetentionPlan:
    """What a conference's retention removes today, and what it keeps."""

    conference: Conference
    removed: int
    kept: int


def retention_due() -> list[Conference]:
    """Return the conferences whose retention period has ended (on their day, where they
    take place)."""
    conferences = Conference.objects.filter(retention_days__isnull=False).order_by("ends_on")
    return [c for c in conferences if c.retention_ends <= c.today()]


def _past_retention(conference: Conference):
    """Return the conference's cards its retention removes: not kept past it, and not
    anonymized already."""
    cards = conference.cards.exclude(rules.kept_past_retention())
    return cards.filter(anonymized_at__isnull=True)


def retention_plan(conference: Conference) -> RetentionPlan:
    """Return how many of the conference's cards its retention removes, and keeps."""
    kept = conference.cards.filter(rules.kept_past_retention()).count()
    return RetentionPlan(conference, _past_retention(conference).count(), kept)


def apply_retention(conference: Conference) -> Erasure | None:
    """Delete, or anonymize, the conference's cards not kept past its retention period,
    and the people left without a card; return the erasure recorded, or None when there
    was nothing to remove."""
    anonymize = conference.retention_action == "anonymize"
    with transaction.atomic():
        cards = list(_past_retention(conference))
        if not cards:
            return None
        ids = [card.pk for card in cards]
        people = {card.contact_id for card in cards}
        files = _forget_cards(cards, [])
        if anonymize:
            _anonymize(cards)
        else:
            Card.objects.filter(pk__in=ids).delete()
        gone = _left_without_cards(people)
        known_as = _ids_of(gone)
        webhooks.forget(ids, known_as)
        if gone:
            needles = [needle for person in gone for needle in identifiers(person)]
            _forget_people(gone, known_as, list(dict.fromkeys(needles)), files)
            # Only those still without a card: one may have been logged for them meanwhile.
            gone_ids = [person.pk for person in gone]
            left_without_cards().filter(pk__in=gone_ids).delete()
        erasure = Erasure.objects.create(
            reason=Erasure.Reason.RETENTION,
            conference=conference,
            cards=len(cards),
            anonymized=anonymize,
        )
        transaction.on_commit(lambda: _delete_files(files))
    return erasure


def _left_without_cards(people: set[int]) -> list[Contact]:
    """Return the people (by id) whom their cards alone brought and who have none left
    (left_without_cards), with their other emails and phones."""
    gone = left_without_cards().filter(pk__in=people)
    return list(gone.prefetch_related("other_emails", "other_phones"))


def _anonymize(cards: list[Card]) -> None:
    """Keep the cards' folds, meanings and dates for the conference's figures, each with a
    person of its own who has no details, and nothing said, read or sent; their follow-ups
    are dropped, nobody being left to contact."""
    ids = [card.pk for card in cards]
    SentEmail.objects.filter(card__in=ids).delete()
    ImportedRow.objects.filter(card__in=ids).delete()
    now = timezone.now()
    dropped = Card.state_fields(Card.State.DROPPED, None, "")
    for card in cards:
        card.contact = Contact.objects.create()
        card.note = ""
        for name, value in dropped.items():
            setattr(card, name, value)
        card.version += 1
        card.reading = None
        card.added = {}
        card.photo = card.thumbnail = ""
        card.anonymized_at = now
        card.search = card.search_text()
    Card.objects.bulk_update(
        cards,
        [
            "contact",
            "note",
            *dropped,
            "version",
            "reading",
            "added",
            "photo",
            "thumbnail",
            "anonymized_at",
            "search",
        ],
    )
