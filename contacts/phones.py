"""Phone numbers as typed and as stored to be compared: E.164, read through the
`phonenumbers` library, a number without a country code in the conference's country."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers


def e164(phone: str, region: str | None) -> str:
    """Return ``phone`` in E.164 ("+4685550101") if it is a valid number, read as
    ``region``'s (ISO 3166 code) when it has no country code; else "". A number that is
    none there but begins with 00, the international prefix of most countries, is read
    with that as its + ("0046 8 555 01 01")."""
    if not phone:
        return ""  # most cards have none: spare the library's exception
    found = _valid(phone, region)
    if not found and phone.lstrip().startswith("00"):
        found = _valid("+" + phone.lstrip()[2:], None)
    return found


def _valid(phone: str, region: str | None) -> str:
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


@lru_cache(maxsize=4096)  # an import compares the same numbers again and again
def national_digits(normalized: str) -> str:
    """Return the digits of the E.164 number ``normalized`` as its country writes it,
    trunk prefix and all ("+491719876543" is "01719876543"): what the same number typed
    where no country was known is kept as (digits); "" for ""."""
    if not normalized:
        return ""
    number = phonenumbers.parse(normalized)
    return digits_of(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))


def same_number(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Return whether two phones (each as typed, with its E.164 form or "") are one number
    however written: written alike, the same E.164 form, or, where one has no E.164 form,
    the same digits as the other's country writes it ("415.555.0134" and "+1 415 555
    0134"), or as typed."""
    (phone_a, e164_a), (phone_b, e164_b) = a, b
    if phone_a == phone_b or (e164_a and e164_a == e164_b):
        return True
    if e164_a and e164_b:
        return False
    typed_a = national_digits(e164_a) or digits(phone_a, "")
    return bool(typed_a) and typed_a == (national_digits(e164_b) or digits(phone_b, ""))


def tel_url(phone: str, normalized: str = "") -> str:
    """Return the ``tel:`` link of a phone number: its E.164 form when known, else the
    digits and + typed (RFC 3966's global form needs the country code)."""
    target = normalized or "".join(c for c in phone if c.isdigit() or c == "+")
    return f"tel:{target}" if target else ""
