"""The follow-up list's groups: which cards are overdue, due today, this week or later."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

OVERDUE, TODAY, THIS_WEEK, LATER = "overdue", "today", "week", "later"
BUCKETS = {OVERDUE: "Overdue", TODAY: "Today", THIS_WEEK: "This week", LATER: "Later"}
WEEK = timedelta(days=7)


def bucket(due_on: date, today: date) -> str:
    """Return which group of the follow-up list a card due on ``due_on`` belongs to."""
    if due_on < today:
        return OVERDUE
    if due_on == today:
        return TODAY
    if due_on <= today + WEEK:
        return THIS_WEEK
    return LATER


def due_in(key: str, today: date) -> Q:
    """Return the cards that bucket() puts in the group ``key``, for the database."""
    if key == OVERDUE:
        return Q(due_on__lt=today)
    if key == TODAY:
        return Q(due_on=today)
    if key == THIS_WEEK:
        return Q(due_on__gt=today, due_on__lte=today + WEEK)
    if key == LATER:
        return Q(due_on__gt=today + WEEK)
    raise ValueError(f"{key} is not a due bucket")
