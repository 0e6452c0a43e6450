"""Conferences: slugs that never hide a page, the place a conference is held, and the days
it may have."""

from __future__ import annotations

import csv
import importlib
import io
from datetime import UTC, date, datetime

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from contacts.folds import UR
from contacts.models import Card, Contact
from events.models import Conference, country_choices
from events.validators import reserved_slugs

pytestmark = pytest.mark.django_db
DAYS = {"starts_on": "2026-12-01", "ends_on": "2026-12-03", "time_zone": "UTC"}


def test_the_reserved_slugs_come_from_the_url_conf():
    assert "new" in reserved_slugs()
    assert not any("<" in slug or "/" in slug for slug in reserved_slugs())


@pytest.mark.parametrize("name", ["New", "new", " NEW "])
def test_a_conference_named_like_a_page_reaches_its_own_page(client, alice, name):
    client.force_login(alice)
    response = client.post(reverse("events-create"), {"name": name, **DAYS})
    conference = Conference.objects.get()
    assert conference.slug == "new-2"
    assert response.url == f"/events/{conference.slug}/"
    page = client.get(response.url)
    assert page.status_code == 200
    assert f'<h1 class="h3 mb-0">{conference.name}</h1>' in page.content.decode()


def test_every_reserved_slug_is_skipped():
    for word in reserved_slugs():
        conference = Conference.objects.create(
            name=word, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 2)
        )
        assert conference.slug not in reserved_slugs()


