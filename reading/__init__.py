"""Read a business card from a photo: its fields, its QR code and its folds.

A plain Python package with no database or Django access; views and task queues call
``read_card`` and store what it suggests.

    result = read_card(photo_bytes, default_region="SE")
    result.fields["email"].value         # "anna.lindqvist@nordkraft.se"
    result.as_json()                     # plain data for a view or a task result

The stages, each in its own module:

- ``image``: decode with Pillow, apply the EXIF orientation, bound to 2,400 px (a photo
  too narrow or too small to hold a card is refused);
- ``qr``: QR codes (zxing-cpp) holding a vCard, a MeCard or a web address;
- ``outline``: the card on the table (OpenCV), straightened, its bent corners and creases;
- ``ocr``: the lines of text (RapidOCR), the card turned right side up;
- ``fields``: the lines parsed into name, title, company, email, phone and website, with
  the QR code's fields winning field by field.

Reading is bounded: the time limit is checked between stages (and between text lines);
once it has run out the remaining stages are skipped and a warning says so. The OCR
models load on the first call (about a second); ``warm_up`` loads them beforehand.
"""

from __future__ import annotations

import time

import cv2
import phonenumbers

from . import fields, ocr, outline, qr
from .image import MAX_SIDE, UnreadableImage, load
from .result import FIELDS, FoldGuess, Reading, Suggestion, TextLine

__all__ = [
    "FIELDS",
    "MAX_SIDE",
    "FoldGuess",
    "Reading",
    "Suggestion",
    "TextLine",
    "UnreadableImage",
    "read_card",
    "warm_up",
]

DEFAULT_TIME_LIMIT = 8.0
# The straightened card is read at this width: small text stays legible, and a larger
# card costs the text detector time for nothing.
CARD_WIDTH = (800, 1000)


def warm_up() -> None:
    """Load the OCR models now, so that the first card is read as fast as the others."""
    ocr.engine()


def read_card(
    image_bytes: bytes,
    *,
    default_region: str | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> Reading:
    """Return what can be read from a photo of a business card.

    ``default_region`` (ISO 3166 code, e.g. "SE") is the country of phone numbers
    printed without a country code, when the card's email or website has no country
    domain. ``time_limit`` (seconds) bounds the reading: stages not begun in time are
    skipped with a warning. Raise UnreadableImage for bytes that are no readable image
    (or one too narrow or too small to hold a card) and ValueError for an unknown region.
    A photo with nothing readable gives a reading with no fields and a warning.
    """
    region = _check_region(default_region)
    deadline = time.monotonic() + time_limit

    def expired() -> bool:
        return time.monotonic() > deadline

    photo = load(image_bytes)
    warnings: list[str] = []
    skipped: list[str] = []
    found = outline.find(photo.rgb)
    from_qr = _read_codes(qr.find(photo.gray), region)
    if found is not None and not from_qr.fields and not expired():
        width = min(2 * outline.card_width(found), qr.ENLARGED_WIDTH)
        enlarged = outline.straighten(photo.gray, found, int(width), cv2.INTER_CUBIC)
        from_qr = _read_codes(qr.find(qr.sharpened(enlarged)), region)

    if found is not None:
        width = min(max(outline.card_width(found), CARD_WIDTH[0]), CARD_WIDTH[1])
        card = outline.straighten(photo.rgb, found, int(width))
        rotation = found.rotation
        if found.others:
            warnings.append(
                f"The photo seems to show {found.others + 1} cards: the largest was read. "
                "Photograph one card at a time."
            )
    else:
        card, rotation = photo.rgb, 0
        warnings.append(
            "No card outline stood out from the background: the whole photo was read, and no "
            "fold was looked for (type them). A card on a darker surface shows its outline."
        )

    text = ocr.Text([], 0)
    if expired():
        skipped.append("the text")
    else:
        text = ocr.read(card, expired)
        if not text.complete:
            skipped.append("part of the text")
    rotation = (rotation + 90 * text.quarter_turns) % 360

    folds: list[FoldGuess] = []
    if found is not None:
        if expired():
            skipped.append("the folds")
        else:
            folds = outline.turn(outline.folds(found, card), text.quarter_turns)
            if not text.lines:
                warnings.append(
                    "No text showed which way up the card lies: the folds' corners may be turned."
                )

    parsed = fields.combine(fields.parse(text.lines, default_region=region), from_qr)
    if not text.lines and not from_qr.fields:
        warnings.append("No text or QR code could be read.")
    if skipped:
        warnings.append(
            f"The time limit of {time_limit:g} s ran out: {', '.join(skipped)} not read."
        )
    return Reading(
        fields=parsed.fields,
        alternatives={"phones": parsed.phones, "emails": parsed.emails},
        lines=[line.text for line in text.lines],
        folds=folds,
        rotation=rotation,
        warnings=[*parsed.warnings, *warnings],
    )


def _check_region(region: str | None) -> str | None:
    """Return ``region`` upper-cased, or raise ValueError if phone numbers know no such
    region."""
    if region is None:
        return None
    if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{region!r} is not a region code such as SE, DE or US")
    return region.upper()


def _read_codes(codes: list[str], region: str | None) -> fields.Parsed:
    """Return the contact the QR codes hold, the richest code winning field by field."""
    contacts = [p for code in codes if (p := qr.parse_payload(code, region))]
    combined = fields.Parsed()
    for contact in sorted(contacts, key=lambda p: len(p.fields)):
        combined = fields.combine(combined, contact)
    return combined
