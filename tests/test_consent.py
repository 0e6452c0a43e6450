"""Consent recorded at the booth: per card, remembered for the next card, in the exports,
and marked in the follow-up list when missing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import vobject
from django.db import connection, transaction
from django.urls import reverse

from contacts import exports
from contacts.folds import UL
from contacts.models import Card, Consent
from events.models import Conference

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def booth(client, alice, conference) -> str:
    client.force_login(alice)
    return reverse("events-booth", args=[conference.slug])


def test_the_booth_records_the_basis_when_and_by_whom(client, booth, alice):
    response = client.post(booth, {"name": "Dana Reyes", "consent": "consent"}, **JSON)
    assert response.status_code == 201
    card = Card.objects.get()
    assert (card.consent, card.consent_by) == (Consent.GIVEN, alice)
    assert card.consent_at is not None


def test_a_card_without_a_choice_has_no_record(client, booth):
    client.post(booth, {"name": "Dana Reyes"}, **JSON)
    card = Card.objects.get()
    assert (card.consent, card.consent_at, card.consent_by) == ("", None, None)


def test_an_unknown_basis_is_a_400_and_saves_nothing(client, booth):
    response = client.post(booth, {"name": "Dana Reyes", "consent": "maybe"}, **JSON)
    assert response.status_code == 400
    assert "consent" in response.json()["errors"]
    assert not Card.objects.exists()


def test_the_last_choice_is_the_next_cards_default(client, booth):
    html = client.get(booth).content.decode()
    assert '<option value="" selected>Not recorded</option>' in html
    client.post(booth, {"name": "Dana Reyes", "consent": "interest"})
    html = client.get(booth).content.decode()
    assert '<option value="interest" selected>Legitimate interest</option>' in html


def test_editing_the_basis_records_who_changed_it(client, conference, alice, bob, make_card):
    card = make_card(UL, logged_by=bob, owner=bob)
    client.force_login(alice)
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    data = {"name": "Dana Reyes", "company": "Acme", "consent": "customer", "keys": "7"}
    assert client.post(url, data).status_code == 302
    card.refresh_from_db()
    assert (card.consent, card.consent_by) == (Consent.CUSTOMER, alice)
    assert "Recorded" in client.get(url).content.decode()


def test_an_edit_keeping_the_basis_keeps_when_it_was_recorded(client, booth, conference):
    client.post(booth, {"name": "Dana Reyes", "consent": "consent"}, **JSON)
    card = Card.objects.get()
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    client.post(url, {"name": "Dana R.", "consent": "consent", "version": card.version})
    recorded = card.consent_at
    card.refresh_from_db()
    assert (card.contact.name, card.consent_at) == ("Dana R.", recorded)


def test_the_follow_up_list_marks_a_card_without_consent(client, alice, make_card):
    make_card(UL, name="Ana Ruiz")
    make_card(UL, name="Li Wei", consent=Consent.GIVEN)
    client.force_login(alice)
    html = client.get(reverse("contacts-followups"), {"owner": "all"}).content.decode()
    assert html.count("data-no-consent") == 1
    ana = html[html.index("Ana Ruiz") :]
    assert "consent not recorded" in ana[: ana.index("list-group-item")]


def rows_of(conference, columns) -> list[dict]:
    body = "".join(exports.csv_chunks(conference, columns)).removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize(
    ("consent", "hubspot", "opt_out"),
    [
        ("consent", "Freely given consent from contact", "0"),
        ("interest", "Legitimate interest - prospect/lead", "0"),
        ("customer", "Legitimate interest - existing customer", "0"),
        ("declined", "", "1"),
        ("", "", ""),
    ],
)
def test_the_exports_carry_the_basis(conference, alice, make_card, consent, hubspot, opt_out):
    make_card(UL, consent=consent, consent_by=alice if consent else None)
    [row] = rows_of(conference, exports.FOLDCARD_COLUMNS)
    assert (row["consent"], row["consent_by"]) == (consent, "alice" if consent else "")
    [row] = rows_of(conference, exports.HUBSPOT_COLUMNS)
    assert row["Legal basis for processing contact's data"] == hubspot
    assert row["Email Opt Out"] == opt_out
    [row] = rows_of(conference, exports.SALESFORCE_COLUMNS)
    assert row["Email Opt Out"] == opt_out


@pytest.fixture
def summit(alice) -> Conference:
    return Conference.objects.create(
        name="Summit 2027", starts_on=date(2027, 3, 2), ends_on=date(2027, 3, 3), created_by=alice
    )


def said(make_card, conference, consent: str, day: int, contact=None) -> Card:
    """Log a card at ``conference`` recording ``consent`` on the ``day`` of March 2027."""
    at = datetime(2027, 3, day, 10, tzinfo=UTC)
    return make_card(UL, contact=contact, conference=conference, consent=consent, consent_at=at)


# What the person said on another card (at another conference, later or earlier), what
# this card records, and what the CRM exports and the vCard then give.
@pytest.mark.parametrize(
    ("elsewhere", "later", "here", "hubspot", "opt_out", "vcard"),
    [
        ("declined", True, "interest", "", "1", "declined"),
        ("declined", True, "customer", "", "1", "declined"),
        ("declined", True, "", "", "1", "declined"),
        ("declined", True, "consent", "", "1", "declined"),
        ("consent", True, "declined", "Freely given consent from contact", "0", "consent"),
        ("consent", True, "", "Freely given consent from contact", "0", "consent"),
        ("consent", False, "interest", "Legitimate interest - prospect/lead", "0", "interest"),
        ("declined", False, "consent", "Freely given consent from contact", "0", "consent"),
        ("interest", True, "", "", "", None),
    ],
)
def test_a_crm_is_told_what_the_person_said_last_on_any_card(
    conference, summit, make_card, elsewhere, later, here, hubspot, opt_out, vcard
):
    card = said(make_card, conference, here, 1)
    said(make_card, summit, elsewhere, 2 if later else 1, contact=card.contact)
    if not later:
        card.consent_at = datetime(2027, 3, 2, 10, tzinfo=UTC)
        card.save()
    [row] = rows_of(conference, exports.HUBSPOT_COLUMNS)
    assert row["Legal basis for processing contact's data"] == hubspot
    assert row["Email Opt Out"] == opt_out
    [row] = rows_of(conference, exports.SALESFORCE_COLUMNS)
    assert row["Email Opt Out"] == opt_out
    [row] = rows_of(conference, exports.FOLDCARD_COLUMNS)
    assert row["consent"] == here  # the card's own record, as it was typed
    [person] = vobject.readComponents(exports.vcards(conference))
    assert [c.value for c in person.contents.get("x-foldcard-consent", [])] == (
        [vcard] if vcard else []
    )


def test_the_csv_gives_when_consent_was_recorded_in_local_time(client, booth, conference):
    conference.time_zone = "America/New_York"
    conference.save()
    client.post(booth, {"name": "Dana Reyes", "consent": "consent"}, **JSON)
    [row] = rows_of(conference, exports.FOLDCARD_COLUMNS)
    assert row["consent_at"][-6:] in {"-05:00", "-04:00"}


def test_the_vcard_carries_the_latest_basis(conference, make_card):
    card = make_card(UL, consent=Consent.INTEREST)
    make_card(UL, contact=card.contact)
    [person] = vobject.readComponents(exports.vcards(conference))
    assert person.contents["x-foldcard-consent"][0].value == "interest"


def test_on_postgresql_a_persons_word_is_read_from_its_own_index(make_card):
    # Every row of the follow-up list, the API and the CRMs' exports asks it: read through
    # the person's cards, it took the HubSpot export of 1M cards to 28 s (README, Exports).
    if connection.vendor != "postgresql":
        pytest.skip("SQLite matches a partial index to literal values, and Django binds them")
    card = make_card(UL, consent=Consent.DECLINED, consent_at=datetime(2026, 11, 20, tzinfo=UTC))
    make_card(UL, contact=card.contact)
    word = Card.objects.with_persons_consent().values_list("persons_consent", flat=True)
    with transaction.atomic():
        connection.cursor().execute("SET LOCAL enable_seqscan = off")  # a few rows
        sql, params = word.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using card_persons_word" in plan
    assert list(word) == [Consent.DECLINED, Consent.DECLINED]
