"""Two web servers (gunicorn, as in production) on one PostgreSQL database, as behind a
proxy: whatever one of them does, the other sees at once; nothing is kept in a process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import (
    HTTPCookieProcessor,
    HTTPRedirectHandler,
    Request,
    build_opener,
    urlopen,
)

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from contacts.models import Card, Meaning
from tests.smtp import free_port

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """Return the URL of the test database (its rows are committed in these tests)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgresql://{user}{password}@{db['HOST']}:{db['PORT']}/{quote(db['NAME'])}"


def start_server(log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    inherited = ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    # Development settings serve plain HTTP; both servers share the development SECRET_KEY,
    # as production servers must share theirs.
    env.update(DEBUG="1", DATABASE_URL=database_url(), CONN_MAX_AGE="60")
    command = [sys.executable, "-m", "gunicorn", "foldcard.wsgi", "--workers", "1"]
    with log.open("w") as out:
        process = subprocess.Popen(
            [*command, "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    return process, f"http://127.0.0.1:{port}"


def wait_until_up(process: subprocess.Popen, url: str, log: Path) -> None:
    for _ in range(600):
        if process.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{log.read_text()}")
        try:
            with urlopen(f"{url}/health/", timeout=5) as response:
                if response.status == 200:
                    return
        except (URLError, ConnectionError, TimeoutError):  # still booting, on a busy machine
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer /health/:\n{log.read_text()}")


@pytest.fixture
def servers(tmp_path) -> list[str]:
    """Start two gunicorn servers on the test database; return their URLs."""
    if connection.vendor != "postgresql":
        pytest.skip("several servers share a PostgreSQL database, not a SQLite file")
    logs = [tmp_path / f"gunicorn-{n}.log" for n in range(2)]
    started: list[subprocess.Popen] = []
    try:
        urls = []
        for log in logs:
            process, url = start_server(log)
            started.append(process)
            urls.append(url)
        for process, url, log in zip(started, urls, logs, strict=True):
            wait_until_up(process, url, log)
        yield urls
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=30)


class NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None


class Browser:
    """One person's browser. Cookies are kept per host, not per port: the same cookies go
    to both servers, as they do to the servers behind one proxy."""

    def __init__(self) -> None:
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies), NoRedirects())

    def request(self, url: str, data: dict | None = None, **headers: str) -> tuple[int, str]:
        body = None
        if data is not None:
            token = next(c.value for c in self.cookies if c.name == "csrftoken")
            body = urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True).encode()
        request_headers = {"Accept": "text/html", **headers}
        try:
            with self.opener.open(Request(url, body, request_headers)) as response:
                return response.status, response.read().decode()
        except HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, server: str, username: str, password: str) -> int:
        self.request(f"{server}/accounts/login/")
        data = {"username": username, "password": password}
        return self.request(f"{server}/accounts/login/", data)[0]


def test_a_session_started_on_one_server_works_on_the_other(servers, alice):
    first, second = servers
    browser = Browser()
    assert browser.log_in(first, "alice", "alice-password") == 302
    status, html = browser.request(f"{second}{reverse('contacts-followups')}")
    assert status == 200
    assert "alice" in html
    assert browser.request(f"{second}{reverse('logout')}", {})[0] == 302
    assert browser.request(f"{first}{reverse('contacts-followups')}")[0] == 302


def test_a_weight_edit_on_one_server_is_seen_by_the_other_at_once(
    servers, conference, django_user_model
):
    first, second = servers
    django_user_model.objects.create_superuser("root", "root@example.org", "root-password")
    browser = Browser()
    assert browser.log_in(second, "root", "root-password") == 302
    booth = f"{second}{reverse('events-booth', args=[conference.slug])}"
    followups = f"{second}{reverse('contacts-followups')}"

    def log_card(name: str, *folds: str) -> Card:
        data = {"name": name, "folds": folds}
        status, _ = browser.request(booth, data, Accept="application/json")
        assert status == 201
        return Card.objects.get(contact__name=name)

    def names_in_order() -> list[str]:
        html = browser.request(followups)[1]
        return list(dict.fromkeys(re.findall(r"Ann Prospect|Ben Upsell", html)))

    # The second server decodes with the default weights (and keeps the decoding table).
    assert log_card("Ann Prospect", "UL").priority == 20
    assert log_card("Ben Upsell", "UL", "UR").priority == 50
    assert names_in_order() == ["Ben Upsell", "Ann Prospect"]

    prospect = Meaning.objects.get(slug="prospect")
    edit = f"{first}{reverse('admin:contacts_meaning_change', args=[prospect.pk])}"
    data = {
        "slug": prospect.slug,
        "label": prospect.label,
        "description": prospect.description,
        "weight": 90,
        "window_days": prospect.window_days,
        "colour": prospect.colour,
        "order": prospect.order,
        "active": "on",
        "email_subject": prospect.email_subject,
        "email_body": prospect.email_body,
    }
    assert browser.request(edit, data)[0] == 302

    # New cards are decoded with the edit at once; the cards logged before are re-ordered
    # by the background worker.
    assert log_card("Cleo Prospect", "UL").priority == 90
    assert "re-ordering: 0%" in browser.request(followups)[1]
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    assert names_in_order() == ["Ann Prospect", "Ben Upsell"]


def test_five_wrong_passwords_on_one_server_lock_the_other(servers, alice):
    first, second = servers
    browser = Browser()
    for _ in range(5):
        status = browser.log_in(first, "alice", "wrong")
    assert status == 429
    status = browser.log_in(second, "alice", "alice-password")
    assert status == 429
    assert "sessionid" not in {cookie.name for cookie in browser.cookies}


def test_a_connection_cut_by_the_database_costs_no_failed_request(servers, alice):
    """Servers keep their connections open (CONN_MAX_AGE); one the database has closed, as
    in a restart or a failover, is noticed and replaced before it is used."""
    first, _ = servers
    browser = Browser()
    assert browser.log_in(first, "alice", "alice-password") == 302
    followups = f"{first}{reverse('contacts-followups')}"
    assert browser.request(followups)[0] == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    assert browser.request(followups)[0] == 200
