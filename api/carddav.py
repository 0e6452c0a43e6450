"""A read-only CardDAV address book (RFC 6352) of each user's contacts.

A phone or Thunderbird subscribes to ``https://<host>/dav/`` (or finds it through
``/.well-known/carddav``) with the user's name and an API token as the password. The
address book holds a vCard for every person on a card the user follows up (on the token's
conference only, when the token has one), with what those cards say: the vCard of the
exports (`contacts.exports.vcard`), its UID the person's.

Paths, the same for everyone (what they hold depends on who asks):

- ``/dav/``: the user's principal and the home of their one address book;
- ``/dav/contacts/``: the address book;
- ``/dav/contacts/<uid>.vcf``: one person.

An ETag is a digest of the person's vCard 4.0, so it changes when anything shown of them
changes; the address book's ``getctag`` is a digest of them all. A client gets vCard 3.0
unless it asks for 4.0 (``Accept: text/vcard; version=4.0`` or the ``version`` of
``address-data``), as RFC 6352 has it. Nothing can be written: a method that would is 405.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, register_namespace, tostring

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from django.contrib.auth.decorators import login_not_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponsePermanentRedirect,
)
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed

from api.authentication import token_for_key
from api.models import ApiToken
from contacts import rules
from contacts.exports import PERSON_DETAILS, vcard
from contacts.models import Card
from contacts.queries import decode_cards

DAV = "DAV:"
CARDDAV = "urn:ietf:params:xml:ns:carddav"
CALENDARSERVER = "http://calendarserver.org/ns/"
for namespace, prefix in ((DAV, "d"), (CARDDAV, "card"), (CALENDARSERVER, "cs")):
    register_namespace(prefix, namespace)

ROOT = "/dav/"
BOOK = "/dav/contacts/"
PERSON = re.compile(r"^/dav/contacts/(?P<uid>[^/]+)\.vcf$")
VCARD_TYPE = "text/vcard; charset=utf-8"
# RFC 6352 section 10.4: what a client gets when it does not name a version.
DEFAULT_VERSION = 3
# No CardDAV client sends more than this (it is a multiget of some 10,000 people).
MAX_BODY = 1_000_000
READ_METHODS = ["OPTIONS", "GET", "HEAD", "PROPFIND", "REPORT"]
WRITE_METHODS = ["PUT", "POST", "PATCH", "DELETE", "PROPPATCH", "MKCOL", "COPY", "MOVE"]


def tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def element(name: str, *children: Element, text: str | None = None) -> Element:
    new = Element(name)
    new.extend(children)
    new.text = text
    return new


def href(path: str) -> Element:
    return element(tag(DAV, "href"), text=path)


class DavError(Exception):
    """A request the address book refuses: its HTTP status and why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Person:
    """One person of the address book, with the cards their vCard tells of."""

    uid: uuid.UUID
    cards: list[Card]

    @property
    def path(self) -> str:
        return f"{BOOK}{self.uid}.vcf"

    def vcard(self, version: int) -> str:
        first = self.cards[0]
        return vcard(first.contact, self.cards, version, first.conference.country or None)

    @cached_property
    def etag(self) -> str:
        return f'"{hashlib.sha256(self.vcard(4).encode()).hexdigest()[:32]}"'


class AddressBook:
    """The people on the cards that ``token``'s user follows up."""

    def __init__(self, token: ApiToken):
        self.user = token.user
        cards = Card.objects.filter(owner=self.user)
        if token.conference_id is not None:
            cards = cards.filter(conference_id=token.conference_id)
        cards = cards.with_basis().select_related("contact", "vocabulary", "conference")
        self.cards = cards.prefetch_related(*PERSON_DETAILS)

    def people(self, uids: set[uuid.UUID] | None = None) -> list[Person]:
        """Return the address book's people (those of ``uids`` only, when given)."""
        cards = self.cards if uids is None else self.cards.filter(contact__uid__in=uids)
        people: dict[uuid.UUID, list[Card]] = {}
        for card in decode_cards(cards.order_by("contact__uid", "logged_at", "pk")):
            people.setdefault(card.contact.uid, []).append(card)
        return [Person(uid, cards) for uid, cards in people.items()]

    def person(self, path: str) -> Person | None:
        """Return the person at ``path`` (``/dav/contacts/<uid>.vcf``), if in the book."""
        uid = uid_of(path)
        people = [] if uid is None else self.people({uid})
        return people[0] if people else None


def uid_of(path: str) -> uuid.UUID | None:
    """Return the UID a person's path names, or None for another path."""
    match = PERSON.match(path)
    try:
        return uuid.UUID(match["uid"]) if match else None
    except ValueError:
        return None


