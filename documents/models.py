"""Controlled documents (ISO 9001:2015 §7.5), the TTHC catalogue, the register of legal
documents, framework-model documents and the update tasks of the 3-month rule.

Superseded revisions and abolished procedures change state; nothing here is ever deleted
(§7.5.3.2: retained documented information of obsolete versions stays identifiable).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communes.models import Unit
from core.models import ScopedQuerySet, UnitScopedModel
from core.text import fold


# --- Legal documents ---------------------------------------------------------------------
class LegalDocument(models.Model):
    """A law, decree, decision or circular that documents and TTHC cite (căn cứ pháp lý)."""

    class Kind(models.TextChoices):
        LAW = "law", _("law")
        DECREE = "decree", _("decree")
        DECISION = "decision", _("decision")
        CIRCULAR = "circular", _("circular")
        STANDARD = "standard", _("standard")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("in force")
        AMENDED = "amended", _("amended")
        REPLACED = "replaced", _("replaced")

    number = models.CharField(_("number"), max_length=60, help_text=_("e.g. 19/2014/QĐ-TTg"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DECISION)
    issuer = models.CharField(_("issuer"), max_length=200)
    title = models.CharField(_("title"), max_length=500)
    signed_on = models.DateField(_("signed on"))
    effective_on = models.DateField(_("effective on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_FORCE)
    changes = models.ManyToManyField(
        "self",
        through="LegalChange",
        symmetrical=False,
        related_name="changed_by",
        verbose_name=_("amends or replaces"),
    )
    search_text = models.CharField(max_length=800, editable=False, default="", db_index=True)
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["-effective_on", "number"]
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        constraints = [models.UniqueConstraint(fields=["number"], name="legal_document_number_unique")]

    def __str__(self):
        return f"{self.number} — {self.title}"

    def get_absolute_url(self):
        return reverse("legal:detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.number} {self.issuer} {self.title}")
        super().save(*args, **kwargs)


class LegalChange(models.Model):
    """`new` amends or replaces `old`; registering it opens update tasks for what cites `old`."""

    class Kind(models.TextChoices):
        AMEND = "amend", _("amends")
        REPLACE = "replace", _("replaces")

    new = models.ForeignKey(LegalDocument, on_delete=models.PROTECT, related_name="+")
    old = models.ForeignKey(LegalDocument, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.AMEND)

    class Meta:
        verbose_name = _("legal change")
        verbose_name_plural = _("legal changes")
        constraints = [
            models.UniqueConstraint(fields=["new", "old"], name="legal_change_unique"),
            models.CheckConstraint(condition=~Q(new=F("old")), name="legal_change_not_self"),
        ]

    def __str__(self):
        return f"{self.new.number} {self.get_kind_display()} {self.old.number}"


# --- Administrative procedures (TTHC) -------------------------------------------------------
class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính) of the national catalogue.

    The code is a national string such as `1.001193` or `1.012753.H19`: kept as text, never parsed.
    """

    class Level(models.TextChoices):
        CENTRAL = "central", _("central")
        PROVINCE = "province", _("province level")
        DISTRICT = "district", _("district level")
        COMMUNE = "commune", _("commune level")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("in force")
        AMENDED = "amended", _("amended")
        ABOLISHED = "abolished", _("abolished")

    code = models.CharField(_("TTHC code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=500)
    field = models.CharField(_("field"), max_length=200, blank=True, help_text=_("lĩnh vực, e.g. Hộ tịch"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.COMMUNE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_FORCE)
    legal_bases = models.ManyToManyField(
        LegalDocument, blank=True, related_name="procedures", verbose_name=_("legal bases")
    )
    search_text = models.CharField(max_length=800, editable=False, default="", db_index=True)
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["field", "code"]
        verbose_name = _("administrative procedure")
        verbose_name_plural = _("administrative procedures")

    def __str__(self):
        return f"{self.code} — {self.name}"

    def get_absolute_url(self):
        return reverse("procedures:detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.code} {self.name} {self.field}")
        super().save(*args, **kwargs)


class Applicability(models.Model):
    """Where a TTHC applies: to every unit of a kind (e.g. all wards), or to one unit."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="applicabilities", verbose_name=_("procedure")
    )
    unit_kind = models.CharField(_("unit kind"), max_length=20, blank=True, choices=Unit.Kind.choices)
    unit = models.ForeignKey(
        "communes.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )

    class Meta:
        verbose_name = _("applicability")
        verbose_name_plural = _("applicabilities")
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=True) & ~Q(unit_kind=""))
                | (Q(unit__isnull=False) & Q(unit_kind="")),
                name="applicability_kind_xor_unit",
            ),
            models.UniqueConstraint(
                fields=["procedure", "unit_kind"],
                condition=Q(unit__isnull=True),
                name="applicability_kind_unique",
            ),
            models.UniqueConstraint(
                fields=["procedure", "unit"],
                condition=Q(unit__isnull=False),
                name="applicability_unit_unique",
            ),
        ]

    def __str__(self):
        return f"{self.procedure.code} → {self.unit or self.unit_kind}"


class ProcedureDecision(models.Model):
    """A decision announcing TTHC (quyết định công bố TTHC): what it adds, amends or abolishes."""

    number = models.CharField(_("number"), max_length=60, unique=True)
    issuer = models.CharField(_("issuer"), max_length=200, default="UBND tỉnh")
    title = models.CharField(_("title"), max_length=500, blank=True)
    signed_on = models.DateField(_("signed on"))
    effective_on = models.DateField(_("effective on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_on", "number"]
        verbose_name = _("TTHC announcing decision")
        verbose_name_plural = _("TTHC announcing decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_on__gte=F("signed_on")),
                name="procedure_decision_effective_after_signed",
            )
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("procedures:decision_detail", args=[self.pk])


class DecisionItem(models.Model):
    class Change(models.TextChoices):
        ADD = "add", _("added")
        AMEND = "amend", _("amended")
        ABOLISH = "abolish", _("abolished")

    decision = models.ForeignKey(
        ProcedureDecision, on_delete=models.CASCADE, related_name="items", verbose_name=_("decision")
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="decision_items", verbose_name=_("procedure")
    )
    change = models.CharField(_("change"), max_length=10, choices=Change.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # When the update tasks of this item were opened (None: not yet).
    tasks_opened_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["decision", "procedure__code"]
        verbose_name = _("decision item")
        verbose_name_plural = _("decision items")
        constraints = [models.UniqueConstraint(fields=["decision", "procedure"], name="decision_item_unique")]

    def __str__(self):
        return f"{self.decision}: {self.get_change_display()} {self.procedure.code}"


# --- Controlled documents ------------------------------------------------------------------
class Document(UnitScopedModel):
    """A controlled document of a unit; its state follows its revisions."""

    class Kind(models.TextChoices):
        QUALITY_POLICY = "policy", _("quality policy")
        QUALITY_OBJECTIVES = "objectives", _("quality objectives")
        QUALITY_MANUAL = "manual", _("quality manual")
        SYSTEM_PROCEDURE = "system", _("system procedure")
        INTERNAL_PROCEDURE = "internal", _("internal procedure")
        TTHC_PROCEDURE = "tthc", _("TTHC procedure")
        FORM = "form", _("form")
        RECORD_TEMPLATE = "record", _("record template")
        EXTERNAL = "external", _("external or legal document")

    class Status(models.TextChoices):
        DRAFT = "draft", _("not yet in force")
        EFFECTIVE = "effective", _("in force")
        WITHDRAWN = "withdrawn", _("withdrawn")

    code = models.CharField(_("code"), max_length=50, help_text=_("Unique within the unit, e.g. QT-HT-01"))
    title = models.CharField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    review_period_months = models.PositiveSmallIntegerField(_("review every (months)"), default=12)
    next_review_on = models.DateField(_("next review on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    procedures = models.ManyToManyField(
        Procedure, blank=True, related_name="documents", verbose_name=_("administrative procedures served")
    )
    legal_bases = models.ManyToManyField(
        LegalDocument, blank=True, related_name="documents", verbose_name=_("legal bases")
    )
    is_model = models.BooleanField(
        _("framework model"),
        default=False,
        help_text=_("A model document (mô hình khung) published to every unit below this one."),
    )
    search_text = models.CharField(max_length=1000, editable=False, default="", db_index=True)
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["unit__path", "code"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="document_code_unique_in_unit")]
        indexes = [models.Index(fields=["status", "next_review_on"], name="document_review_due")]

    def __str__(self):
        return f"{self.code} — {self.title}"

    def get_absolute_url(self):
        return reverse("documents:document_detail", args=[self.pk])


class Revision(models.Model):
    """One issue of a document (lần ban hành). Only a draft can be edited."""

    scope_unit_field = "document__unit"

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        APPROVED = "approved", _("approved")
        EFFECTIVE = "effective", _("effective")
        SUPERSEDED = "superseded", _("superseded")
        WITHDRAWN = "withdrawn", _("withdrawn")

    OPEN_STATES = (State.DRAFT, State.IN_REVIEW, State.APPROVED)

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="revisions", verbose_name=_("document")
    )
    number = models.PositiveSmallIntegerField(_("issue number"))
    change_summary = models.TextField(_("what changed"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True)
    review_note = models.TextField(_("reviewer's note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="revision_number_unique"),
            # ISO 9001 §7.5.2 c: review and approval by someone other than the author.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("prepared_by")),
                name="revision_approver_not_author",
            ),
            models.UniqueConstraint(
                fields=["document"], condition=Q(state="effective"), name="revision_one_effective"
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(state__in=["draft", "in_review", "approved"]),
                name="revision_one_open",
            ),
        ]

    def __str__(self):
        return _("%(code)s, issue %(number)s") % {"code": self.document.code, "number": self.number}

    def get_absolute_url(self):
        return f"{self.document.get_absolute_url()}#revision-{self.number}"

    @property
    def is_editable(self):
        return self.state == self.State.DRAFT

    @property
    def is_obsolete(self):
        return self.state in (self.State.SUPERSEDED, self.State.WITHDRAWN)


def _private_upload_path(instance, filename):
    # Stored under a random name: the original name is kept in the row, never trusted on disk.
    return f"documents/{instance.revision.document.unit_id}/{uuid.uuid4().hex}"


class RevisionFile(models.Model):
    """A file of a revision, checked by content and stored privately with its sha256."""

    scope_unit_field = "revision__document__unit"

    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, related_name="files", verbose_name=_("revision")
    )
    file = models.FileField(_("file"), upload_to=_private_upload_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    file_type = models.CharField(_("file type"), max_length=10)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["revision", "original_name"]
        verbose_name = _("revision file")
        verbose_name_plural = _("revision files")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("documents:file_download", args=[self.pk])


class ReviewRecord(models.Model):
    """A periodic review of a document (§7.5.2): still valid, to revise, or to withdraw."""

    scope_unit_field = "document__unit"

    class Outcome(models.TextChoices):
        VALID = "valid", _("still valid")
        REVISE = "revise", _("to be revised")
        WITHDRAW = "withdraw", _("to be withdrawn")

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("document")
    )
    reviewed_on = models.DateField(_("reviewed on"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        verbose_name = _("document review")
        verbose_name_plural = _("document reviews")

    def __str__(self):
        return f"{self.document.code} — {self.reviewed_on:%d/%m/%Y} — {self.get_outcome_display()}"

    def get_absolute_url(self):
        return self.document.get_absolute_url()


class Adoption(UnitScopedModel):
    """A unit's answer to a framework-model document published above it."""

    class Status(models.TextChoices):
        ADOPTED = "adopted", _("adopted")
        NOT_APPLICABLE = "not_applicable", _("not applicable")

    model_document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="adoptions", verbose_name=_("model document")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    document = models.OneToOneField(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopted_from",
        verbose_name=_("the unit's document"),
    )
    adopted_revision = models.PositiveSmallIntegerField(_("model issue adopted"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["model_document", "unit__path"]
        verbose_name = _("model adoption")
        verbose_name_plural = _("model adoptions")
        constraints = [
            models.UniqueConstraint(fields=["model_document", "unit"], name="adoption_unique"),
            models.CheckConstraint(
                condition=Q(status="adopted", document__isnull=False)
                | Q(status="not_applicable") & ~Q(reason=""),
                name="adoption_document_or_reason",
            ),
        ]

    def __str__(self):
        return f"{self.unit} — {self.model_document.code} — {self.get_status_display()}"

    def get_absolute_url(self):
        return (
            self.document.get_absolute_url() if self.document_id else self.model_document.get_absolute_url()
        )


class UpdateTask(UnitScopedModel):
    """Something a unit must bring up to date, with its legal deadline.

    Decision 19/2014/QĐ-TTg Art. 4.4.a: when a legal document or a TTHC changes, the affected
    QMS procedures are revised within 3 months of its effective date.
    """

    class Reason(models.TextChoices):
        TTHC_ADDED = "tthc_added", _("TTHC added")
        TTHC_AMENDED = "tthc_amended", _("TTHC amended")
        TTHC_ABOLISHED = "tthc_abolished", _("TTHC abolished")
        LEGAL_CHANGED = "legal_changed", _("legal basis amended or replaced")
        MODEL_CHANGED = "model_changed", _("framework model revised")

    class Action(models.TextChoices):
        CREATE = "create", _("write a procedure")
        REVISE = "revise", _("revise the document")
        WITHDRAW = "withdraw", _("withdraw the procedure")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")

    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    document = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="update_tasks",
        verbose_name=_("document"),
    )
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="update_tasks",
        verbose_name=_("procedure"),
    )
    decision_item = models.ForeignKey(
        DecisionItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="update_tasks",
        verbose_name=_("decision"),
    )
    legal_change = models.ForeignKey(
        LegalChange,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="update_tasks",
        verbose_name=_("legal change"),
    )
    model_revision = models.ForeignKey(
        Revision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("model revision"),
    )
    source_effective_on = models.DateField(_("change effective on"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        Revision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closed_tasks",
        verbose_name=_("closed by revision"),
    )
    # The 2025 reorganisation: a merged unit takes over the open tasks of its predecessors as
    # tasks of its own; the original stays, unchanged, in the predecessor's archive.
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
        ordering = ["status", "due_on", "pk"]
        verbose_name = _("update task")
        verbose_name_plural = _("update tasks")
        constraints = [
            # One task per unit, cause and document: re-running a fan-out opens nothing twice.
            models.UniqueConstraint(
                fields=["unit", "decision_item", "document"],
                condition=Q(decision_item__isnull=False, document__isnull=False),
                name="update_task_once_per_decision_item",
            ),
            models.UniqueConstraint(
                fields=["unit", "decision_item"],
                condition=Q(decision_item__isnull=False, document__isnull=True),
                name="update_task_once_per_decision_item_no_doc",
            ),
            models.UniqueConstraint(
                fields=["unit", "legal_change", "document"],
                condition=Q(legal_change__isnull=False),
                name="update_task_once_per_legal_change",
            ),
            models.UniqueConstraint(
                fields=["unit", "model_revision", "document"],
                condition=Q(model_revision__isnull=False),
                name="update_task_once_per_model_revision",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="update_task_due")]

    def __str__(self):
        target = (
            self.document.code if self.document_id else (self.procedure.code if self.procedure_id else "")
        )
        return f"{self.get_action_display()} {target} — {self.due_on:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("documents:task_list") + f"?unit={self.unit_id}"
