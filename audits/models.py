"""Internal audits (ISO 9001:2015 §9.2), nonconformities and corrective actions (§10.2),
management reviews (§9.3) and inspections by the province (Circular 26/2014/TT-BKHCN Art. 33–40).

Decision 19/2014/QĐ-TTg Art. 4.4.b: internal audit and management review at least once a year.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ScopedQuerySet, UnitScopedModel

User = settings.AUTH_USER_MODEL


class Clause(models.Model):
    """An ISO 9001:2015 clause; loaded from audits/data/iso9001_2015_clauses.csv."""

    code = models.CharField(_("clause"), max_length=10, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=200)
    sort_key = models.CharField(max_length=40, editable=False, db_index=True)

    class Meta:
        ordering = ["sort_key"]
        verbose_name = _("ISO 9001 clause")
        verbose_name_plural = _("ISO 9001 clauses")

    def __str__(self):
        from django.utils.translation import get_language

        title = self.title_vi if (get_language() or "vi").startswith("vi") else self.title_en
        return f"{self.code} {title}"

    def save(self, *args, **kwargs):
        from audits.clauses import sort_key

        self.sort_key = sort_key(self.code)
        super().save(*args, **kwargs)


# --- Programmes and audits -----------------------------------------------------------------
class AuditProgramme(UnitScopedModel):
    """The yearly internal-audit programme a supervisor sets for its subtree (unit = owner)."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300)
    objectives = models.TextField(_("objectives"), blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "unit__path"]
        verbose_name = _("audit programme")
        verbose_name_plural = _("audit programmes")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="audit_programme_one_per_year")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("audits:programme_detail", args=[self.pk])


