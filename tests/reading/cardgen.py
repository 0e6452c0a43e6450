"""Photos of business cards made at test time, each knowing what it says and its folds.

``make_card(seed)`` draws a card (one of five layouts, colours, a logo, often a QR code
holding a vCard, a MeCard or a web address), folds it, lays it on a table and photographs
it as a phone would: turned, in perspective, blurred, unevenly lit, noisy, as a JPEG,
sometimes stored sideways with an EXIF orientation. The same seed gives the same card.

How the folds are drawn, the card held landscape and right side up:

- a bent corner (UL, UR, LL, LR) is cut off the card along a line across the corner;
  most often its flap lies folded over the card's face, a triangle in the card's back
  colour, shaded, with a soft shadow along its edges (else it is bent behind the card);
- HALF is a crease from the middle of the top long edge to the middle of the bottom
  one (a vertical line halfway across), a dark line beside a light one, one half
  lit a little darker than the other;
- DIAG is the same kind of crease from one corner to the opposite corner.

Fonts: DejaVu (Debian's fonts-dejavu-core) where the machine has it, else the font that
Pillow ships (``ImageFont.load_default(size=…)``).
"""

from __future__ import annotations

import io
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import phonenumbers
import segno
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
FONT_FILES = {
    "sans": "DejaVuSans.ttf",
    "sans-bold": "DejaVuSans-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
    "serif-bold": "DejaVuSerif-Bold.ttf",
}

