from __future__ import annotations

import io
import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from contacts import services
from contacts.folds import HALF, UL, UR
from contacts.forms import CardForm
from contacts.models import Card, Contact, FoldRule, Meaning, UserSettings, Vocabulary
from events.models import Conference
from tests import images
from tests.test_erasure import imported_contacts
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}
TRANSACTION = ("BEGIN", "BEGIN IMMEDIATE", "COMMIT")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def booth(client, alice, conference) -> str:
    client.force_login(alice)
    return reverse("events-booth", args=[conference.slug])


@pytest.fixture
def other_conference() -> Conference:
    return Conference.objects.create(
        name="Other Expo", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2)
    )


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def card_data(**extra) -> dict:
    data = {"name": "Dana Reyes", "company": "Acme", "title": "CTO", "email": "dana@acme.io"}
    data.update(extra)
    return data


def test_it_shows_the_booth_with_the_fold_table(client, booth, conference):
    response = client.get(booth)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="fold-table"' in html
    assert 'data-fold="UL"' in html and 'data-fold="DIAG"' in html
    table = response.context["fold_table"]
    assert len(table) == 64
    assert [m["slug"] for m in table[UL | UR | HALF]["meanings"]] == ["asap", "upsell", "customer"]


def test_it_remembers_the_last_conference(client, booth, alice, conference):
    client.get(booth)
    assert UserSettings.of(alice).last_conference == conference
    assert reverse("events-booth", args=[conference.slug]) in client.get("/").content.decode()


def test_the_conference_page_links_to_the_booth(client, booth, conference):
    assert booth in client.get(conference.get_absolute_url()).content.decode()


def test_it_saves_a_card_as_json_with_201(client, booth, alice):
    response = client.post(booth, card_data(folds=["UL", "UR", "HALF"], note="wants Q2"), **JSON)
    assert response.status_code == 201
    body = response.json()
    card = Card.objects.get()
    assert body["id"] == card.pk
    assert body["meanings"] == ["asap", "upsell", "customer"]
    assert body["priority"] == 100
    # Due one day after the conference's last day, or after today if that is later.
    assert body["due_on"] == str(max(date(2026, 11, 20), timezone.localdate()) + timedelta(days=1))
    assert body["contact"]["name"] == "Dana Reyes"
    assert "Saved <strong>Dana Reyes</strong>" in body["confirmation_html"]
    assert (card.folds, card.note, card.logged_by, card.owner) == (
        UL | UR | HALF,
        "wants Q2",
        alice,
        alice,
    )


def test_the_fold_code_field_works_without_javascript(client, booth):
    response = client.post(booth, card_data(keys="795"))
    card = Card.objects.get()
    assert card.folds == UL | UR | HALF
    assert response.status_code == 302
    assert response.url == f"{booth}?saved={card.pk}"
    page = client.get(response.url).content.decode()
    assert "Saved <strong>Dana Reyes</strong>" in page
    assert reverse("events-booth-undo", args=[card.conference.slug, card.pk]) in page


def test_a_replayed_client_uuid_returns_the_same_card_with_200(client, booth):
    key = str(uuid.uuid4())
    first = client.post(booth, card_data(client_uuid=key, folds=["UR"]), **JSON)
    again = client.post(booth, card_data(client_uuid=key, folds=["UR"]), **JSON)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Card.objects.count() == 1
    assert str(Card.objects.get().client_uuid) == key


def test_it_attaches_a_known_email_to_the_same_person(client, booth, make_card, alice):
    earlier = Conference.objects.create(
        name="Expo 2025", starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 2)
    )
    make_card(
        UR,
        name="Dana",
        conference=earlier,
        contact=Contact.objects.create(name="Dana", email="dana@acme.io"),
    )
    response = client.post(booth, card_data(email="  DANA@Acme.IO "), **JSON)
    assert Contact.objects.count() == 1
    assert Contact.objects.get().cards.count() == 2
    assert response.json()["met_before"] == ["Expo 2025"]
    assert "met before at Expo 2025" in response.json()["confirmation_html"]
    assert Contact.objects.get().name == "Dana Reyes"


def test_without_email_each_card_is_a_new_person(client, booth):
    client.post(booth, {"name": "Sam Lee"}, **JSON)
    client.post(booth, {"name": "Sam Lee"}, **JSON)
    assert Contact.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"note": "no one"},
            "__all__",
            "A card needs at least a name, a company, an email or its photo.",
        ),
        (card_data(email="not-an-email"), "email", "Enter a valid email address."),
        (card_data(folds=["TOP"]), "folds", "TOP is not a fold"),
        (card_data(keys="78"), "keys", "'8' is not a fold key; the fold keys are 7 9 1 3 5 /"),
        (card_data(client_uuid="abc"), "client_uuid", "Enter a valid UUID."),
        (card_data(name="x" * 201), "name", "at most 200 characters"),
        (card_data(note="x" * 5001), "note", "at most 5000 characters"),
        (card_data(name="Dana\x00"), "name", "Null characters are not allowed."),
        (card_data(logged_at="yesterday"), "logged_at", "Enter a valid date/time."),
    ],
)
def test_bad_input_is_a_400_with_the_field_error(client, booth, data, field, message):
    response = client.post(booth, data, **JSON)
    assert response.status_code == 400
    assert any(message in m for m in response.json()["errors"][field])
    assert not Card.objects.exists()
    assert not Contact.objects.exists()


