from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import vobject
from django.urls import reverse
from icalendar import Calendar

from contacts import services
from contacts.folds import DIAG, HALF, LR, UL, UR
from contacts.models import Card, Contact
from events.models import Conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, alice):
    client.force_login(alice)
    return client


def download(client, name: str, conference) -> tuple:
    response = client.get(reverse(name, args=[conference.slug]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body.decode("utf-8-sig")


def test_the_csv_has_one_row_per_card_in_follow_up_order(logged_in, conference, make_card):
    make_card(UR, name="Plain Customer", note="renewal in May")
    make_card(
        UL | UR | HALF,
        name="Dana Reyes",
        contact=Contact.objects.create(
            name="Dana Reyes", company="Acme", title="CTO", email="dana@acme.io", phone="555 0100"
        ),
    )
    response, body = download(logged_in, "events-export-csv", conference)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="expo-2026-cards.csv"'
    rows = list(csv.DictReader(io.StringIO(body)))
    assert list(rows[0]) == [
        "name",
        "company",
        "title",
        "email",
        "phone",
        "folds",
        "meanings",
        "priority",
        "due",
        "state",
        "note",
        "met_at",
        "owner",
        "outcome",
        "outcome_at",
        "consent",
        "consent_at",
        "consent_by",
    ]
    assert [r["name"] for r in rows] == ["Dana Reyes", "Plain Customer"]
    dana = rows[0]
    assert dana["folds"] == "UL UR HALF"
    assert dana["meanings"] == "Talk ASAP; Wants to buy more; Customer"
    assert (dana["priority"], dana["due"], dana["state"]) == ("100", "2026-11-21", "open")
    assert (dana["email"], dana["phone"], dana["owner"]) == ("dana@acme.io", "555 0100", "alice")
    assert dana["met_at"].startswith("2026-11-20T10:00")
    assert rows[1]["note"] == "renewal in May"


@pytest.mark.parametrize(
    "evil",
    [
        '=HYPERLINK("http://x")',
        "+1 555 0100",
        "-2+3",
        "@SUM(A1)",
        "\tTAB",
        "\rCR",
        '\uff1dHYPERLINK("http://x")',
        "\uff0b1 555 0100",
        "\uff0d2+3",
        "\uff20SUM(A1)",
    ],
)
def test_the_csv_neutralizes_formula_injection(logged_in, conference, make_card, evil):
    make_card(UR, contact=Contact.objects.create(name=evil, company=evil, phone=evil), note=evil)
    _, body = download(logged_in, "events-export-csv", conference)
    row = next(csv.DictReader(io.StringIO(body)))
    for field in ("name", "company", "phone", "note"):
        assert row[field] == "'" + evil, field


def test_the_csv_keeps_odd_text_intact(logged_in, conference, make_card):
    text = 'Zoë "the boss", O\'Neil; 北京\nsecond line'
    make_card(UR, name=text, note=text)
    _, body = download(logged_in, "events-export-csv", conference)
    row = next(csv.DictReader(io.StringIO(body)))
    assert (row["name"], row["note"]) == (text, text)


def test_the_csv_of_an_empty_conference_is_just_the_header(logged_in, conference):
    _, body = download(logged_in, "events-export-csv", conference)
    assert body.splitlines() == [
        "name,company,title,email,phone,folds,meanings,priority,due,state,note,met_at,owner,"
        "outcome,outcome_at,consent,consent_at,consent_by"
    ]


def test_the_vcards_carry_meanings_and_notes(logged_in, conference, make_card):
    dana = Contact.objects.create(
        name="Dana Reyes", company="Acme", title="CTO", email="dana@acme.io", phone="+1 555 0100"
    )
    make_card(UL | UR | HALF, contact=dana, note="wants a second region")
    make_card(LR, contact=dana, note="unhappy with support")
    make_card(DIAG, name="Li Wei")
    other = Conference.objects.create(
        name="Other", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2)
    )
    make_card(UR, name="Elsewhere", conference=other)
    response, body = download(logged_in, "events-export-vcf", conference)
    assert response["Content-Disposition"] == 'attachment; filename="expo-2026-contacts.vcf"'
    cards = {c.fn.value: c for c in vobject.readComponents(body)}
    assert set(cards) == {"Dana Reyes", "Li Wei"}
    dana_card = cards["Dana Reyes"]
    assert dana_card.email.value == "dana@acme.io"
    assert dana_card.org.value == ["Acme"]
    assert dana_card.tel.value == "+1 555 0100"
    assert dana_card.n.value.family == "Reyes" and dana_card.n.value.given == "Dana"
    assert dana_card.categories.value == ["Talk ASAP", "Wants to buy more", "Customer", "Unhappy"]
    assert dana_card.note.value == "wants a second region\nunhappy with support"
    assert cards["Li Wei"].categories.value == ["Competitor (friendly)"]


def test_the_calendar_has_a_task_per_open_follow_up(logged_in, conference, make_card):
    seed = make_card(UL | UR | HALF, name="Dana Reyes", note="call her")
    make_card(DIAG, name="Li Wei")
    make_card(UR, name="Finished", state=Card.State.DONE)
    response, body = download(logged_in, "events-export-ics", conference)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(body)
    todos = {str(t["summary"]): t for t in calendar.walk("VTODO")}
    assert set(todos) == {"Follow up: Dana Reyes, Acme", "Follow up: Li Wei, Acme"}
    dana = todos["Follow up: Dana Reyes, Acme"]
    assert dana.decoded("due") == date(2026, 11, 21)
    assert int(dana["priority"]) == 1
    assert str(dana["uid"]) == f"card-{seed.client_uuid}@foldcard"
    assert "call her" in str(dana["description"])
    assert int(todos["Follow up: Li Wei, Acme"]["priority"]) == 7


def test_exports_need_a_login_and_a_known_conference(client, alice, conference):
    for name in ("events-export-csv", "events-export-vcf", "events-export-ics"):
        assert client.get(reverse(name, args=[conference.slug])).status_code == 302
    client.force_login(alice)
    assert client.get(reverse("events-export-csv", args=["nope"])).status_code == 404


def test_the_dashboard_shows_meanings_progress_and_overdue(
    logged_in, conference, make_card, fixed_today
):
    fixed_today(date(2026, 11, 27))
    make_card(UL | UR | HALF, name="A")
    make_card(UR, name="B", state=Card.State.DONE)
    make_card(UR, name="C", state=Card.State.DROPPED)
    make_card(0, name="D")
    html = logged_in.get(conference.get_absolute_url()).content.decode()
    assert 'data-meaning="customer"' in html
    assert "2 of 4 cards handled (1 done, 1 dropped)" in html
    assert 'aria-valuenow="50"' in html
    # A was due the day after the conference; D, unclassified, has two weeks.
    assert "1 overdue" in html
    assert ">Unclassified</text>" in html
    for name in ("events-export-csv", "events-export-vcf", "events-export-ics", "events-booth"):
        assert reverse(name, args=[conference.slug]) in html
    assert f"/followups/?conference={conference.pk}&owner=all" in html


def test_the_csv_gives_when_met_in_the_conferences_time_zone(logged_in, conference, make_card):
    make_card(UR, name="Early Bird")  # met at 10:00 UTC
    conference.time_zone = "America/New_York"
    conference.save()
    _, body = download(logged_in, "events-export-csv", conference)
    assert next(csv.DictReader(io.StringIO(body)))["met_at"] == "2026-11-20T05:00-05:00"


def test_the_csv_starts_with_a_byte_order_mark_for_spreadsheets(logged_in, conference, make_card):
    make_card(UR, name="Zoë Åström")
    response = logged_in.get(reverse("events-export-csv", args=[conference.slug]))
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbfname,")
    assert "Zoë Åström" in body.decode("utf-8-sig")


def test_the_csv_keeps_phone_numbers_intact(logged_in, conference, make_card):
    conference.country = "SE"
    conference.save()
    phones = {
        "Written in full": "+46 8 555 0101",
        "Written at home": "08-555 010 1",
        "Abroad": "+1 (212) 555-0100",
        "Too short": "555",
        "Formula": "=1+2",
        "Extension": "+46 8 555 0101 ext. 12",
    }
    for name, phone in phones.items():
        person = services.find_or_create_contact(services.CardInput(name=name, phone=phone), "SE")
        make_card(UR, contact=person[0])
    _, body = download(logged_in, "events-export-csv", conference)
    assert {r["name"]: r["phone"] for r in csv.DictReader(io.StringIO(body))} == {
        "Written in full": "+4685550101",
        "Written at home": "+4685550101",
        "Abroad": "+12125550100",
        "Too short": "555",
        "Formula": "'=1+2",
        "Extension": "'+46 8 555 0101 ext. 12",
    }


def test_the_csv_reads_local_numbers_only_with_a_country(logged_in, conference, make_card):
    make_card(UR, contact=Contact.objects.create(name="Home", phone="08-555 010 1"))
    _, body = download(logged_in, "events-export-csv", conference)
    assert next(csv.DictReader(io.StringIO(body)))["phone"] == "08-555 010 1"


def test_the_csv_gives_the_outcome_and_when_it_was_closed(logged_in, conference, make_card):
    conference.time_zone = "Europe/Helsinki"
    conference.save()
    closed_at = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    make_card(
        UR, name="Signed", state=Card.State.DONE, outcome="=signed", state_changed_at=closed_at
    )
    make_card(UL, name="Gone", state=Card.State.DROPPED, state_changed_at=closed_at)
    make_card(UR, name="Snoozing", state=Card.State.SNOOZED, state_changed_at=closed_at)
    make_card(UR, name="Waiting")
    _, body = download(logged_in, "events-export-csv", conference)
    rows = {r["name"]: (r["outcome"], r["outcome_at"]) for r in csv.DictReader(io.StringIO(body))}
    assert rows == {
        "Signed": ("'=signed", "2026-11-24T11:30+02:00"),
        "Gone": ("", "2026-11-24T11:30+02:00"),
        "Snoozing": ("", ""),
        "Waiting": ("", ""),
    }
