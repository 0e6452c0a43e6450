"""The CSV export written by PostgreSQL's COPY (exports.copy_chunks) is the file the Python
path writes (exports.csv_chunks), byte for byte, for every profile."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import reverse

from contacts import exports, services
from contacts.folds import DIAG, HALF, LL, LR, UL, UR
from contacts.models import Card, Consent, FoldRule, Meaning, Vocabulary

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="COPY is PostgreSQL's; SQLite exports through Python alone (the PostgreSQL "
        "pass of .ci/run runs this)",
    ),
]


@pytest.fixture
def tricky(conference, make_card, alice, bob):
    """Cards with every kind of cell that could be written otherwise by SQL: formulas (and
    their full-width triggers), quotes, commas, newlines, accents, odd spaces, phones
    valid, invalid and none, two vocabularies, consents (a person's decline on another
    card), closed follow-ups."""
    conference.name = 'Expo "2026", Lisbon'
    conference.country = "SE"
    conference.save()
    other = Vocabulary.objects.create(name="Sales", default_window_days=5)
    rule = FoldRule.objects.create(vocabulary=other, pattern=UR)
    rule.meanings.set(Meaning.objects.filter(slug__in=["asap", "competitor"]))

    def person(name: str = "", phone: str = "", **details):
        data = services.CardInput(name=name, phone=phone, **details)
        return services.find_or_create_contact(data, "SE")[0]

    closed = datetime(2026, 11, 24, 9, 31, 59, tzinfo=UTC)
    make_card(
        UL | UR | HALF,
        contact=person('=HYPERLINK("http://evil.example","x")', "+46 8 555 0101", company="A, B"),
        note='said "call me",\nthen left',
    )
    make_card(
        UR,
        contact=person("\uff1dSUM(A1) Zoë Åström", "08-555 010 1", title="\uff0b1"),
        note="\tindented\r\nsecond line",
        vocabulary=other,
        consent=Consent.GIVEN,
        consent_at=closed,
        consent_by=bob,
    )
    declined = make_card(
        DIAG,
        contact=person("", "555", email="nobody@example.org"),
        consent=Consent.DECLINED,
        owner=None,
    )
    make_card(UL, contact=declined.contact, consent=Consent.INTEREST)  # declined first
    make_card(
        LR | HALF,
        contact=person("  José  María   Ñúñez\u00a0", "=1+2", company="Café \uff20home"),
        consent=Consent.INTEREST,
        state=Card.State.DONE,
        outcome="=won",
        state_changed_at=closed,
    )
    make_card(
        LL,
        contact=person("Madonna", "+1 (212) 555-0100"),
        state=Card.State.DROPPED,
        state_changed_at=closed,
        consent=Consent.CUSTOMER,
        logged_at=datetime(2026, 11, 1, 4, 45, tzinfo=UTC),  # a summer time change nearby
    )
    make_card(UR, contact=person("Li\u3000Wei", "+46 8 555 0101 ext. 12", company="-co"))
    make_card(0, contact=person("   ", company="", email="@handle.example"), note="-")
    make_card(UL, contact=person("Ann O'Neil", "+46 (0)8-555 01 01"), vocabulary=other)
    make_card(HALF, contact=person("x", "", company='"quoted"'), state=Card.State.SNOOZED)
    # Names written family name first, and others with a comma that are not.
    commas = ["Reyes , Dana Maria", "Ek,Bo", "Dana Reyes, Ph.D.", "Bo Ek, Jr", "A, B, C", "X, MD"]
    # Letters of other alphabets in the words after the comma, a suffix after a second
    # comma, spaces of other kinds, a suffix with digits.
    commas += ["García, Iván", "Rahman, Md Abdul", "Ek, Bo, Jr.", "Reyes,\u00a0PhD", "Wu, III2"]
    commas += ["Łódź, Ⅲ", ", ,", "A,,B", "Dana Reyes , PhD MBA ", "Ng,\u3000Jr\u3000"]
    commas += ["Dana Smith, CEO", "Smith, Dana, SVP", "Vp, Ceo"]
    for name in commas:
        make_card(UR, contact=person(name))
    make_card(UR, contact=person("Reyes,\u3000", company="Acme"))
    return conference


@pytest.mark.parametrize("zone", ["America/St_Johns", "Asia/Kolkata", "UTC"])
@pytest.mark.parametrize("profile", list(exports.PROFILES))
def test_copy_writes_the_same_bytes_as_python(tricky, profile, zone):
    tricky.time_zone = zone
    tricky.save()
    columns = exports.PROFILES[profile]
    written = "".join(exports.csv_chunks(tricky, columns)).encode()
    copied = b"".join(exports.copy_chunks(tricky, columns))
    with connection.cursor() as cursor:
        cursor.execute("SHOW TIME ZONE")  # the conference's, while COPY wrote its times
        assert cursor.fetchone() == ("UTC",)
    assert len(list(csv.reader(io.StringIO(written.decode("utf-8-sig"))))) == 31
    assert copied == written


def test_copy_crosses_its_blocks_inside_quoted_cells(tricky, monkeypatch):
    monkeypatch.setattr(exports, "COPY_BLOCK", 1)  # a block per row: a cell across blocks
    written = "".join(exports.csv_chunks(tricky)).encode()
    assert b"".join(exports.copy_chunks(tricky)) == written
    assert list(exports.crlf([b'a,"x\n', b'y"\nb,', b'"\n",c\n'])) == [
        b'a,"x\n',
        b'y"\r\nb,',
        b'"\n",c\r\n',
    ]


def test_the_view_streams_what_copy_writes(client, alice, tricky, monkeypatch):
    written = "".join(exports.csv_chunks(tricky, exports.GOOGLE_COLUMNS)).encode()
    monkeypatch.setattr(exports, "csv_chunks", None)  # not the Python path
    client.force_login(alice)
    response = client.get(reverse("events-export-csv", args=[tricky.slug]), {"profile": "google"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == f'attachment; filename="{tricky.slug}-google.csv"'
    body = b"".join(response.streaming_content)
    assert body == written
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Given Name", "Family Name"]
    names = [r[:3] for r in rows]
    formula = '=HYPERLINK("http://evil.example","x")'
    assert [f"'{formula}", '"x")', '\'=HYPERLINK("http://evil.example"'] in names
    assert ["Reyes , Dana Maria", "Dana Maria", "Reyes"] in names
    assert ["Dana Reyes, Ph.D.", "Dana", "Reyes"] in names  # the suffix in neither part
    assert ["García, Iván", "Iván", "García"] in names
    assert ["Rahman, Md Abdul", "Md Abdul", "Rahman"] in names
    assert ["Ek, Bo, Jr.", "Bo", "Ek"] in names


@pytest.mark.django_db(transaction=True)
def test_a_download_stopped_half_way_ends_its_copy(tricky, monkeypatch):
    monkeypatch.setattr(exports, "COPY_BLOCK", 1)
    chunks = exports.copy_chunks(tricky)
    next(chunks), next(chunks)
    chunks.close()
    with connection.cursor() as cursor:
        cursor.execute("SHOW TIME ZONE")
        assert cursor.fetchone() == ("UTC",)
