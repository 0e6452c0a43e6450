"""Work that spans several models: keeping cards' denormalized decoding current."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.db import models, transaction
from django.db.models.functions import Cast

from contacts.models import Card, Meaning, Vocabulary
from events.models import Conference


def decode_cards(cards: Iterable[Card]) -> list[Card]:
    """Set ``card.decoding`` on each card, compiling each vocabulary's table once."""
    tables: dict[int, tuple] = {}
    cards = list(cards)
    for card in cards:
        if card.vocabulary_id not in tables:
            tables[card.vocabulary_id] = card.vocabulary.table()
        card.decoding = card.decode(tables[card.vocabulary_id])
    return cards


def reprioritize(vocabularies: Iterable[Vocabulary]) -> int:
    """Re-decode every card of ``vocabularies``: priority, window and due date.

    One UPDATE per distinct (priority, window) of each vocabulary's table, touching only
    the cards whose values change. Return the number of cards changed.
    """
    changed = 0
    with transaction.atomic():
        for vocabulary in vocabularies:
            groups: dict[tuple[int, int], list[int]] = defaultdict(list)
            for decoding in vocabulary.table():
                groups[decoding.priority, decoding.window_days].append(decoding.folds)
            for (priority, window), masks in groups.items():
                stale = Card.objects.filter(vocabulary=vocabulary, folds__in=masks).filter(
                    ~models.Q(priority=priority) | ~models.Q(window_days=window)
                )
                changed += stale.update(
                    priority=priority,
                    window_days=window,
                    due_on=Cast(
                        models.F("due_from") + timedelta(days=window),
                        output_field=models.DateField(),
                    ),
                )
    return changed


def meaning_changed(meaning: Meaning) -> int:
    """Re-decode the cards of every vocabulary that uses ``meaning``."""
    return reprioritize(Vocabulary.objects.filter(rules__meanings=meaning).distinct())


def conference_dates_changed(conference: Conference) -> int:
    """Recompute the due dates of the conference's cards after its last day moved."""
    cards = list(conference.cards.only("logged_at", "window_days", "priority"))
    for card in cards:
        card.conference = conference
        card.refresh_due()
    Card.objects.bulk_update(cards, ["due_from", "due_on"], batch_size=1000)
    return len(cards)
