from __future__ import annotations

import importlib
from datetime import date, datetime, time

import pytest
from django.apps import apps
from django.utils import timezone

from contacts.models import Card, Contact, Vocabulary
from events.models import Conference


@pytest.fixture(autouse=True)
def default_vocabulary(request) -> None:
    """Make sure the data migration's default vocabulary is there.

    A transactional test (the browser tests) empties every table when it ends, taking the
    migration's rows with it; the tests that follow get them back from here.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    if not Vocabulary.objects.exists():
        importlib.import_module(
            "contacts.migrations.0002_default_vocabulary"
        ).create_default_vocabulary(apps, None)
        importlib.import_module("contacts.migrations.0004_default_email_templates").add_templates(
            apps, None
        )


@pytest.fixture
def fixed_today(monkeypatch):
    """Return a function that fixes "today"; dates given explicitly still become days."""
    real = timezone.localdate

    def fix(today: date) -> date:
        def localdate(value=None, timezone=None):
            return today if value is None else real(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)
        return today

    return fix


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", "alice@example.org", "alice-password")


@pytest.fixture
def conference(alice) -> Conference:
    return Conference.objects.create(
        name="Expo 2026",
        starts_on=date(2026, 11, 18),
        ends_on=date(2026, 11, 20),
        location="Lisbon",
        created_by=alice,
    )


@pytest.fixture
def vocabulary() -> Vocabulary:
    return Vocabulary.default()


@pytest.fixture
def make_card(alice, conference, vocabulary):
    """Return a function that logs a card the way the app does, decoding its folds."""

    def make(folds: int = 0, name: str = "Dana Reyes", logged_on: date | None = None, **kwargs):
        contact = kwargs.pop("contact", None) or Contact.objects.create(
            name=name, company=kwargs.pop("company", "Acme")
        )
        met_at = kwargs.pop("conference", conference)
        logged_at = timezone.make_aware(datetime.combine(logged_on or met_at.ends_on, time(10)))
        card = Card(
            contact=contact,
            conference=met_at,
            folds=folds,
            vocabulary=kwargs.pop("vocabulary", vocabulary),
            logged_by=alice,
            owner=kwargs.pop("owner", alice),
            logged_at=logged_at,
            **kwargs,
        )
        card.apply_decoding(card.decode())
        card.save()
        return card

    return make
