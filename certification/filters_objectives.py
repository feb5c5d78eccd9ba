"""Filter of the flagged-indicator list: year, unit (a unit and its subtree), and a search that
ignores diacritics on the unit's name."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import Indicator
from communes.models import Unit
from core.scoping import Action
from core.text import fold


class _SubtreeUnitFilter(django_filters.ModelChoiceFilter):
    """A unit and the units below it (a district shows its communes' indicators)."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(objective__unit__path__startswith=value.path)


class FlaggedFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    year = django_filters.NumberFilter(label=_("Year"), field_name="objective__year")
    unit = _SubtreeUnitFilter(label=_("Unit"), queryset=Unit.objects.none())

    class Meta:
        model = Indicator
        fields = ["q", "year", "unit"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = (
            Unit.objects.for_user(user, Action.VIEW).only("name", "path").order_by("path")
        )
        self.filters["unit"].field.widget.attrs["class"] = "form-select"
        self.filters["year"].field.widget.attrs.update(
            {"class": "form-control", "placeholder": str(timezone.localdate().year)}
        )
        self.filters["q"].field.widget.attrs.update(
            {"class": "form-control", "placeholder": _("indicator, objective or unit")}
        )

    def search(self, queryset, name, value):
        text = (value or "").strip()
        if not text:
            return queryset
        condition = (
            Q(name__icontains=text)
            | Q(objective__statement__icontains=text)
            | Q(flag_comment__icontains=text)
        )
        folded = fold(text)
        if folded:
            condition |= Q(objective__unit__search_text__contains=folded)
        return queryset.filter(condition)
