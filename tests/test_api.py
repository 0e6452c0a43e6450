"""The REST API: each operation, the permission matrix, tokens, bad input, rate limit."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, hash_key
from api.pagination import Pages
from contacts import queries, services, vocabularies
from contacts.folds import HALF, UL, UR
from contacts.forms import CardForm
from contacts.models import FOLLOW_UP_ORDER, Card, Consent, Contact, Meaning, Vocabulary
from events.models import Conference

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def fresh_throttle():
    """Start each test with no requests counted against any token."""
    cache.clear()


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def token_of():
    """Return a function giving a user a token, and the token's request headers."""

    def issue(user, **fields) -> dict:
        _, key = ApiToken.issue(user, "script", **fields)
        return bearer(key)

    return issue


@pytest.fixture
def other_conference(alice) -> Conference:
    return Conference.objects.create(
        name="Fair 2026", starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 2), created_by=alice
    )


def post_json(client, url: str, data, **headers):
    body = data if isinstance(data, str) else json.dumps(data)
    return client.post(url, body, content_type="application/json", **headers)


def nested(depth: int) -> list:
    """Return a list in a list …, ``depth`` deep."""
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def patch_json(client, url: str, data, **headers):
    return client.patch(url, json.dumps(data), content_type="application/json", **headers)


def create_url(conference: Conference) -> str:
    return reverse("api-card-create", args=[conference.slug])


# --- The permission matrix ------------------------------------------------------------

PERSONAS = ["alice", "bob", "charlie", "vera"]
SCOPES = ["full", "read-only", "other conference", "session"]


def everywhere(statuses: list[int]) -> dict[str, list[int]]:
    return {scope: statuses for scope in SCOPES}


def written_by_vera(status: int) -> dict[str, list[int]]:
    """A vocabulary write: vera's alone, and not with a read-only token or one limited to a
    conference (the vocabulary is the whole site's)."""
    return {
        "full": [403, 403, 403, status],
        "read-only": [403, 403, 403, 403],
        "other conference": [403, 403, 403, 403],
        "session": [403, 403, 403, status],
    }


# For each operation, the status each persona gets with each kind of credentials, in
# PERSONAS order; anonymous requests get 401 from every operation.
MATRIX = {
    "list conferences": {
        "full": [200, 200, 403, 403],
        "read-only": [200, 200, 403, 403],
        "other conference": [200, 200, 403, 403],
        "session": [200, 200, 403, 403],
    },
    "create a card": {
        "full": [201, 201, 403, 403],
        "read-only": [403, 403, 403, 403],
        "other conference": [404, 404, 403, 403],
        "session": [201, 201, 403, 403],
    },
    "list cards": everywhere([200, 200, 403, 403]),
    "read a card": {
        "full": [200, 200, 403, 403],
        "read-only": [200, 200, 403, 403],
        "other conference": [404, 404, 403, 403],
        "session": [200, 200, 403, 403],
    },
    "update a card": {
        "full": [200, 200, 403, 403],
        "read-only": [403, 403, 403, 403],
        "other conference": [404, 404, 403, 403],
        "session": [200, 200, 403, 403],
    },
    "list meanings": everywhere([200, 200, 403, 200]),
    "read a meaning": everywhere([200, 200, 403, 200]),
    "add a meaning": written_by_vera(201),
    "change a meaning": written_by_vera(200),
    "delete a meaning": written_by_vera(204),
    "list vocabularies": everywhere([200, 200, 403, 200]),
    "read a vocabulary": everywhere([200, 200, 403, 200]),
    "add a vocabulary": written_by_vera(201),
    "change a vocabulary": written_by_vera(200),
    "delete a vocabulary": written_by_vera(204),
    "decode": everywhere([200, 200, 403, 403]),
}


def call(client, operation: str, conference: Conference, card: Card, headers: dict):
    """Call ``operation``; each call that writes acts on something of its own."""
    fresh = uuid.uuid4().hex[:8]
    vocabulary = Vocabulary.default()
    if operation == "create a card":
        return post_json(
            client, create_url(conference), {"name": "Dana", "folds": ["UL"]}, **headers
        )
    if operation == "update a card":
        body = {"version": Card.objects.get(pk=card.pk).version, "note": "edited"}
        return patch_json(client, reverse("api-card", args=[card.pk]), body, **headers)
    if operation == "add a meaning":
        body = {"slug": f"m-{fresh}", "label": f"New {fresh}"}
        return post_json(client, reverse("api-meanings"), body, **headers)
    if operation == "change a meaning":
        url = reverse("api-meaning", args=["asap"])
        return patch_json(client, url, {"weight": 51}, **headers)
    if operation == "delete a meaning":
        meaning = Meaning.objects.create(slug=f"m-{fresh}", label="Old")
        return client.delete(reverse("api-meaning", args=[meaning.slug]), **headers)
    if operation == "add a vocabulary":
        body = {"name": f"v-{fresh}", "rules": [{"folds": ["UL"], "meanings": ["asap"]}]}
        return post_json(client, reverse("api-vocabularies"), body, **headers)
    if operation == "change a vocabulary":
        url = reverse("api-vocabulary", args=[vocabulary.pk])
        return patch_json(client, url, {"description": fresh}, **headers)
    if operation == "delete a vocabulary":
        unused = Vocabulary.objects.create(name=f"v-{fresh}")
        return client.delete(reverse("api-vocabulary", args=[unused.pk]), **headers)
    url = {
        "list conferences": reverse("api-conferences"),
        "list cards": reverse("api-cards"),
        "read a card": reverse("api-card", args=[card.pk]),
        "list meanings": reverse("api-meanings"),
        "read a meaning": reverse("api-meaning", args=["asap"]),
        "list vocabularies": reverse("api-vocabularies"),
        "read a vocabulary": reverse("api-vocabulary", args=[vocabulary.pk]),
        "decode": reverse("api-decode") + "?folds=795",
    }[operation]
    return client.get(url, **headers)


def test_every_operation_of_the_schema_is_in_the_matrix(client):
    schema = client.get(reverse("api-schema")).json()
    operations = [op for methods in schema["paths"].values() for op in methods]
    assert len(operations) == len(MATRIX)


