"""Filters of the tallies list, the record-count list and the reconciliation list.

Units are narrowed to the user's scope; choosing a unit selects its subtree (a district shows
its communes). The search ignores Vietnamese diacritics on the unit's name and matches the TTHC
code.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communes.models import Unit
from core.scoping import Action
from core.text import fold
from documents.models import Procedure
from surveys.forms_records import MONTH_INPUT_FORMATS
from surveys.models import CRITERION_CHOICES, Reconciliation, RecordCount, Tally


class SubtreeUnitFilter(django_filters.ModelChoiceFilter):
    """A unit and the units below it; `path_lookup` names the path of the filtered rows' unit."""

    def __init__(self, *args, path_lookup="unit__path", **kwargs):
        self.path_lookup = path_lookup
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.path_lookup}__startswith": value.path})


class MonthFilter(django_filters.DateFilter):
    """A month (<input type=month>, "2025-06" or "06/2025"), compared with `month`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", forms.DateInput(attrs={"type": "month", "class": "form-control"}, format="%Y-%m")
        )
        kwargs.setdefault("input_formats", MONTH_INPUT_FORMATS)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if isinstance(value, datetime.date):
            value = value.replace(day=1)
        return super().filter(qs, value)


def _search(queryset, value):
    text = (value or "").strip()
    if not text:
        return queryset
    condition = Q(procedure__code__icontains=text)
    folded = fold(text)
    if folded:
        condition |= Q(unit__search_text__contains=folded)
    return queryset.filter(condition)


def _style(filterset, selects=(), inputs=()):
    for name in selects:
        filterset.filters[name].field.widget.attrs["class"] = "form-select"
    for name in inputs:
        filterset.filters[name].field.widget.attrs.setdefault("class", "form-control")


def _scoped_units(user):
    return Unit.objects.for_user(user, Action.VIEW).only("name", "path").order_by("path")


def _used_procedures(queryset):
    """The procedures named by the rows of `queryset` (one subquery, not the whole catalogue)."""
    return Procedure.objects.filter(pk__in=queryset.exclude(procedure=None).values("procedure")).only(
        "code", "name"
    )


class TallyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = SubtreeUnitFilter(label=_("Unit"), queryset=Unit.objects.none())
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Tally.Channel.choices, empty_label=_("any")
    )
    criterion = django_filters.ChoiceFilter(
        label=_("Criterion"), choices=CRITERION_CHOICES, empty_label=_("any")
    )
    procedure = django_filters.ModelChoiceFilter(label=_("Procedure"), queryset=Procedure.objects.none())
    year = django_filters.NumberFilter(label=_("Year"), field_name="period_start__year")

    class Meta:
        model = Tally
        fields = ["q", "unit", "channel", "criterion", "procedure", "year"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = _scoped_units(user)
        self.filters["procedure"].queryset = _used_procedures(Tally.objects.for_user(user))
        _style(self, selects=("unit", "channel", "criterion", "procedure"), inputs=("q", "year"))
        self.filters["q"].field.widget.attrs["placeholder"] = _("unit or TTHC code")

    def search(self, queryset, name, value):
        return _search(queryset, value)


class RecordCountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = SubtreeUnitFilter(label=_("Unit"), queryset=Unit.objects.none())
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=RecordCount.Source.choices, empty_label=_("both sources")
    )
    month_from = MonthFilter(label=_("From month"), field_name="month", lookup_expr="gte")
    month_to = MonthFilter(label=_("To month"), field_name="month", lookup_expr="lte")
    procedure = django_filters.ModelChoiceFilter(label=_("Procedure"), queryset=Procedure.objects.none())
    all_procedures = django_filters.BooleanFilter(
        label=_("Rows"),
        field_name="procedure",
        lookup_expr="isnull",
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = RecordCount
        fields = ["q", "unit", "source", "month_from", "month_to", "procedure", "all_procedures"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = _scoped_units(user)
        self.filters["procedure"].queryset = _used_procedures(RecordCount.objects.for_user(user))
        self.filters["all_procedures"].field.widget.choices = [
            ("", _("all rows")),
            ("true", _("all procedures together")),
            ("false", _("per procedure")),
        ]
        _style(self, selects=("unit", "source", "procedure", "all_procedures"), inputs=("q",))
        self.filters["q"].field.widget.attrs["placeholder"] = _("unit or TTHC code")

    def search(self, queryset, name, value):
        return _search(queryset, value)


STATUS_CHOICES = [
    ("unsettled", _("not yet explained")),
    (Reconciliation.Status.EXPLAINED, _("explained")),
    (Reconciliation.Status.CORRECTED, _("corrected")),
]


class ReconciliationFilter(django_filters.FilterSet):
    """Filters the units whose months are reconciled; the months and the status are read by the
    view from the form (the mismatches are computed, not rows of a table)."""

    unit = SubtreeUnitFilter(label=_("Unit"), queryset=Unit.objects.none(), path_lookup="path")
    month_from = MonthFilter(label=_("From month"), method="keep")
    month_to = MonthFilter(label=_("To month"), method="keep")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, empty_label=_("any"), method="keep"
    )

    class Meta:
        model = Unit
        fields = ["unit", "month_from", "month_to", "status"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = _scoped_units(user)
        _style(self, selects=("unit", "status"))

    def keep(self, queryset, name, value):
        return queryset
