"""Webhook endpoints, the deliveries queued for them, and every attempt to send one."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

# What an endpoint may subscribe to, with what it means; see webhooks.events.emit.
EVENTS = {
    "card.logged": "A card was logged (at the booth, by an import or through the API).",
    "card.updated": "A card's folds, note or person were edited.",
    "followup.done": "A card's follow-up was marked done.",
    "followup.dropped": "A card's follow-up was dropped.",
    "followup.reopened": "A card's follow-up, done or dropped, was reopened or its closing undone.",
    "contact.merged": "People were merged into one contact.",
    "contact.erased": "A contact was erased.",
}


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """A URL that is sent the events it subscribes to, each signed with its secret."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField("URL", max_length=2000)
    # Kept as it is, not hashed: every delivery is signed with it.
    secret = models.CharField(max_length=200, default=new_secret)
    events = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the endpoint started failing (reset by a success); a day of failures disables it.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return reverse("webhooks-endpoint", args=[self.pk])


class Delivery(models.Model):
    """One event to send to one endpoint, retried until it is taken or a day has passed."""

    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    endpoint = models.ForeignKey(Endpoint, models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    # What the event is about ("card:12"): an endpoint gets the events of one subject in
    # the order they happened, a delivery waiting for the one before it.
    subject = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker sending it holds it until then, so that no two workers send it at once.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            # The delivery before this one of the same subject, still to be sent
            # (delivery.claim), and the next one to hand over to (delivery.hand_over).
            models.Index(fields=["endpoint", "subject", "state"], name="delivery_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"


class Attempt(models.Model):
    """One try at sending a delivery: what the endpoint answered, or what went wrong."""

    delivery = models.ForeignKey(Delivery, models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    response = models.TextField(blank=True, help_text="The start of the endpoint's answer.")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery} at {self.at}: {self.status or self.error}"
