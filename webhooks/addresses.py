"""Where a webhook may be sent: public addresses only, unless the site allows others.

A host name is resolved and every address it resolves to is checked, and the request then
goes to an address that was checked (see webhooks.delivery), so that a name cannot be made
to resolve elsewhere between the check and the connection.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeURL(ValueError):
    """The URL is not one a webhook may be sent to; the message says why."""


def is_public(address: IPAddress) -> bool:
    """Return whether ``address`` is a public unicast address of the internet."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # ::ffff:127.0.0.1 reaches 127.0.0.1.
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(url: str) -> list[IPAddress]:
    """Return the addresses the host of ``url`` resolves to, each of them one a webhook may
    be sent to; raise UnsafeURL otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise UnsafeURL("Give an http:// or https:// URL.")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as e:
        raise UnsafeURL("The URL's port is not a number from 0 to 65535.") from e
    host = parts.hostname
    if not host:
        raise UnsafeURL("The URL has no host.")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise UnsafeURL(f"{host} does not resolve to any address.") from e
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in found))
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        for address in addresses:
            if not is_public(address):
                raise UnsafeURL(
                    f"{host} resolves to {address}, a private, loopback or reserved address: "
                    "webhooks are sent to public addresses only."
                )
    return addresses
