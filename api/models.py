"""Personal API tokens: a user's key to the REST API, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from events.models import Conference

PREFIX_LENGTH = 8

# last_used_at is written at most this often: not a database write on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    """Return the SHA-256 hex digest a token is stored and looked up by."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A token acting for its user with the user's permissions, optionally limited to
    reading and to one conference."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    read_only = models.BooleanField(default=False)
    conference = models.ForeignKey(
        Conference,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The only conference the token reaches; every conference when empty.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user, name: str, **fields) -> tuple[ApiToken, str]:
        """Create a token for ``user`` and return it with its key, which is not stored."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=hash_key(key), prefix=key[:PREFIX_LENGTH], **fields
        )
        return token, key

    def is_expired(self, now: datetime) -> bool:
        """Return whether the token has expired at ``now``."""
        return self.expires_at is not None and self.expires_at <= now

    def reaches(self, conference: Conference) -> bool:
        """Return whether the token may act on ``conference``."""
        return self.conference_id is None or self.conference_id == conference.pk

    def touch(self, now: datetime) -> None:
        """Record that the token was used at ``now`` (to the minute)."""
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_PRECISION:
            self.last_used_at = now
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
