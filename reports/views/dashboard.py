"""The dashboards on the home page (issue 8): the supervisor's and the officer's.

A user who may read several units with a QMS (ISO staff, committee, viewers, auditors of a
district or province) sees the supervisor's dashboard: headline figures, charts and one row per
unit, sortable, filterable by wave and kind, colour-coded, every figure a link to the list behind
it. A user who reads one such unit (its ISO officer) sees the officer's dashboard: what falls due
this week and what is overdue, and the unit's figures beside the median of its peers.

Both are a panel of the home page (core.dashboard, registered in reports.apps), shown first, and
a page of their own at /reports/dashboard/. Each costs a constant number of queries whatever the
number of units (reports.selectors).
"""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic

from certification import selectors as certification_selectors
from certification.models import QMS_UNIT_KINDS, QmsProfile
from certification.tables_profiles import status_badge
from communes.models import Unit, Wave
from core import clock
from core.scoping import Action, get_scope
from core.urls_cache import url_maker
from reports import selectors

Status = QmsProfile.Status

# Thresholds of the colours. Satisfaction: Resolution 76/NQ-CP (2021) sets the target of at least
# 90% of citizens satisfied with the handling of administrative procedures by 2025.
SATISFACTION_GOOD = Decimal("0.9")
SATISFACTION_FAIR = Decimal("0.8")
# TTHC coverage: every applicable TTHC should have its procedure in the QMS (Decision
# 19/2014/QĐ-TTg: the QMS covers the handling of the unit's administrative procedures).
COVERAGE_GOOD = Decimal("1")
COVERAGE_FAIR = Decimal("0.8")

GOOD, FAIR, BAD = "good", "fair", "bad"
TONE_CSS = {GOOD: "table-success", FAIR: "table-warning", BAD: "table-danger", None: ""}

ROWS_PER_PAGE = 100
# Above this many scored units the ranking chart shows the best ones only.
CHART_UNITS = 20

STATUS_COLOURS = {
    Status.BUILDING: "#6c757d",
    Status.APPLYING: "#0dcaf0",
    Status.ANNOUNCED: "#198754",
    Status.NEEDS_REANNOUNCEMENT: "#ffc107",
    Status.NEEDS_ANNOUNCEMENT: "#fd7e14",  # needs action too, told apart in the chart
    Status.LAPSED: "#dc3545",
    None: "#ced4da",
}

COLUMNS = (
    # (key, label, help)
    ("unit", gettext_lazy("Unit"), ""),
    ("status", gettext_lazy("Status"), gettext_lazy("Announcement status of the QMS")),
    ("version", gettext_lazy("Version"), gettext_lazy("Standard version of the QMS")),
    ("audit", gettext_lazy("Last internal audit"), ""),
    ("review", gettext_lazy("Last management review"), ""),
    ("ncs", gettext_lazy("Open NCs"), gettext_lazy("Open nonconformities")),
    ("actions", gettext_lazy("Open actions"), gettext_lazy("Corrective actions not yet verified")),
    ("overdue", gettext_lazy("Overdue actions"), gettext_lazy("Corrective actions past their due date")),
    ("documents", gettext_lazy("Review overdue"), gettext_lazy("Documents in force overdue for review")),
    ("coverage", gettext_lazy("TTHC coverage"), gettext_lazy("Applicable TTHC with a procedure in force")),
    ("satisfaction", gettext_lazy("Satisfaction"), gettext_lazy("Citizens satisfied this year")),
    ("score", gettext_lazy("Score"), gettext_lazy("Final score of the latest scoring round")),
    ("rank", gettext_lazy("Rank"), gettext_lazy("Rank in the latest scoring round")),
)


# --- Formatting ------------------------------------------------------------------------------
def percent(value) -> str:
    return "—" if value is None else f"{round(Decimal(value) * 100)}%"


def month_text(day) -> str:
    return f"{day:%m/%Y}" if day else "—"


def day_text(day) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"


def number_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float | Decimal) and value != int(value):
        return f"{value:.1f}"
    return str(int(value)) if isinstance(value, float | Decimal) else str(value)


def rate_tone(value, good, fair):
    if value is None:
        return None
    return GOOD if value >= good else FAIR if value >= fair else BAD


