"""The six folds of a business card and how a vocabulary decodes them.

A card's folds are stored as one integer bitmask. Bit order, least significant first:

    bit 0 (1)   UL    upper-left corner bent     numpad 7
    bit 1 (2)   UR    upper-right corner bent    numpad 9
    bit 2 (4)   LL    lower-left corner bent     numpad 1
    bit 3 (8)   LR    lower-right corner bent    numpad 3
    bit 4 (16)  HALF  folded in half             numpad 5
    bit 5 (32)  DIAG  folded diagonally          numpad /

This module has no database access: models, admin and views call it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from contacts import colours

UL, UR, LL, LR, HALF, DIAG = 1, 2, 4, 8, 16, 32
ALL = 63
MASKS = range(ALL + 1)

CODES = ("UL", "UR", "LL", "LR", "HALF", "DIAG")
BITS = {code: 1 << i for i, code in enumerate(CODES)}
KEYS = {"7": UL, "9": UR, "1": LL, "3": LR, "5": HALF, "/": DIAG}
LABELS = {
    UL: "upper-left corner",
    UR: "upper-right corner",
    LL: "lower-left corner",
    LR: "lower-right corner",
    HALF: "folded in half",
    DIAG: "folded diagonally",
}


class FoldError(ValueError):
    """A fold code, name or mask that names no fold."""


def bits(mask: int) -> list[int]:
    """Return the single-fold bits set in ``mask``, in bit order."""
    return [bit for bit in LABELS if mask & bit]


def is_subset(pattern: int, mask: int) -> bool:
    """Return True when every fold of ``pattern`` is also in ``mask``."""
    return pattern & ~mask == 0


def check_mask(mask: int) -> int:
    """Return ``mask`` unchanged, or raise FoldError if it is no fold combination."""
    if isinstance(mask, bool) or not isinstance(mask, int) or not 0 <= mask <= ALL:
        raise FoldError(f"{mask!r} is not a fold combination (0 to {ALL})")
    return mask


def parse_keys(code: str) -> int:
    """Return the mask typed as numpad keys: "795" is UL + UR + HALF.

    Spaces are ignored and a key given twice is the same fold.
    """
    mask = 0
    for char in code:
        if char.isspace():
            continue
        if char not in KEYS:
            raise FoldError(f"{char!r} is not a fold key; the fold keys are 7 9 1 3 5 /")
        mask |= KEYS[char]
    return mask


def to_keys(mask: int) -> str:
    """Return the numpad keys of ``mask`` in bit order: UL + UR + HALF is "795"."""
    keys = {bit: key for key, bit in KEYS.items()}
    return "".join(keys[bit] for bit in bits(check_mask(mask)))


def parse_codes(codes: Iterable[str]) -> int:
    """Return the mask of fold codes such as ["UL", "half"] (case and spaces ignored)."""
    mask = 0
    for code in codes:
        name = code.strip().upper()
        if name not in BITS:
            raise FoldError(f"{code!r} is not a fold; the folds are {' '.join(CODES)}")
        mask |= BITS[name]
    return mask


def to_codes(mask: int) -> list[str]:
    """Return the fold codes of ``mask`` in bit order."""
    check_mask(mask)
    return [code for code in CODES if mask & BITS[code]]


@dataclass(frozen=True)
class Meaning:
    slug: str
    label: str
    weight: int
    window_days: int
    colour: str = "#6c757d"
    order: int = 0
    email_subject: str = ""
    email_body: str = ""


@dataclass(frozen=True)
class Rule:
    pattern: int
    meanings: frozenset[str]


@dataclass(frozen=True)
class Decoding:
    folds: int
    meanings: tuple[Meaning, ...]
    priority: int
    window_days: int
    unmapped: int

    @property
    def unmapped_codes(self) -> list[str]:
        return to_codes(self.unmapped)

    def as_json(self) -> dict:
        """Return this decoding as plain data for the browser."""
        return {
            "folds": self.folds,
            "meanings": [
                {
                    "slug": m.slug,
                    "label": m.label,
                    "colour": m.colour,
                    "text_colour": colours.text_colour(m.colour),
                }
                for m in self.meanings
            ],
            "priority": self.priority,
            "window_days": self.window_days,
            "unmapped": self.unmapped_codes,
        }


def check_rules(rules: Iterable[Rule]) -> list[Rule]:
    """Return the rules as a list, or raise FoldError for an empty or repeated pattern."""
    rules = list(rules)
    seen = set()
    for rule in rules:
        check_mask(rule.pattern)
        if rule.pattern == 0:
            raise FoldError("A rule needs at least one fold")
        if rule.pattern in seen:
            raise FoldError(f"Two rules have the same folds: {' + '.join(to_codes(rule.pattern))}")
        seen.add(rule.pattern)
    return rules


def most_specific(matching: list[Rule]) -> list[Rule]:
    """Drop each rule whose pattern is a strict subset of another rule's pattern."""
    return [
        rule
        for rule in matching
        if not any(
            other.pattern != rule.pattern and is_subset(rule.pattern, other.pattern)
            for other in matching
        )
    ]


def summarize(
    folds: int, matching: list[Rule], meanings: Mapping[str, Meaning], default_window: int
) -> Decoding:
    """Return the decoding of ``folds`` given the rules that match it."""
    slugs = set().union(*(rule.meanings for rule in most_specific(matching)))
    found = sorted(
        (meanings[slug] for slug in slugs if slug in meanings), key=lambda m: (m.order, m.slug)
    )
    covered = 0
    for rule in matching:
        covered |= rule.pattern
    return Decoding(
        folds=folds,
        meanings=tuple(found),
        priority=sum(m.weight for m in found),
        window_days=min((m.window_days for m in found), default=default_window),
        unmapped=folds & ~covered,
    )


def decode(
    folds: int, rules: Iterable[Rule], meanings: Mapping[str, Meaning], default_window: int
) -> Decoding:
    """Return what ``folds`` mean under ``rules``, rule by rule (DESIGN.md §2)."""
    check_mask(folds)
    matching = [rule for rule in check_rules(rules) if is_subset(rule.pattern, folds)]
    return summarize(folds, matching, meanings, default_window)


def compile_table(
    rules: Iterable[Rule], meanings: Mapping[str, Meaning], default_window: int
) -> tuple[Decoding, ...]:
    """Return the decoding of every mask, indexed by mask, so decoding is a lookup."""
    return _compile(tuple(rules), tuple(meanings.values()), default_window)


@functools.lru_cache(maxsize=64)
def _compile(
    rules: tuple[Rule, ...], meanings: tuple[Meaning, ...], default_window: int
) -> tuple[Decoding, ...]:
    # Cached on the vocabulary's content itself, so an edit is never served stale.
    by_slug = {meaning.slug: meaning for meaning in meanings}
    matching: list[list[Rule]] = [[] for _ in MASKS]
    for rule in check_rules(rules):
        # Every superset of the pattern is the pattern plus any of the other folds.
        rest = ALL & ~rule.pattern
        subset = rest
        while True:
            matching[rule.pattern | subset].append(rule)
            if subset == 0:
                break
            subset = (subset - 1) & rest
    return tuple(summarize(mask, matching[mask], by_slug, default_window) for mask in MASKS)


def due_on(ends_on: date, logged_on: date, window_days: int) -> date:
    """Return the follow-up due date: the conference's end or the day logged, if later,
    plus the window."""
    return max(ends_on, logged_on) + timedelta(days=window_days)
