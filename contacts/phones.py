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


# A number compared as typed needs this many digits: "0100" or "112" would pair everyone who
# typed an extension or a short code.
MIN_DIGITS = 6


def digits_of(text: str) -> str:
    """Return the digits of ``text``, in order: "+46 (8) 555" is "468555"."""
    return "".join(c for c in text if c.isdigit())


def digits(phone: str, normalized: str) -> str:
    """Return the digits of ``phone`` as typed, to compare a number that is not valid E.164
    (``normalized`` is ""): "0171 9876543" is "01719876543"; "" for a valid number or one
    with fewer than MIN_DIGITS digits."""
    typed = digits_of(phone)
    return typed if not normalized and len(typed) >= MIN_DIGITS else ""


def national_digits(normalized: str) -> str:
    """Return the digits of the E.164 number ``normalized`` as its country writes it,
    trunk prefix and all ("+491719876543" is "01719876543"): what the same number typed
    where no country was known is kept as (digits); "" for ""."""
    if not normalized:
        return ""
    number = phonenumbers.parse(normalized)
    return digits_of(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))


def tel_url(phone: str, normalized: str = "") -> str:
    """Return the ``tel:`` link of a phone number: its E.164 form when known, else the
    digits and + typed (RFC 3966's global form needs the country code)."""
    target = normalized or "".join(c for c in phone if c.isdigit() or c == "+")
    return f"tel:{target}" if target else ""
