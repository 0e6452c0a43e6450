"""Duplicate scan benchmark (run by `make bench` after tests/bench.py, or alone with
`.venv/bin/python -m tests.bench_duplicates`): finding every pair of possible duplicates
among 100,000 people (the managers' page's scan, then its first page as the server renders
it). Goal: the scan in at most 5 s.

The people: random names from 3,000 first and 3,000 last names at 5,000 companies; one in
fifty is someone entered again (another spelling of the company: case, accents, a legal
form), one in a hundred has another person's email as a second email, and four in ten
have a phone, one in a hundred that of someone else. Same settings and throwaway database
as tests/bench.py (DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import random
import time

from tests import bench  # first: it sets up Django with the benchmark's settings

# isort: split
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from contacts import duplicates, matching
from contacts.models import Contact, ContactEmail, ContactPhone

PEOPLE = 100_000
LEGAL = ["AB", "GmbH", "Inc.", "Ltd", "", ""]


def add_people(count: int, seed: int = 1) -> None:
    """Add ``count`` people as described above, in batches."""
    rng = random.Random(seed)
    firsts = [f"First{n}" for n in range(3000)]
    lasts = [f"Last{n}" for n in range(3000)]
    companies = [f"Company {n}" for n in range(5000)]
    people: list[Contact] = []
    for n in range(count):
        if n % 50 == 49:  # someone entered again, their company spelt another way
            earlier = people[rng.randrange(len(people))]
            name, company = earlier.name.upper(), f"{earlier.company} {rng.choice(LEGAL)}"
        else:
            name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
            company = f"{rng.choice(companies)} {rng.choice(LEGAL)}".strip()
        phone = ""
        if rng.random() < 0.4:
            phone = f"+468{rng.randrange(10**6, 10**7)}"
        people.append(
            Contact(
                name=name,
                company=company,
                email=f"p{n}@example.com",
                phone=phone,
                phone_normalized=phone,
                match_key=matching.match_key(name, company),
            )
        )
    for start in range(0, count, 5000):
        Contact.objects.bulk_create(people[start : start + 5000])
    ids = list(Contact.objects.values_list("pk", "email"))
    others = [
        ContactEmail(contact_id=pk, email=rng.choice(ids)[1])
        for pk, _ in rng.sample(ids, count // 100)
    ]
    ContactEmail.objects.bulk_create(others, ignore_conflicts=True)
    phones = [
        ContactPhone(contact_id=pk, phone=number, phone_normalized=number)
        for pk, number in zip(
            (pk for pk, _ in rng.sample(ids, count // 100)),
            (f"+468{rng.randrange(10**6, 10**7)}" for _ in range(count // 100)),
            strict=False,
        )
    ]
    ContactPhone.objects.bulk_create(phones)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE contacts_contact, contacts_contactemail")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    manager = get_user_model().objects.create_user("manager")
    manager.groups.add(Group.objects.get(name="Managers"))
    add_people(PEOPLE)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        found = duplicates.scan()
        times.append(time.perf_counter() - start)
    times.sort()
    kinds: dict[str, int] = {}
    for _, _, pair_kinds in found.pairs:
        for kind in pair_kinds:
            kinds[kind] = kinds.get(kind, 0) + 1
    print(
        f"{PEOPLE:,} people: {len(found.pairs):,} pairs {kinds}, {found.left_out} groups left out"
    )
    client = Client()
    client.force_login(manager)
    page_ms = bench.median_server_ms(lambda: client.get(reverse("contacts-duplicates")), 3)
    bench.row("duplicate scan, 100k people", times[1] * 1000, None, "<= 5 s")
    bench.row("duplicates page, 100k people", page_ms, None, "")
    bench.print_table(("benchmark", "median", "floor", "ratio", "goal"), bench.ROWS)


if __name__ == "__main__":
    main()
