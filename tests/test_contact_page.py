"""The contact page: a person's details edited with a version check, and their cards."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from contacts import services
from contacts.folds import HALF, UL, UR
from contacts.models import Card, Contact, ContactEmail, ContactPhone, SentEmail
from events.models import Conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(make_card, conference) -> Contact:
    conference.country = "SE"
    conference.save()
    return make_card(UR, name="Dana Reyes").contact


def edit(dana: Contact, **changes) -> dict:
    data = {
        "name": dana.name,
        "company": dana.company,
        "title": "",
        "emails": "dana@acme.io\ndana.reyes@gmail.com",
        "phones": "08-555 01 01\n+49 30 1234567",
        "website": "",
        "notes": "",
        "version": dana.version,
    }
    data.update(changes)
    return data


def url(contact: Contact) -> str:
    return reverse("contacts-contact", args=[contact.pk])


def test_it_saves_every_detail_emails_and_phones_by_booth_staff(client, bob, dana):
    client.force_login(bob)
    data = edit(dana, title="CTO", website="acme.io", notes="Prefers mornings.")
    response = client.post(url(dana), data)
    assert response.status_code == 302
    dana.refresh_from_db()
    assert (dana.title, dana.website, dana.notes) == ("CTO", "https://acme.io", "Prefers mornings.")
    assert dana.all_emails() == ["dana@acme.io", "dana.reyes@gmail.com"]
    # Stored as typed and as E.164, a number without country code read as the conference's
    # country's (Sweden).
    assert (dana.phone, dana.phone_normalized) == ("08-555 01 01", "+4685550101")
    other = ContactPhone.objects.get(contact=dana)
    assert (other.phone, other.phone_normalized) == ("+49 30 1234567", "+49301234567")


def test_the_same_phone_written_twice_is_kept_once(client, alice, dana):
    client.force_login(alice)
    phones = "+45 20 11 22 33\n+4520112233\n08-555 01 01"
    assert client.post(url(dana), edit(dana, phones=phones)).status_code == 302
    dana.refresh_from_db()
    assert [p.phone for p in dana.all_phones()] == ["+45 20 11 22 33", "08-555 01 01"]
    # Typed without its country code, in the conference's (SE), where it is no number.
    phones = "+1 415 555 0134\n(415) 555-0134\n415.555.0134\n+46 415 555 0134"
    assert client.post(url(dana), edit(dana, phones=phones)).status_code == 302
    dana.refresh_from_db()
    assert [p.phone for p in dana.all_phones()] == ["+1 415 555 0134", "+46 415 555 0134"]


def test_an_edit_ends_what_an_undo_would_take_back(client, alice, dana):
    Card.objects.filter(contact=dana).update(added={"filled": {"title": ["", "CTO"]}})
    client.force_login(alice)
    assert client.post(url(dana), edit(dana, title="CTO")).status_code == 302
    assert list(Card.objects.filter(contact=dana).values_list("added", flat=True)) == [{}]


def test_an_edit_keeps_the_country_a_phone_was_read_in(client, alice, dana):
    # Imported with its country (France) into the Swedish conference's list: an edit of
    # something else reads the number as it was, a new one in Sweden.
    Contact.objects.filter(pk=dana.pk).update(
        phone="01 23 45 67 89", phone_normalized="+33123456789"
    )
    dana.refresh_from_db()
    client.force_login(alice)
    phones = "01 23 45 67 89\n08-555 01 01"
    assert client.post(url(dana), edit(dana, title="CTO", phones=phones)).status_code == 302
    dana.refresh_from_db()
    numbers = [(p.phone, p.phone_normalized) for p in dana.all_phones()]
    assert numbers == [("01 23 45 67 89", "+33123456789"), ("08-555 01 01", "+4685550101")]


def test_it_shows_each_email_and_phone_as_links(client, alice, dana):
    client.force_login(alice)
    client.post(url(dana), edit(dana))
    page = client.get(url(dana)).content.decode()
    assert 'href="tel:+4685550101"' in page
    assert 'href="tel:+49301234567"' in page
    assert 'href="mailto:dana.reyes@gmail.com"' in page


def test_a_phone_that_is_no_valid_number_keeps_a_tel_link_of_its_digits(client, alice, dana):
    client.force_login(alice)
    client.post(url(dana), edit(dana, phones="555-0101 ext. 7"))
    dana.refresh_from_db()
    assert (dana.phone, dana.phone_normalized) == ("555-0101 ext. 7", "")
    assert 'href="tel:55501017"' in client.get(url(dana)).content.decode()


def test_a_stale_edit_is_refused_with_409_and_nothing_saved(client, alice, bob, dana):
    client.force_login(bob)
    seen = edit(dana, name="Dana R.")
    client.force_login(alice)
    assert client.post(url(dana), edit(dana, name="Dana Reyes-Holm")).status_code == 302
    client.force_login(bob)
    response = client.post(url(dana), seen)
    assert response.status_code == 409
    assert "Someone else changed this person" in response.content.decode()
    assert 'role="alert" data-conflict' in response.content.decode()
    # Where bob's form differed is shown beside the person now, to copy from.
    typed = re.search(r"<dl[^>]*data-typed>(.*?)</dl>", response.content.decode(), re.S)[1]
    pattern = r"<dt>(.*?)</dt>.*?data-yours>(.*?)</span>.*?data-now>(.*?)</span>"
    assert re.findall(pattern, typed) == [("Name", "Dana R.", "Dana Reyes-Holm")]
    dana.refresh_from_db()
    assert dana.name == "Dana Reyes-Holm"
    # The form shows the person as they are now, with their new version.
    assert response.context["form"].initial["version"] == dana.version


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"emails": "dana@acme.io\nnot an email"}, "emails", "not an email is not an email"),
        ({"phones": "call me"}, "phones", "call me is not a phone number"),
        ({"phones": "1" * 51}, "phones", "is not a phone number"),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        ({"website": "not a site"}, "website", "Enter a valid URL"),
        ({"version": ""}, "version", "required"),
        ({"version": "-1"}, "version", "greater than or equal to 0"),
        ({"name": "", "company": "", "emails": ""}, "__all__", "at least a name"),
        ({"emails": "\n".join(f"d{n}@acme.io" for n in range(11))}, "emails", "At most 10"),
    ],
)
def test_bad_input_is_a_400_saving_nothing(client, alice, dana, changes, field, message):
    client.force_login(alice)
    before = (dana.name, dana.version)
    response = client.post(url(dana), edit(dana, **changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert 'role="alert"' in response.content.decode()  # said to a screen reader too
    dana.refresh_from_db()
    assert (dana.name, dana.version) == before
    assert not ContactEmail.objects.exists()


def test_a_person_given_more_than_10_phones_by_a_merge_can_still_be_edited(client, alice, dana):
    numbers = [f"+46 70 555 01 {n:02}" for n in range(12)]
    services.store_phones(dana, [(number, "") for number in numbers])
    dana.save()
    client.force_login(alice)
    response = client.post(url(dana), edit(dana, title="CTO", phones="\n".join(numbers)))
    assert response.status_code == 302
    assert len(Contact.objects.get(pk=dana.pk).all_phones()) == 12
    # The same number written otherwise counts once, being kept once.
    again = "\n".join([*numbers, numbers[0].replace(" ", "-"), numbers[1].replace(" ", "")])
    response = client.post(url(dana), edit(Contact.objects.get(pk=dana.pk), phones=again))
    assert response.status_code == 302
    thirteen = "\n".join([*numbers, "+46 70 555 01 99"])
    response = client.post(url(dana), edit(Contact.objects.get(pk=dana.pk), phones=thirteen))
    assert response.status_code == 400
    assert response.context["form"].errors["phones"] == ["At most 12 phones."]


def test_an_email_of_another_person_is_refused_with_a_link_to_them(client, alice, dana):
    ann = Contact.objects.create(name="Ann Other", email="ann@acme.io")
    client.force_login(alice)
    response = client.post(url(dana), edit(dana, emails="dana@acme.io\nann@acme.io"))
    assert response.status_code == 400
    assert "ann@acme.io is the email of Ann Other" in response.content.decode()
    assert f'href="{ann.get_absolute_url()}"' in response.content.decode()
    dana.refresh_from_db()
    assert dana.email == ""


@pytest.mark.parametrize(("persona", "status"), [("charlie", 403), ("vera", 403)])
def test_only_booth_staff_and_managers_edit(client, request, dana, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url(dana), edit(dana, name="Mallory")).status_code == status
    dana.refresh_from_db()
    assert dana.name == "Dana Reyes"


def test_anonymous_is_sent_to_log_in(client, dana):
    assert client.post(url(dana), edit(dana, name="Mallory")).status_code == 302
    dana.refresh_from_db()
    assert dana.name == "Dana Reyes"


def test_it_lists_every_card_newest_first_with_outcomes_and_emails(client, alice, make_card, dana):
    earlier = Conference.objects.create(
        name="Expo 2025", starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 2)
    )
    old = make_card(HALF, contact=dana, conference=earlier)
    make_card(UL | UR, contact=dana)
    old.set_state(Card.State.DONE, alice, "Bought the starter plan.")
    SentEmail.objects.create(
        card=old, sent_by=alice, to="dana@acme.io", subject="Great to meet you", body="Hi"
    )
    client.force_login(alice)
    response = client.get(url(dana))
    page = response.content.decode()
    assert page.index("Expo 2026") < page.index("Expo 2025")
    assert "Outcome: Bought the starter plan." in page
    assert "Great to meet you" in page
    folds = re.findall(r"<span[^>]*data-folds>([^<]*)</span>", page)
    assert sorted(folds) == ["HALF", "UL UR", "UR"]


def test_the_message_ends_a_name_ending_in_a_stop_once(client, alice, dana):
    client.force_login(alice)
    response = client.post(url(dana), edit(dana, company="Acme Inc."), follow=True)
    page = response.content.decode()
    assert "Saved Dana Reyes, Acme Inc.<" in page


def test_a_snoozed_card_says_when_and_by_whom_then_until_when(client, alice, make_card):
    card = make_card(
        UR,
        state=Card.State.SNOOZED,
        snoozed_until=date(2027, 1, 4),
        state_changed_at=datetime(2026, 11, 30, 15, tzinfo=UTC),
        state_changed_by=alice,
    )
    client.force_login(alice)
    page = client.get(url(card.contact)).content.decode()
    assert "Snoozed Mon 30 Nov 2026 by alice · until Mon 4 Jan 2027<" in page


def test_a_snoozed_card_without_a_recorded_change_says_until_when(client, alice, make_card):
    card = make_card(UR, state=Card.State.SNOOZED, snoozed_until=date(2027, 1, 4))
    client.force_login(alice)
    page = client.get(url(card.contact)).content.decode()
    assert "Snoozed · until Mon 4 Jan 2027<" in page
