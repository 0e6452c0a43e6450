"""Weight edits: saved at once, the cards re-prioritized by the background worker in
batches, with progress in the admin and on the follow-up list."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from contacts import services
from contacts.folds import UL, UR
from contacts.models import Card, Meaning, Reprioritization

pytestmark = pytest.mark.django_db(transaction=True)
FOLLOWUPS = reverse("contacts-followups")


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


def edit_weight(client, weight: int):
    prospect = Meaning.objects.get(slug="prospect")
    data = {
        "slug": prospect.slug,
        "label": prospect.label,
        "weight": weight,
        "window_days": prospect.window_days,
        "colour": prospect.colour,
        "order": prospect.order,
        "active": "on",
    }
    url = reverse("admin:contacts_meaning_change", args=[prospect.pk])
    return client.post(url, data, follow=True)


@pytest.fixture
def cards(make_card, fixed_today) -> list[Card]:
    fixed_today(date(2026, 11, 21))
    return [make_card(UL if n % 2 else UR, name=f"Person {n}") for n in range(5)]


def test_a_weight_edit_is_saved_at_once_and_the_worker_reorders_the_cards_in_batches(
    client, alice, cards, monkeypatch
):
    monkeypatch.setattr(services, "REPRIORITIZE_BATCH", 2)
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    page = edit_weight(client, 90).content.decode()
    assert "re-prioritized in the background" in page
    assert Meaning.objects.get(slug="prospect").weight == 90
    assert set(Card.objects.values_list("priority", flat=True)) == {20}  # not yet
    assert "re-ordering: 0%" in client.get(FOLLOWUPS).content.decode()

    job = Reprioritization.objects.get()
    assert services.reprioritize_batch(job)  # the first two cards of five
    assert "re-ordering: 40%" in client.get(FOLLOWUPS).content.decode()
    admin_list = client.get(reverse("admin:contacts_reprioritization_changelist"))
    assert "40%" in admin_list.content.decode()

    run_worker()
    prospects = Card.objects.filter(folds=UL)
    assert set(prospects.values_list("priority", flat=True)) == {90}
    assert Reprioritization.objects.get().finished_at is not None
    assert "re-ordering" not in client.get(FOLLOWUPS).content.decode()


def test_a_later_edit_wins_whichever_job_runs_last(client, alice, cards):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    edit_weight(client, 90)
    edit_weight(client, 5)
    run_worker()
    assert set(Card.objects.filter(folds=UL).values_list("priority", flat=True)) == {5}
    assert Reprioritization.objects.filter(finished_at=None).count() == 0


def test_new_cards_are_decoded_with_the_edit_before_the_worker_runs(
    client, alice, cards, conference
):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    edit_weight(client, 90)
    booth = reverse("events-booth", args=[conference.slug])
    saved = client.post(booth, {"name": "New", "folds": ["UL"]}, HTTP_ACCEPT="application/json")
    assert saved.json()["priority"] == 90
