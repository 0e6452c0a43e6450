from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from contacts import vocabularies


class Command(BaseCommand):
    help = (
        "Import a vocabulary file (JSON, as exported at /vocabularies/<id>.json) as a new "
        "shared vocabulary, checked as the import form checks it: nothing is saved on any "
        "error, and the command exits with status 1."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the vocabulary file")
        parser.add_argument(
            "--name", default="", help="the new vocabulary's name (default: the file's)"
        )

    def handle(self, *args, file: str, name: str, **options) -> None:
        try:
            with open(file, "rb") as stream:
                # Refused from its size, before it is read into memory.
                vocabularies.check_size(stream.seek(0, 2))
                stream.seek(0)
                vocabulary = vocabularies.import_vocabulary(stream.read(), None, name)
        except OSError as e:
            raise CommandError(f"{file}: {e.strerror}") from e
        except vocabularies.VocabularyError as e:
            raise CommandError(f"{e} Nothing was imported.") from e
        self.stdout.write(f"Imported {vocabulary.name} ({vocabulary.rules.count()} rules).")