def token_from_basic_auth(request: HttpRequest) -> ApiToken:
    """Return the API token given as the password of HTTP Basic authentication; the user
    name given must be the token's user's."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise AuthenticationFailed("Sign in with your user name and an API token as password.")
    try:
        decoded = base64.b64decode(credentials, validate=True).decode()
    except ValueError as e:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise AuthenticationFailed("The credentials are not valid Basic credentials.") from e
    username, _, key = decoded.partition(":")
    token = token_for_key(key)
    if token.user.get_username() != username:
        raise AuthenticationFailed("The token is not valid or was revoked.")
    return token


def vcard_version(asked: str | None) -> int:
    """Return the vCard version an Accept header or an address-data element asks for."""
    return 4 if asked and "4.0" in asked else DEFAULT_VERSION


def parse_body(request: HttpRequest) -> Element | None:
    """Return the request's XML body (None when empty), parsed without entities."""
    body = request.body
    if len(body) > MAX_BODY:
        raise DavError(413, "The request body is too large.")
    if not body.strip():
        return None
    try:
        return SafeElementTree.fromstring(body)
    except (SafeElementTree.ParseError, DefusedXmlException) as e:
        raise DavError(400, f"The request body is not XML the address book reads: {e}") from e


def asked_properties(body: Element | None) -> list[str] | None:
    """Return the properties a PROPFIND or REPORT body names; None for all of them."""
    prop = None if body is None else body.find(tag(DAV, "prop"))
    return None if prop is None else [child.tag for child in prop]


def response(path: str, available: dict[str, Callable[[], Element]], asked) -> Element:
    """Return the multistatus response for ``path``: of the ``asked`` properties (all when
    None), those ``available`` (made by calling their value) and the others as 404."""
    names = list(available) if asked is None else asked
    found = [available[name]() for name in names if name in available]
    missing = [Element(name) for name in names if name not in available]
    answer = element(tag(DAV, "response"), href(path))
    for props, status in ((found, "200 OK"), (missing, "404 Not Found")):
        if props:
            answer.append(
                element(
                    tag(DAV, "propstat"),
                    element(tag(DAV, "prop"), *props),
                    element(tag(DAV, "status"), text=f"HTTP/1.1 {status}"),
                )
            )
    return answer


def not_found(path: str) -> Element:
    return element(
        tag(DAV, "response"), href(path), element(tag(DAV, "status"), text="HTTP/1.1 404 Not Found")
    )


def multistatus(responses: list[Element]) -> HttpResponse:
    body = tostring(element(tag(DAV, "multistatus"), *responses), "utf-8", xml_declaration=True)
    return HttpResponse(body, status=207, content_type='application/xml; charset="utf-8"')


