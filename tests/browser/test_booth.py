from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from contacts.folds import DIAG, HALF, LL, UL, UR
from contacts.models import Card, Contact
from tests.browser.helpers import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def booth(conference, logged_in):
    logged_in.goto(reverse("events-booth", args=[conference.slug]))
    expect(logged_in.locator("[name=keys]")).to_be_focused()
    return logged_in


def type_card(page, keys: str, *fields: str) -> None:
    """Type a card with the keyboard only: the fold code, then each field after a Tab."""
    page.keyboard.type(keys)
    for value in fields:
        page.keyboard.press("Tab")
        if value:
            page.keyboard.type(value)


def test_it_logs_three_cards_with_the_keyboard_only(booth):
    page = booth
    type_card(page, "795", "Dana Reyes", "Acme", "CTO", "Dana@Acme.io")
    expect(page.locator("[data-live-line]")).to_contain_text("Talk ASAP")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Dana Reyes (Acme)")
    expect(page.locator("[data-confirmation]")).to_contain_text("Talk ASAP, Wants to buy more")
    expect(page.locator("[name=keys]")).to_be_focused()
    expect(page.locator("[name=name]")).to_have_value("")

    type_card(page, "1", "Li Wei", "Hooli", "", "li@hooli.com")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Li Wei (Hooli)")

    # A typed key toggles: 7 then 7 again leaves the corner flat.
    type_card(page, "77/", "Sam Lee", "Initech", "", "", "", "met at the party")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Sam Lee (Initech)")
    expect(page.locator("[data-latest] tr")).to_have_count(3)

    cards = {c.contact.name: c for c in Card.objects.select_related("contact")}
    assert cards["Dana Reyes"].folds == UL | UR | HALF
    assert cards["Dana Reyes"].priority == 100
    assert cards["Dana Reyes"].contact.email == "dana@acme.io"
    assert cards["Li Wei"].folds == LL
    assert [m.slug for m in cards["Li Wei"].decode().meanings] == ["unhappy", "prospect"]
    assert cards["Sam Lee"].folds == DIAG
    assert cards["Sam Lee"].note == "met at the party"
    assert Contact.objects.count() == 3


def click_drawing(page, x: float, y: float) -> None:
    """Click the drawn card at (x, y) in its 350 by 200 drawing units."""
    box = page.locator(".card-drawing").bounding_box()
    page.mouse.click(box["x"] + x * box["width"] / 350, box["y"] + y * box["height"] / 200)


def test_clicking_the_drawing_folds_the_card(booth):
    page = booth
    click_drawing(page, 15, 15)  # the upper-left corner
    click_drawing(page, 100, 101)  # on the half line, away from the diagonal
    expect(page.locator("[name=keys]")).to_have_value("75")
    expect(page.locator("[data-fold=UL]")).to_have_class("fold corner bent")
    expect(page.locator("[data-live-line]")).to_contain_text("Talk ASAP")
    expect(page.locator("[data-live-line]")).to_contain_text("Prospect")
    click_drawing(page, 15, 15)
    expect(page.locator("[name=keys]")).to_have_value("5")
    click_drawing(page, 260, 60)  # on the diagonal
    expect(page.locator("[name=keys]")).to_have_value("5/")
    expect(page.locator("[data-live-line]")).to_contain_text("Competitor (friendly)")
    page.locator("[name=keys]").press("Escape")
    page.locator("[name=keys]").press("9")
    expect(page.locator("[data-fold=UR]")).to_have_class("fold corner bent")
    expect(page.locator("[data-fold=HALF]")).to_have_class("fold")
    expect(page.locator("input[name=folds][value=UR]")).to_be_checked()
    expect(page.locator("input[name=folds][value=HALF]")).not_to_be_checked()


def test_the_booth_fits_a_laptop_screen_without_scrolling(booth):
    assert booth.evaluate("document.documentElement.scrollHeight") <= 768


def test_a_field_error_keeps_what_was_typed(booth):
    page = booth
    type_card(page, "9", "Ana Ruiz", "", "", "not-an-email")
    page.keyboard.press("Enter")
    expect(page.locator("[data-error=email]")).to_contain_text("Enter a valid email address.")
    expect(page.locator("[name=name]")).to_have_value("Ana Ruiz")
    assert not Card.objects.exists()


def test_a_card_naming_no_one_shows_the_servers_error_in_place(booth):
    page = booth
    type_card(page, "9", "", "", "CTO")
    page.keyboard.press("Enter")
    expect(page.locator("[data-error=__all__]")).to_have_text(
        "A card needs at least a name, a company or an email."
    )
    expect(page.locator("[name=name]")).to_be_focused()
    expect(page.locator("[name=title]")).to_have_value("CTO")
    expect(page.locator("[data-outbox-count]")).to_be_hidden()
    assert not Card.objects.exists()


def test_cards_logged_offline_are_sent_once_when_back_online(booth, context):
    page = booth
    wait_until(
        page,
        "navigator.serviceWorker.ready.then(() => caches.match(location.pathname)).then(Boolean)",
    )
    context.set_offline(True)
    type_card(page, "9", "Offline One", "Acme")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Kept Offline One on this laptop")
    type_card(page, "7", "Offline Two", "Globex")
    page.keyboard.press("Enter")
    expect(page.locator("[data-outbox-count]")).to_have_text("2 waiting to sync")
    assert not Card.objects.exists()

    page.reload()
    expect(page.locator("[data-outbox-count]")).to_have_text("2 waiting to sync")
    context.set_offline(False)
    expect(page.locator("[data-outbox-count]")).to_be_hidden(timeout=15_000)
    assert sorted(Card.objects.values_list("contact__name", "folds")) == [
        ("Offline One", UR),
        ("Offline Two", UL),
    ]
    page.reload()
    expect(page.locator("[data-latest] tr")).to_have_count(2)
    assert Card.objects.count() == 2


def test_a_webcam_snapshot_is_saved_as_the_cards_photo(booth, context, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page = booth
    context.grant_permissions(["camera"])
    type_card(page, "9", "Camera Person", "Acme")
    page.get_by_role("button", name="Webcam").click()
    expect(page.locator("[data-webcam] video")).to_be_visible()
    wait_until(page, "document.querySelector('[data-webcam] video').videoWidth > 0")
    page.get_by_role("button", name="Capture").click()
    expect(page.locator("[data-photo-status]")).to_have_text("Webcam snapshot ready.")
    page.locator("[name=name]").press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Camera Person (Acme)")
    card = Card.objects.get()
    assert card.photo and card.thumbnail
    assert (tmp_path / card.photo.name).exists()
    expect(page.locator(f'[data-card="{card.pk}"] img.thumb')).to_be_visible()


def test_a_card_saved_after_the_session_ended_is_sent_after_logging_in(booth, context):
    page = booth
    context.clear_cookies()  # the session is gone, as after a logout in another tab
    type_card(page, "9", "Late Visitor", "Acme")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Kept Late Visitor on this laptop")
    expect(page.locator("[data-outbox-count]")).to_have_text("1 waiting to sync")
    assert not Card.objects.exists()

    booth_url = page.url
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "alice-password")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    page.goto(booth_url)
    expect(page.locator("[data-latest]")).to_contain_text("Late Visitor")
    expect(page.locator("[data-outbox-count]")).to_be_hidden()
    assert list(Card.objects.values_list("contact__name", flat=True)) == ["Late Visitor"]
