"""Citizen satisfaction at the one-stop desk and the one-stop record counts.

Satisfaction is measured on the one-stop criteria (online survey, paper forms, rating devices);
the rate feeds the management review inputs (ISO 9001:2015 §9.1.2, §9.3.2 c) and the annual
scoring. Record counts come from two sources (the one-stop software and the paper tracking book,
sổ theo dõi hồ sơ) and are reconciled per unit and month.

A rating is 1..5 (1 very dissatisfied … 5 very satisfied); "satisfied" means 4 or 5.
Satisfaction rate = satisfied / rated, per criterion; "the" rate of a unit is the overall criterion.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import UnitScopedModel

User = settings.AUTH_USER_MODEL

CRITERIA = ("timeliness", "visits", "attitude", "information", "fees", "overall")
CRITERION_LABELS = {
    "timeliness": _("timeliness"),
    "visits": _("number of visits needed"),
    "attitude": _("staff attitude"),
    "information": _("accuracy of the published information"),
    "fees": _("fees as published"),
    "overall": _("overall satisfaction"),
}
CRITERION_CHOICES = [(key, CRITERION_LABELS[key]) for key in CRITERIA]

RATING_MIN = 1
RATING_MAX = 5
SATISFIED_MIN = 4  # 4 = satisfied, 5 = very satisfied
COMMENT_MAX = 2000
CONTACT_MAX = 200


def _rating_field(label, *, required=False):
    return models.PositiveSmallIntegerField(label, null=not required, blank=not required)


def _rating_check(field, *, required=False):
    in_range = Q(**{f"{field}__gte": RATING_MIN, f"{field}__lte": RATING_MAX})
    return models.CheckConstraint(
        condition=in_range if required else Q(**{f"{field}__isnull": True}) | in_range,
        name=f"survey_response_{field}_1_5",
    )


class Response(UnitScopedModel):
    """One citizen's online answer to the public survey of a unit (no login; no raw IP kept)."""

    procedure = models.ForeignKey(
        "documents.Procedure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("administrative procedure"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    timeliness = _rating_field(CRITERION_LABELS["timeliness"])
    visits = _rating_field(CRITERION_LABELS["visits"])
    attitude = _rating_field(CRITERION_LABELS["attitude"])
    information = _rating_field(CRITERION_LABELS["information"])
    fees = _rating_field(CRITERION_LABELS["fees"])
    overall = _rating_field(CRITERION_LABELS["overall"], required=True)
    comment = models.TextField(_("comment"), blank=True)
    contact = models.CharField(_("contact"), max_length=CONTACT_MAX, blank=True)
    # sha256 of (client address + SECRET_KEY): enough to rate-limit, never the raw address.
    client_key = models.CharField(_("client key"), max_length=64, db_index=True, editable=False)
    nonconformity = models.OneToOneField(
        "audits.Nonconformity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_response",
        verbose_name=_("nonconformity raised"),
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [_rating_check(field, required=field == "overall") for field in CRITERIA]
        indexes = [models.Index(fields=["unit", "submitted_at"], name="survey_response_unit_time")]

    def __str__(self):
        return _("Response of %(time)s, %(unit)s") % {
            "time": f"{timezone.localtime(self.submitted_at):%d/%m/%Y %H:%M}",
            "unit": self.unit,
        }

    def get_absolute_url(self):
        return f"{reverse('surveys:response_list')}?unit={self.unit_id}#response-{self.pk}"

    def ratings(self) -> dict:
        """{criterion: rating or None}."""
        return {key: getattr(self, key) for key in CRITERIA}


class Tally(UnitScopedModel):
    """Paper forms or a rating device, aggregated per period and criterion."""

    class Channel(models.TextChoices):
        PAPER = "paper", _("paper forms")
        DEVICE = "device", _("rating device")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    procedure = models.ForeignKey(
        "documents.Procedure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("administrative procedure"),
        help_text=_("Empty: all procedures together."),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    criterion = models.CharField(_("criterion"), max_length=20, choices=CRITERION_CHOICES)
    very_satisfied = models.PositiveIntegerField(_("very satisfied (5)"), default=0)
    satisfied = models.PositiveIntegerField(_("satisfied (4)"), default=0)
    neutral = models.PositiveIntegerField(_("neutral (3)"), default=0)
    dissatisfied = models.PositiveIntegerField(_("dissatisfied (2)"), default=0)
    very_dissatisfied = models.PositiveIntegerField(_("very dissatisfied (1)"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    history = HistoricalRecords()

    # (field, rating) from 5 down to 1
    COUNT_FIELDS = (
        ("very_satisfied", 5),
        ("satisfied", 4),
        ("neutral", 3),
        ("dissatisfied", 2),
        ("very_dissatisfied", 1),
    )

    class Meta:
        ordering = ["-period_start", "unit__path", "channel", "criterion", "pk"]
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="survey_tally_period"
            ),
            models.UniqueConstraint(
                fields=["unit", "channel", "procedure", "criterion", "period_start", "period_end"],
                condition=Q(procedure__isnull=False),
                name="survey_tally_unique_procedure",
            ),
            models.UniqueConstraint(
                fields=["unit", "channel", "criterion", "period_start", "period_end"],
                condition=Q(procedure__isnull=True),
                name="survey_tally_unique_all",
            ),
        ]

    def __str__(self):
        return _("%(channel)s, %(unit)s, %(start)s–%(end)s, %(criterion)s") % {
            "channel": self.get_channel_display(),
            "unit": self.unit,
            "start": f"{self.period_start:%d/%m/%Y}",
            "end": f"{self.period_end:%d/%m/%Y}",
            "criterion": self.get_criterion_display(),
        }

    def get_absolute_url(self):
        return reverse("surveys:tally_update", args=[self.pk])

    @property
    def total(self) -> int:
        return sum(getattr(self, field) for field, _rating in self.COUNT_FIELDS)

    @property
    def satisfied_total(self) -> int:
        return self.very_satisfied + self.satisfied


class RecordCount(UnitScopedModel):
    """One-stop record counts of a unit for one month from one source (procedure null = all)."""

    class Source(models.TextChoices):
        SOFTWARE = "software", _("one-stop software")
        BOOK = "book", _("tracking book")

    COUNT_FIELDS = ("received", "on_time", "late", "pending", "returned")

    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    procedure = models.ForeignKey(
        "documents.Procedure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("administrative procedure"),
        help_text=_("Empty: all procedures together."),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    received = models.PositiveIntegerField(_("received"), default=0)
    on_time = models.PositiveIntegerField(_("resolved on time"), default=0)
    late = models.PositiveIntegerField(_("resolved late"), default=0)
    pending = models.PositiveIntegerField(_("pending"), default=0)
    returned = models.PositiveIntegerField(_("returned"), default=0)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("updated by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "unit__path", "source", "procedure__code", "pk"]
        verbose_name = _("record count")
        verbose_name_plural = _("record counts")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="survey_recordcount_first_of_month"),
            models.UniqueConstraint(
                fields=["unit", "source", "procedure", "month"],
                condition=Q(procedure__isnull=False),
                name="survey_recordcount_unique_procedure",
            ),
            models.UniqueConstraint(
                fields=["unit", "source", "month"],
                condition=Q(procedure__isnull=True),
                name="survey_recordcount_unique_all",
            ),
        ]
        indexes = [models.Index(fields=["unit", "month"], name="survey_recordcount_unit_month")]

    def __str__(self):
        return _("%(source)s, %(unit)s, %(month)s") % {
            "source": self.get_source_display(),
            "unit": self.unit,
            "month": f"{self.month:%m/%Y}",
        }

    def get_absolute_url(self):
        return reverse("surveys:record_update", args=[self.pk])

    def counts(self) -> dict:
        return {field: getattr(self, field) for field in self.COUNT_FIELDS}


class Reconciliation(UnitScopedModel):
    """The decision on a (unit, month) where the software and the tracking book disagree."""

    class Status(models.TextChoices):
        OPEN = "open", _("not yet explained")
        EXPLAINED = "explained", _("explained")
        CORRECTED = "corrected", _("corrected")

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "unit__path"]
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="survey_reconciliation_first_of_month"),
            models.UniqueConstraint(fields=["unit", "month"], name="survey_reconciliation_unique"),
        ]

    def __str__(self):
        return _("Reconciliation of %(unit)s, %(month)s") % {
            "unit": self.unit,
            "month": f"{self.month:%m/%Y}",
        }

    def get_absolute_url(self):
        return f"{reverse('surveys:reconciliation')}?unit={self.unit_id}"