def test_the_admin_refuses_a_reserved_slug(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    data = {"name": "New", "slug": "new", "time_zone": "UTC", **DAYS}
    response = client.post(reverse("admin:events_conference_add"), data)
    assert response.status_code == 200
    assert "is the address of another page" in response.content.decode()
    assert not Conference.objects.exists()


def test_a_migration_moves_conferences_off_reserved_slugs():
    days = {"starts_on": date(2026, 12, 1), "ends_on": date(2026, 12, 2)}
    taken = Conference.objects.create(name="New", **days)
    Conference.objects.filter(pk=taken.pk).update(slug="new")  # as saved before the fix
    Conference.objects.create(name="Other", slug="new-2", **days)
    migration = importlib.import_module("events.migrations.0003_conference_move_off_reserved_slugs")
    migration.move_off_reserved_slugs(apps, None)
    taken.refresh_from_db()
    assert taken.slug == "new-3"


@pytest.fixture
def auckland(alice) -> Conference:
    """A conference at UTC+13 in November."""
    return Conference.objects.create(
        name="Kiwi Expo",
        starts_on=date(2026, 11, 18),
        ends_on=date(2026, 11, 20),
        time_zone="Pacific/Auckland",
    )


def test_a_new_conference_takes_the_sites_time_zone(settings):
    settings.TIME_ZONE = "Europe/Lisbon"
    conference = Conference.objects.create(
        name="Web Summit", starts_on=date(2026, 11, 10), ends_on=date(2026, 11, 13)
    )
    assert (conference.time_zone, conference.country) == ("Europe/Lisbon", "")


def test_due_dates_count_days_where_the_conference_is(auckland, make_card):
    # 20 November 12:00 UTC is already 21 November 01:00 in Auckland: met after the last day.
    card = make_card(UR, conference=auckland, logged_at=datetime(2026, 11, 20, 12, tzinfo=UTC))
    assert (card.due_from, card.due_on) == (date(2026, 11, 21), date(2026, 11, 28))


def test_a_new_time_zone_moves_the_due_dates(client, alice, auckland, make_card):
    card = make_card(UR, conference=auckland, logged_at=datetime(2026, 11, 20, 12, tzinfo=UTC))
    client.force_login(alice)
    data = {"name": "Kiwi Expo", "starts_on": "2026-11-18", "ends_on": "2026-11-20"}
    response = client.post(
        reverse("events-edit", args=[auckland.slug]), {**data, "time_zone": "UTC"}
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.due_from, card.due_on) == (date(2026, 11, 20), date(2026, 11, 27))


def test_the_conference_form_offers_time_zones_and_countries(client, alice, settings):
    settings.TIME_ZONE = "Europe/Lisbon"
    client.force_login(alice)
    html = client.get(reverse("events-create")).content.decode()
    assert '<option value="Europe/Lisbon" selected>Europe/Lisbon</option>' in html
    assert '<option value="America/Sao_Paulo">America/Sao Paulo</option>' in html
    assert '<option value="SE">Sweden (SE, +46)</option>' in html
    # Every country by its name, those the phone library's geocoder does not name too.
    assert '<option value="XK">Kosovo (XK, +383)</option>' in html
    assert '<option value="AC">Ascension Island (AC, +247)</option>' in html
    assert all(not label.startswith(f"{code} ") for code, label in country_choices())
    data = {**DAYS, "name": "Nordic Summit", "time_zone": "Europe/Stockholm", "country": "SE"}
    assert client.post(reverse("events-create"), data).status_code == 302
    conference = Conference.objects.get()
    assert (conference.time_zone, conference.country) == ("Europe/Stockholm", "SE")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "Select a valid choice"),
        ({"time_zone": ""}, "This field is required"),
        ({"time_zone": "UTC", "country": "XX"}, "Select a valid choice"),
    ],
)
def test_a_bad_time_zone_or_country_is_a_400(client, alice, data, message):
    client.force_login(alice)
    response = client.post(reverse("events-create"), {"name": "Somewhere", **DAYS, **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Conference.objects.exists()


def test_the_booth_shows_when_met_in_the_conferences_time(client, alice, auckland, make_card):
    card = make_card(UR, conference=auckland, logged_at=datetime(2026, 11, 19, 22, 5, tzinfo=UTC))
    client.force_login(alice)
    html = client.get(reverse("events-booth", args=[auckland.slug])).content.decode()
    assert '<td class="text-muted">11:05</td>' in html
    html = client.get(reverse("events-booth-card", args=[auckland.slug, card.pk])).content
    assert "Kiwi Expo</a>, Fri 20 Nov 11:05." in html.decode()
    response = client.post(
        reverse("events-booth", args=[auckland.slug]),
        {"name": "Sam Lee"},
        HTTP_ACCEPT="application/json",
    )
    local = timezone.localtime(Card.objects.get(pk=response.json()["id"]).logged_at, auckland.zone)
    assert f'<td class="text-muted">{local:%H:%M}</td>' in response.json()["row_html"]


def test_pages_mixing_conferences_show_each_card_in_its_own_time(
    client, alice, conference, auckland, make_card
):
    dana = Contact.objects.create(name="Dana Reyes")
    make_card(UR, contact=dana, logged_at=datetime(2026, 11, 20, 22, 5, tzinfo=UTC))
    make_card(
        UR, contact=dana, conference=auckland, logged_at=datetime(2026, 11, 19, 22, 5, tzinfo=UTC)
    )
    client.force_login(alice)
    html = client.get(dana.get_absolute_url()).content.decode()
    assert "Fri 20 Nov 2026 22:05 UTC" in html
    assert "Fri 20 Nov 2026 11:05 NZDT" in html
    html = client.get(reverse("contacts-followups"), {"owner": "all"}).content.decode()
    assert "Expo 2026 · met Fri 20 Nov" in html
    assert "Kiwi Expo · met Fri 20 Nov" in html
    assert "met Thu 19 Nov" not in html


def test_the_exports_give_when_met_in_the_conferences_time(client, alice, auckland, make_card):
    make_card(UR, conference=auckland, logged_at=datetime(2026, 11, 19, 22, 5, tzinfo=UTC))
    client.force_login(alice)
    response = client.get(reverse("events-export-csv", args=[auckland.slug]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert next(csv.DictReader(io.StringIO(body)))["met_at"] == "2026-11-20T11:05+13:00"
    body = client.get(reverse("events-export-ics", args=[auckland.slug])).content
    (todo,) = Calendar.from_ical(body).walk("VTODO")
    assert "Met Fri 20 Nov 2026 11:05 NZDT" in str(todo["description"])


OUT_OF_RANGE = "Choose a day between 1 January 1900 and 31 December 2999."


def test_an_edit_to_a_last_day_past_the_range_is_a_400_and_saves_nothing(
    client, alice, conference, make_card
):
    card = make_card(UR)
    due_on = card.due_on
    client.force_login(alice)
    data = {"name": "Expo 2026", "starts_on": "2026-11-18", "ends_on": "9999-12-31"}
    response = client.post(
        reverse("events-edit", args=[conference.slug]), {**data, "time_zone": "UTC"}
    )
    assert response.status_code == 400
    assert OUT_OF_RANGE in response.content.decode()
    conference.refresh_from_db()
    card.refresh_from_db()
    assert (conference.ends_on, card.due_on) == (date(2026, 11, 20), due_on)


@pytest.mark.parametrize(
    "days",
    [
        {"starts_on": "9999-01-01", "ends_on": "9999-12-20"},
        {"starts_on": "9999-06-01", "ends_on": "9999-06-02", "retention_days": "3650"},
        {"starts_on": "3000-01-01", "ends_on": "3000-01-01"},
        {"starts_on": "0026-11-18", "ends_on": "2026-11-20"},
    ],
)
def test_a_new_conference_with_days_out_of_range_is_a_400(client, alice, days):
    client.force_login(alice)
    data = {"name": "Far Expo", "time_zone": "UTC", **days}
    response = client.post(reverse("events-create"), data)
    assert response.status_code == 400
    assert OUT_OF_RANGE in response.content.decode()
    assert not Conference.objects.exists()


def test_the_admin_refuses_days_out_of_range(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    data = {"name": "Far Expo", "slug": "far-expo", "time_zone": "UTC"}
    data.update(starts_on="9999-01-01", ends_on="9999-12-20", retention_action="delete")
    response = client.post(reverse("admin:events_conference_add"), data)
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()
    assert not Conference.objects.exists()


def test_a_conference_on_the_last_days_allowed_logs_cards(client, alice):
    client.force_login(alice)
    data = {"name": "Far Expo", "starts_on": "2999-12-30", "ends_on": "2999-12-31"}
    response = client.post(
        reverse("events-create"), {**data, "time_zone": "UTC", "retention_days": "3650"}
    )
    assert response.status_code == 302
    far = Conference.objects.get()
    assert client.get(response.url).status_code == 200
    booth = reverse("events-booth", args=[far.slug])
    assert client.get(booth).status_code == 200
    response = client.post(booth, {"name": "Sam Lee"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    assert Card.objects.get().due_on == date(3000, 1, 14)


def test_the_date_pickers_offer_only_the_days_allowed(client, alice):
    client.force_login(alice)
    html = client.get(reverse("events-create")).content.decode()
    for name in ("starts_on", "ends_on"):
        assert f'name="{name}" min="1900-01-01" max="2999-12-31"' in html


def test_a_conference_from_the_first_day_allowed_is_taken(client, alice):
    client.force_login(alice)
    data = {"name": "Old Expo", "starts_on": "1900-01-01", "ends_on": "1900-01-02"}
    response = client.post(reverse("events-create"), {**data, "time_zone": "UTC"})
    assert response.status_code == 302


def test_an_edit_that_fails_while_moving_the_due_dates_saves_nothing(
    client, alice, conference, make_card, monkeypatch
):
    card = make_card(UR)
    due_on = card.due_on

    def fail(conference):
        raise RuntimeError("the due dates could not be moved")

    monkeypatch.setattr("contacts.services.conference_dates_changed", fail)
    client.force_login(alice)
    data = {"name": "Expo 2026", "starts_on": "2026-11-18", "ends_on": "2026-11-22"}
    with pytest.raises(RuntimeError):
        client.post(reverse("events-edit", args=[conference.slug]), {**data, "time_zone": "UTC"})
    conference.refresh_from_db()
    card.refresh_from_db()
    assert (conference.ends_on, card.due_on) == (date(2026, 11, 20), due_on)


def test_two_conferences_created_at_once_under_one_name_take_two_slugs(client, alice, monkeypatch):
    find_free = Conference.unique_slug

    def taken_right_after_the_check(self: Conference) -> str:
        slug = find_free(self)
        if not Conference.objects.exists():
            # Another request, checking at the same moment, inserts the same slug first.
            Conference.objects.create(
                name=self.name, slug=slug, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 3)
            )
        return slug

    monkeypatch.setattr(Conference, "unique_slug", taken_right_after_the_check)
    client.force_login(alice)
    response = client.post(reverse("events-create"), {"name": "Expo", **DAYS})
    assert response.status_code == 302
    assert response.url == "/events/expo-2/"
    assert sorted(Conference.objects.values_list("slug", flat=True)) == ["expo", "expo-2"]
