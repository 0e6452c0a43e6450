"""The rules' one-line predicates and their Q twins say the same thing, card by card."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from itertools import product

import pytest
from django.db.models import Q

from contacts import rules
from contacts.folds import UR
from contacts.models import Card, Consent
from tests.conftest import user_in

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)
DAY = timedelta(days=1)


@pytest.fixture
def dave(django_user_model):
    """Booth staff like bob: his teammate."""
    return user_in(django_user_model, "dave", "Booth staff")


@pytest.fixture
def grid(make_card, bob, dave) -> list[Card]:
    """Return a card for each state, snooze end, due date and owner, as read back."""
    for state, snoozed_until, due_on, owner in product(
        Card.State.values,
        [None, TODAY - DAY, TODAY, TODAY + DAY],
        [TODAY - DAY, TODAY, TODAY + DAY],
        [bob, dave, None],
    ):
        card = make_card(UR, state=state, snoozed_until=snoozed_until, owner=owner)
        Card.objects.filter(pk=card.pk).update(due_on=due_on)  # past the decoding's date
    return list(Card.objects.all())


def agree(grid: list[Card], predicate: Callable[[Card], bool], twin: Q) -> None:
    by_predicate = {card.pk for card in grid if predicate(card)}
    assert 0 < len(by_predicate) < len(grid)  # the grid tells them apart
    assert by_predicate == set(Card.objects.filter(twin).values_list("pk", flat=True))


def test_open_agrees_with_its_twin(grid):
    agree(grid, rules.is_open, rules.open_followups())


def test_waiting_agrees_with_its_twin(grid):
    agree(grid, lambda card: rules.is_waiting(card, TODAY), rules.waiting(TODAY))


def test_overdue_agrees_with_its_twin(grid):
    agree(grid, lambda card: rules.is_overdue(card, TODAY), rules.overdue(TODAY))


@pytest.mark.parametrize("state", Card.State.values)
def test_in_state_keeps_the_cards_in_that_state_and_only_those(grid, state):
    # With the `waiting` the state implies (rules.in_state): a state would otherwise miss
    # the cards it is in, or keep those it is not.
    agree(grid, lambda card: card.state == state, rules.in_state(state))


def test_a_snoozed_card_whose_snooze_ended_is_waiting_and_may_be_overdue(grid):
    woken = [c for c in grid if c.state == "snoozed" and c.snoozed_until == TODAY - DAY]
    assert all(rules.is_waiting(card, TODAY) for card in woken)
    assert {rules.is_overdue(card, TODAY) for card in woken} == {True, False}


@pytest.mark.parametrize("who", ["bob", "dave", "alice"])
def test_can_work_agrees_with_workable_for_the_owner_a_teammate_and_a_manager(request, grid, who):
    user = request.getfixturevalue(who)
    if who == "alice":  # a manager works every card: the twin is "no condition"
        assert all(rules.can_work(user, card) for card in grid)
        assert Card.objects.filter(rules.workable(user)).count() == len(grid)
    else:
        agree(grid, lambda card: rules.can_work(user, card), rules.workable(user))


def test_kept_past_retention_agrees_with_its_twin(make_card):
    for state, consent in product(Card.State.values, Consent.values):
        make_card(UR, state=state, consent=consent)
    agree(list(Card.objects.all()), rules.is_kept_past_retention, rules.kept_past_retention())
