"""Satisfaction results (ISO 9001:2015 §9.1.2): the rate per unit, procedure, criterion and month,
combining the online survey and the tallies of paper forms and rating devices; the list of the
online responses; a comment that reports a problem raised as a nonconformity in one click.

Everything is read through `for_user`: out of scope → 404, in scope without the right → 403.
The results page costs a constant number of queries whatever the number of responses (the
selector aggregates in the database, one query per grouping).
"""

import calendar
import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.models import QMS_UNIT_KINDS
from communes.models import Unit
from core.scoping import Action
from core.views import ScopedListView, get_scoped_object_or_404
from documents.models import Procedure
from surveys import selectors
from surveys.filters_responses import ResponseFilter
from surveys.models import CRITERIA, CRITERION_LABELS, Response, Tally
from surveys.services import responses as services
from surveys.tables_responses import ResponseTable
from surveys.views.base import can_change, scoped_unit

FIRST_YEAR = 2015
# Above this many units the per-unit chart is left out (the table still lists them all).
UNIT_CHART_MAX = 40

PERIOD_CHOICES = [
    ("", gettext_lazy("the whole year")),
    ("q1", gettext_lazy("1st quarter")),
    ("q2", gettext_lazy("2nd quarter")),
    ("q3", gettext_lazy("3rd quarter")),
    ("q4", gettext_lazy("4th quarter")),
    *[(f"m{month}", gettext_lazy("month %(month)s") % {"month": month}) for month in range(1, 13)],
]


def period_bounds(year: int, period: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of `period` ("", "q1".."q4", "m1".."m12") of `year`."""
    if period.startswith("q"):
        first_month = (int(period[1]) - 1) * 3 + 1
        last_month = first_month + 2
    elif period.startswith("m"):
        first_month = last_month = int(period[1:])
    else:
        first_month, last_month = 1, 12
    last_day = calendar.monthrange(year, last_month)[1]
    return datetime.date(year, first_month, 1), datetime.date(year, last_month, last_day)


class ResultsFilterForm(forms.Form):
    """Unit (a unit and its subtree, in the user's scope), year, period, procedure."""

    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.none(), required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False)
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIOD_CHOICES, required=False)
    procedure = forms.ModelChoiceField(
        label=gettext_lazy("Procedure"), queryset=Procedure.objects.none(), required=False
    )

    def __init__(self, *args, user, procedures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.for_user(user, Action.VIEW).only("name", "path").order_by("path")
        )
        self.fields["unit"].empty_label = gettext_lazy("every unit I may see")
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, y) for y in range(this_year, FIRST_YEAR - 1, -1)]
        self.fields["procedure"].queryset = procedures
        self.fields["procedure"].empty_label = gettext_lazy("every procedure")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


def _percent(rate):
    return None if rate is None else round(float(rate) * 100, 1)


def _rows(result, labels, order=None):
    """Selector rows as dicts for the template: label, rated, satisfied, rate (%)."""
    rows = []
    for key, figures in result.items():
        rows.append(
            {
                "key": key,
                "label": labels.get(key, key) if labels is not None else key,
                "rated": figures["rated"],
                "satisfied": figures["satisfied"],
                "rate": _percent(figures["rate"]),
            }
        )
    if order is not None:
        rows.sort(key=order)
    return rows


