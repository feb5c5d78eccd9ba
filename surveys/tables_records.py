"""Tables of the tallies, the record counts, the reconciliation and the on-time rates."""

import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from surveys.models import Reconciliation, RecordCount, Tally

NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}

STATUS_CSS = {
    Reconciliation.Status.OPEN: "text-bg-warning",
    Reconciliation.Status.EXPLAINED: "text-bg-info",
    Reconciliation.Status.CORRECTED: "text-bg-success",
}
FIELD_LABELS = {
    "received": _("Received"),
    "on_time": _("On time"),
    "late": _("Late"),
    "pending": _("Pending"),
    "returned": _("Returned"),
}


def percent_text(value):
    return "—" if value is None else f"{number_format(round(value, 1), 1)} %"


def _procedure(record):
    if not record.procedure_id:
        return format_html('<span class="text-body-secondary">{}</span>', _("all procedures"))
    return format_html('<span title="{}">{}</span>', record.procedure.name, record.procedure.code)


def _edit_link(url, label):
    return format_html('<a href="{}" class="btn btn-sm btn-outline-primary text-nowrap">{}</a>', url, label)


class _DeskCountMixin:
    """The cells the tallies and the record counts share: the procedure (or all procedures) and
    the edit link, shown where the user may write the unit's records."""

    def __init__(self, *args, can_change=None, **kwargs):
        super().__init__(*args, **kwargs)
        # can_change(unit) -> bool: whether the user may write the unit's records.
        self.can_change = can_change or (lambda unit: False)

    def render_procedure(self, record):
        return _procedure(record)

    def render_edit(self, record):
        if not self.can_change(record.unit):
            return ""
        return _edit_link(record.get_absolute_url(), _("Edit"))


class TallyTable(_DeskCountMixin, tables.Table):
    period = tables.Column(
        verbose_name=_("Period"), accessor="period_start", attrs={"td": {"class": "text-nowrap"}}
    )
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__name", order_by=("unit__path",))
    channel = tables.Column(verbose_name=_("Channel"))
    procedure = tables.Column(verbose_name=_("Procedure"), order_by=("procedure__code",), empty_values=())
    criterion = tables.Column(verbose_name=_("Criterion"))
    very_satisfied = tables.Column(verbose_name="5", attrs=NUMBER)
    satisfied = tables.Column(verbose_name="4", attrs=NUMBER)
    neutral = tables.Column(verbose_name="3", attrs=NUMBER)
    dissatisfied = tables.Column(verbose_name="2", attrs=NUMBER)
    very_dissatisfied = tables.Column(verbose_name="1", attrs=NUMBER)
    rate = tables.Column(verbose_name=_("Satisfied"), empty_values=(), orderable=False, attrs=NUMBER)
    edit = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = Tally
        fields = [
            "period",
            "unit",
            "channel",
            "procedure",
            "criterion",
            "very_satisfied",
            "satisfied",
            "neutral",
            "dissatisfied",
            "very_dissatisfied",
            "rate",
            "edit",
        ]
        order_by = ["-period"]
        empty_text = _(
            "No tally matches. Enter the counts of paper forms or of a rating device, or import them."
        )
        attrs = {"class": "table table-hover table-sm align-middle", "id": "tallies"}

    def render_period(self, record):
        return f"{record.period_start:%d/%m/%Y} – {record.period_end:%d/%m/%Y}"

    def render_rate(self, record):
        total = record.total
        if not total:
            return "—"
        return format_html(
            '<span title="{}">{}</span>',
            _("%(satisfied)s of %(total)s") % {"satisfied": record.satisfied_total, "total": total},
            percent_text(record.satisfied_total * 100 / total),
        )


class RecordCountTable(_DeskCountMixin, tables.Table):
    month = tables.Column(verbose_name=_("Month"), attrs={"td": {"class": "text-nowrap"}})
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__name", order_by=("unit__path",))
    source = tables.Column(verbose_name=_("Source"))
    procedure = tables.Column(verbose_name=_("Procedure"), order_by=("procedure__code",), empty_values=())
    received = tables.Column(verbose_name=FIELD_LABELS["received"], attrs=NUMBER)
    on_time = tables.Column(verbose_name=FIELD_LABELS["on_time"], attrs=NUMBER)
    late = tables.Column(verbose_name=FIELD_LABELS["late"], attrs=NUMBER)
    pending = tables.Column(verbose_name=FIELD_LABELS["pending"], attrs=NUMBER)
    returned = tables.Column(verbose_name=FIELD_LABELS["returned"], attrs=NUMBER)
    edit = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = RecordCount
        fields = [
            "month",
            "unit",
            "source",
            "procedure",
            "received",
            "on_time",
            "late",
            "pending",
            "returned",
            "edit",
        ]
        order_by = ["-month"]
        empty_text = _(
            "No record count matches. Enter the tracking book's counts, or import the software's export."
        )
        attrs = {"class": "table table-hover table-sm align-middle", "id": "record-counts"}

    def render_month(self, value):
        return f"{value:%m/%Y}"


def _differs(field):
    def css(record):
        return "table-danger" if field in record.differing else ""

    return css


def _field_column(field):
    return tables.Column(
        verbose_name=FIELD_LABELS[field],
        accessor="month",  # any accessor: the cell is rendered from the record
        orderable=False,
        attrs={"td": {"class": _differs(field), "data-field": field}, "th": {"class": "text-center"}},
    )


