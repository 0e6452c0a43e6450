"""What a logged-in user gets is personal data: no cache may keep it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import Card
from tests import images

pytestmark = pytest.mark.django_db
PRIVATE = {"private", "no-store"}


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.fixture
def card(client, alice, conference, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(alice)
    booth = reverse("events-booth", args=[conference.slug])
    response = client.post(
        booth, {"name": "Dana", "photo": images.upload_jpeg()}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 201
    assert directives(response) >= PRIVATE
    return Card.objects.get()


def test_logged_in_pages_exports_and_photos_are_private_and_not_stored(client, card):
    slug = card.conference.slug
    urls = [
        "/",
        card.conference.get_absolute_url(),
        reverse("events-booth", args=[slug]),
        reverse("events-booth-card", args=[slug, card.pk]),
        reverse("contacts-followups"),
        card.contact.get_absolute_url(),
        reverse("contacts-settings"),
        reverse("events-export-csv", args=[slug]),
        reverse("events-export-vcf", args=[slug]),
        reverse("events-export-ics", args=[slug]),
        reverse("events-card-photo", args=[slug, card.pk, "photo"]),
        reverse("events-card-photo", args=[slug, card.pk, "thumbnail"]),
        reverse("events-card-photo", args=[slug, card.pk, "other"]),  # a 404 page
        reverse("admin:index"),
    ]
    for url in urls:
        response = client.get(url)
        assert directives(response) >= PRIVATE, (url, response.get("Cache-Control"))
    action = reverse("contacts-followup-action", args=[card.pk, "done"])
    assert directives(client.post(action)) >= PRIVATE


def test_a_response_that_says_how_to_cache_itself_keeps_it(client, alice):
    client.force_login(alice)
    assert directives(client.get("/sw.js")) == {"no-cache"}


def test_what_anyone_gets_is_left_alone(client):
    anonymous = client.get("/")
    assert anonymous.status_code == 302
    assert "Cache-Control" not in anonymous
