from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from contacts.folds import UR
from tests.browser.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_booth_staff_cannot_reach_the_vocabulary_admin(page, bob):
    log_in(page, "bob")
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    page.goto("/admin/contacts/vocabulary/")
    expect(page).to_have_url("/admin/login/?next=/admin/contacts/vocabulary/")
    expect(page.get_by_text("You are authenticated as bob, but are not authorized")).to_be_visible()


def test_a_manager_can_export(page, alice, make_card, conference):
    make_card(UR, name="Dana Reyes")
    log_in(page, "alice")
    page.goto(conference.get_absolute_url())
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "expo-2026-cards.csv"
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Dana Reyes" in content


def test_booth_staff_sees_no_export_links_and_is_refused(page, bob, conference):
    log_in(page, "bob")
    page.goto(conference.get_absolute_url())
    expect(page.get_by_role("link", name="CSV")).to_have_count(0)
    response = page.goto(f"/events/{conference.slug}/export.csv")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You may not do that")).to_be_visible()
