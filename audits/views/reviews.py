"""Pages of management reviews (ISO 9001:2015 §9.3) and inspections by the province
(Circular 26/2014/TT-BKHCN Art. 33–40).

Everything is read through `for_user`: out of scope → 404, in scope without the right → 403.
Writes go through audits.services.reviews and audits.services.inspections; their
ValidationError lands on the form and nothing is saved.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.filters_reviews import InspectionFilter, ReviewFilter
from audits.forms_reviews import (
    FindingFormSet,
    InspectionPlanForm,
    MinutesForm,
    ReportForm,
    ReviewForm,
    ReviewOutputForm,
    UnitChoiceForm,
    qms_units,
)
from audits.models import Inspection, InspectionFinding, ManagementReview, ReviewOutput
from audits.services import inspections as inspection_services
from audits.services import reviews as review_services
from audits.tables_reviews import InspectionTable, ReviewTable
from communes.models import Unit
from core.forms import add_service_error
from core.scoping import Action, can_anywhere, get_scope
from core.views import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    get_scoped_object_or_404,
    posted,
    run_form,
)

# How many of the units without a review this year the list page names (the count is complete).
MISSING_SHOWN = 30


def _url_or_none(obj):
    """The page of a record of another part of the app, when that page is installed."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return None


def _year_of(filterset):
    """The year the list looks at: the filter's, else the current one."""
    if filterset.is_bound and filterset.is_valid():
        year = filterset.form.cleaned_data.get("year")
        if year:
            return int(year)
    return timezone.localdate().year


