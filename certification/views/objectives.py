"""Pages of the quality objectives, their indicators and measurements (ISO 9001:2015 §6.2,
§9.1): a unit's objectives for a year with one coloured cell per period, the objective page
where measurements are recorded, and the supervisor's flags on indicators that do not fit.

Everything is read through `for_user`: out of scope → 404, in scope without the right → 403.
Writes go through certification.services.objectives; their ValidationError lands on the form (or
in a message) and nothing is saved.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from certification import feeds, selectors
from certification.filters_objectives import FlaggedFilter
from certification.forms_objectives import (
    YEAR_MAX,
    YEAR_MIN,
    FlagForm,
    IndicatorForm,
    MeasurementForm,
    ObjectiveForm,
    UnitYearForm,
    number_text,
    period_label,
    qms_units,
)
from certification.models import MEASUREMENT_GRACE_DAYS, QMS_UNIT_KINDS, Indicator, Measurement, Objective
from certification.selectors import PeriodCell
from certification.services import objectives as services
from certification.tables_objectives import FlaggedTable
from communes.models import Membership, Unit
from core.scoping import Action, can_anywhere, get_scope
from core.views import ScopedListView, get_scoped_object_or_404, posted, run_form
from documents.models import Procedure

# Units per page of the "all units" summary.
UNITS_PER_PAGE = 50

STATE_LABELS = {
    PeriodCell.PASSED: gettext_lazy("passed"),
    PeriodCell.FAILED: gettext_lazy("failed"),
    PeriodCell.OVERDUE: gettext_lazy("overdue"),
    PeriodCell.DUE: gettext_lazy("due"),
    PeriodCell.FUTURE: gettext_lazy("not begun"),
}
STATE_CSS = {
    PeriodCell.PASSED: "text-bg-success",
    PeriodCell.FAILED: "text-bg-danger",
    PeriodCell.OVERDUE: "text-bg-warning",
    PeriodCell.DUE: "text-bg-info",
    PeriodCell.FUTURE: "bg-body-secondary text-body-secondary",
}
DIRECTION_SIGNS = {Indicator.Direction.AT_LEAST: "≥", Indicator.Direction.AT_MOST: "≤"}


# --- Helpers --------------------------------------------------------------------------------
def _year(value, default=None):
    """A year from the query string or a form, within the bounds the models accept."""
    text = str(value or "").strip()
    if text.isdigit() and YEAR_MIN <= int(text) <= YEAR_MAX:
        return int(text)
    return default


def _scoped_unit(user, value, action=Action.VIEW):
    """The QMS unit named by `value` (a pk): 404 out of the user's scope (or not a unit that keeps
    a QMS), 403 in scope without the right. None when no unit is named."""
    text = str(value or "").strip()
    if not text.isdigit():
        return None
    return get_scoped_object_or_404(Unit.objects.filter(kind__in=QMS_UNIT_KINDS), user, action, pk=int(text))


def list_url(unit=None, year=None):
    """The objective list of a unit (or of every unit, unit=None) for a year."""
    query = {"unit": unit.pk if unit is not None else "all"}
    if year:
        query["year"] = year
    return f"{reverse('certification:objective_list')}?{urlencode(query)}"


def target_label(indicator):
    """The target with its direction and unit of measure: "≥ 95 %", "≤ 3 ngày"."""
    sign = DIRECTION_SIGNS.get(indicator.direction, "")
    return f"{sign} {number_text(indicator.target)} {indicator.unit_of_measure}".strip()


def _decorate(objectives):
    """Labels the templates show beside the selector's period cells."""
    for objective in objectives:
        for indicator in objective.indicators.all():
            indicator.target_label = target_label(indicator)
            for cell in getattr(indicator, "cells", ()):
                cell.label = period_label(indicator, cell.period)
                cell.end = indicator.period_bounds(objective.year, cell.period)[1]
                cell.css = STATE_CSS[cell.state]
                cell.state_label = STATE_LABELS[cell.state]
                cell.value_number = cell.value_label = ""
                if cell.measurement is not None:
                    cell.value_number = number_text(cell.measurement.value)
                    cell.value_label = f"{cell.value_number} {indicator.unit_of_measure}"
                    detail = cell.value_label
                elif cell.state == PeriodCell.FUTURE:
                    detail = _("begins on %(day)s") % {"day": f"{cell.start:%d/%m/%Y}"}
                else:
                    detail = _("due by %(day)s") % {"day": f"{cell.due_on:%d/%m/%Y}"}
                span = f"{cell.start:%d/%m/%Y} – {cell.end:%d/%m/%Y}"
                cell.title = f"{cell.label} ({span}): {detail} · {cell.state_label}"
    return objectives


