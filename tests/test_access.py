"""Who may reach what: every URL of the project against every persona.

The URL list comes from the URL conf, so a new view without an entry here fails the test.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from api.models import ApiToken
from contacts import vocabularies
from contacts.folds import LL, LR, UL, UR
from contacts.models import (
    Card,
    Contact,
    ContactMerge,
    EmailBatch,
    Import,
    Meaning,
    SavedFilter,
    StackPhoto,
    Vocabulary,
)
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "charlie", "vera", "bob", "alice"]
LOGIN = 302  # sent to the login page

# For each URL name: the method used, then the status each persona gets, in PERSONAS order.
# bob's own card is "card"; "other" is alice's card, which bob may edit at the booth but
# not work as a follow-up or undo.
EXPECTED = {
    # A vocabulary editor lands on the vocabularies, a user without a role on their settings.
    "events-home": ("get", {}, [LOGIN, 302, 302, 200, 200]),
    "events-index": ("get", {}, [LOGIN, 302, 302, 302, 302]),  # to the home page
    "foldcard-health": ("get", {}, [200, 200, 200, 200, 200]),
    "foldcard-service-worker": ("get", {}, [200, 200, 200, 200, 200]),
    "foldcard-favicon": ("get", {}, [302, 302, 302, 302, 302]),
    "events-create": ("get", {}, [LOGIN, 403, 403, 403, 200]),
    "events-detail": ("get", {"slug": "conference"}, [LOGIN, 403, 403, 200, 200]),
    "events-edit": ("get", {"slug": "conference"}, [LOGIN, 403, 403, 403, 200]),
    "events-booth": ("get", {"slug": "conference"}, [LOGIN, 403, 403, 200, 200]),
    # 400: the lookup needs an email, which the matrix does not give.
    "events-booth-lookup": ("get", {"slug": "conference"}, [LOGIN, 403, 403, 400, 400]),
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
    "events-booth-read": ("post", {"slug": "conference"}, [LOGIN, 403, 403, 400, 400]),
    "events-stack": ("get", {"slug": "conference"}, [LOGIN, 403, 403, 200, 200]),
    "events-stack-review": ("get", {"slug": "conference"}, [LOGIN, 403, 403, 200, 200]),
    "events-stack-photo": (
        "get",
        {"slug": "conference", "pk": "stack_photo", "kind": "thumbnail"},
        [LOGIN, 403, 403, 404, 404],  # 404: this stack photo has no file
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
    "contacts-duplicates": ("get", {}, [LOGIN, 403, 403, 403, 200]),
    "contacts-merge": (
        "get",
        {"pk": "contact", "other_pk": "other_contact"},
        [LOGIN, 403, 403, 403, 200],
    ),
    # 409: the kept person changed since this merge, which can no longer be undone.
    "contacts-merge-undo": ("post", {"pk": "merge"}, [LOGIN, 403, 403, 403, 409]),
    "contacts-person-json": ("get", {"pk": "contact"}, [LOGIN, 403, 403, 403, 200]),
    "contacts-person-vcf": ("get", {"pk": "contact"}, [LOGIN, 403, 403, 403, 200]),
    "contacts-erase": ("get", {"pk": "contact"}, [LOGIN, 403, 403, 403, 200]),
    "contacts-settings": ("get", {}, [LOGIN, 200, 200, 200, 200]),
    "contacts-followups": ("get", {}, [LOGIN, 403, 403, 200, 200]),
    # 400: no version of the card posted (the page always sends the one it showed).
    "contacts-followup-action": (
        "post",
        {"pk": "other", "action": "done"},
        [LOGIN, 403, 403, 404, 400],
    ),
    "contacts-followup-email": ("get", {"pk": "other"}, [LOGIN, 403, 403, 404, 200]),
    # Everyone who works follow-ups sees each one whole; only its owner or a manager acts.
    "contacts-followup": ("get", {"pk": "other"}, [LOGIN, 403, 403, 200, 200]),
    # 400: no follow-up chosen, no states to put back, no name to save the filters as.
    "contacts-followup-bulk": ("post", {"action": "done"}, [LOGIN, 403, 403, 400, 400]),
    "contacts-followup-restore-many": ("post", {}, [LOGIN, 403, 403, 400, 400]),
    "contacts-saved-filter": ("post", {}, [LOGIN, 403, 403, 400, 400]),
    # alice's saved filter: bob cannot forget it.
    "contacts-saved-filter-delete": (
        "post",
        {"pk": "saved_filter"},
        [LOGIN, 403, 403, 404, 302],
    ),
    "contacts-followup-email-many": ("post", {}, [LOGIN, 403, 403, 400, 400]),
    "contacts-email-batch": ("get", {"pk": "batch"}, [LOGIN, 403, 403, 404, 200]),
    "api-token-create": ("post", {}, [LOGIN, 400, 400, 400, 400]),  # 400: no name
    "api-token-revoke": ("post", {"pk": "token"}, [LOGIN, 404, 404, 404, 302]),  # alice's
    # The API as the app's own pages call it, with a session; tokens and their scopes are
    # in tests/test_api.py's matrix. 415: a form post, not JSON; 400: no folds to decode.
    "api-conferences": ("get", {}, [401, 403, 403, 200, 200]),
    "api-card-create": ("post", {"slug": "conference"}, [401, 403, 403, 415, 415]),
    "api-cards": ("get", {}, [401, 403, 403, 200, 200]),
    "api-card": ("get", {"pk": "other"}, [401, 403, 403, 200, 200]),
    "api-meanings": ("get", {}, [401, 403, 200, 200, 200]),
    "api-meaning": ("get", {"slug": "asap"}, [401, 403, 200, 200, 200]),
    "api-vocabularies": ("get", {}, [401, 403, 200, 200, 200]),
    "api-vocabulary": ("get", {"pk": "vocabulary"}, [401, 403, 200, 200, 200]),
    "api-decode": ("get", {}, [401, 403, 403, 400, 400]),
    "api-schema": ("get", {}, [200, 200, 200, 200, 200]),
    "api-docs": ("get", {}, [200, 200, 200, 200, 200]),
    "api-root": ("get", {}, [302, 302, 302, 302, 302]),  # to the docs
    "api-unknown": ("get", {"rest": "nowhere"}, [404, 404, 404, 404, 404]),
    # The address book opens to an API token only (Basic authentication), never a session.
    "api-carddav": ("get", {}, [401, 401, 401, 401, 401]),
    "api-carddav-well-known": ("get", {}, [301, 301, 301, 301, 301]),
    "events-import": ("get", {"slug": "conference"}, [LOGIN, 403, 403, 403, 200]),
    "contacts-import": ("get", {}, [LOGIN, 403, 403, 403, 200]),
    "contacts-import-preview": ("get", {"pk": "import"}, [LOGIN, 403, 403, 403, 200]),
    # 400: alice's import is being imported, so it cannot be started or discarded again.
    "contacts-import-run": ("post", {"pk": "import"}, [LOGIN, 403, 403, 403, 400]),
    "contacts-import-discard": ("post", {"pk": "import"}, [LOGIN, 403, 403, 403, 400]),
    # The vocabulary editor: vera edits; bob and alice (booth staff, managers) may only copy
    # and export. 400s: a post without its fields; deleting a meaning in use; a rule
    # without folds.
    "contacts-vocabularies": ("get", {}, [LOGIN, 403, 200, 200, 200]),
    "contacts-vocabulary-import": ("post", {}, [LOGIN, 403, 400, 403, 403]),
    "contacts-vocabulary": ("get", {"pk": "vocabulary"}, [LOGIN, 403, 200, 403, 403]),
    "contacts-vocabulary-export": ("get", {"pk": "vocabulary"}, [LOGIN, 403, 200, 200, 200]),
    "contacts-vocabulary-copy": ("post", {"pk": "vocabulary"}, [LOGIN, 403, 400, 400, 400]),
    "contacts-vocabulary-meaning-new": ("post", {"pk": "vocabulary"}, [LOGIN, 403, 400, 403, 403]),
    "contacts-vocabulary-meaning": (
        "post",
        {"pk": "vocabulary", "meaning": "meaning"},
        [LOGIN, 403, 400, 403, 403],
    ),
    "contacts-vocabulary-meaning-delete": (
        "post",
        {"pk": "vocabulary", "meaning": "meaning"},
        [LOGIN, 403, 400, 403, 403],
    ),
    "contacts-vocabulary-rule-new": ("post", {"pk": "vocabulary"}, [LOGIN, 403, 400, 403, 403]),
    "contacts-vocabulary-rule": (
        "post",
        {"pk": "vocabulary", "rule": "rule"},
        [LOGIN, 403, 400, 403, 403],
    ),
    "contacts-vocabulary-rule-delete": (
        "post",
        {"pk": "vocabulary", "rule": "rule"},
        [LOGIN, 403, 302, 403, 403],
    ),
    "contacts-vocabulary-revert": (
        "post",
        {"pk": "vocabulary", "change": "change"},
        [LOGIN, 403, 302, 403, 403],
    ),
    "webhooks-endpoints": ("get", {}, [LOGIN, 403, 403, 403, 200]),
    "webhooks-endpoint": ("get", {"pk": "endpoint"}, [LOGIN, 403, 403, 403, 200]),
    "webhooks-endpoint-enable": ("post", {"pk": "endpoint"}, [LOGIN, 403, 403, 403, 302]),
    # Last of the endpoint's cells: alice deletes it.
    "webhooks-endpoint-delete": ("post", {"pk": "endpoint"}, [LOGIN, 403, 403, 403, 302]),
    "login": ("get", {}, [200, 302, 302, 302, 302]),
    "logout": ("post", {}, [302, 302, 302, 302, 302]),
}

EXTRA_CELLS = [
    # bob works his own follow-up (400: without the version shown), but cannot hand it to
    # someone else.
    ("contacts-followup-action", "post", {"pk": "card", "action": "done"}, "bob", 400),
    ("contacts-followup-action", "post", {"pk": "card", "action": "assign"}, "bob", 403),
    ("contacts-followup-action", "post", {"pk": "card", "action": "assign"}, "alice", 400),
    ("contacts-followup-email", "get", {"pk": "card"}, "bob", 200),
    ("contacts-followup-bulk", "post", {"action": "assign"}, "bob", 403),
    ("contacts-followup-bulk", "post", {"action": "explode"}, "alice", 404),
    # An undo puts back what an action changed: refused for a card bob may not work, and
    # with nothing to put back (a form is posted with the states, see test_followups.py).
    ("contacts-followup-action", "post", {"pk": "other", "action": "restore"}, "bob", 404),
    ("contacts-followup-action", "post", {"pk": "card", "action": "restore"}, "bob", 400),
    # Booth staff edit a person (400: an empty edit), only managers merge; before the undo
    # below, which takes bob's card and its person away.
    ("contacts-contact", "post", {"pk": "contact"}, "bob", 400),
    ("contacts-contact", "post", {"pk": "contact"}, "alice", 400),
    ("contacts-merge", "post", {"pk": "contact", "other_pk": "other_contact"}, "bob", 403),
    ("contacts-merge", "post", {"pk": "contact", "other_pk": "other_contact"}, "alice", 400),
    ("events-booth-undo", "post", {"slug": "conference", "pk": "card"}, "bob", 302),
    # bob edits the rules of his own copy of a vocabulary; alice does not see it.
    ("contacts-vocabulary", "get", {"pk": "bobs_vocabulary"}, "bob", 200),
    ("contacts-vocabulary", "get", {"pk": "bobs_vocabulary"}, "alice", 404),
    ("contacts-vocabulary", "get", {"pk": "bobs_vocabulary"}, "vera", 200),
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
    vocabulary = Vocabulary.default()
    rule = vocabulary.rules.create(pattern=UL | LL)
    change = vocabularies.apply_change(
        vocabulary, vera, "rule", None, {"pattern": LL | LR, "meanings": ["unhappy"]}
    )
    return {
        "vocabulary": vocabulary.pk,
        "bobs_vocabulary": vocabularies.copy_vocabulary(vocabulary, bob, "Bob's").pk,
        "meaning": Meaning.objects.get(slug="customer").pk,
        "rule": rule.pk,
        "change": change.pk,
        "users": {"alice": alice, "bob": bob, "charlie": charlie, "vera": vera},
        "conference": own.conference.slug,
        "card": own.pk,
        "other": other.pk,
        "contact": own.contact.pk,
        "batch": EmailBatch.objects.create(created_by=alice).pk,
        "saved_filter": SavedFilter.objects.create(owner=alice, name="mine", query="").pk,
        "stack_photo": StackPhoto.objects.create(conference=own.conference, sha256="0" * 64).pk,
        "token": ApiToken.issue(alice, "script")[0].pk,
        "other_contact": Contact.objects.create(name="Bob Card").pk,
        "merge": ContactMerge.objects.create(
            kept=own.contact, kept_before={}, merged={}, moved={}, kept_version=0
        ).pk,
        "endpoint": Endpoint.objects.create(owner=alice, url="https://example.org/hook").pk,
        "import": Import.objects.create(
            created_by=alice, filename="people.csv", state=Import.State.IMPORTING
        ).pk,
    }


def status_of(client, world, persona, name, method, kwargs) -> int:
    client.logout()
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    args = {key: world.get(value, value) for key, value in kwargs.items()}
    url = reverse(name, kwargs=args)
    return getattr(client, method)(url).status_code


def test_the_access_matrix(client, world, make_card, sent_requests):
    for name, (method, kwargs, statuses) in EXPECTED.items():
        for persona, expected in zip(PERSONAS, statuses, strict=True):
            # Acting changes things: give every cell a fresh card of alice's to act on.
            world["other"] = make_card(UR, name="Alices Card").pk
            got = status_of(client, world, persona, name, method, kwargs)
            assert got == expected, f"{persona} {method.upper()} {name}: {got}, not {expected}"
    for name, method, kwargs, persona, expected in EXTRA_CELLS:
        got = status_of(client, world, persona, name, method, kwargs)
        assert got == expected, f"{persona} {method.upper()} {name} {kwargs}: {got}"
    for name, statuses in ADMIN:
        for persona, expected in zip(PERSONAS, statuses, strict=True):
            client.logout()
            if persona != "anonymous":
                client.force_login(world["users"][persona])
            got = client.get(reverse(name)).status_code
            assert got == expected, f"{persona} GET {name}: {got}, not {expected}"
    # What was requested, as the server saw it: every URL, once for each persona at least.
    requested = Counter(resolve(path).view_name for path in sent_requests)
    print(f"access matrix: {len(sent_requests)} requests to {len(requested)} URLs")
    assert set(requested) == set(EXPECTED) | {name for name, _ in ADMIN}
    assert min(requested.values()) >= len(PERSONAS)
    cells = len(EXPECTED) * len(PERSONAS) + len(EXTRA_CELLS) + len(ADMIN) * len(PERSONAS)
    assert len(sent_requests) == cells


def test_a_teammates_card_is_404_when_worked(client, world):
    client.force_login(world["users"]["bob"])
    url = reverse("contacts-followup-action", args=[world["other"], "done"])
    assert client.post(url).status_code == 404
    version = Card.objects.get(pk=world["other"]).version
    for posted in (version, "", "²", "x", "-1", "9" * 5000):  # not theirs, as ever
        assert client.post(url, {"version": posted}).status_code == 404, posted
    assert Card.objects.get(pk=world["other"]).state == "open"


@pytest.mark.parametrize(
    ("persona", "lands_on", "links"),
    [
        ("charlie", "contacts-settings", []),
        ("vera", "contacts-vocabularies", ["Vocabularies"]),
        ("bob", "events-home", ["Conferences", "Follow-ups", "Vocabularies"]),
    ],
)
def test_each_role_lands_where_it_has_work_and_is_offered_only_that(
    client, world, persona, lands_on, links
):
    client.force_login(world["users"][persona])
    response = client.get(reverse("events-home"), follow=True)
    assert response.status_code == 200
    assert response.resolver_match.url_name == lands_on
    navigation = response.content.decode().split("</nav>")[0]
    offered = ["Conferences", "Follow-ups", "Vocabularies", "Duplicates"]
    assert [name for name in offered if f">{name}</a>" in navigation] == links
