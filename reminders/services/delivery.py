"""Delivery of the outbox: each reminder becomes one in-app notification, exactly once.

A worker claims a batch of rows with a compare-and-set update (state and claim time as read;
candidates picked with FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers take different rows),
commits the claim, then creates the notifications and marks the rows sent in one transaction,
only for the rows it still holds. So:

- a re-run or a second worker never sends a row twice (a sent row is never a candidate, and
  Notification.reminder is unique);
- a worker that crashes after claiming leaves rows `claimed`: they are claimed again after
  CLAIM_TIMEOUT;
- a delivery that raises marks its rows `failed` with the error; they are retried on the next
  run, up to MAX_ATTEMPTS attempts in all (then an operator retries them from the admin panel).

Email goes by the daily digest (services/digest.py), not per reminder.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from reminders.models import Notification, Reminder

logger = logging.getLogger(__name__)

CLAIM_TIMEOUT = datetime.timedelta(minutes=10)
MAX_ATTEMPTS = 5
BATCH_SIZE = 2000
ERROR_MAX = 2000

State = Reminder.State


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0

    def as_dict(self):
        return {"claimed": self.claimed, "sent": self.sent, "failed": self.failed}


def deliverable(now: datetime.datetime, run_started: datetime.datetime | None = None) -> Q:
    """Rows to deliver: pending; claimed but abandoned; failed with attempts left.

    A row that failed during this run (`run_started`) waits for the next run.
    """
    stale = now - CLAIM_TIMEOUT
    failed = Q(state=State.FAILED, attempts__lt=MAX_ATTEMPTS)
    if run_started is not None:
        failed &= Q(claimed_at__lt=run_started)
    # `~Q(state=SENT)` repeats the partial index's condition (reminder_to_deliver), so that the
    # planner can read the few rows not sent yet instead of the whole outbox.
    return ~Q(state=State.SENT) & (
        Q(state=State.PENDING)
        | Q(state=State.CLAIMED, claimed_at__lt=stale, attempts__lt=MAX_ATTEMPTS)
        | failed
    )


def claim(
    batch_size: int = BATCH_SIZE, run_started: datetime.datetime | None = None
) -> tuple[uuid.UUID | None, int]:
    """Claim up to `batch_size` deliverable rows: (claim token, rows claimed); (None, 0) if none."""
    token = uuid.uuid4()
    now = timezone.now()
    condition = deliverable(now, run_started)
    with transaction.atomic():
        candidates = Reminder.objects.filter(condition).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("id", flat=True)[:batch_size])
        if not ids:
            return None, 0
        # Compare-and-set: only the rows still in a deliverable state are taken.
        claimed = Reminder.objects.filter(condition, id__in=ids).update(
            state=State.CLAIMED, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
        )
    return (token, claimed) if claimed else (None, 0)


def create_notifications(reminder_ids: list[int]) -> None:
    """The in-app notifications of the given reminders, copied inside the database (one
    INSERT … SELECT); a reminder that already has its notification is skipped (sent once)."""
    ops = connection.ops
    notification = ops.quote_name(Notification._meta.db_table)
    reminder = ops.quote_name(Reminder._meta.db_table)
    if connection.vendor == "postgresql":
        ids_condition, ids_params = "id = ANY(%s)", [list(reminder_ids)]
    else:
        ids_condition, ids_params = f"id IN ({', '.join(['%s'] * len(reminder_ids))})", list(reminder_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {notification} (user_id, reminder_id, title, url, stage, due_on, created_at) "  # noqa: S608
            f"SELECT recipient_id, id, title, url, stage, due_on, %s FROM {reminder} WHERE {ids_condition} "
            "ON CONFLICT DO NOTHING",
            [ops.adapt_datetimefield_value(timezone.now()), *ids_params],
        )


def _send(token: uuid.UUID, ids: list[int] | None = None) -> int:
    """Deliver the rows held with `token` (all, or only `ids`); returns how many were sent."""
    with transaction.atomic():
        held = Reminder.objects.filter(claim_token=token, state=State.CLAIMED)
        if ids is not None:
            held = held.filter(id__in=ids)
        if connection.features.has_select_for_update:
            held = held.select_for_update()
        # Lock what this worker still holds: a row reclaimed by another worker after a timeout
        # carries another token and is left alone.
        held_ids = list(held.values_list("id", flat=True))
        if not held_ids:
            return 0
        create_notifications(held_ids)
        return Reminder.objects.filter(id__in=held_ids).update(
            state=State.SENT, sent_at=timezone.now(), last_error=""
        )


def _fail(token: uuid.UUID, error: Exception, ids: list[int] | None = None) -> int:
    rows = Reminder.objects.filter(claim_token=token, state=State.CLAIMED)
    if ids is not None:
        rows = rows.filter(id__in=ids)
    return rows.update(state=State.FAILED, last_error=f"{type(error).__name__}: {error}"[:ERROR_MAX])


def deliver_batch(token: uuid.UUID, result: DeliveryResult) -> None:
    """Deliver a claimed batch; if the batch fails, row by row, so one bad row fails alone."""
    try:
        result.sent += _send(token)
        return
    except Exception as error:
        logger.warning("delivery of a reminder batch failed (%s); retrying row by row", error)
    ids = list(Reminder.objects.filter(claim_token=token, state=State.CLAIMED).values_list("id", flat=True))
    for pk in ids:
        try:
            result.sent += _send(token, [pk])
        except Exception as error:
            logger.exception("delivery of reminder %s failed", pk)
            result.failed += _fail(token, error, [pk])


def deliver_reminders(batch_size: int = BATCH_SIZE, max_batches: int | None = None) -> DeliveryResult:
    """Deliver every deliverable row of the outbox, batch by batch; returns the counts."""
    result = DeliveryResult()
    run_started = timezone.now()
    batches = 0
    while max_batches is None or batches < max_batches:
        token, claimed = claim(batch_size, run_started)
        if token is None:
            break
        batches += 1
        result.claimed += claimed
        deliver_batch(token, result)
    return result
