from __future__ import annotations

from datetime import date, datetime, time
from functools import partial
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.signals import request_started
from django.utils import timezone

from contacts import defaults
from contacts.models import Card, Contact, Vocabulary
from events.models import Conference
from tests import s3, smtp


def pytest_collection_modifyitems(items) -> None:
    """Run the browser tests last: Playwright's event loop leaves the test thread with a
    different database connection object, which later tests must not inherit."""
    browser = Path(__file__).parent / "browser"
    items.sort(key=lambda item: browser in Path(item.fspath).parents)


@pytest.fixture(autouse=True)
def migration_data(request) -> None:
    """Make sure the data migrations' rows are there: the default vocabulary and the roles.

    A transactional test (the browser tests) empties every table when it ends, taking the
    migrations' rows with it; the tests that follow get them back from here.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    if not Vocabulary.objects.exists():
        defaults.create_default_vocabulary(apps)
    if not Group.objects.exists():
        defaults.create_roles(apps)


def user_in(django_user_model, username: str, *groups: str):
    user = django_user_model.objects.create_user(
        username, f"{username}@example.org", f"{username}-password"
    )
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def sent_requests():
    """Return the paths of the requests sent from now on, as the server saw them arrive:
    a count of what a test actually tried, not of what it meant to try."""
    paths: list[str] = []

    def record(environ: dict, **kwargs) -> None:
        paths.append(environ["PATH_INFO"])

    request_started.connect(record)
    yield paths
    request_started.disconnect(record)


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
    """A manager: logs cards, works everyone's follow-ups, runs conferences and exports."""
    return user_in(django_user_model, "alice", "Managers")


@pytest.fixture
def bob(django_user_model):
    """Booth staff: logs cards and works his own follow-ups."""
    return user_in(django_user_model, "bob", "Booth staff")


@pytest.fixture
def charlie(django_user_model):
    """An outsider: can log in, and has no role."""
    return user_in(django_user_model, "charlie")


@pytest.fixture
def vera(django_user_model):
    """A vocabulary editor: edits meanings and vocabularies in the admin."""
    user = user_in(django_user_model, "vera", "Vocabulary editors")
    user.is_staff = True
    user.save()
    return user


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
    """Return a function that logs a card the way the app does, decoding its folds; met at
    10:00 on ``logged_on`` (the conference's last day by default), or at ``logged_at``."""

    def make(folds: int = 0, name: str = "Dana Reyes", logged_on: date | None = None, **kwargs):
        contact = kwargs.pop("contact", None) or Contact.objects.create(
            name=name, company=kwargs.pop("company", "Acme")
        )
        met_at = kwargs.pop("conference", conference)
        logged_at = kwargs.pop("logged_at", None) or timezone.make_aware(
            datetime.combine(logged_on or met_at.ends_on, time(10))
        )
        card = Card(
            contact=contact,
            conference=met_at,
            folds=folds,
            vocabulary=kwargs.pop("vocabulary", vocabulary),
            logged_by=kwargs.pop("logged_by", alice),
            owner=kwargs.pop("owner", alice),
            logged_at=logged_at,
            **kwargs,
        )
        card.apply_decoding(card.decode())
        card.save()
        return card

    return make


@pytest.fixture
def smtp_server(settings):
    """Start an SMTP server and send the site's email to it; return its inbox."""
    controller, inbox = smtp.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def tasks_at_once(settings):
    """Run background tasks as they are enqueued, in the request that enqueues them."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


@pytest.fixture
def worked_off(tasks_at_once, django_capture_on_commit_callbacks):
    """Return a context manager at whose end what was queued inside it for the background
    worker is done, as when a request's transaction commits (a test's never does)."""
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def media(settings, tmp_path):
    """Keep uploaded and stored files in a folder of the test's own; return it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def s3_server():
    """Start an S3-compatible server for the whole run; return its URL."""
    server, url = s3.start()
    yield url
    server.stop()


@pytest.fixture
def s3_bucket(s3_server, settings) -> s3.Bucket:
    """Create a bucket and keep the site's card photos in it during the test.

    Changing STORAGES makes Django forget its storage objects (the setting_changed signal),
    so the card fields' default storage is the bucket until the test ends.
    """
    bucket = s3.Bucket(s3_server)
    settings.STORAGES = {**settings.STORAGES, "default": bucket.storage()}
    return bucket
