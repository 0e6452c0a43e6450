from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contacts import folds
from contacts.folds import DIAG, HALF, LL, LR, UL, UR, FoldError, Meaning, Rule

MEANINGS = {
    m.slug: m
    for m in [
        Meaning("asap", "Talk ASAP", 50, 1, order=0),
        Meaning("unhappy", "Unhappy", 40, 2, order=1),
        Meaning("upsell", "Wants to buy more", 30, 3, order=2),
        Meaning("prospect", "Prospect", 20, 3, order=3),
        Meaning("customer", "Customer", 20, 7, order=4),
        Meaning("competitor", "Competitor (friendly)", 5, 14, order=5),
    ]
}
RULES = [
    Rule(UR, frozenset({"customer"})),
    Rule(UL, frozenset({"prospect"})),
    Rule(UR | UL, frozenset({"customer", "upsell"})),
    Rule(HALF, frozenset({"asap"})),
    Rule(DIAG, frozenset({"competitor"})),
    Rule(LR, frozenset({"customer", "unhappy"})),
    Rule(LL, frozenset({"prospect", "unhappy"})),
]


def decode(mask: int) -> folds.Decoding:
    return folds.decode(mask, RULES, MEANINGS, 14)


def slugs(decoding: folds.Decoding) -> list[str]:
    return [m.slug for m in decoding.meanings]


def test_it_documents_the_bit_order():
    assert [folds.BITS[c] for c in folds.CODES] == [1, 2, 4, 8, 16, 32]
    assert folds.ALL == 0b111111


def test_it_parses_numpad_keys():
    assert folds.parse_keys("795") == UL | UR | HALF
    assert folds.parse_keys("/") == DIAG
    assert folds.parse_keys(" 1 3 ") == LL | LR
    assert folds.parse_keys("") == 0
    assert folds.parse_keys("77") == UL


def test_it_writes_numpad_keys_in_bit_order():
    assert folds.to_keys(HALF | UR | UL) == "795"
    assert folds.to_keys(folds.ALL) == "79135/"
    assert folds.to_keys(0) == ""


@pytest.mark.parametrize("code", ["8", "7x", "0", "+", "\uff17"])
def test_it_refuses_a_bad_key_naming_the_allowed_ones(code):
    with pytest.raises(FoldError, match=r"the fold keys are 7 9 1 3 5 /"):
        folds.parse_keys(code)


def test_it_parses_fold_codes_in_any_case():
    assert folds.parse_codes(["UL", "ur", " half "]) == UL | UR | HALF
    assert folds.to_codes(UL | UR | HALF) == ["UL", "UR", "HALF"]


def test_it_refuses_an_unknown_fold_code():
    with pytest.raises(FoldError, match=r"the folds are UL UR LL LR HALF DIAG"):
        folds.parse_codes(["TOP"])


@pytest.mark.parametrize("mask", [-1, 64, True, "3", None])
def test_it_refuses_a_mask_out_of_range(mask):
    with pytest.raises(FoldError):
        folds.to_codes(mask)


def test_it_decodes_the_seed_example_as_customer_upsell_asap():
    decoding = decode(UL | UR | HALF)
    assert slugs(decoding) == ["asap", "upsell", "customer"]
    assert decoding.priority == 100
    assert decoding.window_days == 1
    assert decoding.unmapped == 0
    assert folds.due_on(date(2026, 11, 20), date(2026, 11, 19), 1) == date(2026, 11, 21)


def test_it_decodes_both_upper_corners_as_upsell_not_as_prospect():
    assert slugs(decode(UL | UR)) == ["upsell", "customer"]
    assert decode(UL | UR).priority == 50


@pytest.mark.parametrize(
    ("mask", "expected", "priority", "window"),
    [
        (UR, ["customer"], 20, 7),
        (UL, ["prospect"], 20, 3),
        (HALF, ["asap"], 50, 1),
        (DIAG, ["competitor"], 5, 14),
        (LR, ["unhappy", "customer"], 60, 2),
        (LL, ["unhappy", "prospect"], 60, 2),
        (0, [], 0, 14),
    ],
)
def test_it_decodes_each_default_rule(mask, expected, priority, window):
    decoding = decode(mask)
    assert (slugs(decoding), decoding.priority, decoding.window_days) == (
        expected,
        priority,
        window,
    )