def test_the_api_permission_matrix(
    client, alice, bob, charlie, vera, conference, other_conference, make_card, token_of
):
    users = {"alice": alice, "bob": bob, "charlie": charlie, "vera": vera}
    card = make_card(UR, owner=bob)
    for operation, scopes in MATRIX.items():
        client.logout()
        got = call(client, operation, conference, card, {}).status_code
        assert got == 401, f"anonymous {operation}: {got}"
        for scope, statuses in scopes.items():
            for persona, expected in zip(PERSONAS, statuses, strict=True):
                client.logout()
                user = users[persona]
                if scope == "session":
                    client.force_login(user)
                    headers = {}
                else:
                    limits = {
                        "full": {},
                        "read-only": {"read_only": True},
                        "other conference": {"conference": other_conference},
                    }[scope]
                    headers = token_of(user, **limits)
                response = call(client, operation, conference, card, headers)
                got = response.status_code
                assert got == expected, f"{persona} {scope} {operation}: {got}, not {expected}"
                if got >= 400:
                    assert response["Content-Type"] == PROBLEM


def test_a_token_for_one_conference_lists_only_that_conference(
    client, alice, conference, other_conference, make_card, token_of
):
    make_card(UR)
    make_card(UR, conference=other_conference)
    headers = token_of(alice, conference=other_conference)
    conferences = client.get(reverse("api-conferences"), **headers).json()
    assert [c["slug"] for c in conferences["results"]] == [other_conference.slug]
    cards = client.get(reverse("api-cards") + "?state=all", **headers).json()
    assert [c["conference"] for c in cards["results"]] == [other_conference.slug]
    asked = f"{reverse('api-cards')}?state=all&conference={conference.slug}"
    assert client.get(asked, **headers).json()["count"] == 0


