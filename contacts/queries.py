"""What the pages and exports read: the follow-up list's plan, counts per meaning, and
cards decoded through their vocabularies. Writes live in services.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, TruncDate

from contacts import emails, folds, followups, matching, phones, rules
from contacts import search as contacts_search
from contacts.models import (
    FOLD_MEANING_FIELDS,
    FOLLOW_UP_ORDER,
    Card,
    Contact,
    ContactEmail,
    ContactPhone,
    FoldRule,
    ImportedRow,
    Meaning,
    Reprioritization,
    Vocabulary,
    VocabularyChange,
)
from events.models import Conference
from foldcard.sql import ExistsPerRow, JSONRows, Prepared, any_of, capped_counts

PAGE_SIZE = 50
# The follow-up list counts its rows up to this many; more are shown as "10,000+".
COUNT_CAP = 10_000


def decode_cards(cards: Iterable[Card]) -> list[Card]:
    """Set ``card.decoding`` on each card, compiling each vocabulary's table once."""
    tables: dict[int, tuple] = {}
    cards = list(cards)
    for card in cards:
        if card.vocabulary_id not in tables:
            tables[card.vocabulary_id] = card.vocabulary.table()
        card.decoding = card.decode(tables[card.vocabulary_id])
    return cards


def with_decoder(users: models.QuerySet) -> models.QuerySet:
    """Annotate each user with what their new cards are decoded with: the vocabulary they
    chose or the site's (``decoder_vocabulary``, ``decoder_default_window``), its rules
    and the active meanings (``decoder_rules``, ``decoder_meanings``: foldcard.sql.JSONRows)
    — read with the user, so that a save at the booth reads no vocabulary of its own and
    an edit is seen by the next request, on every server (see services.Decoder)."""
    site_default = Vocabulary.objects.order_by("-is_default", "pk").values("pk")[:1]
    vocabulary = Coalesce(F("foldcard_settings__vocabulary"), Subquery(site_default))
    chosen = OuterRef("decoder_vocabulary")
    return users.annotate(
        decoder_vocabulary=vocabulary,
        decoder_default_window=Subquery(
            Vocabulary.objects.filter(pk=chosen).order_by().values("default_window_days")
        ),
        decoder_rules=Subquery(
            FoldRule.objects.filter(vocabulary=chosen)
            .order_by()
            .annotate(rows=JSONRows("pattern", "meanings__slug"))
            .values("rows")
        ),
        decoder_meanings=Subquery(
            Meaning.objects.filter(active=True)
            .order_by()
            .annotate(rows=JSONRows(*FOLD_MEANING_FIELDS))
            .values("rows")
        ),
    )


def reordering() -> int | None:
    """Return how far the re-prioritization after a vocabulary edit is, in percent (the
    least advanced job), or None when none runs."""
    running = Reprioritization.objects.filter(finished_at=None)
    return min((job.percent for job in running), default=None)


def met_before(card: Card) -> list[str]:
    """Return the names of the other conferences where the card's person was met."""
    others = Conference.objects.filter(cards__contact_id=card.contact_id)
    return list(others.exclude(pk=card.conference_id).distinct().values_list("name", flat=True))


@dataclass(frozen=True)
class MeaningCount:
    slug: str
    label: str
    colour: str
    count: int


def meaning_counts(cards: models.QuerySet[Card]) -> list[MeaningCount]:
    """Return how many of ``cards`` carry each meaning (a card counts once for each of its
    meanings), then the unclassified ones; one query plus the vocabularies' tables."""
    rows = cards.order_by().values_list("vocabulary_id", "folds").annotate(n=Count("pk"))
    return _per_meaning(list(rows))


def dashboard_counts(cards: models.QuerySet[Card], today: date) -> tuple[dict, list]:
    """Return the totals of ``cards`` (``total``, ``done``, ``dropped``) and their
    meaning_counts(), from one pass over them, and ``overdue``: the overdue follow-ups, one
    per person as the follow-up list counts them (a conference's cards: one per person)."""
    rows = list(
        cards.order_by()
        .values_list("vocabulary_id", "folds")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(state=Card.State.DONE)),
            dropped=Count("pk", filter=Q(state=Card.State.DROPPED)),
        )
    )
    names = ("total", "done", "dropped")
    totals = {name: sum(row[2 + i] for row in rows) for i, name in enumerate(names)}
    overdue = cards.filter(rules.overdue(today)).order_by().values("contact_id").distinct()
    totals["overdue"] = overdue.count()
    return totals, _per_meaning([row[:3] for row in rows])