def feed_text(indicator, figure):
    """ "According to the one-stop records: 95,2 %" — or, with no figure, that there is none."""
    feed = feeds.get(indicator.feed)
    if feed is None:
        return ""
    if figure is None:
        return _("%(feed)s: no figures for this period.") % {"feed": feed.label}
    return feeds.caption(indicator, f"{number_text(figure)} {feed.unit_of_measure}".strip())


def _with_feeds(objective, indicators, today):
    """Give each indicator that names a feed its label (and procedure), and each period that has
    begun the feed's figure (`cell.feed_value`, `cell.feed_number`, `cell.feed_text`). One
    `feeds.values` call for the page: at most one computation per registered feed (the page is one
    unit's), plus one query for the procedures named, whatever the number of indicators."""
    fed = [i for i in indicators if feeds.get(i.feed) is not None]
    if not fed:
        return
    procedures = Procedure.objects.in_bulk({i.procedure_id for i in fed if i.procedure_id})
    figures = feeds.values(
        fed,
        objective.year,
        periods=lambda indicator: [c.period for c in indicator.cells if c.state != PeriodCell.FUTURE],
    )
    for indicator in fed:
        indicator.feed_label = feeds.get(indicator.feed).label
        indicator.feed_procedure = procedures.get(indicator.procedure_id)
        for cell in indicator.cells:
            if cell.state == PeriodCell.FUTURE:
                continue
            cell.feed_value = figures.get((indicator.pk, cell.period))
            cell.feed_number = number_text(cell.feed_value) if cell.feed_value is not None else ""
            cell.feed_text = feed_text(indicator, cell.feed_value)


def _own_unit(user, units):
    """The QMS unit the user is a member of, when it is among `units` (an officer's ward)."""
    ids = set(
        Membership.objects.filter(user=user, unit__kind__in=QMS_UNIT_KINDS).values_list("unit_id", flat=True)
    )
    return next((u for u in units if u.pk in ids), None)


def _summary_rows(units, year, today):
    """Per unit of the page: objectives, indicators, and the passed/failed/overdue periods."""
    rows = {
        u.pk: {
            "unit": u,
            "objectives": 0,
            "indicators": 0,
            "passed": 0,
            "failed": 0,
            "overdue": 0,
            "flagged": 0,
        }
        for u in units
    }
    objectives = Objective.objects.filter(unit__in=[u.pk for u in units], year=year)
    for objective in selectors.objectives_with_cells(objectives, today):
        row = rows[objective.unit_id]
        row["objectives"] += 1
        for indicator in objective.indicators.all():
            row["indicators"] += 1
            row["passed"] += indicator.passed
            row["failed"] += indicator.failed
            row["overdue"] += indicator.overdue
            row["flagged"] += int(indicator.flagged)
    return [rows[u.pk] for u in units]


# --- The list -------------------------------------------------------------------------------
@login_required
def objective_list(request):
    """A unit's objectives for a year, each indicator with one cell per period; or, for every
    unit in the user's scope, a compact table of how far each has got."""
    user, today = request.user, timezone.localdate()
    scope = get_scope(user)
    year = _year(request.GET.get("year"), today.year)
    units = list(qms_units(user, Action.VIEW, year=year))
    wanted = (request.GET.get("unit") or "").strip()
    unit = None
    if wanted.isdigit():
        unit = next((u for u in units if u.pk == int(wanted)), None) or _scoped_unit(user, wanted)
        if unit not in units:
            units.append(unit)
    elif wanted != "all":
        unit = _own_unit(user, units) or (units[0] if len(units) == 1 else None)

    years_qs = Objective.objects.for_user(user)
    if unit is not None:
        years_qs = years_qs.filter(unit=unit)
    years = set(years_qs.order_by().values_list("year", flat=True).distinct())
    years |= {today.year, today.year + 1, year}

    context = {
        "year": year,
        "years": sorted(years, reverse=True),
        "units": units,
        "unit": unit,
        "can_create": can_anywhere(user, Action.CHANGE),
        "grace_days": MEASUREMENT_GRACE_DAYS,
    }
    if unit is not None:
        objectives = _decorate(
            selectors.objectives_with_cells(
                Objective.objects.filter(unit=unit, year=year).order_by("order", "pk"), today
            )
        )
        can_change = scope.covers(Action.CHANGE, unit.path)
        previous_count = 0
        if not objectives and can_change:
            previous_count = Objective.objects.filter(unit=unit, year=year - 1).count()
        context.update(
            objectives=objectives,
            can_change=can_change,
            can_manage=scope.covers(Action.MANAGE, unit.path),
            previous_year=year - 1,
            previous_count=previous_count,
        )
    else:
        page = Paginator(units, UNITS_PER_PAGE).get_page(request.GET.get("page"))
        rows = _summary_rows(list(page.object_list), year, today)
        context.update(
            page=page,
            rows=rows,
            totals={
                key: sum(r[key] for r in rows)
                for key in ("objectives", "indicators", "passed", "failed", "overdue", "flagged")
            },
            without=sum(1 for r in rows if not r["objectives"]),
        )
    return render(request, "certification/objectives/objective_list.html", context)


