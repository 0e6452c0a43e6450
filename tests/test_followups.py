from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.folds import DIAG, HALF, LL, LR, UL, UR
from contacts.models import Card, Contact, Meaning
from events.models import Conference

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)
URL = "/followups/"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def today(fixed_today):
    return fixed_today(TODAY)


@pytest.fixture
def every_rule(make_card):
    """One card per rule of the default vocabulary, plus one with no fold and a late one."""
    return {
        "seed": make_card(UL | UR | HALF, name="Seed Example"),
        "asap": make_card(HALF, name="Asap Alone"),
        "unhappy customer": make_card(LR, name="Unhappy Customer"),
        "unhappy prospect": make_card(LL, name="Unhappy Prospect"),
        "upsell": make_card(UL | UR, name="Upsell Customer"),
        "prospect": make_card(UL, name="Plain Prospect"),
        "customer": make_card(UR, name="Plain Customer"),
        "competitor": make_card(DIAG, name="Friendly Competitor"),
        "nothing": make_card(0, name="No Fold"),
        "late": make_card(DIAG, name="Met Later", logged_on=date(2026, 11, 30)),
    }


def names_in_order(html: str) -> list[str]:
    return re.findall(r'class="fw-semibold" href="/contacts/\d+/">([^<]+)</a>', html)


def test_it_orders_by_due_date_then_priority_then_when_met(client, alice, every_rule):
    client.force_login(alice)
    html = client.get(URL).content.decode()
    assert names_in_order(html) == [
        "Seed Example",  # due Sat 21 Nov, priority 100
        "Asap Alone",  # due Sat 21 Nov, priority 50
        "Unhappy Customer",  # due Sun 22 Nov, priority 60, met first
        "Unhappy Prospect",  # due Sun 22 Nov, priority 60
        "Upsell Customer",  # due Mon 23 Nov, priority 50
        "Plain Prospect",  # due Mon 23 Nov, priority 20
        "Plain Customer",  # due Fri 27 Nov (today), priority 20
        "Friendly Competitor",  # due Fri 4 Dec, priority 5
        "No Fold",  # due Fri 4 Dec, priority 0
        "Met Later",  # logged Mon 30 Nov: due Mon 14 Dec
    ]


def test_it_groups_by_due_bucket_relative_to_today(client, alice, every_rule):
    client.force_login(alice)
    html = client.get(URL).content.decode()
    groups = re.findall(r'data-group="(\w+)">([^<]+)<', html)
    assert groups == [
        ("overdue", "Overdue (6)"),
        ("today", "Today (1)"),
        ("week", "This week (2)"),
        ("later", "Later (1)"),
    ]
    assert html.count("data-overdue") == 6


def test_each_row_shows_chips_unmapped_folds_note_and_due(client, alice, make_card, vocabulary):
    vocabulary.rules.filter(pattern=HALF).delete()
    make_card(UR | HALF, name="Ana Ruiz", note="wants a second region")
    client.force_login(alice)
    html = client.get(URL).content.decode()
    assert ">Customer</span>" in html
    assert "unmapped HALF" in html
    assert "wants a second region" in html
    assert "due Fri 27 Nov" in html


def test_the_email_link_uses_the_template_of_the_first_meaning(client, alice, make_card):
    make_card(
        UL | UR | HALF,
        name="Dana Reyes",
        contact=Contact.objects.create(name="Dana Reyes", company="Acme", email="dana@acme.io"),
    )
    client.force_login(alice)
    html = client.get(URL).content.decode()
    link = re.search(r'href="(mailto:[^"]+)"', html).group(1)
    parts = urlsplit(link.replace("&amp;", "&"))
    query = parse_qs(parts.query)
    assert unquote(parts.path) == "dana@acme.io"
    assert query["subject"] == ["Following up from Expo 2026"]
    assert query["body"][0].startswith("Hi Dana,\n\nYou asked to talk as soon as possible")


def test_the_number_of_queries_does_not_grow_with_the_cards(client, alice, make_card):
    client.force_login(alice)

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL).status_code == 200
        return len(context)

    for n in range(10):
        make_card(UR if n % 2 else UL | HALF, name=f"Person {n}")
    ten = queries_for_list()
    for n in range(190):
        make_card(LR if n % 2 else DIAG, name=f"Other {n}")
    assert queries_for_list() == ten == 12
    assert client.get(URL, {"page": 4}).status_code == 200


def test_it_pages_by_fifty(client, alice, make_card):
    for n in range(55):
        make_card(UR, name=f"Person {n:02}")
    client.force_login(alice)
    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()
    assert len(names_in_order(first)) == 50
    assert len(names_in_order(second)) == 5
    assert "Page 1 of 2" in first


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "unhappy"}, ["Unhappy Customer", "Unhappy Prospect"]),
        ({"q": "NO FOLD"}, ["No Fold"]),
        ({"meaning": "upsell"}, ["Seed Example", "Upsell Customer"]),
        ({"meaning": "unhappy", "q": "prospect"}, ["Unhappy Prospect"]),
    ],
)
def test_it_filters_and_searches(client, alice, every_rule, query, expected):
    client.force_login(alice)
    assert names_in_order(client.get(URL, query).content.decode()) == expected


