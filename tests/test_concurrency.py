"""Several people at once: replays of one card (at the booth and through the API), and two
edits of the same card.

The threaded tests need a real server database and run in the PostgreSQL pass of .ci/run;
the version check itself is tested on every database.
"""

from __future__ import annotations

import json
import random
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from api.models import ApiToken
from contacts.folds import UL, UR
from contacts.models import Card

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="runs in the PostgreSQL pass of .ci/run"
)


def edit_data(card: Card, **changes) -> dict:
    data = {"name": card.contact.name, "company": "Acme", "folds": ["UR"], "version": card.version}
    data.update(changes)
    return data


@pytest.mark.django_db
def test_an_edit_of_a_stale_card_is_refused_with_a_message(client, alice, make_card):
    card = make_card(UR, name="Dana")
    url = reverse("events-booth-card", args=[card.conference.slug, card.pk])
    client.force_login(alice)
    first = client.post(url, edit_data(card, note="first edit"))
    assert first.status_code == 302
    second = client.post(url, edit_data(card, note="second edit"), follow=True)
    assert "Someone else changed this card while you were editing it" in second.content.decode()
    card.refresh_from_db()
    assert (card.note, card.version) == ("first edit", 1)


def run_threads(count: int, work) -> list:
    results: list = []
    errors: list = []

    def target(n: int) -> None:
        try:
            results.append(work(n))
        except Exception as e:  # reported below, with the thread's number
            errors.append((n, e))
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_replays_from_many_threads_leave_one_card_each(alice, conference):
    cards, threads, retries = 12, 4, 3
    keys = [str(uuid.uuid4()) for _ in range(cards)]
    url = reverse("events-booth", args=[conference.slug])

    def post_all(n: int) -> list[int]:
        client = Client()
        client.force_login(alice)
        sends = keys * retries
        random.Random(n).shuffle(sends)
        statuses = []
        for key in sends:
            response = client.post(
                url,
                {
                    "name": f"Person {key[:8]}",
                    "email": f"{key[:8]}@example.com",
                    "client_uuid": key,
                },
                HTTP_ACCEPT="application/json",
            )
            statuses.append(response.status_code)
        return statuses

    statuses = [s for result in run_threads(threads, post_all) for s in result]
    assert Card.objects.count() == cards
    assert sorted(set(statuses)) == [200, 201]
    assert statuses.count(201) == cards
    assert len(statuses) == cards * threads * retries


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_edits_one_wins_the_other_is_told(alice, bob, make_card):
    card = make_card(UL, name="Dana")
    url = reverse("events-booth-card", args=[card.conference.slug, card.pk])
    start = threading.Barrier(2)

    def edit(n: int) -> tuple[int, str]:
        client = Client()
        client.force_login([alice, bob][n])
        data = edit_data(card, note=f"edit {n}")
        start.wait()
        response = client.post(url, data)
        return response.status_code, response.url

    results = run_threads(2, edit)
    assert sorted(status for status, _ in results) == [302, 302]
    winners = [target for _, target in results if "?edited=" in target]
    losers = [target for _, target in results if target == url]
    assert len(winners) == 1 and len(losers) == 1
    card.refresh_from_db()
    assert card.version == 1
    assert card.note in ("edit 0", "edit 1")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_api_replays_at_the_same_moment_leave_one_card(alice, conference):
    threads = 6
    _, key = ApiToken.issue(alice, "replays")
    url = reverse("api-card-create", args=[conference.slug])
    body = json.dumps(
        {"name": "Dana Reyes", "email": "dana@acme.io", "client_uuid": str(uuid.uuid4())}
    )
    start = threading.Barrier(threads)

    def post(n: int) -> tuple[int, int]:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        start.wait()
        response = client.post(url, body, content_type="application/json")
        return response.status_code, response.json()["id"]

    results = run_threads(threads, post)
    card = Card.objects.get()
    assert sorted(status for status, _ in results) == [200] * (threads - 1) + [201]
    assert {card_id for _, card_id in results} == {card.pk}
