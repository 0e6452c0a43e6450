"""Two people made one, and back: the kept person takes the values picked field by field,
every email and phone of both, and every card (with its notes, outcomes and emails sent)
and imported row of the other; the merge is recorded and can be undone until the kept
person changes again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from contacts import services
from contacts.models import Card, Contact, ContactMerge, ImportedRow
from webhooks.events import emit

# The fields a merge picks one value of, in the order the page shows them. Every email and
# phone of both people is kept: the one picked becomes the primary one.
FIELDS = ("name", "company", "title", "email", "phone", "website", "notes")
# Notes can also be kept both, one after the other.
BOTH = "both"


class NotUndoable(Exception):
    """The merge was undone already, or the kept person changed since."""


@dataclass(frozen=True)
class MergeInput:
    """What the manager picked: for each field of FIELDS, "kept" or "other" (notes: also
    BOTH), and the versions of the two people they saw."""

    picks: dict[str, str]
    kept_version: int
    other_version: int


def default_picks(kept: Contact, other: Contact) -> dict[str, str]:
    """Return the values picked before the manager chooses: the kept person's, unless it is
    empty and the other's is not; both notes when both have some."""
    picks = {}
    for name in FIELDS:
        mine, theirs = getattr(kept, name), getattr(other, name)
        picks[name] = "other" if theirs and not mine else "kept"
        if name == "notes" and mine and theirs and mine != theirs:
            picks[name] = BOTH
    return picks


def snapshot(contact: Contact) -> dict:
    """Return everything a merge changes of a person, to put it back."""
    return {
        "pk": contact.pk,
        "uid": str(contact.uid),
        "version": contact.version,
        **{name: getattr(contact, name) for name in (*FIELDS, "phone_normalized")},
        "created_at": contact.created_at.isoformat(),
        "emails": contact.all_emails(),
        "phones": [[p.phone, p.phone_normalized] for p in contact.all_phones()],
    }


def merge(kept: Contact, other: Contact, data: MergeInput, user) -> ContactMerge:
    """Make ``other`` part of ``kept`` with the values ``data`` picks; return the merge.

    Raise services.EditConflict, changing nothing, if either person changed since the
    manager saw them.
    """
    with transaction.atomic():
        locked = Contact.objects.select_for_update().in_bulk([kept.pk, other.pk])
        versions = (locked[kept.pk].version, locked[other.pk].version)
        if versions != (data.kept_version, data.other_version):
            raise services.EditConflict
        kept, other = locked[kept.pk], locked[other.pk]
        other_id = other.pk
        before, gone = snapshot(kept), snapshot(other)
        moved = {
            "cards": list(other.cards.values_list("pk", flat=True)),
            "imported_rows": list(
                ImportedRow.objects.filter(contact=other).values_list("pk", flat=True)
            ),
            "merges": list(other.merges.values_list("pk", flat=True)),
        }
        Card.objects.filter(pk__in=moved["cards"]).update(contact=kept)
        ImportedRow.objects.filter(pk__in=moved["imported_rows"]).update(contact=kept)
        ContactMerge.objects.filter(pk__in=moved["merges"]).update(kept=kept)
        other.delete()  # its emails and phones go with it, to be given to the kept person
        for name in FIELDS:
            pick = data.picks[name]
            if name == "notes" and pick == BOTH:
                value = "\n\n".join(filter(None, (before["notes"], gone["notes"])))
            else:
                value = (gone if pick == "other" else before)[name]
            setattr(kept, name, value)
        primary = gone if data.picks["phone"] == "other" else before
        kept.phone_normalized = primary["phone_normalized"]
        services.set_emails(kept, _unique([kept.email, *before["emails"], *gone["emails"]]))
        numbers = [(kept.phone, kept.phone_normalized), *before["phones"], *gone["phones"]]
        services.store_phones(kept, [tuple(pair) for pair in numbers])
        kept.save()
        emit("contact.merged", kept, merged_ids=[other_id])
        return ContactMerge.objects.create(
            kept=kept,
            merged_by=user,
            kept_before=before,
            merged=gone,
            moved=moved,
            kept_version=kept.version,
        )


def _unique(emails: list[str]) -> list[str]:
    return list(dict.fromkeys(e for e in emails if e))


def can_undo(merge: ContactMerge) -> bool:
    """Return whether the merge can still be undone: not undone, the kept person unchanged
    since, and still its own (merged into a third person, it goes with them: that later
    merge is undone first)."""
    return (
        merge.undone_at is None
        and merge.kept_id == merge.kept_before.get("pk")
        and merge.kept.version == merge.kept_version
    )


def undo(merge: ContactMerge, user) -> Contact:
    """Put both people back as they were before ``merge``, each with their own cards,
    imported rows and earlier merges; return the person merged away, back.

    Raise NotUndoable, changing nothing, if the merge was undone already or the kept
    person changed since.
    """
    with transaction.atomic():
        merge = ContactMerge.objects.select_for_update().get(pk=merge.pk)
        kept = Contact.objects.select_for_update().get(pk=merge.kept_id)
        merge.kept = kept
        if not can_undo(merge):
            raise NotUndoable(
                f"{kept} has changed since the merge (or it was undone already): it can no "
                "longer be undone."
            )
        _restore(kept, merge.kept_before)
        kept.save()
        gone = merge.merged
        back = Contact(created_at=datetime.fromisoformat(gone["created_at"]))
        # The same address and UID as before (other address books know them by it), unless
        # taken meanwhile.
        if not Contact.objects.filter(pk=gone["pk"]).exists():
            back.pk = gone["pk"]
        if "uid" in gone and not Contact.objects.filter(uid=gone["uid"]).exists():
            back.uid = gone["uid"]
        back.save(force_insert=True)
        _restore(back, gone)
        back.save()
        moved = merge.moved
        Card.objects.filter(pk__in=moved["cards"], contact=kept).update(contact=back)
        rows = ImportedRow.objects.filter(pk__in=moved["imported_rows"], contact=kept)
        rows.update(contact=back)
        ContactMerge.objects.filter(pk__in=moved["merges"], kept=kept).update(kept=back)
        Contact.refresh_search([back])  # its cards held the kept person's details
        # Each person's version as before the merge: an earlier merge into either stays
        # undoable if nothing had changed them before this one.
        for person, saved in ((kept, merge.kept_before), (back, gone)):
            if "version" in saved:
                Contact.objects.filter(pk=person.pk).update(version=saved["version"])
        merge.undone_at = timezone.now()
        merge.undone_by = user
        merge.save(update_fields=["undone_at", "undone_by"])
    return back


def _restore(contact: Contact, saved: dict) -> None:
    """Give ``contact`` the details, emails and phones of ``saved`` (a snapshot); the
    caller saves it."""
    for name in FIELDS:
        setattr(contact, name, saved[name])
    services.set_emails(contact, saved["emails"])
    services.store_phones(contact, [tuple(pair) for pair in saved["phones"]])