def test_it_filters_by_conference(client, alice, make_card):
    other = Conference.objects.create(
        name="Summit", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 2)
    )
    make_card(UR, name="At Expo")
    make_card(UR, name="At Summit", conference=other)
    client.force_login(alice)
    html = client.get(URL, {"conference": other.pk}).content.decode()
    assert names_in_order(html) == ["At Summit"]


def test_it_shows_my_follow_ups_unless_asked_for_everyone(
    client, alice, make_card, django_user_model
):
    bob = django_user_model.objects.create_user("bob")
    make_card(UR, name="Mine")
    make_card(UR, name="Bobs", owner=bob)
    client.force_login(alice)
    assert names_in_order(client.get(URL).content.decode()) == ["Mine"]
    assert names_in_order(client.get(URL, {"owner": "all"}).content.decode()) == ["Mine", "Bobs"]
    assert names_in_order(client.get(URL, {"owner": bob.pk}).content.decode()) == ["Bobs"]


def test_it_filters_by_state(client, alice, make_card):
    make_card(UR, name="Still Open")
    make_card(UR, name="Finished", state=Card.State.DONE)
    client.force_login(alice)
    assert names_in_order(client.get(URL).content.decode()) == ["Still Open"]
    assert names_in_order(client.get(URL, {"state": "done"}).content.decode()) == ["Finished"]
    assert len(names_in_order(client.get(URL, {"state": "all"}).content.decode())) == 2


@pytest.mark.parametrize(
    "query", [{"conference": "abc"}, {"meaning": "nope"}, {"state": "gone"}, {"owner": "999"}]
)
def test_a_bad_filter_is_a_400_with_a_message(client, alice, query):
    client.force_login(alice)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert "Some filters were not understood" in response.content.decode()


def action(card, name: str) -> str:
    return reverse("contacts-followup-action", args=[card.pk, name])


def test_done_records_the_outcome_and_who(client, alice, make_card):
    card = make_card(UR)
    client.force_login(alice)
    response = client.post(action(card, "done"), {"outcome": "Sent the quote", "next": URL})
    assert response.status_code == 302 and response.url == URL
    card.refresh_from_db()
    assert (card.state, card.outcome, card.state_changed_by) == ("done", "Sent the quote", alice)
    assert card.state_changed_at is not None


def test_snooze_hides_a_card_until_its_day(client, alice, make_card, monkeypatch):
    card = make_card(UR, name="Sleepy")
    client.force_login(alice)
    response = client.post(action(card, "snooze"), {"days": "1"}, **JSON)
    assert response.status_code == 200
    assert response.json()["state"] == "snoozed"
    card.refresh_from_db()
    assert card.snoozed_until == TODAY + timedelta(days=1)
    assert names_in_order(client.get(URL).content.decode()) == []
    assert names_in_order(client.get(URL, {"state": "snoozed"}).content.decode()) == ["Sleepy"]
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda value=None, timezone=None: TODAY + timedelta(days=1),
    )
    assert names_in_order(client.get(URL).content.decode()) == ["Sleepy"]


def test_snooze_for_a_week(client, alice, make_card):
    card = make_card(UR)
    client.force_login(alice)
    client.post(action(card, "snooze"), {"days": "7"})
    card.refresh_from_db()
    assert card.snoozed_until == TODAY + timedelta(days=7)


def test_drop_and_reopen(client, alice, make_card):
    card = make_card(UR)
    client.force_login(alice)
    client.post(action(card, "drop"))
    card.refresh_from_db()
    assert card.state == "dropped"
    response = client.post(action(card, "reopen"), **JSON)
    assert "Reopened" in response.json()["message"]
    card.refresh_from_db()
    assert (card.state, card.snoozed_until) == ("open", None)


def test_an_action_answers_json_with_the_new_row(client, alice, make_card):
    card = make_card(UR, name="Row Person")
    client.force_login(alice)
    body = client.post(action(card, "done"), {"outcome": "ok", "next": URL}, **JSON).json()
    assert body["state"] == "done"
    assert f'data-card="{card.pk}"' in body["row_html"]
    assert "Outcome: ok" in body["row_html"]
    assert f'value="{URL}"' in body["row_html"]


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("snooze", {}, 400),
        ("snooze", {"days": "3"}, 400),
        ("done", {"outcome": "x" * 5001}, 400),
        ("explode", {}, 404),
    ],
)
def test_bad_actions_are_refused(client, alice, make_card, name, data, status):
    card = make_card(UR)
    client.force_login(alice)
    assert client.post(action(card, name), data, **JSON).status_code == status
    card.refresh_from_db()
    assert card.state == "open"


