from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from contacts.folds import DIAG, HALF, LL, UL, UR
from contacts.models import Card, Contact, FoldRule, Meaning, Vocabulary
from tests import images
from tests.browser.helpers import log_in, type_card, wait_for_offline_copy, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def booth(conference, logged_in):
    logged_in.goto(reverse("events-booth", args=[conference.slug]))
    expect(logged_in.locator("[name=keys]")).to_be_focused()
    return logged_in


@pytest.fixture
def offline_booth(booth, context):
    """The booth kept for offline use by its worker, then offline."""
    wait_for_offline_copy(booth)
    context.set_offline(True)
    return booth


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


def test_a_long_name_without_spaces_leaves_the_latest_cards_in_view(booth, make_card):
    make_card(UR, name="Dana Reyes", note="call back")
    make_card(UR, name="W" * 200)
    booth.reload()
    latest = booth.locator(".latest")
    assert latest.evaluate("e => e.scrollWidth <= e.clientWidth")
    expect(
        booth.locator("[data-latest] tr").first.get_by_role("link", name="edit")
    ).to_be_in_viewport()


def test_an_email_that_is_none_is_said_before_sending_and_keeps_what_was_typed(booth):
    page = booth
    sent = []
    page.on("request", lambda r: r.method == "POST" and sent.append(r.url))
    type_card(page, "9", "Ana Ruiz", "", "", "not-an-email")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_have_text(
        "Not saved. Email: Enter a valid email address. Fix it and press Enter."
    )
    expect(page.locator("[data-error=email]")).to_have_text("Enter a valid email address.")
    expect(page.locator("[name=email]")).to_be_focused()
    expect(page.locator("[name=name]")).to_have_value("Ana Ruiz")
    assert sent == []
    assert not Card.objects.exists()


def test_a_card_naming_no_one_shows_the_servers_error_in_place(booth):
    page = booth
    type_card(page, "9", "", "", "CTO")
    page.keyboard.press("Enter")
    expect(page.locator("[data-error=__all__]")).to_have_text(
        "A card needs at least a name, a company, an email or its photo."
    )
    expect(page.locator("[name=name]")).to_be_focused()
    expect(page.locator("[name=title]")).to_have_value("CTO")
    expect(page.locator("[data-outbox-count]")).to_be_hidden()
    assert not Card.objects.exists()


def test_cards_logged_offline_are_sent_once_when_back_online(offline_booth, context):
    page = offline_booth
    type_card(page, "9", "Offline One", "Acme")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Kept Offline One on this laptop")
    type_card(page, "7", "Offline Two", "Globex")
    page.keyboard.press("Enter")
    expect(page.locator("[data-outbox-count]")).to_have_text("2 waiting to sync")
    assert not Card.objects.exists()

    page.reload()
    expect(page.locator("[data-outbox-count]")).to_have_text("2 waiting to sync")
    back_online = timezone.now()
    context.set_offline(False)
    expect(page.locator("[data-outbox-count]")).to_be_hidden(timeout=15_000)
    # Logged when typed, in that order, not when they reached the server.
    cards = Card.objects.order_by("logged_at")
    assert [(card.contact.name, card.folds) for card in cards] == [
        ("Offline One", UR),
        ("Offline Two", UL),
    ]
    assert cards[1].logged_at < back_online
    assert cards[0].pk < cards[1].pk
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
    log_in(page, "alice")
    page.goto(booth_url)
    expect(page.locator("[data-latest]")).to_contain_text("Late Visitor")
    expect(page.locator("[data-outbox-count]")).to_be_hidden()
    assert list(Card.objects.values_list("contact__name", flat=True)) == ["Late Visitor"]


def queue_offline(page, *names: str) -> None:
    """Save a card for each name while the network is down: each is kept in the outbox."""
    for name in names:
        type_card(page, "9", name, "Acme")
        page.keyboard.press("Enter")
        expect(page.locator("[data-confirmation]")).to_contain_text(f"Kept {name} on this laptop")