@login_required
@require_POST
def objectives_copy(request):
    """Copy the previous year's objectives and indicators of a unit into an empty year."""
    unit = _scoped_unit(request.user, request.POST.get("unit"), Action.CHANGE)
    year = _year(request.POST.get("year"))
    if unit is None or year is None:
        messages.error(request, _("Choose a unit and a year to copy into."))
        return redirect("certification:objective_list")
    try:
        with transaction.atomic():
            copies = services.objectives_copy(actor=request.user, unit=unit, year=year)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(count)s objective(s) copied from %(source)s, with their indicators. Review their targets.")
            % {"count": len(copies), "source": year - 1},
        )
    return redirect(list_url(unit, year))


# --- Objectives -----------------------------------------------------------------------------
def _get_objective(request, pk, action=Action.VIEW):
    return get_scoped_object_or_404(Objective.objects.select_related("unit"), request.user, action, pk=pk)


@login_required
def objective_create(request):
    """A new objective of a unit for a year (?unit=&year=); a user who may write for several
    units chooses one first."""
    user = request.user
    if not can_anywhere(user, Action.CHANGE):
        raise PermissionDenied
    year = _year(request.GET.get("year"), timezone.localdate().year)
    unit = _scoped_unit(user, request.POST.get("unit") or request.GET.get("unit"), Action.CHANGE)
    if unit is None:
        units = qms_units(user, Action.CHANGE)
        if len(units[:2]) == 1:
            unit = units[0]  # one unit to choose from (an officer): no need to ask
        elif request.method == "POST":
            return redirect("certification:objective_create")
        else:
            return render(
                request,
                "certification/objectives/form.html",
                {
                    "form": UnitYearForm(user=user, initial={"year": year}),
                    "title": _("New quality objective"),
                    "intro": _("Choose the unit and the year of the objective."),
                    "cancel_url": reverse("certification:objective_list"),
                },
            )
    form = ObjectiveForm(posted(request), user=user, initial={"year": year, "order": 0})

    def run(data):
        objective = services.objective_create(actor=user, unit=unit, **form.service_fields())
        return objective.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("Objective recorded. Add its indicators."),
        template="certification/objectives/form.html",
        context={
            "title": _("New quality objective of %(unit)s") % {"unit": unit},
            "unit": unit,
            "year": year,
            "intro": _(
                "Quality objectives are set for relevant functions and levels, are measurable and "
                "consistent with the quality policy (ISO 9001:2015 §6.2)."
            ),
            "cancel_url": list_url(unit, year),
        },
    )


@login_required
def objective_detail(request, pk):
    """An objective with its indicators: each period's state, value and comment, and a form per
    period to record the measurement."""
    objective = _get_objective(request, pk)
    today = timezone.localdate()
    objective = _decorate(
        selectors.objectives_with_cells(
            Objective.objects.filter(pk=objective.pk).select_related("unit"), today
        )
    )[0]
    scope = get_scope(request.user)
    indicators = list(objective.indicators.all())
    _with_feeds(objective, indicators, today)
    return render(
        request,
        "certification/objectives/objective_detail.html",
        {
            "objective": objective,
            "unit": objective.unit,
            "year": objective.year,
            "indicators": indicators,
            "has_feeds": any(getattr(i, "feed_label", "") for i in indicators),
            "can_change": scope.covers(Action.CHANGE, objective.unit.path),
            "can_manage": scope.covers(Action.MANAGE, objective.unit.path),
            "list_url": list_url(objective.unit, objective.year),
            "grace_days": MEASUREMENT_GRACE_DAYS,
        },
    )


