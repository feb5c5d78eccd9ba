"""The daily email digest: one mail per user per day, in Vietnamese, rather than a mail per item.

A user gets the digest once the day's `Preference.digest_time` (Vietnam time) has passed, if
email is on (the default), the account is active and has an address, and unread notifications
arrived since the last digest (at most DIGEST_WINDOW back). The Digest row (unique per user and
day) is inserted before the mail is sent, in the same transaction: a second worker blocks on the
insert and then finds the row, so it cannot send the same digest; if sending raises, the
transaction rolls back, the row disappears and the next run retries.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core.templatetags.qms import person
from reminders.models import Digest, Notification, Preference, Stage

logger = logging.getLogger(__name__)

DIGEST_WINDOW = datetime.timedelta(days=1)
# The most urgent first.
STAGE_ORDER = [Stage.ESCALATED, Stage.OVERDUE, Stage.DUE, Stage.UPCOMING]
DIGEST_LANGUAGE = "vi"


@dataclass
class DigestResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # sent by another worker meanwhile
    users: list[int] = field(default_factory=list)

    def as_dict(self):
        return {"sent": self.sent, "failed": self.failed, "skipped": self.skipped}


def _candidates(now: datetime.datetime, day: datetime.date):
    """Users who may get a digest today, with their preference and the start of their window."""
    earliest = now - DIGEST_WINDOW
    last_sent = Subquery(
        Digest.objects.filter(user=OuterRef("pk"), sent_at__isnull=False)
        .order_by("-sent_at")
        .values("sent_at")[:1]
    )
    news = Notification.objects.filter(user=OuterRef("pk"), created_at__gt=earliest).unread()
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(Exists(news))
        .exclude(Exists(Digest.objects.filter(user=OuterRef("pk"), day=day)))
        .exclude(reminder_preference__email_enabled=False)
        .annotate(
            last_sent=last_sent,
            digest_time=Subquery(Preference.objects.filter(user=OuterRef("pk")).values("digest_time")[:1]),
        )
        .only("pk", "username", "first_name", "last_name", "email")
    )


def due_users(now: datetime.datetime | None = None) -> list:
    """The users whose digest is due now (one query)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    day = local.date()
    return [
        user
        for user in _candidates(now, day)
        if (user.digest_time or Preference.DEFAULT_DIGEST_TIME) <= local.time()
    ]


def absolute_url(url: str) -> str:
    """A link for a mail: the site's address before a path; the notification list if none."""
    if url.startswith(("http://", "https://")):
        return url
    if not url:
        return settings.SITE_URL + reverse("reminders:notification_list")
    return settings.SITE_URL + (url if url.startswith("/") else "/" + url)


def render_digest(user, notifications: list[Notification], day: datetime.date) -> tuple[str, str]:
    """(subject, body) of a user's digest, in Vietnamese."""
    groups = defaultdict(list)
    for notification in notifications:
        notification.link = absolute_url(notification.url)
        groups[notification.stage].append(notification)
    with translation.override(DIGEST_LANGUAGE):
        context = {
            "user": user,
            "name": person(user),
            "day": day,
            "total": len(notifications),
            "site_url": settings.SITE_URL,
            "groups": [
                {"stage": stage, "label": stage.label, "notifications": groups[stage]}
                for stage in STAGE_ORDER
                if groups.get(stage)
            ]
            + [
                {"stage": "", "label": "", "notifications": items}
                for stage, items in groups.items()
                if stage not in STAGE_ORDER
            ],
        }
        subject = render_to_string("reminders/digest_subject.txt", context)
        body = render_to_string("reminders/digest_email.txt", context)
    return " ".join(subject.split()), body


def send_digest(user, notifications: list[Notification], day: datetime.date, now: datetime.datetime) -> bool:
    """Send one user's digest of `day`, unless another worker did; True when this call sent it.

    `sent_at` is the `now` up to which notifications were read, so that anything created while
    the mail was being sent goes into the next digest.
    """
    try:
        with transaction.atomic():
            # Inserted first: a concurrent worker waits on this row and then fails its insert.
            digest = Digest.objects.create(user=user, day=day, items=len(notifications))
            subject, body = render_digest(user, notifications, day)
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
            digest.sent_at = now
            digest.save(update_fields=["sent_at"])
    except IntegrityError:
        return False
    return True


def send_digests(now: datetime.datetime | None = None) -> DigestResult:
    """Send every digest that is due now. Two queries, then a few per user mailed."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    result = DigestResult()
    users = due_users(now)
    if not users:
        return result
    earliest = now - DIGEST_WINDOW
    starts = {user.pk: max(user.last_sent, earliest) if user.last_sent else earliest for user in users}
    by_user = defaultdict(list)
    notifications = (
        Notification.objects.filter(user_id__in=starts, created_at__gt=earliest, created_at__lte=now)
        .unread()
        .order_by("due_on", "created_at", "id")
        .only("user_id", "title", "url", "stage", "due_on", "created_at")
    )
    for notification in notifications:
        # Only what arrived since the user's last digest.
        if notification.created_at > starts[notification.user_id]:
            by_user[notification.user_id].append(notification)
    for user in users:
        if not by_user.get(user.pk):
            continue
        try:
            if send_digest(user, by_user[user.pk], day, now):
                result.sent += 1
                result.users.append(user.pk)
            else:
                result.skipped += 1
        except Exception:
            logger.exception("the reminder digest of user %s could not be sent", user.pk)
            result.failed += 1
    return result
