"""Text for people to read."""

from __future__ import annotations


def sentence(text: str) -> str:
    """Return ``text`` with a full stop at its end, not a second one: a sentence ending in
    "Acme Inc." ends there."""
    return text if text.endswith(".") else f"{text}."
