"""Redis down: the web pages keep working; Redis back: the sweep catches up (issue 6, "Done when").

The machine's Redis is never stopped (the rest of the suite uses it). The app is pointed, cache
and broker alike, at a free port where nothing listens: Redis is down. Then a throwaway
`redis-server` is started on that very port, as when the real one comes back, and stopped by its
process id at the end.

What beat meets while Redis is down: publishing the 06:00 sweep raises, the message is lost and
beat moves on to the next day's run. The catch-up is in the data: the next delivery run
(`reminders.deliver`, every 15 minutes) sees that no sweep completed today and runs it, and the
sweep computes from the records, so a lead that passed while Redis was down still fires once.
"""

import datetime
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from audits.models import CorrectiveAction, Nonconformity
from documents.models import Document, ReviewRecord
from qms.celery import app as celery_app
from reminders import tasks
from reminders.models import Notification, Preference, Reminder, SweepRun
from reminders.services import sweep as sweeping
from tests.documents.factories import DocumentFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A throwaway redis-server on `port`: nothing kept on disk, loopback only."""

    def __init__(self, port: int, folder):
        self.port, self.folder, self.process = port, folder, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server).", pytrace=False)
        self.process = subprocess.Popen(  # noqa: S603 (a fixed command line)
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--daemonize", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return client
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {self.port}.", pytrace=False)
                time.sleep(0.1)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def point_celery_at(url: str):
    """Point the (already configured) Celery app at another broker and drop its connection pools,
    so that the next publish connects there."""
    celery_app.conf.broker_url = url
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")  # a cached property: only if already built
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def redis_server(tmp_path):
    """A Redis URL where nothing listens yet, for cache and broker; `.start()` brings it up."""
    server = RedisServer(free_port(), tmp_path)
    original = celery_app.conf.broker_url
    # The cache of the settings when REDIS_URL is set (make test sets it), on the dead port.
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": settings.CACHES["default"].get("OPTIONS", {}),
        }
    }
    try:
        with override_settings(CACHES=caches, CELERY_BROKER_URL=server.url):
            point_celery_at(server.url)
            yield server
    finally:
        point_celery_at(original)
        server.stop()


def run_queued_tasks() -> list[tuple[str, dict]]:
    """What a worker does with the messages of the default queue: run each task, then ack it."""
    done = []
    with celery_app.connection_for_read() as connection:
        queue = connection.SimpleQueue(celery_app.conf.task_default_queue)
        try:
            while True:
                try:
                    message = queue.get(timeout=1)
                except queue.Empty:
                    return done
                args, kwargs, _embed = message.decode()
                name = message.headers["task"]
                result = celery_app.tasks[name].apply(args=args, kwargs=kwargs, task_id=message.headers["id"])
                message.ack()
                done.append((name, result.get()))
        finally:
            queue.close()


def health(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    return {name: check["status"] for name, check in response.json()["checks"].items()}


def test_pages_work_with_redis_down_and_the_sweep_catches_up_when_it_is_back(
    tree, officer_a, client, redis_server, monkeypatch
):
    # The scheduled sweep time is put at midnight, so that "today's sweep was missed" holds
    # whatever the hour this test runs at.
    monkeypatch.setattr(sweeping, "SWEEP_TIME", datetime.time(0, 0))
    today = timezone.localdate()
    # Due while Redis is down: a document review in 5 days (its 30- and 7-day leads passed),
    # and a corrective action due 3 days ago (overdue, not yet escalated: < 5 working days).
    review_due = DocumentFactory(
        unit=tree.unit_a,
        code="QT-05",
        status=Document.Status.EFFECTIVE,
        next_review_on=today + datetime.timedelta(days=5),
    )
    later = DocumentFactory(
        unit=tree.unit_a,
        code="QT-06",
        status=Document.Status.EFFECTIVE,
        next_review_on=today + datetime.timedelta(days=90),
    )
    action = CorrectiveAction.objects.create(
        nonconformity=Nonconformity.objects.create(
            unit=tree.unit_a,
            source=Nonconformity.Source.DIRECT,
            title="Hồ sơ trả trễ hạn",
            description="Trễ hạn.",
            raised_on=today - datetime.timedelta(days=30),
            raised_by=officer_a,
        ),
        root_cause="Thiếu người.",
        action="Bố trí thêm cán bộ một cửa",
        owner=officer_a,
        due_on=today - datetime.timedelta(days=3),
    )

    # --- Redis is down ---------------------------------------------------------------------
    # Logging in (a form, sessions in the database) and the pages of every day answer.
    response = client.post(reverse("login"), {"username": officer_a.username, "password": "pw-12345"})
    assert response.status_code == 302
    for url in (
        reverse("core:dashboard"),
        reverse("reminders:notification_list"),
        reverse("documents:document_list"),
        review_due.get_absolute_url(),
        reverse("reminders:preferences"),
    ):
        assert client.get(url).status_code == 200, url
    # Saving forms: a review of a document, the user's preferences.
    response = client.post(
        reverse("documents:document_review", args=[later.pk]),
        {"reviewed_on": today.isoformat(), "outcome": ReviewRecord.Outcome.VALID, "note": ""},
    )
    assert response.status_code == 302
    assert ReviewRecord.objects.filter(document=later).count() == 1
    response = client.post(reverse("reminders:preferences"), {"email_enabled": "", "digest_time": "18:30"})
    assert response.status_code == 302
    assert Preference.objects.get(user=officer_a).digest_time == datetime.time(18, 30)
    # The health check says so, in time, and the site counts as up (the database answers).
    assert health(client) == {"database": "ok", "cache": "error", "broker": "error"}
    # Beat's 06:00 sweep cannot be published: lost, nothing written.
    started = time.monotonic()
    with pytest.raises(OperationalError):
        tasks.sweep.delay()
    assert time.monotonic() - started < 10
    assert not Reminder.objects.exists()
    assert not SweepRun.objects.exists()

    # --- Redis is back (on the same address) -------------------------------------------------
    server = redis_server.start()
    assert health(client) == {"database": "ok", "cache": "ok", "broker": "ok"}
    # The next delivery run of beat goes through the broker; a worker takes it.
    tasks.deliver.delay()
    assert server.llen(celery_app.conf.task_default_queue) == 1
    [(name, result)] = run_queued_tasks()
    assert name == "reminders.deliver"
    assert result["sweep"]["created"] == 2, result  # today's missed sweep, caught up
    assert result["delivery"] == {"claimed": 2, "sent": 2, "failed": 0}
    assert SweepRun.objects.get().day == today

    # The lead that passed while Redis was down fires once (the nearest one: 7 days), and the
    # overdue action once; both delivered.
    rows = set(Reminder.objects.values_list("rule", "object_key", "stage", "lead", "recipient", "state"))
    assert rows == {
        ("document_review", f"documents.document:{review_due.pk}", "upcoming", 7, officer_a.pk, "sent"),
        ("action_due", f"audits.correctiveaction:{action.pk}", "overdue", 0, officer_a.pk, "sent"),
    }
    assert Notification.objects.filter(user=officer_a).count() == 2
    page = client.get(reverse("reminders:notification_list"))
    assert page.status_code == 200
    assert "QT-05" in page.content.decode() and "Bố trí thêm cán bộ một cửa" in page.content.decode()

    # Later runs (beat goes on: the sweep, deliveries) add nothing.
    tasks.sweep.delay()
    tasks.deliver.delay()
    results = dict(run_queued_tasks())
    assert results["reminders.sweep"]["sweep"]["created"] == 0
    assert results["reminders.sweep"]["delivery"]["sent"] == 0
    assert "sweep" not in results["reminders.deliver"]  # today's sweep is done: no catch-up
    assert results["reminders.deliver"]["delivery"]["sent"] == 0
    assert Reminder.objects.count() == 2
    assert Notification.objects.count() == 2
