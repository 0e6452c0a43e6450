"""What state a card's follow-up is in, and who may do what with it: each rule once.

The model, the follow-up list, the templates (through the rows' prepared attributes), the
exports and the views all ask here. A rule the database filters by has a ``Q`` twin
beside it, and the two are kept saying the same thing by tests/test_rules.py.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from contacts.models import Card, Vocabulary, VocabularyChange

# A follow-up still to be made: not done and not dropped. The cards' generated `waiting`
# column is defined by this list.
OPEN_STATES = ["open", "snoozed"]

MANAGE = "contacts.manage_followups"
WORK = "contacts.work_followups"


def is_open(card: Card) -> bool:
    """Return whether the card's follow-up is still to be made (open or snoozed)."""
    return card.state in OPEN_STATES


def open_followups() -> Q:
    """Return the cards for which is_open() holds, for the database."""
    return Q(state__in=OPEN_STATES)


def in_state(state: str) -> Q:
    """Return the cards in ``state``, for the database: with the `waiting` that the state
    implies, which the follow-up indexes start with (the list of the cards done reads
    them from its index, not every card; "waiting IN (…)" as in waiting())."""
    return Q(state=state, waiting__in=[state in OPEN_STATES])


def may_be_emailed(card: Card) -> bool:
    """Return whether foldcard may email the card's person: not when the last they said, on
    any card of theirs, is that they do not want to be contacted (``persons_consent``, from
    CardQuerySet.with_persons_consent): a card that records nothing does not undo it."""
    return card.persons_consent != "declined"  # Consent.DECLINED (models import this module)


# Why foldcard sends no email to a person who declined.
DECLINED = "said they do not want to be contacted: foldcard sends them nothing"


def snooze_is_over(card: Card, today: date) -> bool:
    """Return whether the card is not snoozed past ``today``."""
    return card.snoozed_until is None or card.snoozed_until <= today


def is_waiting(card: Card, today: date) -> bool:
    """Return whether the card is in the follow-up list: open, and any snooze is over."""
    return is_open(card) and snooze_is_over(card, today)


def is_overdue(card: Card, today: date) -> bool:
    """Return whether the card is waiting and was due before ``today``."""
    return is_waiting(card, today) and card.due_on < today


def waiting(today: date) -> Q:
    """Return the cards for which is_waiting() holds, for the database."""
    # "waiting IN (true)", not plain "waiting": SQLite uses an index only for the former.
    return Q(waiting__in=[True]) & (Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today))


def overdue(today: date) -> Q:
    """Return the cards for which is_overdue() holds, for the database."""
    return waiting(today) & Q(due_on__lt=today)


def can_work_everyones(user) -> bool:
    """Return whether the user may work and reassign anyone's follow-ups."""
    return user.has_perm(MANAGE)


def can_work(user, card: Card) -> bool:
    """Return whether the user may mark the card done, snooze, drop or reopen it."""
    return card.owner_id == user.pk or can_work_everyones(user)


def workable(user) -> Q:
    """Return the cards for which can_work() holds, for the database."""
    return Q() if can_work_everyones(user) else Q(owner=user)


def can_undo(user, card: Card) -> bool:
    """Return whether the user may take back the card's logging at the booth."""
    return card.logged_by_id == user.pk or can_work_everyones(user)


EDIT_VOCABULARIES = "contacts.change_vocabulary"
EDIT_MEANINGS = "contacts.change_meaning"


def can_edit_meanings(user) -> bool:
    """Return whether the user may change the meanings, which every vocabulary shares."""
    return user.has_perm(EDIT_MEANINGS)


def can_edit_vocabulary(user, vocabulary: Vocabulary) -> bool:
    """Return whether the user may change the vocabulary's rules: an editor, or its owner."""
    return vocabulary.owner_id == user.pk or user.has_perm(EDIT_VOCABULARIES)


def can_revert(user, change: VocabularyChange) -> bool:
    """Return whether the user may revert the change (of a vocabulary they may edit): a
    meaning's needs can_edit_meanings, and a vocabulary's creation cannot be reverted."""
    if change.kind == "meaning":
        return can_edit_meanings(user)
    return change.kind == "rule" or change.before is not None


def can_copy_vocabularies(user) -> bool:
    """Return whether the user may copy a vocabulary to make it their own."""
    return user.has_perm(EDIT_VOCABULARIES) or user.has_perm("contacts.log_cards")


def visible_vocabularies(user) -> Q:
    """Return the vocabularies the user sees: the shared ones and their own (an editor
    all)."""
    return Q() if user.has_perm(EDIT_VOCABULARIES) else Q(owner=None) | Q(owner=user)


def can_edit_contact(user) -> bool:
    """Return whether the user may edit a person's details on their page (booth staff and
    managers: who logs cards may correct them)."""
    return user.has_perm("contacts.log_cards")


def can_merge(user) -> bool:
    """Return whether the user may see the possible duplicates and merge two people."""
    return can_work_everyones(user)


def is_kept_past_retention(card: Card) -> bool:
    """Return whether the card outlives its conference's retention period: its follow-up
    was done, or the person is an existing customer."""
    return card.state == "done" or card.consent == "customer"


def kept_past_retention() -> Q:
    """Return the cards for which is_kept_past_retention() holds, for the database."""
    return Q(state="done") | Q(consent="customer")


def followup_owners() -> QuerySet:
    """Return who may be given a follow-up: the active users who may work follow-ups, and
    the superusers."""
    return get_user_model().objects.with_perm(
        WORK, backend="django.contrib.auth.backends.ModelBackend"
    )
