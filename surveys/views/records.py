"""Pages of the one-stop record counts: the list, entry by hand (the tracking book, or the
software's figures when there is no export), the import of the software's export, the
reconciliation of the two sources and the on-time rate.

Everything is read through `for_user`: out of scope → 404, in scope without the right → 403.
Writes go through surveys.services.records; their ValidationError lands on the form (or in a
message) and nothing is saved. The lists cost a constant number of queries whatever the number
of rows.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from certification.models import QMS_UNIT_KINDS
from core import clock
from core.scoping import Action, can_anywhere, get_scope
from core.views import get_scoped_object_or_404, posted, run_form
from documents.models import Procedure
from surveys import selectors_records as selectors
from surveys.filters_records import ReconciliationFilter, RecordCountFilter
from surveys.forms_records import OnTimeForm, ReconciliationSetForm, RecordCountForm, desk_units
from surveys.models import Reconciliation, RecordCount
from surveys.services import records as services
from surveys.tables_records import MismatchTable, OnTimeProcedureTable, OnTimeTable, RecordCountTable
from surveys.views.base import DeskCountListView, import_page, require_writer, scoped_unit

PER_PAGE = 25
# The reconciliation shows the last two years unless asked otherwise: a month of the book can
# stay unexplained for long, and the annual evaluation looks back over the previous year too.
DEFAULT_MONTHS = 24


def list_url(unit=None, month=None):
    query = {}
    if unit is not None:
        query["unit"] = unit.pk
    if month is not None:
        query["month_from"] = query["month_to"] = f"{month:%Y-%m}"
    url = reverse("surveys:record_list")
    return f"{url}?{urlencode(query)}" if query else url


def months_back(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


# --- The list and entry by hand ---------------------------------------------------------------
class RecordListView(DeskCountListView):
    model = RecordCount
    table_class = RecordCountTable
    filterset_class = RecordCountFilter
    template_name = "surveys/records/record_list.html"


def _record_form_context(title, record=None):
    return {
        "title": title,
        "object": record,
        "list_url": list_url(record.unit) if record is not None else reverse("surveys:record_list"),
        "list_title": _("Record counts"),
        "intro": _(
            "The counts of one month: received, resolved on time, resolved late, pending at the end of the "
            "month, returned. Leave the TTHC code empty for all procedures together."
        ),
    }


@login_required
def record_create(request):
    user = request.user
    require_writer(user)
    initial = {}
    unit = scoped_unit(user, request.POST.get("unit") or request.GET.get("unit"), Action.CHANGE)
    if unit is not None:
        initial["unit"] = unit.pk
    if request.GET.get("source") in RecordCount.Source.values:
        initial["source"] = request.GET["source"]
    if request.GET.get("month"):
        initial["month"] = request.GET["month"][:10]
    form = RecordCountForm(posted(request), user=user, initial=initial)

    def run(data):
        record = services.record_count_save(actor=user, **form.service_kwargs())
        return list_url(record.unit, record.month)

    return run_form(
        request,
        form,
        run,
        success=_("Record counts saved."),
        template="surveys/records/form.html",
        context=_record_form_context(_("Enter record counts")),
    )


@login_required
def record_update(request, pk):
    user = request.user
    record = get_scoped_object_or_404(
        RecordCount.objects.select_related("unit", "procedure"), user, Action.CHANGE, pk=pk
    )
    form = RecordCountForm(posted(request), user=user, instance=record)

    def run(data):
        services.record_count_save(actor=user, **form.service_kwargs())
        return list_url(record.unit, record.month)

    return run_form(
        request,
        form,
        run,
        success=_("Record counts saved."),
        template="surveys/records/form.html",
        context=_record_form_context(_("Edit record counts"), record),
    )


# --- Import of the software's export ---------------------------------------------------------
@login_required
def record_import(request):
    return import_page(
        request,
        importer=services,
        session_key="surveys_record_import",
        context={
            "title": _("Import the one-stop software's export"),
            "list_url": reverse("surveys:record_list"),
            "list_title": _("Record counts"),
        },
        success=_("%(rows)s row(s) of the software's export imported."),
        done_url=reverse("surveys:reconciliation"),
        help_text=_(
            "An Excel workbook (.xlsx, first sheet) or a CSV file with a header row. Columns: unit (code or "
            "name), TTHC code (empty: all procedures), month (mm/yyyy or a date), received, on time, late, "
            "pending, returned — or Đơn vị, Mã TTHC, Tháng, Tiếp nhận, Đúng hạn, Quá hạn, Đang giải quyết, "
            "Trả lại. A “Trước hạn” (early) column is counted as on time. The same unit, procedure and month "
            "again updates the figures. At most 2000 rows; you will see a preview before anything is saved."
        ),
    )


# --- Reconciliation ---------------------------------------------------------------------------
def _month_range(data):
    end = data.get("month_to") or clock.today().replace(day=1)
    end = end.replace(day=1)
    start = data.get("month_from")
    start = start.replace(day=1) if start else months_back(end, DEFAULT_MONTHS - 1)
    return start, end


STATUS_FILTERS = {
    "unsettled": {Reconciliation.Status.OPEN},
    Reconciliation.Status.EXPLAINED: {Reconciliation.Status.EXPLAINED},
    Reconciliation.Status.CORRECTED: {Reconciliation.Status.CORRECTED},
}


@login_required
def reconciliation(request):
    """Per unit and month, where the software and the tracking book disagree."""
    user = request.user
    scoped_unit(user, request.GET.get("unit"))  # 404 for a unit out of scope
    filterset = ReconciliationFilter(request.GET or None, queryset=desk_units(user, Action.VIEW), user=user)
    valid = filterset.is_valid() if filterset.is_bound else True
    data = filterset.form.cleaned_data if filterset.is_bound and valid else {}
    start, end = _month_range(data)
    rows = selectors.mismatches(filterset.qs, start, end) if valid else []
    wanted = STATUS_FILTERS.get(data.get("status") or "")
    if wanted:
        rows = [r for r in rows if r.status in wanted]
    scope = get_scope(user)
    table = MismatchTable(
        rows,
        can_change=lambda path: scope.covers(Action.CHANGE, path),
        back_url=request.get_full_path(),
        request=request,
    )
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "surveys/records/reconciliation.html",
        {
            "filter": filterset,
            "table": table,
            "start": start,
            "end": end,
            "open_count": sum(1 for r in rows if r.status == Reconciliation.Status.OPEN),
            "can_create": can_anywhere(user, Action.CHANGE),
        },
    )


@login_required
@require_POST
def reconciliation_set(request):
    """The decision on one (unit, month): explained or corrected, with a comment."""
    user = request.user
    form = ReconciliationSetForm(request.POST)
    unit = scoped_unit(user, request.POST.get("unit"), Action.CHANGE)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    if unit is None or not form.is_valid():
        messages.error(request, _("Choose a unit, a month and a status."))
        return redirect(back or reverse("surveys:reconciliation"))
    back = back or f"{reverse('surveys:reconciliation')}?unit={unit.pk}"
    data = form.cleaned_data
    try:
        with transaction.atomic():
            services.reconciliation_set(
                actor=user, unit=unit, month=data["month"], status=data["status"], comment=data["comment"]
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(unit)s, %(month)s: %(status)s.")
            % {
                "unit": unit.name,
                "month": f"{data['month']:%m/%Y}",
                "status": Reconciliation.Status(data["status"]).label,
            },
        )
    return redirect(back)


# --- On-time rate -----------------------------------------------------------------------------
def _rate_row(label, figures, url=""):
    figures = figures or selectors.OnTime()
    return {
        "label": label,
        "url": url,
        "received": figures.received,
        "on_time": figures.on_time,
        "late": figures.late,
        "rate": figures.percent,
        "sources": figures.sources,
    }


@login_required
def ontime(request):
    """The on-time rate for a year: per unit, or per procedure of one unit."""
    user = request.user
    unit = scoped_unit(user, request.GET.get("unit"))
    form = OnTimeForm(request.GET or None, user=user)
    form.is_valid()
    this_year = clock.today().year
    year = getattr(form, "cleaned_data", {}).get("year") or this_year
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 1)
    context = {"form": form, "unit": unit, "year": year}
    if unit is not None and unit.kind in QMS_UNIT_KINDS:
        total = selectors.on_time_rates([unit.pk], start, end).get(unit.pk, selectors.OnTime())
        rates = selectors.on_time_rates([unit.pk], start, end, by_procedure=True)
        names = {
            p.pk: f"{p.code} — {p.name}"
            for p in Procedure.objects.filter(pk__in=[key[1] for key in rates]).only("code", "name")
        }
        data = [_rate_row(names.get(key[1], ""), figures) for key, figures in rates.items()]
        data.sort(key=lambda r: r["label"])
        table = OnTimeProcedureTable(data)
        context.update(total=total)
    else:
        units = desk_units(user, Action.VIEW)
        if unit is not None:
            units = units.filter(path__startswith=unit.path)
        rates = selectors.on_time_rates(units, start, end)
        base = reverse("surveys:ontime")
        data = [
            _rate_row(u.name, rates.get(u.pk), f"{base}?{urlencode({'unit': u.pk, 'year': year})}")
            for u in units
        ]
        table = OnTimeTable(data)
        context["unit"] = None
        context["area"] = unit
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    context["table"] = table
    return render(request, "surveys/records/ontime.html", context)
