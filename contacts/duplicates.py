"""Who may be the same person twice: pairs of people with an email, a phone, or a name and
a similar company in common, most certain first; and, at the booth, the known people a
card being typed may be of. Reads only; merging is contacts/merge.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from django.db import models
from django.db.models import Count

from contacts import matching, phones, queries
from contacts.models import Contact, ContactEmail, ContactPhone
from foldcard.iterables import batched

# How sure each kind of likeness makes us; a pair's certainty is the sum of its kinds.
CERTAINTY = {"email": 100, "phone": 80, "name": 60}
REASONS = {
    "email": "the same email",
    "phone": "the same phone",
    "name": "the same name and a similar company",
}
NAME_WITHOUT_COMPANY = "the same name and neither has a company"
# A phone or name shared by more people than this is a switchboard or a common name, not
# one person entered many times: its pairs are left out (and counted).
MAX_GROUP = 10
# A number kept by its digits is read in E.164 only for the numbers ending as it ends.
SAME_ENDING = 6


@dataclass
class Pair:
    """Two people who may be one: ``first`` the one to keep by default (met more often,
    else known longer), and why they look alike."""

    first: Contact
    second: Contact
    kinds: list[str] = field(default_factory=list)

    @property
    def certainty(self) -> int:
        return sum(CERTAINTY[kind] for kind in self.kinds)

    @property
    def reasons(self) -> list[str]:
        # Equal keys: the first's company key is both's.
        without_company = not matching.company_key(self.first.company)
        return [
            NAME_WITHOUT_COMPANY if kind == "name" and without_company else REASONS[kind]
            for kind in self.kinds
        ]


@dataclass(frozen=True)
class Scan:
    """The pairs found, as ids (smaller first) with their kinds, most certain first, and
    how many groups were too large to list."""

    pairs: list[tuple[int, int, tuple[str, ...]]]
    left_out: int


def scan() -> Scan:
    """Return every pair of possible duplicates among all people, most certain first (then
    the newest pairs)."""
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    left_out = 0
    groups = [("email", g) for g in _email_groups()]
    groups += [("phone", g) for g in _phone_groups()]
    groups += [("name", g) for g in _name_groups()]
    for kind, ids in groups:
        if len(ids) > MAX_GROUP:
            left_out += 1
            continue
        for pair in combinations(sorted(ids), 2):
            found[pair].add(kind)
    order = list(CERTAINTY)
    pairs = [(a, b, tuple(sorted(kinds, key=order.index))) for (a, b), kinds in found.items()]
    pairs.sort(key=lambda p: (-sum(CERTAINTY[k] for k in p[2]), -p[1], -p[0]))
    return Scan(pairs, left_out)


def _email_groups() -> Iterable[set[int]]:
    """Yield the people sharing an email: one's primary, another's other email (an email
    is unique among each kind)."""
    primary = Contact.objects.exclude(email="").filter(
        email__in=ContactEmail.objects.values("email")
    )
    # In no order (.order_by()): the model's, by name, would sort every person.
    owners = dict(primary.order_by().values_list("email", "pk"))
    others = ContactEmail.objects.filter(email__in=list(owners)).order_by()
    for email, contact_id in others.values_list("email", "contact_id"):
        if contact_id != owners[email]:
            yield {owners[email], contact_id}


def _phone_groups() -> Iterable[set[int]]:
    """Yield the people sharing a phone, primary or not: as compared (E.164), or by its
    digits as typed when it is no valid number (phones.digits), those digits also being
    the number in E.164 that its country writes so (phones.national_digits: "0171 555 0001"
    typed where no country was known is +491715550001)."""
    by_number, by_digits = _people_by_phone("phone_normalized"), _people_by_phone("phone_digits")
    endings = {digits[-SAME_ENDING:] for digits in by_digits}
    for number, people in by_number.items():
        if number[-SAME_ENDING:] not in endings:
            continue
        if (digits := phones.national_digits(number)) in by_digits:
            by_digits[digits] |= people
    yield from (ids for ids in [*by_number.values(), *by_digits.values()] if len(ids) > 1)


def _people_by_phone(compared: str) -> dict[str, set[int]]:
    """Return the people by each phone's ``compared`` field, primary or not."""
    people: dict[str, set[int]] = defaultdict(set)
    # In no order: the models' would sort every person and every other phone.
    rows = Contact.objects.exclude(**{compared: ""}).order_by().values_list(compared, "pk")
    others = ContactPhone.objects.exclude(**{compared: ""}).order_by()
    for number, pk in [*rows, *others.values_list(compared, "contact_id")]:
        people[number].add(pk)
    return people