def yearly_tone(day, today):
    """An internal audit and a management review at least once a year (Decision 19/2014/QĐ-TTg
    Art. 4.4.b): held this year is good, last year only is fair (this year's may still be to
    come), earlier or never is bad."""
    if day is None or day.year < today.year - 1:
        return BAD
    return GOOD if day.year >= today.year else FAIR


def count_tone(value, bad=True):
    """Nothing open is good; something overdue is bad (`bad`), something open only fair."""
    if value is None:
        return None
    return GOOD if value == 0 else BAD if bad else FAIR


def list_url(name, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)


@dataclass
class Cell:
    key: str
    text: str
    url: str = ""
    tone: str | None = None
    title: str = ""
    html: str = ""  # rendered instead of `text` (a status badge)

    @property
    def css(self) -> str:
        return TONE_CSS[self.tone]


class Links:
    """The URLs of the lists behind the figures, reversed once per page."""

    def __init__(self, user, year):
        self.scope = get_scope(user)
        self.year = year
        self.unit = url_maker("communes:unit_detail")
        self.profile = url_maker("certification:profile_detail")
        self.coverage = url_maker("procedures:coverage_unit")
        self.sheet = url_maker("certification:sheet_detail")
        self.league = url_maker("certification:league_table")
        self.audits = reverse("audits:audit_list")
        self.reviews = reverse("audits:review_list")
        self.actions = reverse("actions:nonconformity_list")
        self.documents = reverse("documents:document_list")
        self.satisfaction = reverse("surveys:results")

    def rank(self, sheet):
        # The league table belongs to the round's unit (the district): an officer cannot open it.
        if self.scope.covers(Action.VIEW, sheet.round.unit.path):
            return self.league(sheet.round_id)
        return self.sheet(sheet.pk)


def unit_cells(row: selectors.UnitFigures, links: Links, today) -> dict[str, Cell]:
    """The cells of one unit's figures, by column key: text, link and colour."""
    pk = row.pk
    profile_url = links.profile(row.profile.pk) if row.profile else links.unit(pk)
    version = row.version
    sheet = row.sheet
    ncs_url = f"{links.actions}?unit={pk}&status=open"
    cells = {
        "unit": Cell("unit", row.unit.name, links.unit(pk)),
        "status": Cell(
            "status",
            row.profile.get_status_display() if row.profile else _("no profile yet"),
            profile_url,
            html=status_badge(row.status),
        ),
        "version": Cell(
            "version",
            version.code if version else "—",
            profile_url,
            (GOOD if row.on_latest else FAIR) if version else None,
        ),
        "audit": Cell(
            "audit",
            month_text(row.last_audit),
            f"{links.audits}?unit={pk}",
            yearly_tone(row.last_audit, today),
        ),
        "review": Cell(
            "review",
            day_text(row.last_review),
            f"{links.reviews}?unit={pk}",
            yearly_tone(row.last_review, today),
        ),
        "ncs": Cell("ncs", str(row.open_ncs), ncs_url, count_tone(row.open_ncs, bad=False)),
        "actions": Cell("actions", str(row.open_actions), ncs_url),
        "overdue": Cell(
            "overdue",
            str(row.overdue_actions),
            f"{links.actions}?unit={pk}&overdue=yes",
            count_tone(row.overdue_actions),
        ),
        "documents": Cell(
            "documents",
            str(row.review_overdue),
            f"{links.documents}?unit={pk}&review_overdue=yes",
            count_tone(row.review_overdue),
        ),
        "coverage": Cell(
            "coverage",
            percent(row.coverage),
            links.coverage(pk),
            rate_tone(row.coverage, COVERAGE_GOOD, COVERAGE_FAIR),
            _("%(covered)s of %(applicable)s TTHC") % {"covered": row.covered, "applicable": row.applicable},
        ),
        "satisfaction": Cell(
            "satisfaction",
            percent(row.satisfaction),
            f"{links.satisfaction}?unit={pk}&year={links.year}",
            rate_tone(row.satisfaction, SATISFACTION_GOOD, SATISFACTION_FAIR),
            _("%(satisfied)s of %(rated)s ratings") % {"satisfied": row.satisfied, "rated": row.rated},
        ),
        "score": Cell(
            "score",
            number_text(row.score),
            links.sheet(sheet.pk) if sheet else "",
            title=str(sheet.round.year) if sheet else "",
        ),
        "rank": Cell(
            "rank",
            f"{row.rank}/{row.ranked}" if row.rank else "—",
            links.rank(sheet) if sheet else "",
            GOOD if sheet and row.rank and row.rank <= sheet.round.commend_top else None,
            _("Scoring of %(year)s") % {"year": sheet.round.year} if sheet else "",
        ),
    }
    return cells


