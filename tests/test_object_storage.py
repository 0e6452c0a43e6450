"""Card photos in an S3 bucket (a real S3-compatible server, moto's): stored, served only
through the login-checked view, and deleted with their card."""

from __future__ import annotations

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Card, Contact, StackPhoto
from foldcard.storage import FILESYSTEM, photo_storage
from tests import images

pytestmark = pytest.mark.django_db


@pytest.fixture
def booth(client, bob, conference) -> str:
    client.force_login(bob)
    return reverse("events-booth", args=[conference.slug])


def log_card(client, booth: str, **data) -> Card:
    data = {"name": "Dana Reyes", "company": "Acme", "photo": images.upload_jpeg(), **data}
    assert client.post(booth, data, HTTP_ACCEPT="application/json").status_code == 201
    return Card.objects.latest("pk")


def test_without_a_bucket_photos_stay_in_the_media_folder():
    assert photo_storage({}) == photo_storage({"AWS_STORAGE_BUCKET_NAME": " "}) == FILESYSTEM


def test_uploads_name_no_acl_which_a_bucket_without_acls_would_refuse(s3_bucket):
    # Amazon's new buckets have ACLs disabled and refuse even "private"; moto does not
    # refuse it, so the setting itself is checked here, and privacy below.
    assert s3_bucket.storage()["OPTIONS"]["default_acl"] is None


def test_it_keeps_the_photo_and_thumbnail_in_the_bucket(
    client, booth, s3_bucket, settings, tmp_path
):
    settings.MEDIA_ROOT = media = tmp_path / "media"
    card = log_card(client, booth)
    assert s3_bucket.objects() == {card.photo.name, card.thumbnail.name}
    assert s3_bucket.read(card.photo.name).startswith(b"\xff\xd8")
    assert all(s3_bucket.is_private(key) for key in s3_bucket.objects())
    assert not media.exists()


def test_each_card_keeps_its_own_photo(client, booth, s3_bucket):
    first = log_card(client, booth, name="First")
    second = log_card(client, booth, name="Second", photo=images.upload_jpeg())
    assert len(s3_bucket.objects()) == 4
    assert first.photo.name != second.photo.name


