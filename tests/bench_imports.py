"""Import benchmarks (run by `make bench` after tests/bench.py, or alone with
`.venv/bin/python -m tests.bench_imports`): checking and importing CSV files of 10,000 and
50,000 HubSpot-like rows into a conference, beside `csv.reader` alone reading the same file,
and the peak memory of each (tracemalloc), which should not grow with the rows.

Same settings and throwaway database as tests/bench.py (DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from tests import bench  # first: it sets up Django with the benchmark's settings

# isort: split
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from contacts import imports
from events.models import Conference

HEADER = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Company Name"]
HEADER += ["Job Title", "Folds", "Notes"]
FOLDS = ["795", "7", "9", "5", "1", "3", "/", "", "UL UR", "HALF DIAG"]
MEMORY: list[tuple[str, float, float, float]] = []


def write_file(path: Path, count: int) -> None:
    """Write ``count`` people as a HubSpot-like CSV export; one in ten has an email met
    before in the file, so that some rows attach to a person instead of making one."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for n in range(count):
            email = f"person{n - n % 10 if n % 10 == 9 else n}@example.com"
            writer.writerow(
                [
                    str(100000 + n),
                    f"First{n}",
                    f"Last{n}",
                    email,
                    f"+1 555 {n:07d}",
                    f"Company {n % 997}",
                    "Head of Things",
                    FOLDS[n % len(FOLDS)],
                    f"met at the booth, talked about item {n % 1000}",
                ]
            )


def csv_reader_alone(path: Path) -> None:
    with path.open(newline="", encoding="utf-8") as file:
        for _ in csv.reader(file):
            pass


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return (time.perf_counter() - start) * 1000, result


def report(name: str, median: float, floor: float, goal: str) -> None:
    """Add a row to the table, and say it at once: the whole run takes a while."""
    bench.row(name, median, floor, goal)
    print(f"  {name}: {median:.0f} ms ({median / floor:.0f}x csv.reader)", flush=True)


def bench_size(path: Path, count: int, user, label: str) -> None:
    with path.open("rb") as file:
        source = imports.inspect(file)
    mapping = imports.auto_mapping(source, cards=True)
    targets = iter(range(10**6))

    def conference() -> Conference:
        return Conference.objects.create(
            name=f"Import {label} {next(targets)}",
            starts_on=date(2026, 11, 18),
            ends_on=date(2026, 11, 20),
        )

    def check(target: Conference) -> imports.Summary:
        with path.open("rb") as file:
            return imports.check(file, source, mapping, target)

    def save(target: Conference) -> imports.Summary:
        with path.open("rb") as file:
            return imports.save(file, source, mapping, target, user)

    floor = bench.median_ms(lambda: csv_reader_alone(path), 5)
    target = conference()
    checked_ms, checked = timed(lambda: check(target))
    assert (checked.rows, checked.errors) == (count, 0), checked
    report(f"import check, {label} rows", checked_ms, floor, "(no goal)")
    saved_ms, saved = timed(lambda: save(target))
    assert (saved.new + saved.attached, saved.skipped) == (count, 0), saved
    report(f"import, {label} rows", saved_ms, floor, "<= 5x floor")
    again_ms, again = timed(lambda: save(target))
    assert again.skipped == count, again
    report(f"import again (all skipped), {label}", again_ms, floor, "(no goal)")
    memory = (
        bench.peak_kib(lambda: csv_reader_alone(path)),
        bench.peak_kib(lambda: check(conference())),
        bench.peak_kib(lambda: save(conference())),
    )
    print("  peak memory: {:.0f} / {:.0f} / {:.0f} KiB".format(*memory), flush=True)
    MEMORY.append((label, *memory))


def main() -> None:
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("importer")
    user.groups.add(Group.objects.get(name="Managers"))
    for count in (10_000, 50_000):
        path = bench.WORK / f"people-{count}.csv"
        write_file(path, count)
        label = f"{count // 1000}k"
        print(f"{label}: {path.stat().st_size / 1e6:.1f} MB", flush=True)
        bench_size(path, count, user, label)
    bench.print_table(("benchmark", "median", "floor", "ratio", "goal"), bench.ROWS)
    print()
    print("peak memory (tracemalloc): csv.reader alone, import check, import")
    for label, reader, checked, saved in MEMORY:
        print(f"  {label:>4} rows: {reader:8.0f} KiB  {checked:8.0f} KiB  {saved:8.0f} KiB")


if __name__ == "__main__":
    main()
