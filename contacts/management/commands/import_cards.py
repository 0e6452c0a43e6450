from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from contacts import imports
from events.models import Conference


class Command(BaseCommand):
    help = (
        "Import a CSV or vCard file of people as cards of a conference, or as contacts only, "
        "exactly as the import page does: every row is checked first, and nothing is saved "
        "unless all rows are valid. Exits with status 1 on any error."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the CSV or vCard file")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--conference", metavar="SLUG", help="log the people as its cards")
        target.add_argument(
            "--contacts-only", action="store_true", help="add the people as contacts, no cards"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be done; save nothing"
        )
        parser.add_argument(
            "--user",
            metavar="NAME",
            help="who logs and follows up the cards (their vocabulary decodes the folds); "
            "without it the cards have no owner and the site's vocabulary",
        )

    def handle(self, *args, file: str, conference: str | None, dry_run: bool, **options):
        target = self._conference(conference) if conference else None
        user = self._user(options["user"]) if options["user"] else None
        try:
            with open(file, "rb") as stream:
                summary = self._check(stream, target)
                if summary.errors:
                    raise CommandError(f"{summary.errors} row(s) with errors: nothing was saved.")
                if dry_run:
                    self.stdout.write("Dry run: nothing was saved.")
                    return
                stream.seek(0)
                saved = imports.save(stream, self.source, self.mapping, target, user)
        except OSError as e:
            raise CommandError(f"{file}: {e.strerror}") from e
        except (imports.BadFile, imports.InvalidRows) as e:
            raise CommandError(f"{e} Nothing was saved.") from e
        self.stdout.write(
            f"Imported {saved.rows} rows: {saved.new} new, {saved.attached} added to people "
            f"known before or earlier in the file, {saved.skipped} skipped as imported "
            f"before{self.here(target)}."
        )

    def _check(self, stream, target: Conference | None) -> imports.Summary:
        imports.check_size(stream.seek(0, 2))
        stream.seek(0)
        cards = target is not None
        self.source = imports.inspect(stream)
        self.mapping = imports.auto_mapping(self.source, cards)
        imports.check_mapping(self.source, self.mapping, cards)
        for column, what in zip(self.source.columns, self.mapping, strict=True):
            self.stdout.write(f"  {column}: {imports.TARGETS[what]}")
        summary = imports.check(stream, self.source, self.mapping, target, problems_kept=None)
        for problem in summary.problems:
            self.stderr.write(problem)
        self.stdout.write(
            f"{summary.rows} rows: {summary.new} new, {summary.attached} to add to people "
            f"known before or earlier in the file, {summary.skipped} to skip as imported "
            f"before{self.here(target)}, {summary.errors} with errors."
        )
        return summary

    @staticmethod
    def here(target: Conference | None) -> str:
        """Return what else a skipped row may be: repeated in the file, and into a
        conference, of a person met there."""
        return " or repeated in the file" + (", or met here already" if target is not None else "")

    def _conference(self, slug: str) -> Conference:
        try:
            return Conference.objects.get(slug=slug)
        except Conference.DoesNotExist:
            raise CommandError(f"No conference {slug!r}.") from None

    def _user(self, name: str):
        try:
            return get_user_model().objects.get_by_natural_key(name)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {name!r}.") from None