# --- Management reviews --------------------------------------------------------------------
class ReviewListView(ScopedListView):
    """Reviews over the user's scope, and the units still without one this year (Decision
    19/2014/QĐ-TTg Art. 4.4.b: a management review at least once a year)."""

    model = ManagementReview
    table_class = ReviewTable
    filterset_class = ReviewFilter
    template_name = "reviews/review_list.html"

    def get_queryset(self):
        return (
            ManagementReview.objects.for_user(self.request.user)
            .select_related("unit")
            .annotate(
                outputs_count=Count("outputs", distinct=True),
                actions_count=Count("outputs", filter=Q(outputs__nonconformity__isnull=False), distinct=True),
            )
            .order_by("-held_on", "unit__path")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, filterset = self.request.user, self.filterset
        year = _year_of(filterset)
        missing = qms_units(user).exclude(
            pk__in=ManagementReview.objects.filter(held_on__year=year).values("unit_id")
        )
        if filterset.is_bound and filterset.is_valid() and filterset.form.cleaned_data.get("unit"):
            missing = missing.filter(path__startswith=filterset.form.cleaned_data["unit"].path)
        context.update(
            year=year,
            missing_count=missing.count(),
            missing=list(missing[:MISSING_SHOWN]),
            can_create=can_anywhere(user, Action.CHANGE),
        )
        return context


class ReviewDetailView(ScopedDetailView):
    model = ManagementReview
    template_name = "reviews/review_detail.html"

    def get_base_queryset(self):
        return ManagementReview.objects.select_related("unit", "recorded_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = self.object
        outputs = ReviewOutput.objects.filter(review=review).select_related("nonconformity")
        context.update(
            review=review,
            inputs=[(label, getattr(review, name)) for name, label in ManagementReview.INPUTS],
            outputs=[(o, _url_or_none(o.nonconformity) if o.nonconformity_id else None) for o in outputs],
            can_change=get_scope(self.request.user).covers(Action.CHANGE, review.unit.path),
        )
        return context


def _chosen_unit(request):
    """The unit of the new review (?unit= or the posted `unit`): 404 outside the user's scope,
    403 where the user may read but not write. None when none is chosen yet."""
    wanted = request.POST.get("unit") or request.GET.get("unit") or ""
    if not wanted.isdigit():
        return None
    return get_scoped_object_or_404(Unit.objects.all(), request.user, Action.CHANGE, pk=int(wanted))


class ReviewCreateView(ScopedCreateView):
    """A review of a unit where the user may write; its inputs are prefilled with the figures
    the system holds (open nonconformities, last audit, ...), for people to edit."""

    model = ManagementReview
    form_class = ReviewForm
    template_name = "reviews/review_form.html"

    @property
    def success_message(self):
        return _("Management review recorded. Add its outputs and decisions.")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can_anywhere(request.user, Action.CHANGE):
            raise PermissionDenied
        self.unit = _chosen_unit(request)
        if self.unit is None:
            units = qms_units(request.user, Action.CHANGE)
            if len(units[:2]) == 1:
                # One unit to choose from (an officer): no need to ask.
                self.unit = units[0]
            elif request.method == "POST":
                return redirect("audits:review_create")
            else:
                return render(
                    request,
                    "reviews/review_choose_unit.html",
                    {"form": UnitChoiceForm(user=request.user), "title": _("New management review")},
                )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        initial.update(review_services.prefilled_inputs(self.unit))
        initial["held_on"] = timezone.localdate()
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("New management review of %(unit)s") % {"unit": self.unit}, unit=self.unit, **kwargs
        )

    def perform_save(self, form):
        return review_services.review_record(actor=self.request.user, unit=self.unit, **form.service_fields())

    def get_success_url(self):
        return self.object.get_absolute_url()


class ReviewUpdateView(ScopedUpdateView):
    model = ManagementReview
    form_class = ReviewForm
    template_name = "reviews/review_form.html"

    @property
    def success_message(self):
        return _("Management review saved.")

    def get_base_queryset(self):
        return ManagementReview.objects.select_related("unit")

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit %(review)s") % {"review": self.object}, **kwargs)

    def get_success_url(self):
        return self.object.get_absolute_url()


@login_required
def review_output_create(request, pk):
    review = get_scoped_object_or_404(
        ManagementReview.objects.select_related("unit"), request.user, Action.CHANGE, pk=pk
    )
    form = ReviewOutputForm(posted(request))

    def run(data):
        output = review_services.review_add_output(
            actor=request.user,
            review=review,
            kind=data["kind"],
            decision=data["decision"],
            raise_action=data["raise_action"],
        )
        if output.nonconformity_id:
            messages.info(
                request, _("A nonconformity was opened for this decision: plan its corrective actions.")
            )
        return review.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("Output recorded."),
        template="reviews/action_form.html",
        context={
            "title": _("New output of %(review)s") % {"review": review},
            "parent": review,
            "intro": _(
                "Outputs of the review (§9.3.3): opportunities for improvement, changes to the QMS and "
                "resource needs. Tick “raise an action” to follow the decision up as a nonconformity."
            ),
        },
    )


# --- Inspections ---------------------------------------------------------------------------
class InspectionListView(ScopedListView):
    model = Inspection
    table_class = InspectionTable
    filterset_class = InspectionFilter
    template_name = "inspections/inspection_list.html"

    def get_queryset(self):
        return (
            Inspection.objects.for_user(self.request.user)
            .select_related("unit")
            .annotate(findings_count=Count("findings"))
            .order_by("-year", "unit__path")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_plan=can_anywhere(self.request.user, Action.MANAGE), **kwargs)


