import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audits.models import Audit, AuditProgramme, Nonconformity

STATE_BADGES = {
    Audit.State.PLANNED: "text-bg-secondary",
    Audit.State.IN_PROGRESS: "text-bg-warning",
    Audit.State.REPORT_ISSUED: "text-bg-info",
    Audit.State.CLOSED: "text-bg-success",
}
NC_BADGES = {Nonconformity.Status.OPEN: "text-bg-warning", Nonconformity.Status.CLOSED: "text-bg-success"}
NOWRAP = {"td": {"class": "text-nowrap"}}


def badge(css, text):
    return format_html('<span class="badge {}">{}</span>', css, text)


def _date(value):
    return value.strftime("%d/%m/%Y") if value else "—"


def _person(user):
    if user is None:
        return "—"
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()


class ProgrammeTable(tables.Table):
    year = tables.Column(verbose_name=_("Year"), attrs=NOWRAP)
    title = tables.Column(linkify=True, verbose_name=_("Title"))
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__name", order_by=("unit__path",))
    audits_count = tables.Column(verbose_name=_("Audits"))
    closed_count = tables.Column(verbose_name=_("Closed"))

    class Meta:
        model = AuditProgramme
        fields = ["year", "title", "unit", "audits_count", "closed_count"]
        empty_text = _("No audit programme yet.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "programmes"}


class AuditTable(tables.Table):
    unit = tables.Column(
        verbose_name=_("Unit"), accessor="unit__name", order_by=("unit__path",), linkify=lambda record: record
    )
    planned_month = tables.Column(verbose_name=_("Month"), attrs=NOWRAP)
    programme = tables.Column(verbose_name=_("Programme"), accessor="programme__year", default="—")
    lead_auditor = tables.Column(verbose_name=_("Lead auditor"), default="—")
    state = tables.Column(verbose_name=_("State"))
    depth = tables.Column(verbose_name=_("Depth"), accessor="pk", orderable=False)
    findings_count = tables.Column(verbose_name=_("Findings"))

    class Meta:
        model = Audit
        fields = ["unit", "planned_month", "programme", "lead_auditor", "state", "depth", "findings_count"]
        empty_text = _("No audit matches.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "audits"}

    def __init__(self, *args, clauses_total=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.clauses_total = clauses_total

    def render_planned_month(self, value):
        return value.strftime("%m/%Y")

    def render_lead_auditor(self, value):
        return _person(value)

    def render_state(self, record, value):
        return badge(STATE_BADGES.get(record.state, "text-bg-secondary"), value)

    def render_depth(self, record):
        return format_html(
            '<span class="small">{}</span>',
            _("%(covered)s/%(total)s clauses · %(answered)s/%(questions)s questions")
            % {
                "covered": record.clauses_covered,
                "total": self.clauses_total,
                "answered": record.answered,
                "questions": record.questions,
            },
        )


class NonconformityTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name=_("Nonconformity"))
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__name", order_by=("unit__path",))
    source = tables.Column(verbose_name=_("Source"))
    raised_on = tables.Column(verbose_name=_("Raised on"), attrs=NOWRAP)
    status = tables.Column(verbose_name=_("Status"))
    open_actions = tables.Column(verbose_name=_("Open actions"))
    next_due = tables.Column(verbose_name=_("Next due"), attrs=NOWRAP, default="—")

    class Meta:
        model = Nonconformity
        fields = ["title", "unit", "source", "raised_on", "status", "open_actions", "next_due"]
        empty_text = _("No nonconformity matches.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "nonconformities"}

    def render_raised_on(self, value):
        return _date(value)

    def render_status(self, record, value):
        return badge(NC_BADGES.get(record.status, "text-bg-secondary"), value)

    def render_open_actions(self, record, value):
        if record.overdue_actions:
            return format_html(
                '{} <span class="badge text-bg-danger">{}</span>',
                value,
                _("%(n)s overdue") % {"n": record.overdue_actions},
            )
        return value

    def render_next_due(self, record, value):
        if record.status == Nonconformity.Status.OPEN and value < timezone.localdate():
            return format_html('{} <span class="badge text-bg-danger">{}</span>', _date(value), _("overdue"))
        return _date(value)