# --- The supervisor's dashboard ----------------------------------------------------------------
class DashboardFilterForm(forms.Form):
    """Wave and kind of the units shown (the choices: those of the units in scope)."""

    wave = forms.ModelChoiceField(
        label=gettext_lazy("Wave"),
        queryset=Wave.objects.none(),
        required=False,
        empty_label=gettext_lazy("every wave"),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        waves = {u.wave_id: u.wave for u in units if u.wave_id}
        self.fields["wave"].queryset = Wave.objects.filter(pk__in=waves)
        kinds = {u.kind for u in units}
        self.fields["kind"].choices = [("", _("every kind"))] + [
            (value, label) for value, label in Unit.Kind.choices if value in kinds and value in QMS_UNIT_KINDS
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def apply(self, units):
        if not self.is_bound or not self.is_valid():
            return units
        wave, kind = self.cleaned_data.get("wave"), self.cleaned_data.get("kind")
        return [u for u in units if (not wave or u.wave_id == wave.pk) and (not kind or u.kind == kind)]


def _sort_param(request):
    raw = request.GET.get("sort", "")
    key = raw.lstrip("-")
    if key not in selectors.SORT_KEYS:
        return "unit", False
    return key, raw.startswith("-")


def _query(request, **changes):
    params = {k: v for k, v in request.GET.items() if k in ("wave", "kind", "sort") and v}
    params.update({k: v for k, v in changes.items() if v})
    return "?" + urlencode(params) if params else "?"


def _charts(head, rows):
    statuses = [
        (value, label)
        for value, label in [*Status.choices, (None, _("no profile yet"))]
        if head.statuses.get(value)
    ]
    scored = sorted((r for r in rows if r.score is not None), key=lambda r: (-r.score, r.unit.path))
    return {
        "status": {
            "labels": [str(label) for _value, label in statuses],
            "counts": [head.statuses[value] for value, _label in statuses],
            "colours": [STATUS_COLOURS[value] for value, _label in statuses],
        },
        "scores": {
            "labels": [r.unit.short_name or r.unit.name for r in scored[:CHART_UNITS]],
            "values": [float(r.score) for r in scored[:CHART_UNITS]],
            "height": 60 + 24 * len(scored[:CHART_UNITS]),
            "label": _("final score"),
            "more": len(scored) > CHART_UNITS,
        },
    }


def supervisor_context(request, units, today):
    """The supervisor's dashboard over `units` (the units with a QMS the user reads)."""
    form = DashboardFilterForm(request.GET or None, units=units)
    shown = form.apply(units)
    latest = certification_selectors.latest_version()
    rows = selectors.unit_figures(shown, today, latest=latest)
    head = selectors.headline(rows, latest=latest)
    key, descending = _sort_param(request)
    rows = selectors.sort_rows(rows, key, descending)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    links = Links(request.user, today.year)
    table = []
    for row in page.object_list:
        cells = unit_cells(row, links, today)
        table.append({"unit": row.unit, "cells": [cells[column] for column, _label, _help in COLUMNS]})
    headers = []
    for column, label, help_text in COLUMNS:
        # First click: ascending for names and dates, highest first for the figures.
        first_desc = column not in ("unit", "audit", "review", "status", "rank")
        if column == key:
            target = column if descending else f"-{column}"
        else:
            target = f"-{column}" if first_desc else column
        headers.append(
            {
                "key": column,
                "label": label,
                "help": help_text,
                "url": _query(request, sort=target),
                "sorted": "desc" if column == key and descending else "asc" if column == key else "",
            }
        )
    # The profile list filters by wave too (not by kind): its headline links keep the wave.
    wave = form.cleaned_data.get("wave") if form.is_bound and form.is_valid() else None
    wave_query = f"&wave={wave.pk}" if wave else ""
    return {
        "mode": "supervisor",
        "form": form,
        "head": head,
        "headline_links": {
            "announced": list_url("certification:profile_list", status=Status.ANNOUNCED) + wave_query,
            "latest": list_url("certification:profile_list", version=latest.pk) + wave_query
            if latest
            else "",
            "overdue": list_url("actions:nonconformity_list", overdue="yes"),
            "satisfaction": list_url("surveys:results", year=today.year),
        },
        "headline_text": {
            "latest_share": percent(head.latest_share),
            "latest": _("on the %(version)s version") % {"version": _version_year(latest)},
            "satisfaction": percent(head.average_satisfaction),
        },
        "headers": headers,
        "table": table,
        "page": page,
        "page_query": _query(request),
        "charts": _charts(head, rows),
        "today": today,
        "year": today.year,
        "scope_total": len(units),
    }


def _version_year(version) -> str:
    """ "2015" of "TCVN ISO 9001:2015" (the headline's short form); the code when it has no year."""
    if version is None:
        return "—"
    tail = version.code.rsplit(":", 1)[-1]
    return tail if tail.isdigit() else version.code


# --- The officer's dashboard -------------------------------------------------------------------
def officer_context(request, unit, today):
    """The officer's dashboard of `unit`: what falls due, and its figures beside its peers'."""
    peers = list(selectors.peers_of(unit, today))
    latest = certification_selectors.latest_version()
    figures = selectors.unit_figures([unit, *peers], today, latest=latest)
    own, peer_rows = figures[0], figures[1:]
    medians = selectors.peer_medians(peer_rows)
    links = Links(request.user, today.year)
    cells = unit_cells(own, links, today)
    n = medians.count

    def share(count):
        return _("%(count)s of %(total)s") % {"count": count, "total": n} if n else "—"

    peer_text = {
        "status": _("%(share)s announced") % {"share": share(medians.announced)} if n else "—",
        "version": _("%(share)s on the latest version") % {"share": share(medians.on_latest)} if n else "—",
        "audit": month_text(medians.last_audit),
        "review": day_text(medians.last_review),
        "ncs": number_text(medians.open_ncs),
        "actions": number_text(medians.open_actions),
        "overdue": number_text(medians.overdue_actions),
        "documents": number_text(medians.review_overdue),
        "coverage": percent(medians.coverage),
        "satisfaction": percent(medians.satisfaction),
        "score": number_text(medians.score),
        "rank": "—",
    }
    comparison = [
        {"key": key, "label": label, "help": help_text, "cell": cells[key], "peers": peer_text[key]}
        for key, label, help_text in COLUMNS
        if key != "unit"
    ]
    return {
        "mode": "officer",
        "unit": unit,
        "own": own,
        "due": selectors.due_items(request.user, unit, today),
        "comparison": comparison,
        "peer_count": n,
        "today": today,
        "year": today.year,
    }


def dashboard_context(request):
    """The context of the dashboard panel, None when the user reads no unit with a QMS."""
    today = clock.today()
    units = list(selectors.dashboard_units(request.user, today))
    closed = []
    if not units:
        # Every unit of the user has ceased (the 2025 reorganisation): its last day, as an archive.
        closed = selectors.closed_units(request.user, today)
        if not closed:
            return None
        today = closed[0].valid_until
        units = list(selectors.dashboard_units(request.user, today))
        if not units:
            return None
    context = (
        officer_context(request, units[0], today)
        if len(units) == 1
        else supervisor_context(request, units, today)
    )
    context["closed_units"] = [unit for unit in closed if unit.valid_until == today]
    return context


def panel_context(request):
    """core.dashboard's panel: the dashboard first on the home page."""
    context = dashboard_context(request)
    if context is None:
        return None
    return {**context, "full_page_url": reverse("reports:dashboard"), "in_panel": True}


class DashboardView(LoginRequiredMixin, generic.TemplateView):
    """/reports/dashboard/: the dashboard alone, full width."""

    template_name = "reports/dashboard/page.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dashboard = dashboard_context(self.request)
        context.update(dashboard or {}, has_dashboard=dashboard is not None)
        return context