class InspectionDetailView(ScopedDetailView):
    model = Inspection
    template_name = "inspections/inspection_detail.html"

    def get_base_queryset(self):
        return Inspection.objects.select_related("unit", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        inspection = self.object
        scope = get_scope(self.request.user)
        findings = InspectionFinding.objects.filter(inspection=inspection).select_related(
            "clause", "nonconformity"
        )
        rows = []
        for finding in findings:
            nc = getattr(finding, "nonconformity", None)
            rows.append((finding, nc, _url_or_none(nc) if nc else None))
        today = timezone.localdate()
        context.update(
            inspection=inspection,
            findings=rows,
            overdue=bool(
                inspection.report_due_on
                and inspection.report_submitted_on is None
                and inspection.report_due_on < today
            ),
            can_sign=scope.covers(Action.MANAGE, inspection.unit.path) and not inspection.minutes_signed_on,
            can_report=scope.covers(Action.CHANGE, inspection.unit.path)
            and bool(inspection.minutes_signed_on),
        )
        return context


def _require_somewhere(request, action):
    if not can_anywhere(request.user, action):
        raise PermissionDenied


@login_required
def inspection_create(request):
    """The supervisor plans a year's inspections: one per chosen unit (MANAGE scope)."""
    _require_somewhere(request, Action.MANAGE)
    form = InspectionPlanForm(posted(request), user=request.user)

    def run(data):
        created = inspection_services.inspection_plan(
            actor=request.user,
            units=data["units"],
            year=data["year"],
            planned_on=data["planned_on"],
            decision_number=data["decision_number"].strip(),
            decision_date=data["decision_date"],
            team=data["team"].strip(),
        )
        if len(created) == 1:
            return created[0].get_absolute_url()
        return f"{reverse('audits:inspection_list')}?year={data['year']}"

    return run_form(
        request,
        form,
        run,
        success=_("Inspections planned."),
        template="reviews/action_form.html",
        context={
            "title": _("Plan inspections"),
            "intro": _(
                "The province inspects the QMS of its units at least once a year (Circular "
                "26/2014/TT-BKHCN). One inspection is planned for each unit you tick."
            ),
            "inspections": True,
        },
    )


def _get_inspection(request, pk, action):
    return get_scoped_object_or_404(Inspection.objects.select_related("unit"), request.user, action, pk=pk)


@login_required
def inspection_minutes(request, pk):
    """The signed minutes and their findings; each finding raises a nonconformity of the unit,
    and the corrective-action report falls due 2 months after the signing."""
    inspection = _get_inspection(request, pk, Action.MANAGE)
    if inspection.minutes_signed_on:
        messages.error(request, _("The minutes of this inspection are already recorded."))
        return redirect(inspection)
    data = posted(request)
    form = MinutesForm(data)
    formset = FindingFormSet(data, prefix="findings")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        findings = [
            (row["clause"], row["description"])
            for row in formset.cleaned_data
            if row and (row.get("description") or "").strip()
        ]
        try:
            with transaction.atomic():
                inspection_services.inspection_sign_minutes(
                    actor=request.user,
                    inspection=inspection,
                    signed_on=form.cleaned_data["signed_on"],
                    findings=findings,
                )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Minutes recorded: %(count)s finding(s), each opened as a nonconformity of the unit.")
                % {"count": len(findings)},
            )
            return redirect(inspection)
    return render(
        request,
        "inspections/inspection_minutes.html",
        {
            "inspection": inspection,
            "form": form,
            "formset": formset,
            "title": _("Minutes of %(inspection)s") % {"inspection": inspection},
        },
    )


@login_required
def inspection_report(request, pk):
    """The unit records the day it sent its corrective-action report."""
    inspection = _get_inspection(request, pk, Action.CHANGE)
    if not inspection.minutes_signed_on:
        messages.error(request, _("The minutes have not been recorded yet."))
        return redirect(inspection)
    initial = {"submitted_on": inspection.report_submitted_on or timezone.localdate()}
    form = ReportForm(posted(request), initial=initial)

    def run(data):
        inspection_services.inspection_report_submitted(
            actor=request.user, inspection=inspection, submitted_on=data["submitted_on"]
        )
        return inspection.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("Report submission recorded."),
        template="reviews/action_form.html",
        context={
            "title": _("Corrective-action report of %(inspection)s") % {"inspection": inspection},
            "parent": inspection,
            "inspections": True,
            "intro": _("Due on %(day)s: 2 months after the minutes were signed.")
            % {"day": f"{inspection.report_due_on:%d/%m/%Y}"},
        },
    )
