"""A person in the browser: the duplicates page, the merge screen and its undo, and the
booth's "same person?"."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from contacts.folds import HALF, UR
from contacts.models import Card, Contact, ContactMerge
from events.models import Conference
from tests.browser.helpers import type_card

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def earlier() -> Conference:
    return Conference.objects.create(
        name="Expo 2025", starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 2)
    )


@pytest.fixture
def two_bergs(make_card, earlier) -> tuple[Contact, Contact]:
    anna = make_card(UR, name="Anna Berg", company="Bergwerk AB").contact
    berg = make_card(HALF, name="anna berg", company="Bergwerk", conference=earlier).contact
    berg.title, berg.email = "CTO", "anna@bergwerk.se"
    berg.save()
    return anna, berg


def test_a_manager_merges_two_people_picking_each_value_then_undoes_it(logged_in, two_bergs):
    page = logged_in
    anna, berg = two_bergs
    page.goto(reverse("contacts-duplicates"))
    expect(page.locator("[data-reasons]")).to_have_text("the same name and a similar company")
    page.get_by_role("link", name="Compare and merge").click()
    # The two side by side, the non-empty values picked: anna has no title nor email.
    title = page.locator("[data-field=title]")
    expect(title.locator("input[value=other]")).to_be_checked()
    expect(page.locator("[data-field=email] input[value=other]")).to_be_checked()
    name = page.locator("[data-field=name]")
    expect(name.locator("input[value=kept]")).to_be_checked()
    # The manager prefers the other's spelling of the name.
    name.get_by_text("anna berg", exact=True).click()
    page.locator("[data-merge]").click()
    expect(page.locator(".alert-success")).to_contain_text("Merged")
    expect(page.locator("h1")).to_have_text("anna berg")
    expect(page.locator("[data-timeline] [data-card]")).to_have_count(2)
    expect(page.locator("[data-timeline]")).to_contain_text("Expo 2025")
    anna.refresh_from_db()
    assert (anna.name, anna.title, anna.email) == ("anna berg", "CTO", "anna@bergwerk.se")
    assert not Contact.objects.filter(pk=berg.pk).exists()

    page.locator("[data-undo-merge]").click()
    expect(page.locator(".alert-success")).to_contain_text("a person of their own again")
    assert Contact.objects.get(pk=berg.pk).cards.get().conference.name == "Expo 2025"
    assert Contact.objects.get(pk=anna.pk).name == "Anna Berg"
    assert ContactMerge.objects.get().undone_at is not None


@pytest.mark.parametrize("width", [768, 390])
def test_the_duplicates_fit_a_tablet_and_a_phone(logged_in, two_bergs, width):
    page = logged_in
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("contacts-duplicates"))
    merge = page.get_by_role("link", name="Compare and merge")
    expect(merge).to_be_visible()
    assert merge.evaluate("e => e.getBoundingClientRect().right") <= width
    assert page.locator(".table-responsive").evaluate("e => e.scrollWidth <= e.clientWidth")


@pytest.mark.parametrize("width", [768, 390])
def test_the_merge_fits_a_tablet_and_a_phone(logged_in, two_bergs, width):
    page = logged_in
    page.set_viewport_size({"width": width, "height": 900})
    anna, berg = two_bergs
    anna.email = "anna.berg@bergwerk-industrieanlagen.example"
    anna.save()
    page.goto(reverse("contacts-merge", args=[anna.pk, berg.pk]))
    other = page.locator("[data-field=email] input[value=other]")
    expect(other).to_be_visible()
    assert other.evaluate("e => e.getBoundingClientRect().right") <= width
    assert page.locator(".table-responsive").evaluate("e => e.scrollWidth <= e.clientWidth")


def test_the_booth_asks_same_person_and_attaches_the_card_with_one_key(
    logged_in, conference, make_card, earlier
):
    page = logged_in
    anna = make_card(UR, name="Anna Berg", company="Bergwerk AB", conference=earlier).contact
    page.goto(reverse("events-booth", args=[conference.slug]))
    type_card(page, "7", "Anna Berg", "Bergwerk")
    same = page.locator("[data-same-person]")
    expect(same).to_contain_text("Looks like Anna Berg, Bergwerk AB, met at Expo 2025")
    page.keyboard.press("Alt+y")
    expect(same).to_contain_text("Attached to Anna Berg")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Anna Berg")
    expect(same).to_have_text("")
    card = Card.objects.get(conference=conference)
    assert card.contact == anna
    assert Contact.objects.count() == 1


def test_a_person_chosen_whom_what_is_typed_no_longer_names_is_let_go(
    logged_in, conference, make_card, earlier
):
    page = logged_in
    make_card(UR, name="Anna Berg", company="Bergwerk AB", conference=earlier)
    page.goto(reverse("events-booth", args=[conference.slug]))
    type_card(page, "7", "Anna Berg", "Bergwerk")
    same = page.locator("[data-same-person]")
    expect(same).to_contain_text("Looks like Anna Berg")
    page.keyboard.press("Alt+y")
    expect(same).to_contain_text("Attached to Anna Berg")
    page.locator("[name=name]").fill("Carl Stale")
    page.locator("[name=company]").fill("Stale Oy")
    expect(same).to_have_text("")
    expect(page.locator("[name=contact]")).to_have_value("")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Carl Stale")
    assert Card.objects.get(conference=conference).contact.name == "Carl Stale"


def test_fix_asks_about_the_card_it_brings_back_not_the_one_it_replaces(
    logged_in, conference, make_card, earlier
):
    page = logged_in
    make_card(UR, name="Anna Berg", company="Bergwerk AB", conference=earlier)
    page.goto(reverse("events-booth", args=[conference.slug]))
    type_card(page, "3", "Carl Stale", "", "", "carl@stale")  # an email the server refuses
    page.keyboard.press("Enter")
    problem = page.locator("[data-problem]")
    expect(problem).to_contain_text("Not saved: Carl Stale")
    type_card(page, "7", "Anna Berg", "Bergwerk")
    same = page.locator("[data-same-person]")
    expect(same).to_contain_text("Looks like Anna Berg")
    page.once("dialog", lambda dialog: dialog.accept())
    problem.get_by_role("button", name="Fix").click()
    expect(page.locator("[name=name]")).to_have_value("Carl Stale")
    expect(same).to_have_text("")
    page.keyboard.press("Alt+y")  # nothing to attach to
    expect(page.locator("[name=contact]")).to_have_value("")


def test_a_card_with_only_a_phone_is_logged_for_the_person_its_phone_finds(
    logged_in, conference, make_card, earlier
):
    page = logged_in
    anna = make_card(UR, name="Anna Berg", company="Bergwerk AB", conference=earlier).contact
    anna.phone, anna.phone_normalized = "+46 8 555 02 02", "+4685550202"
    anna.save()
    page.goto(reverse("events-booth", args=[conference.slug]))
    page.keyboard.type("7")
    page.locator("[name=phone]").fill("+46 8 555 02 02")
    same = page.locator("[data-same-person]")
    expect(same).to_contain_text("Looks like Anna Berg")
    page.keyboard.press("Enter")  # a phone alone names no one
    expect(page.locator("[data-confirmation]")).to_contain_text("A card needs at least")
    page.keyboard.press("Alt+y")
    expect(same).to_contain_text("Attached to Anna Berg")
    page.keyboard.press("Enter")
    expect(page.locator("[data-confirmation]")).to_contain_text("Saved Anna Berg")
    assert Card.objects.get(conference=conference).contact == anna
