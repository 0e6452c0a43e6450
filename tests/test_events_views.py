from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.folds import UL, UR
from contacts.models import Card
from events.models import Conference
from events.views import CONFERENCES_PER_PAGE

pytestmark = pytest.mark.django_db


def conference_data(**fields: str) -> dict:
    """Return the conference form's fields, ``fields`` changed."""
    return {"starts_on": "2026-12-01", "ends_on": "2026-12-03", "time_zone": "UTC", **fields}


def test_it_requires_a_login(client):
    for url in ["/", reverse("events-create"), "/events/anything/", "/contacts/1/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/?next="), url


def test_the_conferences_path_leads_to_the_home_page_listing_them(client, alice):
    client.force_login(alice)
    response = client.get("/events/")
    assert (response.status_code, response["Location"]) == (302, "/")


def test_the_health_check_needs_no_login(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.content == b"OK"


@pytest.mark.parametrize("prefix", ["", "/foldcard"])
def test_the_health_check_answers_a_probe_asking_by_the_servers_address(client, prefix):
    # A site served under a path: its server passes the path after the prefix.
    for path in ("/health/", "/health"):
        response = client.get(path, SCRIPT_NAME=prefix, HTTP_HOST="10.0.0.5:8000")
        assert (response.status_code, response.content) == (200, b"OK")
    head = client.head("/health/", SCRIPT_NAME=prefix, HTTP_HOST="10.0.0.5:8000")
    assert (head.status_code, head.content) == (200, b"")
    assert client.post("/health/").status_code == 405


def test_the_health_check_says_503_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("the database is down")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/health/")
    assert response.status_code == 503


def test_the_login_page_uses_the_site_template(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Log in to foldcard" in response.content
    assert b"/static/vendor/bootstrap/bootstrap.min.css" in response.content


def test_home_lists_conferences_newest_first(client, alice, conference):
    Conference.objects.create(
        name="Older Summit", starts_on=date(2025, 3, 1), ends_on=date(2025, 3, 2)
    )
    Conference.objects.create(
        name="Next Forum", starts_on=date(2027, 1, 5), ends_on=date(2027, 1, 6)
    )
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert html.index("Next Forum") < html.index("Expo 2026") < html.index("Older Summit")
    assert conference.get_absolute_url() in html


def test_home_lists_the_latest_conferences_a_page_at_a_time_counting_their_cards_alone(
    client, alice, conference, make_card
):
    make_card(UR)
    make_card(UL)
    client.force_login(alice)
    client.get("/")  # the user's settings made
    with CaptureQueriesContext(connection) as one:
        assert client.get("/").context["page"][0].num_cards == 2
    for n in range(CONFERENCES_PER_PAGE):
        Conference.objects.create(
            name=f"Fair {n:02}", starts_on=date(2025, 1, 1), ends_on=date(2025, 1, 1)
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get("/").content.decode()
    # As many statements for 51 conferences as for one, and the cards counted only of the
    # page's conferences.
    assert len(many) == len(one)
    (counting,) = [q["sql"] for q in many if "COUNT" in q["sql"] and "contacts_card" in q["sql"]]
    assert 'conference_id" IN (' in counting
    assert "Expo 2026" in html and "Fair 00" in html and "Fair 49" not in html
    assert "1 / 2" in html and 'href="?page=2"' in html
    assert "data-total>51, the latest first<" in html
    page_two = client.get("/", {"page": 2})
    assert [c.name for c in page_two.context["page"]] == ["Fair 49"]
    assert page_two.context["page"][0].num_cards == 0
    # A page that is not one shows the first or the last.
    assert client.get("/", {"page": "x"}).context["page"].number == 1
    assert client.get("/", {"page": 9}).context["page"].number == 2


def test_with_no_conference_only_those_who_may_create_one_are_asked_to(client, alice, bob):
    client.force_login(bob)
    html = client.get("/").content.decode()
    assert "No conferences yet. A manager creates them." in html
    assert reverse("events-create") not in html
    client.force_login(alice)
    assert "Create the first one" in client.get("/").content.decode()


def test_it_creates_a_conference(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("events-create"),
        conference_data(name="  Web   Summit "),
    )
    conference = Conference.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("events-detail", args=["web-summit"])
    assert (conference.name, conference.created_by) == ("Web Summit", alice)


def test_same_name_gets_its_own_slug(client, alice, conference):
    client.force_login(alice)
    client.post(
        reverse("events-create"),
        conference_data(name="Expo 2026"),
    )
    assert sorted(Conference.objects.values_list("slug", flat=True)) == ["expo-2026", "expo-2026-2"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (conference_data(name=""), "This field is required"),
        (conference_data(name="X", starts_on="2026-12-05"), "cannot be before"),
        (conference_data(name="X", starts_on="yesterday"), "Enter a valid date"),
        (conference_data(name="X" * 201), "at most 200"),
    ],
)
def test_bad_conference_input_is_a_400_with_a_message(client, alice, data, message):
    client.force_login(alice)
    response = client.post(reverse("events-create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Conference.objects.exists()


def test_the_conference_page_shows_it(client, alice, conference):
    client.force_login(alice)
    response = client.get(conference.get_absolute_url())
    assert response.status_code == 200
    assert b"Expo 2026" in response.content


def test_an_unknown_conference_is_404(client, alice):
    client.force_login(alice)
    assert client.get("/events/nope/").status_code == 404


@pytest.mark.parametrize("debug", [False, True])
def test_a_scripts_save_to_an_unknown_conference_is_a_json_404(client, alice, settings, debug):
    # With DEBUG on (`make run`) too, whose 404 page would otherwise be Django's own.
    settings.DEBUG = debug
    client.force_login(alice)
    response = client.post("/events/nope/booth/", {"name": "Dana"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json() == {
        "errors": {"__all__": ["There is nothing here, or it is not yours to see."]}
    }


def test_the_contact_page_lists_their_cards(client, alice, make_card):
    card = make_card(UL | UR, name="Ana Ruiz", note="wants a second region")
    client.force_login(alice)
    html = client.get(card.contact.get_absolute_url()).content.decode()
    assert "Ana Ruiz" in html
    assert "Wants to buy more" in html
    assert "wants a second region" in html


def test_a_manager_edits_a_conference_and_due_dates_follow(client, alice, make_card, conference):
    card = make_card(UL | UR, logged_on=date(2026, 11, 19))  # UL + UR: due three days after the end
    client.force_login(alice)
    url = reverse("events-edit", args=[conference.slug])
    assert client.get(url).status_code == 200
    data = conference_data(name="Expo 2026", starts_on="2026-11-18", ends_on="2026-11-22")
    assert client.post(url, data).status_code == 302
    card.refresh_from_db()
    assert card.due_on == date(2026, 11, 25)
    bad = client.post(url, {**data, "ends_on": "2026-11-01"})
    assert bad.status_code == 400
    conference.refresh_from_db()
    assert conference.ends_on == date(2026, 11, 22)


def test_after_the_conference_its_page_charts_follow_ups_done_per_day(
    client, alice, make_card, fixed_today
):
    fixed_today(date(2026, 11, 24))
    for day, count in ((21, 2), (23, 1)):
        for _ in range(count):
            make_card(
                UR,
                state=Card.State.DONE,
                state_changed_at=timezone.make_aware(datetime(2026, 11, day, 15)),
            )
    card = make_card(UR)
    client.force_login(alice)
    html = client.get(card.conference.get_absolute_url()).content.decode()
    done = re.findall(r'data-day="([\d-]+)" data-done="(\d+)"', html)
    assert done == [
        ("2026-11-20", "0"),
        ("2026-11-21", "2"),
        ("2026-11-22", "0"),
        ("2026-11-23", "1"),
        ("2026-11-24", "0"),
    ]


def test_before_the_conference_ends_there_is_no_chart_of_days(
    client, alice, make_card, fixed_today
):
    fixed_today(date(2026, 11, 19))
    card = make_card(UR)
    client.force_login(alice)
    html = client.get(card.conference.get_absolute_url()).content.decode()
    assert "data-done-chart" not in html


def test_the_dashboard_counts_one_card_as_one(client, alice, make_card):
    make_card(UR)
    client.force_login(alice)
    html = client.get(reverse("events-detail", args=["expo-2026"])).content.decode()
    assert "0 of 1 card handled (0 done, 0 dropped)" in html


def test_the_dashboard_counts_in_one_pass_over_the_cards(client, alice, make_card, fixed_today):
    fixed_today(date(2026, 11, 30))
    make_card(UR, state=Card.State.DONE)
    make_card(UR, state=Card.State.DROPPED)
    overdue = make_card(UL)  # due 27 Nov: overdue
    make_card(UL, contact=overdue.contact)  # the same person again: one follow-up
    make_card(UL, state=Card.State.SNOOZED, snoozed_until=date(2026, 12, 5))
    client.force_login(alice)
    url = reverse("events-detail", args=["expo-2026"])
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    assert "2 of 5 cards handled (1 done, 1 dropped)" in html
    # As many as the follow-up list it opens shows.
    assert "1 overdue" in html
    assert html.count('data-meaning="') == 2  # UR and UL's meanings
    # The chart says its counts to a screen reader too.
    assert re.search(r'aria-label="Cards per meaning: \w+ \d, \w+ \d"', html)
    # The totals and the chart of meanings: one query; the overdue follow-ups another (the
    # chart of follow-ups done per day reads the done cards on its own).
    marks = ('AS "total"', '"contacts_card"."folds"')
    totals = [q["sql"] for q in queries if any(mark in q["sql"] for mark in marks)]
    assert len(totals) == 1, totals
    cards = [q["sql"] for q in queries if 'FROM "contacts_card"' in q["sql"]]
    assert len(cards) == 3, cards
    listed = client.get(re.search(r'href="([^"]*due=overdue)"', html)[1].replace("&amp;", "&"))
    assert "1 follow-up<" in listed.content.decode()
