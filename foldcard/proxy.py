"""The address a request came from when foldcard runs behind proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """Return the address of the person, not of a proxy in front of foldcard.

    Each of the TRUSTED_PROXY_COUNT proxies appends the address it was reached from to
    X-Forwarded-For, so the person's address is that many entries from the right; entries
    further left are whatever the person sent, and not to be believed. With no proxy, or a
    header shorter than the proxies promise, it is the connection's own address.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if count and len(forwarded) >= count and forwarded[-count]:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
