"""Template filters for the days of follow-ups."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone

from contacts import followups

register = template.Library()


@register.filter
def followup_day(value: date | None) -> str:
    """Return ``value`` as the follow-up pages write a day, with its year when that is not
    this year's; "" for none, as Django's date filter."""
    return followups.day(value, timezone.localdate()) if value else ""