class Audit(UnitScopedModel):
    """An internal audit of one unit (unit = the audited unit)."""

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        REPORT_ISSUED = "report_issued", _("report issued")
        CLOSED = "closed", _("closed")

    programme = models.ForeignKey(
        AuditProgramme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits",
        verbose_name=_("programme"),
    )
    planned_month = models.DateField(_("planned month"), help_text=_("The first day of the planned month."))
    scope_clauses = models.ManyToManyField(
        Clause, blank=True, related_name="+", verbose_name=_("clauses in scope")
    )
    scope_processes = models.TextField(_("processes in scope"), blank=True)
    lead_auditor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead auditor"),
    )
    team = models.ManyToManyField(User, blank=True, related_name="+", verbose_name=_("audit team"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    report_issued_on = models.DateField(_("report issued on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    history = HistoricalRecords(m2m_fields=[team])

    class Meta:
        ordering = ["-planned_month", "unit__path"]
        verbose_name = _("internal audit")
        verbose_name_plural = _("internal audits")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "unit"],
                condition=Q(programme__isnull=False),
                name="audit_once_per_programme",
            )
        ]
        indexes = [models.Index(fields=["state", "planned_month"], name="audit_state_month")]

    def __str__(self):
        return _("Internal audit of %(unit)s, %(month)s") % {
            "unit": self.unit,
            "month": f"{self.planned_month:%m/%Y}",
        }

    def get_absolute_url(self):
        return reverse("audits:audit_detail", args=[self.pk])


class ChecklistItem(models.Model):
    """A question of an audit's checklist, grouped by clause."""

    scope_unit_field = "audit__unit"

    class Answer(models.TextChoices):
        UNANSWERED = "", _("not answered")
        CONFORMING = "conforming", _("conforming")
        NONCONFORMING = "nonconforming", _("nonconforming")
        NOT_APPLICABLE = "not_applicable", _("not applicable")

    audit = models.ForeignKey(
        Audit, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("audit")
    )
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="+", verbose_name=_("clause"))
    question = models.TextField(_("question"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices, blank=True, default="")
    evidence = models.TextField(_("evidence"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["audit", "clause__sort_key", "position", "pk"]
        verbose_name = _("checklist question")
        verbose_name_plural = _("checklist questions")

    def __str__(self):
        return f"{self.clause.code}: {self.question[:60]}"


class Finding(models.Model):
    """An audit finding; a major or minor nonconformity raises a Nonconformity."""

    scope_unit_field = "audit__unit"

    class Kind(models.TextChoices):
        MAJOR = "major", _("major nonconformity")
        MINOR = "minor", _("minor nonconformity")
        OBSERVATION = "observation", _("observation")
        IMPROVEMENT = "improvement", _("opportunity for improvement")

    NONCONFORMITIES = (Kind.MAJOR, Kind.MINOR)

    audit = models.ForeignKey(
        Audit, on_delete=models.PROTECT, related_name="findings", verbose_name=_("audit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="+", verbose_name=_("clause"))
    checklist_item = models.ForeignKey(
        ChecklistItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("checklist question"),
    )
    description = models.TextField(_("description"))
    evidence = models.TextField(_("evidence"), blank=True)
    raised_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["audit", "created_at"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return f"{self.get_kind_display()} — {self.clause.code}"

    def get_absolute_url(self):
        return f"{self.audit.get_absolute_url()}#finding-{self.pk}"


def _attachment_path(instance, filename):
    import uuid

    return f"audits/{uuid.uuid4().hex}"


class FindingAttachment(models.Model):
    """Evidence of a finding, checked by content like the documents' files (core.files)."""

    scope_unit_field = "finding__audit__unit"

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    file_type = models.CharField(_("file type"), max_length=10)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["finding", "original_name"]
        verbose_name = _("finding attachment")
        verbose_name_plural = _("finding attachments")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("audits:attachment_download", args=[self.pk])


# --- Nonconformities and corrective actions -------------------------------------------------
class Nonconformity(UnitScopedModel):
    """A nonconformity of a unit and its corrective actions (§10.2)."""

    class Source(models.TextChoices):
        AUDIT = "audit", _("internal audit finding")
        INSPECTION = "inspection", _("inspection")
        COMPLAINT = "complaint", _("citizen complaint")
        MANAGEMENT_REVIEW = "management_review", _("management review")
        DIRECT = "direct", _("raised directly")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    clause = models.ForeignKey(
        Clause, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("clause")
    )
    finding = models.OneToOneField(
        Finding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformity",
        verbose_name=_("audit finding"),
    )
    inspection_finding = models.OneToOneField(
        "InspectionFinding",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformity",
        verbose_name=_("inspection finding"),
    )
    raised_on = models.DateField(_("raised on"))
    raised_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # The 2025 reorganisation: a merged unit takes over the open nonconformities of its
    # predecessors as new records of its own; the original stays, unchanged, in the archive.
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="carried_to",
        verbose_name=_("carried over from"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "-raised_on", "pk"]
        verbose_name = _("nonconformity")
        verbose_name_plural = _("nonconformities")
        indexes = [models.Index(fields=["status", "raised_on"], name="nc_status_raised")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("actions:nonconformity_detail", args=[self.pk])


class CorrectiveAction(models.Model):
    """Correction, root cause and action, done by its owner and verified by someone else."""

    scope_unit_field = "nonconformity__unit"

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        DONE = "done", _("done, awaiting verification")
        EFFECTIVE = "effective", _("verified effective")
        NOT_EFFECTIVE = "not_effective", _("verified not effective")

    nonconformity = models.ForeignKey(
        Nonconformity, on_delete=models.PROTECT, related_name="actions", verbose_name=_("nonconformity")
    )
    correction = models.TextField(
        _("correction"), blank=True, help_text=_("What was done at once to contain it.")
    )
    root_cause = models.TextField(_("root cause"))
    five_whys = models.JSONField(_("five whys"), default=list, blank=True)
    action = models.TextField(_("corrective action"))
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED)
    verified_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("verified by")
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verification_evidence = models.TextField(_("verification evidence"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The copy a merged unit took over of a predecessor's open action (see Nonconformity).
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="carried_to",
        verbose_name=_("carried over from"),
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        constraints = [
            # §10.2: effectiveness is judged by someone other than the one who did the work.
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | ~Q(verified_by=F("owner")),
                name="action_verifier_not_owner",
            )
        ]
        indexes = [models.Index(fields=["state", "due_on"], name="action_state_due")]

    def __str__(self):
        return self.action[:80]

    def get_absolute_url(self):
        return f"{self.nonconformity.get_absolute_url()}#action-{self.pk}"


# --- Management review ---------------------------------------------------------------------
class ManagementReview(UnitScopedModel):
    """A management review (§9.3) with the inputs of §9.3.2, prefilled with the system's figures."""

    INPUTS = [
        ("input_previous_actions", _("status of actions from previous management reviews")),
        ("input_changes", _("changes in external and internal issues")),
        ("input_satisfaction", _("customer satisfaction and feedback")),
        ("input_objectives", _("extent to which quality objectives have been met")),
        ("input_process_performance", _("process performance and conformity of services")),
        ("input_nonconformities", _("nonconformities and corrective actions")),
        ("input_audit_results", _("audit results")),
        ("input_resources", _("adequacy of resources")),
        ("input_risks", _("effectiveness of actions taken to address risks and opportunities")),
        ("input_improvement", _("opportunities for improvement")),
    ]

    held_on = models.DateField(_("held on"))
    chair = models.CharField(_("chaired by"), max_length=200)
    attendees = models.TextField(_("attendees"))
    input_previous_actions = models.TextField(INPUTS[0][1], blank=True)
    input_changes = models.TextField(INPUTS[1][1], blank=True)
    input_satisfaction = models.TextField(INPUTS[2][1], blank=True)
    input_objectives = models.TextField(INPUTS[3][1], blank=True)
    input_process_performance = models.TextField(INPUTS[4][1], blank=True)
    input_nonconformities = models.TextField(INPUTS[5][1], blank=True)
    input_audit_results = models.TextField(INPUTS[6][1], blank=True)
    input_resources = models.TextField(INPUTS[7][1], blank=True)
    input_risks = models.TextField(INPUTS[8][1], blank=True)
    input_improvement = models.TextField(INPUTS[9][1], blank=True)
    conclusion = models.TextField(_("conclusion on the QMS"), blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "unit__path"]
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")

    def __str__(self):
        return _("Management review of %(unit)s, %(day)s") % {
            "unit": self.unit,
            "day": f"{self.held_on:%d/%m/%Y}",
        }

    def get_absolute_url(self):
        return reverse("audits:review_detail", args=[self.pk])


class ReviewOutput(models.Model):
    """An output or decision of a management review (§9.3.3); it may raise an action."""

    scope_unit_field = "review__unit"

    class Kind(models.TextChoices):
        IMPROVEMENT = "improvement", _("opportunity for improvement")
        CHANGE = "change", _("change to the QMS")
        RESOURCES = "resources", _("resource need")

    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    decision = models.TextField(_("decision"))
    nonconformity = models.OneToOneField(
        Nonconformity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_output",
        verbose_name=_("action raised"),
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["review", "pk"]
        verbose_name = _("review output")
        verbose_name_plural = _("review outputs")

    def __str__(self):
        return self.decision[:80]


# --- Inspections by the province -----------------------------------------------------------
class Inspection(UnitScopedModel):
    """An inspection of a unit's QMS by the province (unit = the inspected unit).

    Circular 26/2014/TT-BKHCN: the unit reports its corrective action within 2 months of the
    signing of the inspection minutes.
    """

    year = models.PositiveSmallIntegerField(_("plan year"))
    decision_number = models.CharField(_("inspection decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    team = models.TextField(_("inspection team"), blank=True)
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    minutes_signed_on = models.DateField(_("minutes signed on"), null=True, blank=True)
    report_due_on = models.DateField(
        _("corrective-action report due on"), null=True, blank=True, editable=False
    )
    report_submitted_on = models.DateField(_("report submitted on"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "unit__path"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self):
        return _("Inspection of %(unit)s, %(year)s") % {"unit": self.unit, "year": self.year}

    def get_absolute_url(self):
        return reverse("audits:inspection_detail", args=[self.pk])


class InspectionFinding(models.Model):
    scope_unit_field = "inspection__unit"

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    clause = models.ForeignKey(
        Clause, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("clause")
    )
    description = models.TextField(_("description"))
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "pk"]
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")

    def __str__(self):
        return self.description[:80]
