"""Editing fold meanings: every change saved with its history, reverting, copying, and the
vocabulary file (JSON export and import).

A change is one object before and after, as plain data (a snapshot): a meaning, a rule of
a vocabulary, or a vocabulary's own settings; None before is an addition, None after a
deletion. The editor page, a revert and an import all write through ``apply_change`` and
``import_vocabulary``, which refuse what would break decoding and re-decode the cards.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from contacts import emails, folds, queries, services
from contacts.models import FoldRule, Meaning, Vocabulary, VocabularyChange

Kind = VocabularyChange.Kind

MEANING_FIELDS = (
    "slug",
    "label",
    "description",
    "weight",
    "window_days",
    "colour",
    "order",
    "active",
    "email_subject",
    "email_body",
)
VOCABULARY_FIELDS = ("name", "description", "default_window_days")

FILE_FORMAT = 1
# A vocabulary of every meaning and all 63 fold patterns is a few dozen kilobytes.
MAX_FILE_BYTES = 1_000_000


class VocabularyError(ValueError):
    """A change or a file that cannot be saved; the message says why, for the editor."""


def meaning_snapshot(meaning: Meaning) -> dict:
    """Return the meaning as plain data."""
    return {field: getattr(meaning, field) for field in MEANING_FIELDS}


def rule_snapshot(rule: FoldRule) -> dict:
    """Return the rule as plain data: its fold pattern and its meanings' slugs."""
    return {"pattern": rule.pattern, "meanings": sorted(m.slug for m in rule.meanings.all())}


def vocabulary_snapshot(vocabulary: Vocabulary) -> dict:
    """Return the vocabulary's own settings as plain data."""
    return {field: getattr(vocabulary, field) for field in VOCABULARY_FIELDS}


