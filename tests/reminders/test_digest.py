"""The daily digest: one mail per user per day, in Vietnamese, respecting the preferences."""

import datetime
import threading
import zoneinfo

import pytest
from django.core import mail
from django.db import connection
from django.utils import translation

from reminders.models import Digest, Notification, Preference, Stage
from reminders.services import digest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
MORNING = datetime.datetime(2025, 3, 10, 8, 0, tzinfo=VN)  # after the default 07:00


def _notify(user, title, stage=Stage.DUE, at=MORNING - datetime.timedelta(hours=2), **fields):
    notification = Notification.objects.create(
        user=user,
        title=title,
        url=fields.pop("url", "/documents/1/"),
        stage=stage,
        due_on=fields.pop("due_on", datetime.date(2025, 3, 10)),
        **fields,
    )
    Notification.objects.filter(pk=notification.pk).update(created_at=at)
    return notification


@pytest.fixture
def user(db):
    return UserFactory(username="lan", first_name="Lan", last_name="Trần Thị", email="lan@example.vn")


def test_one_mail_lists_the_new_notifications_grouped_by_stage(user, settings):
    settings.SITE_URL = "https://qms.example.vn"
    _notify(user, "Rà soát QT-01", Stage.UPCOMING, url="/documents/1/", due_on=datetime.date(2025, 3, 17))
    _notify(
        user, "Báo cáo đánh giá nội bộ", Stage.OVERDUE, url="/audits/4/", due_on=datetime.date(2025, 3, 1)
    )
    _notify(
        user, "Hành động khắc phục", Stage.ESCALATED, url="/actions/9/", due_on=datetime.date(2025, 2, 20)
    )
    result = digest.send_digests(now=MORNING)
    assert result.as_dict() == {"sent": 1, "failed": 0, "skipped": 0}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lan@example.vn"]
    body = message.body
    assert "Trần Thị Lan" in body
    assert "Rà soát QT-01 (" in body and "17/03/2025" in body
    assert "https://qms.example.vn/documents/1/" in body
    assert "https://qms.example.vn/audits/4/" in body
    assert "https://qms.example.vn/actions/9/" in body
    assert "https://qms.example.vn/notifications/preferences/" in body
    # Grouped, the most urgent first, with the stage names of the Vietnamese interface.
    with translation.override("vi"):
        labels = [str(stage.label).upper() for stage in (Stage.ESCALATED, Stage.OVERDUE, Stage.UPCOMING)]
    positions = [body.index(label) for label in labels]
    assert positions == sorted(positions)
    assert (
        body.index("Hành động khắc phục")
        < body.index("Báo cáo đánh giá nội bộ")
        < body.index("Rà soát QT-01")
    )
    assert "10/03/2025" in message.subject
    assert "\n" not in message.subject
    assert Digest.objects.get(user=user).items == 3


def test_the_digest_is_rendered_in_vietnamese_whatever_the_active_language(user):
    _notify(user, "Rà soát QT-01")
    with translation.override("en"):
        subject, body = digest.render_digest(
            user, list(Notification.objects.all()), datetime.date(2025, 3, 10)
        )
    with translation.override("vi"):
        expected_subject, expected_body = digest.render_digest(
            user, list(Notification.objects.all()), datetime.date(2025, 3, 10)
        )
    assert (subject, body) == (expected_subject, expected_body)


def test_one_mail_per_user_per_day(user):
    _notify(user, "Một")
    digest.send_digests(now=MORNING)
    _notify(user, "Hai", at=MORNING + datetime.timedelta(hours=1))
    result = digest.send_digests(now=MORNING + datetime.timedelta(hours=2))
    assert result.sent == 0
    assert len(mail.outbox) == 1
    # The next day brings what arrived since the last digest, and only that.
    digest.send_digests(now=MORNING + datetime.timedelta(days=1))
    assert len(mail.outbox) == 2
    assert "Hai" in mail.outbox[1].body
    assert "Một" not in mail.outbox[1].body


def test_email_off_sends_nothing(user):
    Preference.objects.create(user=user, email_enabled=False)
    _notify(user, "Một")
    assert digest.send_digests(now=MORNING).sent == 0
    assert mail.outbox == []


def test_nothing_before_the_digest_time(user):
    Preference.objects.create(user=user, digest_time=datetime.time(9, 30))
    _notify(user, "Một")
    assert digest.send_digests(now=MORNING).sent == 0  # 08:00
    assert digest.send_digests(now=MORNING.replace(hour=9, minute=31)).sent == 1
    assert len(mail.outbox) == 1


def test_nothing_without_news_an_address_or_an_active_account(user):
    read = _notify(user, "Đã đọc")
    Notification.objects.filter(pk=read.pk).update(read_at=MORNING)
    old = UserFactory(username="old", email="old@example.vn")
    _notify(old, "Cũ", at=MORNING - datetime.timedelta(days=3))
    no_address = UserFactory(username="noaddress", email="")
    _notify(no_address, "Không địa chỉ")
    gone = UserFactory(username="gone", is_active=False)
    _notify(gone, "Nghỉ")
    assert digest.send_digests(now=MORNING).as_dict() == {"sent": 0, "failed": 0, "skipped": 0}
    assert mail.outbox == []


def test_a_failed_send_is_retried(user, monkeypatch):
    _notify(user, "Một")

    def broken(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    result = digest.send_digests(now=MORNING)
    assert (result.sent, result.failed) == (0, 1)
    assert not Digest.objects.exists()
    monkeypatch.undo()
    assert digest.send_digests(now=MORNING + datetime.timedelta(minutes=15)).sent == 1
    assert len(mail.outbox) == 1


def test_due_users_is_one_query(user, django_assert_num_queries):
    for index in range(5):
        other = UserFactory(username=f"u{index}")
        _notify(other, "Một")
    with django_assert_num_queries(1):
        users = digest.due_users(MORNING)
    assert len(users) == 5


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_mail():
    user = UserFactory(username="race", email="race@example.vn")
    _notify(user, "Một")
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(digest.send_digests(now=MORNING).sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert len(mail.outbox) == 1
    assert Digest.objects.filter(user=user).count() == 1