def save_with_photo(page, photo: bytes, keys: str, *fields: str) -> None:
    """Type a card with the keyboard, attach ``photo`` (as card.jpg) and press Enter."""
    type_card(page, keys, *fields)
    page.set_input_files(
        "[name=photo]", {"name": "card.jpg", "mimeType": "image/jpeg", "buffer": photo}
    )
    page.locator("[name=name]").press("Enter")


def test_a_card_queued_by_one_user_is_sent_only_in_their_session(
    offline_booth, context, alice, bob
):
    page = offline_booth
    booth_url = page.url
    queue_offline(page, "Queued Card")
    page.close()  # no booth page is open when the network comes back
    context.set_offline(False)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("button", name="Log out").click()
    waiting = "1 card of alice waits for alice to log in here."
    expect(page.locator("[data-outbox-waiting]")).to_have_text(waiting)

    log_in(page, "bob")
    page.goto(booth_url)
    # Shown once the page has sent what it may send.
    expect(page.locator("[data-outbox-others]")).to_have_text(waiting)
    expect(page.locator("[data-outbox-count]")).to_be_hidden()
    # Not sent in bob's session. (On a loaded machine alice's first try has been seen to
    # reach the server although the page, offline, kept it: then the card is hers already.)
    assert not Card.objects.filter(Q(logged_by=bob) | Q(owner=bob)).exists()

    page.get_by_role("button", name="Log out").click()
    log_in(page, "alice")
    page.goto(booth_url)
    expect(page.locator("[data-latest]")).to_contain_text("Queued Card")
    expect(page.locator("[data-outbox-others]")).to_have_text("")
    card = Card.objects.get()
    assert (card.contact.name, card.logged_by, card.owner) == ("Queued Card", alice, alice)


def test_a_booth_page_left_open_across_a_logout_says_who_must_log_in(booth, context, bob):
    page = booth
    other = context.new_page()  # the same browser: alice logs out there, bob logs in
    other.goto("/")
    other.get_by_role("button", name="Log out").click()
    log_in(other, "bob")

    type_card(page, "9", "Left Open", "Acme")
    page.keyboard.press("Enter")
    stuck = "log in as alice to send it"
    expect(page.locator("[data-confirmation]")).to_contain_text(
        f"Kept Left Open on this laptop (this browser is logged in as someone else now; {stuck})"
    )
    expect(page.locator("[data-outbox-count]")).to_have_text("1 waiting to sync")
    expect(page.locator("[data-outbox-stuck]")).to_have_text(
        f"Not sent: this browser is logged in as someone else now; {stuck}."
    )
    assert not Card.objects.exists()


def test_after_logging_out_the_booth_page_is_not_kept_for_offline(booth, context):
    page = booth
    booth_url = page.url
    wait_for_offline_copy(page)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    wait_until(
        page, f"caches.match('{reverse('events-booth', args=['expo-2026'])}').then((r) => !r)"
    )
    context.set_offline(True)
    with pytest.raises(PlaywrightError, match=r"ERR_FAILED|ERR_INTERNET_DISCONNECTED"):
        page.goto(booth_url)


def test_a_key_that_folds_nothing_is_said_not_dropped_silently(booth):
    page = booth
    hint = page.locator("[data-key-hint]")
    page.keyboard.type("72")
    expect(hint).to_have_text("“2” folds nothing: the fold keys are 7 9 1 3 5 /.")
    expect(page.locator("[name=keys]")).to_have_value("7")
    page.keyboard.type("9")  # a fold key: the hint goes
    expect(hint).to_have_text("")
    expect(page.locator("[name=keys]")).to_have_value("79")


