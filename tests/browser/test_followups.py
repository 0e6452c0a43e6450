"""The follow-up list worked as a queue: from the keyboard, in bulk, and on a phone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts import services
from contacts.folds import DIAG, HALF, LL, LR, UL, UR
from contacts.models import Card, Contact
from tests.browser.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def queue(make_card, count: int, **kwargs) -> list[Card]:
    """Return ``count`` cards of different people, met a minute apart: listed in order."""
    met = timezone.make_aware(datetime(2026, 11, 20, 10))
    return [
        make_card(
            UR,
            contact=Contact.objects.create(
                name=f"Person {n}", company="Acme", email=f"person{n}@acme.example"
            ),
            note=f"note of person {n}",
            logged_at=met + timedelta(minutes=n),
            **kwargs,
        )
        for n in range(1, count + 1)
    ]


def row(page, card: Card):
    return page.locator(f'[data-card="{card.pk}"]')


def expect_counts(page, rows: int) -> None:
    """Expect the header and the one group heading to count ``rows`` (the test's rows are
    all due the same day: one group, whichever it is today)."""
    expect(page.locator("[data-total]")).to_have_text(f"{rows} follow-up{'' if rows == 1 else 's'}")
    expect(page.locator("[data-group]")).to_have_text(re.compile(rf"\({rows}\)$"))


def states(*cards: Card) -> list[str]:
    for card in cards:
        card.refresh_from_db()
    return [card.state for card in cards]


def test_it_works_five_cards_from_the_keyboard(make_card, logged_in, smtp_server):
    cards = queue(make_card, 5)
    page = logged_in
    page.goto("/followups/")
    page.evaluate("window.notReloaded = true")
    status = page.locator("[data-followup-status]")
    expect(page.locator("[data-card]")).to_have_count(5)
    expect(row(page, cards[0])).to_have_class(re.compile("is-current"))

    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_visible()
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()

    # The first: opened (its note in the panel), then done with an outcome.
    page.keyboard.press("Enter")
    panel = page.locator("[data-panel]")
    expect(panel).to_contain_text("note of person 1")
    expect(panel.get_by_label("Outcome")).to_be_visible()
    page.keyboard.press("d")
    expect(page.get_by_role("dialog", name="Done")).to_be_visible()
    page.keyboard.type("Sent the quote")
    page.keyboard.press("Enter")
    expect(status).to_have_text("Marked Person 1, Acme done.Undo")
    expect(row(page, cards[0])).to_contain_text("Outcome: Sent the quote")
    expect_counts(page, 4)

    # The next ones: snoozed for a week, dropped (and that undone, then snoozed a day).
    expect(row(page, cards[1])).to_have_class(re.compile("is-current"))
    expect(panel).to_contain_text("note of person 2")
    page.keyboard.press("s")
    page.keyboard.press("w")
    expect(status).to_contain_text("Snoozed Person 2, Acme until")
    page.keyboard.press("x")
    expect(status).to_have_text("Dropped Person 3, Acme.Undo")
    page.keyboard.press("u")
    expect(status).to_have_text("Put Person 3, Acme back as it was.")
    page.keyboard.press("k")
    expect(row(page, cards[2])).to_have_class(re.compile("is-current"))
    page.keyboard.press("s")
    page.keyboard.press("1")
    expect(status).to_contain_text("Snoozed Person 3, Acme until")
    expect_counts(page, 2)
    assert page.evaluate("window.notReloaded") is True

    # The fourth is skipped; the fifth is emailed through the composer.
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    expect(row(page, cards[4])).to_have_class(re.compile("is-current"))
    page.keyboard.press("e")
    expect(page.get_by_label("Subject")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("[role=status]").first).to_have_text(
        "Sent to person5@acme.example. Marked Person 5, Acme done."
    )
    assert [message["To"] for message in smtp_server.messages] == [
        "Person 5 <person5@acme.example>"
    ]
    assert states(*cards) == ["done", "snoozed", "snoozed", "open", "done"]
    assert (cards[0].outcome, cards[4].emails.count()) == ("Sent the quote", 1)
    # Back on the list, the one left is current, and / goes to the search.
    expect(page.locator("[data-card]")).to_have_count(1)
    expect(row(page, cards[3])).to_have_class(re.compile("is-current"))
    page.keyboard.press("/")
    expect(page.get_by_label("Search")).to_be_focused()


def test_a_row_done_in_place_offers_reopen_not_the_actions_that_close_it(make_card, logged_in):
    cards = queue(make_card, 2)
    page = logged_in
    page.goto("/followups/")
    actions = page.locator("[data-row-actions]")
    page.keyboard.press("x")
    expect(page.locator("[data-followup-status]")).to_have_text("Dropped Person 1, Acme.Undo")
    page.keyboard.press("k")
    expect(row(page, cards[0])).to_have_class(re.compile("is-current"))
    for action in ("Done", "Snooze", "Drop"):
        expect(actions.get_by_role("button", name=action, exact=True)).to_be_hidden()
    # Its keys close nothing again: no dialog, no request.
    page.keyboard.press("s")
    expect(page.get_by_role("dialog", name="Snooze")).to_be_hidden()
    expect(page.locator("[data-followup-status]")).to_have_text(
        "Person 1 is dropped already: o reopens it."
    )
    page.keyboard.press("d")
    expect(page.get_by_role("dialog", name="Done")).to_be_hidden()
    assert states(cards[0]) == ["dropped"]
    actions.get_by_role("button", name="Reopen").click()
    expect(page.locator("[data-followup-status]")).to_contain_text("Reopened Person 1, Acme")
    assert states(cards[0]) == ["open"]
    # Open again, it offers them again.
    page.keyboard.press("k")
    expect(actions.get_by_role("button", name="Done", exact=True)).to_be_visible()
    expect(actions.get_by_role("button", name="Reopen")).to_be_hidden()
    # Dropped from its detail, the row stays current and offers Reopen at once.
    page.keyboard.press("Enter")
    page.locator("[data-panel]").get_by_role("button", name="Drop").click()
    expect(row(page, cards[0])).to_have_attribute("data-state", "dropped")
    expect(actions.get_by_role("button", name="Reopen")).to_be_visible()
    expect(actions.get_by_role("button", name="Drop", exact=True)).to_be_hidden()


@pytest.mark.parametrize(
    ("state", "url", "heading"),
    [
        ("done", "/followups/?state=done", "Done"),
        ("open", "/followups/?sort=priority", "By priority"),
    ],
)
def test_the_one_group_of_a_list_not_by_due_counts_the_rows_worked(
    make_card, logged_in, state, url, heading
):
    queue(make_card, 3, state=state)
    page = logged_in
    page.goto(url)
    expect(page.locator("[data-group]")).to_have_text(f"{heading} (3)")
    page.keyboard.press("o" if state == "done" else "x")  # reopened, or dropped
    expect(page.locator("[data-followup-status]")).to_contain_text("Person 1")
    expect_counts(page, 2)
    page.goto(url)
    expect(page.locator("[data-group]")).to_have_text(f"{heading} (2)")


def test_after_an_email_the_row_after_it_is_current(make_card, logged_in, smtp_server):
    cards = queue(make_card, 3)
    page = logged_in
    page.goto("/followups/")
    page.keyboard.press("j")
    page.keyboard.press("e")
    expect(page.get_by_label("Subject")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("[role=status]").first).to_contain_text("Marked Person 2, Acme done.")
    expect(row(page, cards[2])).to_have_class(re.compile("is-current"))
    assert states(*cards) == ["open", "done", "open"]


def test_the_detail_takes_the_keyboard_and_gives_it_back(make_card, logged_in, bob):
    cards = queue(make_card, 2)
    page = logged_in
    page.goto("/followups/")
    expect(row(page, cards[0])).to_have_class(re.compile("is-current"))
    page.keyboard.press("Enter")
    panel = page.locator("[data-panel]")
    expect(panel).to_contain_text("note of person 1")
    # Its controls are next on Tab, not after every row of the list.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('[data-panel]').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    # The list's keys again: Enter opens the current row, Space selects it, j moves on.
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(panel).to_contain_text("note of person 2")
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    page.keyboard.press("Space")
    expect(row(page, cards[1]).locator("input[type=checkbox]")).to_be_checked()
    page.keyboard.press("Space")
    # Enter on the assign dialog's select assigns.
    page.keyboard.press("a")
    owner = page.get_by_role("dialog", name="Assign").get_by_label("Give to")
    owner.select_option(label="bob")
    owner.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-followup-status]")).to_contain_text("is now followed up by bob")


def test_a_bulk_done_with_its_one_undo(make_card, logged_in):
    cards = queue(make_card, 5)
    page = logged_in
    page.goto("/followups/")
    bar = page.locator("[data-bulk]")
    expect(bar).to_be_hidden()
    # A click, a Shift-click and Space: the first three and the fifth.
    row(page, cards[0]).get_by_label("Select Person 1").click()
    row(page, cards[2]).get_by_label("Select Person 3").click(modifiers=["Shift"])
    expect(bar).to_contain_text("3 selected:")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(row(page, cards[4])).to_have_class(re.compile("is-current"))
    page.keyboard.press(" ")
    expect(bar).to_contain_text("4 selected:")
    page.keyboard.press("d")
    page.keyboard.type("Met at the stand")
    page.keyboard.press("Enter")
    status = page.locator("[data-followup-status]")
    expect(status).to_have_text("Marked 4 follow-ups done.Undo")
    expect(bar).to_be_hidden()
    # The current row was done with them: the one left becomes current.
    expect(row(page, cards[3])).to_have_class(re.compile("is-current"))
    expect_counts(page, 1)
    assert states(*cards) == ["done", "done", "done", "open", "done"]
    assert cards[0].outcome == "Met at the stand"
    for card in (cards[0], cards[4]):
        expect(row(page, card)).to_contain_text("Outcome: Met at the stand")

    status.get_by_role("button", name="Undo").click()
    expect(status).to_have_text("Put 4 cards back as they were.")
    expect_counts(page, 5)
    assert states(*cards) == ["open"] * 5
    assert {card.outcome for card in cards} == {""}


def test_the_bulk_bar_acts_on_the_selection_and_reports_what_it_skipped(make_card, logged_in):
    cards = queue(make_card, 2)
    page = logged_in
    page.goto("/followups/")
    for card in cards:
        row(page, card).locator("[data-select]").check()
    services.work_followup(cards[1], cards[1].owner, "snooze", days=1)  # in another tab
    page.locator("[data-bulk]").get_by_role("button", name="Drop").click()
    expect(page.locator("[data-followup-status]")).to_have_text(
        "Dropped 1 follow-up. Left as they were: Person 2, Acme: someone changed it after "
        "you loaded the list.Undo"
    )
    assert states(*cards) == ["dropped", "snoozed"]


def test_a_key_on_a_row_someone_changed_since_the_list_was_loaded_changes_nothing(
    make_card, logged_in, bob
):
    cards = queue(make_card, 2)
    page = logged_in
    page.goto("/followups/")
    expect(row(page, cards[0])).to_have_class(re.compile("is-current"))
    # A colleague marks the first done from their own page, after this one was loaded.
    services.work_followup(Card.objects.get(pk=cards[0].pk), bob, "done", "Signed by mgr")
    page.keyboard.press("x")
    status = page.locator("[data-followup-status]")
    expect(status).to_have_text(
        "That did not work: Someone changed Person 1, Acme after you loaded this page, so "
        "nothing was done: it is as they left it."
    )
    # The row shows what they did; the card keeps it, and the list its counts.
    expect(row(page, cards[0])).to_contain_text("Outcome: Signed by mgr")
    expect_counts(page, 2)
    cards[0].refresh_from_db()
    assert (cards[0].state, cards[0].outcome) == ("done", "Signed by mgr")
    # The second, unchanged, is dropped as ever.
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(status).to_have_text("Dropped Person 2, Acme.Undo")
    assert states(*cards) == ["done", "dropped"]


def test_a_refused_undo_says_why(make_card, page, bob, alice):
    cards = queue(make_card, 1, owner=bob)
    log_in(page, "bob")
    page.goto("/followups/")
    page.keyboard.press("s")
    page.keyboard.press("1")
    status = page.locator("[data-followup-status]")
    expect(status).to_contain_text("Snoozed Person 1, Acme until")
    # A manager hands the card to someone else: bob may no longer work it.
    services.assign_followup(Card.objects.get(pk=cards[0].pk), alice)
    page.keyboard.press("u")
    expect(status).to_have_text(
        "That did not work: There is nothing here, or it is not yours to see."
    )
    assert states(*cards) == ["snoozed"]


def test_enter_in_a_day_snoozes_until_that_day(make_card, logged_in, browser, live_server):
    cards = queue(make_card, 4)
    day = timezone.localdate() + timedelta(days=10)
    page = logged_in
    page.goto("/followups/")
    # The snooze dialog (its first button is a day), named after the current row.
    page.keyboard.press("s")
    dialog = page.get_by_role("dialog", name="Snooze")
    expect(dialog).to_contain_text("Person 1")
    dialog.get_by_label("Snooze until").fill(day.isoformat())
    dialog.get_by_label("Snooze until").press("Enter")
    status = page.locator("[data-followup-status]")
    expect(status).to_contain_text("Snoozed Person 1, Acme until")
    # The bulk bar (its first button is Done).
    for card in cards[1:3]:
        row(page, card).locator("[data-select]").check()
    page.get_by_label("Snooze the selected until").fill(day.isoformat())
    page.get_by_label("Snooze the selected until").press("Enter")
    expect(status).to_contain_text("Snoozed 2 follow-ups until")
    # The follow-up's own page, without JavaScript (its first button is Done).
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    plain = context.new_page()
    plain.context.add_cookies(page.context.cookies())
    plain.goto(f"/followups/{cards[3].pk}/")
    with plain.expect_navigation():
        plain.get_by_label("Snooze until").fill(day.isoformat())
        plain.get_by_label("Snooze until").press("Enter")
    context.close()
    assert states(*cards) == ["snoozed"] * 4
    assert {card.snoozed_until for card in cards} == {day}


def test_the_keys_act_on_the_row_the_focus_is_in(make_card, logged_in):
    cards = queue(make_card, 3)
    page = logged_in
    page.goto("/followups/")
    expect(row(page, cards[0])).to_have_class(re.compile("is-current"))
    # The focus on the second row's box (as Tab puts it): Space selects that row.
    row(page, cards[1]).locator("[data-select]").focus()
    expect(row(page, cards[1])).to_have_class(re.compile("is-current"))
    page.keyboard.press(" ")
    expect(row(page, cards[1]).locator("[data-select]")).to_be_checked()
    expect(row(page, cards[0]).locator("[data-select]")).not_to_be_checked()
    page.keyboard.press(" ")
    row(page, cards[2]).get_by_role("link", name="Person 3").focus()
    page.keyboard.press("d")
    expect(page.get_by_role("dialog", name="Done")).to_contain_text("Person 3")
    page.keyboard.press("Enter")
    expect(page.locator("[data-followup-status]")).to_have_text("Marked Person 3, Acme done.Undo")
    # From a row with the focus, k moves on: the focus, back after the dialog, does not
    # take the current row back with it.
    row(page, cards[1]).get_by_role("link", name="Person 2").focus()
    page.keyboard.press("k")
    expect(row(page, cards[0])).to_have_class(re.compile("is-current"))
    page.keyboard.press("d")
    expect(page.get_by_role("dialog", name="Done")).to_contain_text("Person 1")
    page.keyboard.press("Enter")
    expect(page.locator("[data-followup-status]")).to_have_text("Marked Person 1, Acme done.Undo")
    assert states(*cards) == ["done", "open", "done"]


def test_a_key_on_someone_elses_row_says_it_is_theirs(make_card, page, bob, alice):
    cards = queue(make_card, 1, owner=alice)
    log_in(page, "bob")
    page.goto("/followups/?owner=all")
    expect(row(page, cards[0])).to_have_class(re.compile("is-current"))
    for key in ("d", "s", "x"):
        page.keyboard.press(key)
        expect(page.locator("dialog[open]")).to_have_count(0)
        expect(page.locator("[data-followup-status]")).to_have_text(
            "Person 1 is alice's follow-up: only they or a manager can work it."
        )
    assert states(*cards) == ["open"]


def test_next_after_working_rows_in_place_starts_at_the_first_row_not_shown(make_card, logged_in):
    queue(make_card, 105)  # pages of 50
    page = logged_in
    page.goto("/followups/")
    status = page.locator("[data-followup-status]")
    for n in range(1, 4):
        page.keyboard.press("x")
        expect(status).to_have_text(f"Dropped Person {n}, Acme.Undo")
    page.keyboard.press("u")  # one put back: two left the list
    expect(status).to_have_text("Put Person 3, Acme back as it was.")
    # Cards logged meanwhile (at the end of the list) change nothing of it.
    for n in range(3):
        make_card(UR, name=f"Late {n}", logged_at=timezone.make_aware(datetime(2026, 11, 21, n)))
    page.keyboard.press("x")
    expect(status).to_have_text("Dropped Person 4, Acme.Undo")
    page.get_by_role("link", name="Next").click()
    expect(page.locator("[data-name]").first).to_have_text("Person 51")
    # Once more from there: the rows left before count too.
    page.keyboard.press("x")
    expect(status).to_have_text("Dropped Person 51, Acme.Undo")
    page.get_by_role("link", name="Next").click()
    expect(page.locator("[data-name]").first).to_have_text("Person 101")


# The chips, the owner and the due date of each row that stick out of it (cut off).
CUT = """() => [...document.querySelectorAll('.followup-row')].flatMap((row) => {
    const edge = row.getBoundingClientRect().right;
    return [...row.querySelectorAll('.chips > *, .owner, .due')]
        .filter((e) => e.getBoundingClientRect().right > edge + 1)
        .map((e) => e.textContent.trim());
})"""


def test_no_chip_or_due_date_is_cut_off_beside_the_panel_or_on_a_tablet(make_card, logged_in):
    long = Contact.objects.create(name="Maximiliana Östergaard-Lindqvist", company="Ølbryggeriet")
    make_card(UL | UR | LL | LR | HALF | DIAG, contact=long, note="a long note " * 20)
    queue(make_card, 3)
    page = logged_in
    for width in (1366, 1024, 768):
        page.set_viewport_size({"width": width, "height": 768})
        page.goto("/followups/")
        expect(page.locator("[data-card]")).to_have_count(4)
        assert page.evaluate(CUT) == [], width
        assert not sideways(page)
    page.keyboard.press("Enter")  # the panel beside the list
    expect(page.locator("[data-panel]")).to_contain_text("Maximiliana")
    assert page.evaluate(CUT) == []


def sideways(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth > window.innerWidth")


def test_the_list_on_a_phone_does_not_scroll_sideways(phone, alice, make_card):
    long = Contact.objects.create(
        name="Dana Reyes-Montgomery-Villanueva",
        company="Acme Intercontinental Holdings and Subsidiaries",
        email="dana.reyes-montgomery@acme-intercontinental.example.com",
    )
    card = make_card(UR, contact=long, note="wants a second region before Q2 " * 6)
    make_card(UR, contact=long, note="met again")
    queue(make_card, 3)
    log_in(phone, "alice")
    phone.goto("/followups/?owner=all")
    expect(phone.locator("[data-card]")).to_have_count(4)
    assert not sideways(phone)
    row(phone, card).locator("[data-select]").tap()
    expect(phone.locator("[data-bulk]")).to_be_visible()
    assert not sideways(phone)
    # A row's detail takes the whole screen.
    row(phone, card).locator("[data-name]").tap()
    panel = phone.locator("[data-panel]")
    expect(panel).to_contain_text("wants a second region")
    box = panel.bounding_box()
    assert (box["x"], box["width"]) == (0, 390)
    assert not sideways(phone)
