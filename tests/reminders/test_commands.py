"""setup_periodic_tasks, send_reminders and the Celery tasks (called directly, no worker)."""

import datetime
import io
import zoneinfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from reminders import tasks
from reminders.models import Notification, Preference, Reminder, SweepRun
from reminders.rules.base import Item
from reminders.schedules import SCHEDULES
from reminders.services.sweep import sweep_if_missed

pytestmark = pytest.mark.django_db

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = datetime.date(2025, 3, 10)


def _call(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_setup_periodic_tasks_is_idempotent_and_keeps_admin_edits():
    _call("setup_periodic_tasks")
    names = {schedule.name for schedule in SCHEDULES}
    assert set(PeriodicTask.objects.values_list("name", flat=True)) >= names
    sweep_task = PeriodicTask.objects.get(task="reminders.sweep")
    assert (sweep_task.crontab.hour, sweep_task.crontab.minute) == ("6", "0")
    assert str(sweep_task.crontab.timezone) == "Asia/Ho_Chi_Minh"
    assert PeriodicTask.objects.get(task="reminders.deliver").crontab.minute == "*/15"
    assert PeriodicTask.objects.get(task="reminders.digest").crontab.minute == "*/15"

    # An administrator moves the sweep to 05:30; a re-run keeps it and adds nothing.
    sweep_task.crontab = CrontabSchedule.objects.create(minute="30", hour="5", timezone="Asia/Ho_Chi_Minh")
    sweep_task.save()
    tasks_before, crontabs_before = PeriodicTask.objects.count(), CrontabSchedule.objects.count()
    out = _call("setup_periodic_tasks")
    assert "kept" in out and "created" not in out
    assert (PeriodicTask.objects.count(), CrontabSchedule.objects.count()) == (tasks_before, crontabs_before)
    assert PeriodicTask.objects.get(task="reminders.sweep").crontab.hour == "5"

    # --reset puts the default back.
    assert "reset" in _call("setup_periodic_tasks", "--reset")
    assert PeriodicTask.objects.get(task="reminders.sweep").crontab.hour == "6"
    assert PeriodicTask.objects.count() == tasks_before


@pytest.fixture
def due_rule(tree, officer_a, register_rule):
    def items(context):
        return [Item(tree.unit_a.pk, "test.thing:1", TODAY, "Thing one", "/things/1/")]

    return register_rule("test.command", items)


def test_send_reminders_dry_run_prints_and_writes_nothing(due_rule):
    out = _call("send_reminders", "--dry-run", "--date", "2025-03-10", "--rule", "test.command")
    assert "dry run" in out
    assert "test.command: 1 item(s)" in out
    assert "due: would send 1" in out
    assert not Reminder.objects.exists()
    assert not Notification.objects.exists()
    assert not SweepRun.objects.exists()


def test_send_reminders_sends_once(due_rule, officer_a):
    out = _call("send_reminders", "--date", "2025-03-10", "--rule", "test.command")
    assert "due: sent 1" in out
    assert "Delivered in the app: 1" in out
    assert Notification.objects.get().user == officer_a
    again = _call("send_reminders", "--date", "2025-03-10", "--rule", "test.command")
    assert "due: sent 0 (already in the outbox: 1)" in again
    assert Notification.objects.count() == 1


def test_send_reminders_refuses_bad_input(due_rule):
    with pytest.raises(CommandError):
        _call("send_reminders", "--date", "10/03/2025")
    with pytest.raises(CommandError):
        _call("send_reminders", "--rule", "no.such.rule")
    assert not Reminder.objects.exists()


def test_a_failing_rule_fails_the_command(register_rule):
    def broken(context):
        raise RuntimeError("boom")

    register_rule("test.broken", broken)
    with pytest.raises(CommandError, match="test.broken"):
        _call("send_reminders", "--rule", "test.broken")


def test_the_sweep_task_sweeps_delivers_and_records_the_day(due_rule, officer_a, only_rules):
    only_rules("test.command")
    result = tasks.sweep.apply(kwargs={"day": "2025-03-10"}).get()
    assert result["sweep"]["created"] == 1
    assert result["delivery"]["sent"] == 1
    assert SweepRun.objects.get(day=TODAY).created == 1
    assert Notification.objects.get().user == officer_a


def test_the_deliver_task_catches_up_a_missed_sweep(due_rule, officer_a, only_rules):
    only_rules("test.command")
    before_time = datetime.datetime(2025, 3, 10, 5, 0, tzinfo=VN)
    assert sweep_if_missed(before_time) is None  # the scheduled sweep's time has not come
    after_time = datetime.datetime(2025, 3, 10, 9, 0, tzinfo=VN)
    assert sweep_if_missed(after_time).total_created == 1
    assert sweep_if_missed(after_time) is None  # done for the day
    assert SweepRun.objects.filter(day=TODAY).exists()


def test_the_deliver_task_delivers_and_catches_up(due_rule, officer_a, only_rules, monkeypatch):
    only_rules("test.command")
    monkeypatch.setattr("reminders.services.sweep.SWEEP_TIME", datetime.time(0, 0))
    result = tasks.deliver.apply().get()
    assert result["sweep"]["created"] == 1  # the item is overdue today: caught up
    assert result["delivery"]["sent"] == 1
    assert tasks.deliver.apply().get() == {"delivery": {"claimed": 0, "sent": 0, "failed": 0}}


def test_the_digest_task_mails_the_digests(officer_a):
    Preference.objects.create(user=officer_a, digest_time=datetime.time(0, 0))
    Notification.objects.create(user=officer_a, title="Thing one", url="/things/1/", stage="due")
    assert tasks.send_digests.apply().get() == {"sent": 1, "failed": 0, "skipped": 0}
    assert len(mail.outbox) == 1
