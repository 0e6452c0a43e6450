from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import followups, queries, search, services
from contacts.folds import DIAG, HALF, LL, LR, UL, UR
from contacts.forms import FollowupFilterForm
from contacts.models import FOLLOW_UP_ORDER, Card, Contact, Meaning
from contacts.queries import FollowupFilters
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
    return re.findall(r"data-name href=\"[^\"]+\">([^<]+)</a>", html)


def groups_of(html: str) -> list[tuple[str, str]]:
    """Return each group heading of the list: its key and its text."""
    found = re.findall(r'data-group="(\w+)">(.*?)</h2>', html)
    return [(key, re.sub(r"<[^>]+>", "", text)) for key, text in found]


def total_of(html: str) -> str:
    return re.search(r"data-total>([^<]+)<", html).group(1)


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
    assert groups_of(html) == [
        ("overdue", "Overdue (6)"),
        ("today", "Today (1)"),
        ("week", "This week (2)"),
        ("later", "Later (1)"),
    ]
    assert html.count("data-overdue") == 6


@pytest.mark.parametrize(("state", "heading"), [("done", "Done (10)"), ("dropped", "Dropped (10)")])
def test_cards_done_or_dropped_are_one_group_named_by_their_state(
    client, alice, every_rule, state, heading
):
    Card.objects.update(state=state)
    client.force_login(alice)
    html = client.get(URL, {"state": state}).content.decode()
    assert groups_of(html) == [("all", heading)]
    assert "data-overdue" not in html
    assert len(names_in_order(html)) == 10
    by_priority = client.get(URL, {"state": state, "sort": "priority"}).content.decode()
    assert groups_of(by_priority) == [("all", heading)]
    # Any state stays grouped by due bucket; no card done or dropped at all: no group.
    html = client.get(URL, {"state": "all"}).content.decode()
    assert [key for key, _ in groups_of(html)] == ["overdue", "today", "week", "later"]
    Card.objects.update(state=Card.State.OPEN)
    html = client.get(URL, {"state": state}).content.decode()
    assert groups_of(html) == [] and "Nothing to follow up here." in html


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
    card = make_card(
        UL | UR | HALF,
        name="Dana Reyes",
        contact=Contact.objects.create(name="Dana Reyes", company="Acme", email="dana@acme.io"),
    )
    client.force_login(alice)
    html = client.get(reverse("contacts-followup-email", args=[card.pk])).content.decode()
    link = re.search(r'href="(mailto:[^"]+)"', html).group(1)
    parts = urlsplit(link.replace("&amp;", "&"))
    query = parse_qs(parts.query)
    assert unquote(parts.path) == "dana@acme.io"
    assert query["subject"] == ["Following up from Expo 2026"]
    assert query["body"][0].startswith("Hi Dana,\n\nYou asked to talk as soon as possible")


def pager(html: str) -> tuple[str, str, str]:
    """Return the page's label and where Previous and Next lead ("" when not shown)."""
    label = re.search(r"Page \d+( of \d+)?", html)[0]
    links = dict(re.findall(r'href="\?([^"]*)"(?: data-next-page)?>(Previous|Next)<', html))
    links = {name: query.replace("&amp;", "&") for query, name in links.items()}
    return label, links.get("Previous", ""), links.get("Next", "")


@pytest.mark.parametrize(
    ("rows", "asked", "first", "shown"),
    [
        (60, {"page": 2, "left": 2}, "Person 48", ("Page 2 of 2", "page=1&left=2", "")),
        (60, {"page": 2, "left": "x"}, "Person 50", ("Page 2 of 2", "page=1", "")),
        (60, {"page": 2, "left": -3}, "Person 50", ("Page 2 of 2", "page=1", "")),
        # All of page 1 worked, out of 120: the rows left are two pages, none out of reach.
        (70, {"page": 2, "left": 50}, "Person 00", ("Page 1 of 2", "", "page=2")),
        # One worked, out of 101: the next page reaches the last row.
        (
            100,
            {"page": 2, "left": 1},
            "Person 49",
            ("Page 2 of 3", "page=1&left=1", "page=3&left=1"),
        ),
        (100, {"page": 3, "left": 1}, "Person 99", ("Page 3 of 3", "page=2&left=1", "")),
        (60, {"page": 9}, "Person 50", ("Page 2 of 2", "page=1", "")),  # past the end
    ],
)
def test_a_page_starts_as_many_rows_sooner_as_left_the_list_before(
    client, alice, make_card, rows, asked, first, shown
):
    for n in range(rows):
        met = datetime(2026, 11, 20, 10, tzinfo=UTC) + timedelta(minutes=n)
        make_card(UR, name=f"Person {n:02}", logged_at=met)
    client.force_login(alice)
    html = client.get(URL, asked).content.decode()
    assert names_in_order(html)[0] == first
    assert pager(html) == shown


def test_the_days_to_snooze_until_begin_tomorrow_as_the_server_takes_them(client, alice, make_card):
    card = make_card(UR)
    client.force_login(alice)
    pages = [URL, reverse("contacts-followup", args=[card.pk])]
    for html in (client.get(page).content.decode() for page in pages):
        assert set(re.findall(r'name="until" min="([\d-]+)"', html)) == {"2026-11-28"}
    refused = post_action(client, card, "snooze", {"until": "2026-11-27"})
    assert refused.status_code == 400


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
    # People met again: their other cards are shown in their row, read in one query.
    for card in Card.objects.all()[:60]:
        make_card(UR, contact=card.contact, note="met again")
    html = client.get(URL).content.decode()
    assert len(names_in_order(html)) == 50 and html.count("met again") > 10
    # 14: with the user's saved filters and who else follows up the page's people.
    assert queries_for_list() == ten == 14
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


