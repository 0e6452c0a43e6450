"""What a conference's fields may hold."""

from __future__ import annotations

from functools import cache

from django.core.exceptions import ValidationError


@cache
def reserved_slugs() -> frozenset[str]:
    """Return the first path segments that events/urls.py spells out, such as "new": a
    conference with one of them as its slug would find its page taken by another view."""
    # Imported here: the URL conf imports the views, which import the models using this.
    from events.urls import urlpatterns

    segments = (str(pattern.pattern).split("/", 1)[0] for pattern in urlpatterns)
    return frozenset(segment for segment in segments if segment and "<" not in segment)


def validate_slug_not_reserved(slug: str) -> None:
    if slug in reserved_slugs():
        raise ValidationError(
            "“%(slug)s” is the address of another page; choose another slug.",
            code="reserved",
            params={"slug": slug},
        )
