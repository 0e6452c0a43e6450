"""The OpenAPI schema's additions: every operation's errors as problem details."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from api.exceptions import PROBLEM_TYPE


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, from your settings page or "
            "`manage.py api_token`.",
        }


PROBLEM = {
    "type": "object",
    "description": "Problem details (RFC 9457).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "The messages for each invalid field; non_field_errors for the "
            "request as a whole.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}

ERRORS = {
    "400": "Invalid input",
    "401": "No valid token or session",
    "403": "Not allowed to the user's role or to the token",
    "404": "Not found, or not reached by the token",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "415": "Unsupported media type",
    "429": "Too many requests; retry after Retry-After seconds",
}


def add_problem_responses(result: dict, generator, request, public) -> dict:
    """Add the Problem schema and the error responses to every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    content = {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(code, {"description": description, "content": content})
            # An operation's own errors (409), declared with a description only.
            for code, response in responses.items():
                if code.startswith("4"):
                    response.setdefault("content", content)
    return result


def require_the_cards_version(result: dict, generator, request, public) -> dict:
    """Say that a card's edit gives the version it was made from: drf-spectacular makes
    every field of a PATCH optional, and the edit is refused (400) without it."""
    edit = result.get("components", {}).get("schemas", {}).get("PatchedCardUpdate")
    if edit is not None:
        edit["required"] = ["version"]
    return result