def test_a_card_with_only_a_phone_is_logged_for_the_person_chosen(
    client, booth, conference, make_card
):
    dana = Contact.objects.create(name="Dana Reyes", phone="+1 415 555 0134")
    card_of = {"keys": "9", "phone": "+1 415 555 0134", "contact": dana.pk}
    assert client.post(booth, card_of, **JSON).status_code == 201
    assert Card.objects.get().contact == dana
    # Chosen by no one, a phone alone is no card; nor does an edit's contact name anyone.
    response = client.post(booth, {"keys": "9", "phone": "+1 415 555 0134"}, **JSON)
    assert response.status_code == 400
    edit = reverse("events-booth-card", args=[conference.slug, Card.objects.get().pk])
    response = client.post(edit, {"phone": "+1 415 555 0134", "contact": dana.pk, "version": 0})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [CardForm.EMPTY]


@pytest.mark.parametrize("field", ["name", "company"])
def test_a_value_too_long_is_the_only_error_of_a_card_that_gives_it(client, booth, field):
    response = client.post(booth, {field: "x" * 201}, **JSON)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_a_card_typed_offline_is_logged_when_it_was_typed(client, alice):
    today = timezone.localdate()
    conference = Conference.objects.create(
        name="Fair", starts_on=today - timedelta(days=12), ends_on=today - timedelta(days=10)
    )
    client.force_login(alice)
    url = reverse("events-booth", args=[conference.slug])
    typed = timezone.now().replace(microsecond=0) - timedelta(days=11)
    client.post(url, card_data(keys="9", logged_at=typed.isoformat()), **JSON)
    card = Card.objects.get()
    assert card.logged_at == typed
    # Followed up from the conference's last day, not from the day it reached the server.
    assert card.due_on == conference.ends_on + timedelta(days=card.decode().window_days)


@pytest.mark.parametrize("days", [1, -31])
def test_a_typing_time_the_servers_clock_cannot_believe_is_the_time_it_arrives(client, booth, days):
    typed = timezone.now() + timedelta(days=days)
    before = timezone.now()
    response = client.post(booth, card_data(logged_at=typed.isoformat()), **JSON)
    assert response.status_code == 201
    assert before <= Card.objects.get().logged_at <= timezone.now()


def test_a_notes_line_breaks_posted_as_cr_lf_count_one_character_each(client, booth):
    response = client.post(booth, card_data(note="abc\r\n" * 1250))  # 5,000 as typed
    assert response.status_code == 302
    assert Card.objects.get().note == "abc\n" * 1249 + "abc"


def test_a_note_posted_by_a_plain_form_keeps_its_lines_as_the_script_does(client, booth):
    client.post(booth, card_data(note="wants a demo\r\nin March"))
    assert Card.objects.get().note == "wants a demo\nin March"


def test_bad_input_without_javascript_is_a_400_page(client, booth):
    response = client.post(booth, {"note": "no one"})
    assert response.status_code == 400
    assert (
        "A card needs at least a name, a company, an email or its photo."
        in response.content.decode()
    )


def test_it_answers_405_to_other_methods(client, booth):
    assert client.put(booth).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_a_save_takes_six_statements(client, booth):
    # As in production, outside a test's transaction (which would add savepoints): the
    # session, the user with their permissions, vocabulary and whether any webhook
    # endpoint is active, the conference, the person looked up by email and inserted, and
    # the card; besides the transaction's BEGIN and COMMIT.
    for n in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(booth, card_data(email=f"person{n}@acme.io"), **JSON)
        assert response.status_code == 201
        statements = [q["sql"] for q in queries if q["sql"] not in TRANSACTION]
        assert len(statements) == 6, statements


def test_a_save_with_an_active_webhook_endpoint_queues_its_delivery(client, booth, alice):
    Endpoint.objects.create(owner=alice, url="https://hooks.example.com/", events=["card.logged"])
    Endpoint.objects.create(
        owner=alice, url="https://off.example.com/", events=["card.logged"], active=False
    )
    response = client.post(booth, card_data(), **JSON)
    assert response.status_code == 201
    delivery = Delivery.objects.get()
    assert (delivery.endpoint.url, delivery.event, delivery.subject) == (
        "https://hooks.example.com/",
        "card.logged",
        f"card:{response.json()['id']}",
    )


def test_a_save_decodes_with_the_vocabulary_as_edited_since_the_last_save(client, booth, alice):
    first = client.post(booth, card_data(folds=["UL"]), **JSON).json()
    Meaning.objects.filter(slug="prospect").update(weight=77)
    second = client.post(booth, card_data(email="b@acme.io", folds=["UL"]), **JSON).json()
    assert (first["priority"], second["priority"]) == (20, 77)
    Meaning.objects.filter(slug="prospect").update(active=False)
    third = client.post(booth, card_data(email="c@acme.io", folds=["UL"]), **JSON).json()
    assert (third["meanings"], third["priority"], third["unmapped"]) == ([], 0, [])


