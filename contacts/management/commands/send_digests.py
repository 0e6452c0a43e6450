from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from contacts.digests import send_digests


class Command(BaseCommand):
    help = (
        "Send the morning digests whose hour has come (run it every 15 minutes from cron); "
        "each person gets at most one a day."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Send every digest switched on now, whatever the hour (still once a day).",
        )

    def handle(self, *args, force: bool, **options) -> None:
        sent = send_digests(timezone.now(), force=force)
        self.stdout.write(f"Sent {len(sent)} digest{'s' if len(sent) != 1 else ''}.")
        for address in sent:
            self.stdout.write(f"  {address}")
