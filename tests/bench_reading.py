"""Benchmark of reading cards from photos: `make bench-reading` prints a table.

Generates a set of card photos (tests/reading/cardgen.py, the same set for the same
seed), reads each with ``reading.read_card`` as a booth at a Swedish conference would
(default region SE), and compares with what each card says: per field, every field at
once, the QR codes decoded, the folds (the set read exactly the card's), and the seconds
per card, wall clock and CPU (the CPU time is steadier on a shared machine). The OCR
models are loaded before the clock starts, as a worker would have them.

    .venv/bin/python -m tests.bench_reading [--cards 40] [--seed 1] [--misses]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import reading
from tests.reading.cardgen import GeneratedCard, make_set, same_field

GOALS = {"email": 0.95, "phone": 0.95}
FIELD_GOAL = 0.90
ALL_GOAL = 0.90
FOLD_GOAL = 0.95
MEDIAN_GOAL = 1.5


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--region", default="SE")
    parser.add_argument("--misses", action="store_true", help="print what was read wrong")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    cards = make_set(args.cards, args.seed)
    generated = time.perf_counter() - started
    reading.warm_up()

    right = dict.fromkeys(reading.FIELDS, 0)
    every = folds_exact = qr_cards = qr_read = 0
    walls, cpus = [], []
    for card in cards:
        wall, cpu = time.perf_counter(), time.process_time()
        result = reading.read_card(card.photo, default_region=args.region)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        wrong = [name for name in reading.FIELDS if not _same(result, card, name)]
        for name in reading.FIELDS:
            right[name] += name not in wrong
        every += not wrong
        codes = {guess.code for guess in result.folds}
        folds_exact += codes == card.folds
        if card.qr:
            qr_cards += 1
            qr_read += any(s.source == "qr" for s in result.fields.values())
        if args.misses and (wrong or codes != card.folds):
            _print_misses(card, result, wrong, codes)

    count = len(cards)
    rows = [(f"field: {name}", right[name], count, GOALS.get(name, FIELD_GOAL)) for name in right]
    rows += [
        ("every field right", every, count, ALL_GOAL),
        ("QR codes decoded", qr_read, qr_cards, None),
        ("folds exactly right", folds_exact, count, FOLD_GOAL),
    ]
    print(
        f"Reading {count} generated cards (seed {args.seed}, default region {args.region}, "
        f"generated in {generated:.0f} s)"
    )
    print(f"{'':22}{'right':>9}{'rate':>8}{'goal':>8}")
    for label, hits, total, goal in rows:
        rate = f"{hits / total:.0%}" if total else "-"
        print(f"{label:22}{f'{hits}/{total}':>9}{rate:>8}{f'{goal:.0%}' if goal else '':>8}")
    p95 = statistics.quantiles(walls, n=20)[-1] if count >= 2 else walls[0]
    print(
        f"seconds per card: median {statistics.median(walls):.2f} (goal {MEDIAN_GOAL}), "
        f"p95 {p95:.2f}; CPU median {statistics.median(cpus):.2f}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


def _same(result: reading.Reading, card: GeneratedCard, name: str) -> bool:
    got = result.fields.get(name)
    return same_field(name, got.value if got else None, card.fields.get(name))


def _print_misses(
    card: GeneratedCard, result: reading.Reading, wrong: list[str], codes: set[str]
) -> None:
    print(f"seed {card.seed} ({card.layout}, {card.region}, QR {card.qr}, turned {card.rotation})")
    for name in wrong:
        got = result.fields.get(name)
        print(f"  {name}: {card.fields.get(name)!r} read as {got.value if got else None!r}")
    if codes != card.folds:
        print(f"  folds: {sorted(card.folds)} read as {sorted(codes)}")
    print(f"  lines: {result.lines}")


if __name__ == "__main__":
    main()