@login_required
def objective_update(request, pk):
    objective = _get_objective(request, pk, Action.CHANGE)
    initial = {
        "year": objective.year,
        "statement": objective.statement,
        "owner": objective.owner,
        "order": objective.order,
    }
    form = ObjectiveForm(posted(request), user=request.user, initial=initial)

    def run(data):
        services.objective_update(actor=request.user, objective=objective, **form.service_fields())
        return objective.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("Objective saved."),
        template="certification/objectives/form.html",
        context={
            "title": _("Edit the objective"),
            "objective": objective,
            "unit": objective.unit,
            "year": objective.year,
            "cancel_url": objective.get_absolute_url(),
        },
    )


def _confirm_delete(request, *, obj, has_measurements, refusal, question, delete, success, done_url, context):
    """GET: ask (or say why it cannot be done); POST: delete through the service, or say why not."""
    if request.method == "POST":
        try:
            with transaction.atomic():
                delete()
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(obj.get_absolute_url())
        messages.success(request, success)
        return redirect(done_url)
    return render(
        request,
        "certification/objectives/confirm_delete.html",
        {"refusal": refusal if has_measurements else "", "question": question, **context},
    )


@login_required
def objective_delete(request, pk):
    """Delete an objective without measurements (with its indicators); one with measurements is
    a record and stays (§7.5.3)."""
    objective = _get_objective(request, pk, Action.CHANGE)
    return _confirm_delete(
        request,
        obj=objective,
        has_measurements=Measurement.objects.filter(indicator__objective=objective).exists(),
        refusal=_("An objective with measurements is a record (§7.5.3); it cannot be deleted."),
        question=_("Delete this objective and its indicators?"),
        delete=lambda: services.objective_delete(actor=request.user, objective=objective),
        success=_("Objective deleted."),
        done_url=list_url(objective.unit, objective.year),
        context={
            "title": _("Delete the objective"),
            "objective": objective,
            "unit": objective.unit,
            "year": objective.year,
            "cancel_url": objective.get_absolute_url(),
        },
    )


# --- Indicators -----------------------------------------------------------------------------
def _get_indicator(request, pk, action=Action.VIEW):
    return get_scoped_object_or_404(
        Indicator.objects.select_related("objective__unit"), request.user, action, pk=pk
    )


def _indicator_context(indicator, title):
    objective = indicator.objective
    indicator.target_label = target_label(indicator)
    return {
        "title": title,
        "objective": objective,
        "indicator": indicator,
        "unit": objective.unit,
        "year": objective.year,
        "cancel_url": indicator.get_absolute_url(),
    }


@login_required
def indicator_create(request, pk):
    objective = _get_objective(request, pk, Action.CHANGE)
    form = IndicatorForm(posted(request), user=request.user)

    def run(data):
        indicator = services.indicator_create(
            actor=request.user, objective=objective, **form.service_fields()
        )
        return indicator.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("Indicator added."),
        template="certification/objectives/form.html",
        context={
            "title": _("New indicator"),
            "objective": objective,
            "unit": objective.unit,
            "year": objective.year,
            "intro": _(
                "What is measured, against which target and how often (ISO 9001:2015 §9.1.1), "
                "e.g. “Files settled on time” ≥ 95 %, quarterly."
            ),
            "cancel_url": objective.get_absolute_url(),
        },
    )


@login_required
def indicator_update(request, pk):
    indicator = _get_indicator(request, pk, Action.CHANGE)
    initial = {
        "name": indicator.name,
        "unit_of_measure": indicator.unit_of_measure,
        "target": indicator.target,
        "direction": indicator.direction,
        "frequency": indicator.frequency,
        "order": indicator.order,
        "feed": indicator.feed,
        "procedure": indicator.procedure.code if indicator.procedure_id else "",
    }
    form = IndicatorForm(posted(request), user=request.user, initial=initial)

    def run(data):
        services.indicator_update(actor=request.user, indicator=indicator, **form.service_fields())
        return indicator.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("Indicator saved."),
        template="certification/objectives/form.html",
        context=_indicator_context(indicator, _("Edit the indicator")),
    )


@login_required
def indicator_delete(request, pk):
    indicator = _get_indicator(request, pk, Action.CHANGE)
    objective = indicator.objective
    return _confirm_delete(
        request,
        obj=indicator,
        has_measurements=indicator.measurements.exists(),
        refusal=_("An indicator with measurements is a record (§7.5.3); it cannot be deleted."),
        question=_("Delete this indicator?"),
        delete=lambda: services.indicator_delete(actor=request.user, indicator=indicator),
        success=_("Indicator deleted."),
        done_url=objective.get_absolute_url(),
        context=_indicator_context(indicator, _("Delete the indicator")),
    )


