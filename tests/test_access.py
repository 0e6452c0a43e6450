"""Who may reach what: every URL of the project against every persona.

The URL list comes from the URL conf, so a new view without an entry here fails the test.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from contacts.folds import UR
from contacts.models import Card

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "charlie", "vera", "bob", "alice"]
LOGIN = 302  # sent to the login page

# For each URL name: the method used, then the status each persona gets, in PERSONAS order.
# bob's own card is "card"; "other" is alice's card, which bob may edit at the booth but
# not work as a follow-up or undo.
EXPECTED = {
    "events-home": ("get", {}, [LOGIN, 403, 403, 200, 200]),
    "foldcard-health": ("get", {}, [200, 200, 200, 200, 200]),
    "foldcard-service-worker": ("get", {}, [200, 200, 200, 200, 200]),
    "events-create": ("get", {}, [LOGIN, 403, 403, 403, 200]),
    "events-detail": ("get", {"slug": "conference"}, [LOGIN, 403, 403, 200, 200]),
    "events-edit": ("get", {"slug": "conference"}, [LOGIN, 403, 403, 403, 200]),
    "events-booth": ("get", {"slug": "conference"}, [LOGIN, 403, 403, 200, 200]),
    "events-booth-card": (
        "get",
        {"slug": "conference", "pk": "other"},
        [LOGIN, 403, 403, 200, 200],
    ),
    "events-booth-undo": (
        "post",
        {"slug": "conference", "pk": "other"},
        [LOGIN, 403, 403, 403, 302],
    ),
    "events-card-photo": (
        "get",
        {"slug": "conference", "pk": "card", "kind": "thumbnail"},
        [LOGIN, 403, 403, 404, 404],  # 404: this card has no photo
    ),
    "events-export-csv": ("get", {"slug": "conference"}, [LOGIN, 403, 403, 403, 200]),
    "events-export-vcf": ("get", {"slug": "conference"}, [LOGIN, 403, 403, 403, 200]),
    "events-export-ics": ("get", {"slug": "conference"}, [LOGIN, 403, 403, 403, 200]),
    "contacts-contact": ("get", {"pk": "contact"}, [LOGIN, 403, 403, 200, 200]),
    "contacts-settings": ("get", {}, [LOGIN, 200, 200, 200, 200]),
    "contacts-followups": ("get", {}, [LOGIN, 403, 403, 200, 200]),
    "contacts-followup-action": (
        "post",
        {"pk": "other", "action": "done"},
        [LOGIN, 403, 403, 404, 302],
    ),
    "login": ("get", {}, [200, 302, 302, 302, 302]),
    "logout": ("post", {}, [302, 302, 302, 302, 302]),
}

EXTRA_CELLS = [
    # bob works his own follow-up, but cannot hand it to someone else.
    ("contacts-followup-action", "post", {"pk": "card", "action": "done"}, "bob", 302),
    ("contacts-followup-action", "post", {"pk": "card", "action": "assign"}, "bob", 403),
    ("contacts-followup-action", "post", {"pk": "card", "action": "assign"}, "alice", 400),
    # An undo puts back what an action changed: refused for a card bob may not work, and
    # with nothing to put back (a form is posted with the states, see test_followups.py).
    ("contacts-followup-action", "post", {"pk": "other", "action": "restore"}, "bob", 404),
    ("contacts-followup-action", "post", {"pk": "card", "action": "restore"}, "bob", 400),
    ("events-booth-undo", "post", {"slug": "conference", "pk": "card"}, "bob", 302),
]

ADMIN = [
    ("admin:contacts_vocabulary_changelist", [LOGIN, LOGIN, 200, LOGIN, LOGIN]),
    ("admin:contacts_meaning_changelist", [LOGIN, LOGIN, 200, LOGIN, LOGIN]),
    ("admin:contacts_card_changelist", [LOGIN, LOGIN, 403, LOGIN, LOGIN]),
    ("admin:events_conference_changelist", [LOGIN, LOGIN, 403, LOGIN, LOGIN]),
]


def project_url_names() -> set[str]:
    names = set()

    def walk(patterns) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin":
                    walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_of_the_project_has_expectations():
    assert project_url_names() == set(EXPECTED)


@pytest.fixture
def world(alice, bob, charlie, vera, make_card):
    own = make_card(UR, name="Bobs Card", owner=bob, logged_by=bob)
    other = make_card(UR, name="Alices Card")
    return {
        "users": {"alice": alice, "bob": bob, "charlie": charlie, "vera": vera},
        "conference": own.conference.slug,
        "card": own.pk,
        "other": other.pk,
        "contact": own.contact.pk,
    }


def status_of(client, world, persona, name, method, kwargs) -> int:
    client.logout()
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    args = {key: world.get(value, value) for key, value in kwargs.items()}
    url = reverse(name, kwargs=args)
    return getattr(client, method)(url).status_code


def test_the_access_matrix(client, world, make_card):
    cells = 0
    for name, (method, kwargs, statuses) in EXPECTED.items():
        for persona, expected in zip(PERSONAS, statuses, strict=True):
            # Acting changes things: give every cell a fresh card of alice's to act on.
            world["other"] = make_card(UR, name="Alices Card").pk
            got = status_of(client, world, persona, name, method, kwargs)
            assert got == expected, f"{persona} {method.upper()} {name}: {got}, not {expected}"
            cells += 1
    for name, method, kwargs, persona, expected in EXTRA_CELLS:
        got = status_of(client, world, persona, name, method, kwargs)
        assert got == expected, f"{persona} {method.upper()} {name} {kwargs}: {got}"
        cells += 1
    for name, statuses in ADMIN:
        for persona, expected in zip(PERSONAS, statuses, strict=True):
            client.logout()
            if persona != "anonymous":
                client.force_login(world["users"][persona])
            got = client.get(reverse(name)).status_code
            assert got == expected, f"{persona} GET {name}: {got}, not {expected}"
            cells += 1
    print(f"access matrix: {cells} cells checked")
    assert cells == len(EXPECTED) * len(PERSONAS) + len(EXTRA_CELLS) + len(ADMIN) * len(PERSONAS)


def test_a_teammates_card_is_404_when_worked(client, world):
    client.force_login(world["users"]["bob"])
    url = reverse("contacts-followup-action", args=[world["other"], "done"])
    assert client.post(url).status_code == 404
    assert Card.objects.get(pk=world["other"]).state == "open"
