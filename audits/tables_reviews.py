"""Tables of the management-review and inspection lists."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audits.models import Inspection, ManagementReview


def _date(value):
    return value.strftime("%d/%m/%Y") if value else "—"


class ReviewTable(tables.Table):
    held_on = tables.Column(verbose_name=_("Held on"), linkify=True, attrs={"td": {"class": "text-nowrap"}})
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__name", order_by=("unit__path",))
    chair = tables.Column(verbose_name=_("Chaired by"))
    outputs_count = tables.Column(verbose_name=_("Outputs"), orderable=False)
    actions_count = tables.Column(verbose_name=_("Actions raised"), orderable=False)

    class Meta:
        model = ManagementReview
        fields = ["held_on", "unit", "chair", "outputs_count", "actions_count"]
        order_by = ["-held_on"]
        empty_text = _("No management review matches.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "reviews"}

    def render_held_on(self, value):
        return _date(value)


class InspectionTable(tables.Table):
    year = tables.Column(verbose_name=_("Plan year"), linkify=True)
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__name", order_by=("unit__path",))
    decision_number = tables.Column(verbose_name=_("Decision"), default="—")
    planned_on = tables.Column(verbose_name=_("Planned on"))
    minutes_signed_on = tables.Column(verbose_name=_("Minutes signed on"))
    findings_count = tables.Column(verbose_name=_("Findings"), orderable=False)
    report_due_on = tables.Column(verbose_name=_("Report due on"))
    report_submitted_on = tables.Column(verbose_name=_("Report submitted on"))

    class Meta:
        model = Inspection
        fields = [
            "year",
            "unit",
            "decision_number",
            "planned_on",
            "minutes_signed_on",
            "findings_count",
            "report_due_on",
            "report_submitted_on",
        ]
        order_by = ["-year", "unit"]
        empty_text = _("No inspection matches.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "inspections"}

    def render_planned_on(self, value):
        return _date(value)

    def render_minutes_signed_on(self, value):
        return _date(value)

    def render_report_submitted_on(self, value):
        return _date(value)

    def render_report_due_on(self, record, value):
        if record.report_submitted_on is None and value < timezone.localdate():
            return format_html(
                '{} <span class="badge text-bg-danger overdue">{}</span>', _date(value), _("overdue")
            )
        return _date(value)
