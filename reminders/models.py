"""Reminders: per-unit thresholds, the outbox of what falls due, in-app notifications, digests.

The outbox (`Reminder`) has one row per (rule, object, due date, stage, lead, recipient): the
sweep inserts with ON CONFLICT DO NOTHING, so a re-run or two beats never duplicate a row, and
delivery claims each row with a compare-and-set update, so nothing is sent twice or lost.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    UPCOMING = "upcoming", _("upcoming")
    DUE = "due", _("due today")
    OVERDUE = "overdue", _("overdue")
    ESCALATED = "escalated", _("escalated")


def parse_lead_days(text: str) -> tuple[int, ...]:
    """ "30, 7" → (30, 7): distinct positive day counts, largest first. Raises ValidationError."""
    values = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 0 < int(part) <= 366:
            raise ValidationError(
                _("Lead days must be whole numbers of days between 1 and 366, separated by commas.")
            )
        values.append(int(part))
    return tuple(sorted(set(values), reverse=True))


def validate_lead_days(text: str) -> None:
    parse_lead_days(text)


class RuleSetting(models.Model):
    """A unit subtree's own thresholds for one rule (a province sets its own lead days).

    The nearest setting on the unit's path wins; a setting without a unit applies everywhere.
    Empty fields fall back to the next setting up the path, then to the rule's defaults.
    """

    rule = models.CharField(_("rule"), max_length=100, db_index=True)
    unit = models.ForeignKey(
        "communes.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_settings",
        verbose_name=_("unit"),
        help_text=_("Applies to this unit and its subtree; empty: everywhere."),
    )
    lead_days = models.CharField(
        _("lead days"),
        max_length=100,
        blank=True,
        validators=[validate_lead_days],
        help_text=_("Days before the due date to remind, separated by commas, e.g. 30,7. Empty: default."),
    )
    escalate_after = models.PositiveSmallIntegerField(
        _("escalate after (working days)"),
        null=True,
        blank=True,
        help_text=_("Working days overdue before escalation. Empty: default."),
    )
    month = models.PositiveSmallIntegerField(
        _("by month"),
        null=True,
        blank=True,
        help_text=_("For the once-a-year rules: the month by the end of which it must be held."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["rule", "unit__path"]
        verbose_name = _("reminder rule setting")
        verbose_name_plural = _("reminder rule settings")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "unit"], condition=Q(unit__isnull=False), name="rulesetting_one_per_unit"
            ),
            models.UniqueConstraint(
                fields=["rule"], condition=Q(unit__isnull=True), name="rulesetting_one_global"
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="rulesetting_month_1_12",
            ),
        ]

    def __str__(self):
        return f"{self.rule} — {self.unit or _('everywhere')}"

    def get_absolute_url(self):
        return reverse("admin:reminders_rulesetting_change", args=[self.pk])

    @property
    def lead_days_tuple(self) -> tuple[int, ...] | None:
        return parse_lead_days(self.lead_days) if self.lead_days.strip() else None

    def clean(self):
        super().clean()
        from reminders.rules import base

        if self.rule and self.rule not in {r.key for r in base.all_rules()}:
            raise ValidationError({"rule": _("There is no reminder rule with this key.")})


class Reminder(models.Model):
    """The outbox: one reminder of one object, at one stage, for one recipient."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        CLAIMED = "claimed", _("being delivered")
        SENT = "sent", _("sent")
        FAILED = "failed", _("delivery failed")

    rule = models.CharField(_("rule"), max_length=100)
    object_key = models.CharField(_("object"), max_length=150)
    unit = models.ForeignKey(
        "communes.Unit",
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("unit"),
        db_index=False,  # units are never deleted; every index slows the sweep's inserts
    )
    due_on = models.DateField(_("due on"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    # The lead in days for an upcoming reminder, the escalation level for an escalated one, else 0.
    lead = models.PositiveSmallIntegerField(_("lead"), default=0)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("recipient"),
    )
    title = models.CharField(_("title"), max_length=500)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_key", "due_on", "stage", "lead", "recipient"],
                name="reminder_unique_key",
            ),
        ]
        indexes = [
            # Delivery looks only at the rows not sent yet: a small index however large the
            # outbox grows (sent rows drop out of it).
            models.Index(fields=["id"], condition=~Q(state="sent"), name="reminder_to_deliver"),
        ]

    def __str__(self):
        return f"{self.title} → {self.recipient} ({self.get_stage_display()})"

    def get_absolute_url(self):
        return reverse("admin:reminders_reminder_change", args=[self.pk])


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notification: what the bell counts and /notifications/ lists."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
        db_index=False,  # the (user, read_at) index serves every lookup by user
    )
    reminder = models.OneToOneField(
        Reminder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification",
        verbose_name=_("reminder"),
    )
    title = models.CharField(_("title"), max_length=500)
    url = models.CharField(_("link"), max_length=500, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_read")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reminders:notification_open", args=[self.pk])

    @property
    def is_read(self):
        return self.read_at is not None


class Digest(models.Model):
    """The daily digest mail of one user: created before sending, so two workers cannot both send."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_digests",
        verbose_name=_("user"),
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    items = models.PositiveIntegerField(_("items"), default=0)

    class Meta:
        ordering = ["-day", "user_id"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_one_per_user_day")]

    def __str__(self):
        return f"{self.user} — {self.day:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("admin:reminders_digest_change", args=[self.pk])


class Preference(models.Model):
    """How a user wants to hear of reminders."""

    DEFAULT_DIGEST_TIME = datetime.time(7, 0)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("user"),
    )
    email_enabled = models.BooleanField(_("daily email digest"), default=True)
    digest_time = models.TimeField(
        _("digest time"),
        default=DEFAULT_DIGEST_TIME,
        help_text=_("The digest of the day's reminders is mailed after this time (Vietnam time)."),
    )

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self):
        return str(self.user)

    def get_absolute_url(self):
        return reverse("reminders:preferences")


class SweepRun(models.Model):
    """The last completed sweep of a day: lets delivery catch up a sweep that beat could not
    start (the broker was down at the scheduled time)."""

    day = models.DateField(_("day"), unique=True)
    finished_at = models.DateTimeField(_("finished at"))
    created = models.PositiveIntegerField(_("reminders added"), default=0)
    errors = models.TextField(_("errors"), blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")

    def __str__(self):
        return f"{self.day:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("admin:reminders_sweeprun_change", args=[self.pk])