def test_enter_twice_on_a_card_s_edit_page_saves_it_once(booth, make_card, conference):
    card = make_card(UR, name="Dana Reyes")
    page = booth
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    page.goto(url)
    held = []
    page.route(
        f"**{url}",
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    page.locator("[name=name]").fill("Dana Reyes-Ortiz")
    page.keyboard.press("Enter")
    save = next_held(page, held)
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    assert held == []
    save.continue_()
    expect(page.locator("[data-confirmation]")).to_contain_text("Dana Reyes-Ortiz")
    card.refresh_from_db()
    assert (card.contact.name, card.version) == ("Dana Reyes-Ortiz", 1)


def test_an_email_already_logged_here_offers_to_edit_that_card(booth, make_card, conference):
    card = make_card(UR, contact=Contact.objects.create(name="Dana Reyes", email="dana@acme.io"))
    page = booth
    lookups = []
    page.on("request", lambda request: "/lookup/" in request.url and lookups.append(request.url))
    type_card(page, "9", "Dana", "Acme", "", "dana@")
    page.keyboard.press("Tab")
    page.wait_for_timeout(1000)  # longer than the lookup's debounce
    # The name and company are asked about ("same person?"), an email that cannot be one not.
    assert lookups and not any("email=" in url for url in lookups)

    page.locator("[name=email]").fill("Dana@Acme.io")
    page.keyboard.press("Tab")
    warning = page.locator("[data-already-logged]")
    expect(warning).to_have_text(
        "Dana Reyes already logged at Fri 20 Nov, 10:00 by alice — edit that card?"
    )
    asked = [url for url in lookups if "email=" in url]
    assert len(asked) == 1 and "email=Dana%40Acme.io" in asked[0]
    # The link is not in the way of the keyboard: Tab went on to the phone.
    expect(page.locator("[name=phone]")).to_be_focused()

    # Following it with a card half typed asks first; staying keeps the card.
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    warning.get_by_role("link", name="edit that card?").click()
    for _ in range(50):
        if dialogs:
            break
        page.wait_for_timeout(100)
    assert dialogs == ["beforeunload"]
    expect(page.locator("[name=name]")).to_have_value("Dana")

    # Two cards of theirs here: one line, with the latest to edit.
    latest = make_card(HALF, contact=card.contact, logged_at=card.logged_at + timedelta(hours=1))
    page.locator("[name=email]").fill("dana@acme.io")
    page.keyboard.press("Tab")
    expect(warning).to_have_text(
        "Dana Reyes already logged 2 times here, last at Fri 20 Nov, 11:00 by alice — "
        "edit that card?"
    )
    page.once("dialog", lambda dialog: dialog.accept())
    warning.get_by_role("link", name="edit that card?").click()
    page.wait_for_url(f"**{reverse('events-booth-card', args=[conference.slug, latest.pk])}")


def hold_saves(page) -> list:
    """Hold the booth's saves on their way to the server (a slow network) until each is
    let go with ``.continue_()``; return the list they are held in."""
    held = []
    page.route(
        "**/booth/",
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    return held


def next_held(page, held: list):
    """Return the next save held by hold_saves, once the page has sent it."""
    for _ in range(100):
        if held:
            return held.pop()
        page.wait_for_timeout(100)
    raise AssertionError("the page sent no save")


def save_held(page, held: list, *fields: str):
    """Type a card (type_card's ``fields``) and press Enter; return its save, held by
    hold_saves on its way."""
    type_card(page, *fields)
    page.keyboard.press("Enter")
    return next_held(page, held)


def test_what_is_typed_while_a_save_is_on_its_way_is_the_next_card(booth):
    page = booth
    held = hold_saves(page)
    save = save_held(page, held, "9", "First Card", "Acme")
    expect(page.locator("[name=name]")).to_have_value("")
    expect(page.locator("[name=keys]")).to_be_focused()
    # The undo shown is for the card saved last, not for this one: none while it is sent.
    expect(page.locator("[data-confirmation]")).to_have_text("Sending First Card…")
    type_card(page, "7", "Second Card")
    save.continue_()
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved First Card (Acme)")
    expect(page.locator("[name=name]")).to_have_value("Second Card")
    page.keyboard.press("Enter")
    next_held(page, held).continue_()
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Second Card")
    cards = Card.objects.values_list("contact__name", "folds").order_by("logged_at")
    assert list(cards) == [("First Card", UR), ("Second Card", UL)]


def test_a_photo_going_up_slowly_is_not_taken_for_a_missing_network(booth, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page = booth
    held = hold_saves(page)
    noise = io.BytesIO()
    Image.effect_noise((800, 600), 80).convert("RGB").save(noise, "JPEG", quality=95)
    assert len(noise.getvalue()) > 200_000  # 6 s at 256 kbit/s
    save_with_photo(page, noise.getvalue(), "9", "Slow Upload")
    save = next_held(page, held)
    page.wait_for_timeout(5000)  # longer than a save without photo is waited for
    save.continue_()
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Slow Upload")
    expect(page.locator("[data-outbox-count]")).to_be_hidden()
    assert Card.objects.get().photo


def test_cards_kept_offline_without_a_photo_go_before_those_with_one(
    offline_booth, context, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page = offline_booth
    save_with_photo(page, images.jpeg(), "9", "With Photo")
    expect(page.locator("[data-confirmation]")).to_contain_text("Kept With Photo on this laptop")
    queue_offline(page, "Without Photo")
    context.set_offline(False)
    expect(page.locator("[data-outbox-count]")).to_be_hidden()
    arrived = Card.objects.order_by("pk").values_list("contact__name", flat=True)
    assert list(arrived) == ["Without Photo", "With Photo"]
    # Each says when it was typed: the list is in typing order.
    cards = Card.objects.order_by("logged_at").values_list("contact__name", flat=True)
    assert list(cards) == ["With Photo", "Without Photo"]


def test_enter_pressed_three_times_saves_one_card(booth):
    page = booth
    type_card(page, "9", "Dana Reyes", "", "", "", "", "a note")
    for _ in range(3):
        page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Dana Reyes")
    expect(page.locator("[data-outbox-count]")).to_be_hidden()
    assert Card.objects.count() == 1


def test_a_card_refused_while_the_next_is_typed_waits_below_with_its_fix(booth):
    page = booth
    held = hold_saves(page)
    save = save_held(page, held, "9", "Ana Ruiz", "", "", "ana@acme")
    type_card(page, "7", "Next Person")
    save.continue_()
    expect(page.locator("[data-confirmation]")).to_contain_text(
        "Not saved: Ana Ruiz — Enter a valid email address. It waits below: Fix brings it back."
    )
    expect(page.locator("[name=name]")).to_have_value("Next Person")
    problem = page.locator("[data-problem]")
    expect(problem).to_contain_text("Not saved: Ana Ruiz")
    # Fix asks before it takes the place of the card being typed.
    page.once("dialog", lambda dialog: dialog.dismiss())
    problem.get_by_role("button", name="Fix").click()
    expect(page.locator("[name=name]")).to_have_value("Next Person")
    page.locator("[name=name]").focus()
    page.unroute("**/booth/")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Next Person")
    problem.get_by_role("button", name="Fix").click()
    expect(page.locator("[name=name]")).to_have_value("Ana Ruiz")
    expect(page.locator("[name=email]")).to_have_value("ana@acme")
    assert list(Card.objects.values_list("contact__name", flat=True)) == ["Next Person"]


def test_a_card_refused_with_the_form_empty_waits_below_and_the_next_is_typed_alone(booth):
    page = booth
    held = hold_saves(page)
    save = save_held(page, held, "5", "Ana Ruiz", "", "", "ana@acme", "+351 555", "only a phone")
    # The answer comes back while the form is empty, just before the next card is typed.
    save.continue_()
    confirmation = page.locator("[data-confirmation]")
    expect(confirmation).to_have_text(
        "Not saved: Ana Ruiz — Enter a valid email address. It waits below: Fix brings it back."
    )
    expect(page.locator("[name=name]")).to_have_value("")
    expect(page.locator("[name=keys]")).to_be_focused()
    page.unroute("**/booth/")
    type_card(page, "1", "Zoe Angstrom", "Orsted", "", "zoe@orsted.dk")
    page.keyboard.press("Enter")
    expect(confirmation).to_contain_text("Saved Zoe Angstrom (Orsted)")
    card = Card.objects.select_related("contact").get()
    assert (card.contact.name, card.contact.phone, card.folds, card.note) == (
        "Zoe Angstrom",
        "",
        LL,
        "",
    )
    page.locator("[data-problem]").get_by_role("button", name="Fix").click()
    expect(page.locator("[name=email]")).to_have_value("ana@acme")
    expect(page.locator("[name=note]")).to_have_value("only a phone")
    expect(page.locator("[data-error=email]")).to_have_text("Enter a valid email address.")


def test_a_card_the_server_refused_as_a_whole_says_why_above_the_form_when_fixed(booth):
    page = booth
    why = "A card needs at least a name, a company, an email or its photo."
    page.route(
        "**/booth/", lambda route: route.fulfill(status=400, json={"errors": {"__all__": [why]}})
    )
    type_card(page, "9", "Ana Ruiz")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_have_text(
        f"Not saved: Ana Ruiz — {why} It waits below: Fix brings it back."
    )
    page.locator("[data-problem]").get_by_role("button", name="Fix").click()
    expect(page.locator("[name=name]")).to_have_value("Ana Ruiz")
    expect(page.locator("[data-error=__all__]")).to_have_text(why)


def test_what_a_card_lacks_stays_above_it_when_the_card_before_is_saved(booth):
    page = booth
    held = hold_saves(page)
    save = save_held(page, held, "9", "First Card", "Acme")
    type_card(page, "7", "", "", "CTO")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("A card needs at least")
    save.continue_()
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved First Card")
    expect(page.locator("[data-error=__all__]")).to_have_text(
        "A card needs at least a name, a company, an email or its photo."
    )
    expect(page.locator("[name=title]")).to_have_value("CTO")


def test_a_note_pasted_too_long_is_said_too_long_and_kept_whole(booth):
    page = booth
    type_card(page, "9", "Mary Long")
    page.locator("[name=note]").fill("x" * 4999 + "🃏🃏")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_have_text(
        "Not saved. Note: Ensure this value has at most 5000 characters (it has 5001). "
        "Fix it and press Enter."
    )
    expect(page.locator("[name=note]")).to_be_focused()
    assert page.locator("[name=note]").input_value() == "x" * 4999 + "🃏🃏"
    page.locator("[name=note]").fill("x" * 4999 + "🃏")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Mary Long")
    assert len(Card.objects.get().note) == 5000


def test_an_email_the_browser_would_not_take_but_the_server_does_is_sent(booth):
    page = booth
    type_card(page, "9", "Anna Müller")
    # As the reader fills it: by script, in its own alphabet.
    page.locator("[name=email]").evaluate("(input) => { input.value = 'anna@müller.de'; }")
    page.locator("[name=name]").press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Anna Müller")
    assert Card.objects.get().contact.email == "anna@müller.de"


# A busy laptop's storage: each of the outbox's writes is done 300 ms late.
SLOW_OUTBOX = """() => {
    Object.defineProperty(IDBTransaction.prototype, "oncomplete", {
        set(done) { this.addEventListener("complete", () => setTimeout(done, 300)); },
    });
}"""


def test_a_key_pressed_while_the_card_is_stored_is_the_next_cards(booth):
    page = booth
    page.evaluate(SLOW_OUTBOX)
    type_card(page, "9", "First Card")
    page.keyboard.press("Enter")
    page.keyboard.type("7")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved First Card")
    expect(page.locator("[data-live-line]")).to_contain_text("Prospect")
    page.keyboard.press("Tab")
    page.keyboard.type("Second Card")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Second Card")
    folds = dict(Card.objects.values_list("contact__name", "folds"))
    assert folds == {"First Card": UR, "Second Card": UL}


def test_a_card_the_browser_cannot_keep_comes_back_into_the_form(booth):
    page = booth
    page.evaluate(
        "() => { IDBObjectStore.prototype.put = () => {"
        " throw new DOMException('the disk is full', 'QuotaExceededError'); }; }"
    )
    type_card(page, "9", "Kept Nowhere")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_have_text(
        "Not saved. This browser could not keep the card (the disk is full), so it was not "
        "sent. Fix it and press Enter."
    )
    expect(page.locator("[name=name]")).to_have_value("Kept Nowhere")
    assert not Card.objects.exists()


def test_a_card_without_a_name_a_company_an_email_or_a_photo_is_not_sent(booth):
    page = booth
    sent = []
    page.on("request", lambda r: r.method == "POST" and sent.append(r.url))
    type_card(page, "5", "", "", "", "", "+49 171 5550001", "call me")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_have_text(
        "Not saved. A card needs at least a name, a company, an email or its photo. "
        "Fix it and press Enter."
    )
    expect(page.locator("[name=phone]")).to_have_value("+49 171 5550001")
    expect(page.locator("[name=name]")).to_be_focused()
    page.keyboard.type("Lena Berg")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Lena Berg")
    assert len(sent) == 1
    card = Card.objects.select_related("contact").get()
    assert (card.contact.phone, card.folds, card.note) == ("+49 171 5550001", HALF, "call me")


def test_a_card_refused_in_the_queue_does_not_hold_up_the_cards_behind_it(
    offline_booth, context, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page = offline_booth
    queue_offline(page, "First Card")
    save_with_photo(
        page, images.HOSTILE_DDS["unimplemented_pixel_format.dds"], "9", "Odd Photo", "Acme"
    )
    expect(page.locator("[data-confirmation]")).to_contain_text("Kept Odd Photo on this laptop")
    queue_offline(page, "Third Card")
    expect(page.locator("[data-outbox-count]")).to_have_text("3 waiting to sync")

    context.set_offline(False)
    refused = page.locator("[data-problem]")
    expect(refused).to_contain_text(
        "Not saved: Odd Photo — The photo must be a JPEG, PNG or WebP image"
    )
    expect(page.locator("[data-outbox-count]")).to_be_hidden()
    expect(page.locator("[data-latest]")).to_contain_text("Third Card")
    assert sorted(Card.objects.values_list("contact__name", flat=True)) == [
        "First Card",
        "Third Card",
    ]
    expect(refused.get_by_role("button", name="Fix")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    refused.get_by_role("button", name="Discard").click()
    expect(refused).to_have_count(0)
    page.reload()
    expect(page.locator("[data-rejected]")).to_be_empty()


def test_a_card_refused_for_its_photo_comes_back_without_it(
    offline_booth, context, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page = offline_booth
    photo = images.HOSTILE_DDS["unimplemented_pixel_format.dds"]
    save_with_photo(page, photo, "9", "Odd Photo", "Acme", "", "", "", "met at the bar")
    expect(page.locator("[data-confirmation]")).to_contain_text("Kept Odd Photo on this laptop")
    context.set_offline(False)
    refused = page.locator("[data-problem]")
    refused.get_by_role("button", name="Fix").click()
    expect(page.locator("[data-photo-status]")).to_have_text(
        "card.jpg left out: choose another photo, or save the card without one."
    )
    expect(page.locator("[name=note]")).to_have_value("met at the bar")
    page.locator("[name=name]").press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Odd Photo (Acme)")
    card = Card.objects.get()
    assert (card.note, card.photo.name) == ("met at the bar", "")


def test_a_card_the_server_fails_on_does_not_hold_up_the_cards_behind_it(offline_booth, context):
    page = offline_booth
    queue_offline(page, "First Card", "Broken Card", "Third Card")

    def fail_on_the_broken_card(route) -> None:
        if b"Broken Card" in (route.request.post_data_buffer or b""):
            errors = {"__all__": ["foldcard could not finish this; try again in a moment."]}
            route.fulfill(status=500, json={"errors": errors})
        else:
            route.continue_()

    page.route("**/booth/", fail_on_the_broken_card)
    context.set_offline(False)
    failing = page.locator("[data-problem]")
    expect(failing).to_contain_text(
        "Not sent yet: Broken Card — the server answered 500: foldcard could not finish this; "
        "try again in a moment. Trying again."
    )
    expect(page.locator("[data-latest]")).to_contain_text("Third Card")
    assert sorted(Card.objects.values_list("contact__name", flat=True)) == [
        "First Card",
        "Third Card",
    ]
    failing.get_by_role("button", name="Fix").click()
    expect(page.locator("[name=name]")).to_have_value("Broken Card")
    expect(failing).to_have_count(0)


def test_the_booth_shows_its_keys_and_lists_every_shortcut(booth):
    page = booth
    expect(page.locator(".card-drawing .key")).to_have_text(["/", "5", "7", "9", "1", "3"])
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    page.locator("[name=name]").press("?")  # a question mark typed in a name is text
    expect(dialog).to_be_hidden()
    page.locator("[name=keys]").press("?")  # the fold code takes single keys, not text
    expect(dialog).to_be_visible()
    expect(dialog.locator("tr", has_text="undo the last save")).to_contain_text("Alt+U")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("[name=keys]")).to_be_focused()
    expect(page.locator("[name=keys]")).to_have_value("")
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")


@pytest.mark.parametrize("keys", ["Alt+U", "Control+Z"])
def test_the_last_save_is_undone_from_the_keyboard(booth, keys):
    page = booth
    type_card(page, "9", "Undo Me", "Acme")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Undo Me")
    page.keyboard.press(keys)  # the cursor is back in the fold code
    removed = page.get_by_text("Removed the card of Undo Me, Acme.")
    expect(removed).to_be_visible()
    assert not Card.objects.exists()
    # The next card saved takes the place of that message, which was about the last one.
    expect(page.locator("[name=keys]")).to_be_focused()
    type_card(page, "7", "Next One", "Acme")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Next One")
    expect(removed).to_have_count(0)


def test_an_undo_with_the_next_card_half_typed_says_it_would_be_lost(booth):
    page = booth
    type_card(page, "9", "Undo Me", "Acme")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Undo Me")
    type_card(page, "7", "Half Typed")
    asked = []

    def answer(dialog, accept: bool) -> None:
        asked.append((dialog.type, dialog.message))
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.keyboard.press("Alt+u")
    expect(page.locator("[name=name]")).to_have_value("Half Typed")
    assert Card.objects.count() == 1
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.keyboard.press("Alt+u")
    expect(page.get_by_text("Removed the card of Undo Me, Acme.")).to_be_visible()
    assert not Card.objects.exists()
    question = "Undo the last save? The card being typed here is not saved yet and would be lost."
    assert asked == [("confirm", question)] * 2


def test_the_consent_chosen_stays_for_the_next_cards(booth):
    page = booth
    page.select_option("[name=consent]", "consent")
    page.locator("[name=keys]").focus()
    type_card(page, "7", "Dana Reyes")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Dana Reyes")
    expect(page.locator("[name=name]")).to_have_value("")
    expect(page.locator("[name=consent]")).to_have_value("consent")
    type_card(page, "9", "Li Wei")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Li Wei")
    assert set(Card.objects.values_list("consent", flat=True)) == {"consent"}
    page.reload()
    expect(page.locator("[name=consent]")).to_have_value("consent")


def talk_asap_on_the_upper_right_corner() -> None:
    """Edit the site's vocabulary as an editor would while a booth page is open."""
    rule = FoldRule.objects.get(vocabulary=Vocabulary.default(), pattern=UR)
    rule.meanings.add(Meaning.objects.get(slug="asap"))


def test_after_a_vocabulary_edit_the_next_save_brings_the_new_decoding(booth):
    page = booth
    live_line = page.locator("[data-live-line]")
    talk_asap_on_the_upper_right_corner()
    type_card(page, "9")
    expect(live_line).not_to_contain_text("Talk ASAP")  # the table of the page's loading
    page.keyboard.press("Escape")
    type_card(page, "7", "", "Acme")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Acme")
    page.keyboard.type("9")
    expect(live_line).to_contain_text("Talk ASAP")
    expect(live_line).to_contain_text("Customer")


def test_a_vocabulary_edit_reaches_the_live_line_while_the_card_is_typed(booth):
    page = booth
    talk_asap_on_the_upper_right_corner()
    type_card(page, "9", "Li Wei")  # the lookup of who it may be says the table changed
    expect(page.locator("[data-live-line]")).to_contain_text("Talk ASAP")
    expect(page.locator("[name=name]")).to_be_focused()
    expect(page.locator("[name=name]")).to_have_value("Li Wei")
