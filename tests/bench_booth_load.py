"""The booth under load (run by `make bench`, or alone with `.venv/bin/python -m
tests.bench_booth_load`): gunicorn with 4 workers and production settings, and a small
load client of 1, 8 and 32 concurrent clients, each on its own kept-alive connection,
saving cards (JSON, no photo) as fast as the server answers; beside it the same clients
asking /health/ (one `SELECT 1`), the floor of a request that reaches the database.

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
from django.test import Client
from django.urls import reverse

from events.models import Conference
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 8  # per measurement
CLIENTS = (1, 8, 32)
WORKERS = 4


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


def run(port: int, clients: int, request: tuple[str, str, bytes | None, dict]) -> Load:
    """Send ``request`` from ``clients`` threads for SECONDS; return what they did."""
    method, path, body, headers = request
    load = Load()
    stop = time.perf_counter() + SECONDS
    counter = itertools.count()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            data = body.replace(b"{n}", str(next(counter)).encode()) if body else None
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


if __name__ == "__main__":
    main()