@method_decorator([csrf_exempt, login_not_required], name="dispatch")
class AddressBookView(View):
    """Every path under ``/dav/``: who asks is told by an API token, never by a session,
    so that no page's cookie can read or act here."""

    http_method_names = [m.lower() for m in READ_METHODS + WRITE_METHODS]

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method in WRITE_METHODS:
            return HttpResponseNotAllowed(READ_METHODS, "The address book is read-only.")
        if request.method == "OPTIONS":
            return self.options(request)
        try:
            token = token_from_basic_auth(request)
        except AuthenticationFailed as e:
            refused = HttpResponse(str(e.detail), status=401, content_type="text/plain")
            refused["WWW-Authenticate"] = 'Basic realm="foldcard", charset="UTF-8"'
            return refused
        # The token's user is who asks, as for the API (whose authentication sets it too):
        # PrivateCacheMiddleware keeps what they get out of every cache.
        request.user = token.user
        # The address book's people are those of the user's follow-ups: who may work them
        # reads it.
        if not request.user.has_perm(rules.WORK):
            refused = "Your role does not let you see the follow-ups' people."
            return HttpResponse(refused, status=403, content_type="text/plain")
        self.book = AddressBook(token)
        # The address book is a collection, asked for with its slash or without.
        self.path = BOOK if request.path == BOOK.rstrip("/") else request.path
        try:
            return super().dispatch(request, *args, **kwargs)
        except DavError as e:
            return HttpResponse(str(e), status=e.status, content_type="text/plain")

    def options(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        answer = HttpResponse()
        answer["Allow"] = ", ".join(READ_METHODS)
        answer["DAV"] = "1, 3, addressbook"
        return answer

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if self.path in (ROOT, BOOK):
            return HttpResponse(
                "A CardDAV address book: subscribe to it with a CardDAV client.",
                content_type="text/plain",
            )
        person = self.book.person(self.path)
        if person is None:
            raise DavError(404, "There is no such person in your address book.")
        if person.etag in request.headers.get("If-None-Match", ""):
            answer = HttpResponse(status=304)
        else:
            version = vcard_version(request.headers.get("Accept"))
            answer = HttpResponse(person.vcard(version), content_type=VCARD_TYPE)
        answer["ETag"] = person.etag
        return answer

    def propfind(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        asked = asked_properties(parse_body(request))
        depth = request.headers.get("Depth", "infinity")
        if depth not in ("0", "1"):
            raise DavError(403, "Ask with Depth 0 or 1: the address book lists no deeper.")
        if self.path == ROOT:
            responses = [response(ROOT, self.home_properties(), asked)]
            if depth == "1":
                responses.append(response(BOOK, self.book_properties(), asked))
        elif self.path == BOOK:
            responses = [response(BOOK, self.book_properties(), asked)]
            if depth == "1":
                responses += [
                    response(p.path, self.person_properties(p), asked) for p in self.people
                ]
        else:
            person = self.book.person(self.path)
            if person is None:
                raise DavError(404, "There is no such person in your address book.")
            responses = [response(person.path, self.person_properties(person), asked)]
        return multistatus(responses)

    def report(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        body = parse_body(request)
        if self.path != BOOK or body is None:
            raise DavError(403, "Ask the address book for an addressbook-multiget or -query.")
        asked = asked_properties(body)
        data = body.find(f"{tag(DAV, 'prop')}/{tag(CARDDAV, 'address-data')}")
        version = vcard_version(None if data is None else data.get("version"))
        if body.tag == tag(CARDDAV, "addressbook-multiget"):
            paths = [unquote(urlsplit(h.text or "").path) for h in body.iter(tag(DAV, "href"))]
            uids = {uid for uid in map(uid_of, paths) if uid is not None}
            people = {p.path: p for p in self.book.people(uids)}
            responses = [
                response(path, self.person_properties(people[path], version), asked)
                if path in people
                else not_found(path)
                for path in paths
            ]
        elif body.tag == tag(CARDDAV, "addressbook-query"):
            query_filter = body.find(tag(CARDDAV, "filter"))
            if query_filter is not None and len(query_filter):
                raise DavError(403, "The address book answers queries without filters only.")
            responses = [
                response(p.path, self.person_properties(p, version), asked) for p in self.people
            ]
        else:
            raise DavError(403, "The address book answers addressbook-multiget and -query only.")
        return multistatus(responses)

    @cached_property
    def people(self) -> list[Person]:
        return self.book.people()

    def common_properties(self) -> dict[str, Callable[[], Element]]:
        return {
            tag(DAV, "current-user-principal"): lambda: element(
                tag(DAV, "current-user-principal"), href(ROOT)
            ),
            tag(DAV, "current-user-privilege-set"): lambda: element(
                tag(DAV, "current-user-privilege-set"),
                element(tag(DAV, "privilege"), Element(tag(DAV, "read"))),
            ),
        }

    def home_properties(self) -> dict[str, Callable[[], Element]]:
        return self.common_properties() | {
            tag(DAV, "resourcetype"): lambda: element(
                tag(DAV, "resourcetype"), Element(tag(DAV, "collection"))
            ),
            tag(DAV, "displayname"): lambda: element(
                tag(DAV, "displayname"), text=self.book.user.get_username()
            ),
            tag(DAV, "principal-URL"): lambda: element(tag(DAV, "principal-URL"), href(ROOT)),
            tag(CARDDAV, "addressbook-home-set"): lambda: element(
                tag(CARDDAV, "addressbook-home-set"), href(ROOT)
            ),
        }

    def book_properties(self) -> dict[str, Callable[[], Element]]:
        def report(name: str) -> Element:
            return element(tag(DAV, "supported-report"), element(tag(DAV, "report"), Element(name)))

        return self.common_properties() | {
            tag(DAV, "resourcetype"): lambda: element(
                tag(DAV, "resourcetype"),
                Element(tag(DAV, "collection")),
                Element(tag(CARDDAV, "addressbook")),
            ),
            tag(DAV, "displayname"): lambda: element(tag(DAV, "displayname"), text="foldcard"),
            tag(CARDDAV, "addressbook-description"): lambda: element(
                tag(CARDDAV, "addressbook-description"),
                text="The people you follow up in foldcard",
            ),
            tag(DAV, "supported-report-set"): lambda: element(
                tag(DAV, "supported-report-set"),
                report(tag(CARDDAV, "addressbook-multiget")),
                report(tag(CARDDAV, "addressbook-query")),
            ),
            tag(CALENDARSERVER, "getctag"): lambda: element(
                tag(CALENDARSERVER, "getctag"),
                text=hashlib.sha256(
                    "".join(p.path + p.etag for p in self.people).encode()
                ).hexdigest()[:32],
            ),
        }

    def person_properties(self, person: Person, version: int | None = None) -> dict:
        properties = {
            tag(DAV, "getetag"): lambda: element(tag(DAV, "getetag"), text=person.etag),
            tag(DAV, "getcontenttype"): lambda: element(
                tag(DAV, "getcontenttype"), text=VCARD_TYPE
            ),
            tag(DAV, "resourcetype"): lambda: Element(tag(DAV, "resourcetype")),
        }
        if version is not None:
            properties[tag(CARDDAV, "address-data")] = lambda: element(
                tag(CARDDAV, "address-data"), text=person.vcard(version)
            )
        return properties


@csrf_exempt
@login_not_required
def well_known(request: HttpRequest) -> HttpResponse:
    """Send a client looking for the address book (RFC 6764), by any method, to it."""
    return HttpResponsePermanentRedirect(ROOT)
