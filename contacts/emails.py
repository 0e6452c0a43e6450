"""Follow-up emails: the text filled from a meaning's template, the mailto: link, sending
and recording them, and the morning digest."""

from __future__ import annotations

import re
from datetime import date
from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from contacts import matching
from contacts.models import EmailBatch, SentEmail

if TYPE_CHECKING:
    from contacts.models import Card


# A placeholder: a name in braces, "{name}", single or doubled, "{{ name }}".
PLACEHOLDER = re.compile(r"\{\{?\s*(\w+)\s*\}?\}")
# The names a template may use, as ``draft`` fills them.
PLACEHOLDERS = ("name", "first_name", "company", "conference", "note")
# Titles before a name, which {first_name} passes over (lower case, without a dot).
TITLES = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof"})
# A name that reads as a placeholder meant (letters and _), rather than "{0}" or "{x2}".
PLACEHOLDER_LIKE = re.compile(r"[^\W\d]+")


def fill(template: str, values: dict[str, str]) -> str:
    """Return ``template`` with its {placeholders} filled; anything else in braces (an
    unknown name, "{0}", "{name[0]}", "{name:>9}", a lone brace) is left as written."""
    return PLACEHOLDER.sub(lambda found: values.get(found[1], found[0]), template)


def unknown_placeholders(template: str) -> list[str]:
    """Return the names in ``template``'s braces that look like placeholders but are
    none of PLACEHOLDERS (a misspelt "{frist_name}"), which ``fill`` would send as written."""
    names = {found[1] for found in PLACEHOLDER.finditer(template)}
    return sorted(n for n in names if PLACEHOLDER_LIKE.fullmatch(n) and n not in PLACEHOLDERS)


def placeholder_problem(template: str) -> str:
    """Return what is wrong with ``template``'s placeholders, in words, or "" when nothing
    is: a meaning is not saved with one (the vocabulary page, the admin, a file)."""
    unknown = unknown_placeholders(template)
    if not unknown:
        return ""
    names = " ".join(f"{{{name}}}" for name in unknown)
    is_not = "is not a placeholder" if len(unknown) == 1 else "are not placeholders"
    return f"{names} {is_not}: the placeholders are {' '.join(f'{{{n}}}' for n in PLACEHOLDERS)}."


def mailto(email: str, subject: str, body: str) -> str:
    """Return a mailto: link with the subject and body encoded."""
    return f"mailto:{quote(email, safe='@')}?subject={quote(subject)}&body={quote(body)}"


def first_name(name: str) -> str:
    """Return the first word of a name's given part (matching.split_name: "Reyes, Dana" is
    Dana) that is no title ("Dr. Dana Reyes" is Dana); else the name as written ("Dr.
    Reyes", "Cher")."""
    given, _ = matching.split_name(name)
    words = [word for word in given.split() if word.lower().rstrip(".") not in TITLES]
    return words[0] if words else name.strip()


def placeholder_values(card: Card) -> dict[str, str]:
    """Return what each of PLACEHOLDERS stands for in an email about ``card``."""
    contact = card.contact
    return {
        "name": contact.name,
        "first_name": first_name(contact.name),
        "company": contact.company,
        "conference": card.conference.name,
        "note": card.note,
    }


def draft(card: Card) -> tuple[str, str]:
    """Return the subject and body for following up ``card`` (decoded), from the template
    of its first meaning that has one."""
    values = placeholder_values(card)
    subject, body = f"Following up from {card.conference.name}", ""
    for meaning in card.decoding.meanings:
        if meaning.email_subject or meaning.email_body:
            subject, body = meaning.email_subject or subject, meaning.email_body
            break
    return fill(subject, values), fill(body, values)


def mailto_url(card: Card) -> str:
    """Return a mailto: link for following up ``card`` (decoded)."""
    return mailto(card.contact.email, *draft(card))


def one_line(text: str) -> str:
    """Return ``text`` on one line: an email header must not carry a line break."""
    return " ".join(text.splitlines()).strip()


def sender(user) -> str:
    """Return the From address of an email sent by ``user``: the site's address, named
    after the user (the user's own address is the Reply-To)."""
    name = one_line(user.get_full_name() or user.get_username())
    return formataddr((f"{name} via foldcard", parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def send_followup(
    card: Card,
    user,
    subject: str,
    body: str,
    batch: EmailBatch | None = None,
    connection: BaseEmailBackend | None = None,
) -> SentEmail:
    """Send a follow-up email to the card's person and record it on the card."""
    to = card.contact.email
    message = EmailMessage(
        subject=one_line(subject),
        body=body,
        from_email=sender(user),
        to=[formataddr((one_line(card.contact.name), to))],
        reply_to=[user.email] if user.email else [],
        connection=connection,
    )
    message.send()
    return SentEmail.objects.create(
        card=card, batch=batch, sent_by=user, to=to, subject=one_line(subject), body=body
    )


def digest(user, cards: list[Card], today: date) -> EmailMessage:
    """Return the morning digest of ``cards`` (decoded, most urgent first) for ``user``."""
    overdue = sum(1 for card in cards if card.due_on < today)
    due_today = len(cards) - overdue
    parts = [f"{overdue} overdue" if overdue else "", f"{due_today} due today" if due_today else ""]
    subject = "foldcard: " + " and ".join(part for part in parts if part)
    lines = []
    for card in cards:
        when = "overdue since" if card.due_on < today else "due"
        meanings = ", ".join(m.label for m in card.decoding.meanings) or "Unclassified"
        lines.append(
            f"- {card.contact.display_name}"
            + (f", {card.contact.company_beside_name}" if card.contact.company_beside_name else "")
            + f" ({meanings}; {card.conference.name}; {when} {card.due_on:%a %-d %b})\n"
            + f"  {settings.SITE_URL}{card.contact.get_absolute_url()}"
        )
    link = settings.SITE_URL + reverse("contacts-followups")
    body = (
        f"Good morning {user.get_short_name() or user.get_username()},\n\n"
        + "\n".join(lines)
        + f"\n\nYour follow-ups: {link}\n"
        + f"Change or stop this email: {settings.SITE_URL}{reverse('contacts-settings')}\n"
    )
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