def test_a_save_decodes_with_the_vocabulary_the_user_chose(client, booth, alice):
    mine = Vocabulary.objects.create(name="Mine", default_window_days=3)
    rule = FoldRule.objects.create(vocabulary=mine, pattern=UR)
    rule.meanings.set(Meaning.objects.filter(slug="prospect"))
    UserSettings.objects.create(user=alice, vocabulary=mine)
    saved = client.post(booth, card_data(folds=["UR", "HALF"]), **JSON).json()
    assert (saved["meanings"], saved["unmapped"]) == (["prospect"], ["HALF"])
    card = Card.objects.get()
    prospect = Meaning.objects.get(slug="prospect")
    assert (card.vocabulary, card.window_days) == (mine, prospect.window_days)
    plain = client.post(booth, card_data(email="e@acme.io", folds=["HALF"]), **JSON).json()
    assert Card.objects.get(pk=plain["id"]).window_days == 3


def test_a_role_taken_away_is_refused_at_the_next_request(client, booth, alice):
    assert client.post(booth, card_data(), **JSON).status_code == 201
    alice.groups.clear()
    assert client.post(booth, card_data(email="b@acme.io"), **JSON).status_code == 403


def test_a_person_created_by_another_save_in_between_is_found(client, booth, monkeypatch):
    # Two booths log the same new email at once: the second insert of the person fails,
    # and the save is tried again, finding the person the first one created.
    real_first = models.QuerySet.first
    calls = []

    def first_misses_once(queryset):
        if queryset.model is Contact and not calls:
            calls.append(Contact.objects.create(name="Dana", email="dana@acme.io"))
            return None
        return real_first(queryset)

    monkeypatch.setattr(models.QuerySet, "first", first_misses_once)
    response = client.post(booth, card_data(), **JSON)
    assert response.status_code == 201
    assert Contact.objects.get().cards.count() == 1


