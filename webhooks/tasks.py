"""Webhook deliveries, sent by `manage.py db_worker`."""

from __future__ import annotations

from django_tasks import task

from webhooks import delivery


# Below the tasks someone waits for (a re-ordering, a photo read, an import, emails): the
# queue takes a higher priority first. Of one priority it takes a retry that is due before
# a task queued to run at once, so that a receiver down would hold those up.
@task(priority=-10)
def deliver(delivery_id: int) -> None:
    """Send a webhook delivery once; queue its retry, or the next one of its subject."""
    for next_id, run_after in delivery.attempt(delivery_id):
        deliver.using(run_after=run_after).enqueue(next_id)
