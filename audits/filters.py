"""Filters of the audit and corrective-action lists; the unit choices are narrowed to the user's
scope, a unit selects its whole subtree."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import Audit, AuditProgramme, CorrectiveAction, Nonconformity
from communes.models import Unit
from core.scoping import Action
from core.text import fold

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
OPEN_STATES = [CorrectiveAction.State.PLANNED, CorrectiveAction.State.DONE]
DATE_INPUT = {"type": "date"}


def _unit_choices(user):
    return Unit.objects.for_user(user, Action.VIEW).only("name", "path").order_by("path")


def _style(filterset, names, css="form-select"):
    # The templates render these widgets bare: give them Bootstrap's look.
    for name in names:
        filterset.filters[name].field.widget.attrs["class"] = css


class _SubtreeUnitFilter(django_filters.ModelChoiceFilter):
    """A unit and the units below it (a district shows its communes' rows)."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(unit__path__startswith=value.path)


def _search_unit_or_title(queryset, value, title="title"):
    folded = fold(value)
    if not folded:
        return queryset
    return queryset.filter(
        Q(**{f"{title}__icontains": value.strip()}) | Q(unit__search_text__contains=folded)
    )


class ProgrammeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    year = django_filters.NumberFilter(label=_("Year"))

    class Meta:
        model = AuditProgramme
        fields = ["q", "year"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["q"].field.widget.attrs["placeholder"] = _("Title or unit")
        _style(self, ["q", "year"], "form-control")

    def search(self, queryset, name, value):
        return _search_unit_or_title(queryset, value)


class AuditFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = _SubtreeUnitFilter(label=_("Unit"), queryset=Unit.objects.none())
    year = django_filters.NumberFilter(label=_("Year"), field_name="planned_month__year")
    state = django_filters.ChoiceFilter(label=_("State"), choices=Audit.State.choices)

    class Meta:
        model = Audit
        fields = ["q", "unit", "year", "state"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = _unit_choices(user)
        self.filters["q"].field.widget.attrs["placeholder"] = _("Unit, e.g. bich dong")
        _style(self, ["unit", "state"])
        _style(self, ["q", "year"], "form-control")

    def search(self, queryset, name, value):
        folded = fold(value)
        return queryset.filter(unit__search_text__contains=folded) if folded else queryset


class NonconformityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = _SubtreeUnitFilter(label=_("Unit"), queryset=Unit.objects.none())
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Nonconformity.Source.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Nonconformity.Status.choices)
    due_after = django_filters.DateFilter(label=_("Action due from"), method="filter_due_after")
    due_before = django_filters.DateFilter(label=_("Action due until"), method="filter_due_before")
    overdue = django_filters.ChoiceFilter(label=_("Overdue"), choices=YES_NO, method="filter_overdue")

    class Meta:
        model = Nonconformity
        fields = ["q", "unit", "source", "status", "due_after", "due_before", "overdue"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = _unit_choices(user)
        self.filters["q"].field.widget.attrs["placeholder"] = _("Title or unit")
        for name in ("due_after", "due_before"):
            self.filters[name].field.widget.input_type = "date"
        _style(self, ["unit", "source", "status", "overdue"])
        _style(self, ["q", "due_after", "due_before"], "form-control")

    def search(self, queryset, name, value):
        return _search_unit_or_title(queryset, value)

    def _with_open_action(self, queryset, **lookups):
        actions = CorrectiveAction.objects.filter(state__in=OPEN_STATES, **lookups)
        return queryset.filter(pk__in=actions.values("nonconformity_id"))

    def filter_due_after(self, queryset, name, value):
        return self._with_open_action(queryset, due_on__gte=value)

    def filter_due_before(self, queryset, name, value):
        return self._with_open_action(queryset, due_on__lte=value)

    def filter_overdue(self, queryset, name, value):
        late = CorrectiveAction.objects.filter(
            state=CorrectiveAction.State.PLANNED, due_on__lt=timezone.localdate()
        ).values("nonconformity_id")
        if value == "yes":
            return queryset.filter(pk__in=late)
        if value == "no":
            return queryset.exclude(pk__in=late)
        return queryset
