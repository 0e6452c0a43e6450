"""HTTP helpers shared by the apps."""

from __future__ import annotations

from django.http import HttpRequest


def wants_json(request: HttpRequest) -> bool:
    """Return True when the client prefers JSON to HTML (scripts send Accept: application/json)."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"
