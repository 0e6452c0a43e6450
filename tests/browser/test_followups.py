from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from contacts.folds import HALF, UL, UR
from contacts.models import Card, Contact

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


def expect_counts(page, rows: int) -> None:
    """Expect the header and the one group heading to count ``rows`` (the test's rows are
    all due the same day: one group, whichever it is today)."""
    expect(page.locator("[data-total]")).to_have_text(f"{rows} follow-up{'' if rows == 1 else 's'}")
    expect(page.locator("[data-group]")).to_have_text(re.compile(rf"\({rows}\)$"))


def test_an_action_updates_the_counts_and_says_so_with_an_undo(make_card, logged_in):
    dana = Contact.objects.create(name="Dana Reyes", company="Acme", email="dana@acme.io")
    top = make_card(UL | UR | HALF, contact=dana, note="wants a second region")
    other = make_card(UR, contact=dana, note="asked for the price list")
    sam = make_card(
        UL | UR | HALF, name="Sam Lee", state=Card.State.SNOOZED, snoozed_until=date(2020, 1, 1)
    )
    page = logged_in
    page.goto("/followups/")
    page.evaluate("window.notReloaded = true")
    rows = page.locator("[data-card]")
    expect(rows).to_have_count(2)
    status = page.locator("[data-followup-status]")
    expect_counts(page, 2)
    expect(status).to_have_attribute("role", "status")

    row = page.locator(f'[data-card="{top.pk}"]')
    expect(row).to_contain_text("asked for the price list")
    row.get_by_role("button", name="Done").click()
    expect(status).to_have_text(
        "Marked Dana Reyes, Acme done, with 1 other card from Expo 2026.Undo"
    )
    expect_counts(page, 1)
    expect(row.get_by_role("button", name="Reopen")).to_be_visible()

    status.get_by_role("button", name="Undo").click()
    expect(status).to_have_text(
        "Put Dana Reyes, Acme back as it was, with 1 other card from Expo 2026."
    )
    expect_counts(page, 2)
    expect(row.get_by_role("button", name="Done")).to_be_visible()
    for card in (top, other):
        card.refresh_from_db()
        assert (card.state, card.outcome) == (Card.State.OPEN, "")

    sam_row = page.locator(f'[data-card="{sam.pk}"]')
    sam_row.get_by_role("button", name="1 week").click()
    expect(status).to_contain_text("Snoozed Sam Lee, Acme until")
    expect_counts(page, 1)
    status.get_by_role("button", name="Undo").click()
    expect(status).to_have_text("Put Sam Lee, Acme back as it was.")
    sam.refresh_from_db()
    assert (sam.state, sam.snoozed_until) == (Card.State.SNOOZED, date(2020, 1, 1))
    assert page.evaluate("window.notReloaded") is True