def _name_groups() -> Iterable[set[int]]:
    """Yield the people with the same name and a similar company (matching.match_key)."""
    shared = (
        Contact.objects.exclude(match_key="")
        .values("match_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("match_key")
    )
    people: dict[str, set[int]] = defaultdict(set)
    named = Contact.objects.filter(match_key__in=shared).order_by()
    for key, pk in named.values_list("match_key", "pk"):
        people[key].add(pk)
    return people.values()


def pairs_of(found: list[tuple[int, int, tuple[str, ...]]]) -> list[Pair]:
    """Return the ``found`` pairs with their people, each with their emails, phones, number
    of cards and latest conference; the one met more often (else the older) first."""
    ids = {pk for a, b, _ in found for pk in (a, b)}
    people = with_history(Contact.objects.filter(pk__in=ids)).in_bulk()
    pairs = []
    for a, b, kinds in found:
        first, second = people[a], people[b]
        if second.card_count > first.card_count:
            first, second = second, first
        pairs.append(Pair(first, second, list(kinds)))
    return pairs


def with_history(contacts: models.QuerySet[Contact]) -> models.QuerySet[Contact]:
    """Return ``contacts`` with their emails and phones, how many cards they have
    (``card_count``) and the name of the conference of their latest (``met_at``)."""
    latest = queries.latest_conference_name()
    return contacts.annotate(card_count=Count("cards"), met_at=latest).prefetch_related(
        "other_emails", "other_phones"
    )


def possible_matches(
    email: str, phone: str, name: str, company: str, region: str | None, limit: int = 3
) -> list[Contact]:
    """Return the known people a card being typed may be of, most certain first: with its
    email (any of theirs), its phone (read as ``region``'s without a country code, and
    found too where it was kept by its digits, typed at a conference of no known country;
    a number no country reads, by its digits as typed), or its name and a similar
    company; each with their history (with_history)."""
    kinds: dict[int, int] = defaultdict(int)
    if person := queries.person_with_email(email):
        kinds[person.pk] += CERTAINTY["email"]
    normalized = phones.e164(phone, region)
    same_phone = {
        p.pk for p in queries.people_with_phone(normalized, phones.digits(phone, normalized))
    }
    # The number kept by its digits alone, typed at a conference of no known country.
    same_phone.update(
        p.pk for p in queries.people_with_phone("", phones.national_digits(normalized))
    )
    for pk in same_phone:
        kinds[pk] += CERTAINTY["phone"]
    if key := matching.match_key(name, company):
        named = Contact.objects.filter(match_key=key).order_by("pk").values_list("pk", flat=True)
        for pk in named[:limit]:
            kinds[pk] += CERTAINTY["name"]
    # Of people as certain, the one met more often, else the older: the person known from
    # before, not a duplicate made today.
    people = with_history(Contact.objects.filter(pk__in=kinds)).in_bulk().values()
    return sorted(people, key=lambda p: (-kinds[p.pk], -p.card_count, p.pk))[:limit]


# People rewritten at a time.
REWRITE_CHUNK = 2000


def rewrite_match_keys(people: models.QuerySet) -> None:
    """Give each of ``people`` (of a data migration's Contact too) the key matching.match_key
    gives them now, a chunk at a time, writing those that change: after a change of the
    rules of matching."""
    people = people.exclude(match_key="").only("name", "company", "match_key").order_by("pk")
    for chunk in batched(people.iterator(REWRITE_CHUNK), REWRITE_CHUNK):
        changed = []
        for person in chunk:
            key = matching.match_key(person.name, person.company)
            if key != person.match_key:
                person.match_key = key
                changed.append(person)
        people.model.objects.bulk_update(changed, ["match_key"])