def test_the_photo_is_served_from_the_bucket_to_booth_staff_only(
    client, booth, s3_bucket, conference, charlie
):
    card = log_card(client, booth)
    url = reverse("events-card-photo", args=[conference.slug, card.pk, "photo"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == s3_bucket.read(card.photo.name)
    client.force_login(charlie)
    assert client.get(url).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_undo_deletes_the_objects(client, booth, s3_bucket, conference):
    card = log_card(client, booth)
    response = client.post(reverse("events-booth-undo", args=[conference.slug, card.pk]))
    assert response.status_code == 302
    assert s3_bucket.objects() == set()


def test_a_new_photo_replaces_the_old_objects(client, booth, s3_bucket, conference):
    card = log_card(client, booth)
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    data = {"name": "Dana Reyes", "photo": images.upload_jpeg(), "keys": ""}
    assert client.post(url, data).status_code == 302
    card.refresh_from_db()
    assert s3_bucket.objects() == {card.photo.name, card.thumbnail.name}


def test_a_failed_save_leaves_no_object(client, booth, s3_bucket, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Card, "save", fail)
    with pytest.raises(RuntimeError):
        log_card(client, booth)
    assert s3_bucket.objects() == set()


# --- When the storage fails -------------------------------------------------------------

STORAGE_DOWN = "The photo storage did not answer, so the photo was not saved"


def test_a_card_whose_photo_the_bucket_refuses_is_a_503_and_saves_nothing(client, booth, s3_bucket):
    s3_bucket.client.delete_bucket(Bucket=s3_bucket.name)
    data = {"name": "Dana Reyes", "company": "Acme", "photo": images.upload_jpeg()}
    response = client.post(booth, data, HTTP_ACCEPT="application/json")
    assert response.status_code == 503  # the booth keeps the card and sends it again
    assert response.json()["errors"]["__all__"][0].startswith(STORAGE_DOWN)
    response = client.post(booth, {**data, "photo": images.upload_jpeg()})
    assert response.status_code == 503
    assert STORAGE_DOWN in response.content.decode()
    assert not Card.objects.exists()
    assert not Contact.objects.exists()


def test_an_edit_whose_photo_the_storage_refuses_changes_nothing(client, booth, conference, media):
    card = log_card(client, booth)
    kept = card.photo.name
    media.joinpath("cards").rename(media / "kept")
    media.joinpath("cards").write_text("a file where the folder was")
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    data = {"name": "Dana R.", "photo": images.upload_jpeg(), "keys": "", "version": 0}
    response = client.post(url, data)
    assert response.status_code == 503
    assert STORAGE_DOWN in response.content.decode()
    card.refresh_from_db()
    assert (card.contact.name, card.photo.name, card.version) == ("Dana Reyes", kept, 0)


def failing_after(monkeypatch, saves: int) -> None:
    """Have the media folder fail (a full disk) once it has stored ``saves`` files."""
    stored = []
    save = FileSystemStorage.save

    def save_until_full(self, name, content, *args, **kwargs):
        if len(stored) == saves:
            raise OSError(28, "No space left on device")
        stored.append(name)
        return save(self, name, content, *args, **kwargs)

    monkeypatch.setattr(FileSystemStorage, "save", save_until_full)


def test_an_edit_whose_thumbnail_the_storage_refuses_keeps_the_old_photo(
    client, booth, conference, media, monkeypatch
):
    card = log_card(client, booth)
    old = {media / card.photo.name, media / card.thumbnail.name}
    failing_after(monkeypatch, 1)  # the new photo stored, its thumbnail not
    url = reverse("events-booth-card", args=[conference.slug, card.pk])
    data = {"name": "Dana R.", "photo": images.upload_jpeg(), "keys": "", "version": 0}
    assert client.post(url, data).status_code == 503
    card.refresh_from_db()
    assert card.version == 0
    assert {p for p in media.rglob("*") if p.is_file()} == old  # the new photo deleted


def test_a_stack_upload_the_storage_fails_says_which_photos_were_not_saved(
    client, bob, conference, media, monkeypatch
):
    client.force_login(bob)
    failing_after(monkeypatch, 2)  # the first photo and its thumbnail
    stack = reverse("events-stack", args=[conference.slug])
    second = SimpleUploadedFile("second.jpg", images.jpeg(300), content_type="image/jpeg")
    uploads = [images.upload_jpeg(), second]
    response = client.post(stack, {"photos": uploads}, HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert [p["name"] for p in response.json()["photos"]] == ["card.jpg"]
    assert response.json()["refused"] == [
        "second.jpg: the photo storage did not answer, so these photos were not saved "
        "(those listed as added were). Upload them again in a moment; if this goes on, the "
        "photo storage's settings need checking."
    ]
    assert StackPhoto.objects.count() == 1


def test_a_photo_missing_from_the_bucket_is_a_404(client, booth, s3_bucket, conference):
    card = log_card(client, booth)
    url = reverse("events-card-photo", args=[conference.slug, card.pk, "photo"])
    s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=card.photo.name)
    assert client.get(url).status_code == 404


def test_a_photo_the_storage_fails_to_read_is_a_503(client, booth, conference, media):
    card = log_card(client, booth)
    stack = reverse("events-stack", args=[conference.slug])
    client.post(stack, {"photos": [images.upload_jpeg()]})
    kept = StackPhoto.objects.get()
    for url, path in [
        (reverse("events-card-photo", args=[conference.slug, card.pk, "photo"]), card.photo),
        (reverse("events-stack-photo", args=[conference.slug, kept.pk, "photo"]), kept.photo),
    ]:
        (media / path.name).unlink()
        assert client.get(url).status_code == 404
        (media / path.name).mkdir()  # a folder where the file was: reading it fails
        response = client.get(url)
        assert response.status_code == 503
        assert "the photo cannot be shown now" in response.content.decode()