# fmt: off
COUNTRIES = {
    "SE": {
        "first": ["Anna", "Erik", "Åsa", "Lars", "Karin", "Johan", "Sofia", "Mikael", "Ingrid",
            "Björn", "Maja", "Oskar", "Linnéa", "Gustav"],
        "last": ["Lindqvist", "Andersson", "Öberg", "Nyström", "Sjöberg", "Bergström", "Holm",
            "Ekström", "Lundgren", "Wallin"],
        "titles": ["Försäljningschef", "Inköpschef", "VD", "Projektledare", "Säljare",
            "Head of Procurement", "Key Account Manager", "CTO"],
        "stems": ["Nordkraft", "Fjällbo", "Solvik", "Järnbro", "Havsfront", "Ekdal", "Granlund"],
        "forms": ["AB"],
        "tld": "se",
        "street": ["Storgatan {n}, 111 {z} Stockholm", "Kungsvägen {n}, 411 {z} Göteborg"],
        "tel": ["Tel", "Tfn", "Telefon", "T"],
        "mobile": ["Mobil", "Mob", "M"],
        "switchboard": ["Växel"],
        "fax": ["Fax"],
        "registry": "Org.nr 556{a}-{b}",
    },
    "DE": {
        "first": ["Jürgen", "Katrin", "Stefan", "Sabine", "Lukas", "Anja", "Matthias", "Julia",
            "Tobias", "Claudia"],
        "last": ["Müller", "Schneider", "Weber", "Becker", "Hoffmann", "Schäfer", "Krüger",
            "Wagner", "Zimmermann", "Neumann"],
        "titles": ["Geschäftsführer", "Vertriebsleiterin", "Einkaufsleiter", "Projektleiterin",
            "Softwareentwickler", "Head of Sales", "Key Account Manager"],
        "stems": ["Brandt", "Rheinwerk", "Alpenlicht", "Kranich", "Lindenhof", "Elbtal"],
        "forms": ["GmbH", "AG", "GmbH & Co. KG"],
        "tld": "de",
        "street": ["Hauptstraße {n}, 10{z}5 Berlin", "Lindenallee {n}, 80{z}1 München"],
        "tel": ["Tel.", "Telefon", "Fon", "T"],
        "mobile": ["Mobil", "Handy", "M"],
        "switchboard": ["Zentrale"],
        "fax": ["Fax"],
        "registry": "USt-IdNr. DE{a}{b}",
    },
    "US": {
        "first": ["Michael", "Jennifer", "David", "Sarah", "Christopher", "Emily", "James",
            "Ashley", "Robert", "Megan"],
        "last": ["Johnson", "Williams", "Brown", "Garcia", "Miller", "Davis", "Rodriguez",
            "Martinez", "Anderson", "Taylor"],
        "titles": ["VP Business Development", "Chief Financial Officer", "Sales Director",
            "Solutions Architect", "Customer Success Manager", "Founder & CEO",
            "Senior Software Engineer"],
        "stems": ["Bluepeak", "Ironwood", "Clearwater", "Northstar", "Redcliff", "Silverline"],
        "forms": ["Inc.", "LLC", "Corp."],
        "tld": "com",
        "street": ["{n}00 Market St, San Francisco, CA 941{z}",
            "{n} Main Street, Austin, TX 787{z}"],
        "tel": ["Phone", "Tel", "P", "Office"],
        "mobile": ["Cell", "Mobile", "C"],
        "switchboard": ["Main"],
        "fax": ["Fax", "F"],
        "registry": None,
    },
    "GB": {
        "first": ["Oliver", "Charlotte", "Harry", "Amelia", "George", "Isla", "Thomas", "William",
            "Sophie", "Eleanor"],
        "last": ["Smith", "Jones", "Evans", "Hughes", "Wright", "Walker", "Roberts", "Clarke",
            "Turner", "O'Brien"],
        "titles": ["Managing Director", "Marketing Manager", "Senior Data Analyst",
            "Operations Director", "Procurement Manager", "Partner"],
        "stems": ["Harbourline", "Kestrel", "Thistle", "Ashgrove", "Redbrick", "Whitmore"],
        "forms": ["Ltd", "Limited", "plc"],
        "tld": "co.uk",
        "street": ["{n} Baker Street, London NW1 6XE", "{n} King's Road, Manchester M1 2AB"],
        "tel": ["T", "Tel", "Telephone", "Direct"],
        "mobile": ["M", "Mobile", "Mob"],
        "switchboard": ["Switchboard"],
        "fax": ["F", "Fax"],
        "registry": "Company No. {a}{b}",
    },
    "FR": {
        "first": ["François", "Hélène", "Julien", "Camille", "Mathieu", "Chloé", "Nicolas", "Léa",
            "Antoine", "Amélie", "Jean-Pierre", "Marie-Claire"],
        "last": ["Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Bonnet", "Rousseau",
            "Mercier", "Fontaine", "Chevalier"],
        "titles": ["Directeur commercial", "Responsable des achats", "Chef de projet",
            "Ingénieure logiciel", "Directrice marketing", "Président"],
        "stems": ["Lumière", "Beaulieu", "Vauban", "Clairval", "Montrose", "Belcourt"],
        "forms": ["SA", "SAS", "SARL"],
        "tld": "fr",
        "street": ["{n} rue de la Paix, 750{z} Paris", "{n} avenue Jean Jaurès, 690{z} Lyon"],
        "tel": ["Tél.", "Tél", "T"],
        "mobile": ["Mob.", "Portable", "M"],
        "switchboard": ["Standard"],
        "fax": ["Fax"],
        "registry": "SIRET {a} {b}",
    },
}
# National numbers drawn at random and kept when valid: (kind, national pattern).
NUMBERS = {
    "SE": [("mobile", "07{0,2,3,6}#######"), ("tel", "08#######"), ("tel", "031######")],
    "DE": [("mobile", "01{5,6,7}{1,2}#######"), ("tel", "030########"), ("tel", "089#######")],
    "US": [("tel", "{4,6,2}{1,5}{2,5}{2,3,4,5,6,7,8}######")],
    "GB": [("mobile", "07{4,5,7,8,9}########"), ("tel", "020{3,7,8}#######")],
    "FR": [("mobile", "0{6,7}########"), ("tel", "0{1,2,3,4,5}########")],
}
COMPANY_WORDS = [
    "Energy", "Analytics", "Systems", "Robotics", "Logistics", "Consulting", "Software",
    "Technik", "Solutions",
]
TAGLINES = [
    "Engineering the everyday", "Power for the next century", "Built to last",
    "Quality since {year}", "Simply better logistics", "Your partner in growth",
]
PANELS = [
    (22, 54, 92), (0, 105, 110), (150, 25, 45), (205, 95, 20), (30, 90, 50), (85, 40, 120),
    (40, 40, 45),
]
INKS = [(20, 20, 25), (35, 45, 60), (60, 30, 30), (25, 50, 45)]
PAPERS = [(252, 252, 250), (246, 242, 232), (238, 240, 242), (255, 255, 255)]
TABLES = [
    (92, 62, 40), (120, 85, 55), (60, 60, 64), (35, 70, 55), (150, 110, 80), (45, 45, 48),
    (80, 30, 30),
]
LIGHT_TABLES = [(205, 190, 160), (215, 215, 210), (190, 200, 210)]
# fmt: on


@dataclass(frozen=True)
class GeneratedCard:
    """A photo of a card and the truth about it.

    ``fields`` holds what the card says: name, title, company as printed, email
    lower-cased, phone in E.164 (the mobile number if the card has one), website as
    https URL; a field the card lacks is absent. ``rotation`` is the quarter turn,
    clockwise, that brings the card right side up in the EXIF-upright photo.
    """

    seed: int
    photo: bytes
    fields: dict[str, str]
    folds: frozenset[str]
    rotation: int
    region: str
    qr: str | None
    layout: str
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)