def fingerprint(snapshot: dict) -> str:
    """Return what a row of the editor sends back of the object it showed (a snapshot),
    to tell whether someone changed it since."""
    text = json.dumps(snapshot, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fold_names(pattern: int) -> str:
    """Return a fold pattern as the editor reads it: its keys and its codes."""
    return f"{folds.to_keys(pattern)} ({' + '.join(folds.to_codes(pattern))})"


def describe(kind: str, before: dict | None, after: dict | None) -> str:
    """Return one line saying what a change does, before → after."""
    if kind == Kind.MEANING:
        name = (after or before)["label"]
        if before is None:
            return f"Added meaning {name} (weight {after['weight']}, {after['window_days']} days)"
        if after is None:
            return f"Deleted meaning {name}"
        return f"{before['label']}: " + _differences(before, after)
    if kind == Kind.RULE:
        if before is None:
            return f"Added rule {_rule_text(after)}"
        if after is None:
            return f"Deleted rule {_rule_text(before)}"
        return f"Rule {_rule_text(before)} → {_rule_text(after)}"
    if before is None:
        return f"Created vocabulary {after['name']}"
    return f"Vocabulary {before['name']}: " + _differences(before, after)


def _rule_text(rule: dict) -> str:
    return f"{fold_names(rule['pattern'])}: {', '.join(rule['meanings']) or 'no meaning'}"


def _differences(before: dict, after: dict) -> str:
    changed = [
        f"{field.replace('_', ' ')} {_change(before[field], after[field])}"
        for field in before
        if before[field] != after.get(field)
    ]
    return ", ".join(changed) or "no change"


# A long value is shown as this many characters, from a few before where the two differ.
SHOWN = 40
SHOWN_BEFORE = 12
# Line ends and tabs are shown as escapes: a change of them alone is seen too.
VISIBLE = str.maketrans({"\r": "\\r", "\n": "\\n", "\t": "\\t"})


def _change(before, after) -> str:
    """Return "before → after", a long value cut to the part where the two first differ
    ("…" where cut)."""
    old, new = str(before).translate(VISIBLE), str(after).translate(VISIBLE)
    if max(len(old), len(new)) <= SHOWN:
        return f"{old} → {new}"
    pairs = enumerate(zip(old, new, strict=False))
    differs = next((i for i, (a, b) in pairs if a != b), min(len(old), len(new)))
    start = max(0, differs - SHOWN_BEFORE)
    return f"{_cut(old, start)} → {_cut(new, start)}"


def _cut(text: str, start: int) -> str:
    """Return ``text`` from ``start``, at most SHOWN characters, with "…" where cut."""
    end = start + SHOWN
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def check_change(vocabulary: Vocabulary, kind: str, before: dict | None, after: dict | None):
    """Raise VocabularyError if the change may not be saved (the object changed since
    ``before``, a rule with no folds or a pattern twice, a meaning in use deleted)."""
    if kind == Kind.MEANING:
        _check_meaning(before, after)
    elif kind == Kind.RULE:
        _check_rule(vocabulary, before, after)
    elif before is None or after is None:
        raise VocabularyError("A vocabulary's creation cannot be undone here.")
    elif vocabulary_snapshot(vocabulary) != before:
        raise VocabularyError("The vocabulary was changed since; revert the later change first.")


def label_clash(label: str, slug: str | None, was: str | None) -> str:
    """Return why ``label`` may not be the label of the meaning ``slug`` whose label ``was``
    that (None: one to be added), or "": another meaning has it, in any case. A label kept
    is let be: a clash stored before is no reason to refuse the meaning's other edits."""
    if was is not None and label.casefold() == was.casefold():
        return ""
    other = Meaning.objects.filter(label__iexact=label.strip()).exclude(slug=slug).first()
    if other is None:
        return ""
    return f"The meaning {other.slug} is labelled {other.label}: give this one another label."


def _check_meaning(before: dict | None, after: dict | None) -> None:
    slug = (after or before)["slug"]
    was = before["label"] if before else None
    if after is not None and (clash := label_clash(after["label"], slug, was)):
        raise VocabularyError(clash)
    current = Meaning.objects.filter(slug=slug).first()
    if before is None:
        if current is not None:
            raise VocabularyError(f"A meaning “{slug}” exists already.")
        return
    if current is None or meaning_snapshot(current) != before:
        raise VocabularyError(
            f"The meaning {before['label']} was changed since; revert the later change first."
        )
    if after is None:
        check_unused(current)


def check_unused(meaning: Meaning) -> None:
    """Raise VocabularyError naming the rules that use ``meaning``, if any: a meaning in
    use may not be deleted."""
    rules = FoldRule.objects.filter(meanings=meaning).select_related("vocabulary")
    users = sorted({f"{rule.vocabulary}: {fold_names(rule.pattern)}" for rule in rules})
    if users:
        raise VocabularyError(
            f"{meaning.label} is in use by {len(users)} rule(s) ({'; '.join(users)}): "
            "take it out of them first, or untick Active to stop using it."
        )


def _check_rule(vocabulary: Vocabulary, before: dict | None, after: dict | None) -> None:
    rules = {rule["pattern"]: rule for rule in map(rule_snapshot, vocabulary.rules.all())}
    if before is not None and rules.get(before["pattern"]) != before:
        raise VocabularyError(
            f"The rule {fold_names(before['pattern'])} was changed since; "
            "revert the later change first."
        )
    if after is None:
        return
    if after["pattern"] == 0:
        raise VocabularyError("A rule needs at least one fold: pick one on the card.")
    if after["pattern"] in rules and (before is None or before["pattern"] != after["pattern"]):
        raise VocabularyError(
            f"This vocabulary has a rule for {fold_names(after['pattern'])} already: "
            "change that rule instead."
        )
    known = set(Meaning.objects.filter(slug__in=after["meanings"]).values_list("slug", flat=True))
    if unknown := sorted(set(after["meanings"]) - known):
        raise VocabularyError(f"No such meaning: {', '.join(unknown)}.")


def apply_change(
    vocabulary: Vocabulary,
    user,
    kind: str,
    before: dict | None,
    after: dict | None,
    reverts: VocabularyChange | None = None,
) -> VocabularyChange:
    """Save a change of ``vocabulary`` (or of a meaning, shared by every vocabulary),
    record it with who made it, and re-decode the cards it concerns.

    Raise VocabularyError, saving nothing, if the change may not be made.
    """
    with transaction.atomic():
        # One edit of a vocabulary at a time: each checks what the one before it left.
        vocabulary = Vocabulary.objects.select_for_update().get(pk=vocabulary.pk)
        if kind == Kind.MEANING:
            # A meaning is shared: edited from any vocabulary's page, one edit at a time.
            list(Meaning.objects.select_for_update().filter(slug=(after or before)["slug"]))
        check_change(vocabulary, kind, before, after)
        # Found before the write (a meaning's vocabularies through its rules), read again
        # after it: each re-decodes with its settings as saved.
        vocabularies = [v.pk for v in queries.affected(vocabulary, kind, before, after)]
        if kind == Kind.MEANING:
            _write_meaning(before, after)
        elif kind == Kind.RULE:
            _write_rule(vocabulary, before, after)
        else:
            _save_valid(vocabulary, after)
        summary = describe(kind, before, after)
        if reverts is not None:
            summary = f"Reverted: {reverts.summary}"
        change = VocabularyChange.objects.create(
            vocabulary=vocabulary,
            kind=kind,
            before=before,
            after=after,
            summary=summary[:300],
            changed_by=user,
            reverts=reverts,
        )
        services.reprioritize(Vocabulary.objects.filter(pk__in=vocabularies))
    return change


def _save_valid(instance, values: dict) -> None:
    for field, value in values.items():
        setattr(instance, field, value)
    try:
        instance.full_clean()
    except ValidationError as e:
        raise VocabularyError(" ".join(e.messages)) from e
    instance.save()


def _write_meaning(before: dict | None, after: dict | None) -> None:
    if after is None:
        Meaning.objects.filter(slug=before["slug"]).delete()
        return
    meaning = Meaning() if before is None else Meaning.objects.get(slug=before["slug"])
    _save_valid(meaning, after)


def _write_rule(vocabulary: Vocabulary, before: dict | None, after: dict | None) -> None:
    if before is not None:
        rule = vocabulary.rules.get(pattern=before["pattern"])
        if after is None:
            rule.delete()
            return
    else:
        rule = FoldRule(vocabulary=vocabulary)
    rule.pattern = after["pattern"]
    rule.save()
    rule.meanings.set(Meaning.objects.filter(slug__in=after["meanings"]))


def revert(change: VocabularyChange, user) -> VocabularyChange:
    """Undo ``change``, as a change of its own: what it made is made what it was before.

    Raise VocabularyError if the object has changed since (revert the later change first).
    """
    return apply_change(
        change.vocabulary, user, change.kind, change.after, change.before, reverts=change
    )


def copy_vocabulary(vocabulary: Vocabulary, user, name: str) -> Vocabulary:
    """Return a copy of ``vocabulary`` named ``name``, owned by ``user``: theirs to edit."""
    with transaction.atomic():
        copy = Vocabulary(
            description=vocabulary.description,
            default_window_days=vocabulary.default_window_days,
            owner=user,
        )
        _save_valid(copy, {"name": name})
        for rule in vocabulary.rules.prefetch_related("meanings"):
            new = FoldRule.objects.create(vocabulary=copy, pattern=rule.pattern)
            new.meanings.set(rule.meanings.all())
        _record_creation(copy, user, f"Copied from {vocabulary.name}")
    return copy


def _record_creation(vocabulary: Vocabulary, user, summary: str) -> None:
    VocabularyChange.objects.create(
        vocabulary=vocabulary,
        kind=Kind.VOCABULARY,
        after=vocabulary_snapshot(vocabulary),
        summary=summary,
        changed_by=user,
    )


def unique_name(name: str, owner) -> str:
    """Return ``name``, or it with the first number that makes it a name ``owner`` may give
    a copy of their own: no shared vocabulary's, none of theirs."""
    taken = Vocabulary.objects.filter(Q(owner=None) | Q(owner=owner))
    candidate, n = name[:80], 1
    while taken.filter(name=candidate).exists():
        n += 1
        suffix = f" {n}"
        candidate = name[: 80 - len(suffix)] + suffix
    return candidate


# The vocabulary file.


def export_vocabulary(vocabulary: Vocabulary) -> dict:
    """Return the vocabulary as its file's content: settings, rules, and the meanings
    its rules use."""
    rules = list(vocabulary.rules.prefetch_related("meanings").order_by("pattern"))
    used = {meaning for rule in rules for meaning in rule.meanings.all()}
    return {
        "format": FILE_FORMAT,
        **vocabulary_snapshot(vocabulary),
        "meanings": [meaning_snapshot(m) for m in sorted(used, key=lambda m: (m.order, m.slug))],
        "rules": [
            {"folds": folds.to_codes(rule.pattern), "meanings": rule_snapshot(rule)["meanings"]}
            for rule in rules
        ],
    }


def check_size(size: int) -> None:
    """Raise VocabularyError if a file of ``size`` bytes is too large to be a vocabulary."""
    if size > MAX_FILE_BYTES:
        raise VocabularyError(
            f"The file is {size / 1e6:.1f} MB; a vocabulary file is at most "
            f"{MAX_FILE_BYTES / 1e6:.0f} MB."
        )


FILE_KEYS = {"format", "name", "description", "default_window_days", "meanings", "rules"}
RULE_KEYS = {"folds", "meanings"}
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,40}")
SURROGATE = re.compile(r"[\ud800-\udfff]")


