"""The read-only CardDAV address book: synced by a real CardDAV client (vdirsyncer's), and
what each kind of bad or writing request gets."""

from __future__ import annotations

import asyncio
import base64
from datetime import timedelta

import aiohttp
import pytest
import vobject
from django.utils import timezone
from vdirsyncer.storage.dav import CardDAVStorage

from api.models import ApiToken
from contacts.folds import HALF, UL, UR
from contacts.models import Contact
from events.models import Conference

pytestmark = pytest.mark.django_db

BOOK = "/dav/contacts/"
LIST = b"""<?xml version="1.0" encoding="utf-8"?>
<propfind xmlns="DAV:"><prop><getetag/><getcontenttype/><resourcetype/></prop></propfind>"""


def basic(username: str, password: str) -> dict:
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {credentials}"}


def dav(client, method: str, path: str, body: bytes = b"", auth=None, **headers):
    return client.generic(method, path, body, content_type="application/xml", **auth, **headers)


@pytest.fixture
def key(alice) -> str:
    return ApiToken.issue(alice, "phone")[1]


@pytest.fixture
def auth(alice, key) -> dict:
    return basic(alice.username, key)


def sync(base_url: str, username: str, password: str) -> dict[str, tuple[str, str]]:
    """Discover the address book from ``base_url`` as a CardDAV client does and return
    every vCard in it: {href: (etag, vCard)}."""

    async def run():
        async with aiohttp.TCPConnector() as connector:
            login = {"username": username, "password": password, "connector": connector}
            found = [c async for c in CardDAVStorage.discover(url=base_url, **login)]
            assert [c["collection"] for c in found] == ["contacts"]
            storage = CardDAVStorage(url=found[0]["url"], **login)
            listed = {href: etag async for href, etag in storage.list()}
            fetched = {
                href: (etag, item.raw) async for href, item, etag in storage.get_multi(listed)
            }
            assert {href: etag for href, (etag, _) in fetched.items()} == listed
            return fetched

    return asyncio.run(run())


@pytest.mark.django_db(transaction=True)
def test_a_carddav_client_syncs_the_people_the_user_follows_up(
    live_server, alice, bob, key, make_card
):
    dana = make_card(UR, note="Wants a demo").contact
    make_card(UL | UR, name="Eli Park", owner=alice)
    make_card(HALF, name="Bob's lead", owner=bob)
    contacts = sync(f"{live_server.url}/", alice.username, key)

    people = {vobject.readOne(raw).fn.value: (href, etag) for href, (etag, raw) in contacts.items()}
    assert set(people) == {"Dana Reyes", "Eli Park"}
    dana_card = vobject.readOne(contacts[people["Dana Reyes"][0]][1])
    assert dana_card.version.value == "3.0"
    assert dana_card.uid.value == dana.uid.urn
    assert dana_card.org.value == ["Acme"]
    assert "Wants a demo" in dana_card.note.value
    assert people["Dana Reyes"][0].endswith(f"/dav/contacts/{dana.uid}.vcf")

    Contact.objects.filter(pk=dana.pk).update(company="Acme Labs")
    again = sync(f"{live_server.url}/dav/", alice.username, key)
    etags = {href: etag for href, (etag, _) in again.items()}
    assert etags[people["Dana Reyes"][0]] != people["Dana Reyes"][1]
    assert etags[people["Eli Park"][0]] == people["Eli Park"][1]


def test_a_person_is_read_as_vcard_3_unless_4_is_asked(client, auth, make_card):
    dana = make_card(UR).contact
    path = f"{BOOK}{dana.uid}.vcf"
    three = client.get(path, **auth)
    assert three.status_code == 200 and three["Content-Type"] == "text/vcard; charset=utf-8"
    assert vobject.readOne(three.content.decode()).version.value == "3.0"
    four = client.get(path, HTTP_ACCEPT="text/vcard; version=4.0", **auth)
    assert vobject.readOne(four.content.decode()).version.value == "4.0"
    assert four["ETag"] == three["ETag"]
    unchanged = client.get(path, HTTP_IF_NONE_MATCH=three["ETag"], **auth)
    assert unchanged.status_code == 304


