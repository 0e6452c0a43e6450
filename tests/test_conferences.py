"""Conferences: slugs that never hide a page, and the place a conference is held."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.urls import reverse

from events.models import Conference
from events.validators import reserved_slugs

pytestmark = pytest.mark.django_db
DAYS = {"starts_on": "2026-12-01", "ends_on": "2026-12-03"}


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
