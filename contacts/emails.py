"""Follow-up emails: the text filled from a meaning's template, and the mailto: link."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from contacts.models import Card


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


def draft(card: Card) -> tuple[str, str]:
    """Return the subject and body for following up ``card`` (decoded), from the template
    of its first meaning that has one."""
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
    return fill(subject, values), fill(body, values)


def mailto_url(card: Card) -> str:
    """Return a mailto: link for following up ``card`` (decoded)."""
    return mailto(card.contact.email, *draft(card))