@cache
def font(style: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Return a DejaVu font of ``style`` and ``size``, else Pillow's own font."""
    for folder in FONT_DIRS:
        path = folder / FONT_FILES[style]
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def ascii_fold(text: str, german: bool = False) -> str:
    """Return ``text`` as a mail system would spell it: lower case, no accents."""
    text = text.lower()
    if german:
        text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "".join(c for c in text if c.isalnum() or c in ".-")


def same_field(name: str, got: str | None, want: str | None) -> bool:
    """Return True when a reading's value is what the card says (both may be absent)."""
    if got is None or want is None:
        return got is None and want is None
    if name == "phone":
        try:
            parsed = phonenumbers.parse(got)
        except phonenumbers.NumberParseException:
            return False
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == want
    if name == "website":
        return got.split("://")[-1].rstrip("/").lower() == want.split("://")[-1].lower()
    if name == "email":
        return got.lower() == want
    return " ".join(got.split()) == want


def make_set(count: int, seed: int = 0) -> list[GeneratedCard]:
    """Return ``count`` cards, the same ones for the same seed."""
    return [make_card(seed * 100_003 + i) for i in range(count)]


def make_card(seed: int, **overrides) -> GeneratedCard:
    """Return a photographed card drawn from ``seed``; ``overrides`` fix choices such as
    ``folds=frozenset({"UL"})``, ``qr="vcard"``, ``rotation=90``, ``layout="panel"``,
    ``region="DE"``, ``exif_sideways=True``, ``photo_side=1600`` (its long side)."""
    rng = random.Random(seed)
    person = _person(rng, overrides.get("region"))
    qr_kind = overrides.get(
        "qr", rng.choices([None, "vcard", "mecard", "url"], [60, 18, 12, 10])[0]
    )
    if qr_kind == "url" and "website" not in person.fields:
        person.fields["website"] = f"https://www.{person.domain}"
        person.website_printed = f"www.{person.domain}"
    folds = overrides.get("folds")
    if folds is None:
        folds = frozenset(
            code
            for code, p in (
                ("UL", 0.2),
                ("UR", 0.2),
                ("LL", 0.15),
                ("LR", 0.15),
                ("HALF", 0.15),
                ("DIAG", 0.1),
            )
            if rng.random() < p
        )
    layout = overrides.get("layout", rng.choice(["classic", "centered", "panel", "band", "dark"]))
    if layout == "centered" and qr_kind:
        layout = "classic"
    card, paper_back, drawn = _draw_card(rng, person, layout, qr_kind)
    card = _fold(rng, card, folds, paper_back, drawn)
    rotation = overrides.get("rotation", rng.choices([0, 90, 180, 270], [55, 17, 11, 17])[0])
    sideways = overrides.get("exif_sideways", rng.random() < 0.2)
    long_side = overrides.get("photo_side", rng.choice([1600, 1600, 2400, 2400, 3200]))
    photo = _photograph(np.random.default_rng(seed), rng, card, rotation, sideways, long_side)
    return GeneratedCard(
        seed=seed,
        photo=photo,
        fields=dict(person.fields),
        folds=frozenset(folds),
        rotation=rotation,
        region=person.region,
        qr=qr_kind,
        layout=layout,
        phones=person.other_phones,
        emails=person.other_emails,
    )


@dataclass
class _Person:
    region: str
    fields: dict[str, str]
    domain: str
    website_printed: str | None
    phone_lines: list[str]
    other_phones: list[str]
    other_emails: list[str]
    email_line: str
    extra_email_line: str | None
    address: str | None
    registry: str | None
    tagline: str | None
    phones: list[tuple[str, str]]


def _person(rng: random.Random, region: str | None) -> _Person:
    region = region or rng.choice(list(COUNTRIES))
    c = COUNTRIES[region]
    first, last = rng.choice(c["first"]), rng.choice(c["last"])
    if rng.random() < 0.1:
        last = f"{last}-{rng.choice(c['last'])}" if last != "O'Brien" else last
    name = f"{first} {last}"
    stem = rng.choice(c["stems"])
    word = rng.choice(COMPANY_WORDS) if rng.random() < 0.35 else ""
    form = rng.choice(c["forms"]) if rng.random() < 0.85 else ""
    company = " ".join(p for p in (stem, word, form) if p)
    label = ascii_fold(stem) + (
        ("-" if rng.random() < 0.5 else "") + ascii_fold(word) if word else ""
    )
    tld = c["tld"] if rng.random() < 0.85 else "com"
    domain = f"{label}.{tld}"
    german = region == "DE" and rng.random() < 0.6
    f, l_ = ascii_fold(first, german), ascii_fold(last, german).replace("'", "")
    local = rng.choice([f"{f}.{l_}", f"{f[0]}.{l_}", f"{f}", f"{f}{l_[0]}", f"{f[0]}{l_}"])
    email = f"{local}@{domain}"
    fields = {"name": name, "company": company, "email": email}
    if rng.random() < 0.9:
        fields["title"] = rng.choice(c["titles"])
    website_printed = None
    if rng.random() < 0.75:
        website_printed = rng.choice([f"www.{domain}", domain, f"https://www.{domain}"])
        fields["website"] = "https://" + website_printed.split("://")[-1]
    phones = _phones(rng, region)
    mobile = [p for kind, p in phones if kind == "mobile"]
    main = mobile[0] if mobile else next(p for kind, p in phones if kind != "fax")
    fields["phone"] = main
    other_phones = [p for kind, p in phones if kind != "fax" and p != main]
    international = rng.random() < 0.6 or (region == "US" and rng.random() < 0.5)
    printed = {p: _printed(rng, p, international and rng.random() < 0.85) for _, p in phones}
    labels = {kind: rng.choice(c[kind]) for kind in ("tel", "mobile", "switchboard", "fax")}
    unlabelled = rng.random() < 0.15 and len(phones) == 1
    if rng.random() < 0.3 and any(kind == "fax" for kind, _ in phones):
        # "TEL … FAX …" on one line.
        line = "  ".join(f"{labels[kind].upper()} {printed[p]}" for kind, p in phones)
        phone_lines = [line]
    else:
        separator = rng.choice([" ", ": "])
        phone_lines = [
            printed[p]
            if unlabelled
            else f"{labels[kind]}{separator}{printed[p]}".replace(".:", ".")
            for kind, p in phones
        ]
    email_line = rng.choice([email, email, f"E-mail: {email}", f"E {email}", f"Email: {email}"])
    extra = None
    other_emails = []
    if rng.random() < 0.12:
        generic = rng.choice(["info", "sales", "kontakt" if region in ("SE", "DE") else "contact"])
        other_emails = [f"{generic}@{domain}"]
        extra = other_emails[0]
    address = None
    if rng.random() < 0.6:
        address = rng.choice(c["street"]).format(n=rng.randint(2, 48), z=rng.randint(10, 99))
    registry = None
    if c["registry"] and rng.random() < 0.2:
        registry = c["registry"].format(a=rng.randint(100, 999), b=rng.randint(1000, 9999))
    tagline = (
        rng.choice(TAGLINES).format(year=rng.randint(1950, 2010)) if rng.random() < 0.2 else None
    )
    return _Person(
        region,
        fields,
        domain,
        website_printed,
        phone_lines,
        other_phones,
        other_emails,
        email_line,
        extra,
        address,
        registry,
        tagline,
        phones,
    )


def _phones(rng: random.Random, region: str) -> list[tuple[str, str]]:
    """Return the card's numbers as (kind, E.164): a mobile or a direct line, perhaps the
    switchboard or a fax."""
    pattern = {kind: [p for k, p in NUMBERS[region] if k == kind] for kind in ("mobile", "tel")}
    kinds = ["mobile"] if pattern["mobile"] and rng.random() < 0.6 else ["tel"]
    if rng.random() < 0.35:
        kinds.append("tel" if kinds[0] == "mobile" else "switchboard")
    if rng.random() < 0.25:
        kinds.append("fax")
    numbers = []
    for kind in kinds:
        choices = pattern["mobile"] if kind == "mobile" else pattern["tel"]
        numbers.append((kind, _number(rng, region, rng.choice(choices), kind == "mobile")))
    return numbers


def _number(rng: random.Random, region: str, pattern: str, mobile: bool) -> str:
    """Return a valid number of ``pattern`` in E.164: "#" is any digit, "{6,7}" one of."""
    for _ in range(1000):
        digits = "".join(
            rng.choice(token[1:-1].split(","))
            if token.startswith("{")
            else str(rng.randint(0, 9))
            if token == "#"
            else token
            for token in re.findall(r"\{[^}]*\}|.", pattern)
        )
        number = phonenumbers.parse(digits, region)
        kind = phonenumbers.number_type(number)
        wanted = (
            {phonenumbers.PhoneNumberType.MOBILE}
            if mobile
            else {
                phonenumbers.PhoneNumberType.FIXED_LINE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            }
        )
        if phonenumbers.is_valid_number(number) and kind in wanted:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise ValueError(f"No valid {region} number looks like {pattern}")


def _printed(rng: random.Random, number: str, international: bool) -> str:
    """Return ``number`` as a card prints it: international, perhaps with "(0)", or national."""
    parsed = phonenumbers.parse(number)
    if not international:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    text = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if phonenumbers.region_code_for_number(parsed) in ("GB", "DE", "SE") and rng.random() < 0.4:
        code, rest = text.split(" ", 1)
        text = f"{code} (0){rest}"
    return text


def _text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    style: str,
    size: int,
    fill,
    anchor: str = "la",
) -> float:
    """Draw ``text`` and return the y just below it."""
    f = font(style, size)
    draw.text(xy, text, font=f, fill=fill, anchor=anchor)
    box = draw.textbbox(xy, text, font=f, anchor=anchor)
    return box[3]