def test_a_bad_action_without_javascript_comes_back_with_a_message(client, alice, make_card):
    card = make_card(UR)
    client.force_login(alice)
    response = client.post(action(card, "snooze"), {"days": "3", "next": URL})
    assert response.status_code == 400
    assert "That did not work" in response.content.decode()
    assert "Select a valid choice. 3 is not one of the available choices." in (
        response.content.decode()
    )


def test_actions_are_post_only_and_next_must_be_ours(client, alice, make_card):
    card = make_card(UR)
    client.force_login(alice)
    assert client.get(action(card, "done")).status_code == 405
    response = client.post(action(card, "done"), {"next": "https://evil.example/"})
    assert response.url == URL


def test_a_weight_edit_reorders_and_a_window_edit_redates_the_list(
    client, alice, every_rule, django_user_model
):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    competitor = Meaning.objects.get(slug="competitor")
    response = client.post(
        reverse("admin:contacts_meaning_change", args=[competitor.pk]),
        {
            "slug": "competitor",
            "label": "Competitor (friendly)",
            "weight": 500,
            "window_days": 1,
            "colour": "#6c757d",
            "order": 5,
            "active": "on",
        },
    )
    assert response.status_code == 302
    html = client.get(URL, {"owner": "all"}).content.decode()
    names = names_in_order(html)
    assert names[0] == "Friendly Competitor"
    # Met Later is due Tue 1 Dec now: this week, before No Fold (Fri 4 Dec); none is later.
    assert names.index("Plain Customer") < names.index("Met Later") < names.index("No Fold")
    assert 'data-group="later"' not in html
    every_rule["competitor"].refresh_from_db()
    assert every_rule["competitor"].due_on == date(2026, 11, 21)


def test_the_contact_page_shows_every_card_across_conferences(client, alice, make_card):
    person = Contact.objects.create(name="Dana Reyes", email="dana@acme.io")
    earlier = Conference.objects.create(
        name="Expo 2025", starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 2)
    )
    make_card(
        UL,
        contact=person,
        conference=earlier,
        note="first met",
        state=Card.State.DONE,
        outcome="signed",
    )
    make_card(UR | HALF, contact=person, note="second time")
    client.force_login(alice)
    html = client.get(person.get_absolute_url()).content.decode()
    assert html.index("Expo 2026") < html.index("Expo 2025")
    assert "first met" in html and "second time" in html and "Outcome: signed" in html
    assert "Talk ASAP" in html and "Prospect" in html


def test_booth_staff_see_the_team_list_but_act_only_on_their_own(client, bob, make_card):
    mine = make_card(UR, name="Bobs Lead", owner=bob)
    theirs = make_card(UR, name="Alices Lead")
    client.force_login(bob)
    html = client.get(URL, {"owner": "all"}).content.decode()
    assert names_in_order(html) == ["Bobs Lead", "Alices Lead"]
    assert reverse("contacts-followup-action", args=[mine.pk, "done"]) in html
    assert reverse("contacts-followup-action", args=[theirs.pk, "done"]) not in html
    assert "Follow-up owner" not in html  # only managers reassign


def test_a_snoozed_card_past_due_whose_snooze_ended_is_shown_overdue(client, alice, make_card):
    make_card(UL, name="Woke Up", state="snoozed", snoozed_until=TODAY - timedelta(days=1))
    make_card(UR, name="Due Today")
    client.force_login(alice)
    html = client.get(URL).content.decode()
    dues = re.findall(r"data-due( data-overdue)?>due ([^<]+)<", html)
    assert dues == [(" data-overdue", "Mon 23 Nov"), ("", "Fri 27 Nov")]


@pytest.fixture
def ana_and_sam(make_card):
    ana = Contact.objects.create(
        name="Ana Ruiz",
        company="Globex",
        email="ana@globex.io",
        phone="+49 (30) 1234-567",
        notes="Met at the speakers' dinner",
    )
    sam = Contact.objects.create(name="Sam Lee", company="Initech", phone="555.0100")
    make_card(UR, contact=ana, note="Renewal in Q1")
    make_card(UL, contact=sam, note="wants a demo")


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("renewal", ["Ana Ruiz"]),  # the card's note, case aside
        ("DINNER", ["Ana Ruiz"]),  # the person's notes
        ("globex", ["Ana Ruiz"]),
        ("ANA@GLO", ["Ana Ruiz"]),
        ("Demo", ["Sam Lee"]),
        ("(30) 1234", ["Ana Ruiz"]),  # the phone as written
        ("301234567", ["Ana Ruiz"]),  # its digits alone
        ("+49 30 1234 567", ["Ana Ruiz"]),
        ("30-1234-567", ["Ana Ruiz"]),
        ("555 0100", ["Sam Lee"]),
        ("0100", ["Sam Lee"]),
        ("Q1", ["Ana Ruiz"]),
        ("1234x", []),
    ],
)
def test_it_searches_names_companies_emails_phones_and_notes(
    client, alice, ana_and_sam, q, expected
):
    client.force_login(alice)
    assert names_in_order(client.get(URL, {"q": q}).content.decode()) == expected
