"""Writes of the inbox: a user marks their own notifications read and sets their preferences."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reminders.models import Notification, Preference


def mark_read(*, user, notification: Notification) -> Notification:
    """Mark one of the user's notifications read (again: nothing changes)."""
    if notification.user_id != user.pk:
        # The views look notifications up by owner (another user's answers 404); this guards
        # any other caller.
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk).unread().update(read_at=notification.read_at)
    return notification


def mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(user=user).unread().update(read_at=timezone.now())


def preference_of(user) -> Preference:
    """The user's preferences (the defaults, unsaved, when they never set any)."""
    try:
        return user.reminder_preference
    except Preference.DoesNotExist:
        return Preference(user=user)


@transaction.atomic
def preference_save(*, user, data: dict) -> Preference:
    """Save the user's preferences: `email_enabled` (bool) and `digest_time` (a time)."""
    digest_time = data.get("digest_time")
    if not isinstance(digest_time, datetime.time):
        raise ValidationError({"digest_time": _("Enter a valid time, e.g. 07:00.")})
    preference, _created = Preference.objects.update_or_create(
        user=user,
        defaults={
            "email_enabled": bool(data.get("email_enabled")),
            "digest_time": digest_time.replace(tzinfo=None),
        },
    )
    return preference
