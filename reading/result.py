"""The values a reading of a card gives back: suggestions, fold guesses, the reading."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FIELDS = ("name", "title", "company", "email", "phone", "website")
FOLD_CODES = ("UL", "UR", "LL", "LR", "HALF", "DIAG")

Source = Literal["qr", "text"]
# How sure a reading must be of a field for the booth to fill it in without asking that it
# be checked. Of 40 generated cards photographed small (640 px, JPEG quality 40), the 5
# fields read less sure were all wrong, the 211 read at least this sure 95% right.
SURE = 0.7


@dataclass(frozen=True)
class TextLine:
    """One line of text as read, with the OCR's confidence (0 to 1) and the text's height
    in pixels (0 when unknown: the largest line is often the name)."""

    text: str
    confidence: float = 1.0
    height: float = 0.0


@dataclass(frozen=True)
class Suggestion:
    """A value read for one field, where it came from and how sure the reading is."""

    value: str
    source: Source
    confidence: float

    def as_json(self) -> dict:
        """Return this suggestion as plain data."""
        sure = self.confidence >= SURE
        return {
            "value": self.value,
            "source": self.source,
            "confidence": self.confidence,
            "sure": sure,
        }


@dataclass(frozen=True)
class FoldGuess:
    """A fold seen in the card's outline or face, with how sure the reading is."""

    code: str
    confidence: float

    def as_json(self) -> dict:
        """Return this guess as plain data."""
        return {"code": self.code, "confidence": self.confidence}


@dataclass(frozen=True)
class Reading:
    """What was read from one photo of a card.

    ``fields`` holds a suggestion for each field read (name, title, company, email,
    phone, website); a field not read is absent. ``alternatives`` holds the other phones
    and emails read. ``rotation`` is the quarter turn, in degrees clockwise, that brought
    the card right side up after the photo's EXIF orientation was applied.
    """

    fields: dict[str, Suggestion] = field(default_factory=dict)
    alternatives: dict[str, list[str]] = field(default_factory=lambda: {"phones": [], "emails": []})
    lines: list[str] = field(default_factory=list)
    folds: list[FoldGuess] = field(default_factory=list)
    rotation: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        """Return the reading as plain data for a view or a task result."""
        return {
            "fields": {name: self.fields[name].as_json() for name in FIELDS if name in self.fields},
            "alternatives": {
                "phones": list(self.alternatives.get("phones", [])),
                "emails": list(self.alternatives.get("emails", [])),
            },
            "lines": list(self.lines),
            "folds": [fold.as_json() for fold in self.folds],
            "warnings": list(self.warnings),
        }
