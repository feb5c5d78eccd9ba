"""Tables of the catalogue pages (django-tables2)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from documents.models import DecisionItem, LegalDocument, Procedure, ProcedureDecision

STATUS_BADGES = {
    Procedure.Status.IN_FORCE: "text-bg-success",
    Procedure.Status.AMENDED: "text-bg-info",
    Procedure.Status.ABOLISHED: "text-bg-secondary",
    LegalDocument.Status.REPLACED: "text-bg-secondary",
}


def status_badge(value, record):
    return format_html(
        '<span class="badge {}">{}</span>',
        STATUS_BADGES.get(record.status, "text-bg-light"),
        record.get_status_display(),
    )


class ProcedureTable(tables.Table):
    code = tables.Column(linkify=True, verbose_name=_("TTHC code"))
    name = tables.Column(linkify=True, verbose_name=_("TTHC name"))
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = Procedure
        fields = ["code", "name", "field", "level", "status"]
        order_by = ["field", "code"]
        empty_text = _("No TTHC matches. Clear the filters or search for another name.")

    def render_status(self, value, record):
        return status_badge(value, record)


class DecisionTable(tables.Table):
    number = tables.Column(linkify=True, verbose_name=_("Number"))
    signed_on = tables.DateColumn(verbose_name=_("Signed on"), format="d/m/Y")
    effective_on = tables.DateColumn(verbose_name=_("Effective on"), format="d/m/Y")
    n_items = tables.Column(
        verbose_name=_("TTHC"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )

    class Meta:
        model = ProcedureDecision
        fields = ["number", "issuer", "title", "signed_on", "effective_on", "n_items"]
        order_by = ["-effective_on", "number"]
        empty_text = _("No announcing decision matches.")


class DecisionItemTable(tables.Table):
    code = tables.Column(
        accessor="procedure__code",
        verbose_name=_("TTHC code"),
        linkify=lambda record: record.procedure.get_absolute_url(),
    )
    name = tables.Column(accessor="procedure__name", verbose_name=_("TTHC name"))
    field = tables.Column(accessor="procedure__field", verbose_name=_("Field"))
    change = tables.Column(verbose_name=_("Change"))
    note = tables.Column(verbose_name=_("Note"))
    n_tasks = tables.Column(
        verbose_name=_("Update tasks opened"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )

    class Meta:
        model = DecisionItem
        fields = ["code", "name", "field", "change", "note", "n_tasks"]
        order_by = ["code"]
        empty_text = _("This decision lists no TTHC yet: add them one by one or import the list.")

    def render_change(self, value, record):
        badge = {
            DecisionItem.Change.ADD: "text-bg-success",
            DecisionItem.Change.AMEND: "text-bg-info",
            DecisionItem.Change.ABOLISH: "text-bg-secondary",
        }[record.change]
        return format_html('<span class="badge {}">{}</span>', badge, record.get_change_display())


class LegalDocumentTable(tables.Table):
    number = tables.Column(linkify=True, verbose_name=_("Number"))
    title = tables.Column(linkify=True, verbose_name=_("Title"))
    signed_on = tables.DateColumn(verbose_name=_("Signed on"), format="d/m/Y")
    effective_on = tables.DateColumn(verbose_name=_("Effective on"), format="d/m/Y")
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = LegalDocument
        fields = ["number", "kind", "issuer", "title", "signed_on", "effective_on", "status"]
        order_by = ["-effective_on", "number"]
        empty_text = _("No legal document matches. Clear the filters or search for another number.")

    def render_status(self, value, record):
        return status_badge(value, record)


class CoverageTable(tables.Table):
    """One row per unit: a dict built from documents.selectors.coverage_for_units."""

    unit = tables.Column(verbose_name=_("Unit"), order_by=("path",))
    kind = tables.Column(verbose_name=_("Kind"))
    applicable = tables.Column(
        verbose_name=_("Applicable TTHC"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    covered = tables.Column(
        verbose_name=_("With a procedure in force"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    rate = tables.Column(
        verbose_name=_("Coverage"),
        order_by=("rate_sort",),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    gaps = tables.Column(
        verbose_name=_("Gaps"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )

    class Meta:
        order_by = ["unit"]
        empty_text = _("No unit of your scope has joined the QMS programme yet.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "coverage"}

    def render_unit(self, value, record):
        return format_html('<a href="{}">{}</a>', record["unit_url"], value)

    def render_rate(self, value, record):
        if value is None:
            return "—"
        css = "text-success" if value >= 100 else ("text-warning-emphasis" if value >= 50 else "text-danger")
        return format_html('<span class="{}">{}%</span>', css, f"{value:.0f}")

    def render_gaps(self, value, record):
        url = reverse("procedures:coverage_unit", args=[record["unit_pk"]])
        return format_html('<a href="{}" class="{}">{}</a>', url, "text-danger" if value else "", value)
