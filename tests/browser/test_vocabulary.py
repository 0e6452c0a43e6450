"""The vocabulary editor in a browser: a weight changed with its preview, then the
follow-up list in its new order; a rule typed keyboard-only; a phone's width."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.folds import DIAG, HALF, UL, UR
from contacts.models import Meaning, Vocabulary
from tests.browser.helpers import log_in
from tests.conftest import user_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def edna(django_user_model):
    """A vocabulary editor without staff status, who also works follow-ups."""
    return user_in(django_user_model, "edna", "Vocabulary editors", "Managers")


def met_at(conference, hour: int):
    return timezone.make_aware(datetime.combine(conference.ends_on, time(hour)))


def test_an_editor_reweights_customer_and_the_follow_up_list_follows(
    page, edna, conference, make_card, tasks_at_once
):
    # tasks_at_once: the cards are re-prioritized as the save commits, not by a worker.
    # Prospects and customers followed up within the same week, so that weight decides.
    Meaning.objects.filter(slug="prospect").update(window_days=7)
    make_card(UL, name="Pia Prospect", owner=edna, logged_at=met_at(conference, 9))
    make_card(UR, name="Carla Customer", owner=edna, logged_at=met_at(conference, 10))
    customer = Meaning.objects.get(slug="customer")
    log_in(page, "edna")
    page.goto("/followups/")
    expect(page.locator("[data-name]")).to_have_text(["Pia Prospect", "Carla Customer"])

    page.goto(f"/vocabularies/{Vocabulary.default().pk}/")
    row = page.locator(f"#meaning-{customer.pk}")
    row.get_by_label("Weight").fill("60")
    expect(row.locator("[data-preview-counts]")).to_contain_text("1 waiting card changes priority")
    expect(row.locator("[data-preview-moved]")).to_have_text("Carla Customer: priority 20 → 60")
    expect(row.locator("[data-preview-first] li").first).to_have_text(
        "Carla Customer (60, due Fri 27 Nov) — was 2"
    )
    assert Meaning.objects.get(slug="customer").weight == 20  # a preview saves nothing

    row.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Customer: weight 20 → 60")
    page.goto("/followups/")
    expect(page.locator("[data-name]")).to_have_text(["Carla Customer", "Pia Prospect"])


def test_a_rule_is_added_keyboard_only_on_a_phone(browser, live_server, edna, vocabulary):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "edna")
    for url in ("/vocabularies/", f"/vocabularies/{vocabulary.pk}/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url

    row = page.locator("#rule-new")
    row.get_by_label("Fold code").focus()
    page.keyboard.type("5/")
    expect(row.locator(".card-drawing .bent")).to_have_count(2)
    expect(row.locator("[data-preview-combinations]")).to_contain_text("would decode otherwise")
    row.get_by_label("Talk ASAP").focus()
    page.keyboard.press("Space")
    row.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Added rule 5/ (HALF + DIAG): asap")
    assert [m.slug for m in vocabulary.table()[HALF | DIAG].meanings] == ["asap"]
    context.close()


def test_a_row_s_save_asks_before_the_other_rows_edits_are_lost(page, edna, vocabulary):
    customer, prospect = (Meaning.objects.get(slug=slug) for slug in ("customer", "prospect"))
    log_in(page, "edna")
    page.goto(f"/vocabularies/{vocabulary.pk}/")
    page.locator(f"#meaning-{customer.pk}").get_by_label("Weight").fill("33")
    row = page.locator(f"#meaning-{prospect.pk}")
    row.get_by_label("Window (days)").fill("4")
    asked = []

    def answer(dialog, accept: bool) -> None:
        asked.append((dialog.type, dialog.message))
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    row.get_by_role("button", name="Save").click()
    assert asked == [
        ("confirm", "Your unsaved changes to Customer will be lost: this reloads the page. Go on?")
    ]
    expect(page.locator(f"#meaning-{customer.pk}").get_by_label("Weight")).to_have_value("33")
    assert Meaning.objects.get(slug="prospect").window_days == prospect.window_days

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("link", name="Vocabularies").first.click()
    assert asked[-1][0] == "beforeunload"
    expect(page).to_have_url(f"/vocabularies/{vocabulary.pk}/")

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Prospect: window days {prospect.window_days} → 4"
    )
    assert len(asked) == 3  # the reload after the save asked nothing more
    assert Meaning.objects.get(slug="customer").weight == customer.weight