def test_it_reports_unmapped_folds():
    rules = [Rule(UR, frozenset({"customer"}))]
    decoding = folds.decode(UR | HALF | DIAG, rules, MEANINGS, 14)
    assert slugs(decoding) == ["customer"]
    assert decoding.unmapped_codes == ["HALF", "DIAG"]


def test_a_rule_with_an_unknown_meaning_still_covers_its_folds():
    rules = [Rule(HALF, frozenset({"retired"}))]
    decoding = folds.decode(HALF, rules, MEANINGS, 14)
    assert decoding.meanings == ()
    assert decoding.unmapped == 0
    assert decoding.window_days == 14


def test_it_refuses_an_empty_or_repeated_pattern():
    with pytest.raises(FoldError, match="at least one fold"):
        folds.compile_table([Rule(0, frozenset({"asap"}))], MEANINGS, 14)
    with pytest.raises(FoldError, match="same folds: UL"):
        folds.compile_table(
            [Rule(UL, frozenset({"asap"})), Rule(UL, frozenset({"prospect"}))], MEANINGS, 14
        )


def test_the_due_date_counts_from_the_day_logged_when_later():
    assert folds.due_on(date(2026, 11, 20), date(2026, 11, 25), 3) == date(2026, 11, 28)


def test_it_hands_the_browser_plain_data():
    data = decode(LR | DIAG).as_json()
    assert data["priority"] == 65
    assert [m["slug"] for m in data["meanings"]] == ["unhappy", "customer", "competitor"]
    assert data["unmapped"] == []


masks = st.integers(min_value=0, max_value=folds.ALL)
rule_sets = st.dictionaries(
    st.integers(min_value=1, max_value=folds.ALL),
    st.frozensets(st.sampled_from(sorted(MEANINGS)), max_size=3),
    max_size=12,
).map(lambda d: [Rule(p, m) for p, m in d.items()])


@given(rules=rule_sets, mask=masks, fold=st.sampled_from(list(folds.LABELS)))
def test_adding_a_fold_never_removes_a_meaning_unless_a_more_specific_rule_takes_over(
    rules, mask, fold
):
    before = folds.decode(mask, rules, MEANINGS, 14)
    after = folds.decode(mask | fold, rules, MEANINGS, 14)
    for lost in set(slugs(before)) - set(slugs(after)):
        gave_it = [r for r in rules if folds.is_subset(r.pattern, mask) and lost in r.meanings]
        takes_over = [
            r
            for r in rules
            if r.pattern & fold and not mask & fold and folds.is_subset(r.pattern, mask | fold)
        ]
        assert any(
            folds.is_subset(old.pattern, new.pattern) for old in gave_it for new in takes_over
        )


def test_the_seeds_example_comes_before_each_of_its_parts():
    example = decode(UL | UR | HALF)
    for part in (UL, UR, HALF, UL | UR, UL | HALF, UR | HALF):
        assert example.priority > decode(part).priority
        assert example.window_days <= decode(part).window_days


@given(rules=rule_sets, mask=masks)
def test_a_fold_no_rule_explains_is_reported_unmapped(rules, mask):
    decoding = folds.decode(mask, rules, MEANINGS, 14)
    covered = 0
    for rule in rules:
        if folds.is_subset(rule.pattern, mask):
            covered |= rule.pattern
    assert covered | decoding.unmapped == mask
    assert covered & decoding.unmapped == 0


@given(rules=rule_sets)
def test_decoding_with_the_table_equals_decoding_rule_by_rule(rules):
    table = folds.compile_table(rules, MEANINGS, 14)
    assert len(table) == 64
    for mask in folds.MASKS:
        assert table[mask] == folds.decode(mask, rules, MEANINGS, 14)


@given(rules=rule_sets, mask=masks)
def test_every_weight_adds_to_the_priority_and_the_shortest_window_sets_the_due_date(rules, mask):
    decoding = folds.decode(mask, rules, MEANINGS, 14)
    assert decoding.priority == sum(m.weight for m in decoding.meanings)
    if decoding.meanings:
        assert decoding.window_days == min(m.window_days for m in decoding.meanings)
    else:
        assert decoding.window_days == 14


@given(mask=masks)
def test_keys_and_codes_round_trip(mask):
    assert folds.parse_keys(folds.to_keys(mask)) == mask
    assert folds.parse_codes(folds.to_codes(mask)) == mask
