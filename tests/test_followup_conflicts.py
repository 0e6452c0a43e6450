"""Several people on one follow-up list: an action, an undo or an email from a page that
showed a card before someone else changed it leaves the card as they left it, and says so."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from contacts import emails, services, tasks
from contacts.folds import HALF, UL, UR
from contacts.models import Card, Contact, EmailBatch, SentEmail
from tests.test_followup_bulk import bulk, chosen
from tests.test_followups import JSON, URL, action, today  # noqa: F401 (today: a fixture)
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana() -> Contact:
    return Contact.objects.create(name="Dana Reyes", company="Acme", email="dana@acme.io")


@pytest.fixture
def endpoint(alice) -> Endpoint:
    """An endpoint told of every follow-up closed: each event is a delivery row."""
    return Endpoint.objects.create(
        owner=alice, url="https://crm.example/hooks", events=["followup.done", "followup.dropped"]
    )


def closed_by_a_colleague(card: Card, user, outcome: str = "Signed by mgr") -> None:
    """Mark the card done as a colleague does from their own page, after ours was loaded."""
    services.work_followup(Card.objects.get(pk=card.pk), user, "done", outcome)


def snapshot(card: Card) -> tuple:
    card.refresh_from_db()
    return (card.state, card.snoozed_until, card.outcome, card.owner_id, card.version)


# One row's action from a stale page


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("drop", {}),
        ("snooze", {"days": "1"}),
        ("done", {"outcome": "Called"}),
        ("reopen", {}),
        ("assign", {"owner": "bob"}),
    ],
)
def test_an_action_on_a_card_changed_since_the_page_was_loaded_is_refused(
    client, alice, bob, make_card, dana, endpoint, name, data
):
    card = make_card(UR, contact=dana)
    seen = card.version
    closed_by_a_colleague(card, bob)
    before = snapshot(card)
    deliveries = Delivery.objects.count()
    client.force_login(alice)
    data = {**data, "owner": bob.pk} if "owner" in data else data
    response = client.post(action(card, name), {**data, "version": seen, "next": URL}, **JSON)
    assert response.status_code == 409
    body = response.json()
    [error] = body["errors"]["__all__"]
    assert error["message"] == (
        "Someone changed Dana Reyes, Acme after you loaded this page, so nothing was done: "
        "it is as they left it."
    )
    # The row comes back as it is now, with the colleague's outcome and version.
    assert "Outcome: Signed by mgr" in body["row_html"]
    assert f'data-version="{before[-1]}"' in body["row_html"]
    assert snapshot(card) == before
    assert Delivery.objects.count() == deliveries  # no webhook for what was not done


def test_an_action_on_the_card_as_the_page_showed_it_is_done(client, alice, make_card, dana):
    card = make_card(UR, contact=dana)
    client.force_login(alice)
    response = client.post(action(card, "drop"), {"version": card.version, "next": URL}, **JSON)
    assert response.status_code == 200
    assert snapshot(card)[0] == "dropped"


def test_a_stale_action_without_javascript_is_refused_with_a_page_saying_so(
    client, alice, bob, make_card, dana
):
    card = make_card(UR, contact=dana)
    seen = card.version
    closed_by_a_colleague(card, bob)
    client.force_login(alice)
    response = client.post(action(card, "drop"), {"version": seen, "next": URL})
    assert response.status_code == 409
    html = response.content.decode()
    assert "That did not work" in html and "Someone changed Dana Reyes, Acme" in html
    assert snapshot(card)[:3] == ("done", None, "Signed by mgr")


def test_the_detail_posts_the_version_it_showed(client, alice, make_card, dana):
    card = make_card(UR, contact=dana)
    card.set_state(Card.State.SNOOZED, alice)
    client.force_login(alice)
    html = client.get(reverse("contacts-followup", args=[card.pk])).content.decode()
    assert f'<input type="hidden" name="version" value="{card.version}">' in html


def test_a_bad_version_is_a_400_that_changes_nothing(client, alice, make_card):
    card = make_card(UR)
    client.force_login(alice)
    response = client.post(action(card, "done"), {"version": "old", "next": URL}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["version"][0]["message"] == "Enter a whole number."
    assert snapshot(card)[0] == "open"


# An undo after a colleague's change


def test_an_undo_leaves_a_card_someone_changed_since_and_names_it(
    client, alice, bob, make_card, dana
):
    shown = make_card(UL | UR | HALF, contact=dana)
    other = make_card(UR, contact=dana)
    client.force_login(alice)
    data = {"days": "1", "version": shown.version, "next": URL}
    undo = client.post(action(shown, "snooze"), data, **JSON).json()["undo"]
    closed_by_a_colleague(shown, bob, "Won the deal, PO 4711")
    response = client.post(undo["url"], {**undo["data"], "next": URL}, **JSON)
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Put 1 card back as they were."
    assert body["skipped"] == [
        {
            "id": shown.pk,
            "name": "Dana Reyes, Acme",
            "reason": "someone changed it after the action you took back",
        }
    ]
    assert snapshot(shown)[:3] == ("done", None, "Won the deal, PO 4711")
    assert snapshot(other)[:2] == ("open", None)


def test_an_undo_of_a_card_changed_since_says_so_without_javascript(
    client, alice, bob, make_card, dana
):
    card = make_card(UR, contact=dana)
    client.force_login(alice)
    undo = client.post(action(card, "drop"), {"version": card.version, "next": URL}, **JSON)
    undo = undo.json()["undo"]
    services.reopen_followup(Card.objects.get(pk=card.pk), bob)
    response = client.post(undo["url"], {**undo["data"], "next": URL}, follow=True)
    html = response.content.decode()
    assert "Put nothing back." in html
    assert "Left as they were: Dana Reyes, Acme: someone changed it after the action" in html
    assert snapshot(card)[:2] == ("open", None)
    assert Card.objects.get(pk=card.pk).state_changed_by == bob


def test_a_bulk_undo_leaves_a_card_someone_changed_since(client, alice, bob, make_card):
    cards = [make_card(UR, name=f"Person {n}") for n in range(2)]
    client.force_login(alice)
    body = client.post(bulk("drop"), chosen(*cards), **JSON).json()
    services.reopen_followup(Card.objects.get(pk=cards[0].pk), bob)
    closed_by_a_colleague(cards[0], bob, "Called, meeting booked")
    response = client.post(body["undo"]["url"], {**body["undo"]["data"], "next": URL}, **JSON)
    body = response.json()
    assert body["message"] == "Put 1 card back as they were."
    assert [each["id"] for each in body["skipped"]] == [cards[0].pk]
    assert snapshot(cards[0])[:3] == ("done", None, "Called, meeting booked")
    assert snapshot(cards[1])[0] == "open"


def test_an_undo_without_the_version_the_action_left_is_refused(client, alice, make_card):
    card = make_card(UR)
    client.force_login(alice)
    undo = client.post(action(card, "drop"), {"version": card.version, "next": URL}, **JSON)
    undo = undo.json()["undo"]
    data = {k: v for k, v in undo["data"].items() if not k.endswith("-version")}
    response = client.post(undo["url"], data, **JSON)
    assert response.status_code == 400
    assert snapshot(card)[0] == "dropped"


# Emails from a stale list, and the composer


@pytest.fixture
def two_people(make_card) -> list[Card]:
    return [
        make_card(HALF, contact=Contact.objects.create(name=f"Person {n}", email=f"p{n}@acme.io"))
        for n in range(2)
    ]


def test_email_each_leaves_out_a_card_changed_since_and_names_it(
    client, alice, bob, two_people, worked_off, smtp_server
):
    kept, closed = two_people
    shown = chosen(kept, closed, mark_done="on")
    services.work_followup(Card.objects.get(pk=closed.pk), bob, "drop", "Do not contact")
    client.force_login(alice)
    with worked_off():
        response = client.post(reverse("contacts-followup-email-many"), shown, follow=True)
    page = response.content.decode()
    assert "<li>Person 1: skipped, someone changed it after you loaded" in page
    assert [m["To"] for m in smtp_server.messages] == ["Person 0 <p0@acme.io>"]
    # The progress page, reloaded as it is while sending, still names them.
    again = client.get(response.redirect_chain[-1][0]).content.decode()
    assert "<li>Person 1: skipped, someone changed it after you loaded" in again
    assert "1 of 1 sent, 1 left out · done" in again
    assert snapshot(closed)[:3] == ("dropped", None, "Do not contact")
    assert snapshot(kept)[0] == "done"


def test_email_each_of_cards_all_changed_since_sends_nothing(
    client, alice, bob, two_people, smtp_server
):
    shown = chosen(*two_people)
    for card in two_people:
        services.work_followup(Card.objects.get(pk=card.pk), bob, "drop")
    client.force_login(alice)
    response = client.post(reverse("contacts-followup-email-many"), shown)
    assert response.status_code == 302 and response.url == URL
    listed = client.get(URL).content.decode()
    assert "Not emailed. Left as they were: Person 0: someone changed it" in listed
    assert smtp_server.messages == [] and not SentEmail.objects.exists()


def test_email_each_without_the_versions_is_refused(client, alice, two_people):
    client.force_login(alice)
    data = {"cards": [card.pk for card in two_people]}
    response = client.post(reverse("contacts-followup-email-many"), data, **JSON)
    assert response.status_code == 400
    assert "did not say which version of Person 0" in response.content.decode()


def test_the_worker_emails_no_card_closed_while_the_batch_is_sent(
    client, alice, bob, two_people, smtp_server, monkeypatch
):
    kept, closed = two_people
    client.force_login(alice)
    client.post(reverse("contacts-followup-email-many"), chosen(kept, closed, mark_done="on"))
    send = emails.send_followup

    def send_and_meanwhile_drop(card, *args, **kwargs):
        send(card, *args, **kwargs)
        if card.pk == kept.pk:  # bob drops the second while the first is sent
            services.work_followup(Card.objects.get(pk=closed.pk), bob, "drop", "Do not contact")

    monkeypatch.setattr(emails, "send_followup", send_and_meanwhile_drop)
    batch = EmailBatch.objects.get()
    tasks.send_email_batch.call(batch.pk)
    batch.refresh_from_db()
    assert (batch.sent, batch.failed) == (1, 1)
    assert batch.problems == [
        "Person 1: skipped, someone changed it since it was chosen (it is dropped now)"
    ]
    assert [m["To"] for m in smtp_server.messages] == ["Person 0 <p0@acme.io>"]
    assert snapshot(closed)[:3] == ("dropped", None, "Do not contact")


def compose(client, card: Card, version: int, **data: str):
    form = {"subject": "Hi", "body": "Hello", "then": "done", "version": version, **data}
    return client.post(reverse("contacts-followup-email", args=[card.pk]), form)


def test_the_composer_sends_nothing_to_a_card_changed_since_it_was_opened(
    client, alice, bob, dana, make_card, smtp_server
):
    card = make_card(UR, contact=dana)
    seen = card.version
    services.work_followup(Card.objects.get(pk=card.pk), bob, "drop", "Competitor bought them")
    client.force_login(alice)
    response = compose(client, card, seen, then="snooze", next_on="2026-12-10")
    assert response.status_code == 409
    assert "Someone changed Dana Reyes, Acme after you opened this email (it is dropped now)" in (
        response.content.decode()
    )
    assert smtp_server.messages == [] and not SentEmail.objects.exists()
    assert snapshot(card)[:3] == ("dropped", None, "Competitor bought them")
    # The form now carries the card as it is: sent again, it goes, knowingly.
    assert response.context["form"]["version"].value() == Card.objects.get(pk=card.pk).version
    assert compose(client, card, seen + 1, then="open").status_code == 302
    assert len(smtp_server.messages) == 1


def test_the_composer_without_the_version_is_refused(client, alice, dana, make_card, smtp_server):
    card = make_card(UR, contact=dana)
    client.force_login(alice)
    form = {"subject": "Hi", "body": "Hello", "then": "done"}
    response = client.post(reverse("contacts-followup-email", args=[card.pk]), form)
    assert response.status_code == 400
    assert "did not say which version of the card" in response.content.decode()
    assert smtp_server.messages == []


# Every path closes the whole follow-up, as the row's Done does


@pytest.fixture
def met_twice(make_card, dana) -> list[Card]:
    """Dana's two waiting cards at one conference: one row, with +1."""
    return [make_card(UL | UR | HALF, contact=dana), make_card(UR, contact=dana)]


