from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.models import ApiToken
from events.models import Conference


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown this once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument("--read-only", action="store_true", help="Allow reading only.")
        parser.add_argument("--conference", metavar="SLUG", help="Reach this conference only.")

    def handle(self, username: str, name: str, read_only: bool, conference: str | None, **kw):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        limited_to = None
        if conference is not None:
            limited_to = Conference.objects.filter(slug=conference).first()
            if limited_to is None:
                raise CommandError(f"There is no conference {conference!r}.")
        _, key = ApiToken.issue(user, name, read_only=read_only, conference=limited_to)
        self.stdout.write(key)