class MismatchTable(tables.Table):
    """Per unit and month, the software's and the book's figures side by side; the cells that
    differ are red (table-danger), with the difference software − book."""

    unit = tables.Column(verbose_name=_("Unit"), accessor="unit_name", orderable=False)
    month = tables.Column(verbose_name=_("Month"), orderable=False, attrs={"td": {"class": "text-nowrap"}})
    received = _field_column("received")
    on_time = _field_column("on_time")
    late = _field_column("late")
    pending = _field_column("pending")
    returned = _field_column("returned")
    status = tables.Column(verbose_name=_("Status"), orderable=False)
    decision = tables.Column(verbose_name=_("Explain or mark corrected"), empty_values=(), orderable=False)

    class Meta:
        empty_text = _("The one-stop software and the tracking book agree for every month shown.")
        attrs = {"class": "table table-sm align-middle", "id": "mismatches"}
        row_attrs = {
            "data-unit": lambda record: record.unit_id,
            "data-month": lambda record: f"{record.month:%Y-%m}",
        }

    def __init__(self, *args, can_change=None, back_url="", request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_change = can_change or (lambda path: False)
        self.back_url = back_url
        self.csrf_token = get_token(request) if request is not None else ""

    def render_month(self, value):
        return f"{value:%m/%Y}"

    def _cell(self, record, field):
        cell = record.cell(field)
        software = "—" if cell["software"] is None else cell["software"]
        book = "—" if cell["book"] is None else cell["book"]
        diff = cell["difference"]
        extra = ""
        if diff:
            extra = format_html(
                ' <span class="badge text-bg-danger diff">{}{}</span>', "+" if diff > 0 else "", diff
            )
        return format_html(
            '<span class="text-nowrap"><span title="{}">{}</span> | <span title="{}">{}</span>{}</span>',
            RecordCount.Source.SOFTWARE.label,
            software,
            RecordCount.Source.BOOK.label,
            book,
            extra,
        )

    def render_received(self, record):
        return self._cell(record, "received")

    def render_on_time(self, record):
        return self._cell(record, "on_time")

    def render_late(self, record):
        return self._cell(record, "late")

    def render_pending(self, record):
        return self._cell(record, "pending")

    def render_returned(self, record):
        return self._cell(record, "returned")

    def render_status(self, record):
        badge = format_html(
            '<span class="badge {} status">{}</span>',
            STATUS_CSS.get(record.status, "text-bg-secondary"),
            Reconciliation.Status(record.status).label,
        )
        missing = ""
        if record.missing:
            missing = format_html(
                '<div class="small text-danger missing">{}</div>',
                _("no count from the %(source)s") % {"source": RecordCount.Source(record.missing).label},
            )
        comment = ""
        if record.comment:
            comment = format_html(
                '<div class="small text-body-secondary" style="white-space: pre-line">{}</div>',
                record.comment,
            )
        return format_html("{}{}{}", badge, missing, comment)

    def render_decision(self, record):
        # Built here rather than with a template per row: rendering a template with the request
        # runs the context processors (queries) once per row.
        if not self.can_change(record.unit_path):
            return ""
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, " selected" if value == record.status else "", label)
                for value, label in Reconciliation.Status.choices
            ),
        )
        return format_html(
            '<form method="post" action="{action}" class="reconciliation-form" style="min-width: 14rem">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
            '<input type="hidden" name="unit" value="{unit}"><input type="hidden" name="month" value="{month}">'
            '<input type="hidden" name="next" value="{back}">'
            '<select name="status" class="form-select form-select-sm mb-1" aria-label="{status_label}">{options}</select>'
            '<textarea name="comment" rows="2" maxlength="2000" class="form-control form-control-sm mb-1" '
            'aria-label="{comment_label}" placeholder="{placeholder}">{comment}</textarea>'
            '<button type="submit" class="btn btn-sm btn-outline-primary">{save}</button></form>',
            action=reverse("surveys:reconciliation_set"),
            csrf=self.csrf_token,
            unit=record.unit_id,
            month=f"{record.month:%Y-%m}",
            back=self.back_url,
            status_label=_("Status"),
            options=options,
            comment_label=_("Comment"),
            placeholder=_("Why the figures differ, or what was corrected"),
            comment=record.comment,
            save=_("Save"),
        )


class OnTimeTable(tables.Table):
    """On-time rates: one row per unit, or per procedure of one unit."""

    label = tables.Column(verbose_name=_("Unit"), orderable=False)
    received = tables.Column(verbose_name=_("Received"), orderable=False, attrs=NUMBER)
    on_time = tables.Column(verbose_name=_("Resolved on time"), orderable=False, attrs=NUMBER)
    late = tables.Column(verbose_name=_("Resolved late"), orderable=False, attrs=NUMBER)
    rate = tables.Column(verbose_name=_("On-time rate"), orderable=False, attrs=NUMBER, empty_values=())
    sources = tables.Column(verbose_name=_("Source"), orderable=False, empty_values=())

    class Meta:
        empty_text = _("No record count in this year.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "on-time"}

    def render_label(self, record, value):
        if record.get("url"):
            return format_html('<a href="{}">{}</a>', record["url"], value)
        return value

    def render_rate(self, record):
        return percent_text(record["rate"])

    def render_sources(self, record):
        labels = [str(RecordCount.Source(s).label) for s in sorted(record["sources"], reverse=True)]
        return ", ".join(labels) or "—"


class OnTimeProcedureTable(OnTimeTable):
    label = tables.Column(verbose_name=_("Procedure"), orderable=False)

    class Meta(OnTimeTable.Meta):
        attrs = {"class": "table table-hover table-sm align-middle", "id": "on-time-procedures"}