# --- Measurements ---------------------------------------------------------------------------
@login_required
def measurement_record(request, pk):
    """Record (or correct) the value of an indicator for one period (?period=N chooses it)."""
    indicator = _get_indicator(request, pk, Action.CHANGE)
    wanted = request.GET.get("period") or ""
    initial = {}
    fed = _feed_figures(indicator)
    if wanted.isdigit() and 1 <= int(wanted) <= indicator.period_count:
        initial["period"] = int(wanted)
        existing = Measurement.objects.filter(indicator=indicator, period=int(wanted)).first()
        if existing is not None:
            initial.update(value=existing.value, comment=existing.comment)
        # "Use this value" without JavaScript: the feed's figure, for the officer to confirm.
        if request.GET.get("use") == "feed" and fed.get(int(wanted), {}).get("value") is not None:
            initial["value"] = fed[int(wanted)]["value"]
    else:
        # The earliest period that has begun and has no measurement yet.
        measured = set(Measurement.objects.filter(indicator=indicator).values_list("period", flat=True))
        today, year = timezone.localdate(), indicator.objective.year
        for period in range(1, indicator.period_count + 1):
            if indicator.period_bounds(year, period)[0] <= today and period not in measured:
                initial["period"] = period
                break
    form = MeasurementForm(posted(request), user=request.user, indicator=indicator, initial=initial)

    def run(data):
        services.measurement_record(
            actor=request.user,
            indicator=indicator,
            period=data["period"],
            value=data["value"],
            comment=data.get("comment", ""),
        )
        return indicator.get_absolute_url()

    context = _indicator_context(indicator, _("Record a measurement"))
    context["intro"] = _(
        "The value for the period and a comment; it passes when it meets the target (%(target)s)."
    ) % {"target": indicator.target_label}
    if fed:
        selected = form["period"].value()
        context["feed_label"] = feeds.get(indicator.feed).label
        context["feed_figures"] = [
            {"period": period, "selected": str(period) == str(selected), **figure}
            for period, figure in fed.items()
        ]
    return run_form(
        request,
        form,
        run,
        success=_("Measurement recorded."),
        template="certification/objectives/form.html",
        context=context,
    )


def _feed_figures(indicator) -> dict:
    """{period: {"value", "number", "text"}} of the indicator's feed for each period that has
    begun; {} when the indicator names no feed. One feed computation."""
    if feeds.get(indicator.feed) is None:
        return {}
    today, year = timezone.localdate(), indicator.objective.year
    begun = [p for p in range(1, indicator.period_count + 1) if indicator.period_bounds(year, p)[0] <= today]
    figures = feeds.values([indicator], year, periods=lambda _indicator: begun)
    result = {}
    for period in begun:
        value = figures.get((indicator.pk, period))
        result[period] = {
            "value": value,
            "number": number_text(value) if value is not None else "",
            "text": feed_text(indicator, value),
        }
    return result


# --- Flags ----------------------------------------------------------------------------------
@login_required
def indicator_flag(request, pk):
    """The supervisor marks an indicator as not fitting its objective, and says why."""
    indicator = _get_indicator(request, pk, Action.MANAGE)
    form = FlagForm(posted(request), user=request.user, initial={"flag_comment": indicator.flag_comment})

    def run(data):
        services.indicator_flag(actor=request.user, indicator=indicator, comment=data["flag_comment"])
        return indicator.get_absolute_url()

    context = _indicator_context(indicator, _("Flag the indicator"))
    context["intro"] = _(
        "Flag an indicator that does not measure its objective (ISO 9001:2015 §6.2.1, §9.1.1); "
        "the unit sees the comment and revises the indicator."
    )
    return run_form(
        request,
        form,
        run,
        success=_("Indicator flagged."),
        template="certification/objectives/form.html",
        context=context,
    )


@login_required
@require_POST
def indicator_unflag(request, pk):
    indicator = _get_indicator(request, pk, Action.MANAGE)
    with transaction.atomic():
        services.indicator_unflag(actor=request.user, indicator=indicator)
    messages.success(request, _("Flag removed."))
    return redirect(indicator.get_absolute_url())


class FlaggedListView(ScopedListView):
    """Every flagged indicator in the user's scope, with who flagged it, when and why."""

    model = Indicator
    table_class = FlaggedTable
    filterset_class = FlaggedFilter
    template_name = "certification/objectives/flagged_list.html"

    def get_queryset(self):
        return (
            Indicator.objects.for_user(self.request.user)
            .filter(flagged=True)
            .select_related("objective__unit", "flagged_by")
            .order_by("-flagged_on", "objective__unit__path", "pk")
        )


flagged_list = FlaggedListView.as_view()
