from __future__ import annotations

from django.core.management.base import BaseCommand

from contacts import privacy


class Command(BaseCommand):
    help = (
        "Delete (or anonymize) the cards of each conference whose retention period has "
        "ended, except followed-up cards and existing customers; run it daily from cron."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be removed; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        removed = 0
        for conference in privacy.retention_due():
            plan = privacy.retention_plan(conference)
            if not plan.removed:
                continue
            action = conference.retention_action  # "delete" or "anonymize"
            if dry_run:
                verb = f"would {action}"
            else:
                privacy.apply_retention(conference)
                verb = f"{action}d"
            removed += plan.removed
            self.stdout.write(
                f"{conference.slug}: {verb} {plan.removed} card(s), gone from "
                f"{conference.retention_ends:%Y-%m-%d}; {plan.kept} kept (followed up or "
                "existing customers)."
            )
        if not removed:
            self.stdout.write("Nothing to remove.")
