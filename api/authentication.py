"""Authentication by personal API token: ``Authorization: Bearer <token>``."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import authentication, exceptions

from api.models import ApiToken, hash_key
from foldcard.auth import Backend
from foldcard.sql import Prepared

# Read by every request of the API (a token limited to a conference reads it when a list
# is filtered by it).
TOKEN = Prepared(lambda key_hash: ApiToken.objects.filter(key_hash=key_hash))


def token_for_key(key: str) -> ApiToken:
    """Return the live token whose key is ``key``, noting its use; raise
    AuthenticationFailed when there is none, it was revoked or it has expired."""
    token = TOKEN.first(hash_key(key))
    # The user as a login reads them: with their permissions, vocabulary and webhooks.
    user = Backend().get_user(token.user_id) if token is not None else None
    now = timezone.now()
    if user is None:  # no such token, or its user was deactivated
        raise exceptions.AuthenticationFailed("The token is not valid or was revoked.")
    token.user = user
    if token.is_expired(now):
        raise exceptions.AuthenticationFailed("The token has expired.")
    token.touch(now)
    return token


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate a request by its bearer token; ``request.auth`` is the ApiToken."""

    keyword = "Bearer"

    def authenticate(self, request) -> tuple | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Give the token as: Authorization: Bearer <token>."
            )
        try:
            key = header[1].decode()
        except UnicodeDecodeError as e:
            raise exceptions.AuthenticationFailed("The token is not valid.") from e
        token = token_for_key(key)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Sent with every 401: it is what makes DRF answer 401 rather than 403.
        return f'{self.keyword} realm="api"'
