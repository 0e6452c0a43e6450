"""A person is shown by one name everywhere: their name, else their company, else their
email; the company beside it only when it is not that name already."""

from __future__ import annotations

import re

import pytest
import vobject
from django.urls import reverse
from icalendar import Calendar

from contacts.folds import UR
from contacts.models import Contact

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.mark.parametrize(
    ("details", "display_name", "company_beside_name", "text"),
    [
        ({"name": "Dana Reyes", "company": "Acme"}, "Dana Reyes", "Acme", "Dana Reyes, Acme"),
        ({"name": "Dana Reyes", "email": "dana@acme.io"}, "Dana Reyes", "", "Dana Reyes"),
        ({"company": "Acme", "email": "info@acme.io"}, "Acme", "", "Acme"),
        ({"email": "dana@acme.io"}, "dana@acme.io", "", "dana@acme.io"),
        ({}, "Unknown", "", "Unknown"),
    ],
)
def test_it_names_a_person_by_name_company_or_email(
    details, display_name, company_beside_name, text
):
    person = Contact(**details)
    assert person.display_name == display_name
    assert person.company_beside_name == company_beside_name
    assert str(person) == text


def test_the_booth_shows_a_company_only_card_by_its_company(client, alice, conference):
    client.force_login(alice)
    booth = reverse("events-booth", args=[conference.slug])
    response = client.post(booth, {"company": "Acme", "folds": ["UR"]}, **JSON)
    card = response.json()
    assert card["contact"]["display_name"] == "Acme"
    assert "Saved <strong>Acme</strong> —" in card["confirmation_html"]
    assert re.search(r'<a href="/contacts/\d+/">Acme</a></td>', card["row_html"])
    html = client.get(booth).content.decode()
    assert re.search(r'<a href="/contacts/\d+/">Acme</a></td>', html)


def test_the_booth_shows_the_company_beside_a_name(client, alice, conference):
    client.force_login(alice)
    booth = reverse("events-booth", args=[conference.slug])
    card = client.post(booth, {"name": "Dana Reyes", "company": "Acme"}, **JSON).json()
    assert "Saved <strong>Dana Reyes</strong> (Acme) —" in card["confirmation_html"]
    assert re.search(r">Dana Reyes</a>, Acme</td>", card["row_html"])


def test_the_contact_page_of_an_email_only_person_has_a_heading(client, alice, make_card):
    card = make_card(UR, contact=Contact.objects.create(email="dana@acme.io"))
    client.force_login(alice)
    html = client.get(card.contact.get_absolute_url()).content.decode()
    assert '<h1 class="h3">dana@acme.io</h1>' in html
    assert "<title>dana@acme.io · foldcard</title>" in html


def test_the_contact_page_of_a_company_shows_it_once(client, alice, make_card):
    card = make_card(UR, contact=Contact.objects.create(company="Acme", title="Sales"))
    client.force_login(alice)
    html = client.get(card.contact.get_absolute_url()).content.decode()
    assert '<h1 class="h3">Acme</h1>' in html
    byline = re.search(r"<p [^>]*data-byline>(.*?)</p>", html, re.S).group(1)
    assert byline.split() == ["Sales"]


def test_a_follow_up_row_shows_a_company_only_person_once(client, alice, make_card):
    make_card(UR, contact=Contact.objects.create(company="Acme"))
    client.force_login(alice)
    html = client.get(reverse("contacts-followups")).content.decode()
    assert re.search(r'data-name href="/followups/\d+/[^"]*">Acme</a>', html)
    assert "· Acme" not in html


def test_the_exports_name_a_company_only_person_by_the_company(client, alice, make_card):
    card = make_card(UR, contact=Contact.objects.create(company="Acme", email="info@acme.io"))
    client.force_login(alice)
    slug = card.conference.slug
    body = client.get(reverse("events-export-vcf", args=[slug])).content.decode()
    assert next(vobject.readComponents(body)).fn.value == "Acme"
    body = client.get(reverse("events-export-ics", args=[slug])).content
    assert [str(t["summary"]) for t in Calendar.from_ical(body).walk("VTODO")] == [
        "Follow up: Acme"
    ]
