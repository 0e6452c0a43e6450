from __future__ import annotations

import os
import stat
import tarfile
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from contacts.folds import HALF, UR
from contacts.models import Card, Contact, Meaning
from tests import images, s3

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict:
    return {
        "cards": sorted(
            Card.objects.values_list("client_uuid", "folds", "note", "priority", "due_on", "photo")
        ),
        "contacts": sorted(Contact.objects.values_list("name", "email")),
        "meanings": sorted(Meaning.objects.values_list("slug", "weight", "window_days")),
        "groups": sorted(
            (g.name, sorted(p.codename for p in g.permissions.all())) for g in Group.objects.all()
        ),
    }


def test_a_backup_restores_every_row_and_photo(client, alice, conference, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(alice)
    booth = reverse("events-booth", args=[conference.slug])
    for n in range(3):
        photo = images.upload_jpeg() if n < 2 else None
        data = {"name": f"Person {n}", "email": f"p{n}@acme.io", "folds": ["UR", "HALF"]}
        if photo:
            data["photo"] = photo
        assert client.post(booth, data, HTTP_ACCEPT="application/json").status_code == 201
    Meaning.objects.filter(slug="asap").update(weight=77)
    before = snapshot()
    photos = {
        p.relative_to(settings.MEDIA_ROOT): p.read_bytes()
        for p in settings.MEDIA_ROOT.rglob("*.jpg")
    }
    assert len(photos) == 4

    archive = tmp_path / "foldcard.tar.gz"
    out = StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "4 media files" in out.getvalue()

    # A new machine: an empty, migrated database and no media.
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with pytest.raises(CommandError):
        Contact.objects.create(name="in the way")
        call_command("restore", str(archive))
    Contact.objects.all().delete()
    call_command("restore", str(archive), stdout=StringIO())

    assert snapshot() == before
    restored = {
        p.relative_to(settings.MEDIA_ROOT): p.read_bytes()
        for p in settings.MEDIA_ROOT.rglob("*.jpg")
    }
    assert restored == photos
    card = Card.objects.filter(photo__gt="").first()
    assert (card.folds, card.priority) == (UR | HALF, 70)
    # New rows get ids after the restored ones.
    assert Contact.objects.create(name="after restore").pk > max(
        Contact.objects.exclude(name="after restore").values_list("pk", flat=True)
    )


def test_restore_refuses_something_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz"):
        pass
    with pytest.raises(CommandError, match="not a foldcard backup"):
        call_command("restore", str(bogus))


class MediaFolder:
    def __init__(self, settings, path: Path) -> None:
        self.path = settings.MEDIA_ROOT = path

    def files(self) -> dict[str, bytes]:
        found = self.path.rglob("*") if self.path.exists() else []
        return {p.relative_to(self.path).as_posix(): p.read_bytes() for p in found if p.is_file()}


@pytest.fixture(params=["media folder", "bucket"])
def new_photo_place(request, settings, tmp_path):
    """Return a function that keeps card photos in a new, empty media folder or S3 bucket
    (as on a new machine) and returns it."""
    if request.param == "media folder":
        return lambda: MediaFolder(settings, tmp_path / uuid.uuid4().hex)
    endpoint_url = request.getfixturevalue("s3_server")

    def new_bucket() -> s3.Bucket:
        bucket = s3.Bucket(endpoint_url)
        settings.STORAGES = {**settings.STORAGES, "default": bucket.storage()}
        return bucket

    return new_bucket


def log_card_with_photo(client, user, conference) -> Card:
    client.force_login(user)
    booth = reverse("events-booth", args=[conference.slug])
    data = {"name": "Dana Reyes", "folds": ["UR"], "photo": images.upload_jpeg()}
    assert client.post(booth, data, HTTP_ACCEPT="application/json").status_code == 201
    return Card.objects.get()


def test_a_card_with_a_photo_comes_back_in_either_storage(
    client, alice, conference, new_photo_place, tmp_path
):
    place = new_photo_place()
    card = log_card_with_photo(client, alice, conference)
    photos = place.files()
    assert set(photos) == {card.photo.name, card.thumbnail.name}

    archive = tmp_path / "foldcard.tar.gz"
    call_command("backup", str(archive), stdout=StringIO())
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    place = new_photo_place()
    assert place.files() == {}
    call_command("restore", str(archive), stdout=StringIO())

    assert place.files() == photos
    restored = Card.objects.get()
    assert (restored.photo.name, restored.photo.read()) == (
        card.photo.name,
        photos[card.photo.name],
    )


def test_a_restore_over_the_photos_still_in_the_bucket_keeps_their_names(
    client, alice, conference, s3_bucket, tmp_path
):
    card = log_card_with_photo(client, alice, conference)
    photos = s3_bucket.files()
    archive = tmp_path / "foldcard.tar.gz"
    call_command("backup", str(archive), stdout=StringIO())
    # The database is lost; the bucket is not.
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("restore", str(archive), stdout=StringIO())
    assert s3_bucket.files() == photos
    assert Card.objects.get().photo.name == card.photo.name


def test_a_missing_photo_is_left_out_and_named(make_card, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_card(UR, photo="cards/2026/11/gone.jpg")
    out, err = StringIO(), StringIO()
    call_command("backup", str(tmp_path / "foldcard.tar.gz"), stdout=out, stderr=err)
    assert "0 media files" in out.getvalue()
    assert "Missing, left out: cards/2026/11/gone.jpg" in err.getvalue()


def test_the_archive_is_readable_by_its_owner_only(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    fresh, existing = tmp_path / "fresh.tar.gz", tmp_path / "existing.tar.gz"
    existing.write_bytes(b"an older backup")
    existing.chmod(0o644)
    umask = os.umask(0o022)
    try:
        for archive in (fresh, existing):
            call_command("backup", str(archive), stdout=StringIO())
    finally:
        os.umask(umask)
    for archive in (fresh, existing):
        assert stat.S_IMODE(archive.stat().st_mode) == 0o600, archive.name
        with tarfile.open(archive) as tar:
            assert "data.json" in tar.getnames()