def test_a_deactivated_users_cards_are_still_found_by_owner(
    client, alice, make_card, django_user_model
):
    leaver = django_user_model.objects.create_user("leaver", is_active=False)
    django_user_model.objects.create_user("gone", is_active=False)  # owns no card
    make_card(UR, name="Left Behind", owner=leaver)
    client.force_login(alice)
    page = client.get(URL, {"owner": leaver.pk})
    assert names_in_order(page.content.decode()) == ["Left Behind"]
    assert "leaver (deactivated)" in page.content.decode()
    assert "gone" not in page.content.decode()
    # The API's filter too.
    api = client.get(reverse("api-cards"), {"owner": leaver.pk})
    assert [card["name"] for card in api.json()["results"]] == ["Left Behind"]


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


def post_action(client, card, name: str, data: dict | None = None, **extra):
    """Post the action ``name`` on ``card`` as the list does: with the card's version it
    shows (the card's now)."""
    shown = {"version": Card.objects.get(pk=card.pk).version}
    return client.post(action(card, name), {**shown, **(data or {})}, **extra)


def test_done_records_the_outcome_and_who(client, alice, make_card):
    card = make_card(UR)
    client.force_login(alice)
    response = post_action(client, card, "done", {"outcome": "Sent the quote", "next": URL})
    assert response.status_code == 302 and response.url == URL
    card.refresh_from_db()
    assert (card.state, card.outcome, card.state_changed_by) == ("done", "Sent the quote", alice)
    assert card.state_changed_at is not None


def test_snooze_hides_a_card_until_its_day(client, alice, make_card, monkeypatch):
    card = make_card(UR, name="Sleepy")
    client.force_login(alice)
    response = post_action(client, card, "snooze", {"days": "1"}, **JSON)
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
    post_action(client, card, "snooze", {"days": "7"})
    card.refresh_from_db()
    assert card.snoozed_until == TODAY + timedelta(days=7)


def test_drop_and_reopen(client, alice, make_card):
    card = make_card(UR)
    client.force_login(alice)
    post_action(client, card, "drop")
    card.refresh_from_db()
    assert card.state == "dropped"
    response = post_action(client, card, "reopen", **JSON)
    assert "Reopened" in response.json()["message"]
    card.refresh_from_db()
    assert (card.state, card.snoozed_until) == ("open", None)


def test_an_action_answers_json_with_the_new_row(client, alice, make_card):
    card = make_card(UR, name="Row Person")
    client.force_login(alice)
    body = post_action(client, card, "done", {"outcome": "ok", "next": URL}, **JSON).json()
    assert body["state"] == "done"
    assert f'data-card="{card.pk}"' in body["row_html"]
    assert "Outcome: ok" in body["row_html"]
    assert f'?next={URL}"' in body["row_html"]  # the row's detail goes back to the list


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
    assert post_action(client, card, name, data, **JSON).status_code == status
    card.refresh_from_db()
    assert card.state == "open"


def test_a_bad_action_without_javascript_comes_back_with_a_message(client, alice, make_card):
    card = make_card(UR)
    client.force_login(alice)
    response = post_action(client, card, "snooze", {"days": "3", "next": URL})
    assert response.status_code == 400
    assert "That did not work" in response.content.decode()
    assert "Select a valid choice. 3 is not one of the available choices." in (
        response.content.decode()
    )


def test_actions_are_post_only_and_next_must_be_ours(client, alice, make_card):
    card = make_card(UR)
    client.force_login(alice)
    assert client.get(action(card, "done")).status_code == 405
    response = post_action(client, card, "done", {"next": "https://evil.example/"})
    assert response.url == URL


def test_a_weight_edit_reorders_and_a_window_edit_redates_the_list(
    client, alice, every_rule, django_user_model, tasks_at_once, django_capture_on_commit_callbacks
):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    competitor = Meaning.objects.get(slug="competitor")
    with django_capture_on_commit_callbacks(execute=True):
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


def test_acting_on_a_card_handed_to_someone_else_since_is_a_conflict(client, alice, bob, make_card):
    card = make_card(UR, name="Handed Over", owner=bob)
    client.force_login(bob)
    shown = card.version
    services.assign_followup(card, alice)  # by a manager, after bob's list was loaded
    response = client.post(action(card, "done"), {"version": shown}, **JSON)
    assert response.status_code == 409
    body = response.json()
    assert body["errors"]["__all__"][0]["message"].startswith("Someone changed Handed Over")
    assert ">alice</span>" in body["row_html"] and "data-workable" not in body["row_html"]
    assert Card.objects.get(pk=card.pk).state == "open"


def test_booth_staff_see_the_team_list_but_act_only_on_their_own(client, bob, make_card):
    mine = make_card(UR, name="Bobs Lead", owner=bob)
    theirs = make_card(UR, name="Alices Lead")
    client.force_login(bob)
    html = client.get(URL, {"owner": "all"}).content.decode()
    assert names_in_order(html) == ["Bobs Lead", "Alices Lead"]
    assert f'name="cards" value="{mine.pk}"' in html
    assert f'name="cards" value="{theirs.pk}"' not in html
    assert "Give the selected to" not in html  # only managers reassign
    detail = client.get(reverse("contacts-followup", args=[theirs.pk])).content.decode()
    assert reverse("contacts-followup-action", args=[theirs.pk, "done"]) not in detail
    detail = client.get(reverse("contacts-followup", args=[mine.pk])).content.decode()
    assert '<h1 class="visually-hidden">Follow-up of Bobs Lead</h1>' in detail
    assert reverse("contacts-followup-action", args=[mine.pk, "done"]) in detail
    assert "Follow-up owner" not in detail


@pytest.fixture
def dana():
    return Contact.objects.create(name="Dana Reyes", company="Acme", email="dana@acme.io")


def also_followed_by(html: str) -> list[str]:
    return re.findall(r"data-also-followed-by>also ([^<]*)</span>", html)