def read_vocabulary_file(content: bytes) -> dict:
    """Return the vocabulary file's content checked: every key known, every value of its
    type and in range, every rule's folds a fold combination and its meanings in the file.

    Raise VocabularyError saying what is wrong and where.
    """
    check_size(len(content))
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        raise VocabularyError(f"This is not a vocabulary file (JSON in UTF-8): {e}") from e
    except RecursionError as e:
        # Brackets nested deeper than Python's recursion limit ([[[[…]]]]), in a few bytes.
        raise VocabularyError(
            "This is not a vocabulary file (JSON in UTF-8): it is nested too deeply."
        ) from e
    _check_keys(data, FILE_KEYS, {"format", "name", "meanings", "rules"}, "The file")
    if data["format"] != FILE_FORMAT:
        raise VocabularyError(f"The file's format is {data['format']!r}; foldcard reads 1.")
    settings = {
        "name": _text(data, "name", 80, "The file", required=True),
        "description": _text(data, "description", 2000, "The file"),
        "default_window_days": _number(data, "default_window_days", 0, 365, "The file", 14),
    }
    meanings = [_read_meaning(m, f"Meaning {i + 1}") for i, m in enumerate(_list(data, "meanings"))]
    slugs = [m["slug"] for m in meanings]
    if len(set(slugs)) != len(slugs):
        raise VocabularyError("The file defines a meaning twice.")
    rules = [_read_rule(r, f"Rule {i + 1}", set(slugs)) for i, r in enumerate(_list(data, "rules"))]
    try:
        folds.check_rules(folds.Rule(r["pattern"], frozenset(r["meanings"])) for r in rules)
    except folds.FoldError as e:
        raise VocabularyError(f"{e}.") from e
    return {**settings, "meanings": meanings, "rules": rules}


