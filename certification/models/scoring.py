"""Annual scoring of the units' QMS, and the commendation that follows (thi đua, khen thưởng).

A supervisor opens a scoring round for a year with its criteria (data: code, title, maximum
points, how the evidence is gathered). Computed criteria take their figure from the system
(internal audit held, management review held, TTHC procedure coverage, overdue actions,
satisfaction); the others are scored by hand with a comment. Each unit's score sheet is
self-scored by its officer, finalised by the supervisor and approved by the steering committee.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ScopedQuerySet, UnitScopedModel


class ScoringRound(UnitScopedModel):
    """The scoring of one year, kept by a supervising unit (unit) for the units under it."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    self_score_due = models.DateField(_("self-scoring due on"), null=True, blank=True)
    commend_top = models.PositiveSmallIntegerField(
        _("units proposed for commendation"),
        default=3,
        help_text=_("How many of the best-ranked units are proposed for commendation."),
    )
    support_bottom = models.PositiveSmallIntegerField(
        _("units needing support"),
        default=3,
        help_text=_("How many of the lowest-ranked units are listed as needing support."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "unit__path"]
        verbose_name = _("scoring round")
        verbose_name_plural = _("scoring rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="scoring_round_once_per_year",
                violation_error_message=_("This unit already has a scoring round for this year."),
            )
        ]

    def __str__(self):
        return _("Scoring %(year)s of %(unit)s") % {"year": self.year, "unit": self.unit}

    def get_absolute_url(self):
        return reverse("certification:round_detail", args=[self.pk])


class Criterion(models.Model):
    """One scoring criterion of a round. `source` names a computed source
    (certification.scoring.SOURCES); empty means scored by hand."""

    scope_unit_field = "round__unit"

    round = models.ForeignKey(
        ScoringRound, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("scoring round")
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("criterion"), max_length=300)
    max_points = models.DecimalField(
        _("maximum points"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.5"))]
    )
    source = models.CharField(
        _("computed from"), max_length=40, blank=True, help_text=_("Empty: scored by hand with a comment.")
    )
    evidence = models.TextField(_("how the evidence is gathered"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["round", "order", "code"]
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "code"],
                name="criterion_code_unique_per_round",
                violation_error_message=_("This round already has a criterion with this code."),
            )
        ]

    def __str__(self):
        return f"{self.code}. {self.title}"

    @property
    def is_computed(self) -> bool:
        return bool(self.source)


class ScoreSheet(UnitScopedModel):
    """The score sheet of one unit (unit = the scored unit) in a round."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("being self-scored")
        SUBMITTED = "submitted", _("self-scored, awaiting the supervisor")
        FINALISED = "finalised", _("finalised, awaiting approval")
        APPROVED = "approved", _("approved")

    round = models.ForeignKey(
        ScoringRound, on_delete=models.PROTECT, related_name="sheets", verbose_name=_("scoring round")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # Totals are kept by certification.services so the league table sorts in the database.
    self_total = models.DecimalField(
        _("self-score"), max_digits=8, decimal_places=2, default=0, editable=False
    )
    final_total = models.DecimalField(
        _("final score"), max_digits=8, decimal_places=2, null=True, blank=True, editable=False
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("self-scored by"),
    )
    submitted_on = models.DateField(_("self-scored on"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finalised by"),
    )
    finalised_on = models.DateField(_("finalised on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "unit__path"]
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit"],
                name="score_sheet_once_per_round",
                violation_error_message=_("This unit already has a score sheet in this round."),
            )
        ]
        indexes = [models.Index(fields=["round", "status"], name="score_sheet_round_status")]

    def __str__(self):
        return _("Score sheet %(year)s of %(unit)s") % {"year": self.round.year, "unit": self.unit}

    def get_absolute_url(self):
        return reverse("certification:sheet_detail", args=[self.pk])


class ScoreLine(models.Model):
    """The score of one criterion on a sheet. For a computed criterion `figure` is what the
    system found and `computed_points` what it gives; the officer cannot change them."""

    scope_unit_field = "sheet__unit"

    sheet = models.ForeignKey(
        ScoreSheet, on_delete=models.CASCADE, related_name="lines", verbose_name=_("score sheet")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="lines", verbose_name=_("criterion")
    )
    figure = models.CharField(_("figure from the system"), max_length=300, blank=True)
    computed_points = models.DecimalField(
        _("computed points"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    self_score = models.DecimalField(_("self-score"), max_digits=6, decimal_places=2, null=True, blank=True)
    self_comment = models.TextField(_("officer's comment"), blank=True)
    final_score = models.DecimalField(_("final score"), max_digits=6, decimal_places=2, null=True, blank=True)
    final_comment = models.TextField(_("supervisor's comment"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["sheet", "criterion__order", "criterion__code"]
        verbose_name = _("score line")
        verbose_name_plural = _("score lines")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_line_once_per_criterion")
        ]

    def __str__(self):
        return f"{self.sheet} — {self.criterion.code}"
