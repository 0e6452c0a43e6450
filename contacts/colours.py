"""The text colour that reads on a meaning's colour: meanings have colours an admin
chooses, and white text on orange is hard to read. Pure, no Django."""

from __future__ import annotations

BLACK, WHITE = "#000", "#fff"
# WCAG AA for normal text; a badge's text is small.
MIN_CONTRAST = 4.5


def luminance(colour: str) -> float:
    """Return the relative luminance (WCAG 2) of ``colour`` written as #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def text_colour(background: str) -> str:
    """Return white if it reads on ``background`` (#rrggbb) at WCAG AA's 4.5:1, as
    Bootstrap's own badges do, else black (which then reaches it: no colour fails both)."""
    # WCAG's contrast ratio: (lighter + 0.05) / (darker + 0.05); white's luminance is 1.
    on_white = 1.05 / (luminance(background) + 0.05)
    return WHITE if on_white >= MIN_CONTRAST else BLACK
