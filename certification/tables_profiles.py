"""Tables of the QMS profile list and of the version transition list.

The profile table lists units (a unit without a profile shows "no profile yet"); the view hands
it `statuses` (certification.selectors.status_for_units for the page's units, two queries) and
the user's `scope`, so no row costs a query.
"""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from certification.models import Decision, QmsProfile, VersionTransition
from core.scoping import Action

Status = QmsProfile.Status

STATUS_CSS = {
    Status.BUILDING: "text-bg-secondary",
    Status.APPLYING: "text-bg-info",
    Status.ANNOUNCED: "text-bg-success",
    Status.NEEDS_REANNOUNCEMENT: "text-bg-warning",
    Status.NEEDS_ANNOUNCEMENT: "text-bg-warning",
    Status.LAPSED: "text-bg-danger",
}
NO_PROFILE_CSS = "bg-body-secondary text-body-secondary border"
STATUS_LABELS = dict(Status.choices)


def date_text(value):
    return value.strftime("%d/%m/%Y") if value else "—"


def status_badge(status):
    """A coloured badge of a profile status (None: the unit has no profile yet)."""
    if not status:
        return format_html(
            '<span class="badge {} qms-status" data-status="none">{}</span>',
            NO_PROFILE_CSS,
            _("no profile yet"),
        )
    return format_html(
        '<span class="badge {} qms-status" data-status="{}">{}</span>',
        STATUS_CSS.get(status, "text-bg-secondary"),
        status,
        STATUS_LABELS.get(status, status),
    )


def decision_text(decision):
    """“15/QĐ-UBND, 20/12/2018” linked to the decision; a re-announcement says so."""
    if decision is None:
        return "—"
    extra = ""
    if decision.kind == Decision.Kind.REANNOUNCEMENT:
        extra = format_html(
            ' <span class="small text-body-secondary">({})</span>', decision.get_kind_display()
        )
    return format_html(
        '<a href="{}">{}</a>, <span class="text-nowrap">{}</span>{}',
        decision.get_absolute_url(),
        decision.number,
        date_text(decision.signed_on),
        extra,
    )


class ProfileTable(tables.Table):
    name = tables.Column(verbose_name=_("Unit"), order_by=("path",), attrs={"td": {"class": "unit-name"}})
    wave = tables.Column(verbose_name=_("Wave"), accessor="wave__name", default="—")
    qms_version = tables.Column(verbose_name=_("Standard version"), default="—")
    qms_status = tables.Column(verbose_name=_("Status"), empty_values=())
    announcement = tables.Column(verbose_name=_("Current announcement"), empty_values=(), orderable=False)
    recognition = tables.Column(verbose_name=_("Current recognition"), empty_values=(), orderable=False)
    links = tables.Column(
        verbose_name="", empty_values=(), orderable=False, attrs={"td": {"class": "text-end text-nowrap"}}
    )

    class Meta:
        fields = ["name", "wave", "qms_version", "qms_status", "announcement", "recognition", "links"]
        empty_text = _("No unit matches.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "profiles"}
        row_attrs = {"data-unit": lambda record: record.pk}

    def __init__(self, *args, statuses=None, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.statuses = statuses or {}
        self.scope = scope

    def _entry(self, record):
        return self.statuses.get(record.pk)

    def render_name(self, record, value):
        if record.qms_profile_id:
            link = reverse("certification:profile_detail", args=[record.qms_profile_id])
        else:
            link = record.get_absolute_url()
        return format_html(
            '<a href="{}">{}</a> <span class="small text-body-secondary">{}</span>',
            link,
            value,
            record.get_kind_display(),
        )

    def render_qms_status(self, record):
        return status_badge(record.qms_status)

    def render_announcement(self, record):
        entry = self._entry(record)
        return decision_text(entry.announcement if entry else None)

    def render_recognition(self, record):
        entry = self._entry(record)
        return decision_text(entry.recognition if entry else None)

    def render_links(self, record):
        links = []
        if record.qms_profile_id:
            links.append(
                (
                    reverse("certification:profile_detail", args=[record.qms_profile_id]),
                    "btn-outline-primary",
                    _("Profile"),
                )
            )
        elif self.scope is not None and self.scope.covers(Action.CHANGE, record.path):
            links.append(
                (
                    reverse("certification:profile_create", args=[record.pk]),
                    "btn-primary",
                    _("Set up the profile"),
                )
            )
        links.append((record.get_absolute_url(), "btn-outline-secondary", _("Unit page")))
        return format_html_join(" ", '<a class="btn btn-sm {1}" href="{0}">{2}</a>', links)


class TransitionTable(tables.Table):
    target_version = tables.Column(verbose_name=_("Target version"), order_by=("target_version__sort_order",))
    unit = tables.Column(verbose_name=_("Unit"), accessor="unit__name", order_by=("unit__path",))
    deadline = tables.Column(verbose_name=_("Deadline"), attrs={"td": {"class": "text-nowrap"}})
    note = tables.Column(verbose_name=_("Note"), orderable=False, default="")

    class Meta:
        model = VersionTransition
        fields = ["target_version", "unit", "deadline", "note"]
        order_by = ["-deadline"]
        empty_text = _("No version transition yet.")
        attrs = {"class": "table table-hover table-sm align-middle", "id": "transitions"}

    def render_target_version(self, record, value):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)

    def render_deadline(self, value):
        return date_text(value)

    def render_note(self, value):
        return value if len(value) <= 120 else value[:119] + "…"