def test_a_multiget_reads_people_in_the_version_asked_and_404s_the_rest(
    client, auth, make_card, bob
):
    dana = make_card(UR).contact
    bobs = make_card(UR, name="Bob's lead", owner=bob).contact
    hrefs = [f"{BOOK}{dana.uid}.vcf", f"{BOOK}{bobs.uid}.vcf", f"{BOOK}not-a-uid.vcf"]
    body = (
        '<C:addressbook-multiget xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
        '<prop><getetag/><C:address-data content-type="text/vcard" version="4.0"/></prop>'
        + "".join(f"<href>{h}</href>" for h in hrefs)
        + "</C:addressbook-multiget>"
    ).encode()
    response = dav(client, "REPORT", BOOK, body, auth)
    assert response.status_code == 207
    text = response.content.decode()
    assert "VERSION:4.0" in text and dana.uid.urn in text
    assert "Bob&apos;s lead" not in text and "Bob's lead" not in text
    assert text.count("HTTP/1.1 404 Not Found") == 2


def test_a_conference_token_reaches_that_conferences_people_only(
    client, alice, conference, make_card
):
    elsewhere = Conference.objects.create(
        name="Other Expo",
        slug="other-expo",
        starts_on=conference.starts_on,
        ends_on=conference.ends_on,
        created_by=alice,
    )
    make_card(UR, name="Met here")
    make_card(UR, name="Met elsewhere", conference=elsewhere)
    key = ApiToken.issue(alice, "expo", conference=conference)[1]
    response = dav(client, "PROPFIND", BOOK, LIST, basic(alice.username, key), HTTP_DEPTH="1")
    assert response.status_code == 207
    # The address book itself and one person.
    assert response.content.decode().count("<d:response>") == 2


def test_the_address_book_tells_clients_it_is_read_only(client, auth):
    response = client.options(BOOK)
    assert response["DAV"] == "1, 3, addressbook"
    assert "PUT" not in response["Allow"]
    body = (
        b'<propfind xmlns="DAV:">'
        b"<prop><current-user-privilege-set/><resourcetype/></prop></propfind>"
    )
    text = dav(client, "PROPFIND", BOOK, body, auth, HTTP_DEPTH="0").content.decode()
    assert "<d:read />" in text and "write" not in text
    assert "<card:addressbook />" in text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PROPPATCH", "MKCOL", "MOVE", "POST"])
def test_writing_is_405_and_changes_nothing(client, auth, make_card, method):
    dana = make_card(UR).contact
    response = dav(client, method, f"{BOOK}{dana.uid}.vcf", b"BEGIN:VCARD", auth)
    assert response.status_code == 405
    assert "PROPFIND" in response["Allow"]
    assert Contact.objects.get(pk=dana.pk).name == "Dana Reyes"


def test_who_may_read_the_address_book(client, alice, bob, key, make_card):
    path = f"{BOOK}{make_card(UR).contact.uid}.vcf"
    refused = {
        "no credentials": {},
        "a bearer token": {"HTTP_AUTHORIZATION": f"Bearer {key}"},
        "a wrong token": basic(alice.username, "not-a-token"),
        "another user's name": basic(bob.username, key),
        "not base64": {"HTTP_AUTHORIZATION": "Basic ###"},
    }
    for why, auth in refused.items():
        response = client.get(path, **auth)
        assert response.status_code == 401, why
        assert response["WWW-Authenticate"].startswith("Basic"), why

    client.force_login(alice)
    assert client.get(path).status_code == 401  # a session is not enough
    assert client.get(path, **basic(alice.username, key)).status_code == 200
    assert client.get(path, **basic(bob.username, ApiToken.issue(bob, "x")[1])).status_code == 404

    ApiToken.objects.filter(user=alice).update(expires_at=timezone.now() - timedelta(days=1))
    assert client.get(path, **basic(alice.username, key)).status_code == 401