def test_each_owners_row_says_who_else_follows_up_the_same_person(
    client, alice, bob, charlie, make_card, dana, summit
):
    alices = make_card(UR, contact=dana)
    make_card(UR | HALF, contact=dana, owner=bob)
    make_card(UR, contact=dana, owner=charlie, state="done")  # done: no longer theirs to do
    make_card(UR, contact=dana, owner=charlie, conference=summit)  # elsewhere
    client.force_login(bob)
    assert also_followed_by(client.get(URL).content.decode()) == ["alice"]
    client.force_login(alice)
    assert also_followed_by(client.get(URL).content.decode()) == ["bob"]
    # The team's list has both cards in one row already.
    html = client.get(URL, {"owner": "all"}).content.decode()
    assert also_followed_by(html) == [] and 'data-others="1"' in html
    # The row redrawn after an action still says so.
    answer = post_action(client, alices, "done", **JSON).json()
    assert answer["state"] == "done" and also_followed_by(answer["row_html"]) == ["bob"]


@pytest.fixture
def summit() -> Conference:
    return Conference.objects.create(
        name="Summit", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 2)
    )


def test_a_person_met_three_times_is_one_row_with_the_other_cards_in_it(
    client, alice, make_card, dana
):
    make_card(UR, contact=dana, note="asked for the price list")  # due Fri 27 Nov
    first = make_card(UL | UR | HALF, contact=dana, note="wants a second region")  # Sat 21 Nov
    make_card(DIAG, contact=dana, note="knows our competitor")  # due Fri 4 Dec
    make_card(UL, name="Sam Lee")  # due Mon 23 Nov
    client.force_login(alice)
    html = client.get(URL).content.decode()
    assert names_in_order(html) == ["Dana Reyes", "Sam Lee"]
    row = html[html.index(f'data-card="{first.pk}"') : html.index("Sam Lee")]
    assert "due Sat 21 Nov" in row and "wants a second region" in row
    assert 'data-others="2"' in row
    assert row.index("asked for the price list") < row.index("knows our competitor")
    # The row's detail shows the person's other cards, their folds decoded.
    detail = client.get(reverse("contacts-followup", args=[first.pk])).content.decode()
    assert detail.count("data-other-card=") == 2
    assert ">Competitor (friendly)</span>" in detail
    assert total_of(html) == "2 follow-ups"
    assert groups_of(html) == [("overdue", "Overdue (2)")]


def test_the_row_stands_for_the_first_card_by_due_date_priority_then_when_met(
    client, alice, make_card, dana
):
    make_card(HALF, contact=dana)  # due Sat 21 Nov, priority 50
    seed = make_card(UL | UR | HALF, contact=dana)  # due Sat 21 Nov, priority 100
    make_card(UL | UR | HALF, contact=dana)  # the same, met after
    client.force_login(alice)
    html = client.get(URL).content.decode()
    assert re.findall(r'data-card="(\d+)"', html) == [str(seed.pk)]
    assert 'data-others="2"' in html


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
@pytest.mark.parametrize(
    "filters",
    [
        FollowupFilters(),
        FollowupFilters(owner="all"),
        FollowupFilters(state="done"),
        FollowupFilters(owner="all", q="dana"),
    ],
)
def test_on_sqlite_a_persons_other_cards_are_looked_up_by_their_index(alice, make_card, filters):
    # Without statistics SQLite would otherwise read them through the owner's or the
    # waiting cards' index: all of them, for each card of the list.
    # Found by the search, which then gives their ids: one or two SQLite would read by id.
    for n in range(5):
        make_card(UR, contact=Contact.objects.create(name=f"Dana {n}"))
    rows = queries.first_per_person(queries.followup_cards(alice, TODAY, filters))
    for plan in (rows.order_by(*FOLLOW_UP_ORDER).values("pk").explain(), rows.explain()):
        assert "USING INDEX card_person (contact_id=? AND conference_id=?" in plan


CLOSED_FROM_INDEX = "SEARCH contacts_card USING INDEX card_followups (waiting=?)"
MET_FROM_INDEX = "SEARCH contacts_card USING INDEX card_met (waiting=?)"


# PostgreSQL plans a few rows by their cost, unlike a million: tests.bench_scale times these
# lists there (README, "Pages at a million cards").
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
@pytest.mark.parametrize(
    ("state", "sort", "read"),
    [
        ("done", "due", CLOSED_FROM_INDEX),
        ("dropped", "due", CLOSED_FROM_INDEX),
        ("all", "due", "SCAN contacts_card USING INDEX card_due"),
        ("open", "met", MET_FROM_INDEX),
        ("done", "met", MET_FROM_INDEX),
    ],
)
def test_the_list_of_any_state_or_sorted_by_when_met_is_read_in_order_from_an_index(
    alice, make_card, state, sort, read
):
    # The list of the cards done (most cards), of every state, or sorted by when met read
    # all the cards it could show and sorted them (0.4 - 0.7 s at 220,000 cards, 1.6 s at
    # 1,000,000, on PostgreSQL).
    make_card(UR, state=state if state != "all" else "done")
    rows = queries.first_per_person(
        queries.followup_cards(alice, TODAY, FollowupFilters(owner="all", state=state))
    )
    plan = rows.order_by(*queries.SORTS[sort][1]).values("pk")[:51].explain()
    assert read in plan and "TEMP B-TREE FOR ORDER BY" not in plan


def test_the_same_person_at_another_conference_is_another_row(
    client, alice, make_card, dana, summit
):
    make_card(UR, contact=dana)
    make_card(UR, contact=dana, conference=summit)
    client.force_login(alice)
    html = client.get(URL).content.decode()
    assert names_in_order(html) == ["Dana Reyes", "Dana Reyes"]
    assert "data-others=" not in html


