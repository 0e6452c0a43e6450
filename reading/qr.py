"""Find QR codes in a photo and read the contact they carry.

A vCard (``BEGIN:VCARD``) or a MeCard (``MECARD:``) gives whichever of name, title,
company, emails, phones and website it holds; a web address gives the website (its
scheme and host: a QR code on a card often points to a page about the person, not to the
company's site). Any other payload (Wi-Fi settings, plain text, events) is ignored.
"""

from __future__ import annotations

import quopri
import re

import cv2
import numpy as np
import zxingcpp

from .fields import (
    QR_CONFIDENCE,
    Parsed,
    is_mobile,
    normalize_email,
    normalize_phone,
    normalize_website,
    region_of_domain,
)
from .result import Suggestion

# A code too small to decode in the photo is tried on the card straightened and enlarged
# to this width (or twice its width in the photo, if less), then sharpened.
ENLARGED_WIDTH = 2000


def find(gray: np.ndarray) -> list[str]:
    """Return the texts of the QR codes found in a grayscale image."""
    found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    return [barcode.text for barcode in found]


def sharpened(gray: np.ndarray) -> np.ndarray:
    """Return ``gray`` sharpened (unsharp mask), for QR modules blurred into each other."""
    return cv2.addWeighted(gray, 2.0, cv2.GaussianBlur(gray, (0, 0), 3), -1.0, 0)


def parse_payload(text: str, default_region: str | None = None) -> Parsed | None:
    """Return the contact a QR payload holds, or None if it holds no contact."""
    stripped = text.strip()
    if stripped.upper().startswith("BEGIN:VCARD"):
        entries = _vcard_entries(stripped)
    elif stripped.upper().startswith("MECARD:"):
        entries = _mecard_entries(stripped[len("MECARD:") :])
    elif re.match(r"(?i)https?://", stripped):
        website = normalize_website(stripped)
        if not website:
            return None
        root = re.match(r"[a-z]+://[^/]+", website)
        value = root.group() if root else website
        return Parsed(fields={"website": Suggestion(value, "qr", QR_CONFIDENCE)})
    else:
        return None
    return _contact(entries, default_region)


def _contact(entries: list[tuple[str, set[str], str]], default_region: str | None) -> Parsed:
    """Return the fields of a contact's (key, parameters, value) entries."""
    first = {key: value for key, _, value in reversed(entries) if value}
    name = first.get("FN") or _name_from_parts(first.get("N", ""))
    emails = [e for key, _, v in entries if key == "EMAIL" and (e := normalize_email(v))]
    websites = [w for key, _, v in entries if key == "URL" and (w := normalize_website(v))]
    domains = [e.rsplit("@", 1)[1] for e in emails]
    regions = [r for d in domains if (r := region_of_domain(d))]
    regions += [default_region.upper()] if default_region else []
    phones = []
    for key, params, value in entries:
        if key == "TEL" and "FAX" not in params:
            number, valid = normalize_phone(value, regions)
            if valid:
                mobile = "CELL" in params or (not params & {"WORK", "HOME"} and is_mobile(number))
                phones.append((not mobile, len(phones), number))
    phones.sort()
    values = {
        "name": name,
        "title": first.get("TITLE"),
        "company": _unescape(_components(first.get("ORG", ""))[0]),
        "email": emails[0] if emails else None,
        "phone": phones[0][2] if phones else None,
        "website": websites[0] if websites else None,
    }
    return Parsed(
        fields={k: Suggestion(v, "qr", QR_CONFIDENCE) for k, v in values.items() if v},
        phones=[number for _, _, number in phones[1:]],
        emails=emails[1:],
    )


def _components(value: str) -> list[str]:
    """Return the parts of a structured vCard value, split at unescaped semicolons."""
    return re.split(r"(?<!\\);", value)


def _name_from_parts(value: str) -> str:
    """Return "First Last" from a vCard N value ("Last;First;Middle;Prefix;Suffix")."""
    pieces = [_unescape(p.replace(",", " ")) for p in _components(value)]
    pieces += [""] * (5 - len(pieces))
    last, first, middle, prefix, suffix = pieces[:5]
    return " ".join(p for p in (prefix, first, middle, last, suffix) if p)


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value).strip()


def _vcard_entries(text: str) -> list[tuple[str, set[str], str]]:
    """Return the (key, parameters, value) entries of a vCard 2.1, 3.0 or 4.0."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    entries = []
    for line in unfolded.splitlines():
        head, sep, value = line.partition(":")
        if not sep:
            continue
        key, *params = head.split(";")
        key = key.split(".")[-1].upper()  # "item1.EMAIL" is an EMAIL
        flags = set()
        for param in params:
            name, _, values = param.upper().partition("=")
            flags.update(values.split(",") if values else [name])
        if "QUOTED-PRINTABLE" in flags:
            value = quopri.decodestring(value.encode()).decode("utf-8", "replace")
        # N and ORG are split into their parts before they are unescaped.
        entries.append((key, flags, value if key in ("N", "ORG") else _unescape(value)))
    return entries


def _mecard_entries(text: str) -> list[tuple[str, set[str], str]]:
    """Return the (key, parameters, value) entries of a MeCard ("N:Last,First;TEL:…;;")."""
    entries = []
    for field in re.split(r"(?<!\\);", text):
        key, sep, raw = field.partition(":")
        if not sep:
            continue
        key = key.strip().upper()
        if key == "N":
            last, _, first = _unescape(raw).partition(",")
            entries.append(("FN", set(), f"{first.strip()} {last.strip()}".strip()))
        elif key in ("TEL", "EMAIL", "URL", "TITLE"):
            entries.append((key, set(), _unescape(raw)))
        elif key == "ORG":
            entries.append((key, set(), raw))  # unescaped with its parts, as a vCard's
    return entries
