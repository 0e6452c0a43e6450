from __future__ import annotations

import pytest
from playwright.sync_api import expect

from contacts.folds import HALF, UL, UR
from contacts.models import Card
from tests.imports_files import csv_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_at_once")]


def test_it_previews_a_file_takes_a_new_mapping_and_imports(logged_in, conference, media, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(
        csv_bytes(
            ["Name", "Organisation", "Email", "Folds"],
            ["Dana Reyes", "Acme", "dana@acme.io", "795"],
            ["Li Wei", "Hooli", "li@hooli.example", "5"],
        )
    )
    page = logged_in
    page.goto(f"/events/{conference.slug}/")
    page.get_by_role("link", name="Import").click()
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Preview").click()

    dana = page.locator('[data-row="2"]')
    expect(dana).to_contain_text("Dana Reyes")
    page.wait_for_load_state()  # the page's script listens for the change below
    expect(dana).to_contain_text("UL UR HALF")
    expect(dana).not_to_contain_text("Acme")  # "Organisation" is no column foldcard knows
    expect(page.get_by_label("Organisation")).to_have_value("")
    # Choosing what the column is checks the file again at once.
    page.get_by_label("Organisation").select_option("company")
    # The whole file is checked again: more than the default wait on a busy machine.
    expect(dana).to_contain_text("Acme", timeout=20_000)
    expect(page.get_by_label("Organisation")).to_have_value("company")
    assert not Card.objects.exists()

    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.locator("[data-summary]")).to_contain_text("Imported 2 rows: 2 new")
    page.get_by_role("link", name="The follow-ups of Expo 2026").click()
    rows = page.locator("[data-card]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Dana Reyes")
    cards = {(c.contact.company, c.folds) for c in Card.objects.select_related("contact")}
    assert cards == {("Acme", UL | UR | HALF), ("Hooli", HALF)}