def _per_meaning(rows: list[tuple[int, int, int]]) -> list[MeaningCount]:
    """Return the counts per meaning of (vocabulary, folds, cards) ``rows``."""
    vocabularies = Vocabulary.objects.in_bulk({vocabulary_id for vocabulary_id, _, _ in rows})
    tables = {pk: vocabulary.table() for pk, vocabulary in vocabularies.items()}
    found: dict[str, list] = {}
    unclassified = 0
    for vocabulary_id, mask, n in rows:
        meanings = tables[vocabulary_id][mask].meanings
        if not meanings:
            unclassified += n
        for meaning in meanings:
            found.setdefault(meaning.slug, [meaning, 0])[1] += n
    counts = [
        MeaningCount(m.slug, m.label, m.colour, n)
        for m, n in sorted(found.values(), key=lambda pair: (pair[0].order, pair[0].slug))
    ]
    if unclassified:
        counts.append(MeaningCount("", "Unclassified", "#adb5bd", unclassified))
    return counts


@dataclass(frozen=True)
class FollowupFilters:
    """What the follow-up list is narrowed to; waiting cards of the user by default."""

    state: str = "open"
    owner: str = "me"
    conference: Conference | None = None
    meaning: Meaning | None = None
    q: str = ""
    due: str = ""  # a due bucket of followups.BUCKETS, or any


def followup_cards(user, today: date, filters: FollowupFilters) -> models.QuerySet[Card]:
    """Return the cards the follow-up list shows for ``filters``, in no order (several per
    person: see first_per_person)."""
    cards = Card.objects.all()
    if filters.state == "open":
        cards = cards.filter(rules.waiting(today))
    elif filters.state != "all":
        cards = cards.filter(rules.in_state(filters.state))
    if filters.owner == "me":
        cards = cards.filter(owner=user)
    elif filters.owner != "all":
        cards = cards.filter(owner_id=int(filters.owner))
    if filters.conference:
        cards = cards.filter(conference=filters.conference)
    if filters.meaning:
        cards = cards.with_meaning(filters.meaning)
    if filters.q:
        cards = search(cards, filters.q)
    if filters.due:
        cards = cards.filter(followups.due_in(filters.due, today))
    return cards


# The follow-up list's orders: each ends with the card's id, so that pages never overlap.
SORTS = {
    "due": ("Due", FOLLOW_UP_ORDER),
    "priority": ("Priority", ("-priority", *FOLLOW_UP_ORDER)),
    "conference": ("Conference", ("-conference__starts_on", "conference__name", *FOLLOW_UP_ORDER)),
    "met": ("When met", ("-logged_at", "pk")),
}

# What a phone number is written with besides its digits.
PHONE_SEPARATORS = " -()./+"


def search(cards: models.QuerySet[Card], text: str) -> models.QuerySet[Card]:
    """Return the cards whose person's name, company, email, phone or notes, or whose own
    note, contain ``text``, case and accents aside; a phone number also matches by its
    digits alone. Answered from the search index (contacts/search.py), read once when it
    finds few enough cards (SEARCH_READ_ONCE)."""
    needles = [matching.folded(text)]
    digits = phones.digits_of(text)
    if digits and all(c.isdigit() or c in PHONE_SEPARATORS for c in text) and digits != text:
        needles.append(digits)
    found = contacts_search.containing(cards, needles)
    if others := people_by_other_details(needles):
        found = found | cards.filter(contact_id__in=others)
    ids = list(found.order_by().values_list("pk", flat=True)[: SEARCH_READ_ONCE + 1])
    if len(ids) > SEARCH_READ_ONCE:
        return found
    return cards.filter(pk__in=ids)


# A search that finds no more cards than this is read from the index once: the follow-up
# list's counts, page and siblings then read those cards by id, instead of each searching
# again. A broader search stays a condition of every query.
SEARCH_READ_ONCE = 2000


# More people than this found by another email or phone: the search is too broad for them
# to matter, and a longer list of ids would cost the search its index.
OTHER_DETAILS_FOUND = 1000


