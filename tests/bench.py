"""foldcard benchmarks: `make bench` prints a table of medians, each beside its floor.

Runs on a throwaway SQLite database (or DATABASE_URL, if set) and a throwaway media folder.
Times are wall-clock medians on this machine; compare the ratios, not the numbers.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="foldcard-bench-"))
# Production settings, as a booth laptop or a server runs them (DEBUG records every query).
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "foldcard-bench-only")
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORK / 'bench.sqlite3'}")
os.environ["MEDIA_ROOT"] = str(WORK / "media")
os.environ["STATIC_ROOT"] = str(WORK / "static")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foldcard.settings")
# The webhook benchmark's receiving server listens on 127.0.0.1.
os.environ["WEBHOOKS_ALLOW_PRIVATE"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from datetime import date, datetime, timedelta  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import AbstractUser, Group  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import CharField, Value  # noqa: E402
from django.db.models.functions import Cast, Concat, Right  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from api.models import ApiToken  # noqa: E402
from contacts import photos, rules, services  # noqa: E402
from contacts.models import Card, Contact, Meaning, Vocabulary  # noqa: E402
from events.models import Conference  # noqa: E402
from tests import images  # noqa: E402
from tests.webhook_server import Receiver  # noqa: E402
from webhooks.models import EVENTS, Delivery, Endpoint  # noqa: E402

ROWS: list[tuple[str, str, str, str, str]] = []
PHOTO_ROWS: list[tuple[str, str, str, str]] = []
MEMORY: list[tuple[str, float, float]] = []
STATES = ["open", "done", "snoozed", "dropped"]


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def median_server_ms(action: Callable[[], object], repeat: int) -> float:
    """Return the median time the server spent on the requests ``action`` makes: from
    Django's request_started to request_finished, leaving out the test client's own work."""
    times: list[float] = []
    started: list[float] = []

    def on_started(**kwargs) -> None:
        started.append(time.perf_counter())

    def on_finished(**kwargs) -> None:
        times.append(time.perf_counter() - started.pop())

    request_started.connect(on_started)
    request_finished.connect(on_finished)
    try:
        for _ in range(repeat):
            action()
    finally:
        request_started.disconnect(on_started)
        request_finished.disconnect(on_finished)
    return statistics.median(times) * 1000


def paired_ms(
    ours: Callable[[], object], floor: Callable[[], object], repeat: int, server: bool = False
) -> tuple[float, float]:
    """Time ``ours`` and its ``floor`` by turns, so that the machine's slow moments fall on
    both; return the two medians (``server``: ours as the server's time)."""
    ours_ms, floor_ms = [], []
    for _ in range(repeat):
        ours_ms.append(median_server_ms(ours, 1) if server else median_ms(ours, 1))
        floor_ms.append(median_ms(floor, 1))
    return statistics.median(ours_ms), statistics.median(floor_ms)


def paired_server_ms(
    ours: Callable[[], object], floor: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Time the requests of ``ours`` and of its ``floor`` by turns, as the server's time;
    return the two medians."""
    ours_ms, floor_ms = [], []
    for _ in range(repeat):
        ours_ms.append(median_server_ms(ours, 1))
        floor_ms.append(median_server_ms(floor, 1))
    return statistics.median(ours_ms), statistics.median(floor_ms)


def row(name: str, median: float, floor: float | None, goal: str) -> None:
    ratio = f"{median / floor:.2f}x" if floor else "-"
    ROWS.append((name, f"{median:.1f} ms", f"{floor:.1f} ms" if floor else "-", ratio, goal))


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))


def pillow_floor(data: bytes) -> None:
    """The image work of a booth photo with Pillow alone: open at the reduced scale that
    foldcard asks for, shrink, turn, encode."""
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", photos.fitting(image.size, 1600))
        image.thumbnail((1600, 1600), Image.Resampling.LANCZOS, reducing_gap=1.0)
        upright = ImageOps.exif_transpose(image).convert("RGB")
    small = upright.copy()
    small.thumbnail((320, 320), Image.Resampling.LANCZOS)
    for picture in (upright, small):
        picture.save(io.BytesIO(), "JPEG", quality=85, optimize=True)


def bench_booth() -> None:
    user = get_user_model().objects.create_user("bench", password="bench")
    user.groups.add(Group.objects.get(name="Managers"))
    conference = Conference.objects.create(
        name="Bench Expo", starts_on=date(2026, 11, 18), ends_on=date(2026, 11, 20)
    )
    client = Client()
    client.force_login(user)
    url = reverse("events-booth", args=[conference.slug])
    counter = iter(range(10**9))

    def save(**extra) -> None:
        n = next(counter)
        data = {"name": f"Person {n}", "company": "Acme", "email": f"p{n}@acme.io"}
        response = client.post(url, {**data, **extra}, HTTP_ACCEPT="application/json")
        assert response.status_code == 201, response.content

    save()  # warm up: the user's settings, the first query plans
    no_photo = median_server_ms(lambda: save(folds=["UL", "UR"]), 300)
    row("booth save, no photo", no_photo, None, "<= 10 ms")

    # The same card through the API, a token's request: the floor is the booth's save.
    _, key = ApiToken.issue(user, "bench")
    api_url = reverse("api-card-create", args=[conference.slug])

    def save_by_api() -> None:
        n = next(counter)
        body = {"name": f"Person {n}", "company": "Acme", "email": f"p{n}@acme.io"}
        response = client.post(
            api_url,
            json.dumps({**body, "folds": ["UL", "UR"]}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        assert response.status_code == 201, response.content

    save_by_api()
    by_api, by_booth = paired_server_ms(save_by_api, lambda: save(folds=["UL", "UR"]), 300)
    row("API card creation, no photo", by_api, by_booth, "<= 1.2x booth save")

    # With one endpoint wanting every card: the card's JSON and a delivery are written,
    # and a task queued (sending is the worker's, below).
    endpoint = Endpoint.objects.create(owner=user, url="https://example.org/", events=[*EVENTS])
    with_hook = median_server_ms(lambda: save(folds=["UL", "UR"]), 300)
    row("booth save, one webhook endpoint", with_hook, no_photo, "(beside the save above)")
    endpoint.delete()

    # 4000 x 3000 = 12 megapixels, taken with the camera turned (EXIF orientation 6).
    photo = images.jpeg(4000, 3000, orientation=6, quality=92)

    def save_with_photo() -> None:
        save(photo=SimpleUploadedFile("card.jpg", photo, content_type="image/jpeg"))

    floor = median_ms(lambda: pillow_floor(photo), 15)
    with_photo = median_server_ms(save_with_photo, 15)
    row("booth save, 12 MP JPEG rotated", with_photo, floor, "<= 1.2x floor")


RAW_CARDS = """
    SELECT c.id, c.folds, c.client_uuid, c.state, c.outcome, c.logged_at, c.due_on,
           c.priority, c.version, c.note, p.name, p.company, p.title, p.email, p.phone,
           f.slug, o.username, l.username
    FROM contacts_card c
    JOIN contacts_contact p ON p.id = c.contact_id
    JOIN events_conference f ON f.id = c.conference_id
    LEFT JOIN auth_user o ON o.id = c.owner_id
    LEFT JOIN auth_user l ON l.id = c.logged_by_id
    WHERE c.conference_id = %s
    ORDER BY c.due_on, c.priority DESC, c.logged_at, c.id
    LIMIT 100
"""


def bench_api_list() -> None:
    """A page of 100 cards through the API, beside the raw query for the same rows."""
    user = get_user_model().objects.create_user("lister")
    user.groups.add(Group.objects.get(name="Managers"))
    conference = Conference.objects.create(
        name="List Expo", starts_on=date(2026, 11, 18), ends_on=date(2026, 11, 20)
    )
    add_cards(conference, [user], 100, seed=3)
    Card.objects.filter(conference=conference).update(state="open", snoozed_until=None)
    _, key = ApiToken.issue(user, "bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    query = {"conference": conference.slug, "owner": "all", "state": "all", "page_size": 100}

    def api_page() -> None:
        assert len(client.get(reverse("api-cards"), query).json()["results"]) == 100

    def raw_rows() -> None:
        with connection.cursor() as cursor:
            cursor.execute(RAW_CARDS, [conference.pk])
            assert len(cursor.fetchall()) == 100

    def no_match() -> None:
        empty = {**query, "q": "nobody by this name"}
        assert client.get(reverse("api-cards"), empty).json()["results"] == []

    api_page()
    page, floor = paired_ms(api_page, raw_rows, 51, server=True)
    row("API list of 100 cards", page, floor, "<= 2x raw query")
    row("API list, no card matches", median_server_ms(no_match, 51), None, "(the request alone)")


def bench_webhooks(count: int = 500) -> None:
    """Webhook deliveries sent by one worker to a server on this machine."""
    owner = get_user_model().objects.create_user("hooks", "hooks@example.org")
    receiver = Receiver().start()
    endpoint = Endpoint.objects.create(owner=owner, url=receiver.url, events=["card.logged"])
    conference = Conference.objects.create(
        name="Hook Expo", starts_on=date(2026, 11, 18), ends_on=date(2026, 11, 20)
    )
    for n in range(count):
        data = services.CardInput(name=f"Person {n}", email=f"hook{n}@example.com")
        services.log_card(conference, owner, data)
    # A worker keeps its database connection (CONN_MAX_AGE, see README): reopening it for
    # each task costs more than the delivery (on SQLite, a checkpoint of the log at close).
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 600
    start, cpu_start = time.perf_counter(), time.process_time()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 0
    receiver.stop()
    assert len(receiver.received) == count
    assert Delivery.objects.filter(state="delivered").count() == count
    endpoint.delete()  # what runs after, in this database, is measured without webhooks
    ROWS.append(
        ("webhook deliveries, one worker", f"{count / elapsed:.0f} /s", "-", "-", ">= 100 /s")
    )
    # The same per second of CPU (the worker's and the receiving server's, one process):
    # what one free core would do, whatever else the machine runs.
    ROWS.append(("webhook deliveries, per CPU second", f"{count / cpu:.0f} /s", "-", "-", ""))


def noise(size: tuple[int, int], sigma: float) -> Image.Image:
    """Return an RGB image of grey noise: a photo's worth of detail for a JPEG to encode."""
    return Image.effect_noise(size, sigma).convert("RGB")


def encoded(image: Image.Image, fmt: str, **save) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def worst_photos() -> dict[str, bytes]:
    """Return the costliest photos of each kind that contacts.photos accepts (the most
    pixels, the most detail that fits 15 MB, the pixel modes that take conversions), the
    common 12 MP case, and a 40 MP PNG it used to accept."""
    transparent = Image.new("P", (4000, 4000), 3)
    return {
        "JPEG 12 MP, turned (the common case)": images.jpeg(4000, 3000, orientation=6, quality=92),
        "JPEG 50 MP, full colour, 14 MB": encoded(
            noise((8160, 6120), 12), "JPEG", quality=80, subsampling=0
        ),
        "JPEG 41 MP, decoded at half scale": encoded(
            noise((6399, 6399), 8), "JPEG", quality=75, subsampling=0
        ),
        "progressive JPEG 16 MP, full colour": encoded(
            noise((4618, 3464), 12), "JPEG", quality=85, subsampling=0, progressive=True
        ),
        "PNG 16 MP, RGBA": encoded(Image.new("RGBA", (4000, 4000), (200, 10, 10, 128)), "PNG"),
        "PNG 16 MP, palette with transparency": encoded(transparent, "PNG", transparency=3),
        "WebP 12 MP, lossless RGBA": encoded(
            Image.new("RGBA", (4000, 3000), (1, 2, 3, 4)), "WEBP", lossless=True
        ),
        "WebP 12 MP, lossy": encoded(noise((4000, 3000), 30), "WEBP", quality=90),
        "PNG 40 MP (accepted before the limits)": encoded(
            Image.new("RGB", (7296, 5472), (200, 10, 10)), "PNG"
        ),
    }


def bench_photo_costs() -> None:
    """Store each worst photo in a process of its own (tests/photo_cost.py): its time and
    how much its peak memory grows, which tracemalloc cannot see in Pillow's decoders."""
    root = Path(__file__).resolve().parent.parent
    for name, data in worst_photos().items():
        path = WORK / "photo"
        path.write_bytes(data)
        runs = []
        for _ in range(3):
            command = [sys.executable, "-m", "tests.photo_cost", str(path)]
            done = subprocess.run(command, cwd=root, capture_output=True, check=True, text=True)
            runs.append(json.loads(done.stdout))
        ms = statistics.median(run["ms"] for run in runs)
        mib = max(run["mib"] for run in runs)
        result = "refused" if runs[0]["refused"] else "stored"
        PHOTO_ROWS.append(
            (name, f"{len(data) / 1e6:.1f} MB", f"{ms:.0f} ms", f"{mib:.0f} MiB", result)
        )


def add_cards(conference: Conference, owners: list, count: int, seed: int) -> None:
    """Add ``count`` cards with random folds, states and owners, decoded as the app does."""
    rng = random.Random(seed)
    vocabulary = Vocabulary.default()
    table = vocabulary.table()
    start = Contact.objects.count()
    for offset in range(0, count, 5000):
        batch = range(start + offset, start + min(offset + 5000, count))
        contacts = Contact.objects.bulk_create(
            Contact(name=f"Person {n}", company=f"Company {n % 997}", email=f"p{n}@example.com")
            for n in batch
        )
        cards = []
        for n, contact in enumerate(contacts):
            if n % 20 == 19:  # one card in twenty: a person met again at this conference
                contact = contacts[n - 1]
            card = Card(
                contact=contact,
                conference=conference,
                folds=rng.randrange(64),
                vocabulary=vocabulary,
                note=f"talked about item {rng.randrange(1000)}",
                owner=rng.choice(owners),
                logged_at=timezone.make_aware(
                    datetime(2026, 11, 18, 9) + timedelta(minutes=rng.randrange(4000))
                ),
                state=rng.choices(STATES, weights=[80, 10, 5, 5])[0],
            )
            if card.state == "snoozed":
                card.snoozed_until = date(2026, 11, 21) + timedelta(days=rng.randrange(20))
            card.apply_decoding(table[card.folds])
            cards.append(card)
        Card.objects.bulk_create(cards)
    if connection.vendor == "postgresql":
        # Cards logged over days have long been vacuumed and analyzed by autovacuum when
        # someone edits a weight; the benchmark's, made a moment ago, not yet.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE contacts_card, contacts_contact")


RAW_PAGE = """
    SELECT c.id, c.folds, c.priority, c.due_on, c.note, c.state, c.logged_at,
           p.name, p.company, p.email, f.name
    FROM contacts_card c
    JOIN contacts_contact p ON p.id = c.contact_id
    JOIN events_conference f ON f.id = c.conference_id
    WHERE c.waiting IN (%s)
      AND (c.snoozed_until IS NULL OR c.snoozed_until <= %s)
      AND NOT EXISTS (
        SELECT 1 FROM contacts_card s
        WHERE s.contact_id = c.contact_id AND s.conference_id = c.conference_id
          AND s.id <> c.id AND s.waiting IN (%s)
          AND (s.snoozed_until IS NULL OR s.snoozed_until <= %s)
          AND (s.due_on < c.due_on
               OR s.due_on = c.due_on AND s.priority > c.priority
               OR s.due_on = c.due_on AND s.priority = c.priority AND s.logged_at < c.logged_at
               OR s.due_on = c.due_on AND s.priority = c.priority AND s.logged_at = c.logged_at
                  AND s.id < c.id)
      )
    ORDER BY c.due_on, c.priority DESC, c.logged_at, c.id
    LIMIT 50
"""

# The columns the CSV export reads, as they are stored, in its order.
RAW_CSV = """
    SELECT p.name, p.company, p.title, p.email, p.phone, p.phone_normalized, c.folds,
           c.vocabulary_id, c.priority, c.due_on, c.state, c.note, c.logged_at, u.username,
           c.outcome, c.state_changed_at, c.consent, c.consent_at, s.username
    FROM contacts_card c
    JOIN contacts_contact p ON p.id = c.contact_id
    LEFT JOIN auth_user u ON u.id = c.owner_id
    LEFT JOIN auth_user s ON s.id = c.consent_by_id
    WHERE c.conference_id = %s
    ORDER BY c.due_on, c.priority DESC, c.logged_at, c.id
"""


class Sink:
    def write(self, value: str | bytes) -> None:
        pass


def raw_csv(conference_id: int) -> None:
    """Write the conference's cards with ``csv.writer`` straight from a raw cursor that
    streams, as the export must (on PostgreSQL a server-side cursor)."""
    writer = csv.writer(Sink())
    with connection.chunked_cursor() as cursor:
        cursor.execute(RAW_CSV, [conference_id])
        while rows := cursor.fetchmany(2000):
            for row in rows:
                writer.writerow(row)


def bare_copy(conference_id: int) -> None:
    """Have PostgreSQL write the export's columns as they are stored, as CSV, by COPY."""
    with connection.cursor() as cursor:
        command = cursor.mogrify(f"COPY ({RAW_CSV}) TO STDOUT WITH (FORMAT csv)", [conference_id])
        cursor.cursor.copy_expert(command, Sink())


def peak_kib(action: Callable[[], object]) -> float:
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024


def csv_download(
    client: Client, conference: Conference, profile: str = "foldcard"
) -> Callable[[], None]:
    """Return a function that downloads the conference's CSV export in ``profile``'s
    columns."""
    url = reverse("events-export-csv", args=[conference.slug])

    def export() -> None:
        response = client.get(url, {"profile": profile})
        for _ in response.streaming_content:
            pass

    return export


def bench_csv_with_phones(client: Client, conference: Conference) -> None:
    """Time the CSV export with a phone number on every card (stored with its E.164 form,
    as the booth stores it)."""
    digits = Right(Concat(Value("0000"), Cast("id", CharField())), 4)
    Contact.objects.update(
        phone=Concat(Value("+46 8 555 "), digits), phone_normalized=Concat(Value("+468555"), digits)
    )
    bench_export(client, conference, "100k, a phone on every card")


def bench_export(client: Client, conference: Conference, label: str) -> None:
    """Time the CSV export beside its floor: on PostgreSQL the bare COPY of the columns it
    reads, elsewhere ``csv.writer`` fed by a raw cursor; and their peak memory. Then the
    CRMs' profiles beside the same floor (they read the person's consent of each row)."""
    export = csv_download(client, conference)
    if connection.vendor == "postgresql":
        floor = lambda: bare_copy(conference.pk)  # noqa: E731
    else:
        floor = lambda: raw_csv(conference.pk)  # noqa: E731
    exported, floor_ms = paired_ms(export, floor, 5)
    row(f"CSV export, {label}", exported, floor_ms, "<= 1.5x floor")
    MEMORY.append((label, peak_kib(export), peak_kib(floor)))
    for profile in ("hubspot", "salesforce"):
        exported, floor_ms = paired_ms(csv_download(client, conference, profile), floor, 5)
        row(f"CSV export, {profile}, {label}", exported, floor_ms, "(the foldcard floor)")


def bench_followups(client: Client, conference: Conference, idle: AbstractUser, size: int) -> None:
    today = timezone.localdate()

    def raw_page() -> None:
        with connection.cursor() as cursor:
            cursor.execute(RAW_PAGE, [True, today, True, today])
            assert len(cursor.fetchall()) == 50

    def first_page() -> None:
        assert client.get("/followups/", {"owner": "all"}).status_code == 200

    def no_match() -> None:
        query = {"owner": idle.pk}  # found empty at once, by the owner's follow-up index
        assert b"Nothing to follow up" in client.get("/followups/", query).content

    label = f"{size // 1000}k"
    page, floor = paired_ms(first_page, raw_page, 21, server=True)
    row(f"follow-ups first page, {label} cards", page, floor, "<= 3x floor")
    empty = median_server_ms(no_match, 21)
    row(f"follow-ups, no card matches, {label}", empty, None, "(the page without rows)")
    bench_reprioritize(label)


def bench_reprioritize(label: str) -> None:
    """Time a weight edit's re-prioritization of every card, batch by batch as the task
    queue's worker runs it, beside the same change written by one UPDATE."""
    customer = Meaning.objects.get(slug="customer")
    vocabulary = Vocabulary.default()

    def weight_edit() -> None:
        """The edit, and the background job it queues run here, batch by batch."""
        customer.weight += 1
        customer.save()
        for job in services.meaning_changed(customer):
            while services.reprioritize_batch(job):
                pass

    def one_update() -> None:
        """The same edit written by one statement per column over all the cards."""
        customer.weight += 1
        customer.save()
        services.redecode(Card.objects.filter(vocabulary=vocabulary), vocabulary.table())

    edited, floor = paired_ms(weight_edit, one_update, 3)
    row(f"re-prioritize after a weight edit, {label}", edited, floor, "<= 1.5x one UPDATE")


def bench_bulk(client: Client, owner: AbstractUser, label: str) -> None:
    """Time one bulk action on 500 of the owner's waiting follow-ups, as the list's bulk
    bar posts it (and as its script does, answered with the 500 rows); the cards are put
    back as they were between the runs, outside the timed requests."""
    today = timezone.localdate()
    waiting = Card.objects.filter(rules.waiting(today), owner=owner).order_by("pk")
    ids = list(waiting.values_list("pk", flat=True)[:500])
    people = Card.objects.filter(pk__in=ids).values("contact_id")
    touched = list(waiting.filter(contact_id__in=people).only(*RESTORED))
    url = reverse("contacts-followup-bulk", args=["done"])

    def done(**headers: str) -> Callable[[], None]:
        def post() -> None:
            Card.objects.bulk_update(touched, RESTORED, batch_size=1000)
            versions = dict(Card.objects.filter(pk__in=ids).values_list("pk", "version"))
            data = {"cards": ids, "outcome": "bench", "next": "/followups/?owner=all"}
            data.update({f"version-{pk}": version for pk, version in versions.items()})
            response = client.post(url, data, **headers)
            assert response.status_code in (200, 302), response.content[:300]
            assert Card.objects.filter(pk__in=ids, state="done").count() == len(ids)

        return post

    # 500 cards and their versions are 1,002 fields, over Django's limit of 1,000 (a
    # request from the list, 50 rows a page, carries about a hundred).
    with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=2000):
        plain = median_server_ms(done(), 5)
        row(f"bulk done, 500 follow-ups, {label}", plain, None, "<= 1000 ms")
        scripted = median_server_ms(done(HTTP_ACCEPT="application/json"), 5)
        row(f"bulk done, 500, rows answered, {label}", scripted, None, "(the page's script)")
    Card.objects.bulk_update(touched, RESTORED, batch_size=1000)


# What a bulk action changes on a card, put back between the benchmark's runs.
RESTORED = ["state", "state_changed_at", "state_changed_by", "snoozed_until", "outcome"]


def main(part: str) -> None:
    """Run every benchmark, or (``--followups``) the follow-up list's and the bulk
    action's only, with the CSV export and weight edit at the same sizes, or
    (``--exports``) the CSV export's alone."""
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if part == "all":
        bench_booth()
        bench_api_list()
        bench_webhooks()
        bench_photo_costs()
    owners = [get_user_model().objects.create_user(f"owner{n}") for n in range(3)]
    owners[0].groups.add(Group.objects.get(name="Managers"))
    idle = get_user_model().objects.create_user("idle")  # owns no card
    client = Client()
    client.force_login(owners[0])
    conference = Conference.objects.create(
        name="Big Expo", starts_on=date(2026, 11, 18), ends_on=date(2026, 11, 20)
    )
    for size, seed in ((10_000, 1), (100_000, 2)):
        add_cards(conference, owners, size - conference.cards.count(), seed=seed)
        label = f"{size // 1000}k"
        if part != "exports":
            bench_followups(client, conference, idle, size)
            bench_bulk(client, owners[0], label)
        bench_export(client, conference, f"{label} cards")
    if part != "followups":
        bench_csv_with_phones(client, conference)
    print_table(("benchmark", "median", "floor", "ratio", "goal"), ROWS)
    if part == "followups":
        return
    print()
    print("peak memory of the CSV export (tracemalloc): foldcard vs its floor")
    for label, ours, floor in MEMORY:
        print(f"  {label}: {ours:8.0f} KiB vs {floor:8.0f} KiB")
    if part == "exports":
        return
    print()
    print("photos, each stored in a process of its own: median time, most peak memory growth")
    print_table(("photo", "file", "time", "memory", "result"), PHOTO_ROWS)


if __name__ == "__main__":
    main(next((arg[2:] for arg in sys.argv[1:] if arg in ("--followups", "--exports")), "all"))