def _fit(text: str, style: str, size: int, width: float) -> int:
    """Return ``size`` made smaller until ``text`` fits ``width`` pixels."""
    while size > 19 and font(style, size).getlength(text) > width:
        size -= 1
    return size


def _logo(rng: random.Random, size: int, colour, initials: str) -> Image.Image:
    logo = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(logo)
    kind = rng.choice(["circle", "triangles", "square", "arcs"])
    if kind == "circle":
        d.ellipse((0, 0, size - 1, size - 1), fill=colour)
    elif kind == "triangles":
        d.polygon([(0, size), (size / 2, 0), (size, size)], fill=colour)
        d.polygon(
            [(size * 0.3, size), (size * 0.65, size * 0.35), (size, size)],
            fill=(255, 255, 255, 160),
        )
    elif kind == "square":
        d.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=colour)
    else:
        for i in range(4):
            r = size / 2 - i * size / 9
            d.arc(
                (size / 2 - r, size / 2 - r, size / 2 + r, size / 2 + r),
                200,
                340,
                fill=colour,
                width=max(3, size // 14),
            )
    if kind in ("circle", "square") and rng.random() < 0.6:
        d.text(
            (size / 2, size / 2),
            initials,
            font=font("serif-bold", int(size * 0.42)),
            fill=(255, 255, 255, 255),
            anchor="mm",
        )
    return logo


def _qr_image(person: _Person, kind: str, size: int, dark, light) -> Image.Image:
    f = person.fields
    first, _, last = f["name"].partition(" ")
    if kind == "vcard":
        lines = [
            "BEGIN:VCARD",
            "VERSION:3.0",
            f"N:{last};{first};;;",
            f"FN:{f['name']}",
            f"ORG:{f['company']}",
        ]
        if "title" in f:
            lines.append(f"TITLE:{f['title']}")
        for kind_, number in person.phones:
            vtype = {"mobile": "CELL", "fax": "FAX"}.get(kind_, "WORK,VOICE")
            lines.append(f"TEL;TYPE={vtype}:{number}")
        lines.append(f"EMAIL;TYPE=INTERNET:{f['email']}")
        if "website" in f:
            lines.append(f"URL:{f['website']}")
        payload = "\n".join([*lines, "END:VCARD"])
    elif kind == "mecard":
        parts = [f"N:{last},{first}", f"TEL:{f['phone']}", f"EMAIL:{f['email']}"]
        if "website" in f:
            parts.append(f"URL:{f['website']}")
        payload = "MECARD:" + ";".join(parts) + ";;"
    else:
        payload = f["website"] + "/"
    code = segno.make(payload, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=1, border=2, dark=dark, light=light)
    image = Image.open(io.BytesIO(out.getvalue())).convert("RGB")
    return image.resize((size, size), Image.Resampling.NEAREST)


def _draw_card(rng: random.Random, person: _Person, layout: str, qr_kind: str | None):
    """Return the card's face (RGB), the colour of its back and the boxes of its text and
    QR code."""
    width, height = rng.choice([(1050, 600), (1004, 650)])
    paper = rng.choice(PAPERS)
    ink = rng.choice(INKS)
    accent = rng.choice(PANELS)
    if layout == "dark":
        paper, ink = accent if accent != (205, 95, 20) else (22, 54, 92), (245, 245, 245)
    card = Image.new("RGB", (width, height), paper)
    d = ImageDraw.Draw(card)
    f = person.fields
    sans = rng.choice(["sans", "serif"])
    bold = sans + "-bold"
    initials = "".join(w[0] for w in f["company"].split()[:2]).upper()
    name_size = rng.randint(44, 54)
    body = rng.randint(25, 29)
    contacts = [person.email_line, *person.phone_lines]
    if person.extra_email_line:
        contacts.append(person.extra_email_line)
    if person.website_printed:
        contacts.append(person.website_printed)
    rng.shuffle(contacts)
    extras = [x for x in (person.address, person.registry) if x]
    qr_size = rng.randint(190, 230)
    margin = 60
    drawn: list[tuple[float, float, float, float]] = []

    def text(xy, line, style, size, colour, anchor="la"):
        bottom = _text(d, xy, line, style, size, colour, anchor)
        drawn.append(d.textbbox(xy, line, font=font(style, size), anchor=anchor))
        return bottom

    def paste_qr(image, xy):
        card.paste(image, xy)
        drawn.append((xy[0], xy[1], xy[0] + image.width, xy[1] + image.height))

    def block(x, y, lines, size, colour, anchor="la", gap=1.45):
        for line in lines:
            text((x, y), line, sans, size, colour, anchor)
            y += size * gap
        return y

    if layout in ("classic", "dark"):
        logo_size = rng.randint(100, 140)
        logo = _logo(rng, logo_size, accent if layout != "dark" else (240, 240, 240), initials)
        card.paste(logo, (width - margin - logo_size, margin), logo)
        y = (
            text(
                (margin, margin),
                f["name"],
                bold,
                _fit(f["name"], bold, name_size, width * 0.6),
                ink,
            )
            + 14
        )
        if "title" in f:
            y = text((margin, y), f["title"], sans, body + 2, ink) + 12
        y = text(
            (margin, y), f["company"], bold, _fit(f["company"], bold, body + 6, width * 0.6), ink
        )
        if person.tagline:
            text((margin, y + 10), person.tagline, sans, body - 6, ink)
        lines = [*contacts, *extras]
        size = _fit(
            max(lines, key=len), sans, body, width - 2 * margin - (qr_size + 30 if qr_kind else 0)
        )
        block(margin, height - margin - size * 1.45 * len(lines) + size * 0.45, lines, size, ink)
        if qr_kind:
            light = paper if layout != "dark" else (255, 255, 255)
            dark = (0, 0, 0) if layout != "dark" else (10, 10, 10)
            paste_qr(
                _qr_image(person, qr_kind, qr_size, dark, light),
                (width - margin - qr_size - 5, height - margin - qr_size - 5),
            )
    elif layout == "centered":
        logo_size = rng.randint(80, 100)
        logo = _logo(rng, logo_size, accent, initials)
        card.paste(logo, (width // 2 - logo_size // 2, 40), logo)
        y = 40 + logo_size + 12
        y = text((width / 2, y), f["company"], bold, body + 4, accent, "ma") + 26
        y = (
            text(
                (width / 2, y),
                f["name"],
                bold,
                _fit(f["name"], bold, name_size - 4, width - 120),
                ink,
                "ma",
            )
            + 10
        )
        if "title" in f:
            y = text((width / 2, y), f["title"], sans, body, ink, "ma") + 10
        lines = contacts + ([person.address] if person.address else [])
        if len(lines) > 3 and rng.random() < 0.6:
            pairs = [" | ".join(lines[i : i + 2]) for i in range(0, len(lines), 2)]
            lines = pairs
        size = _fit(max(lines, key=len), sans, body - 2, width - 100)
        block(width / 2, height - 40 - size * 1.4 * len(lines), lines, size, ink, "ma", 1.4)
    elif layout == "panel":
        company_size = _fit(f["company"], bold, body + 2, width * 0.37 - 40)
        # The panel is widened for a long company name, which would else run off it.
        room = font(bold, company_size).getlength(f["company"]) + 40
        panel = int(max(width * rng.uniform(0.31, 0.37), room))
        d.rectangle((0, 0, panel, height), fill=accent)
        logo_size = rng.randint(90, 120)
        logo = _logo(rng, logo_size, (255, 255, 255), initials)
        card.paste(logo, (panel // 2 - logo_size // 2, 70), logo)
        text(
            (panel / 2, 70 + logo_size + 30),
            f["company"],
            bold,
            company_size,
            (255, 255, 255),
            "ma",
        )
        if person.tagline:
            text(
                (panel / 2, height - 70),
                person.tagline,
                sans,
                _fit(person.tagline, sans, body - 8, panel - 30),
                (235, 235, 235),
                "ma",
            )
        x = panel + 45
        qr_small = qr_size - 30
        # The name and title stop short of the QR code in the top right corner.
        room = width - x - 40 - (qr_small + 45 if qr_kind else 0)
        y = text((x, 60), f["name"], bold, _fit(f["name"], bold, name_size - 4, room), ink) + 12
        if "title" in f:
            y = text((x, y), f["title"], sans, _fit(f["title"], sans, body, room), ink)
        lines = [*contacts, *([person.address] if person.address else [])]
        size = _fit(max(lines, key=len), sans, body - 2, width - x - 40)
        block(x, height - 50 - size * 1.45 * len(lines), lines, size, ink)
        if qr_kind:
            paste_qr(
                _qr_image(person, qr_kind, qr_small, (0, 0, 0), paper), (width - 65 - qr_small, 65)
            )
    else:  # band
        band = int(height * rng.uniform(0.24, 0.3))
        d.rectangle((0, 0, width, band), fill=accent)
        logo_size = int(band * 0.62)
        logo = _logo(rng, logo_size, (255, 255, 255), initials)
        card.paste(logo, (margin, (band - logo_size) // 2), logo)
        text(
            (margin + logo_size + 25, band / 2),
            f["company"],
            bold,
            _fit(f["company"], bold, body + 8, width - 2 * margin - logo_size - 40),
            (255, 255, 255),
            "lm",
        )
        y = (
            text(
                (margin, band + 40),
                f["name"],
                bold,
                _fit(f["name"], bold, name_size - 6, width * 0.55),
                ink,
            )
            + 10
        )
        if "title" in f:
            text((margin, y), f["title"], sans, body, ink)
        lines = [*contacts, *extras]
        right = width - margin - (qr_size + 10 if qr_kind else 0)
        size = _fit(max(lines, key=len), sans, body - 3, right - margin)
        block(right, height - 40 - size * 1.4 * len(lines), lines, size, ink, "ra", 1.4)
        if qr_kind:
            qr_small = qr_size - 20
            paste_qr(
                _qr_image(person, qr_kind, qr_small, (0, 0, 0), paper),
                (width - margin - qr_small - 5, height - qr_small - 65),
            )
    back = (250, 250, 248) if rng.random() < 0.7 else (235, 235, 230)
    return card, back, drawn


def _fold(rng: random.Random, card: Image.Image, folds: frozenset[str], back, drawn) -> Image.Image:
    """Return the card as RGBA, creased and with its bent corners cut and their flaps.

    A corner is bent as far as it can be without hiding the text or the QR code in
    ``drawn`` (boxes), from a tenth to a fifth of the card's height.
    """
    width, height = card.size
    face = np.asarray(card).astype(np.float32)
    for code in ("HALF", "DIAG"):
        if code not in folds:
            continue
        if code == "HALF":
            x0 = width / 2 + rng.uniform(-0.015, 0.015) * width
            x1 = x0 + rng.uniform(-0.01, 0.01) * width
            line = ((x0, 0), (x1, height))
        else:
            line = ((0, 0), (width, height)) if rng.random() < 0.5 else ((width, 0), (0, height))
        face = _crease(rng, face, line)
    image = Image.fromarray(np.clip(face, 0, 255).astype(np.uint8)).convert("RGBA")
    alpha = Image.new("L", card.size, 255)
    draw_alpha = ImageDraw.Draw(alpha)
    shadow = Image.new("L", card.size, 0)
    draw_shadow = ImageDraw.Draw(shadow)
    flaps = Image.new("RGBA", card.size, (0, 0, 0, 0))
    draw_flap = ImageDraw.Draw(flaps)
    corners = {
        "UL": (0, 0, 1, 1),
        "UR": (width, 0, -1, 1),
        "LL": (0, height, 1, -1),
        "LR": (width, height, -1, -1),
    }
    for code, (cx, cy, sx, sy) in corners.items():
        if code not in folds:
            continue
        ratio = rng.uniform(0.8, 1.25)
        a = rng.uniform(0.12, 0.2) * height
        while a > 0.1 * height and _hides(cx, cy, sx, sy, a * ratio, a, drawn):
            a -= 4
        b = a * ratio
        p1, p2 = (cx + sx * b, cy), (cx, cy + sy * a)
        draw_alpha.polygon([(cx, cy), p1, p2], fill=0)
        if rng.random() < 0.8:
            # The flap folded over the face: the corner mirrored across the fold line.
            mirrored = _mirror((cx, cy), p1, p2)
            shade = rng.uniform(0.8, 0.95)
            draw_flap.polygon([p1, p2, mirrored], fill=(*[int(c * shade) for c in back], 255))
            draw_shadow.line([p1, mirrored, p2], fill=120, width=6)
    shadow = shadow.filter(ImageFilter.GaussianBlur(4))
    dark = Image.new("RGBA", card.size, (0, 0, 0, 255))
    dark.putalpha(shadow.point(lambda v: v // 2))
    image = Image.alpha_composite(image, dark)
    image = Image.alpha_composite(image, flaps)
    image.putalpha(alpha)
    return image


def _hides(cx, cy, sx, sy, b, a, drawn) -> bool:
    """Return True if a corner bent over ``b`` wide and ``a`` high hides a drawn box: the
    cut and the flap together cover the square between the corner and the flap's tip."""
    x0, x1 = sorted((cx, cx + sx * b))
    y0, y1 = sorted((cy, cy + sy * a))
    return any(
        left < x1 and right > x0 and top < y1 and bottom > y0 for left, top, right, bottom in drawn
    )


def _mirror(point, a, b):
    (px, py), (ax, ay), (bx, by) = point, a, b
    dx, dy = bx - ax, by - ay
    t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
    fx, fy = ax + t * dx, ay + t * dy
    return (2 * fx - px, 2 * fy - py)


def _crease(rng: random.Random, face: np.ndarray, line) -> np.ndarray:
    """Return the face with a crease along ``line``: a dark and a light line side by side,
    and the side on the right of the line lit a little differently."""
    height, width = face.shape[:2]
    (x0, y0), (x1, y1) = line
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    dx, dy = x1 - x0, y1 - y0
    distance = ((xs - x0) * dy - (ys - y0) * dx) / math.hypot(dx, dy)
    depth = rng.uniform(12, 40)
    dark = depth * np.exp(-((distance + 1.5) ** 2) / 3.0)
    light = 0.6 * depth * np.exp(-((distance - 2.5) ** 2) / 4.0)
    shade = np.where(distance > 0, rng.uniform(0.93, 0.98), 1.0).astype(np.float32)
    return (face * shade[..., None]) - dark[..., None] + light[..., None]


def _photograph(
    nrng: np.random.Generator,
    rng: random.Random,
    card: Image.Image,
    rotation: int,
    exif_sideways: bool,
    long_side: int,
) -> bytes:
    """Return a JPEG of the card lying on a table, ``long_side`` pixels long, as a phone
    would take it; stored sideways with an EXIF orientation that turns it upright if
    ``exif_sideways``."""
    portrait = rng.random() < 0.3
    size = (long_side * 3 // 4, long_side) if portrait else (long_side, long_side * 3 // 4)
    table = _table(nrng, rng, size, _edge_colours(card))
    cw, ch = card.size
    angle = math.radians(rotation + rng.uniform(-10, 10))
    # The card's corners, turned counter-clockwise by ``angle`` on the photo (y down).
    corners = np.float32(
        [[-cw / 2, -ch / 2], [cw / 2, -ch / 2], [cw / 2, ch / 2], [-cw / 2, ch / 2]]
    )
    turn = np.float32([[math.cos(angle), math.sin(angle)], [-math.sin(angle), math.cos(angle)]])
    placed = corners @ turn.T
    span = placed.max(axis=0) - placed.min(axis=0)
    scale = min(size[0] / span[0], size[1] / span[1]) * rng.uniform(0.55, 0.85)
    placed *= scale
    jitter = np.float32([rng.uniform(-0.02, 0.02) for _ in range(8)]).reshape(4, 2)
    placed += jitter * scale * max(cw, ch)
    room = (np.float32(size) - (placed.max(axis=0) - placed.min(axis=0))) / 2
    centre = (
        np.float32(size) / 2 + np.float32([rng.uniform(-1, 1), rng.uniform(-1, 1)]) * room * 0.6
    )
    placed += centre - (placed.max(axis=0) + placed.min(axis=0)) / 2
    matrix = cv2.getPerspectiveTransform(corners + np.float32([cw / 2, ch / 2]), placed)
    rgba = cv2.warpPerspective(np.asarray(card), matrix, size, flags=cv2.INTER_AREA)
    alpha = rgba[..., 3].astype(np.float32) / 255
    offset = np.float32([[1, 0, size[0] * 0.004], [0, 1, size[0] * 0.006]])
    shadow = cv2.GaussianBlur(cv2.warpAffine(alpha, offset, size), (0, 0), size[0] * 0.004)
    photo = table * (1 - 0.25 * shadow)[..., None]
    photo += (rgba[..., :3].astype(np.float32) - photo) * alpha[..., None]
    photo *= _light(nrng, size)[..., None]
    sigma = rng.uniform(0.3, 1.4) * long_side / 1600
    photo = cv2.GaussianBlur(photo, (0, 0), sigma)
    photo += nrng.standard_normal(photo.shape, dtype=np.float32) * rng.uniform(2, 5)
    image = Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    exif = Image.Exif()
    if exif_sideways:
        # Stored sideways, as a phone held the other way does, with the EXIF tag to undo it.
        image = image.transpose(Image.Transpose.ROTATE_90)
        exif[0x0112] = 6
    image.save(out, "JPEG", quality=rng.randint(60, 90), exif=exif)
    return out.getvalue()


def _edge_colours(card: Image.Image) -> np.ndarray:
    """Return the colours along the card's edges (its paper, a panel, a band)."""
    face = np.asarray(card)[..., :3].astype(np.float32)
    ring = np.concatenate([face[2], face[-3], face[:, 2], face[:, -3]])
    return np.unique(ring // 16 * 16 + 8, axis=0)


def _table(nrng: np.random.Generator, rng: random.Random, size, edges: np.ndarray) -> np.ndarray:
    """Return a table top unlike the card's edges in colour (the photo's premise): a base
    colour with wood grain or a fabric's noise."""
    width, height = size

    def contrasts(colour) -> bool:
        return bool(np.min(np.linalg.norm(edges - np.float32(colour), axis=1)) > 80)

    choices = [c for c in TABLES if contrasts(c)] or [c for c in LIGHT_TABLES if contrasts(c)]
    base = np.float32(rng.choice(choices or LIGHT_TABLES))
    small = (width // 8, height // 8)
    if rng.random() < 0.6:
        ys = np.arange(small[1], dtype=np.float32)[:, None]
        xs = np.arange(small[0], dtype=np.float32)[None, :]
        grain = np.sin(ys * rng.uniform(0.2, 0.5) + 3 * np.sin(xs / rng.uniform(20, 60)))
        texture = 0.08 * grain + 0.04 * nrng.standard_normal((small[1], small[0]), np.float32)
    else:
        texture = 0.05 * nrng.standard_normal((small[1], small[0]), np.float32)
    texture = cv2.resize(texture.astype(np.float32), size, interpolation=cv2.INTER_CUBIC)
    return base[None, None, :] * (1 + texture[..., None])


def _light(nrng: np.random.Generator, size) -> np.ndarray:
    """Return uneven light: a gradient across the photo and a darker rim."""
    width, height = size
    ys, xs = np.mgrid[0:height:8, 0:width:8].astype(np.float32)
    direction = nrng.uniform(-1, 1, 2)
    gradient = (xs / width - 0.5) * direction[0] + (ys / height - 0.5) * direction[1]
    rim = ((xs / width - 0.5) ** 2 + (ys / height - 0.5) ** 2) * nrng.uniform(0.2, 0.6)
    light = 1.0 + 0.3 * gradient - rim
    return cv2.resize(light.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