def people_by_other_details(needles: list[str]) -> list[int]:
    """Return the ids of the people one of whose emails or phones besides the primary
    ones contains one of ``needles``: those are not in the cards' search text, as reading
    them would cost every card's save a query. Ids, not a subquery: the database then ORs
    the search index and the cards' index by person."""
    match = Q.create([("email__contains", n) for n in needles], connector="OR")
    phone = Q.create(
        [(f, n) for n in needles for f in ("phone__icontains", "phone_normalized__contains")],
        connector="OR",
    )
    emails = ContactEmail.objects.filter(match).order_by().values("contact_id")
    phones = ContactPhone.objects.filter(phone).order_by().values("contact_id")
    found = emails.union(phones).order_by("contact_id")[:OTHER_DETAILS_FOUND]
    return [row["contact_id"] for row in found]


def first_per_person(cards: models.QuerySet[Card]) -> models.QuerySet[Card]:
    """Return, of ``cards``, the one that stands for each person at each conference in the
    follow-up list: their first in follow-up order."""
    # A card stays when none of ``cards`` of the same person and conference comes before it:
    # its siblings are looked up in the card_person index for each card read (not as an
    # anti-join: see ExistsPerRow), where a card finds itself first; leaving it out there
    # spares reading its row again.
    siblings = cards.filter(contact=OuterRef("contact"), conference=OuterRef("conference"))
    siblings = siblings.exclude(pk=OuterRef("pk"))
    return cards.filter(~ExistsPerRow(siblings.filter(_before_outer())))


def _before_outer() -> Q:
    """Return the cards that come before the outer query's card in FOLLOW_UP_ORDER."""
    before = Q()
    same = Q()
    for key in FOLLOW_UP_ORDER:
        name = key.removeprefix("-")
        lookup = "gt" if key.startswith("-") else "lt"
        before |= same & Q(**{f"{name}__{lookup}": OuterRef(name)})
        same &= Q(**{name: OuterRef(name)})
    return before


def whole_followup(card: Card, user, today: date) -> models.QuerySet[Card]:
    """Return the cards that marking ``card`` done, dropping or snoozing it act on: the card,
    and the other waiting cards of its person at its conference that have the same owner
    and that ``user`` may work on."""
    same_followup = Q(contact_id=card.contact_id, conference_id=card.conference_id)
    siblings = rules.waiting(today) & same_followup & Q(owner_id=card.owner_id)
    return Card.objects.filter(Q(pk=card.pk) | siblings).filter(rules.workable(user))


def followup_key(card: Card) -> tuple[int, int, int | None]:
    """Return what the cards of one follow-up share (see whole_followup): the person, the
    conference and the owner."""
    return (card.contact_id, card.conference_id, card.owner_id)


def whole_followups(cards: list[Card], user, today: date) -> models.QuerySet[Card]:
    """Return the waiting cards of the people of ``cards`` that ``user`` may work on, in
    follow-up order: grouped by followup_key(), each card's whole_followup() in one
    query."""
    people = {card.contact_id for card in cards}
    found = Card.objects.filter(rules.waiting(today), contact_id__in=people)
    return found.filter(rules.workable(user)).order_by(*FOLLOW_UP_ORDER)


def followup_counts(rows: models.QuerySet[Card], today: date) -> dict[str, int]:
    """Return how many of ``rows`` fall in each due bucket, each counted no further than
    COUNT_CAP + 1 (shown as "10,000+": see is_capped)."""
    # Each bucket's rows are read in due order from the follow-up indexes up to the cap,
    # so that the count costs no more than COUNT_CAP rows however many cards wait.
    buckets = {key: rows.filter(followups.due_in(key, today)) for key in followups.BUCKETS}
    return capped_counts(buckets, COUNT_CAP)


def is_capped(count: int) -> bool:
    """Return whether ``count`` (one of followup_counts) was cut at COUNT_CAP."""
    return count > COUNT_CAP


def any_capped(counts: dict[str, int]) -> bool:
    """Return whether a bucket of ``counts`` (followup_counts) was cut: their sum is then
    no more than "at least"."""
    return any(is_capped(count) for count in counts.values())


def shown_count(count: int) -> str:
    """Return ``count`` as the follow-up list shows it: "10,000+" when it was cut."""
    return f"{COUNT_CAP:,}+" if is_capped(count) else str(count)


def shown_total(counts: dict[str, int]) -> str:
    """Return the rows of ``counts`` (followup_counts) in all, as the list shows them:
    "12,000+" when a bucket was cut."""
    if any_capped(counts):
        return f"{sum(min(count, COUNT_CAP) for count in counts.values()):,}+"
    return str(sum(counts.values()))


@dataclass
class FollowupGroup:
    key: str
    label: str
    count: int
    shown_count: str  # the count as the list shows it (shown_count, shown_total)
    cards: list[Card] = field(default_factory=list)


