"""Follow-up rules with no database access: due buckets, email drafts, export cells."""

from __future__ import annotations

import string
from datetime import date, datetime, timedelta, tzinfo
from urllib.parse import quote

OVERDUE, TODAY, THIS_WEEK, LATER = "overdue", "today", "week", "later"
BUCKETS = {OVERDUE: "Overdue", TODAY: "Today", THIS_WEEK: "This week", LATER: "Later"}
WEEK = timedelta(days=7)

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = "=+-@\t\r"


def bucket(due_on: date, today: date) -> str:
    """Return which group of the follow-up list a card due on ``due_on`` belongs to."""
    if due_on < today:
        return OVERDUE
    if due_on == today:
        return TODAY
    if due_on <= today + WEEK:
        return THIS_WEEK
    return LATER


class _Placeholders(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, values: dict[str, str]) -> str:
    """Return ``template`` with {placeholders} filled; unknown ones are left as they are."""
    formatter = string.Formatter()
    try:
        return formatter.vformat(template, (), _Placeholders(values))
    except (ValueError, IndexError, AttributeError):
        # A lone brace or {0} in an admin's template: send the text as written.
        return template


def mailto(email: str, subject: str, body: str) -> str:
    """Return a mailto: link with the subject and body encoded."""
    return f"mailto:{quote(email, safe='@')}?subject={quote(subject)}&body={quote(body)}"


def neutralize(cell: str) -> str:
    """Return the cell so that a spreadsheet shows it as text, never runs it as a formula."""
    if cell and cell[0] in FORMULA_TRIGGERS:
        return "'" + cell
    return cell


def ical_priority(priority: int) -> int:
    """Map a card's priority to iCalendar's 1 (highest) to 9 (lowest)."""
    if priority >= 80:
        return 1
    if priority >= 50:
        return 3
    if priority >= 20:
        return 5
    if priority > 0:
        return 7
    return 9


class LocalMinutes:
    """Turn UTC timestamps read as text ("YYYY-MM-DD HH:MM…") into local ISO times to the
    minute, with their offset: "2026-11-20T05:00-05:00".

    The local hour and offset are worked out once per UTC hour, as an export has many
    cards and a conference few hours. An hour in which the offset changes, or a zone whose
    offset is not whole hours, is converted minute by minute.
    """

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.hours: dict[str, tuple[str, str] | None] = {}

    def __call__(self, utc: str) -> str:
        hour = utc[:13]
        if hour not in self.hours:
            self.hours[hour] = self._local_hour(hour)
        local = self.hours[hour]
        if local is None:
            moment = datetime.fromisoformat(utc[:16] + "+00:00").astimezone(self.zone)
            return moment.isoformat(timespec="minutes")
        prefix, offset = local
        return f"{prefix}:{utc[14:16]}{offset}"

    def _local_hour(self, hour: str) -> tuple[str, str] | None:
        """Return the local "YYYY-MM-DDTHH" and offset of a UTC hour, or None if its
        minutes do not map one to one."""
        start = datetime.fromisoformat(hour + ":00+00:00")
        first = start.astimezone(self.zone)
        last = (start + timedelta(minutes=59)).astimezone(self.zone)
        if first.minute or first.utcoffset() != last.utcoffset():
            return None
        text = first.isoformat(timespec="minutes")
        return text[:13], text[16:]
