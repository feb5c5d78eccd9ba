"""Filters of the management-review and inspection lists (units narrowed to the user's scope)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import Inspection, ManagementReview
from communes.models import Unit
from core.scoping import Action

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _unit_choices(user):
    return Unit.objects.for_user(user, Action.VIEW).only("name", "path").order_by("path")


def _style(filterset, names):
    # The templates render these widgets bare: give them Bootstrap's look.
    for name in names:
        filterset.filters[name].field.widget.attrs["class"] = "form-select"


class _SubtreeUnitFilter(django_filters.ModelChoiceFilter):
    """A unit and the units below it (a district shows its communes' rows)."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(unit__path__startswith=value.path)


class ReviewFilter(django_filters.FilterSet):
    unit = _SubtreeUnitFilter(label=_("Unit"), queryset=Unit.objects.none())
    year = django_filters.NumberFilter(label=_("Year"), field_name="held_on", lookup_expr="year")

    class Meta:
        model = ManagementReview
        fields = ["unit", "year"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = _unit_choices(user)
        self.filters["year"].field.widget.attrs.update(
            {"class": "form-control", "placeholder": str(timezone.localdate().year)}
        )
        _style(self, ["unit"])


def overdue_q(today=None):
    """Inspections whose corrective-action report is past due and not submitted (2 months after
    the minutes, Circular 26/2014/TT-BKHCN)."""
    today = today or timezone.localdate()
    return Q(report_due_on__lt=today, report_submitted_on__isnull=True)


class InspectionFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Plan year"), field_name="year")
    unit = _SubtreeUnitFilter(label=_("Unit"), queryset=Unit.objects.none())
    overdue = django_filters.ChoiceFilter(label=_("Report overdue"), choices=YES_NO, method="filter_overdue")

    class Meta:
        model = Inspection
        fields = ["year", "unit", "overdue"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = _unit_choices(user)
        self.filters["year"].field.widget.attrs.update(
            {"class": "form-control", "placeholder": str(timezone.localdate().year)}
        )
        _style(self, ["unit", "overdue"])

    def filter_overdue(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(overdue_q())
        if value == "no":
            return queryset.exclude(overdue_q())
        return queryset
