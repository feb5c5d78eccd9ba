"""Quality objectives and their indicators (ISO 9001:2015 §6.2 and §9.1).

Each unit sets objectives per year; each objective has measurable indicators, measured per
period (month, quarter, half-year or year). A measurement passes when its value meets the target
in the indicator's direction; a period that has ended without a measurement is overdue once the
grace days have passed. The supervisor may flag an indicator that does not fit its objective.
An indicator may name a feed (certification.feeds): a figure the system computes (the one-stop
on-time rate, say), shown beside the field when the officer records a measurement.
"""

import calendar
import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ScopedQuerySet, UnitScopedModel

# Days after the end of a period by which its measurement is expected.
MEASUREMENT_GRACE_DAYS = 10


class Objective(UnitScopedModel):
    """A quality objective of a unit for one year (§6.2), with the person responsible."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    statement = models.TextField(_("objective"))
    owner = models.CharField(_("responsible"), max_length=200, help_text=_("Name or position."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__path", "-year", "order", "pk"]
        verbose_name = _("quality objective")
        verbose_name_plural = _("quality objectives")
        indexes = [models.Index(fields=["unit", "year"], name="objective_unit_year")]

    def __str__(self):
        return self.statement[:80]

    def get_absolute_url(self):
        return reverse("certification:objective_detail", args=[self.pk])


class Indicator(models.Model):
    """A measurable indicator of an objective (§9.1.1): a target in a direction, per period."""

    scope_unit_field = "objective__unit"

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        HALF_YEARLY = "half_yearly", _("half-yearly")
        YEARLY = "yearly", _("yearly")

    # Periods per year and the months each period spans.
    PERIODS = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "yearly": 1}

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("objective")
    )
    name = models.CharField(_("indicator"), max_length=300)
    unit_of_measure = models.CharField(
        _("unit of measure"), max_length=40, help_text=_("e.g. %, days, files")
    )
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.AT_LEAST
    )
    frequency = models.CharField(
        _("frequency"), max_length=12, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # A figure computed elsewhere that the measurement can be read against (certification.feeds;
    # the choices are the registered feeds, offered by the form, not fixed here).
    feed = models.CharField(
        _("computed from"),
        max_length=40,
        blank=True,
        help_text=_("Optional: a figure the system computes, shown when a measurement is recorded."),
    )
    procedure = models.ForeignKey(
        "documents.Procedure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("administrative procedure"),
        help_text=_("Optional: the feed's figure for this procedure only."),
    )
    flagged = models.BooleanField(_("flagged by the supervisor"), default=False)
    flag_comment = models.TextField(_("why it does not fit"), blank=True)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("flagged by"),
    )
    flagged_on = models.DateField(_("flagged on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["objective", "order", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        indexes = [
            models.Index(fields=["flagged"], name="indicator_flagged", condition=models.Q(flagged=True))
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("certification:objective_detail", args=[self.objective_id]) + f"#indicator-{self.pk}"

    @property
    def period_count(self) -> int:
        return self.PERIODS[self.frequency]

    def period_bounds(self, year: int, period: int) -> tuple[datetime.date, datetime.date]:
        """First and last day of period `period` (1-based) of `year`."""
        months = 12 // self.period_count
        first_month = (period - 1) * months + 1
        last_month = first_month + months - 1
        return (
            datetime.date(year, first_month, 1),
            datetime.date(year, last_month, calendar.monthrange(year, last_month)[1]),
        )

    def due_on(self, year: int, period: int) -> datetime.date:
        """The day by which the measurement of a period is expected."""
        return self.period_bounds(year, period)[1] + datetime.timedelta(days=MEASUREMENT_GRACE_DAYS)

    def passes(self, value) -> bool:
        if self.direction == self.Direction.AT_MOST:
            return value <= self.target
        return value >= self.target


class Measurement(models.Model):
    """The value of an indicator for one period, with a comment (§9.1.1)."""

    scope_unit_field = "indicator__objective__unit"

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("indicator")
    )
    period = models.PositiveSmallIntegerField(
        _("period"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_on = models.DateField(_("recorded on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                name="measurement_once_per_period",
                violation_error_message=_("This period already has a measurement."),
            )
        ]

    def __str__(self):
        return f"{self.indicator} — {self.period}: {self.value}"

    @property
    def passed(self) -> bool:
        return self.indicator.passes(self.value)
