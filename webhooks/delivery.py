"""Sending a delivery: claim it, sign it, post it, log the attempt, decide what next.

A failed delivery is tried again after RETRY_BASE, then twice as long each time (at most
RETRY_MAX apart), until RETRY_FOR after its first try; an endpoint that has failed every
try for FAILING_FOR is disabled and its owner told by email. The clock is
``timezone.now()``, which the tests move instead of waiting.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from webhooks.addresses import UnsafeURL, resolve
from webhooks.models import Attempt, Delivery, Endpoint

logger = logging.getLogger(__name__)

RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=4)
RETRY_FOR = timedelta(days=1)
FAILING_FOR = timedelta(days=1)
SIGNATURE_HEADER = "Foldcard-Signature"
EXCERPT_CHARS = 500
USER_AGENT = "foldcard-webhooks/1"

# (delivery id, when to send it; None: now), for the task to queue.
Next = tuple[int, datetime | None]


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after the ``attempts``-th failed try of a delivery."""
    return min(RETRY_BASE * 2 ** (attempts - 1), RETRY_MAX)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header's value: the time and the HMAC-SHA256 of
    "<timestamp>.<body>" keyed with the endpoint's secret (see README, Webhooks)."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass(frozen=True)
class Answer:
    status: int | None = None
    response: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _earlier_pending() -> Exists:
    """Return whether a delivery of the same subject to the same endpoint, made before
    this one, is still to be sent."""
    return Exists(
        Delivery.objects.filter(
            endpoint=OuterRef("endpoint"),
            subject=OuterRef("subject"),
            state=Delivery.State.PENDING,
            pk__lt=OuterRef("pk"),
        )
    )


def claim(delivery_id: int, now: datetime) -> Delivery | None:
    """Take the delivery to send it now, or return None: already sent or given up, being
    sent by another worker, not due yet, its endpoint disabled, or an earlier delivery of
    the same subject to the same endpoint still to be sent (it hands over when done)."""
    claimed = (
        Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING, endpoint__active=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(~_earlier_pending())
        .update(claimed_until=now + timedelta(seconds=settings.WEBHOOKS_TIMEOUT * 3 + 60))
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("endpoint", "endpoint__owner").get(pk=delivery_id)


def attempt(delivery_id: int) -> list[Next]:
    """Try to send the delivery once, log the attempt, and return what to queue next: its
    retry, or the next delivery of the same subject."""
    now = timezone.now()
    delivery = claim(delivery_id, now)
    if delivery is None:
        return []
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    started = time.monotonic()
    answer = post(delivery, body, now)
    duration_ms = round((time.monotonic() - started) * 1000)
    # One commit for what the attempt changes: on SQLite each commit is a write of the log.
    with transaction.atomic():
        return _record(delivery, answer, now, duration_ms)


def _record(delivery: Delivery, answer: Answer, now: datetime, duration_ms: int) -> list[Next]:
    """Log the attempt, and decide what comes of the delivery and its endpoint."""
    Attempt.objects.create(
        delivery=delivery,
        at=now,
        status=answer.status,
        error=answer.error[:300],
        response=answer.response,
        duration_ms=duration_ms,
    )
    delivery.attempts += 1
    delivery.first_attempt_at = delivery.first_attempt_at or now
    delivery.claimed_until = None
    endpoint = delivery.endpoint
    if answer.succeeded:
        delivery.state = Delivery.State.DELIVERED
        delivery.next_attempt_at = None
        if endpoint.failing_since is not None:
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
    else:
        _failed(endpoint, now)
        if not endpoint.active or now - delivery.first_attempt_at >= RETRY_FOR:
            delivery.state = Delivery.State.FAILED
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save(
        update_fields=["state", "attempts", "first_attempt_at", "next_attempt_at", "claimed_until"]
    )
    if delivery.state == Delivery.State.PENDING:
        return [(delivery.pk, delivery.next_attempt_at)]
    return hand_over(delivery)


def hand_over(delivery: Delivery) -> list[Next]:
    """Return the next delivery of the same subject to the same endpoint, if one waits."""
    following = (
        Delivery.objects.filter(
            endpoint_id=delivery.endpoint_id,
            subject=delivery.subject,
            state=Delivery.State.PENDING,
            pk__gt=delivery.pk,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return [] if following is None else [(following, None)]


# A delivery due this long ago and not being sent has lost its task (a worker stopped).
STALLED_AFTER = timedelta(minutes=10)


def stalled(now: datetime) -> list[int]:
    """Return the deliveries that should have been sent by ``now`` and are not being sent,
    each the first of its subject still to send: their task was lost (see resend_webhooks)."""
    before = now - STALLED_AFTER
    due = Q(next_attempt_at__lte=before) | Q(next_attempt_at__isnull=True, created_at__lte=before)
    return list(
        Delivery.objects.filter(due, state=Delivery.State.PENDING, endpoint__active=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(~_earlier_pending())
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def post(delivery: Delivery, body: bytes, now: datetime) -> Answer:
    """POST the signed body to the delivery's endpoint, at an address checked just now."""
    endpoint = delivery.endpoint
    try:
        address = resolve(endpoint.url)[0]
    except UnsafeURL as e:
        return Answer(error=str(e))
    parts = urlsplit(endpoint.url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Foldcard-Event": delivery.event,
        "Foldcard-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: sign(endpoint.secret, int(now.timestamp()), body),
    }
    connection = _connection(parts.scheme, parts.hostname, parts.port, str(address))
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_CHARS * 4).decode("utf-8", "replace")[:EXCERPT_CHARS]
        return Answer(status=response.status, response=excerpt)
    except TimeoutError:
        return Answer(error=f"No answer within {settings.WEBHOOKS_TIMEOUT:g} s.")
    except (OSError, http.client.HTTPException) as e:
        return Answer(error=f"{type(e).__name__}: {e}")
    finally:
        connection.close()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a host name, made to the address that was checked."""

    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a host name (its certificate checked for that name), made to
    the address that was checked."""

    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _connection(scheme: str, host: str, port: int | None, address: str):
    kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    return kind(host, port, address, settings.WEBHOOKS_TIMEOUT)


def _failed(endpoint: Endpoint, now: datetime) -> None:
    """Count a failed try against the endpoint: after a day of them, disable it, give up
    its deliveries and tell its owner."""
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=now)
        return
    if now - endpoint.failing_since < FAILING_FOR:
        return
    endpoint.active = False
    endpoint.disabled_at = now
    endpoint.save(update_fields=["active", "disabled_at"])
    endpoint.deliveries.filter(state=Delivery.State.PENDING).update(state=Delivery.State.FAILED)
    # After the commit: not holding the database while the mail server answers.
    transaction.on_commit(lambda: _tell_owner(endpoint))


def _tell_owner(endpoint: Endpoint) -> None:
    owner = endpoint.owner
    if not owner.email:
        return
    body = (
        f"foldcard could not deliver webhooks to {endpoint.url} for a day, and has stopped "
        "sending to it. The events since then were not sent.\n\n"
        f"See what it answered, and switch it on again once it works:\n"
        f"{settings.SITE_URL}{endpoint.get_absolute_url()}\n"
    )
    try:
        send_mail(
            f"Webhook disabled: {endpoint.url}",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [owner.email],
        )
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not tell %s that webhook %s was disabled", owner, endpoint.pk)
