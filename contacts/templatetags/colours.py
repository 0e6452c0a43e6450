"""Template filters for meaning badges."""

from __future__ import annotations

from django import template

from contacts import colours

register = template.Library()


@register.filter
def text_colour(background: str) -> str:
    """Return the text colour that reads on the meaning colour ``background``."""
    return colours.text_colour(background)
