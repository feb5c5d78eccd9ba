import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from documents.models import Document, Revision, UpdateTask

STATUS_BADGES = {
    Document.Status.DRAFT: "text-bg-secondary",
    Document.Status.EFFECTIVE: "text-bg-success",
    Document.Status.WITHDRAWN: "text-bg-dark",
}
STATE_BADGES = {
    Revision.State.DRAFT: "text-bg-secondary",
    Revision.State.IN_REVIEW: "text-bg-warning",
    Revision.State.APPROVED: "text-bg-info",
    Revision.State.EFFECTIVE: "text-bg-success",
    Revision.State.SUPERSEDED: "text-bg-dark",
    Revision.State.WITHDRAWN: "text-bg-dark",
}


def badge(css, text):
    return format_html('<span class="badge {}">{}</span>', css, text)


def _date(value):
    return value.strftime("%d/%m/%Y") if value else "—"


NOWRAP = {"td": {"class": "text-nowrap"}}


class DocumentTable(tables.Table):
    code = tables.Column(linkify=True, verbose_name=_("Code"), attrs=NOWRAP)
    title = tables.Column(verbose_name=_("Title"))
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__name", order_by=("unit__path",))
    kind = tables.Column(verbose_name=_("Kind"))
    status = tables.Column(verbose_name=_("Status"))
    current_number = tables.Column(verbose_name=_("Issue in force"), orderable=False, default="—")
    open_state = tables.Column(verbose_name=_("Issue in preparation"), orderable=False, default="—")
    next_review_on = tables.Column(verbose_name=_("Next review"))

    class Meta:
        model = Document
        fields = ["code", "title", "unit", "kind", "status", "current_number", "open_state", "next_review_on"]
        order_by = ["unit", "code"]
        empty_text = _("No document matches. Clear the filters or search for another code or title.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "documents"}

    def render_status(self, record, value):
        return badge(STATUS_BADGES.get(record.status, "text-bg-secondary"), value)

    def render_open_state(self, record, value):
        return badge(STATE_BADGES.get(value, "text-bg-secondary"), Revision.State(value).label)

    def render_next_review_on(self, record, value):
        if record.status == Document.Status.EFFECTIVE and value < timezone.localdate():
            return format_html(
                '{} <span class="badge text-bg-danger">{}</span>', _date(value), _("review overdue")
            )
        return _date(value)


class TaskTable(tables.Table):
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__name", order_by=("unit__path",))
    action = tables.Column(verbose_name=_("To do"))
    target = tables.Column(verbose_name=_("Document or TTHC"), accessor="pk", orderable=False)
    reason = tables.Column(verbose_name=_("Reason"))
    source = tables.Column(verbose_name=_("Because of"), accessor="pk", orderable=False)
    source_effective_on = tables.DateColumn(verbose_name=_("Change effective on"), format="d/m/Y")
    due_on = tables.Column(verbose_name=_("Due on"))
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = UpdateTask
        fields = ["unit", "action", "target", "reason", "source", "source_effective_on", "due_on", "status"]
        empty_text = _("No update task matches.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "tasks"}

    def render_target(self, record):
        if record.document_id:
            return format_html('<a href="{}">{}</a>', record.document.get_absolute_url(), record.document)
        if record.procedure_id:
            return str(record.procedure)
        return "—"

    def render_source(self, record):
        if record.decision_item_id:
            return _("Decision %(number)s") % {"number": record.decision_item.decision.number}
        if record.legal_change_id:
            return str(record.legal_change.new.number)
        if record.model_revision_id:
            return _("Model %(code)s, issue %(number)s") % {
                "code": record.model_revision.document.code,
                "number": record.model_revision.number,
            }
        return "—"

    def render_due_on(self, record, value):
        if record.status == UpdateTask.Status.OPEN and value < timezone.localdate():
            return format_html('{} <span class="badge text-bg-danger">{}</span>', _date(value), _("overdue"))
        return _date(value)

    def render_status(self, record, value):
        if record.status == UpdateTask.Status.DONE:
            return format_html(
                '<span class="badge text-bg-success">{}</span> {}', value, _date(record.done_on)
            )
        return badge("text-bg-warning", value)


class ModelTable(tables.Table):
    """Framework models published above the user's units, with each unit's answer."""

    code = tables.Column(verbose_name=_("Code"), attrs=NOWRAP)
    title = tables.Column(verbose_name=_("Title"))
    unit = tables.Column(verbose_name=_("Published by"), accessor="unit__name", order_by=("unit__path",))
    issue = tables.TemplateColumn(
        template_name="documents/_model_issue.html", verbose_name=_("Issue in force"), orderable=False
    )
    answers = tables.Column(verbose_name=_("Answers of the units"), accessor="pk", orderable=False)

    class Meta:
        model = Document
        fields = ["code", "title", "unit", "issue", "answers"]
        order_by = ["unit", "code"]
        empty_text = _("No framework model is published for your units.")
        attrs = {"class": "table table-sm align-middle", "id": "models"}

    def __init__(self, *args, entries=None, readable=(), **kwargs):
        super().__init__(*args, **kwargs)
        # {model pk: [Entry]}: each unit below the model that the user sees, with its answer.
        self.entries = entries or {}
        # The models whose own page the user may open (those of the units in the user's scope).
        self.readable = set(readable)

    def render_code(self, record, value):
        if record.pk in self.readable:
            return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)
        return value

    def render_answers(self, record):
        entries = self.entries.get(record.pk, [])
        counts = {"adopted": 0, "not_applicable": 0, "none": 0}
        for entry in entries:
            counts[entry.adoption.status if entry.adoption else "none"] += 1
        return render_to_string(
            "documents/_model_answers.html", {"model": record, "entries": entries, "counts": counts}
        )
