"""Integration: a real Celery worker and a real beat, the test run's real Redis, one reminder
delivered end to end (issue 6, "Done when").

beat (django-celery-beat's DatabaseScheduler, reading the test database) sends `reminders.sweep`
every two seconds through Redis; the worker runs it: the sweep writes the outbox, delivery turns
the row into an in-app notification. The test polls the database until the notification exists,
then lets beat fire a few more times and checks that nothing was written twice.

The worker and beat are subprocesses started on the test database (a transactional test, so
they see the committed rows) and a Redis database next to the test run's (REDIS_URL's number
+ 1), on a queue of their own, so that they never take another run's messages. They are
stopped by their process group in a `finally`.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from audits.models import CorrectiveAction, Nonconformity
from reminders.models import Notification, Reminder, SweepRun

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
EVERY_SECONDS = 2
DELIVERY_TIMEOUT = 60  # seconds until the first notification (worker and beat start in ~5 s)
FURTHER_SWEEPS = 3  # sweeps that must run after the delivery, adding nothing


def integration_redis_url() -> str:
    """The test run's Redis with the next database number (so keys never mix with the suite's)."""
    base = os.environ.get("REDIS_URL") or getattr(settings, "REDIS_URL", "")
    if not base:
        pytest.fail(
            "The Celery integration test needs Redis: set REDIS_URL (make test sets "
            "redis://127.0.0.1:6379/0).",
            pytrace=False,
        )
    parsed = urlparse(base)
    number = int((parsed.path or "/0").strip("/") or 0)
    return parsed._replace(path=f"/{(number + 1) % 16}").geturl()


def require_redis(url: str):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(
            f"The Celery integration test needs the broker, but Redis does not answer at {url} "
            f"({error}). Start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 "
            "--save '' --appendonly no",
            pytrace=False,
        )
    return client


def database_url() -> str:
    """DATABASE_URL of the database this test runs on (pytest-django's test_… database)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "postgres")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class Processes:
    """The subprocesses of the test, each in its own session, each with its log file."""

    def __init__(self, folder: Path, env: dict):
        self.folder, self.env, self.started = folder, env, []

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 (our own venv's celery, fixed arguments)
            [str(CELERY), "-A", "qms", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole, by its id
        )
        log.close()
        self.started.append((name, process))
        return process

    def check_alive(self):
        for name, process in self.started:
            if process.poll() is not None:
                pytest.fail(f"celery {name} exited with {process.returncode}:\n{self.logs()}", pytrace=False)

    def logs(self, tail: int = 4000) -> str:
        return "\n".join(
            f"--- {name} ---\n{(self.folder / f'{name}.log').read_text(errors='replace')[-tail:]}"
            for name, _ in self.started
        )

    def stop(self):
        for _name, process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def wait_for(condition, timeout: float, processes: Processes, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check_alive()
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"Timed out after {timeout} s waiting for {what}.\n{processes.logs()}", pytrace=False)


def last_sweep_finished():
    return SweepRun.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()


def test_worker_and_beat_deliver_one_reminder_end_to_end(tree, officer_a, tmp_path):
    redis_url = integration_redis_url()
    redis_client = require_redis(redis_url)
    queue = f"qms-integration-{uuid.uuid4().hex[:12]}"

    # One corrective action of unit_a, due yesterday and not done: overdue for its officer, who
    # is also its owner (one recipient). Overdue by one day, so it stays "overdue" (no escalation)
    # even if the test runs across midnight.
    today = timezone.localdate()
    nonconformity = Nonconformity.objects.create(
        unit=tree.unit_a,
        source=Nonconformity.Source.DIRECT,
        title="Hồ sơ một cửa trả trễ hạn",
        description="Ba hồ sơ trả trễ trong tháng.",
        raised_on=today - datetime.timedelta(days=20),
        raised_by=officer_a,
    )
    action = CorrectiveAction.objects.create(
        nonconformity=nonconformity,
        root_cause="Thiếu người tiếp nhận.",
        action="Bố trí thêm cán bộ một cửa",
        owner=officer_a,
        due_on=today - datetime.timedelta(days=1),
    )
    # The schedule beat reads from the database: the sweep every two seconds, on our queue.
    every, _ = IntervalSchedule.objects.get_or_create(every=EVERY_SECONDS, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="integration: sweep every 2 seconds", task="reminders.sweep", interval=every, queue=queue
    )

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qms.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "PYTHONUNBUFFERED": "1",
    }
    processes = Processes(tmp_path, env)
    try:
        processes.start(
            "worker",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            f"--queues={queue}",
            f"--hostname={queue}@%h",
        )
        processes.start(
            "beat",
            "beat",
            "--loglevel=INFO",
            "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
            "--max-interval=1",
            f"--schedule={tmp_path / 'beat-schedule'}",
        )

        notifications = Notification.objects.filter(user=officer_a)
        wait_for(notifications.exists, DELIVERY_TIMEOUT, processes, "the reminder's notification")

        # Let beat fire a few more sweeps: each rewrites SweepRun.finished_at.
        seen = {last_sweep_finished()}
        wait_for(
            lambda: seen.add(last_sweep_finished()) or len(seen) > FURTHER_SWEEPS,
            FURTHER_SWEEPS * EVERY_SECONDS * 5,
            processes,
            f"{FURTHER_SWEEPS} more sweeps",
        )
    finally:
        processes.stop()
        # The queue and kombu's bindings of it ("_kombu.binding…<queue>"): leave nothing behind.
        redis_client.delete(queue, *redis_client.scan_iter(match=f"_kombu.binding*{queue}*"))

    # Exactly one reminder in the outbox, sent once, and one notification: no duplicates.
    reminder = Reminder.objects.get()
    assert (reminder.rule, reminder.object_key) == ("action_due", f"audits.correctiveaction:{action.pk}")
    assert (reminder.recipient, reminder.stage, reminder.due_on) == (officer_a, "overdue", action.due_on)
    assert (reminder.state, reminder.attempts) == (Reminder.State.SENT, 1)
    notification = Notification.objects.get()
    assert (notification.user, notification.reminder, notification.read_at) == (officer_a, reminder, None)
    assert "Bố trí thêm cán bộ một cửa" in notification.title
    assert notification.url.endswith(f"#action-{action.pk}")
    worker_log = (tmp_path / "worker.log").read_text(errors="replace")
    assert worker_log.count("] succeeded in") >= 1 + FURTHER_SWEEPS, processes.logs()
