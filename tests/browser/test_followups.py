from __future__ import annotations

import pytest
from playwright.sync_api import expect

from contacts.folds import HALF, UL, UR
from contacts.models import Card

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_works_the_list_in_place(make_card, logged_in):
    top = make_card(UL | UR | HALF, name="Dana Reyes")
    second = make_card(HALF, name="Li Wei")
    make_card(UR, name="Sam Lee")
    page = logged_in
    page.goto("/followups/")
    rows = page.locator("[data-card]")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Dana Reyes")
    # A marker on the page survives only if the page is not reloaded.
    page.evaluate("window.notReloaded = true")

    first = page.locator(f'[data-card="{top.pk}"]')
    first.get_by_label("Outcome").fill("Sent the quote")
    first.get_by_role("button", name="Done").click()
    expect(first).to_contain_text("Outcome: Sent the quote")
    expect(first).to_contain_text("done")
    expect(first.get_by_role("button", name="Reopen")).to_be_visible()

    next_row = page.locator(f'[data-card="{second.pk}"]')
    next_row.get_by_role("button", name="Snooze 1 day").click()
    expect(next_row).to_contain_text("snoozed until")

    assert page.evaluate("window.notReloaded") is True
    top.refresh_from_db()
    second.refresh_from_db()
    assert (top.state, top.outcome) == (Card.State.DONE, "Sent the quote")
    assert second.state == Card.State.SNOOZED

    page.reload()
    expect(page.locator("[data-card]")).to_have_count(1)
    expect(page.locator("[data-card]")).to_contain_text("Sam Lee")
