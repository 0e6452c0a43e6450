from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from webhooks import delivery, tasks


class Command(BaseCommand):
    help = (
        "Queue again the webhook deliveries whose task was lost (a worker stopped while "
        "sending): run it every 15 minutes from cron."
    )

    def handle(self, *args, **options) -> None:
        stalled = delivery.stalled(timezone.now())
        for delivery_id in stalled:
            tasks.deliver.enqueue(delivery_id)
        self.stdout.write(f"Queued {len(stalled)} webhook deliveries again.")
