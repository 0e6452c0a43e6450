"""How people are compared to tell who may be the same person: names and companies reduced
to what matters (no accents, case, punctuation or legal form). Pure, no Django."""

from __future__ import annotations

import re
import unicodedata

# Legal forms and their like, left out of a company's name when comparing: "Bergwerk AB"
# is "Bergwerk", "ACME Inc." is "Acme".
# fmt: off
LEGAL_FORMS = frozenset({
    "ab", "ag", "aps", "as", "asa", "bv", "co", "company", "corp", "corporation", "cv",
    "gbr", "gmbh", "group", "holding", "holdings", "inc", "incorporated", "kft", "kg", "kk",
    "lda", "limited", "llc", "llp", "lp", "ltd", "ltda", "mbh", "nv", "oy", "oyj", "plc",
    "pte", "pty", "sa", "sab", "sae", "sarl", "sas", "spa", "sl", "srl", "sro", "ug",
})
# fmt: on
# "and" in the languages met at the booth: "Holm and Co" is "Holm & Co" (the "&" or "+" goes
# as punctuation).
AND_WORDS = frozenset({"and", "und", "och", "og", "et"})
LEFT_OUT = LEGAL_FORMS | AND_WORDS
# What follows a name and a comma without being a given name: "Dana Reyes, PhD" is not
# "PhD Dana Reyes", nor "Dana Reyes, CEO" "CEO Dana Reyes". Written with or without stops
# ("Ph.D.", "Jr.").
# fmt: off
SUFFIXES = frozenset({
    "jr", "jnr", "sr", "snr", "ii", "iii", "iv", "phd", "md", "mba", "msc", "dds", "esq",
    "ceo", "cto", "cfo", "coo", "cmo", "cio", "cso", "cpo", "cro", "vp", "svp", "evp",
})
# fmt: on
NOT_A_WORD = re.compile(r"[^\w]+")
# An apostrophe within a word, which some write and others leave out: "O'Brien", "OBrien".
APOSTROPHE = re.compile(r"(?<=\w)['\u2019\u02bc`](?=\w)")
# What parts the words of a suffix: ASCII spaces and punctuation.
SUFFIX_SEPARATORS = re.compile(r"[^A-Za-z0-9\x80-\U0010ffff]+")
ASCII_WORD = re.compile("[A-Za-z]+")
# Between a small letter and a capital followed by a small one: "Combo|Corp", "Acme|GmbH".
WRITTEN_ONTO = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
# Letters that Unicode does not decompose into a base letter and an accent, compared as the
# letters they are written for: "Ørsted" is "orsted", "Łódź" "lodz", "Æbeltoft" "aebeltoft".
BASE_LETTERS = {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th"}
BASE_LETTERS |= {"ħ": "h", "ŧ": "t", "\N{LATIN SMALL LETTER DOTLESS I}": "i"}
_BASE_LETTERS = str.maketrans(BASE_LETTERS)


def folded(text: str) -> str:
    """Return ``text`` with case and accents aside: "Ánna" is "anna", "Ørsted" "orsted",
    "Straße" "strasse"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.translate(_BASE_LETTERS)


def words(text: str) -> list[str]:
    """Return the words of ``text`` without accents, case or punctuation; an apostrophe
    within a word joins it ("O'Brien" is "obrien")."""
    text = APOSTROPHE.sub("", folded(text)).replace("_", " ")
    return [word for word in NOT_A_WORD.sub(" ", text).split() if word]


def name_key(name: str) -> str:
    """Return a person's name as compared, given name first: "Ánna  BERG" is "anna berg",
    so is "Berg, Anna"; "Dana Reyes, PhD" is "dana reyes phd"."""
    return " ".join(words(_given_name_first(name)))


def _given_name_first(name: str) -> str:
    """Return ``name`` written family name first ("Reyes, Dana") as given name first
    ("Dana Reyes"), any other name as written."""
    parts = family_first(name)
    return f"{parts[1]} {parts[0]}" if parts else name


def family_first(name: str) -> tuple[str, str] | None:
    """Return the family and given name of a name written family name first, before its
    one comma ("Reyes, Dana"), without the spaces around them; None for any other name:
    with a suffix after the comma, nothing on either side of it, or more than one comma."""
    parts = comma_parts(name)
    return None if parts is None or is_suffix(parts[1]) else parts


def split_name(name: str) -> tuple[str, str]:
    """Return a name's given and family parts: either side of the comma of a name written
    family name first ("Reyes, Dana"), else what comes before its last word and that word;
    a suffix after a last comma is in neither ("Dana Reyes, PhD" is Dana, Reyes; "Ek, Bo,
    Jr." is Bo, Ek)."""
    written, comma, last = name.rpartition(",")
    if comma and written.strip() and is_suffix(last):
        name = written
    if parts := family_first(name):
        family, given = parts
        return given, family
    given, _, family = name.strip().rpartition(" ")
    return given.strip(), family


def comma_parts(name: str) -> tuple[str, str] | None:
    """Return what comes before and after the one comma of ``name``, without the spaces
    around them; None without a comma, with more than one, or with nothing on a side."""
    before, comma, after = name.partition(",")
    before, after = before.strip(), after.strip()
    if not comma or "," in after or not before or not after:
        return None
    return before, after


def is_suffix(text: str) -> bool:
    """Return whether ``text`` (after a name and a comma) is a suffix or degree, or several
    ("Jr.", "Ph.D.", "PhD MBA"): its words are of ASCII letters alone, and each is one of
    SUFFIXES, or together they are one ("Ph.D."). A letter of another alphabet is part of
    its word ("Iván" is not "iv" and "n"). Told so, SQL tells it alike."""
    found = [word for word in SUFFIX_SEPARATORS.split(text) if word]
    if not found or not all(ASCII_WORD.fullmatch(word) for word in found):
        return False
    found = [word.lower() for word in found]
    return "".join(found) in SUFFIXES or all(word in SUFFIXES for word in found)


def company_key(company: str) -> str:
    """Return a company's name as compared, without its legal form or "and" and without
    the spaces between its words: "Bergwerk AB" and "bergwerk" are the same, so are "Holm
    & Co" and "Holm and Co", "Acme S.A." and "Acme SA", "Combo Corp Inc.", "ComboCorp" and
    "combo-corp"; "GmbH & Co. KG" alone is nothing."""
    kept = _initials_joined(words(_capitals_apart(company)))
    return "".join(word for word in kept if word not in LEFT_OUT)


def _capitals_apart(text: str) -> str:
    """Return ``text`` with a space before each capitalised word written onto a word:
    a legal form so written ("ComboCorp", "AcmeGmbH") is a word of its own; a capital
    ending a word ("GmbH") starts none."""
    return WRITTEN_ONTO.sub(" ", text)


def _initials_joined(letters: list[str]) -> list[str]:
    """Return ``letters`` (words) with each run of single letters as one word: a legal form
    written with stops or a slash ("S.A.", "B.V.", "A/S") is the word it abbreviates."""
    joined: list[str] = []
    run = False
    for word in letters:
        if len(word) == 1 and run:
            joined[-1] += word
        else:
            joined.append(word)
        run = len(word) == 1
    return joined


def match_key(name: str, company: str) -> str:
    """Return what two people with the same name and a similar company share; "" without
    a name."""
    person = name_key(name)
    return f"{person}|{company_key(company)}" if person else ""


def adds_to(typed: str, known: str) -> bool:
    """Return whether ``typed`` says more of a detail than ``known``: known is empty, or
    typed has every word of it and more ("Dana" → "Dana Reyes", "Bergwerk" → "Bergwerk
    AB"); a shorter or other form ("Anna B." for "Anna Berg") does not."""
    return bool(typed) and (not known or set(words(known)) < set(words(typed)))
