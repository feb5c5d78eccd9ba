"""Table of the survey responses list."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from surveys.models import CRITERIA, CRITERION_LABELS, Response

COMMENT_SHOWN = 240
SHORT_LABELS = {
    "timeliness": _("time"),
    "visits": _("visits"),
    "attitude": _("attitude"),
    "information": _("info."),
    "fees": _("fees"),
}


class ResponseTable(tables.Table):
    submitted_at = tables.Column(verbose_name=_("Sent"), attrs={"td": {"class": "text-nowrap"}})
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__name", order_by=("unit__path",))
    procedure = tables.Column(verbose_name=_("Procedure"), order_by=("procedure__code",), default="—")
    overall = tables.Column(verbose_name=_("Overall"), attrs={"td": {"class": "text-center"}})
    others = tables.Column(verbose_name=_("Other criteria"), empty_values=(), orderable=False)
    comment = tables.Column(verbose_name=_("Comment"), orderable=False, default="")
    contact = tables.Column(verbose_name=_("Contact"), orderable=False, default="")
    nonconformity = tables.Column(verbose_name=_("Nonconformity"), empty_values=(), orderable=False)

    class Meta:
        model = Response
        fields = [
            "submitted_at",
            "unit",
            "procedure",
            "overall",
            "others",
            "comment",
            "contact",
            "nonconformity",
        ]
        order_by = ["-submitted_at"]
        empty_text = _("No response matches.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "responses"}
        row_attrs = {"id": lambda record: f"response-{record.pk}"}

    def __init__(self, *args, can_raise=None, **kwargs):
        super().__init__(*args, **kwargs)
        # can_raise(unit) -> bool: whether the user may raise a nonconformity for the unit.
        self.can_raise = can_raise or (lambda unit: False)

    def render_submitted_at(self, value):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")

    def render_procedure(self, record):
        procedure = record.procedure
        return format_html('<span title="{}">{}</span>', procedure.name, procedure.code)

    def render_overall(self, value):
        css = "text-bg-success" if value >= 4 else "text-bg-secondary" if value == 3 else "text-bg-danger"
        return format_html('<span class="badge {}">{}</span>', css, value)

    def render_others(self, record):
        parts = []
        for criterion in CRITERIA:
            if criterion == "overall":
                continue
            value = getattr(record, criterion)
            parts.append(
                format_html(
                    '<span class="me-2 text-nowrap" title="{}">{}: {}</span>',
                    CRITERION_LABELS[criterion],
                    SHORT_LABELS[criterion],
                    value if value is not None else "—",
                )
            )
        return format_html("<small>{}</small>", format_html("".join(["{}"] * len(parts)), *parts))

    def render_comment(self, value):
        text = value if len(value) <= COMMENT_SHOWN else value[: COMMENT_SHOWN - 1] + "…"
        return format_html('<span style="white-space: pre-line">{}</span>', text)

    def render_nonconformity(self, record):
        if record.nonconformity_id:
            return format_html(
                '<a href="{}" class="text-nowrap" data-nc="{}">{}</a>',
                reverse("actions:nonconformity_detail", args=[record.nonconformity_id]),
                record.nonconformity_id,
                _("NC #%(pk)s") % {"pk": record.nonconformity_id},
            )
        if record.comment and self.can_raise(record.unit):
            return format_html(
                '<a href="{}" class="btn btn-sm btn-outline-danger text-nowrap">{}</a>',
                reverse("surveys:response_raise", args=[record.pk]),
                _("Raise a nonconformity"),
            )
        return ""
