"""Turn the text lines read from a card into field suggestions.

Pure: no image, no engine, no database. ``parse`` takes lines (text, with the OCR's
confidence and the text's height when known) and returns the fields it found; ``combine``
lays a QR code's fields over them, field by field. The normalizers (``normalize_phone``,
``normalize_email``, ``normalize_website``) are shared with the QR parser.

How a line is read:

- each line is cut into segments at ``|``, ``•`` and ``·``;
- emails, websites and phone numbers are taken out of every segment, each phone number
  with the label before it (``TEL … FAX …`` on one line gives two numbers, the fax
  dropped). The phone suggested is a mobile number if one was read (the person, not the
  switchboard), else the first other number; the other numbers are alternatives;
- what is left and is not an address is scored as a name (two to four capitalized words,
  best when they match the email's local part), a company (a legal form such as AB, GmbH,
  Ltd or SAS, or the email's domain) and a title (a job word such as Manager, Leiter,
  Directeur or Säljare).

Phone numbers without a country code are read in the region of the email's or website's
country domain (``.se``, ``.de``, ``.co.uk``), else in ``default_region``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from .result import Suggestion, TextLine


def fold_ascii(text: str) -> str:
    """Return ``text`` lower-cased without accents: "Åsa Öberg" is "asa oberg"."""
    text = text.lower().replace("ß", "ss").replace("æ", "ae").replace("ø", "o")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


QR_CONFIDENCE = 0.99

# The regions whose layout of a national number is looked for when the card's own regions
# do not print it so, likeliest first (several regions often share a layout).
LIKELY_REGIONS = ("GB", "US", "DE", "FR", "SE", "NL", "ES", "IT", "CH", "AT", "DK", "NO")
# Country domains that are not used for their country (.io, .ai, .co …).
VANITY_TLDS = frozenset({"io", "ai", "co", "me", "tv", "cc", "ly", "fm", "gg", "to", "ws"})
TLD_REGIONS = {"uk": "GB"}

# fmt: off
# Local parts that name a mailbox, not a person: a card's second, general email.
GENERIC_LOCAL_PARTS = frozenset({
    "info", "sales", "contact", "hello", "support", "office", "kontakt", "mail", "admin",
    "team", "service", "post", "bonjour", "enquiries", "press", "hej", "reception", "order",
})
# Top-level domains that make "name.tld" a website without "www." or "https://".
COMMON_TLDS = frozenset({
    "com", "net", "org", "io", "co", "eu", "se", "de", "fr", "uk", "us", "dk", "no", "fi",
    "nl", "be", "ch", "at", "it", "es", "pl", "ie", "pt", "cz", "ca", "au", "nz", "jp", "in",
    "info", "biz", "tech", "ai", "app", "dev", "global", "online", "cloud", "studio", "design",
})
# fmt: on

LEGAL_FORM = re.compile(
    r"(?<![\w&])(AB|GmbH|AG|KG|Ltd\.?|Limited|plc|PLC|Inc\.?|LLC|Corp\.?|Corporation|"
    r"S\.?A\.?S?\.?|SARL|S\.A\.R\.L\.|Oy|AS|A/S|ApS|B\.?V\.?|N\.?V\.?|S\.r\.l\.|S\.p\.A\.|"
    r"Co\.)(?![\w&])"
)
# fmt: off
COMPANY_WORDS = frozenset({
    "group", "systems", "solutions", "technologies", "technology", "labs", "consulting",
    "partners", "software", "studio", "design", "energy", "analytics", "robotics", "logistics",
    "industries", "international", "holding", "holdings", "capital", "media", "bank",
    "engineering", "networks", "services", "werke", "technik", "conseil", "ventures",
    "digital", "medical", "pharma", "foods",
})
# Words of job titles in English, German, Swedish and French, without accents.
TITLE_WORDS = frozenset(fold_ascii(word) for word in {
    "ceo", "cto", "cfo", "coo", "cio", "cmo", "cpo", "vp", "svp", "evp", "president",
    "founder", "co-founder", "cofounder", "owner", "partner", "chairman", "chairwoman", "chair",
    "director", "manager", "head", "lead", "leader", "chief", "officer", "engineer",
    "developer", "architect", "designer", "consultant", "specialist", "analyst", "scientist",
    "researcher", "coordinator", "executive", "associate", "assistant", "advisor", "adviser",
    "representative", "administrator", "sales", "marketing", "procurement", "purchasing",
    "buyer", "account", "accounts", "business", "development", "product", "operations",
    "finance", "support", "success", "customer", "intern", "trainee", "professor", "principal",
    "senior", "junior", "staff", "technician", "strategist", "editor", "producer", "recruiter",
    "geschäftsführer", "geschäftsführerin", "leiter", "leiterin", "vertriebsleiter",
    "vertriebsleiterin", "einkaufsleiter", "einkaufsleiterin", "projektleiter",
    "projektleiterin", "entwickler", "entwicklerin", "softwareentwickler",
    "softwareentwicklerin", "berater", "beraterin", "vertrieb", "einkauf", "vorstand",
    "prokurist", "ingenieur", "ingenieurin", "referent", "referentin",
    "vd", "försäljningschef", "inköpschef", "säljare", "säljchef", "projektledare",
    "utvecklare", "konsult", "chef", "ansvarig", "ekonomichef", "marknadschef", "kundansvarig",
    "directeur", "directrice", "responsable", "chargé", "chargée", "ingénieure", "ingénieur",
    "commercial", "commerciale", "achats", "gérant", "gérante", "président", "présidente",
    "fondateur", "fondatrice", "développeur", "développeuse", "logiciel", "projet",
})
NAME_PARTICLES = frozenset({
    "von", "van", "der", "den", "de", "du", "le", "la", "af", "di", "da", "del", "della",
    "dos", "das", "bin", "ten",
})
# Words of an address's country line.
COUNTRY_WORDS = frozenset(fold_ascii(word) for word in {
    "sweden", "sverige", "germany", "deutschland", "france", "united", "kingdom", "uk", "usa",
    "england", "scotland", "suisse", "schweiz", "österreich", "austria", "denmark", "danmark",
    "norway", "norge", "finland", "suomi",
})
# fmt: on
STREET_WORDS = re.compile(
    r"(?i)(gatan|vägen|väg|gränd|torget|plan|straße|strasse|str\.|weg|platz|allee|ring|"
    r"\brue\b|avenue|\bav\.|boulevard|\bbd\b|place|chemin|quai|street|\bst\.?\b|road|\brd\b|"
    r"lane|drive|suite|floor|box|postfach|\bcs\b|cedex)"
)

EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(?:\s?[.,](?!\s)\s?[A-Za-z0-9-]+)*"
    r"\s?\.\s?[A-Za-z]{2,24}"
)
WEBSITE = re.compile(
    r"(?i)(?<![\w@.-])(?:(https?)://)?(www\d?\.)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"([a-z]{2,24}))\b(/[^\s,;]*)?"
)
PHONE = re.compile(r"(?:\+|\b00)?\s?\(?\d[\d\s().\-/]{4,28}\d")

PHONE_LABELS = [
    (
        "skip",
        r"org\.?\s?nr|org(?:anisation)?\s?no|orgnr|vat(?:\s?no)?|moms(?:reg)?|ust(?:-id)?"
        r"|siret|siren|reg(?:\.|istration)?\s?no|iban|bic|tva",
    ),
    ("fax", r"telefax|fax|f|télécopie"),
    ("mobile", r"mobile|mobil|mob|cell(?:phone)?|handy|portable|port|gsm|m|c"),
    ("direct", r"direct|direkt|dir|d"),
    ("switchboard", r"switchboard|växel|vxl|zentrale|standard|main|reception"),
    ("tel", r"tel|tél|téléphone|telephone|telefon|tfn|fon|phone|ph|office|p|t|o"),
]
PHONE_LABEL = re.compile(
    r"(?i)(?<![\w@])(?:"
    + "|".join(f"(?P<{kind}>{words})" for kind, words in PHONE_LABELS)
    + r")(?:\.|:|\b)"
)
PHONE_RANK = {"mobile": 3, "direct": 2, "tel": 2, None: 2, "switchboard": 1}
LABEL_WORDS = re.compile(
    r"(?i)^\s*(?:e-?mail|mail|e|web(?:site)?|w|www|url|internet|home ?page)\s*[:.]?\s*$"
)
SEPARATORS = re.compile(r"\s*[|•·]\s*|\s{3,}")
CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]")
UPPER = "A-ZÀ-ÖØ-Þ"
LOWER = "a-zß-öø-ÿ"
APOSTROPHE = "'\u2019"
# "Anna", "Jean-Pierre", "O'Brien", "McDonald", "J."
NAME_TOKEN = re.compile(
    rf"^(?:(?:[{UPPER}][{APOSTROPHE}])?[{UPPER}][{LOWER}]+(?:[{UPPER}][{LOWER}]+)?"
    rf"(?:[-{APOSTROPHE}][{UPPER}]?[{LOWER}]+)*|[{UPPER}]\.)$"
)
GLUED_NAME = re.compile(rf"^[{UPPER}][{LOWER}]+(?:[{UPPER}][{LOWER}]+)+$")
UPPER_NAME_TOKEN = re.compile(
    rf"^(?:[{UPPER}][{APOSTROPHE}])?[{UPPER}]{{2,}}(?:[-{APOSTROPHE}][{UPPER}]{{2,}})*$"
)


@dataclass(frozen=True)
class Parsed:
    """The fields read from a card's text or QR code, the other phones and emails, and
    what the parser wants the user to know."""

    fields: dict[str, Suggestion] = field(default_factory=dict)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Phone:
    value: str
    valid: bool
    kind: str | None
    confidence: float
    order: int


@dataclass
class _Found:
    emails: list[tuple[str, float]] = field(default_factory=list)
    websites: list[tuple[str, float]] = field(default_factory=list)
    phones: list[_Phone] = field(default_factory=list)
    words: list[TextLine] = field(default_factory=list)


def edit_distance(a: str, b: str) -> int:
    """Return the Levenshtein distance between ``a`` and ``b``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def region_of_domain(domain: str) -> str | None:
    """Return the phone region of a country domain ("nordkraft.se" is SE), or None."""
    tld = domain.rsplit(".", 1)[-1].lower()
    if tld in TLD_REGIONS:
        return TLD_REGIONS[tld]
    if len(tld) == 2 and tld not in VANITY_TLDS:
        region = tld.upper()
        if phonenumbers.country_code_for_region(region):
            return region
    return None