@login_required
def results(request):
    user = request.user
    unit = scoped_unit(user, request.GET.get("unit"))
    responses = Response.objects.for_user(user)
    tallies = Tally.objects.for_user(user)
    procedures = Procedure.objects.filter(
        pk__in=responses.exclude(procedure=None).values("procedure")
    ) | Procedure.objects.filter(pk__in=tallies.exclude(procedure=None).values("procedure"))
    form = ResultsFilterForm(request.GET or None, user=user, procedures=procedures.only("code", "name"))
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    year = data.get("year") or timezone.localdate().year
    period = data.get("period") or ""
    procedure = data.get("procedure")
    start, end = period_bounds(year, period)

    if unit is not None:
        responses = responses.filter(unit__path__startswith=unit.path)
        tallies = tallies.filter(unit__path__startswith=unit.path)
    if procedure is not None:
        responses = responses.filter(procedure=procedure)
        tallies = tallies.filter(procedure=procedure)
    # Responses of the period; tallies whose period lies wholly inside it (a quarter's tally is
    # not split into months).
    responses, tallies = selectors.in_period(responses, tallies, start, end)

    by_unit = selectors.satisfaction(responses, tallies, group_by="unit")
    by_procedure = selectors.satisfaction(responses, tallies, group_by="procedure")
    by_criterion = selectors.satisfaction(responses, tallies, group_by="criterion")
    by_month = selectors.satisfaction(responses, tallies, group_by="month")

    unit_names = dict(Unit.objects.filter(pk__in=list(by_unit)).values_list("pk", "name"))
    procedure_ids = [pk for pk in by_procedure if pk is not None]
    procedure_names = {
        pk: f"{code} — {name}"
        for pk, code, name in Procedure.objects.filter(pk__in=procedure_ids).values_list("pk", "code", "name")
    }
    procedure_names[None] = _("procedure not given")
    criterion_labels = {c: str(CRITERION_LABELS[c]).capitalize() for c in CRITERIA}
    month_labels = {m: f"{m:%m/%Y}" for m in by_month}

    unit_rows = _rows(by_unit, unit_names, order=lambda r: (-(r["rate"] or 0), str(r["label"])))
    procedure_rows = _rows(by_procedure, procedure_names, order=lambda r: (-r["rated"], str(r["label"])))
    criterion_rows = _rows(by_criterion, criterion_labels, order=lambda r: CRITERIA.index(r["key"]))
    month_rows = _rows(by_month, month_labels, order=lambda r: r["key"])

    overall = by_criterion.get("overall", {"rated": 0, "satisfied": 0, "rate": None})
    qms_units = Unit.objects.for_user(user).filter(kind__in=QMS_UNIT_KINDS)
    if unit is not None:
        qms_units = qms_units.filter(path__startswith=unit.path)
    units_without = qms_units.exclude(pk__in=list(by_unit)).count()
    # The QR poster of the unit shown: the unit chosen, or the only one the user sees (an officer).
    if unit is not None:
        poster_unit = unit if unit.kind in QMS_UNIT_KINDS else None
    else:
        only = list(qms_units.only("pk", "name")[:2])
        poster_unit = only[0] if len(only) == 1 else None
    charts = {
        "criteria": {
            "labels": [r["label"] for r in criterion_rows],
            "rates": [r["rate"] for r in criterion_rows],
        },
        "months": {
            "labels": [r["label"] for r in month_rows],
            "rates": [r["rate"] for r in month_rows],
            "rated": [r["rated"] for r in month_rows],
        },
        "units": (
            {
                "labels": [r["label"] for r in unit_rows],
                "rates": [r["rate"] for r in unit_rows],
                "height": 60 + 28 * len(unit_rows),
            }
            if len(unit_rows) <= UNIT_CHART_MAX
            else None
        ),
        "labels": {"rate": _("satisfaction rate (%)"), "rated": _("ratings")},
    }
    return render(
        request,
        "surveys/results/results.html",
        {
            "form": form,
            "unit": unit,
            "year": year,
            "start": start,
            "end": end,
            "procedure": procedure,
            "overall": {**overall, "rate": _percent(overall["rate"])},
            "unit_rows": unit_rows,
            "procedure_rows": procedure_rows,
            "criterion_rows": criterion_rows,
            "month_rows": month_rows,
            "units_without": units_without,
            "charts": charts,
            "poster_unit": poster_unit,
        },
    )


class ResponseListView(ScopedListView):
    """The online responses the user may read, newest first, with their comments."""

    model = Response
    table_class = ResponseTable
    filterset_class = ResponseFilter
    template_name = "surveys/results/response_list.html"

    def get_queryset(self):
        return Response.objects.for_user(self.request.user).select_related("unit", "procedure")

    def get_table_kwargs(self):
        return {"can_raise": can_change(self.request.user)}


@login_required
def response_raise(request, pk):
    """Raise a nonconformity (source: citizen complaint) from a response's comment (§10.2.1)."""
    response = get_scoped_object_or_404(
        Response.objects.select_related("unit", "procedure"), request.user, Action.CHANGE, pk=pk
    )
    back = reverse("surveys:response_list")
    if request.method == "POST":
        try:
            with transaction.atomic():
                nc = services.response_raise_nonconformity(actor=request.user, response=response)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(back)
        messages.success(request, _("Nonconformity raised from the citizen's comment."))
        return redirect(nc.get_absolute_url())
    return render(
        request,
        "surveys/results/response_raise.html",
        {"response": response, "cancel_url": back},
    )
