"""Table of the flagged-indicator list."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from certification.models import Indicator
from core.templatetags.qms import person


class FlaggedTable(tables.Table):
    unit = tables.Column(
        verbose_name=_("Unit"), accessor="objective__unit__name", order_by=("objective__unit__path",)
    )
    year = tables.Column(verbose_name=_("Year"), accessor="objective__year")
    objective = tables.Column(
        verbose_name=_("Objective"), accessor="objective__statement", order_by=("objective__statement",)
    )
    name = tables.Column(verbose_name=_("Indicator"), linkify=True)
    flag_comment = tables.Column(verbose_name=_("Why it does not fit"), orderable=False)
    flagged_by = tables.Column(verbose_name=_("Flagged by"), order_by=("flagged_by__last_name",))
    flagged_on = tables.Column(verbose_name=_("Flagged on"), attrs={"td": {"class": "text-nowrap"}})

    class Meta:
        model = Indicator
        fields = ["unit", "year", "objective", "name", "flag_comment", "flagged_by", "flagged_on"]
        order_by = ["-flagged_on"]
        empty_text = _("No flagged indicator matches.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "flagged"}

    def render_objective(self, record, value):
        text = value if len(value) <= 120 else value[:119] + "…"
        return format_html('<a href="{}">{}</a>', record.objective.get_absolute_url(), text)

    def render_flag_comment(self, value):
        return format_html('<span style="white-space: pre-line">{}</span>', value)

    def render_flagged_by(self, value):
        return person(value)

    def render_flagged_on(self, value):
        return value.strftime("%d/%m/%Y") if value else "—"
