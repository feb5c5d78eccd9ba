"""Delivery: each outbox row becomes one notification, once; failures and crashes are retried."""

import datetime
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reminders.models import Notification, Reminder
from reminders.services import delivery
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

State = Reminder.State


def _reminder(user, unit, index=0, **fields):
    return Reminder.objects.create(
        rule="test.rule",
        object_key=f"test.thing:{index}",
        unit=unit,
        due_on=datetime.date(2025, 3, 10),
        stage="due",
        recipient=user,
        title=f"Thing {index}",
        url=f"/things/{index}/",
        **fields,
    )


@pytest.fixture
def unit(db):
    return UnitFactory()


@pytest.fixture
def user(db):
    return UserFactory(username="someone")


def test_a_reminder_becomes_one_notification(user, unit):
    reminder = _reminder(user, unit)
    result = delivery.deliver_reminders()
    assert result.as_dict() == {"claimed": 1, "sent": 1, "failed": 0}
    notification = Notification.objects.get()
    assert (notification.user, notification.reminder, notification.title, notification.url) == (
        user,
        reminder,
        "Thing 0",
        "/things/0/",
    )
    assert (notification.stage, notification.due_on, notification.read_at) == ("due", reminder.due_on, None)
    reminder.refresh_from_db()
    assert reminder.state == State.SENT
    assert reminder.sent_at is not None
    assert reminder.attempts == 1


def test_two_runs_send_once(user, unit):
    for index in range(3):
        _reminder(user, unit, index)
    first = delivery.deliver_reminders()
    second = delivery.deliver_reminders()
    assert first.sent == 3
    assert second.as_dict() == {"claimed": 0, "sent": 0, "failed": 0}
    assert Notification.objects.count() == 3


def test_a_failed_delivery_is_retried_on_the_next_run(user, unit, monkeypatch):
    reminder = _reminder(user, unit)

    def broken(reminder_ids):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(delivery, "create_notifications", broken)
    result = delivery.deliver_reminders()
    assert (result.sent, result.failed) == (0, 1)
    reminder.refresh_from_db()
    assert reminder.state == State.FAILED
    assert "mail server on fire" in reminder.last_error
    assert not Notification.objects.exists()

    monkeypatch.undo()
    result = delivery.deliver_reminders()
    assert (result.sent, result.failed) == (1, 0)
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts, reminder.last_error) == (State.SENT, 2, "")
    assert Notification.objects.count() == 1


def test_one_bad_row_fails_alone(user, unit, monkeypatch):
    good = _reminder(user, unit, 1)
    bad = _reminder(user, unit, 2)
    real = delivery.create_notifications

    def picky(reminder_ids):
        if bad.pk in reminder_ids:
            raise ValueError("bad row")
        real(reminder_ids)

    monkeypatch.setattr(delivery, "create_notifications", picky)
    result = delivery.deliver_reminders()
    assert (result.sent, result.failed) == (1, 1)
    assert dict(Reminder.objects.values_list("pk", "state")) == {good.pk: State.SENT, bad.pk: State.FAILED}


def test_attempts_are_bounded(user, unit, monkeypatch):
    reminder = _reminder(user, unit, state=State.FAILED, attempts=delivery.MAX_ATTEMPTS)
    assert delivery.deliver_reminders().claimed == 0
    reminder.refresh_from_db()
    assert reminder.state == State.FAILED


def test_a_stale_claim_is_reclaimed_and_a_fresh_one_is_left_alone(user, unit):
    now = timezone.now()
    crashed = _reminder(
        user,
        unit,
        1,
        state=State.CLAIMED,
        attempts=1,
        claimed_at=now - delivery.CLAIM_TIMEOUT - datetime.timedelta(minutes=1),
    )
    busy = _reminder(
        user, unit, 2, state=State.CLAIMED, attempts=1, claimed_at=now - datetime.timedelta(minutes=1)
    )
    result = delivery.deliver_reminders()
    assert (result.claimed, result.sent) == (1, 1)
    crashed.refresh_from_db()
    busy.refresh_from_db()
    assert (crashed.state, crashed.attempts) == (State.SENT, 2)
    assert busy.state == State.CLAIMED
    assert list(Notification.objects.values_list("reminder", flat=True)) == [crashed.pk]


def test_a_worker_that_lost_its_claim_sends_nothing(user, unit):
    reminder = _reminder(user, unit)
    token, claimed = delivery.claim()
    assert claimed == 1
    # The worker stalls past the timeout; another one reclaims the row and sends it.
    Reminder.objects.filter(pk=reminder.pk).update(claimed_at=timezone.now() - delivery.CLAIM_TIMEOUT * 2)
    assert delivery.deliver_reminders().sent == 1
    # The first worker wakes up: its token no longer holds the row.
    result = delivery.DeliveryResult()
    delivery.deliver_batch(token, result)
    assert result.sent == 0
    assert Notification.objects.count() == 1


def test_the_number_of_queries_does_not_grow_with_the_rows(user, unit):
    def count(n, offset):
        for index in range(n):
            _reminder(user, unit, offset + index)
        with CaptureQueriesContext(connection) as context:
            assert delivery.deliver_reminders().sent == n
        return len(context.captured_queries)

    assert count(3, 0) == count(30, 100)


def test_batches_cover_every_row(user, unit):
    for index in range(7):
        _reminder(user, unit, index)
    result = delivery.deliver_reminders(batch_size=3)
    assert result.sent == 7
    assert Notification.objects.count() == 7


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_row_once():
    unit = UnitFactory()
    user = UserFactory(username="race")
    for index in range(40):
        _reminder(user, unit, index)
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(delivery.deliver_reminders(batch_size=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result.sent for result in results) == 40
    assert sum(result.claimed for result in results) == 40
    assert Notification.objects.count() == 40
    assert set(Reminder.objects.values_list("state", flat=True)) == {State.SENT}
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {1}
