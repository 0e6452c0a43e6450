"""foldcard on a phone: 390 by 844 CSS pixels (an iPhone 12 to 15)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from contacts.folds import HALF, UL, UR
from contacts.models import Contact
from tests.browser.helpers import log_in
from tests.imports_files import csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 390
# The smallest target a finger hits reliably (Apple's Human Interface Guidelines).
TAP_PX = 44


def wide_pages(page, urls: dict[str, str]) -> dict[str, int]:
    """Return the width of each page of ``urls`` that is wider than the screen."""
    wide = {}
    for name, url in urls.items():
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide[name] = width
    return wide


def test_no_page_scrolls_sideways_on_a_phone(phone, alice, conference, make_card):
    dana = Contact.objects.create(
        name="Dana Reyes-Montgomery",
        company="Acme Intercontinental Holdings",
        title="Chief Technology Officer",
        email="dana.reyes-montgomery@acme-intercontinental.example.com",
    )
    card = make_card(UL | UR | HALF, contact=dana, note="wants a second region before Q2 " * 4)
    make_card(UR, name="Li Wei")
    alice.is_staff = True  # the navigation bar at its longest
    alice.save()
    slug = conference.slug
    assert wide_pages(phone, {"login": reverse("login")}) == {}
    log_in(phone, "alice")
    urls = {
        "booth": reverse("events-booth", args=[slug]),
        "booth card edit": reverse("events-booth-card", args=[slug, card.pk]),
        "follow-ups": reverse("contacts-followups") + "?owner=all",
        "conference": reverse("events-detail", args=[slug]),
        "home": reverse("events-home"),
        "contact": reverse("contacts-contact", args=[dana.pk]),
        "settings": reverse("contacts-settings"),
        "new conference": reverse("events-create"),
        "email composer": reverse("contacts-followup-email", args=[card.pk]),
    }
    assert wide_pages(phone, urls) == {}


def test_the_booth_can_be_used_with_a_finger(phone, alice, conference, make_card):
    for n in range(8):
        make_card(UR, name=f"Person {n}", note="call back about the pilot in the spring")
    log_in(phone, "alice")
    phone.goto(reverse("events-booth", args=[conference.slug]))
    # The latest cards keep their own height under the form, as the page scrolls, and their
    # names their room.
    latest = phone.locator(".latest").evaluate("e => e.getBoundingClientRect().height")
    assert latest >= 150
    name = phone.locator("[data-latest] tr td:nth-child(2)").first
    assert name.evaluate("e => e.getBoundingClientRect().width") >= 120
    # A phone shows its digit keyboard for the fold code (the diagonal is tapped).
    expect(phone.locator("[name=keys]")).to_have_attribute("inputmode", "numeric")
    expect(phone.get_by_role("button", name="Log out")).to_be_in_viewport()
    sizes = phone.evaluate(
        """() => {
        const scale = document.querySelector(".card-drawing").getBoundingClientRect().width / 350;
        const size = {};
        document.querySelectorAll(".card-drawing .corner").forEach((corner) => {
            const box = corner.getBoundingClientRect();
            size[corner.dataset.fold] = Math.min(box.width, box.height);
        });
        document.querySelectorAll(".card-drawing .hit").forEach((line) => {
            const fold = line.closest("[data-fold]").dataset.fold;
            size[fold] = parseFloat(getComputedStyle(line).strokeWidth) * scale;
        });
        return size;
    }"""
    )
    assert sorted(sizes) == ["DIAG", "HALF", "LL", "LR", "UL", "UR"]
    assert {fold: size for fold, size in sizes.items() if size < TAP_PX} == {}
    phone.locator(".card-drawing [data-fold=UR]").tap()
    expect(phone.locator("[name=keys]")).to_have_value("9")


@pytest.mark.usefixtures("tasks_at_once", "media")
def test_the_import_preview_does_not_scroll_sideways(phone, alice, conference, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(
        csv_bytes(
            ["Name", "Company", "Email", "Folds"],
            ["Dana Reyes-Montgomery", "Acme Intercontinental", "dana@acme.example.com", "795"],
            ["Li Wei", "Hooli", "li@", "8"],
        )
    )
    log_in(phone, "alice")
    phone.goto(reverse("events-import", args=[conference.slug]))
    phone.set_input_files("input[type=file]", str(path))
    phone.get_by_role("button", name="Preview").click()
    expect(phone.locator('[data-row="3"]')).to_contain_text("li@")
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_the_contact_page_keeps_the_conference_apart_from_the_date(phone, alice, make_card):
    card = make_card(UR, name="Dana Reyes")
    log_in(phone, "alice")
    phone.goto(reverse("contacts-contact", args=[card.contact.pk]))
    heading = phone.locator(f'[data-card="{card.pk}"] > div').first
    expect(heading).to_contain_text(card.conference.name)
    # Spread apart by the free space alone, the name and the date touch when they fill the
    # line: "Demo ExpoMon 30 Nov 2026".
    gap = heading.evaluate("(row) => parseFloat(getComputedStyle(row).columnGap)")
    assert gap >= 8


def test_a_refused_edit_of_a_long_web_address_stays_on_the_screen(phone, alice, make_card):
    dana = make_card(UR, name="Dana Reyes").contact
    log_in(phone, "alice")
    phone.goto(reverse("contacts-contact", args=[dana.pk]))
    phone.locator("[data-edit] summary").click()
    website = "https://www.acme.example/people?utm_source=conference&utm_campaign=expo2026autumn"
    phone.fill("[name=website]", website)
    Contact.objects.filter(pk=dana.pk).update(name="Dana Reyes-Holm", version=dana.version + 1)
    phone.locator("[data-contact-form] button[type=submit]").click()
    yours = phone.locator("[data-typed] [data-yours]").last
    expect(yours).to_have_text(website)
    assert yours.evaluate("e => e.getBoundingClientRect().right") <= WIDTH
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_the_vocabulary_editor_does_not_scroll_sideways_on_a_phone(phone, vera, vocabulary):
    log_in(phone, "vera")
    url = reverse("contacts-vocabulary", args=[vocabulary.pk])
    assert wide_pages(phone, {"vocabulary": url}) == {}
    phone.get_by_text("All 64 fold combinations").click()
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH
