"""What state a card's follow-up is in, and who may do what with it: each rule once.

The model, the follow-up list, the templates (through the rows' prepared attributes), the
exports and the views all ask here. A rule the database filters by has a ``Q`` twin
beside it, and the two are kept saying the same thing by tests/test_rules.py.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q

if TYPE_CHECKING:
    from contacts.models import Card

# A follow-up still to be made: not done and not dropped. The cards' generated `waiting`
# column is defined by this list.
OPEN_STATES = ["open", "snoozed"]

MANAGE = "contacts.manage_followups"


def is_open(card: Card) -> bool:
    """Return whether the card's follow-up is still to be made (open or snoozed)."""
    return card.state in OPEN_STATES


def open_followups() -> Q:
    """Return the cards for which is_open() holds, for the database."""
    return Q(state__in=OPEN_STATES)


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


def is_kept_past_retention(card: Card) -> bool:
    """Return whether the card outlives its conference's retention period: its follow-up
    was done, or the person is an existing customer."""
    return card.state == "done" or card.consent == "customer"


def kept_past_retention() -> Q:
    """Return the cards for which is_kept_past_retention() holds, for the database."""
    return Q(state="done") | Q(consent="customer")