def test_the_row_is_chosen_among_the_cards_the_filters_keep(client, alice, make_card, dana):
    make_card(UL | UR | HALF, contact=dana, note="the seed")
    competitor = make_card(DIAG, contact=dana, note="knows our competitor")
    make_card(UR, contact=dana, state=Card.State.DONE, note="done long ago")
    client.force_login(alice)
    html = client.get(URL, {"meaning": "competitor"}).content.decode()
    assert f'data-card="{competitor.pk}"' in html
    assert "data-others=" not in html and "the seed" not in html
    html = client.get(URL, {"state": "all"}).content.decode()
    assert names_in_order(html) == ["Dana Reyes"] and 'data-others="2"' in html
    assert "(done): done long ago" in html


def test_it_shows_counts_over_the_cap_as_more_than_it(client, alice, every_rule, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    monkeypatch.setattr(queries, "PAGE_SIZE", 4)
    client.force_login(alice)
    first = client.get(URL).content.decode()
    # At least 3 overdue, and 1, 2 and 1 in the other buckets.
    assert total_of(first) == "7+ follow-ups"
    assert groups_of(first) == [("overdue", "Overdue (3+)")]
    # The number of pages is not known: each page says whether one comes after it.
    assert "Page 1<" in first and "Page 1 of" not in first and "page=2" in first
    last = client.get(URL, {"page": 3}).content.decode()
    assert len(names_in_order(last)) == 2 and "page=4" not in last and "page=2" in last
    assert groups_of(last) == [("week", "This week (2)"), ("later", "Later (1)")]
    body = post_action(client, every_rule["late"], "done", {"next": URL}, **JSON).json()
    assert body["counts"]["shown"] == {
        "total": "6+ follow-ups",
        "all": "6+",
        "overdue": "3+",
        "today": "1",
        "week": "2",
        "later": "0",
    }
    # A page past any the counts could reach (a number the database could not take) is
    # the last those counts reach: at most 4 buckets of 3, 3 pages of 4.
    deep = client.get(URL, {"page": "9" * 30})
    assert deep.status_code == 200 and "Page 3<" in deep.content.decode()
    # Under the cap in every bucket the count is exact again, however many in all.
    monkeypatch.setattr(queries, "COUNT_CAP", 6)
    assert total_of(client.get(URL).content.decode()) == "9 follow-ups"


def test_a_page_past_the_end_or_not_a_number_shows_the_last_or_the_first(
    client, alice, every_rule, monkeypatch
):
    monkeypatch.setattr(queries, "PAGE_SIZE", 4)
    client.force_login(alice)
    past = client.get(URL, {"page": 99}).content.decode()
    assert "Page 3 of 3" in past and len(names_in_order(past)) == 2
    for number in ("abc", "-2", "0"):
        assert "Page 1 of 3" in client.get(URL, {"page": number}).content.decode()


@pytest.mark.parametrize("value", ["²", "١٢", "x"])
def test_a_conference_that_is_no_number_is_a_filter_error_not_a_500(client, alice, value):
    client.force_login(alice)
    response = client.get(URL, {"conference": value})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


def test_the_conference_filter_lists_the_latest_conferences_and_accepts_any(
    client, alice, conference, make_card, monkeypatch
):
    monkeypatch.setattr(FollowupFilterForm, "RECENT_CONFERENCES", 2)
    oldest = Conference.objects.create(
        name="Fair 2019", slug="fair-2019", starts_on=date(2019, 3, 1), ends_on=date(2019, 3, 2)
    )
    for year in (2024, 2025):
        Conference.objects.create(
            name=f"Expo {year}",
            slug=f"expo-{year}",
            starts_on=date(year, 5, 1),
            ends_on=date(year, 5, 2),
        )
    make_card(UR, name="Met Long Ago", conference=oldest)
    client.force_login(alice)
    html = client.get(URL).content.decode()
    assert re.findall(r'<option value="\d+"[^>]*>([^<]+)<', html)[:2] == ["Expo 2026", "Expo 2025"]
    assert f'value="{oldest.pk}"' not in html and "data-other-conferences" in html
    html = client.get(URL, {"conference": oldest.pk}).content.decode()
    assert f'<option value="{oldest.pk}" selected>Fair 2019</option>' in html
    assert names_in_order(html) == ["Met Long Ago"]


def test_it_pages_and_counts_by_rows_not_cards(client, alice, make_card):
    for n in range(55):
        card = make_card(UR, name=f"Person {n:02}")
        make_card(UL, contact=card.contact)
    client.force_login(alice)
    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()
    assert len(names_in_order(first)) == 50 and len(names_in_order(second)) == 5
    assert "Page 1 of 2" in first
    assert total_of(first) == "55 follow-ups"
    assert groups_of(first) == [("overdue", "Overdue (55)")]


@pytest.mark.parametrize(
    ("name", "data", "state", "snoozed_until", "outcome"),
    [
        ("done", {"outcome": "Called her"}, "done", None, "Called her"),
        ("drop", {"outcome": "Not a fit"}, "dropped", None, "Not a fit"),
        ("snooze", {"days": "7"}, "snoozed", TODAY + timedelta(days=7), ""),
    ],
)
def test_a_rows_action_applies_to_the_persons_other_waiting_cards_there(
    client, alice, bob, make_card, dana, summit, name, data, state, snoozed_until, outcome
):
    shown = make_card(UL | UR | HALF, contact=dana)
    woken = make_card(UR, contact=dana, state="snoozed", snoozed_until=TODAY - timedelta(days=1))
    still_asleep = make_card(UR, contact=dana, state="snoozed", snoozed_until=TODAY)
    later = make_card(UR, contact=dana, state="snoozed", snoozed_until=TODAY + timedelta(days=3))
    bobs = make_card(UR, contact=dana, owner=bob)
    elsewhere = make_card(UR, contact=dana, conference=summit)
    finished = make_card(UR, contact=dana, state="done", outcome="signed")
    client.force_login(alice)
    body = post_action(client, shown, name, {**data, "next": URL}, **JSON).json()
    assert body["message"].endswith(", with 2 other cards from Expo 2026.")
    for card in (shown, woken, still_asleep):
        card.refresh_from_db()
        assert (card.state, card.snoozed_until, card.outcome) == (state, snoozed_until, outcome)
        assert card.state_changed_by == alice
    assert 'data-others="2"' in body["row_html"]
    later.refresh_from_db()
    assert (later.state, later.snoozed_until) == ("snoozed", TODAY + timedelta(days=3))
    assert Card.objects.get(pk=bobs.pk).state == "open"
    assert Card.objects.get(pk=elsewhere.pk).state == "open"
    assert Card.objects.get(pk=finished.pk).outcome == "signed"


def test_reopen_applies_to_the_card_alone(client, alice, make_card, dana):
    shown = make_card(UL | UR | HALF, contact=dana, state="done")
    other = make_card(UR, contact=dana, state="done")
    client.force_login(alice)
    body = post_action(client, shown, "reopen", **JSON).json()
    assert body["message"] == "Reopened Dana Reyes, Acme." and "undo" not in body
    assert Card.objects.get(pk=other.pk).state == "done"


def test_an_action_answers_the_new_counts_of_the_list_it_came_from(client, alice, every_rule):
    client.force_login(alice)
    seed = every_rule["seed"]
    body = post_action(client, seed, "done", {"next": URL}, **JSON).json()
    buckets = {"overdue": 5, "today": 1, "week": 2, "later": 1}
    shown = {"total": "9 follow-ups", "all": "9", "overdue": "5", "today": "1", "week": "2"}
    shown["later"] = "1"
    # The row done left the list: the next page starts a row sooner.
    listed = {str(seed.pk): False}
    assert body["counts"] == {"total": 9, "buckets": buckets, "shown": shown, "listed": listed}
    unhappy = every_rule["unhappy customer"]
    body = post_action(client, unhappy, "snooze", {"days": "1", "next": f"{URL}?q=unhappy"}, **JSON)
    counts = body.json()["counts"]
    assert (counts["total"], counts["buckets"]) == (1, {**dict.fromkeys(buckets, 0), "overdue": 1})
    assert counts["shown"]["total"] == "1 follow-up"
    contact_page = every_rule["asap"].contact.get_absolute_url()
    body = post_action(client, every_rule["asap"], "done", {"next": contact_page}, **JSON)
    assert body.json()["counts"] is None


def test_undo_puts_back_each_cards_state_snooze_and_outcome(client, alice, make_card, dana):
    shown = make_card(UL | UR | HALF, contact=dana, outcome="left a voicemail")
    woken = make_card(UR, contact=dana, state="snoozed", snoozed_until=TODAY - timedelta(days=1))
    client.force_login(alice)
    done = post_action(client, shown, "done", {"outcome": "Called", "next": URL}, **JSON).json()
    assert done["counts"]["total"] == 0
    undo = done["undo"]
    assert undo["url"] == action(shown, "restore")
    response = client.post(undo["url"], {**undo["data"], "next": URL}, **JSON)
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == (
        "Put Dana Reyes, Acme back as it was, with 1 other card from Expo 2026."
    )
    assert body["counts"]["total"] == 1 and "undo" not in body
    assert body["counts"]["listed"] == {str(shown.pk): True}  # back in the list
    assert 'data-others="1"' in body["row_html"]
    shown.refresh_from_db()
    woken.refresh_from_db()
    assert (shown.state, shown.snoozed_until, shown.outcome) == ("open", None, "left a voicemail")
    assert (woken.state, woken.snoozed_until, woken.outcome) == (
        "snoozed",
        TODAY - timedelta(days=1),
        "",
    )


def test_undo_without_javascript_goes_back_with_a_message(client, alice, make_card, dana):
    shown = make_card(UR, contact=dana)
    client.force_login(alice)
    undo = post_action(client, shown, "drop", {"next": URL}, **JSON).json()["undo"]
    response = client.post(undo["url"], {**undo["data"], "next": URL}, follow=True)
    assert "Put Dana Reyes, Acme back as it was." in response.content.decode()
    assert Card.objects.get(pk=shown.pk).state == "open"


def previous(of: Card, **fields: str) -> dict[str, str]:
    """Return the form data of an undo that puts ``of``, as it is, back as ``fields`` say
    (open)."""
    data = {"card": str(of.pk), "state": "open", "snoozed_until": "", "outcome": ""}
    data["version"] = str(of.version)
    data.update(fields)
    form = {"previous-TOTAL_FORMS": "1", "previous-INITIAL_FORMS": "0"}
    return form | {f"previous-0-{name}": value for name, value in data.items()}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"state": "gone"}, "Select a valid choice. gone is not one of the available choices."),
        ({"state": "snoozed"}, "A snoozed card needs the day its snooze ends."),
        ({"snoozed_until": "soon", "state": "snoozed"}, "Enter a valid date."),
        ({"card": "x"}, "Enter a whole number."),
        ({"outcome": "x" * 5001}, "Ensure this value has at most 5000 characters"),
    ],
)
def test_a_bad_undo_is_refused_and_changes_nothing(client, alice, make_card, fields, message):
    card = make_card(UR, state="done")
    client.force_login(alice)
    response = client.post(action(card, "restore"), previous(card, **fields), **JSON)
    assert response.status_code == 400
    assert message in " ".join(e["message"] for e in response.json()["errors"]["previous"])
    assert Card.objects.get(pk=card.pk).state == "done"


