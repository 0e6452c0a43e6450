"""foldcard benchmarks: `make bench` prints a table of medians, each beside its floor.

Runs on a throwaway SQLite database (or DATABASE_URL, if set) and a throwaway media folder.
Times are wall-clock medians on this machine; compare the ratios, not the numbers.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foldcard.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from datetime import date  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from events.models import Conference  # noqa: E402
from tests import images  # noqa: E402

ROWS: list[tuple[str, str, str, str, str]] = []


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


def row(name: str, median: float, floor: float | None, goal: str) -> None:
    ratio = f"{median / floor:.2f}x" if floor else "-"
    ROWS.append((name, f"{median:.1f} ms", f"{floor:.1f} ms" if floor else "-", ratio, goal))


def print_table() -> None:
    header = ("benchmark", "median", "floor", "ratio", "goal")
    widths = [max(len(r[i]) for r in [header, *ROWS]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *ROWS]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))


def pillow_floor(data: bytes) -> None:
    """The image work of a booth photo with Pillow alone: open, turn, resize, encode."""
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (1600, 1600))
        upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((1600, 1600), Image.Resampling.LANCZOS)
    small = upright.copy()
    small.thumbnail((320, 320), Image.Resampling.LANCZOS)
    for picture in (upright, small):
        picture.save(io.BytesIO(), "JPEG", quality=85, optimize=True)


def bench_booth() -> None:
    user = get_user_model().objects.create_user("bench", password="bench")
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

    save()  # warm up: the profile, the first query plans
    no_photo = median_server_ms(lambda: save(folds=["UL", "UR"]), 300)
    row("booth save, no photo", no_photo, None, "<= 10 ms")

    # 4000 x 3000 = 12 megapixels, taken with the camera turned (EXIF orientation 6).
    photo = images.jpeg(4000, 3000, orientation=6, quality=92)

    def save_with_photo() -> None:
        save(photo=SimpleUploadedFile("card.jpg", photo, content_type="image/jpeg"))

    floor = median_ms(lambda: pillow_floor(photo), 15)
    with_photo = median_server_ms(save_with_photo, 15)
    row("booth save, 12 MP JPEG rotated", with_photo, floor, "<= 1.2x floor")


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    bench_booth()
    print_table()


if __name__ == "__main__":
    main()