def _check_keys(data, allowed: set[str], required: set[str], where: str) -> None:
    if not isinstance(data, dict):
        raise VocabularyError(f"{where} must be a JSON object.")
    if unknown := sorted(set(data) - allowed):
        raise VocabularyError(f"{where} has unknown keys: {', '.join(map(repr, unknown))}.")
    if missing := sorted(required - set(data)):
        raise VocabularyError(f"{where} lacks {', '.join(missing)}.")


def _list(data: dict, key: str) -> list:
    value = data[key]
    # At most one rule per fold pattern (63), and meanings to match.
    if not isinstance(value, list) or len(value) > folds.ALL:
        raise VocabularyError(f"The file's {key} must be a list of at most {folds.ALL}.")
    return value


def _text(data: dict, key: str, length: int, where: str, required: bool = False) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or len(value) > length or (required and not value.strip()):
        raise VocabularyError(f"{where}: {key} must be a text of 1 to {length} characters.")
    # A JSON string may hold what no form lets through and the database cannot store:
    # PostgreSQL refuses a null character, UTF-8 a lone surrogate ("\ud800").
    if "\x00" in value:
        raise VocabularyError(f"{where}: {key} must not contain null characters.")
    if surrogate := SURROGATE.search(value):
        raise VocabularyError(
            f"{where}: {key} must not contain surrogate characters (U+{ord(surrogate[0]):04X})."
        )
    return value