def test_a_user_without_a_role_reads_no_address_book(client, bob, charlie, make_card):
    bobs = basic(bob.username, ApiToken.issue(bob, "phone")[1])
    path = f"{BOOK}{make_card(UR, owner=bob).contact.uid}.vcf"
    assert client.get(path, **bobs).status_code == 200
    make_card(UR, name="Charlie's Lead", owner=charlie)
    charlies = basic(charlie.username, ApiToken.issue(charlie, "phone")[1])
    bob.groups.clear()  # a role taken away
    for auth in (bobs, charlies):
        assert client.get(path, **auth).status_code == 403
        refused = dav(client, "PROPFIND", BOOK, LIST, auth, HTTP_DEPTH="1")
        assert refused.status_code == 403 and b"BEGIN:VCARD" not in refused.content
        query = b'<C:addressbook-query xmlns:C="urn:ietf:params:xml:ns:carddav"/>'
        assert dav(client, "REPORT", BOOK, query, auth).status_code == 403


def test_what_the_address_book_sends_is_private_and_not_stored(client, auth, make_card):
    path = f"{BOOK}{make_card(UR).contact.uid}.vcf"
    query = (
        b'<C:addressbook-query xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
        b"<prop><getetag/><C:address-data/></prop></C:addressbook-query>"
    )
    responses = {
        "GET": client.get(path, **auth),
        "PROPFIND": dav(client, "PROPFIND", BOOK, LIST, auth, HTTP_DEPTH="1"),
        "REPORT": dav(client, "REPORT", BOOK, query, auth),
    }
    for method, response in responses.items():
        assert response.status_code in (200, 207), method
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert directives >= {"private", "no-store"}, method


def test_bad_requests_get_a_clear_4xx(client, auth, settings):
    billion_laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><propfind xmlns="DAV:">&lol2;</propfind>'
    )
    cases = {
        "not XML": (dav(client, "PROPFIND", BOOK, b"<propfind", auth, HTTP_DEPTH="0"), 400),
        "entities": (dav(client, "PROPFIND", BOOK, billion_laughs, auth, HTTP_DEPTH="0"), 400),
        "infinite depth": (dav(client, "PROPFIND", BOOK, LIST, auth), 403),
        "too big": (dav(client, "REPORT", BOOK, b" " * 1_000_001, auth), 413),
        "unknown person": (
            client.get(f"{BOOK}00000000-0000-0000-0000-000000000000.vcf", **auth),
            404,
        ),
        "unknown report": (
            dav(client, "REPORT", BOOK, b'<sync-collection xmlns="DAV:"/>', auth),
            403,
        ),
        "filtered query": (
            dav(
                client,
                "REPORT",
                BOOK,
                b'<C:addressbook-query xmlns:C="urn:ietf:params:xml:ns:carddav">'
                b'<C:filter><C:prop-filter name="FN"/></C:filter></C:addressbook-query>',
                auth,
            ),
            403,
        ),
    }
    for why, (response, status) in cases.items():
        assert response.status_code == status, why
        assert response["Content-Type"] == "text/plain" and response.content, why


def test_an_unfiltered_query_lists_everyone(client, auth, make_card):
    make_card(UR)
    make_card(UL, name="Eli Park")
    body = (
        b'<C:addressbook-query xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
        b"<prop><getetag/><C:address-data/></prop></C:addressbook-query>"
    )
    response = dav(client, "REPORT", BOOK, body, auth)
    assert response.status_code == 207
    assert response.content.decode().count("BEGIN:VCARD") == 2


def test_the_address_book_is_found_without_its_trailing_slash(client, auth, make_card):
    dana = make_card(UR).contact
    listed = dav(client, "PROPFIND", BOOK.rstrip("/"), LIST, auth, HTTP_DEPTH="1")
    assert listed.status_code == 207
    assert f"{BOOK}{dana.uid}.vcf" in listed.content.decode()
    assert client.get(BOOK.rstrip("/"), **auth).status_code == 200


def test_well_known_leads_to_the_address_book(client):
    response = dav(client, "PROPFIND", "/.well-known/carddav", b"", {})
    assert response.status_code == 301 and response["Location"] == "/dav/"