def upload(content: bytes, name: str = "card.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_it_stores_a_photo_upright_without_metadata_and_a_thumbnail(client, booth, media):
    # Orientation 6: the camera was turned; the stored image must be turned back.
    photo = upload(images.jpeg(2400, 1200, orientation=6))
    response = client.post(booth, card_data(photo=photo), **JSON)
    assert response.status_code == 201
    card = Card.objects.get()
    with Image.open(card.photo.path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (800, 1600)
        assert not stored.getexif()
        # The red half was the left; turned upright it is the top.
        assert stored.getpixel((400, 100))[0] > 200 and stored.getpixel((400, 1500))[1] > 200
    with Image.open(card.thumbnail.path) as thumbnail:
        assert max(thumbnail.size) == 320
    assert len(stored_files(media)) == 2


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_it_accepts_png_and_webp(client, booth, fmt):
    photo = upload(images.encoded(fmt, mode="RGBA"), name=f"card.{fmt.lower()}")
    assert client.post(booth, card_data(photo=photo), **JSON).status_code == 201


BAD_PHOTOS = {
    "over 15 MB": (upload(b"\xff\xd8" + b"0" * (15 * 1024 * 1024)), "larger than 15 MB"),
    **{
        f"a {name.split('.')[-1].upper()}": (upload(content, name), "JPEG, PNG or WebP")
        for name, content in images.other_formats().items()
    },
    **{
        name: (upload(content, "card.jpg"), "JPEG, PNG or WebP")
        for name, content in images.HOSTILE_DDS.items()
    },
    "text disguised as a JPEG": (upload(b"<script>alert(1)</script>"), "JPEG, PNG or WebP"),
    "an SVG disguised as a JPEG": (
        upload(b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
        "JPEG, PNG or WebP",
    ),
    "truncated": (upload(images.jpeg(800, 600)[:2000]), "could not be read"),
    "corrupt": (
        upload(images.jpeg()[:200] + b"\x00" * 500 + images.jpeg()[700:]),
        "JPEG, PNG or WebP",
    ),
    "a 48 megapixel PNG": (
        upload(images.png_claiming(8000, 6000), "card.png"),
        "48 megapixels; a PNG photo may have at most 16",
    ),
    "a decompression bomb": (
        upload(images.png_claiming(20000, 20000), "card.png"),
        "far too many pixels",
    ),
    "empty": (upload(b""), "The submitted file is empty."),
}


@pytest.mark.parametrize("kind", list(BAD_PHOTOS))
def test_a_bad_photo_is_a_400_and_leaves_nothing(client, booth, media, kind):
    photo, message = BAD_PHOTOS[kind]
    photo.seek(0)
    response = client.post(booth, card_data(photo=photo), **JSON)
    assert response.status_code == 400
    assert any(message in m for m in response.json()["errors"]["photo"])
    assert not Card.objects.exists()
    assert not Contact.objects.exists()
    assert stored_files(media) == []


def test_a_failed_save_leaves_no_photo_file(client, booth, media, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Card, "save", fail)
    with pytest.raises(RuntimeError):
        client.post(booth, card_data(photo=upload(images.jpeg())), **JSON)
    assert stored_files(media) == []
    assert not Contact.objects.exists()


def test_undo_removes_the_card_its_new_person_and_photo(client, booth, media, conference):
    client.post(booth, card_data(photo=upload(images.jpeg())), **JSON)
    card = Card.objects.get()
    response = client.post(reverse("events-booth-undo", args=[conference.slug, card.pk]))
    assert response.status_code == 302
    assert not Card.objects.exists() and not Contact.objects.exists()
    assert stored_files(media) == []


def test_undo_takes_back_what_the_card_added_to_a_known_person(
    client, booth, conference, make_card
):
    dana = Contact.objects.create(name="Dana", company="Acme", email="dana@acme.se")
    make_card(UR, contact=dana)
    data = {"name": "Dana Reyes", "title": "CFO", "phone": "+46 70 999 88 77"}
    client.post(booth, {"keys": "9", "email": "dana@acme.se", **data}, **JSON)
    card = Card.objects.latest("pk")
    client.post(booth, {"keys": "9", "email": "dana.reyes@gmail.com", "contact": dana.pk}, **JSON)
    other = Card.objects.latest("pk")
    dana.refresh_from_db()
    assert (dana.name, dana.title, dana.phone) == ("Dana Reyes", "CFO", "+46 70 999 88 77")
    assert dana.all_emails() == ["dana@acme.se", "dana.reyes@gmail.com"]

    client.post(reverse("events-booth-undo", args=[conference.slug, other.pk]))
    assert Contact.objects.get(pk=dana.pk).all_emails() == ["dana@acme.se"]
    client.post(reverse("events-booth-undo", args=[conference.slug, card.pk]))
    dana.refresh_from_db()
    assert (dana.name, dana.title, dana.phone, dana.phone_normalized) == ("Dana", "", "", "")


def test_undo_keeps_a_person_imported_into_the_contacts(client, booth, conference, alice):
    imported_contacts(alice, [["Anna Berg", "anna@bergwerk.se", "", ""]])
    anna = Contact.objects.get()
    typed = {"keys": "9", "name": "anna berg", "email": "Anna@Bergwerk.se", "title": "CTO"}
    client.post(booth, {**typed, "phone": "+46 8 555 02 02"}, **JSON)
    card = Card.objects.get()
    assert card.contact == anna
    client.post(reverse("events-booth-undo", args=[conference.slug, card.pk]))
    assert not Card.objects.exists()
    anna.refresh_from_db()
    assert (anna.name, anna.email, anna.title, anna.phone) == (
        "Anna Berg",
        "anna@bergwerk.se",
        "",
        "",
    )


def test_a_card_edited_to_another_person_leaves_an_imported_one(
    client, booth, conference, alice, make_card
):
    imported_contacts(alice, [["Anna Berg", "anna@bergwerk.se", "", ""]])
    anna = Contact.objects.get()
    card = make_card(UR, contact=anna)
    dana = Contact.objects.create(name="Dana Reyes", email="dana@acme.se")
    edit = reverse("events-booth-card", args=[conference.slug, card.pk])
    data = {"keys": "9", "name": "Dana Reyes", "email": "dana@acme.se", "version": card.version}
    assert client.post(edit, {**data, "contact": dana.pk}).status_code == 302
    assert Card.objects.get(pk=card.pk).contact == dana
    assert Contact.objects.filter(pk=anna.pk).exists()


@pytest.mark.parametrize("since", ["an edit of the person", "a later card saying the same"])
def test_undo_leaves_what_the_person_has_had_since(client, booth, conference, make_card, since):
    dana = Contact.objects.create(name="Dana", company="Acme", email="dana@acme.se")
    make_card(UR, contact=dana)
    typed = {"keys": "9", "email": "dana@acme.se", "title": "CFO"}
    client.post(booth, typed, **JSON)
    card = Card.objects.latest("pk")
    if since == "an edit of the person":
        dana.refresh_from_db()
        dana.notes = "prefers mornings"
        dana.save()
    else:
        client.post(booth, typed, **JSON)
    client.post(reverse("events-booth-undo", args=[conference.slug, card.pk]))
    assert Contact.objects.get(pk=dana.pk).title == "CFO"


def test_undo_removes_the_card_when_its_photo_cannot_be_deleted(
    client, booth, media, conference, monkeypatch, caplog
):
    client.post(booth, card_data(photo=upload(images.jpeg())), **JSON)
    card = Card.objects.get()

    def unreachable(*args, **kwargs):
        raise ConnectionError("object storage unreachable")

    monkeypatch.setattr(FileSystemStorage, "delete", unreachable)
    response = client.post(reverse("events-booth-undo", args=[conference.slug, card.pk]))
    assert response.status_code == 302
    assert not Card.objects.exists() and not Contact.objects.exists()
    assert "Could not delete the photo file" in caplog.text


def test_an_edit_replacing_the_photo_stands_when_the_old_one_cannot_be_deleted(
    client, booth, media, conference, monkeypatch, caplog
):
    client.post(booth, card_data(photo=upload(images.jpeg())), **JSON)
    card = Card.objects.get()
    old = card.photo.name

    def unreachable(*args, **kwargs):
        raise ConnectionError("object storage unreachable")

    monkeypatch.setattr(FileSystemStorage, "delete", unreachable)
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    data = {"name": "Dana Reyes", "photo": upload(images.jpeg()), "keys": "", "version": 0}
    assert client.post(url, data).status_code == 302
    card.refresh_from_db()
    assert (card.version, card.photo.name != old) == (1, True)
    assert f"Could not delete the photo file {old}" in caplog.text


def test_undo_is_post_only_and_for_the_person_who_logged_it(client, conference, bob, charlie):
    client.force_login(bob)
    booth = reverse("events-booth", args=[conference.slug])
    client.post(booth, card_data(), **JSON)
    card = Card.objects.get()
    url = reverse("events-booth-undo", args=[conference.slug, card.pk])
    assert client.get(url).status_code == 405
    client.force_login(charlie)
    assert client.post(url).status_code == 403
    assert Card.objects.exists()


def test_a_card_of_another_conference_is_404(client, booth, make_card, other_conference):
    card = make_card(UR, conference=other_conference)
    url = reverse("events-booth-card", args=["expo-2026", card.pk])
    assert client.get(url).status_code == 404


def test_a_manager_can_undo_anyones_card(client, conference, bob, alice):
    client.force_login(bob)
    client.post(reverse("events-booth", args=[conference.slug]), card_data(), **JSON)
    card = Card.objects.get()
    client.force_login(alice)
    response = client.post(reverse("events-booth-undo", args=[conference.slug, card.pk]))
    assert response.status_code == 302
    assert not Card.objects.exists()


def test_booth_staff_cannot_undo_a_teammates_card(client, conference, bob, alice):
    client.force_login(alice)
    client.post(reverse("events-booth", args=[conference.slug]), card_data(), **JSON)
    card = Card.objects.get()
    client.force_login(bob)
    response = client.post(reverse("events-booth-undo", args=[conference.slug, card.pk]))
    assert response.status_code == 403
    assert Card.objects.exists()


def test_it_edits_a_card(client, booth, conference):
    client.post(booth, card_data(folds=["UL"]), **JSON)
    card = Card.objects.get()
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, card_data(name="Dana R.", folds=["UR", "HALF"], note="call Monday", keys="")
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.folds, card.priority, card.note) == (UR | HALF, 70, "call Monday")
    assert card.contact.name == "Dana R."
    # Back at the booth the change is shown with no undo: the booth's undo removes a card.
    assert response.url == f"{booth}?edited={card.pk}"
    page = client.get(response.url).content.decode()
    assert "✓ Changed <strong>Dana R.</strong>" in page
    assert reverse("events-booth-undo", args=[conference.slug, card.pk]) not in page
    for odd in ("²", "x", "-1"):  # a card id that is no number shows no card
        page = client.get(booth, {"edited": odd})
        assert page.status_code == 200 and "✓" not in page.content.decode()


def test_the_edit_page_tells_a_note_too_long_rather_than_cutting_it(client, booth, conference):
    client.post(booth, card_data(), **JSON)
    card = Card.objects.get()
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    page = client.get(url).content.decode()
    assert 'data-max-length="5000"' in page
    assert "maxlength" not in re.search(r"<textarea[^>]*>", page).group()
    response = client.post(url, {**card_data(note="x" * 5001), "version": card.version})
    assert response.status_code == 400
    assert "at most 5000 characters (it has 5001)" in response.content.decode()


def test_the_edit_page_keeps_the_website(client, booth, conference):
    client.post(booth, card_data(website="https://acme.io"), **JSON)
    card = Card.objects.get()
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    assert 'value="https://acme.io"' in client.get(url).content.decode()
    client.post(url, card_data(website="https://acme.io", note="call Monday", keys=""))
    card.refresh_from_db()
    assert (card.note, card.contact.website) == ("call Monday", "https://acme.io")


def test_an_edit_with_a_bad_photo_keeps_the_old_one(client, booth, conference, media):
    client.post(booth, card_data(photo=upload(images.jpeg())), **JSON)
    card = Card.objects.get()
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    response = client.post(url, card_data(photo=upload(b"nonsense")))
    assert response.status_code == 400
    card.refresh_from_db()
    assert card.photo and len(stored_files(media)) == 2


def test_an_edit_replacing_the_photo_removes_the_old_files(client, booth, conference, media):
    client.post(booth, card_data(photo=upload(images.jpeg())), **JSON)
    card = Card.objects.get()
    old = {p.name for p in stored_files(media)}
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    client.post(url, card_data(photo=upload(images.jpeg(300, 300))))
    now = {p.name for p in stored_files(media)}
    assert len(now) == 2 and not now & old


def test_the_photo_is_served_to_logged_in_users_only(client, booth, conference):
    client.post(booth, card_data(photo=upload(images.jpeg())), **JSON)
    card = Card.objects.get()
    url = reverse("events-card-photo", args=[conference.slug, card.pk, "thumbnail"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).format == "JPEG"
    assert client.get(url.replace("thumbnail", "other")).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")


def test_pages_are_sent_compressed_and_photos_as_they_are(client, booth, conference):
    response = client.post(booth, card_data(photo=images.upload_jpeg()), **JSON)
    card = Card.objects.get(pk=response.json()["id"])
    gzip = {"HTTP_ACCEPT_ENCODING": "gzip, deflate"}
    page = client.get(booth, **gzip)
    assert page["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page["Vary"]
    photo_url = reverse("events-card-photo", args=[conference.slug, card.pk, "photo"])
    photo = client.get(photo_url, **gzip)
    assert photo.status_code == 200
    assert not photo.has_header("Content-Encoding")


def test_an_edit_to_a_known_email_keeps_that_persons_details(client, booth, conference):
    known = Contact.objects.create(
        name="Dana Reyes", company="Acme", title="CTO", email="dana@acme.io", phone="555 0100"
    )
    client.post(booth, {"name": "Dana", "email": "typo@acme.io"}, **JSON)
    card = Card.objects.get(contact__email="typo@acme.io")
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    edit = {"name": "Dana R.", "email": "DANA@acme.io", "website": "acme.io", "phone": "555 0199"}
    asked = client.post(url, {**edit, "version": 0})
    assert asked.status_code == 400
    assert asked.context["form"]["contact"].value() == known.pk
    response = client.post(url, {**edit, "version": 0, "contact": known.pk})
    assert response.status_code == 302
    card.refresh_from_db()
    known.refresh_from_db()
    assert card.contact == known
    # A shorter name replaces nothing; what they lacked is filled, a new phone kept beside.
    assert (known.name, known.company, known.title, known.website) == (
        "Dana Reyes",
        "Acme",
        "CTO",
        "https://acme.io",
    )
    assert [p.phone for p in known.all_phones()] == ["555 0100", "555 0199"]
    assert not Contact.objects.filter(email="typo@acme.io").exists()


def test_an_edit_giving_another_persons_email_asks_first_and_changes_nothing(
    client, booth, conference, make_card
):
    dana = Contact.objects.create(name="Dana Reyes", company="Acme", email="dana@acme.io")
    client.post(booth, {"name": "Jon Smith", "email": "jon@globex.com"}, **JSON)
    card = Card.objects.get()
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    edit = {"name": "Jon Smyth", "email": "Dana@Acme.io", "version": card.version}
    response = client.post(url, edit)
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == [
        "dana@acme.io is the email of Dana Reyes (Acme). Save again to give this card to "
        "them: they keep their name and details and take only what they lack from here, and "
        "Jon Smith is deleted if this is their only card and they were not imported into the "
        "contacts. Or give another email."
    ]
    assert f'name="contact" value="{dana.pk}"' in response.content.decode()
    card.refresh_from_db()
    assert (card.contact.name, card.contact.email, card.version) == (
        "Jon Smith",
        "jon@globex.com",
        0,
    )
    # An edit that says whose card it is of someone else is asked again.
    other = Contact.objects.create(name="Li Wei", email="li@hooli.example")
    response = client.post(url, {**edit, "email": "li@hooli.example", "contact": dana.pk})
    assert response.context["form"]["contact"].value() == other.pk
    # A person named by their company alone is named once.
    Contact.objects.create(company="Globex", email="info@globex.com")
    response = client.post(url, {**edit, "email": "info@globex.com"})
    (error,) = response.context["form"].errors["email"]
    assert error.startswith("info@globex.com is the email of Globex. Save again")
    # Another email of the card's own person moves nothing and asks nothing.
    jon = card.contact
    jon.other_emails.create(email="jon@home.example")
    response = client.post(url, {**edit, "email": "jon@home.example"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.contact == jon


def test_the_question_of_an_edit_with_a_new_photo_asks_for_the_photo_again(
    client, booth, conference, media
):
    Contact.objects.create(name="Dana Reyes", email="dana@acme.io")
    client.post(booth, {"name": "Jon Smith"}, **JSON)
    card = Card.objects.get()
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    edit = {"name": "Jon", "email": "dana@acme.io", "photo": upload(images.jpeg())}
    response = client.post(url, {**edit, "version": card.version})
    assert response.status_code == 400
    [question] = response.context["form"].errors["email"]
    assert question.endswith("Or give another email (and choose the photo again: it was not kept).")
    assert not stored_files(media)


def test_an_edit_of_the_cards_own_person_can_clear_a_detail(client, booth, conference):
    client.post(booth, card_data(phone="555 0199"), **JSON)
    card = Card.objects.get()
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    client.post(url, card_data(phone="", version=card.version))
    card.contact.refresh_from_db()
    assert (card.contact.phone, card.contact.title) == ("", "CTO")


def test_an_edit_keeps_the_country_the_person_s_phone_was_read_in(client, booth, conference):
    conference.country = "SE"
    conference.save()
    client.post(booth, card_data(phone="01 23 45 67 89"), **JSON)
    card = Card.objects.get()
    # Imported with its country (France) before: read as French.
    Contact.objects.filter(pk=card.contact_id).update(phone_normalized="+33123456789")
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    client.post(url, card_data(phone="01 23 45 67 89", note="met twice", version=card.version))
    card.contact.refresh_from_db()
    assert card.contact.phone_normalized == "+33123456789"
    client.post(url, card_data(phone="08-555 01 01", version=card.version + 1))
    card.contact.refresh_from_db()
    assert card.contact.phone_normalized == "+4685550101"


def test_an_empty_post_says_what_a_card_needs(client, booth):
    response = client.post(booth, {}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "__all__": ["A card needs at least a name, a company, an email or its photo."]
    }
    page = client.post(booth, {})
    assert page.status_code == 400
    assert (
        "A card needs at least a name, a company, an email or its photo." in page.content.decode()
    )


def test_an_empty_post_to_the_edit_page_changes_nothing(client, booth, make_card, conference):
    card = make_card(UR)
    response = client.post(reverse("events-booth-card", args=[conference.slug, card.pk]), {})
    assert response.status_code == 400
    assert (
        "A card needs at least a name, a company, an email or its photo."
        in response.content.decode()
    )
    card.refresh_from_db()
    assert (card.folds, card.contact.name) == (UR, "Dana Reyes")


def test_too_many_files_is_a_json_400(client, booth, settings):
    files = {
        f"photo{n}": images.upload_jpeg() for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    }
    response = client.post(booth, {**card_data(), **files}, **JSON)
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"__all__": ["The request sent more than 5 files; a card takes one photo."]}
    }
    assert not Card.objects.exists()


def test_too_many_fields_is_a_json_400_before_the_csrf_check_too(alice, booth, settings):
    too_many = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    # With the CSRF check on (and its cookie set), the CSRF middleware is the first to
    # read the fields.
    for client in (Client(), Client(enforce_csrf_checks=True)):
        client.force_login(alice)
        client.get(booth)
        response = client.post(booth, {**card_data(), **too_many}, **JSON)
        assert response.status_code == 400
        assert response.json() == {
            "errors": {"__all__": ["The request sent more than 1000 fields; a card has a dozen."]}
        }
        page = client.post(booth, {**card_data(), **too_many})
        assert page.status_code == 400
        assert "more than 1000 fields" in page.content.decode()
    assert not Card.objects.exists()


def test_a_card_without_the_csrf_token_is_a_json_403_that_says_what_to_do(alice, booth):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(booth, card_data(), **JSON)
    assert response.status_code == 403
    message = "This page's security token is out of date: reload the page and try again."
    assert response.json() == {"errors": {"__all__": [message]}}
    page = client.post(booth, card_data())
    assert page.status_code == 403
    assert "Reload the page" in page.content.decode() and "<style" not in page.content.decode()
    assert not Card.objects.exists()


def test_fields_too_large_to_read_are_a_json_400(client, booth, settings):
    note = "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.post(booth, card_data(note=note), **JSON)
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "__all__": ["The request's fields are larger than 1 MB; a card's text is far shorter."]
        }
    }
    assert not Card.objects.exists()


def test_refusals_and_failures_answer_a_script_in_json(client, booth, alice, charlie, monkeypatch):
    missing = client.get(reverse("events-booth", args=["no-such-conference"]), **JSON)
    assert missing.status_code == 404
    assert missing.json() == {
        "errors": {"__all__": ["There is nothing here, or it is not yours to see."]}
    }

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "log_card", fail)
    failing = Client(raise_request_exception=False)
    failing.force_login(charlie)
    refused = failing.post(booth, card_data(), **JSON)
    assert refused.status_code == 403
    assert refused.json() == {
        "errors": {"__all__": ["Your account does not have a role that allows this."]}
    }
    failing.force_login(alice)
    failed = failing.post(booth, card_data(), **JSON)
    assert failed.status_code == 500
    assert failed.json() == {
        "errors": {"__all__": ["foldcard could not finish this; try again in a moment."]}
    }
    page = failing.post(booth, card_data())
    assert page.status_code == 500
    assert "foldcard could not finish this" in page.content.decode()


def test_a_client_uuid_saved_by_another_user_is_a_409_and_hands_over_nothing(
    client, booth, bob, conference
):
    key = str(uuid.uuid4())
    client.post(booth, card_data(client_uuid=key), **JSON)
    client.force_login(bob)
    response = client.post(booth, card_data(client_uuid=key, name="Someone Else"), **JSON)
    assert response.status_code == 409
    assert response.json() == {
        "errors": {
            "client_uuid": [
                "A card with this client_uuid was saved by another user or at another "
                "conference; this one was not saved."
            ]
        }
    }
    assert Card.objects.count() == 1
    page = client.post(booth, card_data(client_uuid=key))
    assert page.status_code == 409
    assert "this one was not saved" in page.content.decode()


def test_a_client_uuid_saved_at_another_conference_is_a_409(client, booth, other_conference):
    key = str(uuid.uuid4())
    client.post(booth, card_data(client_uuid=key), **JSON)
    url = reverse("events-booth", args=[other_conference.slug])
    response = client.post(url, card_data(client_uuid=key), **JSON)
    assert response.status_code == 409
    assert "client_uuid" in response.json()["errors"]
    assert list(Card.objects.values_list("conference__slug", flat=True)) == ["expo-2026"]


def test_a_card_queued_by_another_user_is_a_409_and_is_not_saved(client, booth, alice, bob):
    client.force_login(bob)  # alice's booth page, left open after she logged out
    response = client.post(booth, card_data(logged_by=alice.pk), **JSON)
    assert response.status_code == 409
    assert response.json() == {
        "errors": {
            "logged_by": [
                "This card was logged on this browser by another user: it is sent when they "
                "log in here."
            ]
        }
    }
    assert not Card.objects.exists()
    assert client.post(booth, card_data(logged_by=bob.pk), **JSON).status_code == 201


def test_logging_out_clears_the_cached_pages_and_not_the_stored_cards(client, booth):
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    # "storage" would also clear the booth's outbox of cards not sent yet.
    assert response["Clear-Site-Data"] == '"cache"'
    assert client.get(booth).status_code == 302


def test_the_lookup_finds_the_cards_of_this_email_at_this_conference(
    client, booth, conference, make_card, other_conference
):
    dana = Contact.objects.create(name="Dana Reyes", email="dana@acme.io")
    first = make_card(UR, contact=dana, logged_on=date(2026, 11, 18))
    make_card(UR, contact=dana, conference=other_conference)
    make_card(UR, name="Li Wei")
    url = reverse("events-booth-lookup", args=[conference.slug])
    response = client.get(url, {"email": " Dana@ACME.io "})
    assert response.status_code == 200
    assert response.json()["cards"] == [
        {
            "id": first.pk,
            "name": "Dana Reyes",
            "logged_at": "2026-11-18T10:00:00+00:00",
            "when": "Wed 18 Nov, 10:00",
            "logged_by": "alice",
            "edit_url": reverse("events-booth-card", args=[conference.slug, first.pk]),
        }
    ]
    nobody = client.get(url, {"email": "nobody@acme.io"}).json()
    assert (nobody["cards"], nobody["people"]) == ([], [])


def test_the_lookup_gives_the_time_alone_for_a_card_logged_today(
    client, booth, conference, make_card
):
    card = make_card(
        UR, contact=Contact.objects.create(email="li@hooli.com"), logged_on=timezone.localdate()
    )
    url = reverse("events-booth-lookup", args=[conference.slug])
    (found,) = client.get(url, {"email": "li@hooli.com"}).json()["cards"]
    assert (found["id"], found["when"], found["name"]) == (card.pk, "10:00", "li@hooli.com")


def test_the_lookup_says_when_in_the_conference_s_time_zone(client, booth, conference, make_card):
    conference.time_zone = "Europe/Stockholm"
    conference.save()
    met = datetime(2026, 11, 18, 15, 8, tzinfo=UTC)
    make_card(UR, contact=Contact.objects.create(email="asa@granlund.se"), logged_at=met)
    url = reverse("events-booth-lookup", args=[conference.slug])
    (found,) = client.get(url, {"email": "asa@granlund.se"}).json()["cards"]
    assert (found["when"], found["logged_at"]) == ("Wed 18 Nov, 16:08", "2026-11-18T16:08:00+01:00")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "__all__"),
        ({"email": ""}, "__all__"),
        ({"email": "not-an-email"}, "email"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_the_lookup_refuses_nothing_typed_or_what_is_not_an_email(
    client, booth, conference, query, field
):
    response = client.get(reverse("events-booth-lookup", args=[conference.slug]), query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def fold_table_version(page) -> str:
    """Return the fingerprint of the fold table a booth page embeds."""
    return json.loads(re.search(r'id="fold-table-version"[^>]*>([^<]+)<', page).group(1))


def test_each_save_says_which_fold_table_the_page_should_decode_with(client, booth):
    version = fold_table_version(client.get(booth).content.decode())
    saved = client.post(booth, card_data(folds=["UR"]), **JSON).json()
    assert saved["fold_table_version"] == version
    rule = FoldRule.objects.get(vocabulary=Vocabulary.default(), pattern=UR)
    rule.meanings.add(Meaning.objects.get(slug="asap"))
    saved = client.post(booth, card_data(email="li@hooli.com", folds=["UR"]), **JSON).json()
    assert saved["meanings"] == ["asap", "customer"]
    assert saved["fold_table_version"] != version
    # The booth page, fetched again by the page's script, has the table the save used.
    response = client.get(booth)
    assert fold_table_version(response.content.decode()) == saved["fold_table_version"]
    row = response.context["fold_table"][UR]
    assert ([m["slug"] for m in row["meanings"]], row["due_on"]) == (
        saved["meanings"],
        saved["due_on"],
    )


def test_the_lookup_says_which_fold_table_the_page_should_decode_with(client, booth, conference):
    version = fold_table_version(client.get(booth).content.decode())
    url = reverse("events-booth-lookup", args=[conference.slug])
    assert client.get(url, {"name": "Dana"}).json()["fold_table_version"] == version
    Meaning.objects.filter(slug="customer").update(window_days=2)
    assert client.get(url, {"name": "Dana"}).json()["fold_table_version"] != version


def test_the_fold_table_changes_with_the_day_its_due_dates_count_from(client, booth, fixed_today):
    fixed_today(date(2026, 11, 24))
    version = fold_table_version(client.get(booth).content.decode())
    fixed_today(date(2026, 11, 25))
    assert client.post(booth, card_data(), **JSON).json()["fold_table_version"] != version


def test_the_edit_page_shows_the_cards_own_due_dates(client, booth, make_card, fixed_today):
    fixed_today(date(2026, 11, 30))
    card = make_card(UL | HALF)  # logged on the last day, 20 Nov: due the 21st
    url = reverse("events-booth-card", args=[card.conference.slug, card.pk])
    row = client.get(url).context["fold_table"][card.folds]
    assert (row["due_on"], row["due"]) == (card.due_on.isoformat(), "Sat 21 Nov")
    late = make_card(UL, logged_on=date(2026, 11, 23))  # after the conference: from then
    url = reverse("events-booth-card", args=[late.conference.slug, late.pk])
    assert client.get(url).context["fold_table"][UL]["due_on"] == late.due_on.isoformat()
