"""HTTP helpers shared by the apps."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware


def wants_json(request: HttpRequest) -> bool:
    """Return True when the client prefers JSON to HTML (scripts send Accept: application/json)."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def form_errors(form) -> dict[str, list[str]]:
    """Return a bound form's errors as {field: [message, ...]}; "__all__" for the form's."""
    return {
        field: [error["message"] for error in errors]
        for field, errors in form.errors.get_json_data().items()
    }


class CompressPagesMiddleware(GZipMiddleware):
    """Compress pages, JSON, CSV and calendars, not photos: a JPEG is compressed already.

    Pages carry personal data and reflect a search; Django's gzip pads each response with
    random bytes and masks the CSRF token anew in each, against BREACH-style guessing.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.get("Content-Type", "").startswith("image/"):
            return response
        return super().process_response(request, response)
