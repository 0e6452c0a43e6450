"""The follow-up list's groups: which cards are overdue, due today, this week or later."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.db.models import Q

OVERDUE, TODAY, THIS_WEEK, LATER = "overdue", "today", "week", "later"
BUCKETS = {OVERDUE: "Overdue", TODAY: "Today", THIS_WEEK: "This week", LATER: "Later"}
WEEK = timedelta(days=7)
# How many years ahead a snooze may end: next year's conference, not a year mistyped.
LONGEST_SNOOZE_YEARS = 2


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


def snooze_days(today: date) -> tuple[date, date]:
    """Return the first and the last day a snooze from ``today`` may end on."""
    year = today.year + LONGEST_SNOOZE_YEARS
    # The same day that many years on; from 29 February, the last day of February.
    last = date(year, today.month, min(today.day, calendar.monthrange(year, today.month)[1]))
    return today + timedelta(days=1), last


def day(value: date, today: date) -> str:
    """Return ``value`` as the follow-up pages write a day ("Mon 4 Jan"), with its year
    when that is not this year's."""
    return f"{value:%a %-d %b}" if value.year == today.year else f"{value:%a %-d %b %Y}"
