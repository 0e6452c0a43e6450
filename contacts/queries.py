"""What the pages and exports read: the follow-up list's plan, counts per meaning, and
cards decoded through their vocabularies. Writes live in services.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate

from contacts import emails, followups, rules
from contacts import search as contacts_search
from contacts.models import (
    FOLD_MEANING_FIELDS,
    FOLLOW_UP_ORDER,
    Card,
    Contact,
    FoldRule,
    Meaning,
    Reprioritization,
    Vocabulary,
)
from events.models import Conference
from foldcard.sql import JSONRows

PAGE_SIZE = 50


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


def followup_cards(user, today: date, filters: FollowupFilters) -> models.QuerySet[Card]:
    """Return the cards the follow-up list shows for ``filters``, in no order (several per
    person: see first_per_person)."""
    cards = Card.objects.all()
    if filters.state == "open":
        cards = cards.filter(rules.waiting(today))
    elif filters.state != "all":
        cards = cards.filter(state=filters.state)
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
    return cards


# What a phone number is written with besides its digits.
PHONE_SEPARATORS = " -()./+"


def search(cards: models.QuerySet[Card], text: str) -> models.QuerySet[Card]:
    """Return the cards whose person's name, company, email, phone or notes, or whose own
    note, contain ``text``, case and accents aside; a phone number also matches by its
    digits alone. Answered from the search index (contacts/search.py)."""
    needles = [contacts_search.folded(text)]
    digits = contacts_search.digits_of(text)
    if digits and all(c.isdigit() or c in PHONE_SEPARATORS for c in text) and digits != text:
        needles.append(digits)
    return contacts_search.containing(cards, needles)


def first_per_person(cards: models.QuerySet[Card]) -> models.QuerySet[Card]:
    """Return, of ``cards``, the one that stands for each person at each conference in the
    follow-up list: their first in follow-up order."""
    # A card stays when none of ``cards`` of the same person and conference comes before it:
    # its siblings are looked up in the card_person index (on PostgreSQL, an anti-join),
    # where a card finds itself first; leaving it out there spares reading its row again.
    siblings = cards.filter(contact=OuterRef("contact"), conference=OuterRef("conference"))
    siblings = siblings.exclude(pk=OuterRef("pk"))
    return cards.filter(~Exists(siblings.filter(_before_outer())))


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


def followup_counts(rows: models.QuerySet[Card], today: date) -> dict[str, int]:
    """Return how many of ``rows`` fall in each due bucket."""
    # Counted per due date, which the follow-up indexes hold in order, then per bucket.
    counts = dict.fromkeys(followups.BUCKETS, 0)
    per_day = rows.order_by().values_list("due_on").annotate(cards=Count("*"))
    for due_on, count in per_day:
        counts[followups.bucket(due_on, today)] += count
    return counts


@dataclass
class FollowupGroup:
    key: str
    label: str
    count: int
    cards: list[Card] = field(default_factory=list)


@dataclass(frozen=True)
class FollowupPage:
    page: Page
    groups: list[FollowupGroup]
    total: int


def followup_page(
    cards: models.QuerySet[Card], user, today: date, number: str | int | None
) -> FollowupPage:
    """Return page ``number`` of the list of ``cards``, one row per person per conference
    in follow-up order, grouped by due bucket with each bucket's count over all pages."""
    rows = first_per_person(cards)
    counts = followup_counts(rows, today)
    # The page's cards are found by id first, sorting narrow rows, then read whole: the
    # sort carries no joined columns.
    ordered_ids = rows.order_by(*FOLLOW_UP_ORDER).values_list("pk", flat=True)
    paginator = Paginator(ordered_ids, PAGE_SIZE)
    paginator.count = sum(counts.values())  # known already: no second COUNT over the cards
    page = paginator.get_page(number)
    ids = list(page.object_list)
    found = _with_row_data(Card.objects).in_bulk(ids)
    shown = [found[pk] for pk in ids if pk in found]
    # Their other cards that the list keeps, read through the card_person index and each
    # checked against the list's filters (SQLite would read the list's every card
    # otherwise, for the order of its index on the due date).
    in_list = Exists(cards.filter(pk=OuterRef("pk")))
    others = _with_row_data(Card.objects).filter(_people_of(shown), in_list).exclude(pk__in=ids)
    groups = {
        key: FollowupGroup(key, label, counts[key]) for key, label in followups.BUCKETS.items()
    }
    for card in followup_rows(shown, user, today, others.order_by(*FOLLOW_UP_ORDER)):
        groups[card.bucket].cards.append(card)
    return FollowupPage(page, [g for g in groups.values() if g.cards], paginator.count)


def _with_row_data(cards: models.QuerySet[Card]) -> models.QuerySet[Card]:
    return cards.select_related("contact", "conference", "vocabulary", "owner")


def _people_of(cards: list[Card]) -> Q:
    """Return the cards of the same people at the same conferences as ``cards``."""
    people = Q(pk__in=[])
    for card in cards:
        people |= Q(contact_id=card.contact_id, conference_id=card.conference_id)
    return people


def followup_row(card: Card, user, today: date, other_ids: Iterable[int]) -> Card:
    """Return ``card`` prepared as its row is shown after an action, with the cards
    ``other_ids`` (those the action changed with it) under it."""
    others = _with_row_data(Card.objects).filter(pk__in=list(other_ids))
    return followup_rows([card], user, today, others.order_by(*FOLLOW_UP_ORDER))[0]


def followup_rows(cards: list[Card], user, today: date, others: Iterable[Card] = ()) -> list[Card]:
    """Decode each card and attach what its row shows: bucket, states, what the user may
    do, the email link, and ``others``, the person's other cards at that conference in
    follow-up order."""
    others = list(others)
    decode_cards([*cards, *others])
    for card in cards:
        card.bucket = followups.bucket(card.due_on, today)
        card.is_open = rules.is_open(card)
        card.is_overdue = rules.is_overdue(card, today)
        card.can_work = rules.can_work(user, card)
        card.mailto_url = emails.mailto_url(card)
        card.others = [
            other
            for other in others
            if (other.contact_id, other.conference_id) == (card.contact_id, card.conference_id)
        ]
    return cards


def due_for_digest(user, today: date) -> list[Card]:
    """Return the user's waiting cards due today or before, most urgent first, decoded."""
    cards = Card.objects.filter(rules.waiting(today), owner=user, due_on__lte=today)
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
    """Return the cards logged at ``conference`` of the person with ``email``, first first."""
    email = Contact.normalize_email(email)
    cards = conference.cards.filter(contact__email=email).select_related("contact", "logged_by")
    return cards.order_by("logged_at", "pk")
