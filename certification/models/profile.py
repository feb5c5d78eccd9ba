"""The QMS of each unit: its profile and its announcement and recognition decisions.

Decision 19/2014/QĐ-TTg and Circular 26/2014/TT-BKHCN: the head of a unit announces the
conformity of its QMS with TCVN ISO 9001 (công bố); the supervisor may recognise it (công nhận).
A unit must re-announce when its scope changes (new procedures, a new standard version, a merger).
A unit counts as announced only with a valid decision for its current version and scope.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import UnitScopedModel

# The kinds of unit that keep a QMS of their own (scored, on transition boards).
QMS_UNIT_KINDS = ("commune", "ward", "town", "special_zone", "agency")


class StandardVersion(models.Model):
    """A version of the standard, e.g. "TCVN ISO 9001:2015"; later versions are data."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")

    def __str__(self):
        return self.code


class QmsProfile(UnitScopedModel):
    """The QMS of one unit: standard version, scope, the TTHC in scope, the steering committee.

    `status` is kept by certification.services; never set it by hand.
    """

    class Status(models.TextChoices):
        BUILDING = "building", _("building")
        APPLYING = "applying", _("applying")
        ANNOUNCED = "announced", _("announced")
        NEEDS_REANNOUNCEMENT = "needs_reannouncement", _("needs re-announcement")
        # A unit formed by a merger or a split (the 2025 reorganisation) is a new agency: it
        # announces its QMS again, whatever its predecessors had announced.
        NEEDS_ANNOUNCEMENT = "needs_announcement", _("needs announcement (merged unit)")
        LAPSED = "lapsed", _("lapsed")

    standard_version = models.ForeignKey(
        StandardVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("standard version")
    )
    scope_statement = models.TextField(_("scope statement"), blank=True)
    procedures = models.ManyToManyField(
        "documents.Procedure",
        blank=True,
        related_name="+",
        verbose_name=_("administrative procedures in scope"),
    )
    steering_decision_number = models.CharField(
        _("steering committee decision number"), max_length=60, blank=True
    )
    steering_decision_date = models.DateField(_("steering committee decision date"), null=True, blank=True)
    steering_members = models.TextField(
        _("steering committee members"), blank=True, help_text=_("One member per line: name, position.")
    )
    effective_confirmed_on = models.DateField(
        _("confirmed effective on"),
        null=True,
        blank=True,
        help_text=_("The date the head of the unit confirmed the system effective."),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.BUILDING, editable=False
    )
    history = HistoricalRecords(m2m_fields=[procedures])

    class Meta:
        ordering = ["unit__path"]
        verbose_name = _("QMS profile")
        verbose_name_plural = _("QMS profiles")
        constraints = [models.UniqueConstraint(fields=["unit"], name="qms_profile_one_per_unit")]

    def __str__(self):
        return _("QMS of %(unit)s") % {"unit": self.unit}

    def get_absolute_url(self):
        return reverse("certification:profile_detail", args=[self.pk])


def _decision_upload_path(instance, filename):
    # Stored under a random name: the original name is never trusted on disk.
    return f"certification/{instance.unit_id}/{uuid.uuid4().hex}"


class Decision(UnitScopedModel):
    """A decision on a unit's QMS (unit = the unit whose QMS it is about).

    Announcement and re-announcement are signed by the unit head; recognition and revocation by
    the supervisor. The scope and the TTHC codes are copied at the time, so a later change of
    the profile shows that the decision no longer covers it.
    """

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", _("announcement")
        RECOGNITION = "recognition", _("recognition")
        REANNOUNCEMENT = "reannouncement", _("re-announcement")
        REVOCATION = "revocation", _("revocation")

    class Reason(models.TextChoices):
        NONE = "", _("(none)")
        SCOPE_CHANGE = "scope_change", _("scope change")
        NEW_VERSION = "new_version", _("new standard version")
        MERGER = "merger", _("merger")

    ANNOUNCING = (Kind.ANNOUNCEMENT, Kind.REANNOUNCEMENT)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.CharField(
        _("reason"), max_length=20, choices=Reason.choices, blank=True, default=Reason.NONE
    )
    number = models.CharField(_("number"), max_length=60)
    signed_on = models.DateField(_("signed on"))
    signer = models.CharField(_("signer"), max_length=200)
    standard_version = models.ForeignKey(
        StandardVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("standard version")
    )
    scope_snapshot = models.TextField(_("scope at the time"), blank=True)
    procedures_snapshot = models.JSONField(
        _("TTHC codes at the time"), default=list, blank=True, help_text=_("A list of TTHC codes.")
    )
    file = models.FileField(_("file"), upload_to=_decision_upload_path, max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_type = models.CharField(_("file type"), max_length=10, blank=True)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__path", "-signed_on", "-pk"]
        verbose_name = _("QMS decision")
        verbose_name_plural = _("QMS decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "number"],
                name="qms_decision_number_unique_per_unit",
                violation_error_message=_("This unit already has a decision with this number."),
            ),
            models.CheckConstraint(
                condition=(Q(kind="reannouncement") & ~Q(reason=""))
                | (~Q(kind="reannouncement") & Q(reason="")),
                name="qms_decision_reason_iff_reannouncement",
                violation_error_message=_("A re-announcement, and only a re-announcement, has a reason."),
            ),
        ]
        indexes = [models.Index(fields=["unit", "kind"], name="qms_decision_unit_kind")]

    def __str__(self):
        return _("%(kind)s %(number)s of %(unit)s") % {
            "kind": self.get_kind_display(),
            "number": self.number,
            "unit": self.unit,
        }

    def get_absolute_url(self):
        return reverse("certification:decision_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None


class VersionTransition(UnitScopedModel):
    """A move of every unit under a supervisor to a new standard version by a deadline, e.g. all
    communes of the district on TCVN ISO 9001:2015 before August 2019 (unit = the supervisor's).

    A unit has made the transition when its current announcement or re-announcement is for the
    target version; it is late when that decision is signed after the deadline, or missing once
    the deadline has passed.
    """

    target_version = models.ForeignKey(
        StandardVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("target version")
    )
    deadline = models.DateField(_("deadline"))
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-deadline", "unit__path"]
        verbose_name = _("version transition")
        verbose_name_plural = _("version transitions")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "target_version"],
                name="version_transition_once_per_unit",
                violation_error_message=_("This unit already has a transition to this version."),
            )
        ]

    def __str__(self):
        return _("%(unit)s to %(version)s by %(deadline)s") % {
            "unit": self.unit,
            "version": self.target_version,
            "deadline": f"{self.deadline:%d/%m/%Y}",
        }

    def get_absolute_url(self):
        return reverse("certification:transition_detail", args=[self.pk])