def test_the_composers_done_closes_the_whole_follow_up(client, alice, met_twice, smtp_server):
    shown, _ = met_twice
    client.force_login(alice)
    assert compose(client, shown, shown.version, outcome="Sent the offer").status_code == 302
    assert [snapshot(card)[:3] for card in met_twice] == [("done", None, "Sent the offer")] * 2


def test_the_composers_snooze_snoozes_the_whole_follow_up(client, alice, met_twice, smtp_server):
    shown, _ = met_twice
    client.force_login(alice)
    response = compose(client, shown, shown.version, then="snooze", next_on="2026-12-10")
    assert response.status_code == 302
    assert {snapshot(card)[:2] for card in met_twice} == {("snoozed", date(2026, 12, 10))}


def test_email_each_marks_the_whole_follow_up_done(
    client, alice, met_twice, worked_off, smtp_server
):
    shown, _ = met_twice
    client.force_login(alice)
    with worked_off():
        client.post(reverse("contacts-followup-email-many"), chosen(shown, mark_done="on"))
    assert len(smtp_server.messages) == 1
    assert {snapshot(card)[:3] for card in met_twice} == {("done", None, "First contact by email.")}


def test_the_api_closes_the_whole_follow_up_and_reopens_the_card_alone(
    client, alice, met_twice, endpoint
):
    shown, _ = met_twice
    client.force_login(alice)
    url = reverse("api-card", args=[shown.pk])
    body = {"version": shown.version, "state": "done", "outcome": "Signed"}
    response = client.patch(url, body, content_type="application/json")
    assert response.status_code == 200
    assert [snapshot(card)[:3] for card in met_twice] == [("done", None, "Signed")] * 2
    assert Delivery.objects.filter(event="followup.done").count() == 2
    body = {"version": response.json()["version"], "state": "open"}
    assert client.patch(url, body, content_type="application/json").status_code == 200
    assert [snapshot(card)[0] for card in met_twice] == ["open", "done"]


