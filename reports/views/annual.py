"""The annual report of a supervising unit to the Department of Science and Technology
(Decision 19/2014/QĐ-TTg Art. 9): the page, the problems and proposals (supervisor), the Excel
workbook and the PDF.

The report is the supervisor's: its supervisors write it (MANAGE), the steering committee reads it
(APPROVE); other readers of the unit get 403, a unit out of scope 404. The unit is the user's
first supervising unit, or `?unit=` for a user with several.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.models import QMS_UNIT_KINDS
from communes.models import Unit
from core import clock
from core.scoping import Action, get_scope
from core.views import run_form
from reports import services
from reports.exports import XLSX, Percent, annual_title, annual_workbook, summary_figures
from reports.forms import AnnualReportForm, YearForm
from reports.models import AnnualReport
from reports.selectors_annual import annual_content, supervising_units

FORM_TEMPLATE = "reports/annual/form.html"
DENIED = gettext_lazy("The annual report is kept by the supervisor and the steering committee.")


def report_unit(request) -> Unit:
    """The supervising unit whose report is asked for: `?unit=` (404 when out of scope or not a
    supervising unit, 403 when the user may read it but neither supervises it nor sits on its
    committee), else the first the user supervises (403 when there is none)."""
    user = request.user
    units = supervising_units(user)
    raw = request.GET.get("unit")
    if not raw:
        unit = units.first()
        if unit is None:
            raise PermissionDenied(DENIED)
        return unit
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    unit = units.filter(pk=pk).first()
    if unit is not None:
        return unit
    readable = Unit.objects.for_user(user, Action.VIEW).filter(pk=pk).first()
    if readable is None or readable.kind in QMS_UNIT_KINDS:
        raise Http404
    raise PermissionDenied(DENIED)


def _check_year(year) -> int:
    first, last = services.year_range()
    if not first <= year <= last:
        raise Http404
    return year


def _shown(value):
    """A figure as the page shows it: a rate as a percentage (localised), "—" when there is none."""
    if isinstance(value, Percent):
        return "—" if value.value is None else f"{floatformat(float(value.value) * 100, 1)}%"
    return value


def _query(unit) -> str:
    return urlencode({"unit": unit.pk})


def _page_url(unit, year) -> str:
    return f"{reverse('reports:annual_report', args=[year])}?{_query(unit)}"


@login_required
def annual_index(request):
    """The year picker: /reports/annual/?year=2024&unit=3 opens that report; without a year,
    this year's."""
    unit = report_unit(request)
    if "year" not in request.GET:
        return redirect(_page_url(unit, clock.today().year))
    form = YearForm(request.GET, user=request.user)
    if form.is_valid():
        return redirect(_page_url(form.cleaned_data["unit"] or unit, form.cleaned_data["year"]))
    return render(request, "reports/annual/index.html", {"form": form, "unit": unit})


@login_required
def annual_report(request, year):
    unit = report_unit(request)
    year = _check_year(year)
    content = annual_content(unit, year)
    scope = get_scope(request.user)
    first, last = services.year_range()
    return render(
        request,
        "reports/annual/report.html",
        {
            "c": content,
            "unit": unit,
            "year": year,
            "title": annual_title(content),
            "figures": [(label, _shown(value)) for label, value in summary_figures(content)],
            "can_edit": scope.covers(Action.MANAGE, unit.path),
            "units": list(supervising_units(request.user)),
            "years": range(last, first - 1, -1),
            "query": _query(unit),
        },
    )


@login_required
def annual_report_edit(request, year):
    unit = report_unit(request)
    year = _check_year(year)
    if not get_scope(request.user).covers(Action.MANAGE, unit.path):
        raise PermissionDenied(services.MANAGE_DENIED % {"unit": unit})
    report = AnnualReport.objects.filter(unit=unit, year=year).first()
    form = AnnualReportForm(
        request.POST if request.method == "POST" else None, user=request.user, report=report
    )

    def run(data):
        services.annual_report_save(
            actor=request.user, unit=unit, year=year, problems=data["problems"], proposals=data["proposals"]
        )
        return _page_url(unit, year)

    return run_form(
        request,
        form,
        run,
        success=_("The problems and proposals of the report are saved."),
        template=FORM_TEMPLATE,
        context={
            "unit": unit,
            "year": year,
            "title": _("Problems and proposals, %(year)s") % {"year": year},
            "cancel_url": _page_url(unit, year),
        },
    )


def _filename(unit, year, extension) -> str:
    return f"bao-cao-htqlcl-{year}-{unit.pk}.{extension}"


@login_required
def annual_report_xlsx(request, year):
    unit = report_unit(request)
    content = annual_content(unit, _check_year(year))
    response = HttpResponse(annual_workbook(content), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(unit, year, "xlsx")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def annual_report_pdf(request, year):
    from reports.pdf import render_annual_report

    unit = report_unit(request)
    content = annual_content(unit, _check_year(year))
    response = HttpResponse(render_annual_report(content), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(unit, year, "pdf")}"'
    response["Cache-Control"] = "private, no-store"
    return response
