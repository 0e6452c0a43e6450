"""Files to import, written by the real writers: csv, vobject."""

from __future__ import annotations

import csv
import io

import vobject


def csv_text(header: list[str], *rows: list[str], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def csv_bytes(header: list[str], *rows: list[str], **options) -> bytes:
    return csv_text(header, *rows, **options).encode()


def vcard(
    name: str, email: str = "", company: str = "", folds: str = "", uid: str = "", **extra
) -> str:
    """Return one vCard 3.0 as vobject writes it."""
    card = vobject.vCard()
    card.add("fn").value = name
    given, _, family = name.rpartition(" ")
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    if email:
        card.add("email").value = email
    if company:
        card.add("org").value = [company]
    if folds:
        card.add("x-foldcard-folds").value = folds
    if uid:
        card.add("uid").value = uid
    for key, value in extra.items():
        card.add(key).value = value
    return card.serialize()


# A vCard 4.0 as RFC 6350 writes them: a tel: URI, quoted TYPE lists, PREF, a data: photo.
VCARD_4 = (
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r\n"
    "FN:Ana Ruiz\r\n"
    "N:Ruiz;Ana;;;\r\n"
    "EMAIL;TYPE=home:ana@home.example\r\n"
    "EMAIL;TYPE=work;PREF=1:Ana@Globex.example\r\n"
    'TEL;VALUE=uri;TYPE="voice,work":tel:+1-555-555-0100\r\n'
    "ORG:Globex\\, Inc.;Sales\r\n"
    "TITLE:VP Sales\r\n"
    "NOTE:met at the bar\\, wants a demo\r\n"
    "X-FOLDCARD-FOLDS:UL HALF\r\n"
    "PHOTO:data:image/png;base64,iVBORw0KGgo=\r\n"
    "KIND:individual\r\n"
    "END:VCARD\r\n"
)


# A vCard 2.1 as older phones write them: bare types, quoted-printable, a bare PREF.
VCARD_21 = (
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\r\n"
    "TEL;WORK;VOICE:+49 89 1234567\r\n"
    "TEL;CELL;PREF:+49 170 7654321\r\n"
    "EMAIL;INTERNET:juergen@work.de\r\n"
    "EMAIL;INTERNET;PREF:juergen@private.de\r\n"
    "END:VCARD\r\n"
)


# A Pipedrive "People" export, its columns as Pipedrive names them: the entity, then the
# field, then the kind of email or phone ("Person - Email - Home").
PIPEDRIVE_PEOPLE = csv_bytes(
    [
        "Person - ID",
        "Person - Name",
        "Person - First name",
        "Person - Last name",
        "Person - Organization",
        "Person - Job title",
        "Person - Email - Work",
        "Person - Email - Home",
        "Person - Email - Other",
        "Person - Phone - Work",
        "Person - Phone - Mobile",
        "Person - Phone - Home",
        "Person - Phone - Other",
        "Person - Labels",
        "Person - Owner",
        "Person - Country of Postal address",
        "Person - Notes",
    ],
    [
        "4711",
        "Inès Moreau",
        "Inès",
        "Moreau",
        "Lumière SAS",
        "Directrice achats",
        "",
        "ines.moreau@gmail.com",
        "",
        "",
        "06 12 34 56 78",
        "",
        "",
        "Hot lead",
        "Dana Reyes",
        "France",
        "met at the booth",
    ],
)
