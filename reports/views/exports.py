"""The reports index and the registers auditors ask for, as Excel workbooks: documents, TTHC
coverage, audits and findings, corrective actions.

Each register holds the rows the user may read (their view scope), optionally narrowed to one
unit's subtree with `?unit=` (a unit out of scope → 404). The number of queries does not grow
with the number of rows.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from audits import selectors as audit_selectors
from audits.models import Audit, CorrectiveAction
from communes.models import Unit
from core import clock
from core.scoping import Action, can_anywhere
from documents import selectors as document_selectors
from documents.models import Document
from reports import exports, selectors
from reports.forms import ExportUnitForm
from reports.selectors_annual import supervising_units

# Rows are read from the database in chunks (and their related rows prefetched per chunk), so a
# large register never sits in memory as a whole: a few queries per CHUNK rows.
CHUNK = 2000

# (URL name, title, description) of each register, in the order the index lists them.
REGISTERS = [
    (
        "reports:export_documents",
        _("Documents register"),
        _("Every controlled document: code, title, kind, unit, current issue, dates, next review, status."),
    ),
    (
        "reports:export_coverage",
        _("TTHC coverage"),
        _("Per unit, each applicable administrative procedure and the procedure documents that serve it."),
    ),
    (
        "reports:export_audits",
        _("Audits and findings"),
        _("Each internal audit with its team and its findings, and the nonconformities they raised."),
    ),
    (
        "reports:export_actions",
        _("Corrective actions"),
        _("Each corrective action with its nonconformity, owner, due date, state and verification."),
    ),
]


def _require_scope(request):
    if not can_anywhere(request.user, Action.VIEW):
        raise PermissionDenied


def _unit(request):
    """The unit of `?unit=` (404 when out of the user's scope), or None for the whole scope."""
    raw = request.GET.get("unit")
    if not raw:
        return None
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    unit = Unit.objects.for_user(request.user, Action.VIEW).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def _scoped(queryset, request, unit_field):
    qs = queryset.for_user(request.user, Action.VIEW)
    unit = _unit(request)
    if unit is not None:
        qs = qs.filter(**{f"{unit_field}__path__startswith": unit.path})
    return qs, unit


def _attachment(content, name, unit):
    suffix = f"-{unit.pk}" if unit is not None else ""
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}{suffix}-{clock.today():%Y%m%d}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def index(request):
    """The reports of the app: the annual report (supervisors and committee) and the registers."""
    form = ExportUnitForm(request.GET or None, user=request.user)
    unit = form.cleaned_data.get("unit") if form.is_bound and form.is_valid() else None
    return render(
        request,
        "reports/exports/index.html",
        {
            "form": form,
            "registers": REGISTERS,
            "unit": unit,
            "annual_units": list(supervising_units(request.user)[:1]),
            "can_export": can_anywhere(request.user, Action.VIEW),
        },
    )


@login_required
def export_documents(request):
    _require_scope(request)
    documents, unit = _scoped(Document.objects.all(), request, "unit")
    rows = document_selectors.document_register(documents).prefetch_related("procedures")
    return _attachment(exports.documents_workbook(rows.iterator(CHUNK)), "so-tai-lieu", unit)


@login_required
def export_coverage(request):
    _require_scope(request)
    unit = _unit(request)
    units = selectors.dashboard_units(request.user, clock.today())
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
    lines = document_selectors.coverage_register(units)
    return _attachment(exports.coverage_workbook(lines), "bao-phu-tthc", unit)


@login_required
def export_audits(request):
    _require_scope(request)
    audits, unit = _scoped(Audit.objects.all(), request, "unit")
    rows = audit_selectors.findings_register(audits.order_by("unit__path", "-planned_month", "pk")).iterator(
        CHUNK
    )
    content = exports.audits_workbook(rows, lambda obj: request.build_absolute_uri(obj.get_absolute_url()))
    return _attachment(content, "danh-gia-noi-bo", unit)


@login_required
def export_actions(request):
    _require_scope(request)
    actions, unit = _scoped(CorrectiveAction.objects.all(), request, "nonconformity__unit")
    rows = audit_selectors.actions_register(actions).iterator(CHUNK)
    return _attachment(exports.actions_workbook(rows, clock.today()), "hanh-dong-khac-phuc", unit)
