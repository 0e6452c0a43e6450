"""Hardening: headers, login limits, request limits and hostile input everywhere."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse

from contacts.folds import UR
from contacts.models import Card, Contact
from events.models import Conference

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}

HOSTILE = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "x" * 10_000,
    "\u202eevil\u202c right-to-left",
    "zero\u200bwidth\u200djoiner\ufeff",
    "emoji 🃏🤝🏽 cards",
    "nul\x00byte",
    "'; DROP TABLE contacts_card; --",
    "1 OR 1=1",
    '=HYPERLINK("http://evil")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\r\n\tcontrol",
]


def test_pages_carry_a_strict_content_security_policy(client, alice):
    client.force_login(alice)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in re.search(r"script-src[^;]*", policy).group(0)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_api_docs_alone_allow_their_own_inline_style(client):
    response = client.get(reverse("api-docs"))
    (style,) = re.findall(r"<style>(.*?)</style>", response.content.decode(), re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    allowed = re.search(r"style-src [^;]*", response["Content-Security-Policy"]).group(0)
    assert allowed == f"style-src 'self' 'sha256-{digest}'"
    assert "sha256" not in client.get(reverse("login"))["Content-Security-Policy"]


def test_the_favicon_browsers_ask_for_is_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("foldcard/favicon.svg")
    assert finders.find("foldcard/favicon.svg")


def test_no_page_has_an_inline_script(client, alice, make_card, django_user_model):
    card = make_card(UR)
    client.force_login(alice)
    pages = [
        "/",
        reverse("events-create"),
        card.conference.get_absolute_url(),
        reverse("events-booth", args=[card.conference.slug]),
        reverse("events-booth-card", args=[card.conference.slug, card.pk]),
        reverse("contacts-followups"),
        card.contact.get_absolute_url(),
        reverse("contacts-settings"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, alice):
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 429
    response = client.post("/accounts/login/", {"username": "alice", "password": "alice-password"})
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_too_many_fields_is_a_400(client, alice, conference):
    client.force_login(alice)
    data = {f"field{n}": "x" for n in range(1001)}
    response = client.post(reverse("events-booth", args=[conference.slug]), data, **JSON)
    assert response.status_code == 400
    assert not Card.objects.exists()


def test_an_oversized_body_is_a_400(client, alice, conference):
    client.force_login(alice)
    data = {"name": "x", "note": "y" * (1024 * 1024 + 1)}
    response = client.post(reverse("events-booth", args=[conference.slug]), data, **JSON)
    assert response.status_code == 400
    assert not Card.objects.exists()


# How many requests each hostile value was sent in, filled by the test below it.
TRIED: dict[str, int] = {}


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_is_refused_or_saved_and_shown_escaped(
    client, alice, conference, make_card, value, sent_requests
):
    card = make_card(UR, name="Target")
    client.force_login(alice)
    booth = reverse("events-booth", args=[conference.slug])
    for field in ("name", "company", "title", "email", "phone", "note"):
        data = {"name": "Somebody", field: value}
        response = client.post(booth, data, **JSON)
        assert response.status_code in (201, 400), (field, response.status_code)
        if response.status_code == 400:
            assert response.json()["errors"], field
    for data in (
        {
            "name": value,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-02",
            "location": value,
            "time_zone": "UTC",
        },
        {"name": "Fine", "starts_on": value, "ends_on": "2026-12-02", "time_zone": value},
    ):
        response = client.post(reverse("events-create"), data)
        assert response.status_code in (302, 400)
    for query in ({"q": value}, {"meaning": value}, {"conference": value}, {"page": value}):
        assert client.get(reverse("contacts-followups"), query).status_code in (200, 400)
    for data in ({"outcome": value}, {"days": value}, {"owner": value}):
        for action in ("done", "snooze", "assign"):
            card.refresh_from_db()
            response = client.post(
                reverse("contacts-followup-action", args=[card.pk, action]),
                {**data, "version": card.version},
            )
            assert response.status_code in (302, 400, 404)
    assert client.post(reverse("contacts-settings"), {"vocabulary": value}).status_code == 400
    TRIED[value] = len(sent_requests)
    # Whatever was saved is shown as text, never as markup.
    for url in (booth, reverse("contacts-followups"), "/", card.contact.get_absolute_url()):
        html = client.get(url, {"state": "all", "owner": "all"}).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "<svg/onload" not in html
    print(f"hostile input {value[:20]!r}: {TRIED[value]} requests")


def test_the_number_of_hostile_inputs_tried():
    # Runs after the test above (pytest keeps the file's order) and counts what it sent.
    assert set(TRIED) == set(HOSTILE), "run the whole file: the hostile input tests count"
    print(f"hostile inputs: {len(TRIED)} values in {sum(TRIED.values())} requests")
    assert sum(TRIED.values()) >= 300


def test_odd_unicode_round_trips(client, alice, conference):
    client.force_login(alice)
    name = "Zoë \u202eevil\u202c 🃏 O'Neil"
    client.post(reverse("events-booth", args=[conference.slug]), {"name": name}, **JSON)
    assert Contact.objects.get().name == name
    assert Conference.objects.count() == 1


def test_a_refusal_says_which_roles_the_user_has(client, bob, make_card):
    client.force_login(bob)
    refused = client.get(reverse("contacts-vocabulary-import"))
    assert refused.status_code == 403
    assert "Your role: Booth staff." in refused.content.decode()
    # A refusal that says why of its own does not speak of roles.
    card = make_card(UR)
    refused = client.post(reverse("events-booth-undo", args=[card.conference.slug, card.pk]))
    page = refused.content.decode()
    assert "Only the person who logged a card, or a manager, can undo it." in page
    assert "Ask an administrator" not in page


def test_error_pages_are_friendly(client, charlie):
    client.force_login(charlie)
    missing = client.get("/events/no-such-conference/")
    assert missing.status_code == 403  # charlie has no role: refused before the lookup
    assert "Ask an administrator" in missing.content.decode()
    assert "You have no role yet." in missing.content.decode()
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "There is nothing here" in response.content.decode()
    assert "Something went wrong" in render_to_string("500.html")
    assert "could not be understood" in render_to_string("400.html")
