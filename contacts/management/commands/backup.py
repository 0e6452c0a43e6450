from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt by migrate itself, or not worth keeping: content types and permissions (the
# groups refer to them by natural key), sessions, the admin's log and login attempts.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


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
        media = Path(settings.MEDIA_ROOT)
        files = 0
        # Password hashes and personal data: readable by the owner only, from the first
        # byte on (an existing file keeps its mode through open(), hence the fchmod).
        fd = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as file, tarfile.open(fileobj=file, mode="w:gz") as tar:
            info = tarfile.TarInfo("data.json")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
            if media.exists():
                for path in sorted(media.rglob("*")):
                    if path.is_file():
                        tar.add(path, arcname=f"media/{path.relative_to(media)}")
                        files += 1
        self.stdout.write(f"Wrote {archive}: the database and {files} media files.")
