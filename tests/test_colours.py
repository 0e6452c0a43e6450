"""The text colour of meaning badges: black or white, whichever reads on the meaning's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts import colours
from contacts.folds import LR


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#fd7e14", "#000"),  # orange: white would be 2.57:1
        ("#ffc107", "#000"),
        ("#ffffff", "#000"),
        ("#0d6efd", "#fff"),
        ("#6c757d", "#fff"),
        ("#000000", "#fff"),
    ],
)
def test_it_picks_the_text_that_reads_on_a_colour(background, text):
    assert colours.text_colour(background) == text


@pytest.mark.django_db
def test_the_follow_up_list_writes_unhappy_in_black_and_hands_the_booth_the_same(
    client, alice, make_card
):
    card = make_card(LR)
    client.force_login(alice)
    page = client.get(reverse("contacts-followups") + "?owner=all").content.decode()
    assert 'style="background-color: #fd7e14; color: #000">Unhappy<' in page
    meanings = {m["slug"]: m for m in card.decode().as_json()["meanings"]}
    unhappy = meanings["unhappy"]
    assert (unhappy["colour"], unhappy["text_colour"]) == ("#fd7e14", "#000")
