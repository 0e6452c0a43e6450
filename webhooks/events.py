"""Telling the webhook endpoints what happened: the write paths call emit()."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import Exists
from django.utils import timezone

from contacts.queries import read_persons_consent
from webhooks import tasks
from webhooks.models import EVENTS, Delivery, Endpoint

CARD_EVENTS = (
    "card.logged",
    "card.updated",
    "followup.done",
    "followup.dropped",
    "followup.reopened",
)
CONTACT_DETAILS = ("name", "company", "title", "email", "phone", "website")


def emit(event: str, obj, *, merged_ids: list[int] | None = None, by=None) -> None:
    """Queue ``event`` about ``obj`` for every active endpoint subscribed to it.

    Call it from the service that makes the change, inside its transaction, once the
    change is saved: the deliveries are written in that transaction (rolled back with it)
    and handed to the task queue when it commits. The body is made now, so that each
    delivery says what was true when the event happened; an endpoint gets the events of
    one card (or one contact) in the order they were emitted.

    - ``card.logged``, ``card.updated``, ``followup.done``, ``followup.dropped``: ``obj``
      is the saved Card; the body's ``data`` is the card as the API gives it.
    - ``contact.merged``: ``obj`` is the Contact that remains, saved with what it took
      over; ``merged_ids`` the ids of the contacts merged into it (deleted). ``data`` is
      ``{"contact": {id, name, company, title, email, phone, website}, "merged_ids"}``.
    - ``contact.erased``: ``obj`` is the Contact being erased; call it before the row is
      deleted. ``data`` is ``{"contact": {"id": id}}`` and nothing else of the person.

    ``by`` is the user making the change: read by foldcard.auth.Backend, they know whether
    any endpoint is active (any_active), which spares the booth's save a statement on a
    site without webhooks.

    Raise ValueError for an event not in webhooks.models.EVENTS.
    """
    emit_each(event, [obj], merged_ids=merged_ids, by=by)


def emit_each(event: str, objs: list, *, merged_ids: list[int] | None = None, by=None) -> None:
    """Queue ``event`` about each of ``objs`` (in that order), as emit() does, reading the
    endpoints once: a bulk action's events."""
    if event not in EVENTS:
        raise ValueError(f"{event} is not a webhook event")
    if getattr(by, "webhooks_active", True) is False:
        return
    endpoints = [e for e in Endpoint.objects.filter(active=True) if event in e.events]
    if not endpoints or not objs:
        return
    kind = "card" if event in CARD_EVENTS else "contact"
    if kind == "card":
        read_persons_consent(objs)  # each card's may_be_emailed, in one query
    now = timezone.now()
    payloads = [
        (
            obj,
            {
                "id": str(uuid.uuid4()),
                "event": event,
                "created_at": now.isoformat(),
                "data": _data(event, obj, merged_ids),
            },
        )
        for obj in objs
    ]
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            event=event,
            subject=f"{kind}:{obj.pk}",
            payload=payload,
            created_at=now,
        )
        for obj, payload in payloads
        for endpoint in endpoints
    )
    # Only the ids wait for the commit: an import's one transaction emits for every row.
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _enqueue(ids))


def any_active() -> Exists:
    """Return whether any endpoint is active, as an expression to read with the user."""
    return Exists(Endpoint.objects.filter(active=True))


def forget(card_ids: list[int], contact_ids: list[int]) -> None:
    """Delete every delivery about the cards and the contacts, sent or waiting, with its
    attempts' log: what an erasure takes away."""
    subjects = [f"card:{pk}" for pk in card_ids] + [f"contact:{pk}" for pk in contact_ids]
    Delivery.objects.filter(subject__in=subjects).delete()


def _data(event: str, obj, merged_ids: list[int] | None) -> dict:
    if event in CARD_EVENTS:
        # Imported here: the API's serializers import the forms, which import the services
        # that call emit().
        from api.serializers import CardSerializer

        return CardSerializer(obj).data
    if event == "contact.erased":
        return {"contact": {"id": obj.pk}}
    contact = {"id": obj.pk} | {name: getattr(obj, name) for name in CONTACT_DETAILS}
    return {"contact": contact, "merged_ids": list(merged_ids or [])}


def _enqueue(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        tasks.deliver.enqueue(delivery_id)
