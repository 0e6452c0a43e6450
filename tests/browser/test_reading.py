"""Reading cards from photos in the browser: at the booth, offline, and a whole stack."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from contacts import folds, services
from contacts.models import Card, Contact, ReadingState, StackPhoto
from tests.browser.helpers import type_card, wait_for_the_live_server, wait_until
from tests.reading import cardgen

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def run_worker(logged_in):
    """Return a function that runs the task worker until no task is left, while the
    browser's requests wait: the test database, SQLite in memory, refuses a request's read
    of a table the worker writes ("database table is locked"), and the worker's writes
    while a request reads. The requests already on their way are let finish first: those
    the browser made (watched from this fixture on), and any the live server answers."""
    context = logged_in.context
    in_flight = set()
    context.on("request", lambda request: in_flight.add(request))
    context.on("requestfinished", lambda request: in_flight.discard(request))
    context.on("requestfailed", lambda request: in_flight.discard(request))

    def run() -> None:
        # A route's handler runs only while the test waits on the browser: not during
        # the worker's run, so each request made then waits until it is over.
        context.route("**/*", lambda route: route.continue_())
        deadline = time.monotonic() + 10
        logged_in.wait_for_timeout(20)  # the events of the requests made so far arrive
        while in_flight:
            assert time.monotonic() < deadline, f"still on their way: {in_flight}"
            logged_in.wait_for_timeout(20)
        wait_for_the_live_server()  # and any the page made before it was watched
        try:
            call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
        finally:
            context.unroute("**/*")

    return run


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def booth(conference, logged_in):
    logged_in.goto(reverse("events-booth", args=[conference.slug]))
    expect(logged_in.locator("[name=keys]")).to_be_focused()
    return logged_in


def photo_file(card: cardgen.GeneratedCard, name: str) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": card.photo}


def test_a_photo_fills_the_empty_fields_and_keeps_what_was_typed(booth):
    page = booth
    card = cardgen.make_card(7, qr="vcard", rotation=0)
    page.keyboard.type("9")
    page.fill("[name=company]", "Typed Company")
    page.set_input_files("[name=photo]", photo_file(card, "card.jpg"))
    expect(page.locator("[name=name]")).to_have_value(card.fields["name"])
    expect(page.locator("[name=email]")).to_have_value(card.fields["email"])
    expect(page.locator("[name=company]")).to_have_value("Typed Company")
    expect(page.locator('[data-read-mark="email"]')).to_have_text("from the QR code")
    expect(page.locator("[data-read-status]")).to_contain_text("kept as typed")
    page.locator("[name=name]").press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text(f"Saved {card.fields['name']}")
    saved = Card.objects.get()
    assert (saved.contact.company, saved.contact.email) == ("Typed Company", card.fields["email"])
    expect(page.locator('[data-read-mark="email"]')).to_have_text("")


def test_a_card_read_from_a_photo_is_looked_up_as_a_typed_one(booth, make_card):
    card = cardgen.make_card(7, qr="vcard", rotation=0)
    person = Contact.objects.create(name=card.fields["name"], email=card.fields["email"])
    make_card(folds.UR, contact=person)
    page = booth
    page.keyboard.type("9")
    page.set_input_files("[name=photo]", photo_file(card, "card.jpg"))
    expect(page.locator("[name=email]")).to_have_value(card.fields["email"])
    expect(page.locator("[data-already-logged]")).to_contain_text(
        f"{card.fields['name']} already logged at"
    )


def test_fix_while_a_photo_is_read_keeps_the_reading_out_of_the_card_it_brings_back(booth):
    page = booth
    type_card(page, "5", "Bob Fixme", "", "", "bob@fixme")  # an email the server refuses
    page.keyboard.press("Enter")
    problem = page.locator("[data-problem]")
    expect(problem).to_contain_text("Not saved: Bob Fixme")
    readings = []
    page.route("**/booth/read/", lambda route: readings.append(route))
    page.keyboard.type("7")
    card = cardgen.make_card(7, qr="vcard", rotation=0)
    page.set_input_files("[name=photo]", photo_file(card, "card.jpg"))
    expect(page.locator("[data-read-status]")).to_have_text("Reading the card…")
    page.once("dialog", lambda dialog: dialog.accept())
    problem.get_by_role("button", name="Fix").click()
    expect(page.locator("[name=name]")).to_have_value("Bob Fixme")
    readings[0].continue_()
    page.wait_for_timeout(500)  # the reading's answer comes back, for a card no longer there
    expect(page.locator("[name=company]")).to_have_value("")
    expect(page.locator("[name=phone]")).to_have_value("")
    expect(page.locator("[data-read-status]")).to_have_text("")


def test_the_booth_still_fits_a_laptop_screen_with_a_card_read_and_the_latest_cards(
    booth, make_card
):
    page = booth
    for n in range(12):
        make_card(folds.UR, name=f"Person {n}", note="call back about the pilot")
    page.reload()
    card = cardgen.make_card(7, qr="vcard", rotation=0)
    page.keyboard.type("9")
    page.set_input_files("[name=photo]", photo_file(card, "card.jpg"))
    expect(page.locator("[data-read-extras] details")).to_be_visible()  # Lines read
    assert page.evaluate("document.documentElement.scrollHeight") <= 768
    latest = page.locator("[data-latest] tr")
    expect(latest.nth(1)).to_be_in_viewport()  # two rows at least, the rest scroll
    page.locator("[name=name]").press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text(f"Saved {card.fields['name']}")
    expect(page.locator("[data-confirmation]")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollHeight") <= 768


def test_a_photo_with_nothing_to_read_says_so_and_saving_goes_on(booth):
    page = booth
    plain = {"name": "x.jpg", "mimeType": "image/jpeg", "buffer": plain_photo()}
    page.set_input_files("[name=photo]", plain)
    expect(page.locator("[data-read-status]")).to_contain_text(
        "Couldn't read the card — please type it"
    )
    page.keyboard.press("Tab")
    page.fill("[name=name]", "Typed After All")
    page.locator("[name=name]").press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Typed After All")


def test_a_field_read_unsure_is_marked_to_be_checked(booth):
    page = booth
    answer = {
        "fields": {
            "name": {"value": "Ana Ruiz", "source": "text", "confidence": 0.93, "sure": True},
            "phone": {
                "value": "+46 620 546 11",
                "source": "text",
                "confidence": 0.59,
                "sure": False,
            },
        },
        "alternatives": {"phones": [], "emails": []},
        "lines": ["Ana Ruiz", "+46 620 546 11"],
        "folds": [],
        "warnings": [],
    }
    page.route("**/read/", lambda route: route.fulfill(json=answer))
    page.set_input_files("[name=photo]", photo_file(cardgen.make_card(7, rotation=0), "a.jpg"))
    expect(page.locator("[data-read-mark=phone]")).to_have_text("from the card: check it")
    expect(page.locator("[data-read-mark=name]")).to_have_text("from the card")
    expect(page.locator("[data-read-status]")).to_have_text(
        "Read from the card: 2 fields. Check the phone: read unsure."
    )


def test_typing_over_a_field_read_from_the_card_unmarks_that_field_only(booth):
    page = booth
    card = cardgen.make_card(7, qr="vcard", rotation=0)
    page.set_input_files("[name=photo]", photo_file(card, "card.jpg"))
    expect(page.locator("[data-read-status]")).to_contain_text("Read from the card")
    for field in ["name", "company", "email"]:
        expect(page.locator(f"[name={field}]")).to_have_attribute("data-read-source", "qr")
    page.locator("[name=company]").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Typed Company")
    expect(page.locator("[name=company][data-read-source]")).to_have_count(0)
    expect(page.locator('[data-read-mark="company"]')).to_have_text("")
    for field in ["name", "email"]:
        expect(page.locator(f"[name={field}]")).to_have_attribute("data-read-source", "qr")
        expect(page.locator(f'[data-read-mark="{field}"]')).to_have_text("from the QR code")


def plain_photo() -> bytes:
    """Return a photo of a grey table: nothing to read."""
    out = io.BytesIO()
    Image.new("RGB", (800, 500), "#777").save(out, "JPEG")
    return out.getvalue()


def test_a_photo_only_card_saved_offline_is_read_after_it_syncs(booth, context, run_worker):
    page = booth
    card = cardgen.make_card(7, qr="vcard", rotation=0)
    wait_until(
        page,
        "navigator.serviceWorker.ready.then(() => caches.match(location.pathname)).then(Boolean)",
    )
    context.set_offline(True)
    page.keyboard.type("795")
    page.set_input_files("[name=photo]", photo_file(card, "card.jpg"))
    expect(page.locator("[data-read-status]")).to_contain_text("offline")
    page.locator("[name=keys]").press("Enter")
    expect(page.locator("[data-outbox-count]")).to_have_text("1 waiting to sync")
    context.set_offline(False)
    expect(page.locator("[data-outbox-count]")).to_be_hidden(timeout=15_000)
    saved = Card.objects.get()
    assert (saved.folds, saved.reading_state) == (
        folds.UL | folds.UR | folds.HALF,
        ReadingState.WAITING,
    )
    run_worker()
    page.reload()
    row = page.locator(f'[data-card="{saved.pk}"]')
    expect(row).to_contain_text(card.fields["name"])
    expect(row.locator("[data-needs-check]")).to_have_text("Read from photo — check")


def test_a_stack_of_ten_is_read_and_reviewed_with_the_keyboard(conference, logged_in, run_worker):
    page = logged_in
    cards = [cardgen.make_card(seed, qr="vcard", rotation=0) for seed in range(100, 110)]
    page.goto(reverse("events-stack", args=[conference.slug]))
    page.set_input_files(
        "[name=photos]", [photo_file(card, f"card-{i}.jpg") for i, card in enumerate(cards)]
    )
    page.get_by_role("button", name="Add photos").click()
    expect(page.locator("[data-stack-photo]")).to_have_count(10, timeout=60_000)
    expect(page.locator("[data-stack-photo][data-state=waiting]")).to_have_count(10)
    run_worker()
    # The page follows the reading and offers the review once nothing waits.
    expect(page.locator("[data-review]")).to_be_visible(timeout=15_000)
    page.locator("[data-review]").focus()
    page.keyboard.press("Enter")
    for _ in cards:
        shown = page.locator("[data-stack-review-photo]").get_attribute("data-stack-review-photo")
        name = StackPhoto.objects.get(pk=shown).name
        truth = cards[int(name.removeprefix("card-").removesuffix(".jpg"))]
        expect(page.locator("[name=name]")).to_have_value(truth.fields["name"])
        expect(page.locator("[name=keys]")).to_be_focused()
        # Where the reading saw the folds otherwise, fix them with the usual keys.
        if checked_codes(page) != set(truth.folds):
            page.keyboard.press("Escape")
            page.keyboard.type(folds.to_keys(folds.parse_codes(sorted(truth.folds))))
        page.keyboard.press("Enter")
        expect(page.locator(f'[data-stack-review-photo="{shown}"]')).to_have_count(0)
    expect(page.locator("[data-stack-empty]")).to_be_visible()
    logged = {c.contact.email: c.folds for c in Card.objects.select_related("contact")}
    assert logged == {c.fields["email"]: folds.parse_codes(sorted(c.folds)) for c in cards}
    page.goto(reverse("contacts-followups") + f"?conference={conference.pk}&owner=all")
    expect(page.locator("[data-card]")).to_have_count(10)


def test_the_photos_a_stack_refused_stay_said_until_dismissed(conference, logged_in, run_worker):
    page = logged_in
    card = cardgen.make_card(120, qr="vcard", rotation=0)
    page.goto(reverse("events-stack", args=[conference.slug]))
    text = {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo"}
    page.set_input_files("[name=photos]", [photo_file(card, "card.jpg"), text])
    page.get_by_role("button", name="Add photos").click()
    refused = page.locator("[data-refused]")
    expect(refused).to_contain_text("notes.jpg:")
    run_worker()
    expect(page.locator("[data-review]")).to_be_visible(timeout=15_000)  # reloaded
    expect(refused).to_contain_text("notes.jpg:")
    refused.get_by_role("button", name="Dismiss").click()
    expect(refused).to_have_count(0)
    page.reload()
    expect(refused).to_have_count(0)


def test_enter_in_the_review_note_logs_the_card_and_shift_enter_starts_a_line(
    conference, alice, logged_in, run_worker
):
    page = logged_in
    for seed in (100, 101):
        card = cardgen.make_card(seed, qr="vcard", rotation=0)
        services.add_stack_photo(conference, alice, card.photo, f"card-{seed}.jpg")
    run_worker()
    page.goto(reverse("events-stack-review", args=[conference.slug]))
    first = page.locator("[data-stack-review-photo]").get_attribute("data-stack-review-photo")
    page.locator("[name=note]").click()
    page.keyboard.type("Wants a demo")
    page.keyboard.press("Enter")
    expect(page.locator(f'[data-stack-review-photo="{first}"]')).to_have_count(0)
    assert StackPhoto.objects.get(pk=first).card.note == "Wants a demo"
    second = page.locator("[data-stack-review-photo]").get_attribute("data-stack-review-photo")
    page.locator("[name=note]").click()
    page.keyboard.type("Wants a demo")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("in March")
    page.keyboard.press("Enter")
    expect(page.locator("[data-stack-empty]")).to_be_visible()
    note = StackPhoto.objects.get(pk=second).card.note
    assert note.splitlines() == ["Wants a demo", "in March"]


def checked_codes(page) -> set[str]:
    return set(
        page.eval_on_selector_all("input[name=folds]:checked", "els => els.map(e => e.value)")
    )
