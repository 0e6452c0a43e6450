"""Reading cards from photos: at the booth (a suggestion, or a card saved with only its
photo), and a stack of photos read in the background and reviewed one by one."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from PIL import Image

import reading
from contacts import services
from contacts.folds import HALF, UL, UR
from contacts.models import Card, Contact, ReadingState, StackPhoto
from tests.reading import cardgen
from tests.test_booth import BAD_PHOTOS, JSON, stored_files

pytestmark = pytest.mark.django_db

# A card whose QR code holds a vCard: read exactly, and fast.
QR_CARD = cardgen.make_card(7, qr="vcard", folds=frozenset({"UL", "UR"}), rotation=0)


def photo_of(card: cardgen.GeneratedCard, name: str = "card.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, card.photo, content_type="image/jpeg")


def strip_of(width: int, height: int) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return SimpleUploadedFile("strip.png", out.getvalue(), content_type="image/png")


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def logged_in(client, alice):
    client.force_login(alice)
    return client


def test_the_booth_reads_a_photo_and_saves_nothing(logged_in, conference, media):
    url = reverse("events-booth-read", args=[conference.slug])
    response = logged_in.post(url, {"photo": photo_of(QR_CARD)}, **JSON)
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"fields", "alternatives", "lines", "folds", "warnings"}
    assert answer["fields"]["name"]["value"] == QR_CARD.fields["name"]
    assert answer["fields"]["email"] == {
        "value": QR_CARD.fields["email"],
        "source": "qr",
        "confidence": answer["fields"]["email"]["confidence"],
        "sure": True,
    }
    assert 0 <= answer["fields"]["email"]["confidence"] <= 1
    assert not Card.objects.exists() and not Contact.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("kind", list(BAD_PHOTOS))
def test_every_photo_the_booth_refuses_is_refused_by_the_reader(logged_in, conference, kind):
    photo, message = BAD_PHOTOS[kind]
    photo.seek(0)
    url = reverse("events-booth-read", args=[conference.slug])
    response = logged_in.post(url, {"photo": photo}, **JSON)
    assert response.status_code == 400
    assert any(message in m for m in response.json()["errors"]["photo"])


def test_reading_needs_a_photo(logged_in, conference):
    response = logged_in.post(reverse("events-booth-read", args=[conference.slug]), {}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["photo"] == ["This field is required."]


@pytest.mark.django_db(transaction=True)
def test_a_card_saved_with_only_its_photo_is_read_then_checked(client, alice, conference):
    client.force_login(alice)
    booth = reverse("events-booth", args=[conference.slug])
    response = client.post(booth, {"keys": "79", "photo": photo_of(QR_CARD)}, **JSON)
    assert response.status_code == 201
    card = Card.objects.get()
    assert (card.reading_state, card.folds) == (ReadingState.WAITING, UL | UR)
    assert (
        "Saved <strong>a card from its photo</strong>, read in the background —"
        in (response.json()["confirmation_html"])
    )
    run_worker()
    card.refresh_from_db()
    assert card.reading_state == ReadingState.READ
    assert card.contact.name == QR_CARD.fields["name"]
    assert card.contact.email == QR_CARD.fields["email"]
    assert card.reading["fields"]["email"]["source"] == "qr"
    page = client.get(reverse("contacts-followups")).content.decode()
    assert "data-needs-check" in page and "Read from photo — check" in page
    # A person opens the card, checks it and saves: it is no longer marked.
    edit = reverse("events-booth-card", args=[conference.slug, card.pk])
    data = {
        "keys": "79",
        "name": card.contact.name,
        "email": card.contact.email,
        "version": card.version,
    }
    assert client.post(edit, data).status_code == 302
    card.refresh_from_db()
    assert card.reading_state == ReadingState.CHECKED
    assert "data-needs-check" not in client.get(reverse("contacts-followups")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_card_undone_before_it_is_read_leaves_the_worker_nothing_to_do(client, alice, conference):
    client.force_login(alice)
    booth = reverse("events-booth", args=[conference.slug])
    client.post(booth, {"keys": "79", "photo": photo_of(QR_CARD)}, **JSON)
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["READY"]
    card = Card.objects.get()
    client.post(reverse("events-booth-undo", args=[conference.slug, card.pk]))
    assert not Card.objects.exists()
    run_worker()
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"]


def test_a_card_read_from_its_photo_behind_another_of_the_person_is_marked_on_their_row(
    client, alice, make_card
):
    dana = Contact.objects.create(name="Dana Reyes", email="dana@acme.io")
    first = make_card(UR, contact=dana)
    read = make_card(UR, contact=dana, reading_state=ReadingState.READ)
    client.force_login(alice)
    page = client.get(reverse("contacts-followups")).content.decode()
    assert f'data-card="{first.pk}"' in page and f'data-card="{read.pk}"' not in page
    edit = reverse("events-booth-card", args=[read.conference.slug, read.pk])
    assert f'href="{edit}" title="Another card of theirs here" data-needs-check>' in page


def test_what_the_user_typed_is_kept_over_what_is_read(client, alice, conference):
    client.force_login(alice)
    booth = reverse("events-booth", args=[conference.slug])
    response = client.post(booth, {"name": "Typed Name", "photo": photo_of(QR_CARD)}, **JSON)
    card = Card.objects.get(pk=response.json()["id"])
    assert card.reading_state == ReadingState.CHECKED  # it says who: nothing to read
    assert card.contact.name == "Typed Name"


def test_a_value_read_longer_than_its_column_is_left_out(make_card):
    card = make_card(UR, contact=Contact.objects.create())
    answer = {
        "fields": {"company": {"value": "Acme"}, "website": {"value": "https://a.io/" + "x" * 300}},
        "warnings": [],
    }
    services.apply_reading(card, answer)
    card.contact.refresh_from_db()
    assert (card.contact.company, card.contact.website) == ("Acme", "")
    assert card.reading_state == ReadingState.READ


@pytest.mark.django_db(transaction=True)
def test_a_stack_is_read_and_reviewed_into_cards(client, alice, conference, media):
    client.force_login(alice)
    stack = reverse("events-stack", args=[conference.slug])
    second = cardgen.make_card(11, qr="mecard", folds=frozenset({"HALF"}), rotation=0)
    response = client.post(
        stack, {"photos": [photo_of(QR_CARD, "a.jpg"), photo_of(second, "b.jpg")]}
    )
    assert response.status_code == 302
    # The same photo again is the photo already kept.
    again = client.post(stack, {"photos": [photo_of(QR_CARD, "a-again.jpg")]}, **JSON)
    assert again.json()["photos"][0]["name"] == "a.jpg"
    assert StackPhoto.objects.count() == 2
    progress = client.get(stack, **JSON).json()
    assert progress["counts"]["waiting"] == 2
    run_worker()
    progress = client.get(stack, **JSON).json()
    assert (progress["counts"]["read"], progress["percent"]) == (2, 100)

    review = reverse("events-stack-review", args=[conference.slug])
    page = client.get(review)
    first = page.context["stack_photo"]
    assert page.context["form"].initial["name"] == QR_CARD.fields["name"]
    assert '<select name="consent"' in page.content.decode()  # recorded as at the booth
    data = {
        "photo": first.pk,
        "keys": "79",
        "name": QR_CARD.fields["name"],
        "email": QR_CARD.fields["email"],
        "consent": "interest",
    }
    assert client.post(review, data).status_code == 302
    page = client.get(review)
    assert page.context["stack_photo"].name == "b.jpg"
    assert page.context["form"].initial["consent"] == "interest"  # kept, as at the booth
    discard = {"photo": page.context["stack_photo"].pk, "discard": "1"}
    assert client.post(review, discard).status_code == 302
    assert "Nothing left to review" in client.get(review).content.decode()

    card = Card.objects.get()
    assert (card.folds, card.contact.email) == (UL | UR, QR_CARD.fields["email"])
    assert (card.consent, card.consent_by) == ("interest", alice)
    assert card.photo and card.thumbnail
    assert StackPhoto.objects.get(name="a.jpg").card == card
    assert StackPhoto.objects.get(name="b.jpg").state == StackPhoto.State.DISCARDED


def test_a_stack_refuses_what_the_booth_refuses_and_keeps_the_rest(logged_in, conference):
    stack = reverse("events-stack", args=[conference.slug])
    photo, _ = BAD_PHOTOS["a GIF"]
    photo.seek(0)
    response = logged_in.post(stack, {"photos": [photo, photo_of(QR_CARD)]}, **JSON)
    assert response.status_code == 200, response.json()
    assert response.json()["refused"] == [
        "card.gif: The photo must be a JPEG, PNG or WebP image; this one is not, or is damaged."
    ]
    assert StackPhoto.objects.count() == 1
    photo.seek(0)
    response = logged_in.post(stack, {"photos": [photo]}, **JSON)
    assert response.status_code == 400
    empty = logged_in.post(stack, {}, **JSON)
    assert empty.status_code == 400
    assert empty.json() == {"errors": {"photos": ["This field is required."]}}
    page = logged_in.post(stack, {})  # without JavaScript: the page says so too
    assert page.status_code == 400 and "This field is required." in page.content.decode()


def test_reviewing_an_unknown_photo_is_404(logged_in, conference):
    review = reverse("events-stack-review", args=[conference.slug])
    assert logged_in.post(review, {"photo": "x"}).status_code == 404
    assert logged_in.post(review, {}).status_code == 404
    assert logged_in.post(review, {"photo": "999"}).status_code == 404


def read_stack_photo(conference, fields: dict, lines: list, folds: list) -> StackPhoto:
    """Return a stack photo read as ``fields``, ``lines`` and ``folds`` say (no file)."""
    return StackPhoto.objects.create(
        conference=conference,
        photo="stacks/x.jpg",
        thumbnail="stacks/x-thumb.jpg",
        sha256="0" * 64,
        state=StackPhoto.State.READ,
        reading={
            "fields": fields,
            "alternatives": {"phones": [], "emails": []},
            "lines": lines,
            "folds": folds,
            "warnings": [],
        },
    )


def test_the_review_suggests_the_folds_the_reader_is_sure_of(logged_in, conference):
    stack_photo = read_stack_photo(
        conference,
        {"name": {"value": "Ana Ruiz", "source": "text", "confidence": 0.9}},
        ["Ana Ruiz"],
        [{"code": "HALF", "confidence": 0.8}, {"code": "DIAG", "confidence": 0.2}],
    )
    page = logged_in.get(reverse("events-stack-review", args=[conference.slug]))
    assert page.context["stack_photo"] == stack_photo
    assert page.context["form"].initial["folds"] == HALF
    assert "Folds seen: HALF (80% sure), DIAG (20% sure)" in page.content.decode()


NARROW = "The photo is 20000 by 2 pixels; a photo of a card may be at most 10 times as long"


def test_the_review_says_when_the_person_read_is_logged_here_already(
    logged_in, conference, make_card
):
    felix = Contact.objects.create(name="Felix Novak", email="felix@novak.cz")
    card = make_card(UR, contact=felix)
    read_stack_photo(conference, {"email": {"value": "Felix@Novak.cz", "source": "text"}}, [], [])
    page = logged_in.get(reverse("events-stack-review", args=[conference.slug]))
    edit = reverse("events-booth-card", args=[conference.slug, card.pk])
    assert (
        f'Felix Novak already logged here at Fri 20 Nov, 10:00 by alice — <a href="{edit}">'
        "edit that card</a>, or discard this photo."
    ) in page.content.decode()
    # What is posted is looked up: an email of no one here, refused for its folds, says none.
    other = {"photo": page.context["stack_photo"].pk, "email": "felix@home.cz", "keys": "8"}
    page = logged_in.post(reverse("events-stack-review", args=[conference.slug]), other)
    assert page.status_code == 400
    assert "already logged" not in page.content.decode()


def test_a_photo_too_narrow_to_be_of_a_card_is_refused_at_the_booth(logged_in, conference, media):
    booth = reverse("events-booth", args=[conference.slug])
    response = logged_in.post(booth, {"keys": "9", "photo": strip_of(20000, 2)}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["photo"][0].startswith(NARROW)
    read = reverse("events-booth-read", args=[conference.slug])
    response = logged_in.post(read, {"photo": strip_of(20000, 2)}, **JSON)
    assert response.status_code == 400
    assert response.json()["errors"]["photo"][0].startswith(NARROW)
    stack = reverse("events-stack", args=[conference.slug])
    response = logged_in.post(stack, {"photos": [strip_of(20000, 2)]}, **JSON)
    assert response.status_code == 400
    assert response.json()["refused"][0].startswith(f"strip.png: {NARROW}")
    assert not Card.objects.exists() and not StackPhoto.objects.exists()
    assert stored_files(media) == []


def break_the_reader(monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise RuntimeError("the reader broke")

    monkeypatch.setattr(reading, "read_card", fail)


def test_a_card_whose_reading_breaks_is_marked_to_be_typed(
    logged_in, conference, worked_off, monkeypatch
):
    break_the_reader(monkeypatch)
    booth = reverse("events-booth", args=[conference.slug])
    with worked_off():
        response = logged_in.post(booth, {"keys": "79", "photo": photo_of(QR_CARD)}, **JSON)
    assert response.status_code == 201
    card = Card.objects.get()
    assert card.reading_state == ReadingState.FAILED
    assert card.reading["warnings"] == ["The reader failed on this photo; type the card in."]
    page = logged_in.get(reverse("contacts-followups")).content.decode()
    assert "Could not be read — type it" in page


def test_a_stack_photo_whose_reading_breaks_is_marked_failed(
    logged_in, conference, worked_off, monkeypatch
):
    break_the_reader(monkeypatch)
    stack = reverse("events-stack", args=[conference.slug])
    with worked_off():
        logged_in.post(stack, {"photos": [photo_of(QR_CARD)]}, **JSON)
    stack_photo = StackPhoto.objects.get()
    assert stack_photo.state == StackPhoto.State.FAILED
    assert stack_photo.error == "The reader failed on this photo; type the card in."
    progress = logged_in.get(stack, **JSON).json()
    assert (progress["counts"]["failed"], progress["percent"]) == (1, 100)
