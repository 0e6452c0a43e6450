"""QR payloads: vCards, MeCards and web addresses; anything else ignored."""

from __future__ import annotations

import io

import numpy as np
import pytest
import segno
from PIL import Image

from reading.qr import find, parse_payload


def values(payload: str, region: str | None = None) -> dict[str, str]:
    parsed = parse_payload(payload, region)
    assert parsed is not None
    assert all(s.source == "qr" for s in parsed.fields.values())
    return {name: suggestion.value for name, suggestion in parsed.fields.items()}


VCARD = """BEGIN:VCARD
VERSION:3.0
N:Lindqvist;Anna;;;
FN:Anna Lindqvist
ORG:Nordkraft AB;Inköp
TITLE:Head of Procurement
TEL;TYPE=WORK,VOICE:+46 8 123 456 78
TEL;TYPE=CELL:070-123 45 67
TEL;TYPE=FAX:+46 8 123 456 79
EMAIL;TYPE=INTERNET:anna.lindqvist@nordkraft.se
EMAIL;TYPE=INTERNET:info@nordkraft.se
URL:https://www.nordkraft.se
END:VCARD"""


def test_it_reads_a_vcard() -> None:
    parsed = parse_payload(VCARD)
    assert parsed is not None
    assert {n: s.value for n, s in parsed.fields.items()} == {
        "name": "Anna Lindqvist",
        "title": "Head of Procurement",
        "company": "Nordkraft AB",
        "email": "anna.lindqvist@nordkraft.se",
        "phone": "+46 70 123 45 67",
        "website": "https://www.nordkraft.se",
    }
    assert parsed.phones == ["+46 8 123 456 78"]
    assert parsed.emails == ["info@nordkraft.se"]


def test_it_reads_a_vcard_21_with_folded_and_quoted_printable_lines() -> None:
    payload = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "N;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:M=C3=BCller;J=C3=BCrgen\r\n"
        "TEL;CELL:+49 171\r\n 1234567\r\nitem1.EMAIL:j.mueller@brandt.de\r\nEND:VCARD"
    )
    assert values(payload) == {
        "name": "Jürgen Müller",
        "email": "j.mueller@brandt.de",
        "phone": "+49 171 1234567",
    }


def test_it_reads_a_name_from_its_parts_when_the_vcard_has_no_full_name() -> None:
    payload = "BEGIN:VCARD\nVERSION:4.0\nN:Dubois;Hélène;Marie;Dr.;\nEND:VCARD"
    assert values(payload) == {"name": "Dr. Hélène Marie Dubois"}


def test_it_unescapes_vcard_values() -> None:
    payload = "BEGIN:VCARD\nVERSION:3.0\nFN:Anna\nORG:Smith\\, Jones & Co\\; Ltd;Sales\nEND:VCARD"
    assert values(payload)["company"] == "Smith, Jones & Co; Ltd"


def test_it_reads_a_mecard() -> None:
    payload = (
        "MECARD:N:Lefèvre,Hélène;TEL:01 23 45 67 89;EMAIL:h.lefevre@clairval.fr;"
        "URL:http://www.clairval.fr;ORG:Clairval\\; SAS;;"
    )
    assert values(payload, "FR") == {
        "name": "Hélène Lefèvre",
        "company": "Clairval; SAS",
        "email": "h.lefevre@clairval.fr",
        "phone": "+33 1 23 45 67 89",
        "website": "http://www.clairval.fr",
    }


def test_it_reads_a_national_number_in_the_country_of_the_email() -> None:
    payload = "MECARD:N:Weber,Anja;TEL:030 12345678;EMAIL:anja@kranich.de;;"
    assert values(payload, "SE")["phone"] == "+49 30 12345678"


def test_it_takes_the_website_from_a_web_address() -> None:
    assert values("https://www.nordkraft.se/team/anna-lindqvist") == {
        "website": "https://www.nordkraft.se"
    }


@pytest.mark.parametrize(
    "payload",
    [
        "WIFI:S:Booth;T:WPA;P:secret;;",
        "Thanks for stopping by!",
        "BEGIN:VEVENT\nSUMMARY:Demo\nEND:VEVENT",
        "",
        "https://",
    ],
)
def test_it_ignores_other_payloads(payload: str) -> None:
    assert parse_payload(payload) is None


def test_it_finds_the_codes_in_an_image() -> None:
    out = io.BytesIO()
    segno.make("MECARD:N:Holm,Erik;EMAIL:erik@ekdal.se;;").save(out, kind="png", scale=6)
    gray = np.asarray(Image.open(io.BytesIO(out.getvalue())).convert("L"))
    assert find(gray) == ["MECARD:N:Holm,Erik;EMAIL:erik@ekdal.se;;"]
    assert find(np.full((200, 200), 255, np.uint8)) == []
