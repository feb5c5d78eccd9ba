"""Tables of the scoring pages: the list of rounds with their sheets counted by status."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from certification.models import ScoringRound


def _count(value, css):
    return format_html('<span class="badge {}">{}</span>', css, value) if value else "0"


class RoundTable(tables.Table):
    year = tables.Column(verbose_name=_("Year"), linkify=True)
    unit = tables.Column(verbose_name=_("Supervising unit"), accessor="unit__name", order_by=("unit__path",))
    sheets_count = tables.Column(verbose_name=_("Score sheets"), orderable=False)
    draft_count = tables.Column(verbose_name=_("Being self-scored"), orderable=False)
    submitted_count = tables.Column(verbose_name=_("Awaiting the supervisor"), orderable=False)
    finalised_count = tables.Column(verbose_name=_("Awaiting approval"), orderable=False)
    approved_count = tables.Column(verbose_name=_("Approved"), orderable=False)

    class Meta:
        model = ScoringRound
        fields = [
            "year",
            "unit",
            "sheets_count",
            "draft_count",
            "submitted_count",
            "finalised_count",
            "approved_count",
        ]
        order_by = ["-year"]
        empty_text = _("No scoring round matches.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "rounds"}
        row_attrs = {"data-year": lambda record: record.year}

    def render_draft_count(self, value):
        return _count(value, "text-bg-secondary")

    def render_submitted_count(self, value):
        return _count(value, "text-bg-info")

    def render_finalised_count(self, value):
        return _count(value, "text-bg-warning")

    def render_approved_count(self, value):
        return _count(value, "text-bg-success")