def test_an_undo_without_its_states_is_refused(client, alice, make_card):
    card = make_card(UR, state="done")
    client.force_login(alice)
    assert client.post(action(card, "restore"), **JSON).status_code == 400
    response = client.post(action(card, "restore"), {"next": URL})
    assert response.status_code == 400 and "That did not work" in response.content.decode()


def test_an_undo_of_another_card_of_the_person_is_put_back_without_a_500(
    client, alice, make_card, dana
):
    shown = make_card(UR, contact=dana, state="done")
    other = make_card(UR, contact=dana, state="done")
    client.force_login(alice)
    response = client.post(action(shown, "restore"), previous(other), **JSON)
    assert response.status_code == 200
    assert Card.objects.get(pk=other.pk).state == "open"


def test_an_undo_touches_only_that_persons_cards_that_the_user_may_work(
    client, alice, bob, make_card, dana
):
    bobs = make_card(UR, contact=dana, owner=bob, state="done")
    alices = make_card(UR, contact=dana, state="done")
    someone_else = make_card(UR, owner=bob, state="done")
    client.force_login(bob)
    for card in (alices, someone_else):
        data = previous(bobs) | {
            "previous-TOTAL_FORMS": "2",
            "previous-1-card": str(card.pk),
            "previous-1-state": "open",
            "previous-1-version": str(card.version),
        }
        assert client.post(action(bobs, "restore"), data, **JSON).status_code == 404
    assert set(Card.objects.values_list("state", flat=True)) == {"done"}


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


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("due", ["Seed Example", "Asap Alone", "Plain Customer", "Met Later"]),
        ("priority", ["Seed Example", "Asap Alone", "Plain Customer", "Met Later"]),
        ("met", ["Met Later", "Seed Example", "Plain Customer", "Asap Alone"]),
    ],
)
def test_it_sorts_by_due_date_priority_or_when_met(client, alice, make_card, sort, expected):
    make_card(UL | UR | HALF, name="Seed Example")  # due Sat 21 Nov, priority 100
    make_card(DIAG, name="Met Later", logged_on=date(2026, 11, 30))  # due 14 Dec, priority 5
    make_card(UR, name="Plain Customer", logged_on=date(2026, 11, 19))  # due 27 Nov, 20
    make_card(HALF, name="Asap Alone", logged_on=date(2026, 11, 18))  # due 21 Nov, 50
    client.force_login(alice)
    html = client.get(URL, {"sort": sort}).content.decode()
    assert names_in_order(html) == expected
    if sort == "due":
        assert [key for key, _ in groups_of(html)] == ["overdue", "today", "later"]
    else:  # one group, counted whole
        assert [key for key, _ in groups_of(html)] == ["all"]
        assert "(<span data-count>4</span>)" in html


