"""Errors as problem details (RFC 9457): type, title, status, detail, and field errors."""

from __future__ import annotations

from http import HTTPStatus

from rest_framework import exceptions
from rest_framework.views import exception_handler

PROBLEM_TYPE = "application/problem+json"
NON_FIELD = "non_field_errors"


class Conflict(exceptions.APIException):
    """The request conflicts with the resource as it is now (409)."""

    status_code = 409
    default_detail = "The request conflicts with the resource as it is now."
    default_code = "conflict"


def problem_handler(exc: Exception, context: dict):
    """Return DRF's response for ``exc`` with a problem details body, or None (a 500)."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    problem = {
        "type": "about:blank",
        "title": HTTPStatus(response.status_code).phrase,
        "status": response.status_code,
    }
    if isinstance(exc, exceptions.ValidationError):
        problem["detail"] = "The request has invalid fields; see errors."
        problem["errors"] = _field_errors(exc.detail)
    else:
        problem["detail"] = str(getattr(exc, "detail", problem["title"]))
    response.data = problem
    response.content_type = PROBLEM_TYPE
    return response


def _field_errors(detail) -> dict[str, list[str]]:
    """Return the field errors as {field: [message, ...]}; errors of no one field are
    under "non_field_errors"."""
    if isinstance(detail, list):
        return {NON_FIELD: [str(message) for message in detail]}
    return {
        field: [str(message) for message in _flatten(messages)]
        for field, messages in detail.items()
    }


def _flatten(messages) -> list:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flatten(value)]
    return [messages]
