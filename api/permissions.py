"""Who may call what: the user's role (Django permissions), narrowed by the token."""

from __future__ import annotations

from rest_framework import permissions

from api.models import ApiToken


def required_permissions(view, method: str) -> tuple[str, ...]:
    """Return the permissions of which the user needs one to call ``view`` with
    ``method``: the view's ``method_permissions`` for it, else its ``required_permission``
    (reading takes GET's)."""
    by_method = getattr(view, "method_permissions", {})
    if method in permissions.SAFE_METHODS:
        method = "GET"
    if method in by_method:
        return by_method[method]
    return (view.required_permission,)


class HasRole(permissions.BasePermission):
    """Allow users holding one of the permissions the view requires for the method; a
    read-only token only to read, and a token limited to one conference not to change what
    all conferences share (the views with ``site_wide`` set)."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        if request.method.lower() not in view.http_method_names or not hasattr(
            view, request.method.lower()
        ):
            return True  # the view answers 405
        needed = required_permissions(view, request.method)
        if not any(request.user.has_perm(permission) for permission in needed):
            return False
        token = request.auth
        if not isinstance(token, ApiToken) or request.method in permissions.SAFE_METHODS:
            return True
        if token.read_only:
            self.message = "This token may only read."
            return False
        if token.conference_id is not None and getattr(view, "site_wide", False):
            self.message = "This token is limited to one conference; this is the whole site's."
            return False
        return True


def token_of(request) -> ApiToken | None:
    """Return the token the request came with, or None for a session."""
    return request.auth if isinstance(request.auth, ApiToken) else None
