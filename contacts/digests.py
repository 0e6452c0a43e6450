"""The morning digest: each owner's overdue and due-today follow-ups, once a day at the
hour they chose, in their time zone."""

from __future__ import annotations

from datetime import datetime

from contacts import emails, queries, rules
from contacts.models import UserSettings


def is_due(user_settings: UserSettings, now: datetime) -> bool:
    """Return whether the user's digest hour has come today and today's is not sent."""
    local = now.astimezone(user_settings.get_time_zone())
    return (
        user_settings.digest_at is not None
        and local.time() >= user_settings.digest_at
        and user_settings.last_digest_on != local.date()
    )


def send_digests(now: datetime, force: bool = False) -> list[str]:
    """Send the digests due at ``now`` (every one switched on, with ``force``), at most one
    per person and day; return to whom. Nothing is sent to someone with nothing due."""
    sent = []
    # Those who may work follow-ups only: a role taken away stops the emails about its cards.
    users = rules.followup_owners().exclude(email="").order_by("pk")
    for user in users:
        user_settings = UserSettings.of(user)
        if user_settings.digest_at is None or not (force or is_due(user_settings, now)):
            continue
        today = now.astimezone(user_settings.get_time_zone()).date()
        cards = queries.due_for_digest(user, today)
        if cards and _claim(user_settings, today):
            try:
                emails.digest(user, cards, today).send()
            except BaseException:
                _release(user_settings, today)
                raise
            sent.append(user.email)
    return sent


def _claim(user_settings: UserSettings, today) -> bool:
    """Mark today's digest as sent unless it already is, in one statement, so that two
    runs at once send it once."""
    pending = UserSettings.objects.filter(pk=user_settings.pk).exclude(last_digest_on=today)
    return pending.update(last_digest_on=today) == 1


def _release(user_settings: UserSettings, today) -> None:
    """Take back today's claim after the digest could not be sent."""
    claimed = UserSettings.objects.filter(pk=user_settings.pk, last_digest_on=today)
    claimed.update(last_digest_on=user_settings.last_digest_on)
