"""Follow-up emails sent from foldcard, against a real SMTP server, and the morning digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django.core.management import call_command
from django.urls import reverse

from contacts import emails, tasks
from contacts.digests import send_digests
from contacts.folds import HALF, UL, UR
from contacts.models import Card, Contact, EmailBatch, Meaning, SentEmail, UserSettings
from events.models import Conference
from tests.test_followup_bulk import chosen

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana_card(make_card):
    dana = Contact.objects.create(name="Dana Reyes", company="Acme", email="dana@acme.io")
    return make_card(UL | UR | HALF, contact=dana, note="wants a second region")


def compose_url(card) -> str:
    return reverse("contacts-followup-email", args=[card.pk])


def test_the_composer_is_filled_from_the_meanings_template(client, alice, dana_card):
    client.force_login(alice)
    html = client.get(compose_url(dana_card)).content.decode()
    assert 'value="Following up from Expo 2026"' in html
    assert "Hi Dana,\n\nYou asked to talk as soon as possible" in html
    assert 'href="mailto:dana@acme.io?subject=' in html


def test_a_template_with_braces_that_are_no_placeholder_leaves_the_list_working(
    client, alice, dana_card
):
    meaning = dana_card.decode().meanings[0]
    Meaning.objects.filter(slug=meaning.slug).update(
        email_subject="Hi {name[x]}", email_body="{first_name:>5000000} {name!r}"
    )
    client.force_login(alice)
    assert client.get(reverse("contacts-followups")).status_code == 200
    html = client.get(compose_url(dana_card)).content.decode()
    assert 'value="Hi {name[x]}"' in html
    assert "{first_name:&gt;5000000} {name!r}" in html


def test_foldcard_emails_no_one_who_declined_to_be_contacted(
    client, alice, dana_card, make_card, smtp_server, worked_off
):
    dana_card.consent = "declined"
    dana_card.save()
    client.force_login(alice)
    page = client.get(reverse("contacts-followups")).content.decode()
    assert "data-declined>do not contact<" in page and "data-email-url" not in page
    detail = client.get(reverse("contacts-followup", args=[dana_card.pk])).content.decode()
    assert "data-declined>do not contact<" in detail
    assert "data-email>" not in detail and "mailto:" not in detail
    said = "Dana Reyes said they do not want to be contacted: foldcard sends them nothing."
    composer = client.get(compose_url(dana_card)).content.decode()
    assert said in composer
    assert "disabled>Send</button>" in composer and "mailto:" not in composer
    data = {"subject": "Hi", "body": "Hi Dana", "then": "done", "version": dana_card.version}
    response = client.post(compose_url(dana_card), data)
    assert response.status_code == 400 and said in response.content.decode()

    eli = make_card(UR, contact=Contact.objects.create(name="Eli Park", email="eli@park.io"))
    many = chosen(dana_card, eli, mark_done="on")
    with worked_off():
        page = client.post(reverse("contacts-followup-email-many"), many, follow=True)
    left_out = "Dana Reyes, Acme: skipped, said they do not want to be contacted"
    assert left_out in page.content.decode()
    assert [m["To"] for m in smtp_server.messages] == ["Eli Park <eli@park.io>"]
    assert Card.objects.get(pk=dana_card.pk).state == "open"
    assert not SentEmail.objects.filter(card=dana_card).exists()


def test_a_person_who_declined_on_one_card_is_emailed_from_no_card_until_they_say_otherwise(
    client, alice, dana_card, make_card, smtp_server, worked_off
):
    # dana_card records nothing; at another conference, Dana said not to contact her.
    summit = Conference.objects.create(
        name="Summit", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 1)
    )
    make_card(
        UR,
        contact=dana_card.contact,
        conference=summit,
        consent="declined",
        consent_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    client.force_login(alice)
    said = "Dana Reyes said they do not want to be contacted: foldcard sends them nothing."
    assert said in client.get(compose_url(dana_card)).content.decode()
    detail = client.get(reverse("contacts-followup", args=[dana_card.pk])).content.decode()
    assert "data-declined>do not contact<" in detail
    page = client.get(reverse("contacts-followups")).content.decode()
    row = page[page.index(f'data-card="{dana_card.pk}"') :].split("followup-row")[0]
    assert "data-declined>do not contact<" in row and "data-no-consent" not in row
    with worked_off():
        client.post(reverse("contacts-followup-email-many"), chosen(dana_card), follow=True)
    assert smtp_server.messages == []
    # A later card on the company's grounds (a customer) is not her word: it undoes nothing.
    make_card(
        HALF,
        contact=dana_card.contact,
        consent="customer",
        consent_at=datetime(2026, 5, 1, tzinfo=UTC),
    )
    assert said in client.get(compose_url(dana_card)).content.decode()
    # Later, on another card, she agreed: the last she said counts.
    make_card(
        UL,
        contact=dana_card.contact,
        consent="consent",
        consent_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    assert said not in client.get(compose_url(dana_card)).content.decode()


def test_the_worker_emails_no_one_who_declined_while_the_batch_is_sent(
    client, alice, dana_card, make_card, smtp_server, monkeypatch
):
    eli = make_card(UR, contact=Contact.objects.create(name="Eli Park", email="eli@park.io"))
    client.force_login(alice)
    client.post(reverse("contacts-followup-email-many"), chosen(dana_card, eli))
    send = emails.send_followup

    def send_and_meanwhile_decline(card, *args, **kwargs):
        send(card, *args, **kwargs)
        # The other one's consent is corrected meanwhile (no new version: an edit's field).
        Card.objects.exclude(pk=card.pk).update(consent="declined")

    monkeypatch.setattr(emails, "send_followup", send_and_meanwhile_decline)
    tasks.send_email_batch.call(EmailBatch.objects.get().pk)
    assert len(smtp_server.messages) == 1
    [problem] = EmailBatch.objects.get().problems
    assert problem.endswith("said they do not want to be contacted: foldcard sends them nothing")


def test_sending_delivers_records_and_marks_done(client, alice, dana_card, smtp_server):
    alice.first_name, alice.last_name, alice.email = "Alice", "Berg", "alice@foldcard.example"
    alice.save()
    client.force_login(alice)
    response = client.post(
        compose_url(dana_card),
        {
            "subject": "Your second region",
            "body": "Hi Dana,\n\nHere it is.",
            "then": "done",
            "outcome": "Sent the offer",
            "version": dana_card.version,
        },
    )
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "Dana Reyes <dana@acme.io>"
    assert message["Subject"] == "Your second region"
    assert message["Reply-To"] == "alice@foldcard.example"
    assert message["From"] == "Alice Berg via foldcard <foldcard@localhost>"
    assert message.get_content() == "Hi Dana,\n\nHere it is.\n"
    sent = SentEmail.objects.get()
    assert (sent.card, sent.sent_by, sent.to, sent.subject) == (
        dana_card,
        alice,
        "dana@acme.io",
        "Your second region",
    )
    dana_card.refresh_from_db()
    assert (dana_card.state, dana_card.outcome) == (Card.State.DONE, "Sent the offer")
    page = client.get(dana_card.contact.get_absolute_url()).content.decode()
    assert "Your second region" in page and "data-sent-email" in page


def test_sending_can_keep_the_card_open_until_a_day(
    client, alice, dana_card, smtp_server, fixed_today
):
    fixed_today(date(2026, 11, 23))
    client.force_login(alice)
    data = {"subject": "Hello", "body": "Hi", "then": "snooze", "next_on": "2026-12-01"}
    data["version"] = dana_card.version
    assert client.post(compose_url(dana_card), data).status_code == 302
    dana_card.refresh_from_db()
    assert (dana_card.state, dana_card.snoozed_until) == (Card.State.SNOOZED, date(2026, 12, 1))
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"subject": "Hi\r\nBcc: all@evil.example", "body": "x"}, "subject", "one line"),
        ({"subject": "", "body": "x"}, "subject", "required"),
        ({"subject": "Hi", "body": ""}, "body", "required"),
        ({"subject": "Hi", "body": "x", "then": "snooze"}, "next_on", "Choose the day"),
        (
            {"subject": "Hi", "body": "x", "then": "snooze", "next_on": "2020-01-01"},
            "next_on",
            "after today",
        ),
        (
            {"subject": "Hi", "body": "x", "then": "snooze", "next_on": "9999-12-31"},
            "next_on",
            "a snooze lasts 2 years at most",
        ),
        ({"subject": "Hi", "body": "x", "then": "later"}, "then", "valid choice"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_sent(
    client, alice, dana_card, smtp_server, data, field, message
):
    client.force_login(alice)
    response = client.post(compose_url(dana_card), {"then": "done", "version": 0, **data})
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert smtp_server.messages == []
    assert not SentEmail.objects.exists()


def test_the_composers_back_on_day_is_offered_within_a_snoozes_days(
    client, alice, dana_card, fixed_today
):
    fixed_today(date(2026, 11, 23))
    client.force_login(alice)
    page = client.get(compose_url(dana_card)).content.decode()
    assert 'min="2026-11-24"' in page
    assert 'max="2028-11-23"' in page


def test_a_name_with_a_line_break_cannot_add_a_header(client, alice, make_card, smtp_server):
    person = Contact.objects.create(name="Eve\r\nBcc: all@evil.example", email="eve@acme.io")
    card = make_card(UR, contact=person)
    client.force_login(alice)
    data = {"subject": "Hi", "body": "x", "then": "open", "version": card.version}
    assert client.post(compose_url(card), data).status_code == 302
    [message] = smtp_server.messages
    assert message["Bcc"] is None
    assert smtp_server.envelopes[0][1] == ["eve@acme.io"]


def test_a_person_without_email_cannot_be_written_to(client, alice, make_card, smtp_server):
    card = make_card(UR, name="No Address")
    client.force_login(alice)
    response = client.post(compose_url(card), {"subject": "Hi", "body": "x", "then": "done"})
    assert response.status_code == 400
    assert "has no email address" in response.content.decode()
    assert smtp_server.messages == []


def test_an_unreachable_mail_server_is_said_and_nothing_recorded(
    client, alice, dana_card, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # the discard port: refused
    client.force_login(alice)
    data = {"subject": "Hi", "body": "x", "then": "done", "version": dana_card.version}
    response = client.post(compose_url(dana_card), data)
    assert response.status_code == 503
    assert "could not be sent" in response.content.decode()
    assert not SentEmail.objects.exists()
    dana_card.refresh_from_db()
    assert dana_card.state == Card.State.OPEN


def test_only_who_may_work_the_card_may_email_from_foldcard(client, bob, dana_card):
    client.force_login(bob)  # booth staff; the card is alice's
    assert client.get(compose_url(dana_card)).status_code == 404


# The morning digest


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


@pytest.fixture
def alice_with_due_cards(alice, make_card, fixed_today):
    alice.email = "alice@foldcard.example"
    alice.save()
    fixed_today(date(2026, 11, 25))
    make_card(HALF, name="Due Yesterday")  # due the day after the conference: 21 Nov
    make_card(UR, name="Due Later")  # due 27 Nov
    return alice


def test_the_digest_lists_what_is_overdue_most_urgent_first(alice_with_due_cards, smtp_server):
    assert send_digests(at(date(2026, 11, 25), 8, 5)) == ["alice@foldcard.example"]
    [message] = smtp_server.messages
    assert message["Subject"] == "foldcard: 1 overdue"
    body = message.get_content()
    assert "Due Yesterday" in body and "Due Later" not in body
    assert "http://localhost:8000/followups/" in body


def test_the_digest_names_a_person_met_twice_once_as_the_list_does(
    alice_with_due_cards, make_card, smtp_server
):
    twice = Card.objects.get(contact__name="Due Yesterday")
    make_card(HALF, contact=twice.contact, note="Met again")
    send_digests(at(date(2026, 11, 25), 8, 5))
    [message] = smtp_server.messages
    assert message["Subject"] == "foldcard: 1 overdue"
    assert message.get_content().count("Due Yesterday") == 1


def test_the_digest_waits_for_the_hour_in_the_users_time_zone(alice_with_due_cards, smtp_server):
    UserSettings.of(alice_with_due_cards)
    UserSettings.objects.filter(user=alice_with_due_cards).update(time_zone="America/New_York")
    # 08:05 UTC is 03:05 in New York: not yet; 13:05 UTC is 08:05 there.
    assert send_digests(at(date(2026, 11, 25), 8, 5)) == []
    assert send_digests(at(date(2026, 11, 25), 13, 5)) == ["alice@foldcard.example"]
    assert len(smtp_server.messages) == 1


def test_the_digest_is_sent_once_a_day_even_when_run_twice(alice_with_due_cards, smtp_server):
    send_digests(at(date(2026, 11, 25), 9), force=True)
    send_digests(at(date(2026, 11, 25), 10))
    assert len(smtp_server.messages) == 1
    send_digests(at(date(2026, 11, 26), 9))
    assert len(smtp_server.messages) == 2


def test_the_command_sends_with_force_whatever_the_hour(alice_with_due_cards, smtp_server):
    call_command("send_digests", "--force")
    call_command("send_digests", "--force")
    assert len(smtp_server.messages) == 1


def test_nothing_is_sent_when_nothing_is_due(alice, make_card, fixed_today, smtp_server):
    alice.email = "alice@foldcard.example"
    alice.save()
    fixed_today(date(2026, 11, 20))
    make_card(UR, name="Due Later")
    assert send_digests(at(date(2026, 11, 20), 9), force=True) == []
    assert smtp_server.messages == []


def test_the_digest_goes_only_to_who_may_work_follow_ups(
    bob, charlie, make_card, fixed_today, smtp_server
):
    fixed_today(date(2026, 11, 25))
    make_card(HALF, name="Bobs Lead", owner=bob)
    make_card(HALF, name="Charlies Lead", owner=charlie)  # given before his role was taken
    assert send_digests(at(date(2026, 11, 25), 9), force=True) == ["bob@example.org"]
    [message] = smtp_server.messages
    assert "Bobs Lead" in message.get_content()


def test_a_digest_switched_off_is_not_sent_even_forced(alice_with_due_cards, smtp_server):
    UserSettings.of(alice_with_due_cards)
    UserSettings.objects.filter(user=alice_with_due_cards).update(digest_at=None)
    assert send_digests(at(date(2026, 11, 25), 9), force=True) == []


def test_the_settings_page_moves_and_switches_off_the_digest(client, alice):
    client.force_login(alice)
    data = {"digest_at": "07:30", "time_zone": "Europe/Stockholm"}
    assert client.post(reverse("contacts-settings"), data).status_code == 302
    user_settings = UserSettings.of(alice)
    assert (user_settings.digest_at, user_settings.time_zone) == (time(7, 30), "Europe/Stockholm")
    response = client.post(reverse("contacts-settings"), {"time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert "valid choice" in str(response.context["form"].errors["time_zone"])
    assert client.post(reverse("contacts-settings"), {"digest_at": ""}).status_code == 302
    assert UserSettings.of(alice).digest_at is None


# Many at once, through the task queue and its worker


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


@pytest.mark.django_db(transaction=True)
def test_each_person_gets_their_own_email_sent_by_the_worker(client, alice, make_card, smtp_server):
    people = [Contact.objects.create(name=f"Person {n}", email=f"p{n}@acme.io") for n in range(3)]
    cards = [make_card(HALF, contact=person) for person in people]
    no_email = make_card(UR, name="No Address")
    client.force_login(alice)
    response = client.post(
        reverse("contacts-followup-email-many"), {**chosen(*cards, no_email), "mark_done": "on"}
    )
    batch_url = response.url
    assert client.get(batch_url, HTTP_ACCEPT="application/json").json()["sent"] == 0
    run_worker()
    progress = client.get(batch_url, HTTP_ACCEPT="application/json").json()
    assert progress == {
        "total": 4,
        "sent": 3,
        "failed": 1,
        "left_out": 0,
        "problems": ["No Address: no email address"],
        "finished": True,
    }
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "Person 0 <p0@acme.io>",
        "Person 1 <p1@acme.io>",
        "Person 2 <p2@acme.io>",
    ]
    assert all(len(envelope[1]) == 1 for envelope in smtp_server.envelopes)
    assert all(m["Subject"] == "Following up from Expo 2026" for m in smtp_server.messages)
    assert "Hi Person," in smtp_server.messages[0].get_content()
    assert {c.state for c in Card.objects.filter(pk__in=[c.pk for c in cards])} == {"done"}
    assert SentEmail.objects.count() == 3
    assert "3 of 4 sent" in client.get(batch_url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_batch_run_again_emails_no_one_twice(client, alice, make_card, smtp_server):
    card = make_card(HALF, contact=Contact.objects.create(name="Dana", email="dana@acme.io"))
    client.force_login(alice)
    client.post(reverse("contacts-followup-email-many"), chosen(card))
    run_worker()
    batch = SentEmail.objects.get().batch
    tasks.send_email_batch.call(batch.pk)
    assert len(smtp_server.messages) == 1


def test_only_cards_the_user_may_work_can_be_emailed(client, bob, make_card):
    card = make_card(HALF, contact=Contact.objects.create(name="Dana", email="dana@acme.io"))
    client.force_login(bob)  # alice's card
    response = client.post(reverse("contacts-followup-email-many"), {"cards": [card.pk]})
    assert response.status_code == 400
    assert "not a card you may follow up" in response.content.decode()
    response = client.post(reverse("contacts-followup-email-many"), {})
    assert response.status_code == 400
    assert "required" in response.content.decode()
    huge = "99999999999999999999"  # larger than any id a database keeps
    response = client.post(reverse("contacts-followup-email-many"), {"cards": [huge]})
    assert response.status_code == 400
    assert f"{huge} is not a card you may follow up" in response.content.decode()