def test_the_api_corrects_a_closed_cards_outcome_on_that_card_alone(
    client, alice, met_twice, endpoint
):
    shown, other = met_twice
    services.work_followup(shown, alice, "done", "Signed")
    Card.objects.filter(pk=other.pk).update(state="open", outcome="")  # met again, still open
    shown.refresh_from_db()
    client.force_login(alice)
    body = {"version": shown.version, "state": "done", "outcome": "Signed, 40 seats"}
    response = client.patch(
        reverse("api-card", args=[shown.pk]), body, content_type="application/json"
    )
    assert response.status_code == 200
    assert [snapshot(card)[:3] for card in met_twice] == [
        ("done", None, "Signed, 40 seats"),
        ("open", None, ""),
    ]


def test_email_each_emails_snoozed_and_done_cards_chosen_as_they_are(
    client, alice, make_card, dana, smtp_server, worked_off
):
    snoozed = make_card(UR, contact=dana, state="snoozed", snoozed_until=date(2027, 1, 1))
    client.force_login(alice)
    with worked_off():
        client.post(reverse("contacts-followup-email-many"), chosen(snoozed))
    assert [m["To"] for m in smtp_server.messages] == [f"Dana Reyes <{dana.email}>"]


def test_the_worker_checks_each_card_again_before_it_is_sent(alice, met_twice, smtp_server):
    """A batch of two cards of one follow-up emails the first, which closes the second."""
    batch = services.email_followups(
        alice, met_twice, {card.pk: card.version for card in met_twice}, mark_done=True
    )[0]
    tasks.send_email_batch.call(batch.pk)
    batch.refresh_from_db()
    assert (batch.sent, batch.failed) == (1, 1)
    assert batch.problems == [
        "Dana Reyes: skipped, someone changed it since it was chosen (it is done now)"
    ]
    assert len(smtp_server.messages) == 1