def test_a_session_must_send_the_csrf_token_to_write(alice, conference):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = post_json(client, create_url(conference), {"name": "Dana"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Card.objects.exists()


# --- Tokens -----------------------------------------------------------------------------


def test_it_stores_only_a_hash_of_the_key(alice):
    token, key = ApiToken.issue(alice, "script")
    assert len(key) >= 43  # 32 random bytes
    assert token.key_hash == hash_key(key) != key
    assert token.prefix == key[:8]


@pytest.mark.parametrize(
    "header",
    ["Bearer nope", "Bearer", "Bearer a b", "Bearer \u00e9t\u00e9"],
)
def test_it_refuses_a_bad_token_with_401(client, alice, header):
    response = client.get(reverse("api-conferences"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_it_refuses_an_expired_token(client, alice):
    _, key = ApiToken.issue(alice, "old", expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("api-conferences"), **bearer(key))
    assert response.status_code == 401
    assert response.json()["detail"] == "The token has expired."


def test_it_refuses_a_revoked_token(client, alice):
    token, key = ApiToken.issue(alice, "script")
    client.force_login(alice)
    response = client.post(reverse("api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    client.logout()
    assert client.get(reverse("api-conferences"), **bearer(key)).status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(client, alice, token_of):
    headers = token_of(alice)
    alice.is_active = False
    alice.save()
    assert client.get(reverse("api-conferences"), **headers).status_code == 401


def test_it_records_when_a_token_was_last_used(client, alice):
    token, key = ApiToken.issue(alice, "script")
    client.get(reverse("api-conferences"), **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_settings_page_creates_a_token_and_shows_it_once(client, alice, conference):
    client.force_login(alice)
    response = client.post(
        reverse("api-token-create"),
        {"name": "CRM sync", "read_only": "on", "conference": conference.pk},
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    key = response.context["key"]
    assert key in response.content.decode()
    token = ApiToken.objects.get()
    assert (token.name, token.read_only, token.conference) == ("CRM sync", True, conference)
    settings_page = client.get(reverse("contacts-settings")).content.decode()
    assert "CRM sync" in settings_page
    assert token.prefix in settings_page
    assert key not in settings_page
    assert client.get(reverse("api-conferences"), **bearer(key)).status_code == 200


def test_the_settings_page_says_what_a_token_lacks(client, alice):
    client.force_login(alice)
    response = client.post(reverse("api-token-create"), {"name": "", "read_only": "on"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert response.context["token_form"]["read_only"].value() is True  # as typed
    assert not ApiToken.objects.exists()


def test_a_token_expiring_in_the_past_is_refused_keeping_what_was_typed(client, alice):
    client.force_login(alice)
    data = {"name": "CRM sync", "expires_at": "2020-01-01T09:00"}
    response = client.post(reverse("api-token-create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "choose a time to come" in page
    assert 'value="CRM sync"' in page
    assert not ApiToken.objects.exists()
    # The page is shown at the token's address: its own form still posts to the settings.
    assert f'<form method="post" action="{reverse("contacts-settings")}"' in page


def test_a_user_cannot_revoke_someone_elses_token(client, alice, bob):
    token, _ = ApiToken.issue(alice, "script")
    client.force_login(bob)
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("api-token-revoke", args=[token.pk])).status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_command_prints_a_new_token(capsys, client, bob, conference):
    call_command(
        "api_token",
        "bob",
        "--name",
        "badge scanner",
        "--read-only",
        "--conference",
        conference.slug,
    )
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(key_hash=hash_key(key))
    assert (token.user, token.name, token.read_only, token.conference) == (
        bob,
        "badge scanner",
        True,
        conference,
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["nobody", "--name", "x"], "There is no user 'nobody'."),
        (["bob", "--name", "x", "--conference", "nowhere"], "There is no conference 'nowhere'."),
    ],
)
def test_the_command_says_what_is_wrong(bob, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("api_token", *args)
    assert not ApiToken.objects.exists()


# --- Cards ---------------------------------------------------------------------------------


def test_it_creates_a_card_as_the_booth_does(client, bob, conference, token_of):
    body = {
        "name": "Dana Reyes",
        "company": "Acme",
        "title": "CTO",
        "email": "Dana@Example.org",
        "phone": "+351 912 345 678",
        "note": "wants a demo",
        "folds": ["UL", "UR", "HALF"],
    }
    response = post_json(client, create_url(conference), body, **token_of(bob))
    assert response.status_code == 201
    card = Card.objects.select_related("contact").get()
    assert card.folds == UL | UR | HALF
    assert (card.owner, card.logged_by, card.conference) == (bob, bob, conference)
    assert card.contact.email == "dana@example.org"
    data = response.json()
    assert data["id"] == card.pk
    assert data["folds"] == ["UL", "UR", "HALF"]
    assert data["decoding"] == card.decode().as_json()
    assert data["owner"] == "bob"


def test_a_card_kept_by_a_client_is_logged_when_it_was_typed(client, bob, conference, token_of):
    typed = timezone.now().replace(microsecond=0) - timedelta(hours=5)
    body = {"name": "Dana Reyes", "logged_at": typed.isoformat()}
    response = post_json(client, create_url(conference), body, **token_of(bob))
    assert response.status_code == 201
    assert Card.objects.get().logged_at == typed
    body = {"name": "Li Wei", "logged_at": "yesterday"}
    response = post_json(client, create_url(conference), body, **token_of(bob))
    assert response.status_code == 400
    assert "logged_at" in str(response.json())


@pytest.mark.django_db(transaction=True)
def test_a_card_created_takes_the_booths_statements_and_the_token(
    client, bob, conference, token_of
):
    # As the booth's save (tests/test_booth.py), the user read with their permissions,
    # vocabulary and webhooks in one query; the token instead of the session. Outside a
    # test's transaction, as in production; besides the transaction's BEGIN and COMMIT.
    headers = token_of(bob)
    post_json(client, create_url(conference), {"name": "Warm Up"}, **headers)  # last used
    with CaptureQueriesContext(connection) as queries:
        response = post_json(client, create_url(conference), {"email": "d@acme.io"}, **headers)
    assert response.status_code == 201
    statements = [
        q["sql"] for q in queries if q["sql"] not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT")
    ]
    assert len(statements) == 6, statements


def test_it_records_the_consent_given(client, bob, conference, token_of):
    body = {"name": "Dana Reyes", "consent": "interest"}
    response = post_json(client, create_url(conference), body, **token_of(bob))
    assert response.status_code == 201
    assert response.json()["consent"] == "interest"
    card = Card.objects.get()
    assert (card.consent, card.consent_by) == ("interest", bob)
    body = {"name": "Li Wei", "consent": "maybe"}
    response = post_json(client, create_url(conference), body, **token_of(bob))
    assert response.status_code == 400
    assert Card.objects.count() == 1


def test_a_card_with_only_a_phone_is_logged_for_the_person_chosen(
    client, bob, conference, token_of
):
    dana = Contact.objects.create(name="Dana Reyes", email="dana@acme.io")
    headers = token_of(bob)
    body = {"phone": "+351 912 345 678", "folds": ["UR"]}
    refused = post_json(client, create_url(conference), body, **headers)
    assert refused.status_code == 400
    assert refused.json()["errors"]["non_field_errors"] == [CardForm.EMPTY]
    unknown = post_json(client, create_url(conference), {**body, "contact": 99999}, **headers)
    assert unknown.status_code == 400
    assert unknown.json()["errors"]["contact"] == ["There is no person 99999."]
    assert not Card.objects.exists()
    response = post_json(client, create_url(conference), {**body, "contact": dana.pk}, **headers)
    assert response.status_code == 201
    assert (response.json()["contact"], response.json()["name"]) == (dana.pk, "Dana Reyes")
    dana.refresh_from_db()
    assert [p.phone for p in dana.all_phones()] == ["+351 912 345 678"]


def test_a_replayed_client_uuid_returns_the_same_card(client, bob, conference, token_of):
    headers = token_of(bob)
    body = {"name": "Dana", "client_uuid": str(uuid.uuid4())}
    first = post_json(client, create_url(conference), body, **headers)
    again = post_json(client, create_url(conference), body, **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Card.objects.count() == 1


@pytest.mark.parametrize(
    "body, field, message",
    [
        ("{not json", None, "JSON parse error"),
        ("[1, 2]", "non_field_errors", "Invalid data. Expected a dictionary, but got list."),
        ({"name": "Dana", "folds": ["UL", "XX"]}, "folds", '"XX" is not a valid choice.'),
        ({"name": "Dana", "folds": "UL"}, "folds", 'Expected a list of items but got type "str".'),
        ({"name": "x" * 201}, "name", "Ensure this field has no more than 200 characters."),
        ({"name": {"first": "Dana"}}, "name", "Not a valid string."),
        ({"name": "Da\x00na"}, "name", "Null characters are not allowed."),
        ({"email": "not an email"}, "email", "Enter a valid email address."),
        (
            {"note": "hello"},
            "non_field_errors",
            "A card needs at least a name, a company, an email or its photo.",
        ),
        ({"name": "Dana", "client_uuid": "nope"}, "client_uuid", "Must be a valid UUID."),
        ({"name": "Dana", "emial": "d@x.io"}, "emial", "No such field: see the API's schema."),
    ],
)
def test_bad_input_gets_400_problem_details(
    client, bob, conference, token_of, body, field, message
):
    response = post_json(client, create_url(conference), body, **token_of(bob))
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert (problem["type"], problem["title"], problem["status"]) == (
        "about:blank",
        "Bad Request",
        400,
    )
    if field is None:
        assert message in problem["detail"]
    else:
        assert message in problem["errors"][field]
    assert not Card.objects.exists()


@pytest.mark.parametrize(
    "user, url, body",
    [
        ("vera", lambda _: reverse("api-meanings"), "[" * 50_000 + "]" * 50_000),
        ("vera", lambda _: reverse("api-vocabularies"), "[" * 50_000 + "]" * 50_000),
        ("bob", create_url, '{"name":' + '{"a":' * 50_000 + "1" + "}" * 50_001),
    ],
    ids=["meanings", "vocabularies", "cards"],
)
def test_json_nested_too_deeply_is_a_400_parse_error(
    client, request, conference, token_of, user, url, body
):
    counts = (Meaning.objects.count(), Vocabulary.objects.count(), Card.objects.count())
    headers = token_of(request.getfixturevalue(user))
    response = post_json(client, url(conference), body, **headers)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "JSON parse error - the JSON is nested too deeply."
    assert (Meaning.objects.count(), Vocabulary.objects.count(), Card.objects.count()) == counts


def test_it_takes_json_only(client, bob, conference, token_of):
    response = client.post(create_url(conference), {"name": "Dana"}, **token_of(bob))
    assert response.status_code == 415
    assert response["Content-Type"] == PROBLEM


def test_an_unknown_conference_is_404(client, bob, token_of):
    response = post_json(
        client, "/api/v1/conferences/nowhere/cards/", {"name": "Dana"}, **token_of(bob)
    )
    assert response.status_code == 404
    assert response.json()["status"] == 404


@pytest.mark.parametrize("path", ["/api/v1/nowhere", "/api/v1/conferences/a%0Ab/cards/"])
def test_any_other_path_under_the_api_is_a_problem_404(client, bob, token_of, path):
    response = client.get(path, **token_of(bob))
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 404


def test_it_lists_cards_with_the_followup_filters_in_followup_order(
    client, alice, bob, conference, make_card, token_of, fixed_today
):
    fixed_today(conference.ends_on)
    later = make_card(UR, name="Later", owner=bob, logged_by=bob)
    sooner = make_card(UL | UR, name="Sooner", owner=bob, logged_by=bob)
    make_card(UR, name="Alices", owner=alice)
    done = make_card(UR, name="Done", owner=bob, state=Card.State.DONE)
    headers = token_of(bob)
    mine = client.get(reverse("api-cards"), **headers).json()
    expected = list(Card.objects.filter(pk__in=[later.pk, sooner.pk]).order_by(*FOLLOW_UP_ORDER))
    assert [c["id"] for c in mine["results"]] == [c.pk for c in expected]
    assert (mine["count"], mine["next"], mine["previous"]) == (2, None, None)
    everyone = client.get(reverse("api-cards") + "?owner=all&q=alices", **headers).json()
    assert [c["name"] for c in everyone["results"]] == ["Alices"]
    finished = client.get(reverse("api-cards") + "?state=done", **headers).json()
    assert [c["id"] for c in finished["results"]] == [done.pk]


def test_it_pages_the_cards(client, bob, conference, make_card, token_of, fixed_today, monkeypatch):
    fixed_today(conference.ends_on)
    monkeypatch.setattr(Pages, "page_size", 2)
    for n in range(3):
        make_card(UR, name=f"Card {n}", owner=bob)
    headers = token_of(bob)
    first = client.get(reverse("api-cards"), **headers).json()
    assert (first["count"], first["count_exact"]) == (3, True)
    assert len(first["results"]) == 2 and first["previous"] is None
    second = client.get(first["next"], **headers).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert second["previous"] == "http://testserver" + reverse("api-cards")
    assert client.get(reverse("api-cards") + "?page=9", **headers).status_code == 404


def test_a_long_list_is_counted_up_to_the_cap_and_paged_to_its_end(
    client, bob, conference, make_card, token_of, fixed_today, monkeypatch
):
    fixed_today(conference.ends_on)
    monkeypatch.setattr(Pages, "page_size", 2)
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    cards = [make_card(UR, name=f"Card {n}", owner=bob) for n in range(5)]
    headers = token_of(bob)
    listed, pages, url = [], [], reverse("api-cards")
    while url:
        page = client.get(url, **headers).json()
        pages.append((page["count"], page["count_exact"], len(page["results"])))
        listed += [card["id"] for card in page["results"]]
        url = page["next"]
    # The count says "at least 3", and the pages go on to the fifth card.
    assert pages == [(3, False, 2), (3, False, 2), (3, False, 1)]
    expected = Card.objects.filter(pk__in=[card.pk for card in cards]).order_by(*FOLLOW_UP_ORDER)
    assert listed == [card.pk for card in expected]
    assert page["previous"].endswith("?page=2")
    assert client.get(reverse("api-cards") + "?page=4", **headers).status_code == 404


@pytest.mark.parametrize("page", ["0", "-1", "two", "last", "1.5", "²", str(2**63), "9" * 40])
def test_a_page_that_is_no_page_is_404(client, bob, make_card, token_of, page):
    make_card(UR, owner=bob)
    response = client.get(reverse("api-cards"), {"page": page}, **token_of(bob))
    assert (response.status_code, response.json()["detail"]) == (404, "Invalid page.")


def test_a_client_asks_for_up_to_100_cards_a_page(
    client, bob, conference, make_card, token_of, fixed_today, monkeypatch
):
    fixed_today(conference.ends_on)
    monkeypatch.setattr(Pages, "max_page_size", 2)
    for n in range(3):
        make_card(UR, name=f"Card {n}", owner=bob)
    headers = token_of(bob)
    one = client.get(reverse("api-cards") + "?page_size=1", **headers).json()
    assert len(one["results"]) == 1 and "page_size=1" in one["next"]
    most = client.get(reverse("api-cards") + "?page_size=500", **headers).json()
    assert len(most["results"]) == 2


def test_the_card_list_reads_a_page_in_a_fixed_number_of_queries(
    client, bob, conference, make_card, token_of, fixed_today, django_assert_max_num_queries
):
    fixed_today(conference.ends_on)
    for n in range(10):
        make_card(UR, name=f"Card {n}", owner=bob)
    headers = token_of(bob)
    with django_assert_max_num_queries(9):
        assert len(client.get(reverse("api-cards"), **headers).json()["results"]) == 10


def test_a_card_says_whether_its_person_may_be_emailed(
    client, bob, conference, make_card, token_of, fixed_today
):
    fixed_today(conference.ends_on)
    dana = Contact.objects.create(name="Dana Reyes", email="dana@acme.io")
    declined = make_card(UR, contact=dana, owner=bob, consent=Consent.DECLINED)
    make_card(UL, contact=dana, owner=bob, consent=Consent.INTEREST)
    make_card(UR, name="Li Wei", owner=bob, consent=Consent.INTEREST)
    headers = token_of(bob)
    listed = client.get(reverse("api-cards"), **headers).json()["results"]
    assert sorted((c["name"], c["consent"], c["may_be_emailed"]) for c in listed) == [
        ("Dana Reyes", "declined", False),
        ("Dana Reyes", "interest", False),  # a legitimate interest undoes no decline
        ("Li Wei", "interest", True),
    ]
    one = client.get(reverse("api-card", args=[declined.pk]), **headers).json()
    assert one["may_be_emailed"] is False
    body = {"name": "Dana Reyes", "email": "dana@acme.io", "consent": "customer"}
    logged = post_json(client, create_url(conference), body, **headers).json()
    assert (logged["contact"], logged["may_be_emailed"]) == (dana.pk, False)
    body = {"version": logged["version"], "consent": "consent"}  # the person agrees now
    edited = patch_json(client, reverse("api-card", args=[logged["id"]]), body, **headers)
    assert edited.json()["consent"] == "consent", edited.json()
    assert edited.json()["may_be_emailed"] is True


@pytest.mark.parametrize(
    "query, field",
    [("state=sleeping", "state"), ("owner=99999", "owner"), ("conference=nowhere", "conference")],
)
def test_a_bad_filter_is_400(client, bob, token_of, query, field):
    response = client.get(f"{reverse('api-cards')}?{query}", **token_of(bob))
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("path", ["/api/", "/api/v1/"])
def test_the_apis_own_address_leads_to_its_documentation(client, path):
    response = client.get(path)
    assert (response.status_code, response.url) == (302, reverse("api-docs"))


def test_a_misspelt_filter_is_400_not_every_card(client, bob, token_of):
    response = client.get(reverse("api-cards"), {"confernce": "expo-2026"}, **token_of(bob))
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"] == [
        "Unknown parameter: confernce; known: conference, meaning, owner, state, due, q, sort, "
        "page, page_size, format."
    ]
    assert client.get(reverse("api-cards"), {"format": "json"}, **token_of(bob)).status_code == 200


def test_it_reads_one_card(client, bob, make_card, token_of):
    card = make_card(UL | HALF, name="Dana Reyes")
    data = client.get(reverse("api-card", args=[card.pk]), **token_of(bob)).json()
    assert (data["id"], data["name"], data["folds"]) == (card.pk, "Dana Reyes", ["UL", "HALF"])
    assert client.get(reverse("api-card", args=[card.pk + 1]), **token_of(bob)).status_code == 404


def test_a_card_says_until_when_it_is_snoozed_and_when_its_state_changed(
    client, bob, make_card, token_of
):
    card = make_card(UR, owner=bob)
    services.work_followup(card, bob, "snooze", until=date(2026, 12, 24))
    data = client.get(reverse("api-card", args=[card.pk]), **token_of(bob)).json()
    assert (data["state"], data["snoozed_until"]) == ("snoozed", "2026-12-24")
    assert data["state_changed_at"] is not None


def test_a_client_uuid_of_someone_elses_card_is_a_409(client, alice, bob, conference, token_of):
    body = {"name": "Dana", "client_uuid": str(uuid.uuid4())}
    assert post_json(client, create_url(conference), body, **token_of(alice)).status_code == 201
    response = post_json(client, create_url(conference), body, **token_of(bob))
    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert "client_uuid was saved by another user" in response.json()["detail"]
    assert Card.objects.count() == 1


# --- Updating a card -------------------------------------------------------------------


def card_url(card: Card) -> str:
    return reverse("api-card", args=[card.pk])


def test_it_updates_the_folds_and_fields_given_and_keeps_the_others(
    client, bob, make_card, token_of
):
    card = make_card(UR, name="Dana Reyes", note="met at the bar")
    body = {"version": 0, "folds": ["UL", "HALF"], "title": "CTO"}
    response = patch_json(client, card_url(card), body, **token_of(bob))
    assert response.status_code == 200
    card.refresh_from_db()
    assert (card.folds, card.note, card.version) == (UL | HALF, "met at the bar", 1)
    assert (card.contact.name, card.contact.company, card.contact.title) == (
        "Dana Reyes",
        "Acme",
        "CTO",
    )
    data = response.json()
    assert (data["version"], data["folds"], data["title"]) == (1, ["UL", "HALF"], "CTO")
    assert data["decoding"] == card.decode().as_json()
    assert data["priority"] == card.priority


def test_an_edit_records_a_changed_consent_and_who_changed_it(
    client, alice, bob, make_card, token_of
):
    card = make_card(UR, consent=Consent.INTEREST, consent_by=alice)
    body = {"version": 0, "consent": "declined"}
    assert patch_json(client, card_url(card), body, **token_of(bob)).status_code == 200
    card.refresh_from_db()
    assert (card.consent, card.consent_by, card.version) == (Consent.DECLINED, bob, 1)
    recorded = card.consent_at
    assert recorded is not None
    body = {"version": 1, "note": "asked us not to call"}  # no consent: it stays
    assert patch_json(client, card_url(card), body, **token_of(alice)).status_code == 200
    card.refresh_from_db()
    assert (card.consent, card.consent_by, card.consent_at) == ("declined", bob, recorded)
    response = patch_json(
        client, card_url(card), {"version": 2, "consent": "maybe"}, **token_of(bob)
    )
    assert response.status_code == 400
    assert "consent" in response.json()["errors"]
    card.refresh_from_db()
    assert (card.consent, card.version) == ("declined", 2)


def test_an_update_giving_another_persons_email_names_them_and_moves_the_card_when_told(
    client, bob, make_card, token_of
):
    jon = Contact.objects.create(name="Jon Smith", email="jon@globex.com")
    card = make_card(UR, contact=jon)
    dana = Contact.objects.create(name="Dana Reyes", company="Acme", email="dana@acme.io")
    headers = token_of(bob)
    body = {"version": 0, "email": "Dana@Acme.io", "name": "Jon Smyth"}
    response = patch_json(client, card_url(card), body, **headers)
    assert response.status_code == 400
    assert response.json()["errors"]["email"] == [
        f"dana@acme.io is the email of Dana Reyes, Acme (person {dana.pk}). Give "
        f'"contact": {dana.pk} with it to give this card to them: they keep their name and '
        "details and take only what they lack from here, and Jon Smith is deleted if this "
        "is their only card and they were not imported into the contacts. Or give another "
        "email."
    ]
    card.refresh_from_db()
    assert (card.contact.name, card.contact.email, card.version) == (
        "Jon Smith",
        "jon@globex.com",
        0,
    )
    # "contact" is the id of the person whose email is given, or a 400 that changes nothing.
    li = Contact.objects.create(name="Li Wei")
    refused = patch_json(client, card_url(card), {**body, "contact": li.pk}, **headers)
    assert refused.json()["errors"]["contact"] == [
        '"contact" is the id of the person whose email is given: dana@acme.io is the email of '
        f"Dana Reyes, Acme (person {dana.pk})."
    ]
    nobodys = {"version": 0, "email": "new@globex.com", "contact": li.pk}
    refused = patch_json(client, card_url(card), nobodys, **headers)
    assert refused.json()["errors"]["contact"][0].endswith("new@globex.com is no one's yet.")
    none = patch_json(client, card_url(card), {**nobodys, "email": ""}, **headers)
    assert none.json()["errors"]["contact"] == [
        '"contact" is the id of the person whose email is given, and none is.'
    ]
    alone = patch_json(client, card_url(card), {"version": 0, "contact": dana.pk}, **headers)
    assert alone.json()["errors"]["contact"] == [
        'Give "contact" with the "email" of that person, whose it says.'
    ]
    card.refresh_from_db()
    assert (card.contact, card.version) == (jon, 0)
    # Another email of the card's own person moves nothing and asks nothing.
    jon.other_emails.create(email="jon@home.example")
    own = {"version": 0, "email": "jon@home.example"}
    assert patch_json(client, card_url(card), own, **headers).status_code == 200
    card.refresh_from_db()
    assert card.contact == jon
    # Their id given: the card is theirs, and its own person, with no card left, is gone.
    told = {**body, "version": 1, "contact": dana.pk}
    response = patch_json(client, card_url(card), told, **headers)
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["contact"]) == ("Dana Reyes", dana.pk)
    card.refresh_from_db()
    assert card.contact == dana
    assert not Contact.objects.filter(pk=jon.pk).exists()


def test_an_update_of_a_stale_version_is_a_409_and_changes_nothing(
    client, bob, make_card, token_of
):
    card = make_card(UR, name="Dana", owner=bob)
    headers = token_of(bob)
    assert (
        patch_json(client, card_url(card), {"version": 0, "note": "1"}, **headers).status_code
        == 200
    )
    Contact.objects.create(name="Dana Reyes", email="dana@acme.io")
    stale = [{"version": 0, "note": "2"}, {"version": 0, "state": "done"}]
    stale.append({"version": 0, "email": "dana@acme.io"})  # a 409 before "whose email?"
    for body in stale:
        response = patch_json(client, card_url(card), body, **headers)
        assert response.status_code == 409
        assert response["Content-Type"] == PROBLEM
        assert "changed since the version you edited" in response.json()["detail"]
    card.refresh_from_db()
    assert (card.note, card.version, card.state) == ("1", 1, "open")


def test_it_marks_a_follow_up_done_with_an_outcome_and_reopens_it(client, bob, make_card, token_of):
    card = make_card(UR, name="Dana", owner=bob)
    headers = token_of(bob)
    body = {"version": 0, "state": "done", "outcome": "Signed"}
    data = patch_json(client, card_url(card), body, **headers).json()
    # A follow-up's state is part of the card's version: a stale list cannot undo it.
    assert (data["state"], data["outcome"], data["version"]) == ("done", "Signed", 1)
    card.refresh_from_db()
    assert (card.state, card.outcome, card.state_changed_by) == ("done", "Signed", bob)
    stale = patch_json(client, card_url(card), {"version": 0, "state": "open"}, **headers)
    assert stale.status_code == 409
    response = patch_json(client, card_url(card), {"version": 1, "state": "open"}, **headers)
    assert response.json()["state"] == "open"


def test_only_the_owner_or_a_manager_changes_a_follow_ups_state(
    client, alice, bob, make_card, token_of
):
    card = make_card(UR, name="Dana", owner=alice)
    response = patch_json(
        client, card_url(card), {"version": 0, "state": "dropped"}, **token_of(bob)
    )
    assert response.status_code == 403
    assert (
        response.json()["detail"] == "Only the card's owner or a manager may change its follow-up."
    )
    body = {"version": 0, "state": "dropped"}
    assert patch_json(client, card_url(card), body, **token_of(alice)).status_code == 200
    card.refresh_from_db()
    assert card.state == "dropped"


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"note": "x"}, "version", "This field is required."),
        ({"version": -1}, "version", "Ensure this value is greater than or equal to 0."),
        ({"version": 0, "state": "snoozed"}, "state", '"snoozed" is not a valid choice.'),
        ({"version": 0, "outcome": "x"}, "outcome", "Give an outcome with the state done"),
        ({"version": 0, "email": "nope"}, "email", "Enter a valid email address."),
        ({"version": 0, "folds": ["ZZ"]}, "folds", '"ZZ" is not a valid choice.'),
        ({"version": 0, "notes": "x"}, "notes", "No such field"),
        (
            {"version": 0, "name": "", "company": ""},
            "non_field_errors",
            "A card needs at least a name, a company, an email or its photo.",
        ),
    ],
)
def test_a_bad_update_is_a_400_and_changes_nothing(
    client, bob, make_card, token_of, body, field, message
):
    card = make_card(UR, name="Dana", owner=bob)
    response = patch_json(client, card_url(card), body, **token_of(bob))
    assert response.status_code == 400
    assert any(message in m for m in response.json()["errors"][field])
    card.refresh_from_db()
    assert (card.version, card.state, card.contact.name) == (0, "open", "Dana")


def test_put_is_not_an_update(client, bob, make_card, token_of):
    card = make_card(UR)
    response = client.put(card_url(card), "{}", content_type="application/json", **token_of(bob))
    assert response.status_code == 405


# --- Reading the vocabulary ------------------------------------------------------------


def test_it_lists_meanings_and_vocabularies(client, bob, vocabulary, token_of):
    headers = token_of(bob)
    meanings = client.get(reverse("api-meanings"), **headers).json()
    assert meanings["count"] == vocabulary.rules.values("meanings").distinct().count()
    vocabularies = client.get(reverse("api-vocabularies"), **headers).json()
    [default] = vocabularies["results"]
    assert default["name"] == vocabulary.name and default["is_default"]
    assert len(default["rules"]) == vocabulary.rules.count()


def test_a_meanings_email_template_is_read_and_written_with_known_placeholders(
    client, vera, vocabulary, token_of
):
    headers = token_of(vera)
    url = reverse("api-meaning", args=["asap"])
    misspelt = patch_json(client, url, {"email_body": "Dear {frist_name}"}, **headers)
    assert misspelt.status_code == 400
    assert "{frist_name} is not a placeholder" in misspelt.content.decode()
    assert Meaning.objects.get(slug="asap").email_body != "Dear {frist_name}"
    template = {"email_subject": "About {conference}", "email_body": "Dear {first_name},\r\nHi"}
    changed = patch_json(client, url, template, **headers)
    assert changed.status_code == 200
    meaning = client.get(url, **headers).json()
    # Its lines ended as the vocabulary page keeps them.
    assert (meaning["email_subject"], meaning["email_body"]) == (
        "About {conference}",
        "Dear {first_name},\nHi",
    )


def test_a_users_own_vocabulary_is_seen_by_them_and_the_editors_only(
    client, alice, bob, vera, vocabulary, token_of
):
    mine = vocabularies.copy_vocabulary(vocabulary, alice, "Alice's folds")
    names = {
        who.username: [
            v["name"]
            for v in client.get(reverse("api-vocabularies"), **token_of(who)).json()["results"]
        ]
        for who in (alice, bob, vera)
    }
    assert names == {
        "alice": ["Alice's folds", vocabulary.name],
        "bob": [vocabulary.name],
        "vera": ["Alice's folds", vocabulary.name],
    }
    url = reverse("api-vocabulary", args=[mine.pk])
    assert client.get(url, **token_of(bob)).status_code == 404
    assert client.get(url, **token_of(vera)).status_code == 200


@pytest.mark.parametrize("folds", ["795", "7 9 5", "UL,UR,HALF", "ul, ur, half"])
def test_it_decodes_keys_or_codes_through_the_users_vocabulary(
    client, bob, vocabulary, token_of, folds
):
    response = client.get(reverse("api-decode"), {"folds": folds}, **token_of(bob))
    assert response.status_code == 200
    assert response.json() == vocabulary.table()[UL | UR | HALF].as_json()


@pytest.mark.parametrize("query", ["", "?folds=8", "?folds=UL,XX"])
def test_it_refuses_to_decode_what_is_not_folds(client, bob, token_of, query):
    response = client.get(reverse("api-decode") + query, **token_of(bob))
    assert response.status_code == 400
    assert response.json()["errors"]["folds"]


# --- Writing the vocabulary (vocabulary editors) -----------------------------------------


def test_an_editor_adds_a_meaning(client, vera, token_of):
    body = {"slug": "partner", "label": "Partner", "weight": 30, "colour": "#112233"}
    response = post_json(client, reverse("api-meanings"), body, **token_of(vera))
    assert response.status_code == 201
    meaning = Meaning.objects.get(slug="partner")
    assert (meaning.label, meaning.weight, meaning.colour) == ("Partner", 30, "#112233")


def test_changing_a_meanings_weight_reprioritizes_its_cards(
    client, vera, make_card, token_of, worked_off
):
    card = make_card(HALF)
    before = card.priority
    url = reverse("api-meaning", args=["asap"])
    with worked_off():
        response = patch_json(client, url, {"weight": 7}, **token_of(vera))
    assert response.status_code == 200
    assert response.json()["weight"] == 7
    card.refresh_from_db()
    assert (
        card.priority == before - Meaning.objects.get(slug="asap").weight + 7 or card.priority == 7
    )
    assert card.priority == card.decode().priority


def test_a_meanings_slug_is_kept_by_an_update(client, vera, token_of):
    # Vocabulary files, rules' history and the editor name a meaning by its slug: it is
    # given once, when the meaning is added, and read-only after (ignored, as DRF does).
    url = reverse("api-meaning", args=["customer"])
    body = {"slug": "customer2", "label": "Client"}
    response = patch_json(client, url, body, **token_of(vera))
    assert response.status_code == 200
    assert (response.json()["slug"], response.json()["label"]) == ("customer", "Client")
    assert Meaning.objects.get(slug="customer").label == "Client"
    assert not Meaning.objects.filter(slug="customer2").exists()


def test_a_meaning_a_rule_uses_is_not_deleted(client, vera, make_card, token_of):
    card = make_card(HALF)
    response = client.delete(reverse("api-meaning", args=["asap"]), **token_of(vera))
    assert response.status_code == 409
    assert "Talk ASAP is in use by 1 rule(s)" in response.json()["detail"]
    card.refresh_from_db()
    assert [m.slug for m in card.decode().meanings] == ["asap"]
    unused = Meaning.objects.create(slug="unused", label="Unused")
    response = client.delete(reverse("api-meaning", args=[unused.slug]), **token_of(vera))
    assert response.status_code == 204


def test_an_editor_writes_a_vocabulary_with_its_rules(
    client, vera, make_card, token_of, worked_off
):
    body = {
        "name": "Sales",
        "default_window_days": 10,
        "rules": [{"folds": ["UL", "HALF"], "meanings": ["prospect", "asap"]}],
    }
    response = post_json(client, reverse("api-vocabularies"), body, **token_of(vera))
    assert response.status_code == 201
    data = response.json()
    [rule] = data["rules"]
    assert (rule["folds"], sorted(rule["meanings"])) == (["UL", "HALF"], ["asap", "prospect"])
    sales = Vocabulary.objects.get(name="Sales")
    card = make_card(UL | HALF, vocabulary=sales)
    rules = {"rules": [{"folds": ["UL", "HALF"], "meanings": ["customer"]}]}
    url = reverse("api-vocabulary", args=[sales.pk])
    with worked_off():
        assert patch_json(client, url, rules, **token_of(vera)).status_code == 200
    card.refresh_from_db()
    assert [m.slug for m in card.decode().meanings] == ["customer"]
    assert card.priority == card.decode().priority


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"name": "Fair"}, "name", "A shared vocabulary with this name exists already."),
        (
            {"name": "X", "rules": [{"folds": ["UL"], "meanings": []}] * 2},
            "rules",
            "Two rules have the same folds (UL): merge them into one rule.",
        ),
        (
            {"name": "X", "rules": [{"folds": [], "meanings": []}]},
            "rules",
            "Give at least one fold.",
        ),
        (
            {"name": "X", "rules": [{"folds": ["UL"], "meanings": ["nope"]}]},
            "rules",
            "Object with slug=nope does not exist.",
        ),
        (
            {"name": "X", "rules": [{"folds": ["UL"], "meanings": [[["asap"]]]}]},
            "rules",
            "Invalid value.",
        ),
        (
            # Read whole (not too deep to parse), but too deep to look up as a slug.
            {"name": "X", "rules": [{"folds": ["UL"], "meanings": [nested(500)]}]},
            "rules",
            "Invalid value.",
        ),
        (
            {"name": "X", "is_default": True},
            "is_default",
            "Only one vocabulary can be the site default",
        ),
        (
            {"name": "X", "default_window_days": 999},
            "default_window_days",
            "less than or equal to 365",
        ),
    ],
)
def test_a_bad_vocabulary_is_a_400(client, vera, vocabulary, token_of, body, field, message):
    Vocabulary.objects.create(name="Fair")
    response = post_json(client, reverse("api-vocabularies"), body, **token_of(vera))
    assert response.status_code == 400
    assert any(message in m for m in response.json()["errors"][field]), response.json()
    assert not Vocabulary.objects.filter(name="X").exists()


def test_a_copy_s_new_name_is_checked_against_its_owner_s(client, vera, bob, vocabulary, token_of):
    mine = Vocabulary.objects.create(name="Mine", owner=bob)
    Vocabulary.objects.create(name="Also mine", owner=bob)
    Vocabulary.objects.create(name="Someone's", owner=vera)
    url = reverse("api-vocabulary", args=[mine.pk])
    response = patch_json(client, url, {"name": "Also mine"}, **token_of(vera))
    assert response.status_code == 400
    assert response.json()["errors"]["name"] == ["Its owner has another vocabulary with this name."]
    response = patch_json(client, url, {"name": "Default"}, **token_of(vera))
    assert response.status_code == 400
    assert response.json()["errors"]["name"] == [
        "A shared vocabulary has this name: give your copy another."
    ]
    # Another user's copy's name is free; its own name again is no clash with itself.
    assert patch_json(client, url, {"name": "Someone's"}, **token_of(vera)).status_code == 200
    assert patch_json(client, url, {"name": "Someone's"}, **token_of(vera)).status_code == 200


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"slug": "asap", "label": "A"}, "slug", "meaning with this slug already exists."),
        ({"slug": "x", "label": "X", "colour": "red"}, "colour", "Enter a colour as #"),
        ({"slug": "x", "label": "X", "weight": 5000}, "weight", "less than or equal to 1000"),
        ({"slug": "not a slug", "label": "X"}, "slug", "valid"),
        ({"slug": "x", "label": "X", "wieght": 5}, "wieght", "No such field"),
        ({"slug": "x", "label": "talk ASAP"}, "label", "The meaning asap is labelled Talk ASAP"),
    ],
)
def test_a_bad_meaning_is_a_400(client, vera, token_of, body, field, message):
    response = post_json(client, reverse("api-meanings"), body, **token_of(vera))
    assert response.status_code == 400
    assert any(message in m for m in response.json()["errors"][field]), response.json()
    assert not Meaning.objects.filter(slug="x").exists()