def test_priority_comes_before_the_due_date_when_sorted_by_it(client, alice, make_card):
    make_card(UR, name="Soon Low")  # due 27 Nov, priority 20
    make_card(UL | UR | HALF, name="Late High", logged_on=date(2026, 11, 30))  # priority 100
    client.force_login(alice)
    assert names_in_order(client.get(URL, {"sort": "priority"}).content.decode()) == [
        "Late High",
        "Soon Low",
    ]


def test_it_sorts_by_conference_latest_first(client, alice, make_card, summit):
    make_card(UL | UR | HALF, name="At Summit", conference=summit)
    make_card(UR, name="At Expo")
    client.force_login(alice)
    html = client.get(URL, {"sort": "conference"}).content.decode()
    assert names_in_order(html) == ["At Expo", "At Summit"]
    assert names_in_order(client.get(URL).content.decode()) == ["At Summit", "At Expo"]


def test_it_filters_by_due_bucket(client, alice, every_rule):
    client.force_login(alice)
    html = client.get(URL, {"due": "overdue"}).content.decode()
    assert groups_of(html) == [("overdue", "Overdue (6)")]
    html = client.get(URL, {"due": "week", "sort": "priority"}).content.decode()
    assert names_in_order(html) == ["Friendly Competitor", "No Fold"]


def test_a_too_long_search_says_it_is_the_search_and_why(client, alice, make_card):
    client.force_login(alice)
    response = client.get(URL, {"q": "x" * 3000})
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "Some filters were not understood, and are ignored: Search (at most 100 characters)."
        in html
    )
    # What the address gave a filter is not repeated: a link could fill it with any words.
    response = client.get(URL, {"owner": "Call 555-0100 now"})
    [message] = [str(m) for m in response.context["messages"]]
    assert message == "Some filters were not understood, and are ignored: Owner."


def test_an_unknown_sort_or_due_bucket_is_a_400_with_a_message(client, alice, make_card):
    make_card(UR)
    client.force_login(alice)
    for query in ({"sort": "name"}, {"due": "yesterday"}):
        response = client.get(URL, query)
        assert response.status_code == 400
        assert "Some filters were not understood" in response.content.decode()


def test_the_due_buckets_for_the_database_agree_with_the_groups(every_rule):
    for key in ("overdue", "today", "week", "later"):
        found = set(Card.objects.filter(followups.due_in(key, TODAY)))
        assert found == {c for c in every_rule.values() if followups.bucket(c.due_on, TODAY) == key}


def test_the_detail_shows_note_photo_other_cards_outcome_box_and_actions(
    client, alice, make_card, dana, summit, media
):
    card = make_card(UL | UR | HALF, contact=dana, note="wants a second region")
    card.photo.save("card.jpg", ContentFile(b"jpeg"), save=True)
    make_card(UR, contact=dana, conference=summit, note="met in October", state="done")
    client.force_login(alice)
    url = reverse("contacts-followup", args=[card.pk])
    html = client.get(url, {"next": f"{URL}?sort=met"}).content.decode()
    assert "wants a second region" in html and "← Back to the follow-ups" in html
    assert f'href="{URL}?sort=met"' in html
    assert reverse("events-card-photo", args=[card.conference.slug, card.pk, "photo"]) in html
    assert "Summit" in html and "met in October" in html and "data-other-card=" in html
    assert 'name="outcome"' in html and 'name="until"' in html
    assert reverse("contacts-followup-action", args=[card.pk, "done"]) in html
    assert reverse("contacts-followup-email", args=[card.pk]) in html
    panel = client.get(url, {"panel": "1"}).content.decode()
    assert panel.startswith("<section") and "wants a second region" in panel
    assert client.get(reverse("contacts-followup", args=[999999])).status_code == 404