def normalize_email(text: str) -> str | None:
    """Return the email in ``text`` lower-cased, or None if it is no valid address."""
    text = re.sub(r"\s+", "", text).replace(",", ".").strip(".")
    try:
        address = validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
    return address.lower()


def normalize_website(text: str) -> str | None:
    """Return ``text`` as a website URL ("www.x.se" is "https://www.x.se"), or None."""
    match = WEBSITE.search(text.strip())
    if not match:
        return None
    scheme, www, host, tld, path = match.groups()
    if not (scheme or www or tld.lower() in COMMON_TLDS):
        return None
    path = (path or "").rstrip("/.")
    return f"{(scheme or 'https').lower()}://{(www or '').lower()}{host.lower()}{path}"


def website_host(url: str) -> str:
    """Return the host of a website URL without "www.": "https://www.x.se/a" is "x.se"."""
    host = url.split("://", 1)[-1].split("/", 1)[0]
    return re.sub(r"^www\d?\.", "", host)


def normalize_phone(text: str, regions: Sequence[str] = ()) -> tuple[str, bool]:
    """Return ``text`` as an international phone number and whether it is a valid one.

    A number without a country code is read in the first of ``regions`` whose way of
    grouping its digits is the printed one ("07 67 62 96 90" is French, "076-762 96 90"
    Swedish); failing that in another region that groups them so (``LIKELY_REGIONS``, in
    order); failing that in the first of ``regions`` where it is valid. A ``+`` read as
    ``4`` (``446 70 …``) or lost (``46 70 …``) is put back when only that makes a valid
    number; else the first of ``LIKELY_REGIONS`` where it is valid is taken (a space lost
    between two groups). An invalid number comes back as printed, tidied.
    """
    raw = re.sub(r"\s+", " ", text).strip(" .-/")
    compact = re.sub(r"^00", "+", re.sub(r"[^\d+()]", "", raw))
    compact = re.sub(r"^(\+\d{1,3})\(0\)", r"\1", compact).replace("(", "").replace(")", "")
    if compact.startswith("+"):
        parsed = _valid_number(compact, None)
        return (_international(parsed), True) if parsed else (raw, False)
    groups = _groups(raw)
    valid = [(r, parsed) for r in regions if (parsed := _valid_number(compact, r))]
    others = (r for r in LIKELY_REGIONS if r not in regions)
    for _, parsed in [*valid, *((r, p) for r in others if (p := _valid_number(compact, r)))]:
        if _groups(_national(parsed)) == groups:
            return _international(parsed), True
    if valid:
        return _international(valid[0][1]), True
    if not compact.startswith("0"):
        fixes = ["+" + compact[1:]] if compact.startswith("4") else []
        for number in [*fixes, "+" + compact]:
            if parsed := _valid_number(number, None):
                return _international(parsed), True
    for region in LIKELY_REGIONS:
        if parsed := _valid_number(compact, region):
            return _international(parsed), True
    return raw, False


