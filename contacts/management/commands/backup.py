from __future__ import annotations

import io
import os
import tarfile

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import models

# Rebuilt by migrate itself, or not worth keeping: content types and permissions (the
# groups refer to them by natural key), sessions, the admin's log, login attempts, and the
# task queue (work in flight, and results of work done).
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "axes",
    "django_tasks_database",
]


def stored_files() -> list[str]:
    """Return the names of the files the database refers to (card photos, thumbnails)."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                rows = model._base_manager.exclude(**{field.name: ""})
                names.update(rows.values_list(field.name, flat=True))
    return sorted(names)


class Command(BaseCommand):
    help = "Write one archive with the database content and the media files (card photos)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="path of the .tar.gz to write")

    def handle(self, *args, archive: str, **options) -> None:
        data = io.StringIO()
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=EXCLUDED,
            stdout=data,
        )
        payload = data.getvalue().encode()
        files = 0
        # Password hashes and personal data: readable by the owner only, from the first
        # byte on (an existing file keeps its mode through open(), hence the fchmod).
        fd = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as file, tarfile.open(fileobj=file, mode="w:gz") as tar:
            info = tarfile.TarInfo("data.json")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
            # Read through the storage, which is the media folder or an S3 bucket.
            for name in stored_files():
                if not default_storage.exists(name):
                    self.stderr.write(f"Missing, left out: {name}")
                    continue
                with default_storage.open(name, "rb") as file:
                    info = tarfile.TarInfo(f"media/{name}")
                    info.size = file.size
                    tar.addfile(info, file)
                files += 1
        self.stdout.write(f"Wrote {archive}: the database and {files} media files.")
