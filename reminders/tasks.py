"""Background work of the reminders app: thin tasks over the services (they take no objects).

Every task is safe to run twice or at the same time as itself: the outbox's unique key, the
compare-and-set claims and the Digest row per user and day see to it.
"""

import datetime

from celery import shared_task

from reminders.services import delivery, digest
from reminders.services import sweep as sweeping


@shared_task(name="reminders.sweep")
def sweep(day: str | None = None) -> dict:
    """The daily sweep (for `day`, ISO yyyy-mm-dd, default today), then in-app delivery."""
    today = datetime.date.fromisoformat(day) if day else None
    summary = sweeping.daily_sweep(today)
    return {"sweep": summary.as_dict(), "delivery": delivery.deliver_reminders().as_dict()}


@shared_task(name="reminders.deliver")
def deliver() -> dict:
    """Deliver the outbox; first catch up today's sweep if beat could not start it."""
    caught_up = sweeping.sweep_if_missed()
    result = {"delivery": delivery.deliver_reminders().as_dict()}
    if caught_up is not None:
        result["sweep"] = caught_up.as_dict()
    return result


@shared_task(name="reminders.digest")
def send_digests() -> dict:
    """Mail the daily digests that are due."""
    return digest.send_digests().as_dict()