def _number(data: dict, key: str, low: int, high: int, where: str, default: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise VocabularyError(f"{where}: {key} must be a whole number from {low} to {high}.")
    return value


def _read_meaning(data, where: str) -> dict:
    _check_keys(data, set(MEANING_FIELDS), {"slug", "label"}, where)
    slug = data["slug"]
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        raise VocabularyError(f"{where}: {slug!r} is not a slug (1 to 40 letters, digits, - or _).")
    where = f"Meaning {slug}"
    defaults = Meaning()
    meaning = {
        "slug": slug,
        "label": _text(data, "label", 80, where, required=True),
        "description": _text(data, "description", 2000, where),
        "weight": _number(data, "weight", -1000, 1000, where, defaults.weight),
        "window_days": _number(data, "window_days", 0, 365, where, defaults.window_days),
        "colour": data.get("colour", defaults.colour),
        "order": _number(data, "order", 0, 32767, where, 0),
        "active": data.get("active", True),
        "email_subject": _text(data, "email_subject", 200, where),
        "email_body": _text(data, "email_body", 20000, where),
    }
    if not isinstance(meaning["colour"], str) or not re.fullmatch(
        r"#[0-9a-fA-F]{6}", meaning["colour"]
    ):
        raise VocabularyError(f"{where}: colour must be # and six hex digits.")
    if not isinstance(meaning["active"], bool):
        raise VocabularyError(f"{where}: active must be true or false.")
    if "\n" in meaning["email_subject"] or "\r" in meaning["email_subject"]:
        raise VocabularyError(f"{where}: the email subject must be one line.")
    for field in ("email_subject", "email_body"):
        if problem := emails.placeholder_problem(meaning[field]):
            raise VocabularyError(f"{where}: {field.replace('_', ' ')}: {problem}")
    return meaning


def _read_rule(data, where: str, slugs: set[str]) -> dict:
    _check_keys(data, RULE_KEYS, RULE_KEYS, where)
    codes, names = data["folds"], data["meanings"]
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        codes_text = " ".join(folds.CODES)
        raise VocabularyError(f"{where}: folds must be a list of fold codes ({codes_text}).")
    try:
        pattern = folds.parse_codes(codes)
    except folds.FoldError as e:
        raise VocabularyError(f"{where}: {e}.") from e
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise VocabularyError(f"{where}: meanings must be a list of meaning slugs.")
    if unknown := sorted(set(names) - slugs):
        raise VocabularyError(
            f"{where}: the file defines no meaning {', '.join(map(repr, unknown))}."
        )
    return {"pattern": pattern, "meanings": sorted(set(names))}


def import_vocabulary(content: bytes, user, name: str = "") -> Vocabulary:
    """Save the vocabulary file ``content`` as a new shared vocabulary (named ``name`` if
    given), recorded as imported by ``user``; return it.

    Its meanings are this site's meanings of the same slug, which must say the same; the
    others are added. Raise VocabularyError, saving nothing, for any problem.
    """
    data = read_vocabulary_file(content)
    # A name given to the command may be anything its shell passed (a stray byte of
    # another encoding is a lone surrogate).
    name = _text({"name": name}, "name", 80, "The new vocabulary") or data["name"]
    if Vocabulary.objects.filter(owner=None, name=name).exists():
        raise VocabularyError(f"A vocabulary named “{name}” exists already: choose another name.")
    with transaction.atomic():
        for meaning in data["meanings"]:
            _import_meaning(meaning)
        vocabulary = Vocabulary()
        _save_valid(
            vocabulary,
            {
                "name": name,
                "description": data["description"],
                "default_window_days": data["default_window_days"],
            },
        )
        meanings = {m.slug: m for m in Meaning.objects.filter(slug__in=_slugs(data["meanings"]))}
        for rule in data["rules"]:
            new = FoldRule.objects.create(vocabulary=vocabulary, pattern=rule["pattern"])
            new.meanings.set([meanings[slug] for slug in rule["meanings"]])
        _record_creation(vocabulary, user, "Imported from a vocabulary file")
    return vocabulary


def _slugs(meanings: Iterable[dict]) -> list[str]:
    return [meaning["slug"] for meaning in meanings]


def _import_meaning(meaning: dict) -> None:
    current = Meaning.objects.filter(slug=meaning["slug"]).first()
    if current is None:
        _save_valid(Meaning(), meaning)
        return
    # Only what decodes a card must agree; a description may differ.
    mine = {**meaning_snapshot(current), "description": ""}
    theirs = {**meaning, "description": ""}
    if mine != theirs:
        raise VocabularyError(
            f"The meaning {meaning['slug']} exists here and says otherwise ("
            + _differences(mine, theirs)
            + "): rename it in the file, or make the two agree."
        )