def _valid_number(number: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


def _international(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _national(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _groups(text: str) -> list[int]:
    """Return the lengths of the groups of digits in a printed number, "(0)" left out."""
    return [len(group) for group in re.findall(r"\d+", text.replace("(0)", ""))]


def is_mobile(number: str) -> bool:
    """Return True if ``number`` (international) is a mobile number."""
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return False
    return kind == phonenumbers.PhoneNumberType.MOBILE


def _clean_lines(lines: Iterable[str | TextLine]) -> list[TextLine]:
    """Return the lines as TextLines with their spaces tidied, empty ones dropped."""
    cleaned = []
    for line in lines:
        if isinstance(line, str):
            line = TextLine(line)
        text = re.sub(r"\s+", " ", line.text).strip()
        if text:
            cleaned.append(TextLine(text, line.confidence, line.height))
    return cleaned


def parse(lines: Iterable[str | TextLine], *, default_region: str | None = None) -> Parsed:
    """Return the fields read from a card's text lines, in reading order."""
    found = _Found()
    for line in _clean_lines(lines):
        for segment in SEPARATORS.split(line.text):
            if segment.strip():
                _take_contacts(TextLine(segment.strip(), line.confidence, line.height), found)
    regions = _regions([email for email, _ in found.emails], found.websites, default_region)
    fields: dict[str, Suggestion] = {}
    emails = _rank_emails(found.emails)
    if emails:
        fields["email"] = Suggestion(emails[0][0], "text", round(emails[0][1] * 0.98, 3))
    websites = sorted(found.websites, key=lambda w: -w[1])
    if websites:
        fields["website"] = Suggestion(websites[0][0], "text", round(websites[0][1] * 0.9, 3))
    phones = _phones(found.phones, regions)
    if phones:
        best = phones[0]
        certainty = 0.95 if best.valid else 0.3
        fields["phone"] = Suggestion(best.value, "text", round(best.confidence * certainty, 3))
    fields.update(_people_fields(found.words, fields.get("email"), fields.get("website")))
    if "email" in fields and "name" in fields:
        email = fields["email"]
        value = _email_for_name(email.value, fields["name"].value)
        if value != email.value:
            fields["email"] = Suggestion(value, "text", round(email.confidence * 0.9, 3))
    fields, warnings = reconcile(fields)
    return Parsed(
        fields=fields,
        phones=[phone.value for phone in phones[1:]],
        emails=[email for email, _ in emails[1:]],
        warnings=warnings,
    )


def combine(text: Parsed, qr: Parsed) -> Parsed:
    """Return the fields of ``text`` with each field the QR code gave replaced by the QR's.

    The alternatives are the phones and emails of both, less the ones suggested. A website
    and an email whose domains differ by one character are made to agree (``reconcile``).
    """
    fields, warnings = reconcile({**text.fields, **qr.fields})
    phones = _others(fields, "phone", [qr, text], lambda p: p.phones, _digits)
    emails = _others(fields, "email", [qr, text], lambda p: p.emails, str.lower)
    return Parsed(fields, phones, emails, [*qr.warnings, *text.warnings, *warnings])


def _others(
    fields: dict[str, Suggestion],
    name: str,
    sources: list[Parsed],
    extra: Callable[[Parsed], list[str]],
    key: Callable[[str], str],
) -> list[str]:
    """Return the values of field ``name`` read by any source, but the one suggested."""
    seen = {key(fields[name].value)} if name in fields else set()
    others = []
    for source in sources:
        own = [source.fields[name].value] if name in source.fields else []
        for value in [*own, *extra(source)]:
            if key(value) not in seen:
                seen.add(key(value))
                others.append(value)
    return others


def reconcile(fields: dict[str, Suggestion]) -> tuple[dict[str, Suggestion], list[str]]:
    """Make a website and an email whose domains differ by one character agree.

    Such a pair is one misread character. The domain kept is the QR code's, else the one
    closer to the company's name, else the one read with more confidence (the email's on
    a tie); the other field is rewritten with it and its confidence lowered.
    """
    email, website = fields.get("email"), fields.get("website")
    if not (email and website):
        return fields, []
    email_domain = email.value.rsplit("@", 1)[1]
    host = website_host(website.value)
    if host == email_domain or edit_distance(host, email_domain) != 1:
        return fields, []
    company = fold_ascii(fields["company"].value) if "company" in fields else ""

    def strength(suggestion: Suggestion, domain: str) -> tuple:
        label = re.sub(r"[^a-z0-9]", "", domain.split(".")[0])
        return (suggestion.source == "qr", bool(label) and label in company.replace(" ", ""))

    keep_email = (strength(email, email_domain), email.confidence) >= (
        strength(website, host),
        website.confidence,
    )
    fields = dict(fields)
    if keep_email:
        value = website.value.replace(host, email_domain, 1)
        fields["website"] = Suggestion(value, website.source, round(website.confidence * 0.8, 3))
        kept, dropped = email_domain, host
    else:
        value = email.value.rsplit("@", 1)[0] + "@" + host
        fields["email"] = Suggestion(value, email.source, round(email.confidence * 0.8, 3))
        kept, dropped = host, email_domain
    return fields, [
        f"The website's and the email's domains differ by one character: "
        f"kept {kept}, not {dropped}."
    ]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _regions(
    emails: list[str], websites: list[tuple[str, float]], default_region: str | None
) -> list[str]:
    domains = [e.rsplit("@", 1)[1] for e in emails] + [website_host(w) for w, _ in websites]
    regions = [region for d in domains if (region := region_of_domain(d))]
    return _unique([*regions, *([default_region.upper()] if default_region else [])])


def _take_contacts(segment: TextLine, found: _Found) -> None:
    """Take the emails, websites and phones out of one segment; keep the words left."""
    text = re.sub(r"\s*@\s*", "@", segment.text.replace("©", "@").replace("®", "@"))
    text = re.sub(r"(?i)\s*[(\[]at[)\]]\s*", "@", text)
    for match in EMAIL.finditer(text):
        email = normalize_email(match.group())
        if email:
            found.emails.append((email, segment.confidence))
    text = EMAIL.sub(" ", text)
    text = re.sub(r"(?i)\bw{2,4}\s?[.,]\s?(?=[a-z0-9])", "www.", text)
    for match in WEBSITE.finditer(text):
        website = normalize_website(match.group())
        if website:
            found.websites.append((website, segment.confidence))
            text = text.replace(match.group(), " ", 1)
    text = _take_phones(text, segment.confidence, found)
    if not LABEL_WORDS.match(text) and re.search(r"[^\W\d_]", text):
        found.words.append(TextLine(text.strip(" ,;:-"), segment.confidence, segment.height))


def _take_phones(text: str, confidence: float, found: _Found) -> str:
    """Take the phone numbers out of ``text``, each with the label before it; return the
    text left, without the labels. Runs of fewer than seven digits (house numbers, postal
    codes) stay in the text."""
    labels = [(m.end(), m.lastgroup) for m in PHONE_LABEL.finditer(text)]
    rest, cursor = [], 0
    for match in PHONE.finditer(text):
        if len(_digits(match.group())) < 7:
            continue
        for number, start in _split_numbers(match.group(), match.start()):
            kinds = [kind for end, kind in labels if cursor <= end <= start]
            kind = kinds[-1] if kinds else None
            if kind not in ("skip", "fax"):
                found.phones.append(_Phone(number, False, kind, confidence, len(found.phones)))
        rest.append(text[cursor : match.start()])
        cursor = match.end()
    if not rest:
        return text
    return PHONE_LABEL.sub(" ", " ".join([*rest, text[cursor:]]))


def _split_numbers(text: str, offset: int) -> list[tuple[str, int]]:
    """Split a run of digits holding two numbers ("… 67 / +46 70 …") into both."""
    parts, start = [], 0
    for match in re.finditer(r"\s*/\s*(?=\+|0)|\s+(?=\+)", text):
        parts.append((text[start : match.start()], offset + start))
        start = match.end()
    parts.append((text[start:], offset + start))
    if all(len(_digits(part)) >= 7 for part, _ in parts):
        return parts
    return [(text, offset)]


def _phones(phones: list[_Phone], regions: list[str]) -> list[_Phone]:
    """Return the phones normalized, deduplicated, best first: a mobile before others."""
    normalized: dict[str, _Phone] = {}
    for phone in phones:
        value, valid = normalize_phone(phone.value, regions)
        if not valid and phone.kind is None:
            continue
        kind = phone.kind
        if valid and kind in (None, "tel") and is_mobile(value):
            kind = "mobile"
        key = _digits(value)
        if key not in normalized:
            normalized[key] = _Phone(value, valid, kind, phone.confidence, phone.order)
    return sorted(
        normalized.values(), key=lambda p: (not p.valid, -PHONE_RANK.get(p.kind, 2), p.order)
    )


def _rank_emails(emails: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Return the emails deduplicated, a person's before a general mailbox's."""
    unique = dict(reversed(emails))
    ranked = sorted(
        dict.fromkeys(e for e, _ in emails),
        key=lambda e: e.split("@")[0] in GENERIC_LOCAL_PARTS,
    )
    return [(e, unique[e]) for e in ranked]


def _people_fields(
    words: list[TextLine], email: Suggestion | None, website: Suggestion | None
) -> dict[str, Suggestion]:
    """Return the name, company and title among the lines that held no contact."""
    local = email.value.split("@")[0] if email else ""
    domains = [
        d
        for d in (email and email.value.split("@")[1], website and website_host(website.value))
        if d
    ]
    labels = {re.sub(r"[^a-z0-9]", "", d.split(".")[0]) for d in domains}
    labels.discard("")
    local_parts = [p for p in re.split(r"[._-]+", fold_ascii(local)) if p]
    candidates = [
        _unglued(replace(line, text=_spaced(line.text)), local_parts)
        for line in words
        if _is_candidate(line)
    ]
    tallest = max((line.height for line in candidates), default=0.0)
    fields: dict[str, Suggestion] = {}
    scorers = [
        ("name", lambda line: _name_score(line, local, tallest)),
        ("company", lambda line: _company_score(line.text, labels)),
        ("title", lambda line: _title_score(line.text)),
    ]
    for name, scorer in scorers:
        scored = [(scorer(line), -i, line) for i, line in enumerate(candidates)]
        if not scored:
            break
        score, _, best = max(scored, key=lambda s: s[:2])
        if score < 2:
            continue
        text = best.text
        if name == "name":
            text = _fix_name_from_email(text, local)
        certainty = min(0.95, 0.55 + 0.08 * score)
        fields[name] = Suggestion(text, "text", round(best.confidence * certainty, 3))
        candidates.remove(best)
    return fields


def _spaced(text: str) -> str:
    """Return ``text`` with the spaces the OCR lost before a known word put back:
    "LogisticsLLC" is "Logistics LLC", "SolutionsArchitect" "Solutions Architect"."""
    words = []
    for token in text.split(" "):
        parts = re.split(rf"(?<=[{LOWER}])(?=[{UPPER}])", token)
        known = all(
            LEGAL_FORM.fullmatch(part) or fold_ascii(part) in TITLE_WORDS | COMPANY_WORDS
            for part in parts[1:]
        )
        words.extend(parts if known else [token])
    return " ".join(words)


def _unglued(line: TextLine, local_parts: list[str]) -> TextLine:
    """Return a name read without its space ("LarsWallin") with the space put back, when
    the email's local part names the same person."""
    if not local_parts or not GLUED_NAME.match(line.text):
        return line
    text = re.sub(rf"(?<=[{LOWER}])(?=[{UPPER}])", " ", line.text)
    if _matches_local_part(text.split(), local_parts):
        return replace(line, text=text)
    return line


def _is_candidate(line: TextLine) -> bool:
    """Return True for a line that may be a name, company or title: not junk, no address."""
    text = line.text
    letters = sum(c.isalpha() for c in text)
    if line.confidence < 0.6 or letters < 2 or CJK.search(text):
        return False
    if letters / len(text.replace(" ", "")) < 0.7:
        return False
    if sum(c.isdigit() for c in text) >= 3:
        return False
    words = {w.strip(",.") for w in fold_ascii(text).split()}
    return not (words & COUNTRY_WORDS or STREET_WORDS.search(text))


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,/&()]+", fold_ascii(text)) if w]


def _title_score(text: str) -> float:
    words = _words(text)
    hits = sum(w.strip(".") in TITLE_WORDS for w in words)
    score = 3.0 if hits else 0.0
    score += 0.5 * min(hits - 1, 2) if hits > 1 else 0.0
    if LEGAL_FORM.search(text):
        score -= 3
    return score


def _company_score(text: str, labels: set[str]) -> float:
    score = 0.0
    if LEGAL_FORM.search(text):
        score += 4
    squashed = re.sub(r"[^a-z0-9]", "", fold_ascii(text))
    if any(_label_matches(label, squashed) for label in labels):
        score += 3
    words = _words(text)
    if any(w in COMPANY_WORDS for w in words):
        score += 1.5
    if any(w.strip(".") in TITLE_WORDS for w in words) and score < 4:
        score -= 3
    return score


def _label_matches(label: str, squashed: str) -> bool:
    """Return True when a domain's label is the line's text, or its start, near enough."""
    if len(label) < 3 or not squashed:
        return False
    if squashed.startswith(label) or label.startswith(squashed):
        return True
    return edit_distance(label, squashed[: len(label)]) <= max(1, len(label) // 6)


def _name_score(line: TextLine, local: str, tallest: float) -> float:
    tokens = line.text.split()
    if not 2 <= len(tokens) <= 4:
        return 0.0
    score = 0.0
    shaped = [t for t in tokens if NAME_TOKEN.match(t) or t.lower() in NAME_PARTICLES]
    upper = [t for t in tokens if UPPER_NAME_TOKEN.match(t)]
    if len(shaped) == len(tokens):
        score += 2
    elif len(upper) == len(tokens):
        score += 1.5
    else:
        return 0.0
    words = [t for t in tokens if t.lower() not in NAME_PARTICLES]
    local_parts = [p for p in re.split(r"[._-]+", fold_ascii(local)) if p]
    if local_parts and _matches_local_part(words, local_parts):
        score += 4
    if tallest and line.height >= 0.95 * tallest:
        score += 1
    words = _words(line.text)
    if LEGAL_FORM.search(line.text) or any(w in COMPANY_WORDS for w in words):
        score -= 3
    if any(w.strip(".") in TITLE_WORDS for w in words):
        score -= 3
    return score


def _matches_local_part(tokens: list[str], parts: list[str]) -> bool:
    """Return True when a name's words and an email's local part name the same person.

    "Jürgen Müller" matches juergen.mueller, jurgen.muller and jmuller.
    """
    squashed = "".join(parts)
    for token in tokens:
        for variant in {fold_ascii(token), fold_ascii(_german_spelling(token))}:
            variant = variant.replace("-", "").replace("'", "")
            if len(variant) < 3:
                continue
            if variant in squashed or any(
                len(p) >= 4 and edit_distance(variant, p) <= 1 for p in parts
            ):
                return True
    return False


def _german_spelling(token: str) -> str:
    """Return ``token`` with umlauts spelled out: "Müller" is "Mueller"."""
    for umlaut, spelled in (
        ("ä", "ae"),
        ("ö", "oe"),
        ("ü", "ue"),
        ("Ä", "Ae"),
        ("Ö", "Oe"),
        ("Ü", "Ue"),
    ):
        token = token.replace(umlaut, spelled)
    return token


def _email_for_name(email: str, name: str) -> str:
    """Return ``email`` with a misreading undone when only that makes its local part
    spell ``name`` as addresses do (anna.lindqvist, a.lindqvist, alindqvist, anna …): a
    label read as part of it ("E anna@" read "Eanna@"), or an l read as I or 1."""
    local, domain = email.rsplit("@", 1)
    spellings = _local_parts_of(name)
    if not spellings or local in spellings:
        return email
    label = re.match(r"(?:e-?mail|mail|e)[:.]?", local)
    candidates = [local[label.end() :]] if label else []
    for i, char in enumerate(local):
        if char in "i1":
            candidates.append(local[:i] + "l" + local[i + 1 :])
    for candidate in candidates:
        if candidate in spellings:
            return f"{candidate}@{domain}"
    return email


def _local_parts_of(name: str) -> set[str]:
    """Return the local parts an email address of ``name`` usually has."""
    words = [w for w in name.split() if w.lower() not in NAME_PARTICLES]
    if len(words) < 2:
        return set()
    spellings = set()
    for spell in (fold_ascii, lambda w: fold_ascii(_german_spelling(w))):
        first, last = spell(words[0]).replace("'", ""), spell(words[-1]).replace("'", "")
        spellings |= {
            f"{first}.{last}", f"{first[0]}.{last}", first, f"{first}{last[0]}",
            f"{first[0]}{last}", f"{first}{last}", f"{first}_{last}", f"{first}-{last}",
            last, f"{last}.{first}",
        }  # fmt: skip
    return spellings


def _fix_name_from_email(name: str, local: str) -> str:
    """Correct a name's word misread by one character when the email spells it.

    Only a word read without accents is corrected, so that "Jürgen" is never turned
    into the email's "juergen".
    """
    parts = [p for p in re.split(r"[._-]+", local.lower()) if len(p) >= 3]
    tokens = name.split()
    for i, token in enumerate(tokens):
        if not token.isascii() or not token.isalpha():
            continue
        for part in parts:
            if edit_distance(token.lower(), part) == 1 and len(part) == len(token):
                tokens[i] = part.upper() if token.isupper() else part.capitalize()
    return " ".join(tokens)