def test_snooze_until_a_day_and_refuse_a_day_past(client, alice, make_card):
    card = make_card(UR)
    client.force_login(alice)
    response = post_action(client, card, "snooze", {"until": "2026-11-27"}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["until"][0]["message"] == "Choose a day after today."
    response = post_action(client, card, "snooze", {"until": "9999-12-31"}, **JSON)
    assert response.status_code == 400
    message = "Choose a day by 27 Nov 2028: a snooze lasts 2 years at most."
    assert response.json()["errors"]["until"][0]["message"] == message
    assert Card.objects.get(pk=card.pk).state == "open"
    html = client.get(URL).content.decode()
    assert 'min="2026-11-28" max="2028-11-27"' in html
    body = post_action(client, card, "snooze", {"until": "2026-12-24"}, **JSON).json()
    assert body["message"] == "Snoozed Dana Reyes, Acme until Thu 24 Dec."
    card.refresh_from_db()
    assert (card.state, card.snoozed_until) == ("snoozed", date(2026, 12, 24))
    # A day of another year says its year.
    body = post_action(client, card, "snooze", {"until": "2028-11-27"}, **JSON).json()
    assert body["message"] == "Snoozed Dana Reyes, Acme until Mon 27 Nov 2028."
    assert "snoozed until Mon 27 Nov 2028" in body["row_html"]


def test_assigning_one_has_an_undo(client, alice, bob, make_card):
    card = make_card(UR)
    client.force_login(alice)
    body = post_action(client, card, "assign", {"owner": bob.pk, "next": URL}, **JSON).json()
    assert Card.objects.get(pk=card.pk).owner == bob
    undo = body["undo"]
    assert client.post(undo["url"], {**undo["data"], "next": URL}, **JSON).status_code == 200
    assert Card.objects.get(pk=card.pk).owner == alice


def test_a_follow_up_goes_only_to_someone_who_works_follow_ups(
    client, alice, bob, charlie, make_card
):
    card = make_card(UR)
    client.force_login(alice)
    response = post_action(client, card, "assign", {"owner": charlie.pk, "next": URL}, **JSON)
    assert response.status_code == 400
    assert "Select a valid choice." in response.json()["errors"]["owner"][0]["message"]
    assert Card.objects.get(pk=card.pk).owner == alice
    assign_lists = (
        (URL, 'aria-label="Give the selected to"'),
        (URL, 'id="dialog-owner"'),
        (reverse("contacts-followup", args=[card.pk]), 'aria-label="Follow-up owner"'),
    )
    for page, select in assign_lists:
        html = client.get(page).content.decode()
        offered = re.search(select + r"[^>]*>(.*?)</select>", html, re.S).group(1)
        assert re.findall(r'<option value="(\d+)"', offered) == [str(alice.pk), str(bob.pk)]
    # Who had follow-ups before their role was taken away can still be filtered by.
    assert client.get(URL, {"owner": charlie.pk}).status_code == 200


def test_booth_staff_cannot_hand_a_follow_up_over_by_undoing(client, alice, bob, make_card):
    card = make_card(UR, owner=bob, state="done")
    client.force_login(bob)
    response = client.post(action(card, "restore"), previous(card, owner=str(alice.pk)), **JSON)
    assert response.status_code == 403
    assert "Only a manager can hand a follow-up to someone else." in response.content.decode()
    card.refresh_from_db()
    assert (card.state, card.owner) == ("done", bob)
    response = client.post(action(card, "restore"), previous(card, owner=str(bob.pk)), **JSON)
    assert response.status_code == 200
    card.refresh_from_db()
    assert (card.state, card.owner) == ("open", bob)


def test_an_undo_gives_back_no_follow_up_to_someone_without_a_role(
    client, alice, charlie, make_card
):
    card = make_card(UR, state="done")
    client.force_login(alice)
    response = client.post(action(card, "restore"), previous(card, owner=str(charlie.pk)), **JSON)
    assert response.status_code == 403
    card.refresh_from_db()
    assert (card.state, card.owner) == ("done", alice)


def test_an_undo_keeps_the_owner_a_card_has_though_their_role_was_taken_away(
    client, alice, charlie, make_card
):
    card = make_card(UR, owner=charlie)
    client.force_login(alice)
    undo = post_action(client, card, "done", {"next": URL}, **JSON).json()["undo"]
    assert client.post(undo["url"], {**undo["data"], "next": URL}, **JSON).status_code == 200
    card.refresh_from_db()
    assert (card.state, card.owner) == ("open", charlie)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("jose", ["José Müller"]),  # accents aside
        ("MULLER", ["José Müller"]),
        ("JOSÉ MÜ", ["José Müller"]),
        ("strasse", ["José Müller"]),  # ß folds to ss
        ("ÉCOLE", ["Zoë Ecole"]),
        ("*", ["Star *Power"]),  # what a pattern would read as a wildcard is a character
        ("%", []),
        ("[x", []),
        ("orsted", ["Zoë Ørsted"]),  # a letter without decomposition
        ("ØRSTED", ["Zoë Ørsted"]),
        ("李雷", ["李雷"]),  # fewer characters than a trigram
        ("北京", ["李雷"]),
        ("北京公司", ["李雷"]),
    ],
)
def test_search_ignores_case_and_accents(client, alice, make_card, q, expected):
    make_card(UR, name="José Müller", company="Bäckerei", note="Hauptstraße 1")
    make_card(UR, name="李雷", company="北京公司")
    make_card(UR, name="Zoë Ørsted", company="Ørsted A/S")
    make_card(UR, name="Zoë Ecole", company="École Polytechnique")
    make_card(UR, name="Star *Power")
    client.force_login(alice)
    assert names_in_order(client.get(URL, {"q": q}).content.decode()) == expected