def test_a_vocabulary_cards_were_decoded_with_is_not_deleted(client, vera, make_card, token_of):
    card = make_card(UR)
    response = client.delete(reverse("api-vocabulary", args=[card.vocabulary_id]), **token_of(vera))
    assert response.status_code == 409
    assert (
        response.json()["detail"]
        == "Cards were decoded with this vocabulary: it cannot be deleted."
    )
    assert Vocabulary.objects.filter(pk=card.vocabulary_id).exists()


# --- Rate limit and schema -------------------------------------------------------------


def test_a_token_over_its_rate_limit_gets_429_with_retry_after(
    client, alice, bob, token_of, settings
):
    settings.API_RATE_LIMIT = "2/minute"
    headers = token_of(bob)
    for _ in range(2):
        assert client.get(reverse("api-meanings"), **headers).status_code == 200
    response = client.get(reverse("api-meanings"), **headers)
    assert response.status_code == 429
    assert response["Content-Type"] == PROBLEM
    assert 0 < int(response["Retry-After"]) <= 60
    # Counted per token: another token of the same user still has its own.
    assert client.get(reverse("api-meanings"), **token_of(bob)).status_code == 200


def test_the_schema_is_served_to_everyone(client):
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/conferences/{slug}/cards/" in schema["paths"]


def test_the_schema_says_a_cards_edit_needs_its_version(client):
    schema = client.get(reverse("api-schema")).json()
    edit = schema["paths"]["/api/v1/cards/{id}/"]["patch"]["requestBody"]["content"]
    component = edit["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][component]["required"] == ["version"]
    # The other edits leave out what they do not change.
    assert "required" not in schema["components"]["schemas"]["PatchedMeaningUpdate"]


def test_the_api_docs_are_served_from_our_own_static_files(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "//cdn" not in page and "https://" not in page
    # The page's own script is a file too: the site's CSP allows no inline script.
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200
    assert reverse("api-schema") in script.content.decode()


def test_a_path_under_the_api_that_names_nothing_is_a_problem_404(client, bob, token_of):
    for path in ["/api/v1/nothing", "/api/v1/cards/null/", "/api/v1/cards/1/extra/"]:
        response = client.post(path, **token_of(bob))
        assert response.status_code == 404
        assert response["Content-Type"] == PROBLEM
