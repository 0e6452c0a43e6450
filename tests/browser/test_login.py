from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_logs_in_and_sees_the_conferences(conference, logged_in):
    expect(logged_in.get_by_role("heading", name="Conferences")).to_be_visible()
    expect(logged_in.get_by_role("link", name="Expo 2026")).to_be_visible()


def test_a_wrong_password_is_refused(page, alice):
    page.goto("/")
    page.wait_for_url("**/accounts/login/?next=/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