def test_search_follows_a_persons_edits_to_every_card(client, alice, make_card):
    first = make_card(UR, name="Old Name")
    make_card(UL, contact=first.contact, note="second card")
    first.contact.name = "New Name"
    first.contact.save()
    Contact.objects.get().merge({"phone": "+46 8 555 0101"})
    client.force_login(alice)
    found = queries.search(Card.objects.all(), "new name")
    assert found.count() == 2 and not queries.search(Card.objects.all(), "old name").exists()
    contact = Contact.objects.get()
    contact.phone = "+46 8 555 0101"
    contact.save(update_fields=["phone"])
    assert queries.search(Card.objects.all(), "4685550101").count() == 2
    first.note = "renewal"
    first.save()
    assert list(queries.search(Card.objects.all(), "RENEWAL")) == [first]
    first.delete()
    assert not queries.search(Card.objects.all(), "renewal").exists()


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("dana@home", ["Dana Reyes"]),  # another email
        ("DANA@HOME.EXAMPLE", ["Dana Reyes"]),
        ("070-123", ["Dana Reyes"]),  # another phone, as written
        ("701234567", ["Dana Reyes"]),  # its digits alone
        ("acme", ["Li Wei", "Dana Reyes"]),  # the search text and another email at once
        ("nobody@", []),
    ],
)
def test_search_finds_a_person_by_another_email_or_phone(client, alice, make_card, q, expected):
    dana = Contact.objects.create(name="Dana Reyes", company="Acme", email="dana@acme.io")
    dana.other_emails.create(email="dana@home.example")
    dana.other_phones.create(phone="070-123 45 67", phone_normalized="+46701234567")
    make_card(UR, contact=dana)
    li = Contact.objects.create(name="Li Wei", company="Hooli")
    li.other_emails.create(email="li@acme.io")
    make_card(UL, contact=li)
    client.force_login(alice)
    assert names_in_order(client.get(URL, {"q": q}).content.decode()) == expected


def test_search_answers_from_an_index(make_card):
    make_card(UR, name="Indexed Person")
    found = search.containing(Card.objects.all(), ["indexed"])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: it would scan
        # As queries.search reads it first: the ids of the cards found, in no order.
        sql, params = found.order_by().values("pk").query.sql_with_params()
        explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
        cursor.execute(f"{explain} {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert (
        "card_search" if connection.vendor == "postgresql" else "contacts_card_search VIRTUAL TABLE"
    ) in plan
    assert list(found.values_list("contact__name", flat=True)) == ["Indexed Person"]


def test_on_postgresql_the_search_reads_other_emails_and_phones_from_indexes(make_card):
    # Each search read every other email and phone: 9 - 15 ms at 47,000 of them.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's trigram indexes; SQLite reads those tables")
    dana = Contact.objects.create(name="Dana Reyes")
    dana.other_emails.create(email="dana@home.example")
    dana.other_phones.create(phone="070-123 45 67", phone_normalized="+46701234567")
    with transaction.atomic(), CaptureQueriesContext(connection) as ran:
        connection.cursor().execute("SET LOCAL enable_seqscan = off")  # a few rows
        assert queries.people_by_other_details(["home.ex", "70123"]) == [dana.pk]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + ran[-1]["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("contactemail_search", "contactphone_search", "contactphone_normalized_search"):
        assert f"Bitmap Index Scan on {index}" in plan


def searching(sql: str) -> bool:
    """Return whether ``sql`` reads the search index."""
    return ('"search"::text LIKE' if connection.vendor == "postgresql" else "GLOB") in sql


@pytest.mark.parametrize(("read_once", "reads"), [(queries.SEARCH_READ_ONCE, 1), (1, 4)])
def test_a_search_finding_few_cards_reads_the_index_once(
    client, alice, make_card, monkeypatch, read_once, reads
):
    # Once, and the page's counts and rows read the cards it found by id; a search that
    # finds more is asked again by each statement after (the counts, the page's ids).
    monkeypatch.setattr(queries, "SEARCH_READ_ONCE", read_once)
    for name in ("Ann Search", "Bo Search", "Cy Other"):
        make_card(UR, name=name)
    client.force_login(alice)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(URL, {"q": "search"}).content.decode()
    assert names_in_order(html) == ["Ann Search", "Bo Search"]
    assert sum(searching(each["sql"]) for each in captured) == reads


def test_a_search_finding_nothing_reads_no_cards_after(client, alice, make_card):
    make_card(UR, name="Ann Search")
    client.force_login(alice)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(URL, {"q": "nobody"}).content.decode()
    assert names_in_order(html) == [] and "Nothing to follow up here." in html
    assert sum(searching(each["sql"]) for each in captured) == 1


def test_the_sqlite_search_index_comes_back_after_its_triggers_were_dropped(make_card):
    # SQLite alters a table by copying it, which drops its triggers: migrate puts them back.
    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 index is SQLite's")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search.SQLITE_TABLE}_insert")
    make_card(UR, name="Logged Meanwhile")
    assert not queries.search(Card.objects.all(), "meanwhile").exists()
    search.ensure_sqlite_index()
    assert queries.search(Card.objects.all(), "meanwhile").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_on_postgresql_the_page_checks_each_row_it_reads_for_an_earlier_card(alice, every_rule):
    # An anti-join may be planned as a hash of every card of the list; a subquery per row
    # costs the rows that the page reads. JIT compiling would cost more than the query.
    rows = queries.first_per_person(queries.followup_cards(alice, TODAY, FollowupFilters()))
    ids = rows.order_by(*FOLLOW_UP_ORDER).values_list("pk", flat=True)[:51]
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
    assert "Anti Join" not in plan and "SubPlan" in plan, plan


def test_a_message_ends_a_company_ending_in_a_stop_once(client, alice, make_card):
    card = make_card(UR, company="Acme Inc.")
    client.force_login(alice)
    body = post_action(client, card, "drop", **JSON).json()
    assert body["message"] == "Dropped Dana Reyes, Acme Inc."
