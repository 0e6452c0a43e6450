"""The booth under load (run by `make bench`, or alone with `.venv/bin/python -m
tests.bench_booth_load`): gunicorn with 4 workers and production settings, and a small
load client of 1, 8 and 32 concurrent clients, each on its own kept-alive connection,
saving cards (JSON, no photo) as fast as the server answers; beside it the same clients
asking /health/ (one `SELECT 1`), the floor of a request that reaches the database.

Then the booth with 100,000 more cards and people (each save looks up its email among
them), and while a weight edit re-prioritizes those cards on the task queue's worker
(`db_worker`, as `make run` starts it): 8 clients save until the job has finished, and the
slowest save is what the goal (no save waiting over 1 s) is about.

Same settings and throwaway database as tests/bench.py (DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from tests import bench  # first: it sets up Django with the benchmark's settings

# isort: split
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from contacts import services
from contacts.models import Meaning, Reprioritization
from events.models import Conference
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 8  # per measurement
CLIENTS = (1, 8, 32)
WORKERS = 4
REPRIORITIZED = 100_000  # cards re-prioritized while the booth saves


@dataclass
class Load:
    """What the clients of one measurement did."""

    done: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, ok: bool) -> None:
        with self.lock:
            if ok:
                self.done += 1
                self.latencies.append(seconds)
            else:
                self.errors += 1


def start_gunicorn(port: int) -> subprocess.Popen:
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1"}
    command = [sys.executable, "-m", "gunicorn", "foldcard.wsgi", "--workers", str(WORKERS)]
    command += ["--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"]
    # gunicorn.conf.py replaces a worker after about 1,000 requests: at hundreds of
    # requests a second that would fall inside every measurement, a worker gone for the
    # seconds it takes to start again on this machine.
    command += ["--max-requests", "0"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    for _ in range(600):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


COUNTER = itertools.count()  # each save a new person, across measurements


def run(
    port: int,
    clients: int,
    request: tuple[str, str, bytes | None, dict],
    until: threading.Event | None = None,
) -> Load:
    """Send ``request`` from ``clients`` threads for SECONDS, or until ``until`` is set;
    return what they did."""
    method, path, body, headers = request
    load = Load()
    stop = time.perf_counter() + SECONDS

    def going() -> bool:
        return not until.is_set() if until else time.perf_counter() < stop

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while going():
            data = body.replace(b"{n}", str(next(COUNTER)).encode()) if body else None
            start = time.perf_counter()
            try:
                connection.request(method, path, data, headers)
                response = connection.getresponse()
                response.read()
                ok = response.status in (200, 201)
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            load.record(time.perf_counter() - start, ok)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return load


def session_cookie() -> tuple[str, str]:
    """Return the cookie header of a logged-in booth user, and the CSRF token it holds."""
    user = get_user_model().objects.create_user("load")
    user.groups.add(Group.objects.get(name="Booth staff"))
    client = Client()
    client.force_login(user)
    token = secrets.token_hex(16)  # an unmasked CSRF secret: cookie and header alike
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}; csrftoken={token}", token


def main() -> None:
    call_command("migrate", verbosity=0)
    conference = Conference.objects.create(
        name="Load Expo", starts_on=date(2026, 11, 18), ends_on=date(2026, 11, 20)
    )
    cookie, token = session_cookie()
    form = {"name": "Person {n}", "company": "Acme", "email": "p{n}@acme.io", "folds": "UL"}
    save = (
        "POST",
        reverse("events-booth", args=[conference.slug]),
        urlencode(form, safe="{}").encode(),
        {
            "Cookie": cookie,
            "X-CSRFToken": token,
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    health = ("GET", "/health/", None, {})
    port = free_port()
    server = start_gunicorn(port)
    rows = []
    try:
        run(port, 4, save)  # warm up every worker: its connection, the first query plans
        for clients in CLIENTS:
            floor = run(port, clients, health)
            saves = run(port, clients, save)
            ratio = saves.done / floor.done if floor.done else 0
            rows.append(
                (
                    str(clients),
                    f"{saves.done / SECONDS:.0f}/s",
                    f"{floor.done / SECONDS:.0f}/s",
                    f"{ratio:.2f}x",
                    f"{statistics.median(saves.latencies) * 1000:.0f} ms",
                    f"{max(saves.latencies) * 1000:.0f} ms",
                    str(saves.errors + floor.errors),
                )
            )
            print(json.dumps({"clients": clients, "row": rows[-1]}), flush=True)
    finally:
        server.terminate()
        server.wait()
    print(f"booth saves under load: gunicorn, {WORKERS} workers, {SECONDS} s each, goal >= 0.6x")
    header = ("clients", "saves", "/health/", "ratio", "save p50", "save max", "errors")
    bench.print_table(header, rows)
    print()
    saves_while_reprioritizing(conference, save)


def saves_while_reprioritizing(conference: Conference, save: tuple) -> None:
    """Print the booth's saves while a weight edit re-prioritizes REPRIORITIZED cards in
    the background, beside the same job with no save beside it."""
    owners = list(get_user_model().objects.filter(username="load"))
    bench.add_cards(conference, owners, REPRIORITIZED, seed=3)
    port = free_port()
    server = start_gunicorn(port)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    rows, known = [], []
    try:
        run(port, 4, save)  # warm up
        # The booth with REPRIORITIZED people known: each save looks up its email.
        for clients in CLIENTS[:2]:
            load = run(port, clients, save)
            known.append(
                (
                    str(clients),
                    f"{load.done / SECONDS:.0f}/s",
                    f"{statistics.median(load.latencies) * 1000:.0f} ms",
                    f"{max(load.latencies) * 1000:.0f} ms",
                    str(load.errors),
                )
            )
            print(json.dumps({"clients": clients, "known": known[-1]}), flush=True)
        for clients in (0, 8):
            done = threading.Event()
            started = time.perf_counter()
            job = edit_a_weight()
            watcher = threading.Thread(target=wait_for, args=(job, done))
            watcher.start()
            load = run(port, clients, save, until=done) if clients else Load()
            watcher.join()
            took = time.perf_counter() - started
            latencies = load.latencies or [0.0]
            rows.append(
                (
                    str(clients),
                    f"{took:.1f} s",
                    str(load.done),
                    f"{statistics.median(latencies) * 1000:.0f} ms",
                    f"{max(latencies) * 1000:.0f} ms",
                    str(sum(t > 1 for t in latencies)),
                    str(load.errors),
                )
            )
            print(json.dumps({"clients": clients, "row": rows[-1]}), flush=True)
    finally:
        worker.terminate()
        server.terminate()
        worker.wait()
        server.wait()
    print(f"booth saves with {REPRIORITIZED:,} more people known (as fast as with none)")
    bench.print_table(("clients", "saves", "save p50", "save max", "errors"), known)
    print()
    print(
        f"booth saves while a weight edit re-prioritizes {REPRIORITIZED:,} cards (goal: none > 1 s)"
    )
    header = ("clients", "job", "saves", "save p50", "save max", "saves > 1 s", "errors")
    bench.print_table(header, rows)


def edit_a_weight() -> Reprioritization:
    """Edit the customer meaning's weight as the vocabulary editor does; return the job."""
    customer = Meaning.objects.get(slug="customer")
    customer.weight += 1
    with transaction.atomic():
        customer.save()
        (job, *_) = services.meaning_changed(customer)
    return job


def wait_for(job: Reprioritization, done: threading.Event) -> None:
    """Set ``done`` when the worker has finished ``job``."""
    while Reprioritization.objects.filter(pk=job.pk, finished_at=None).exists():
        time.sleep(0.1)
    done.set()


if __name__ == "__main__":
    main()
