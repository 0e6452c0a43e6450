from __future__ import annotations

import os
import stat
import tarfile
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from contacts.folds import HALF, UR
from contacts.models import Card, Contact, Meaning
from tests import images

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
