"""Who may call what: the user's role (Django permissions), narrowed by the token."""

from __future__ import annotations

from rest_framework import permissions

from api.models import ApiToken


class HasRole(permissions.BasePermission):
    """Allow users holding the view's ``required_permission``, and a read-only token only
    to read."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        if not request.user.has_perm(view.required_permission):
            return False
        token = request.auth
        if isinstance(token, ApiToken) and token.read_only:
            self.message = "This token may only read."
            return request.method in permissions.SAFE_METHODS
        return True


def token_of(request) -> ApiToken | None:
    """Return the token the request came with, or None for a session."""
    return request.auth if isinstance(request.auth, ApiToken) else None