@dataclass(frozen=True)
class ListPage:
    """Which page of the follow-up list is shown, and which pages there are around it."""

    number: int
    has_next: bool
    # How many pages there are, when the count of rows is exact (else None: see is_capped).
    num_pages: int | None
    # How many rows sooner than its place the page starts (see page_start), as do the pages
    # before and after it.
    left: int = 0

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


# The key of the one group of a list not grouped by due bucket.
ALL = "all"


@dataclass(frozen=True)
class FollowupPage:
    page: ListPage
    groups: list[FollowupGroup]
    # Rows in all, each bucket counted up to COUNT_CAP + 1 (see followup_counts).
    counts: dict[str, int]


def rows_reached(counts: dict[str, int]) -> int:
    """Return how many rows of a list of ``counts`` (followup_counts) the pages reach: when a
    bucket was cut, as many as the counts could reach, so that a page's OFFSET stays
    bounded (and a number the database could not take is never asked)."""
    return COUNT_CAP * len(counts) if any_capped(counts) else sum(counts.values())


def last_page(counts: dict[str, int]) -> int:
    """Return the last page of a list of ``counts`` (followup_counts) rows."""
    return max(1, -(-rows_reached(counts) // PAGE_SIZE))


def _count_of(asked: str | int | None) -> int:
    """Return ``asked`` (a query's parameter) as a count: 0 when it is not a whole number
    of at least 0."""
    try:
        return max(0, int(asked or 0))
    except (TypeError, ValueError):
        return 0


def page_start(asked: str | int | None, left: str | int | None, counts: dict[str, int]) -> int:
    """Return the row the page ``asked`` starts at, ``left`` rows sooner than its place
    (rows of the pages before that have left the list since they were shown): the first
    page when it is not a number, the last when it starts past the end."""
    start = max(0, (max(1, _count_of(asked)) - 1) * PAGE_SIZE - _count_of(left))
    if start >= rows_reached(counts):
        return (last_page(counts) - 1) * PAGE_SIZE
    return start


def followup_page(
    cards: models.QuerySet[Card],
    user,
    today: date,
    number: str | int | None,
    sort: str = "due",
    left: str | int | None = None,
    heading: str = "",
) -> FollowupPage:
    """Return page ``number`` of the list of ``cards``, one row per person per conference
    in the order ``sort`` of SORTS; in due order grouped by due bucket with each bucket's
    count over all pages, in another order (or with a ``heading``: cards closed, due no
    more) as one group. ``left`` rows of the pages before have left the list since they
    were shown (worked in place: done, snoozed, dropped), so that the page starts that many
    rows sooner, at the first row not shown yet."""
    rows = first_per_person(cards)
    counts = followup_counts(rows, today)
    start = page_start(number, left, counts)
    # The page's cards are found by id first, read in the list's order from an index and
    # stopping after the page (OFFSET: a cost that grows with the page's number, not with
    # the list), then read whole. One id more says whether a next page exists, which a
    # capped count cannot.
    ordered_ids = rows.order_by(*SORTS[sort][1]).values_list("pk", flat=True)
    ids = list(ordered_ids[start : start + PAGE_SIZE + 1])
    # Its number is that of the page it ends in, which it starts ``left`` rows sooner than.
    number = -(-start // PAGE_SIZE) + 1
    after = max(0, sum(counts.values()) - start - PAGE_SIZE)
    page = ListPage(
        number,
        has_next=len(ids) > PAGE_SIZE and start + PAGE_SIZE < rows_reached(counts),
        num_pages=None if any_capped(counts) else number - (-after // PAGE_SIZE),
        left=(number - 1) * PAGE_SIZE - start,
    )
    ids = ids[:PAGE_SIZE]
    found = with_row_data(Card.objects).in_bulk(ids)
    shown = [found[pk] for pk in ids if pk in found]
    # Their other cards that the list keeps, read through the card_person index and each
    # checked against the list's filters (SQLite would read the list's every card
    # otherwise, for the order of its index on the due date).
    in_list = Exists(cards.filter(pk=OuterRef("pk")))
    others = with_row_data(Card.objects).filter(people_of(shown), in_list).exclude(pk__in=ids)
    rows = followup_rows(shown, user, today, others.order_by(*FOLLOW_UP_ORDER))
    if sort != "due" or heading:
        label = heading or f"By {SORTS[sort][0].lower()}"
        group = FollowupGroup(ALL, label, sum(counts.values()), shown_total(counts), rows)
        return FollowupPage(page, [group] if rows else [], counts)
    groups = {
        key: FollowupGroup(key, label, counts[key], shown_count(counts[key]))
        for key, label in followups.BUCKETS.items()
    }
    for card in rows:
        groups[card.bucket].cards.append(card)
    return FollowupPage(page, [g for g in groups.values() if g.cards], counts)


def read_persons_consent(cards: Iterable[Card]) -> None:
    """Set on each of ``cards`` what its person said last of being contacted, read now in
    one query (CardQuerySet.with_persons_consent), for rules.may_be_emailed."""
    by_id = {card.pk: card for card in cards}
    said = Card.objects.with_persons_consent().filter(pk__in=by_id)
    for pk, consent in said.values_list("pk", "persons_consent"):
        by_id[pk].persons_consent = consent


def with_row_data(cards: models.QuerySet[Card]) -> models.QuerySet[Card]:
    """Return ``cards`` with what a follow-up's row or page shows of them, read with them."""
    related = cards.select_related("contact", "conference", "vocabulary", "owner")
    return related.with_persons_consent()


def people_of(cards: list[Card]) -> Q:
    """Return the cards of the same people at the same conferences as ``cards``."""
    people = Q(pk__in=[])
    for card in cards:
        people |= Q(contact_id=card.contact_id, conference_id=card.conference_id)
    return people


def followup_row(card: Card, user, today: date, other_ids: Iterable[int]) -> Card:
    """Return ``card`` prepared as its row is shown after an action, with the cards
    ``other_ids`` (those the action changed with it) under it."""
    return changed_rows([card.pk], user, today, other_ids, {card.pk: card})[0]


def changed_rows(
    ids: list[int],
    user,
    today: date,
    other_ids: Iterable[int],
    known: dict[int, Card] | None = None,
) -> list[Card]:
    """Return the cards ``ids`` (read in one query, but for those ``known`` already)
    prepared as their rows are shown after an action on them, with the cards ``other_ids``
    that it changed with them under each; the rows in the order of ``ids``."""
    known = known or {}
    found = {**with_row_data(Card.objects).in_bulk(set(ids) - set(known)), **known}
    others = with_row_data(Card.objects).filter(pk__in=set(other_ids) - set(ids))
    cards = [found[pk] for pk in ids if pk in found]
    return followup_rows(cards, user, today, others.order_by(*FOLLOW_UP_ORDER))


def person_cards(card: Card) -> list[Card]:
    """Return the other cards of the card's person, at any conference, latest first,
    decoded."""
    cards = Card.objects.filter(contact_id=card.contact_id).exclude(pk=card.pk)
    cards = cards.select_related("conference", "vocabulary", "owner").order_by("-logged_at")
    return decode_cards(cards)


def followup_rows(cards: list[Card], user, today: date, others: Iterable[Card] = ()) -> list[Card]:
    """Decode each card and attach what its row shows: bucket, states, what the user may
    do, the email link, and ``others``, the person's other cards at that conference in
    follow-up order."""
    others = list(others)
    decode_cards([*cards, *others])
    followed_by = _followed_by(cards, others)
    for card in cards:
        card.bucket = followups.bucket(card.due_on, today)
        card.is_open = rules.is_open(card)
        card.is_overdue = rules.is_overdue(card, today)
        card.can_work = rules.can_work(user, card)
        card.may_be_emailed = rules.may_be_emailed(card)
        card.mailto_url = emails.mailto_url(card)
        card.others = [
            other
            for other in others
            if (other.contact_id, other.conference_id) == (card.contact_id, card.conference_id)
        ]
        owners = followed_by.get((card.contact_id, card.conference_id), {})
        card.also_followed_by = [name for pk, name in owners.items() if pk != card.owner_id]
    return cards


def _followed_by(cards: list[Card], others: list[Card]) -> dict[tuple[int, int], dict[int, str]]:
    """Return who else has an open follow-up of the people of ``cards`` at their
    conferences, in cards not among ``cards`` and ``others``: for each person and
    conference, the owners' user names by id."""
    if not cards:
        return {}
    shown = [card.pk for card in (*cards, *others)]
    found = Card.objects.filter(people_of(cards), rules.open_followups()).exclude(pk__in=shown)
    found = found.exclude(owner=None).order_by("owner__username")
    followed_by: dict[tuple[int, int], dict[int, str]] = {}
    rows = found.values_list("contact_id", "conference_id", "owner", "owner__username")
    for person, conference, owner, name in rows:
        followed_by.setdefault((person, conference), {})[owner] = name
    return followed_by


def filterable_owners() -> models.QuerySet:
    """Return whose follow-ups the list can be filtered by: every active user (one whose
    role was taken away may still have some), and those deactivated who still own a card,
    so that a manager finds a leaver's cards to hand them over."""
    owns = Exists(Card.objects.filter(owner=OuterRef("pk")))
    return get_user_model().objects.filter(Q(is_active=True) | owns)


def due_for_digest(user, today: date) -> list[Card]:
    """Return the user's follow-ups due today or before, most urgent first, decoded: a
    person met twice at a conference once, as on the follow-up list."""
    due = Card.objects.filter(rules.waiting(today), owner=user, due_on__lte=today)
    cards = first_per_person(due)
    cards = cards.select_related("contact", "conference", "vocabulary").order_by(*FOLLOW_UP_ORDER)
    return decode_cards(cards)


def done_per_day(conference: Conference, today: date, days: int = 30) -> list:
    """Return (day, cards marked done that day, in the conference's time zone) for each day
    since the conference's last day, the last ``days`` of them at most, days without any
    included."""
    first = max(conference.ends_on, today - timedelta(days=days - 1))
    done = conference.cards.filter(state=Card.State.DONE, state_changed_at__isnull=False)
    counts = dict(
        done.annotate(day=TruncDate("state_changed_at", tzinfo=conference.zone))
        .filter(day__gte=first)
        .order_by()
        .values_list("day")
        .annotate(n=Count("pk"))
    )
    return [(day, counts.get(day, 0)) for day in _days(first, today)]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def cards_with_email(conference: Conference, email: str) -> models.QuerySet[Card]:
    """Return the cards logged at ``conference`` of the person with ``email`` (any of
    theirs), first first."""
    person = person_with_email(email)
    cards = conference.cards.filter(contact=person).select_related("contact", "logged_by")
    return cards.order_by("logged_at", "pk")


def by_folds(table: tuple[folds.Decoding, ...], name: str, as_days: bool = False) -> Case:
    """Return a SQL expression giving each card the ``name`` of its folds' decoding."""
    values: dict[int, list[int]] = defaultdict(list)
    for decoding in table:
        values[getattr(decoding, name)].append(decoding.folds)
    return Case(
        *(
            When(
                folds__in=masks,
                then=Value(timedelta(days=value) if as_days else value),
            )
            for value, masks in values.items()
        ),
        output_field=models.DurationField() if as_days else models.IntegerField(),
    )


def due_by_folds(table: tuple[folds.Decoding, ...]) -> Cast:
    """Return a SQL expression giving each card its due date under ``table``."""
    return Cast(
        F("due_from") + by_folds(table, "window_days", as_days=True),
        output_field=models.DateField(),
    )


def affected(
    vocabulary: Vocabulary, kind: str, before: dict | None, after: dict | None
) -> models.QuerySet[Vocabulary]:
    """Return the vocabularies whose decoding a change of ``vocabulary`` may alter: for a
    meaning (shared by all), every vocabulary with a rule using it."""
    if kind == VocabularyChange.Kind.MEANING:
        slug = (after or before)["slug"]
        return Vocabulary.objects.filter(rules__meanings__slug=slug).distinct().order_by("pk")
    return Vocabulary.objects.filter(pk=vocabulary.pk)


def proposed_table(
    vocabulary: Vocabulary, kind: str, before: dict | None, after: dict | None
) -> tuple[folds.Decoding, ...]:
    """Return the decoding table ``vocabulary`` would have after a change (a meaning, a
    rule or its settings, before → after as plain data; see contacts/vocabularies.py)."""
    rules = {rule.pattern: rule.meanings for rule in vocabulary.fold_rules()}
    meanings = {m.slug: m.as_fold_meaning() for m in Meaning.objects.filter(active=True)}
    window = vocabulary.default_window_days
    if kind == VocabularyChange.Kind.MEANING:
        meanings.pop((before or after)["slug"], None)
        if after is not None and after["active"]:
            meanings[after["slug"]] = Meaning(**after).as_fold_meaning()
    elif kind == VocabularyChange.Kind.RULE:
        if before is not None:
            rules.pop(before["pattern"], None)
        if after is not None:
            rules[after["pattern"]] = frozenset(after["meanings"])
    elif after is not None:
        window = after["default_window_days"]
    fold_rules = [folds.Rule(pattern, slugs) for pattern, slugs in sorted(rules.items())]
    return folds.compile_table(fold_rules, meanings, window)


@dataclass(frozen=True)
class CombinationChange:
    """A fold combination whose decoding a change alters."""

    keys: str
    codes: list[str]
    before: folds.Decoding
    after: folds.Decoding

    @property
    def meanings_changed(self) -> bool:
        """Return whether the combination means other things (not only weighs otherwise)."""
        return [m.slug for m in self.before.meanings] != [m.slug for m in self.after.meanings]


@dataclass
class Preview:
    """What a vocabulary change would do, worked out by the fold engine before it is saved."""

    combinations: list[CombinationChange]
    # The vocabularies a change of a meaning touches (those using it), when it touches
    # another than the one edited; else none.
    shared: list[Vocabulary]
    cards: int = 0
    priority_changes: int = 0
    due_changes: int = 0
    into_overdue: int = 0
    out_of_overdue: int = 0
    # The cards of the follow-up list (those the editor may see) that would come first,
    # each with `was` (its place before, 1-based, or None when it was not among them).
    first: list[Card] = field(default_factory=list)
    moved: list[Card] = field(default_factory=list)


PREVIEW_FIRST = 5


def vocabulary_preview(
    vocabulary: Vocabulary, kind: str, before: dict | None, after: dict | None, user, today: date
) -> Preview:
    """Return what a change would do: the combinations of ``vocabulary`` that decode
    otherwise, and what happens to the cards of every vocabulary it touches (how many
    change priority or due date, move into or out of Overdue, and the first cards of the
    follow-up list after it)."""
    touched = list(affected(vocabulary, kind, before, after))
    vocabularies = touched if vocabulary in touched else [vocabulary, *touched]
    changed = Q(pk__in=[])
    new_priority, new_due = [], []
    combinations: list[CombinationChange] = []
    for each in vocabularies:
        old, new = each.table(), proposed_table(each, kind, before, after)
        masks = [mask for mask in folds.MASKS if old[mask] != new[mask]]
        if each == vocabulary:
            combinations = [
                CombinationChange(folds.to_keys(m), folds.to_codes(m), old[m], new[m])
                for m in masks
            ]
        if masks:
            changed |= Q(vocabulary=each, folds__in=masks)
            new_priority.append(When(vocabulary=each, then=by_folds(new, "priority")))
            new_due.append(When(vocabulary=each, then=due_by_folds(new)))
    preview = Preview(combinations, touched if set(touched) - {vocabulary} else [])
    if not new_priority:
        return preview
    cards = Card.objects.annotate(
        new_priority=Case(*new_priority, default=F("priority")),
        new_due=Case(*new_due, default=F("due_on"), output_field=models.DateField()),
    )
    waiting = rules.waiting(today)
    counts = cards.filter(changed).aggregate(
        cards=Count("pk"),
        priority_changes=Count("pk", filter=waiting & ~Q(new_priority=F("priority"))),
        due_changes=Count("pk", filter=waiting & ~Q(new_due=F("due_on"))),
        into_overdue=Count("pk", filter=waiting & Q(due_on__gte=today, new_due__lt=today)),
        out_of_overdue=Count("pk", filter=waiting & Q(due_on__lt=today, new_due__gte=today)),
    )
    for name, value in counts.items():
        setattr(preview, name, value)
    if user.has_perm("contacts.work_followups"):
        seen = cards.filter(waiting, rules.workable(user)).select_related("contact")
        old_first = _rows(seen.order_by(*FOLLOW_UP_ORDER))
        order = ("new_due", "-new_priority", "logged_at", "pk")
        preview.first = _rows(seen.order_by(*order))
        for place, card in enumerate(preview.first, 1):
            card.was = next((i for i, c in enumerate(old_first, 1) if c.pk == card.pk), None)
            card.moves = card.was != place
        moved = seen.filter(changed).exclude(new_priority=F("priority"), new_due=F("due_on"))
        preview.moved = _rows(moved.order_by(*order))
    return preview


def _rows(cards: models.QuerySet[Card], count: int = PREVIEW_FIRST) -> list[Card]:
    """Return the first ``count`` rows of the follow-up list in the order of ``cards``, a
    person's first card at each conference standing for them, found among ten times that
    many cards (first_per_person knows only the list's order as it is, not the one
    previewed)."""
    rows: dict[tuple[int, int], Card] = {}
    for card in cards[: count * 10]:
        rows.setdefault((card.contact_id, card.conference_id), card)
        if len(rows) == count:
            break
    return list(rows.values())


def left_without_cards() -> models.QuerySet[Contact]:
    """Return the people whom their cards alone brought: without a card left, and not
    imported into the contacts (a file of a CRM's people). Their last card going takes
    them with it; the people imported stay, without the card."""
    imported = ImportedRow.objects.filter(contact=OuterRef("pk"), card=None)
    return Contact.objects.filter(cards__isnull=True).exclude(Exists(imported))


def person_with_email(email: str) -> Contact | None:
    """Return the person whose email, primary or another, is ``email``; else None."""
    email = Contact.normalize_email(email)
    return PERSON_WITH_EMAIL.first(email) if email else None


def moved_to(card: Card, email: str, confirmed: int | None) -> Contact | None:
    """Return the other person whose email ``email`` is, to whom an edit giving the card
    that email moves it (services.update_card), unless ``confirmed`` is their id (the
    editor said the card is theirs); else None. Another email of the card's own person
    moves it to no one."""
    email = Contact.normalize_email(email)
    if not email or email == card.contact.email:
        return None
    known = person_with_email(email)
    if known is None or known.pk in (card.contact_id, confirmed):
        return None
    return known


# Asked by every card saved at the booth.
PERSON_WITH_EMAIL = Prepared(
    lambda email: Contact.objects.filter(
        pk__in=any_of(
            Contact.objects.filter(email=email).values("pk"),
            ContactEmail.objects.filter(email=email).values("contact_id"),
        )
    )[:1]
)


def people_with_phone(normalized: str, digits: str = "") -> Iterable[Contact]:
    """Return the people with the phone ``normalized`` (E.164), primary or another, by id;
    for a number that is no valid one, those with its ``digits`` as typed (phones.digits)."""
    field, value = ("phone_normalized", normalized) if normalized else ("phone_digits", digits)
    return PEOPLE_WITH_PHONE[field](value) if value else []


# Asked by every card saved at the booth with a phone, and by its "same person?".
PEOPLE_WITH_PHONE = {
    field: Prepared(
        lambda value, field=field: Contact.objects.filter(
            pk__in=any_of(
                Contact.objects.filter(**{field: value}).values("pk"),
                ContactPhone.objects.filter(**{field: value}).values("contact_id"),
            )
        ).order_by("pk")
    )
    for field in ("phone_normalized", "phone_digits")
}


def known_person(contact_id: int | None, email: str, phone: str, name: str) -> Contact | None:
    """Return the known person a card is of (see first_known), asking the database."""
    return first_known(
        lambda: Contact.objects.filter(pk=contact_id).first() if contact_id is not None else None,
        lambda: person_with_email(email),
        lambda: people_with_phone(phone),
        email,
        name,
    )


def first_known(
    chosen: Callable[[], Contact | None],
    with_email: Callable[[], Contact | None],
    with_phone: Callable[[], Iterable[Contact]],
    email: str,
    name: str,
) -> Contact | None:
    """Return the known person a card is of: the one chosen at the booth (``chosen()``),
    else the one with its ``email`` (``with_email()``, any of theirs), else, for a card
    without email, the first one with its phone (``with_phone()``, by id) with neither
    another email nor another name; else None. Each is asked only when those before
    name no one: the booth asks the database (known_person), an import its batch's
    people (services.BatchPeople).

    A phone alone names someone only when no email says otherwise: colleagues share a
    switchboard number, and a person with another email is another person.
    """
    if (found := chosen()) is not None:
        return found
    if email and (found := with_email()) is not None:
        return found
    name = matching.name_key(name)
    for person in with_phone():
        other_email = email and person.email
        other_name = name and person.name and matching.name_key(person.name) != name
        if not (other_email or other_name):
            return person
    return None


def region_of(contact: Contact) -> str | None:
    """Return the country a person's phones without a country code are read in: that of
    the conference of their latest card (None: no country known)."""
    latest = contact.cards.select_related("conference").order_by("-logged_at").first()
    return (latest.conference.country or None) if latest else None


def latest_conference_name() -> Subquery:
    """Return the name of the conference of the outer query's person's latest card."""
    latest = Card.objects.filter(contact=OuterRef("pk")).order_by("-logged_at")
    return Subquery(latest.values("conference__name")[:1])
