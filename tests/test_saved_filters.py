"""Saved filters: a user's named views of the follow-up list."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from contacts.folds import HALF, UR
from contacts.forms import SavedFilterForm
from contacts.models import SavedFilter

pytestmark = pytest.mark.django_db
URL = "/followups/"
SAVE = reverse("contacts-saved-filter")


@pytest.fixture(autouse=True)
def today(fixed_today):
    return fixed_today(date(2026, 11, 27))


def test_it_saves_the_lists_filters_under_a_name_and_shows_them_to_their_owner(
    client, alice, bob, conference
):
    client.force_login(alice)
    query = f"conference={conference.pk}&meaning=asap&owner=all&page=3"
    response = client.post(SAVE, {"name": "ASAP at Expo 2026", "query": query})
    saved = SavedFilter.objects.get(owner=alice)
    assert saved.query == f"conference={conference.pk}&meaning=asap&owner=all"  # not the page
    assert response.url == f"{URL}?{saved.query}"
    html = client.get(URL).content.decode()
    assert f'href="{URL}?conference={conference.pk}&amp;meaning=asap&amp;owner=all"' in html
    assert ">ASAP at Expo 2026</a>" in html
    client.force_login(bob)
    assert "ASAP at Expo 2026" not in client.get(URL).content.decode()


def test_a_saved_filter_shows_what_it_says(client, alice, make_card):
    make_card(HALF, name="Overdue Asap")  # due Sat 21 Nov
    make_card(UR, name="Due Today")
    client.force_login(alice)
    client.post(SAVE, {"name": "my overdue", "query": "due=overdue"})
    html = client.get(SavedFilter.objects.get(name="my overdue").get_absolute_url()).content
    assert b"Overdue Asap" in html and b"Due Today" not in html


def test_saving_a_name_again_replaces_its_filters(client, alice):
    client.force_login(alice)
    client.post(SAVE, {"name": "mine", "query": "due=today"})
    client.post(SAVE, {"name": "mine", "query": "due=overdue&sort=priority"})
    assert list(SavedFilter.objects.values_list("name", "query")) == [
        ("mine", "due=overdue&sort=priority")
    ]


def test_a_name_saved_twice_at_once_is_one_saved_filter(client, alice, monkeypatch):
    clean_query = SavedFilterForm.clean_query

    def saved_meanwhile(form):
        # The other request of a double click, saved while this one is checked.
        SavedFilter.objects.get_or_create(owner=alice, name="mine", query="due=today")
        return clean_query(form)

    monkeypatch.setattr(SavedFilterForm, "clean_query", saved_meanwhile)
    client.force_login(alice)
    response = client.post(SAVE, {"name": "mine", "query": "due=overdue"})
    assert response.status_code == 302
    assert list(SavedFilter.objects.values_list("name", "query")) == [("mine", "due=overdue")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "query": "due=today"}, "This field is required."),
        ({"name": "x" * 81, "query": ""}, "at most 80 characters"),
        ({"name": "odd", "query": "sort=name"}, "Some of these filters are not understood"),
        ({"name": "odd", "query": "owner=999999"}, "Some of these filters are not understood"),
    ],
)
def test_a_bad_saved_filter_is_a_400_that_says_why(client, alice, data, message):
    client.force_login(alice)
    response = client.post(SAVE, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_only_its_owner_forgets_a_saved_filter(client, alice, bob):
    saved = SavedFilter.objects.create(owner=alice, name="mine", query="due=today")
    url = reverse("contacts-saved-filter-delete", args=[saved.pk])
    client.force_login(bob)
    assert client.post(url).status_code == 404
    client.force_login(alice)
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "Forgot “mine”." in response.content.decode()
    assert not SavedFilter.objects.exists()
