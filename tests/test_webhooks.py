"""Webhooks: registration, signed deliveries to a real HTTP server, retries with backoff,
order per card, disabling after a day of failures, and refusing private addresses."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from contacts import services
from contacts.folds import HALF, UL, UR
from contacts.models import Card, Meaning
from events.models import Conference
from tests.webhook_server import Receiver
from webhooks import delivery
from webhooks.events import emit, emit_each
from webhooks.models import EVENTS, Attempt, Delivery, Endpoint

README = Path(__file__).resolve().parent.parent / "README.md"
SECRET = "whsec-test-secret"


def readme_verify():
    """Return the README's verification snippet's verify(), run as a reader would."""
    text = README.read_text()
    section = text[text.index("## Webhooks") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(code, namespace)
    return namespace["verify"]


class Clock:
    """The time as foldcard and its task worker see it, moved on by the test."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("django.utils.timezone.now", clock)
    return clock


@pytest.fixture
def receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def allow_loopback(settings) -> None:
    """Let webhooks reach the test server on 127.0.0.1."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def endpoint(alice, receiver, allow_loopback) -> Endpoint:
    return Endpoint.objects.create(owner=alice, url=receiver.url, secret=SECRET, events=[*EVENTS])


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


def log(conference, user, name: str = "Dana Reyes", folds: int = UL) -> Card:
    email = f"{name.split()[0].lower()}@acme.io"
    data = services.CardInput(folds=folds, name=name, company="Acme", email=email)
    return services.log_card(conference, user, data).card


def edit(card: Card, note: str) -> Card:
    card.refresh_from_db()
    data = services.CardInput(folds=card.folds | HALF, name="Dana Reyes", note=note)
    return services.update_card(card, data)


# --- Delivering -------------------------------------------------------------------------

db = pytest.mark.django_db(transaction=True)


@db
def test_a_logged_card_is_posted_signed_and_the_signature_verifies(
    alice, conference, endpoint, receiver
):
    card = log(conference, alice)
    run_worker()
    (received,) = receiver.received
    assert received.path == "/hooks"
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["Foldcard-Event"] == "card.logged"
    body = received.json()
    assert body["event"] == "card.logged"
    assert body["data"]["id"] == card.pk
    assert body["data"]["name"] == "Dana Reyes"
    assert body["data"]["folds"] == ["UL"]
    assert body["data"]["may_be_emailed"] is True
    verify = readme_verify()
    signature = received.headers["Foldcard-Signature"]
    assert verify(SECRET, received.body, signature)
    assert not verify("another secret", received.body, signature)
    assert not verify(SECRET, received.body.replace(b"Dana", b"Dina"), signature)
    (attempt,) = Attempt.objects.all()
    assert (attempt.status, attempt.response) == (200, "thanks")
    assert Delivery.objects.get().state == "delivered"


@db
def test_an_old_signature_does_not_verify(alice, conference, endpoint, receiver, clock):
    log(conference, alice)
    run_worker()
    (received,) = receiver.received
    clock.advance(timedelta(minutes=10))
    verify = readme_verify()
    signature = received.headers["Foldcard-Signature"]
    timestamp = int(signature.split(",")[0][2:])
    assert timestamp == int(clock.now.timestamp()) - 600
    # The snippet reads the real time; a signature ten minutes old fails its tolerance.
    old = delivery.sign(SECRET, timestamp - 3600, received.body)
    assert not verify(SECRET, received.body, old)


@db
def test_a_failed_delivery_is_retried_with_exponential_backoff(
    alice, conference, endpoint, receiver, clock
):
    receiver.failures = 3
    log(conference, alice)
    run_worker()
    assert len(receiver.received) == 1
    waits = []
    for _ in range(3):
        pending = Delivery.objects.get()
        waits.append(pending.next_attempt_at - clock.now)
        clock.advance(waits[-1] - timedelta(seconds=1))
        run_worker()  # not due yet: nothing sent
        clock.advance(timedelta(seconds=1))
        run_worker()
    assert waits == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert len(receiver.received) == 4
    assert [a.status for a in Attempt.objects.all()] == [503, 503, 503, 200]
    assert Attempt.objects.first().response == "down for maintenance"
    assert Delivery.objects.get().state == "delivered"
    assert Endpoint.objects.get().failing_since is None
    # One payload, sent four times.
    assert len({received.body for received in receiver.received}) == 1


@db
def test_a_retry_due_waits_behind_a_task_someone_waits_for(
    alice, conference, endpoint, receiver, clock
):
    receiver.failures = 1
    log(conference, alice)
    run_worker()
    clock.advance(timedelta(seconds=31))  # the retry is due
    customer = Meaning.objects.get(slug="customer")
    customer.weight += 1
    with transaction.atomic():
        customer.save()
        services.meaning_changed(customer)
    # What the worker takes next (django_tasks_db orders the queue so).
    assert DBTaskResult.objects.ready().first().task_path.endswith("reprioritize_cards")
    run_worker()
    assert DBTaskResult.objects.ready().count() == 0
    assert Delivery.objects.get().state == "delivered"


def test_the_backoff_doubles_up_to_four_hours():
    delays = [delivery.retry_delay(n) for n in range(1, 14)]
    assert delays[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert delays[-1] == delivery.RETRY_MAX == timedelta(hours=4)
    assert all(b >= a for a, b in itertools.pairwise(delays))


@db
def test_the_events_of_one_card_arrive_in_order(alice, conference, endpoint, receiver, clock):
    receiver.failures = 1
    card = log(conference, alice)
    other = log(conference, alice, name="Eli Moss", folds=UR)
    edit(card, "first edit")
    edit(card, "second edit")
    run_worker()
    # card.logged of Dana failed; her edits wait behind it; Eli's card went.
    assert [(r.json()["event"], r.json()["data"]["id"]) for r in receiver.received] == [
        ("card.logged", card.pk),
        ("card.logged", other.pk),
    ]
    clock.advance(timedelta(seconds=30))
    run_worker()
    dana = [r.json() for r in receiver.received if r.json()["data"]["id"] == card.pk]
    assert [(body["event"], body["data"]["note"]) for body in dana] == [
        ("card.logged", ""),
        ("card.logged", ""),
        ("card.updated", "first edit"),
        ("card.updated", "second edit"),
    ]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}


@db
def test_a_delivery_whose_task_was_lost_is_queued_again(
    alice, conference, endpoint, receiver, clock
):
    card = log(conference, alice)
    edit(card, "later")
    DBTaskResult.objects.all().delete()  # as if the worker stopped with them
    call_command("resend_webhooks")
    run_worker()
    assert receiver.received == []  # only ten minutes after they were due
    clock.advance(delivery.STALLED_AFTER)
    call_command("resend_webhooks")
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # the first of the card
    run_worker()
    assert receiver.events() == ["card.logged", "card.updated"]


@db
def test_a_slow_endpoint_is_an_attempt_that_timed_out(
    alice, conference, endpoint, receiver, settings
):
    settings.WEBHOOKS_TIMEOUT = 0.2
    receiver.delay = 1
    log(conference, alice)
    run_worker()
    (attempt,) = Attempt.objects.all()
    assert attempt.status is None
    assert attempt.error == "No answer within 0.2 s."
    assert Delivery.objects.get().state == "pending"


@db
def test_an_endpoint_failing_for_a_day_is_disabled_and_its_owner_told(
    alice, conference, endpoint, receiver, clock, smtp_server
):
    receiver.failing = True
    log(conference, alice)
    first_try = clock.now
    run_worker()
    while (pending := Delivery.objects.get()).state == "pending":
        clock.advance(pending.next_attempt_at - clock.now)
        run_worker()
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert endpoint.disabled_at - first_try >= timedelta(days=1)
    attempts = list(Attempt.objects.values_list("at", flat=True))
    assert attempts[-1] - attempts[0] >= timedelta(days=1)
    assert attempts[-2] - attempts[0] < timedelta(days=1)
    # 30 s, 1, 2, ... 128 min, then every 4 hours: 14 retries to pass a day.
    assert len(attempts) == len(receiver.received) == 15
    (message,) = smtp_server.messages
    assert message["To"] == "alice@example.org"
    assert message["Subject"] == f"Webhook disabled: {receiver.url}"
    assert endpoint.get_absolute_url() in message.get_content()
    # Disabled: a new event is not sent to it.
    log(conference, alice, name="Eli Moss")
    run_worker()
    assert len(receiver.received) == 15


@db
def test_an_endpoint_gets_only_the_events_it_chose(alice, conference, endpoint, receiver):
    endpoint.events = ["followup.done"]
    endpoint.save()
    card = log(conference, alice)
    services.work_followup(card, alice, "drop")
    card.refresh_from_db()
    card.set_state(Card.State.OPEN, alice)
    services.work_followup(card, alice, "done", outcome="Met for coffee")
    run_worker()
    (received,) = receiver.received
    assert received.json()["event"] == "followup.done"
    assert received.json()["data"]["state"] == "done"


@db
def test_the_follow_up_services_emit_done_and_dropped(alice, conference, endpoint, receiver):
    done = log(conference, alice)
    dropped = log(conference, alice, name="Eli Moss")
    services.work_followup(done, alice, "done", outcome="Signed")
    services.work_followup(dropped, alice, "drop")
    services.work_followup(dropped, alice, "snooze", days=1)  # no event
    run_worker()
    assert receiver.events() == ["card.logged", "card.logged", "followup.done", "followup.dropped"]


@db
def test_a_follow_up_reopened_or_its_closing_undone_is_told(alice, conference, endpoint, receiver):
    card = log(conference, alice)
    undo = services.work_followup(card, alice, "done", outcome="Signed")
    services.restore_followups(card, alice, undo)  # back to open
    card.refresh_from_db()
    services.work_followup(card, alice, "drop")
    card.refresh_from_db()
    services.reopen_followup(card, alice, card.version)
    run_worker()
    assert receiver.events() == [
        "card.logged",
        "followup.done",
        "followup.reopened",
        "followup.dropped",
        "followup.reopened",
    ]


@db
def test_a_replayed_card_emits_nothing_more(alice, conference, endpoint, receiver):
    data = services.CardInput(name="Dana", client_uuid="2f1c5e0a-3d0b-4c55-9a5e-1b2f3c4d5e6f")
    services.log_card(conference, alice, data)
    assert services.log_card(conference, alice, data).created is False
    run_worker()
    assert receiver.events() == ["card.logged"]


@db
def test_contact_events_carry_what_their_contract_says(alice, conference, endpoint, receiver):
    card = log(conference, alice)
    contact = card.contact
    emit("contact.merged", contact, merged_ids=[41, 42])
    emit("contact.erased", contact)
    run_worker()
    merged, erased = (r.json()["data"] for r in receiver.received[1:])
    assert merged["contact"]["id"] == contact.pk
    assert merged["contact"]["email"] == "dana@acme.io"
    assert merged["merged_ids"] == [41, 42]
    assert erased == {"contact": {"id": contact.pk}}
    with pytest.raises(ValueError):
        emit("card.deleted", card)


@pytest.mark.django_db
def test_nothing_is_queued_without_an_endpoint(alice, conference, django_assert_num_queries):
    card = log(conference, alice)
    with django_assert_num_queries(1):  # the active endpoints
        emit("card.updated", card)
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_what_waits_for_the_commit_is_the_deliveries_ids(alice, conference, endpoint):
    # Not the deliveries with their bodies, nor the cards: an import emits for every row in
    # one transaction, which would hold them all until it commits.
    cards = [log(conference, alice, name) for name in ("Dana Reyes", "Li Wei")]
    with transaction.atomic():
        emit_each("card.updated", cards)
        (*_, (_, callback, _)) = connection.run_on_commit
        held = [cell.cell_contents for cell in callback.__closure__]
    updated = Delivery.objects.filter(event="card.updated").order_by("pk")
    assert held == [list(updated.values_list("pk", flat=True))]


@pytest.mark.django_db
def test_a_persons_edit_on_their_page_updates_each_of_their_cards(alice, conference, endpoint):
    card = log(conference, alice)
    other = Conference.objects.create(
        name="Fair", starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 2)
    )
    again = log(other, alice)
    services.log_card(conference, alice, services.CardInput(name="Li Wei"))
    services.edit_contact(
        card.contact, services.ContactInput(name="Dana Reyes", title="CTO"), region=None
    )
    updated = Delivery.objects.filter(event="card.updated").order_by("pk")
    assert [(d.subject, d.payload["data"]["title"]) for d in updated] == [
        (f"card:{card.pk}", "CTO"),
        (f"card:{again.pk}", "CTO"),
    ]


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_delivery(alice, conference, endpoint):
    with pytest.raises(services.EditConflict):
        card = log(conference, alice)
        services.update_card(card, services.CardInput(name="Dana", version=7))
    assert list(Delivery.objects.values_list("event", flat=True)) == ["card.logged"]


# --- Server-side request forgery --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:8000/hook", "127.0.0.1"),
        ("http://10.1.2.3/hook", "10.1.2.3"),
        ("http://[::1]:8000/hook", "::1"),
        ("https://localhost/hook", "127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::ffff:127.0.0.1]/hook", "::ffff:7f00:1"),
    ],
)
@pytest.mark.django_db
def test_it_refuses_private_and_loopback_addresses(client, alice, url, address):
    client.force_login(alice)
    response = client.post(reverse("webhooks-endpoints"), {"url": url, "events": ["card.logged"]})
    assert response.status_code == 400
    errors = response.context["form"].errors["url"]
    assert address in errors[0] or "::1" in errors[0]
    assert "webhooks are sent to public addresses only" in errors[0]
    assert not Endpoint.objects.exists()


@db
def test_a_delivery_to_an_address_no_longer_allowed_is_refused(
    alice, conference, endpoint, receiver, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    log(conference, alice)
    run_worker()
    assert receiver.received == []
    (attempt,) = Attempt.objects.all()
    assert attempt.status is None
    assert "127.0.0.1, a private, loopback or reserved address" in attempt.error


# --- Pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_manager_registers_an_endpoint(client, alice, allow_loopback):
    client.force_login(alice)
    data = {"url": "http://127.0.0.1:9/hook", "events": ["card.logged", "followup.done"]}
    response = client.post(reverse("webhooks-endpoints"), data)
    endpoint = Endpoint.objects.get()
    assert response.url == endpoint.get_absolute_url()
    assert (endpoint.owner, endpoint.events) == (alice, ["card.logged", "followup.done"])
    assert len(endpoint.secret) >= 43
    page = client.get(endpoint.get_absolute_url()).content.decode()
    assert endpoint.secret in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": "", "events": ["card.logged"]}, "url", "This field is required."),
        ({"url": "not a url", "events": ["card.logged"]}, "url", "Enter a valid URL."),
        (
            {"url": "ftp://example.org/", "events": ["card.logged"]},
            "url",
            "Give an http:// or https:// URL.",
        ),
        ({"url": "http://example.org/"}, "events", "Choose at least one event to send."),
        ({"url": "http://example.org/", "events": ["card.eaten"]}, "events", "valid choice"),
        (
            {"url": "http://no-such-host.invalid/", "events": ["card.logged"]},
            "url",
            "no-such-host.invalid does not resolve to any address.",
        ),
        ({"url": "http://a/", "secret": "x" * 201, "events": ["card.logged"]}, "secret", "201"),
        ({"url": "http://a/", "secret": "x", "events": ["card.logged"]}, "secret", "at least 16"),
        (
            {"url": "http://a/", "secret": " " + "x" * 20 + " ", "events": ["card.logged"]},
            "secret",
            "begins or ends with a space",
        ),
        (
            {"url": "https://user:pw@example.org/hook", "events": ["card.logged"]},
            "url",
            "A user name and password in the URL are not sent",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_input_on_the_registration_form_is_a_400(client, alice, data, field, message):
    client.force_login(alice)
    response = client.post(reverse("webhooks-endpoints"), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Endpoint.objects.exists()


@db
def test_the_endpoint_page_shows_every_attempt(
    client, alice, conference, endpoint, receiver, clock
):
    receiver.failures = 1
    log(conference, alice)
    run_worker()
    clock.advance(timedelta(seconds=30))
    run_worker()
    client.force_login(alice)
    page = client.get(endpoint.get_absolute_url()).content.decode()
    assert page.count("data-attempt") == 2
    assert "503" in page and "down for maintenance" in page
    assert "200" in page and "thanks" in page
    # Times as every page writes them ("Mon 30 Nov 2026 21:27:05").
    attempted = timezone.localtime(Attempt.objects.latest("pk").at)
    assert attempted.strftime("%a %-d %b %Y %H:%M:%S") in page


@pytest.mark.django_db
def test_a_disabled_endpoint_is_switched_on_again(client, alice, endpoint):
    Endpoint.objects.filter(pk=endpoint.pk).update(
        active=False, disabled_at=timezone.now(), failing_since=timezone.now()
    )
    client.force_login(alice)
    response = client.post(reverse("webhooks-endpoint-enable", args=[endpoint.pk]))
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.failing_since, endpoint.disabled_at) == (True, None, None)


@pytest.mark.django_db
def test_deleting_an_endpoint(client, alice, endpoint):
    client.force_login(alice)
    response = client.post(reverse("webhooks-endpoint-delete", args=[endpoint.pk]))
    assert response.url == reverse("webhooks-endpoints")
    assert not Endpoint.objects.exists()
