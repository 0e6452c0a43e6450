from __future__ import annotations

import tarfile
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contacts.models import Card, Contact
from events.models import Conference


def restore_file(name: str, path: Path) -> None:
    """Write the file at ``path`` to the storage (media folder or bucket) as ``name``.

    The archive is what the database refers to: a file of that name already there is
    replaced, not kept beside under another name.
    """
    if default_storage.exists(name):
        default_storage.delete(name)
    with path.open("rb") as content:
        default_storage.save(name, File(content))


class Command(BaseCommand):
    help = "Restore an archive written by the backup command into an empty database."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="path of the .tar.gz written by backup")

    def handle(self, *args, archive: str, **options) -> None:
        if any(m.objects.exists() for m in (Card, Contact, Conference, get_user_model())):
            raise CommandError(
                "The database is not empty: restore only into a freshly migrated database."
            )
        with tempfile.TemporaryDirectory() as folder, tarfile.open(archive, "r:gz") as tar:
            tar.extractall(folder, filter="data")
            data = Path(folder, "data.json")
            if not data.exists():
                raise CommandError(f"{archive} is not a foldcard backup (no data.json).")
            with transaction.atomic():
                # The archive holds the default vocabulary and roles as they were edited;
                # drop what migrate created so they come back exactly.
                call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", str(data), verbosity=0)
            media = Path(folder, "media")
            files = 0
            if media.exists():
                for path in media.rglob("*"):
                    if path.is_file():
                        restore_file(path.relative_to(media).as_posix(), path)
                        files += 1
        self.stdout.write(f"Restored {archive}: the database and {files} media files.")
