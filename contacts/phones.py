"""Phone numbers as typed and as stored to be compared: E.164, read through the
`phonenumbers` library, a number without a country code in the conference's country."""

from __future__ import annotations

import phonenumbers


def e164(phone: str, region: str | None) -> str:
    """Return ``phone`` in E.164 ("+4685550101") if it is a valid number, read as
    ``region``'s (ISO 3166 code) when it has no country code; else ""."""
    if not phone:
        return ""  # most cards have none: spare the library's exception
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return ""
    if number.extension or not phonenumbers.is_valid_number(number):
        # E.164 has no room for an extension; an invalid number is compared as typed.
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def tel_url(phone: str, normalized: str = "") -> str:
    """Return the ``tel:`` link of a phone number: its E.164 form when known, else the
    digits and + typed (RFC 3966's global form needs the country code)."""
    target = normalized or "".join(c for c in phone if c.isdigit() or c == "+")
    return f"tel:{target}" if target else ""
