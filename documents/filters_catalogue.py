"""Filters of the catalogue pages. Searches fold the query like the stored `search_text`
(no diacritics, đ → d), so `dang ky khai sinh` finds “Đăng ký khai sinh”."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from communes.models import Unit
from core.text import fold
from documents.models import DecisionItem, LegalDocument, Procedure, ProcedureDecision


def _folded_search(queryset, value):
    folded = fold(value)
    if not folded:
        return queryset
    return queryset.filter(search_text__contains=folded)


class _BootstrapFilterSet(django_filters.FilterSet):
    selects: tuple = ()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.prepare()
        for name in self.selects:
            # The templates render these widgets bare: give them Bootstrap's look.
            self.filters[name].field.widget.attrs["class"] = "form-select"

    def prepare(self):
        """Adjust the filters before their form fields are built."""


class ProcedureFilter(_BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    field = django_filters.ChoiceFilter(label=_("Field"), choices=[])
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Procedure.Level.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Procedure.Status.choices)

    selects = ("field", "level", "status")

    class Meta:
        model = Procedure
        fields = ["q", "field", "level", "status"]

    def prepare(self):
        self.filters["q"].extra["widget"] = forms.TextInput(
            attrs={"placeholder": _("Code or name, e.g. dang ky khai sinh")}
        )
        # The fields in use, one query whatever the size of the catalogue.
        fields = (
            Procedure.objects.exclude(field="").order_by("field").values_list("field", flat=True).distinct()
        )
        self.filters["field"].extra["choices"] = [(f, f) for f in fields]

    def search(self, queryset, name, value):
        # The folded column holds the code too (lower case), so a code is found as typed.
        return _folded_search(queryset, value)


class DecisionFilter(_BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    year = django_filters.NumberFilter(label=_("Year signed"), field_name="signed_on", lookup_expr="year")

    class Meta:
        model = ProcedureDecision
        fields = ["q", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["q"].field.widget.attrs["placeholder"] = _("Number, title or a TTHC it lists")
        self.filters["year"].field.widget.attrs["class"] = "form-control"

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Decisions have no folded column: their number and title as typed, or a TTHC they list
        # (found without diacritics through the catalogue's folded column).
        listing = DecisionItem.objects.filter(procedure__search_text__contains=fold(value)).values(
            "decision_id"
        )
        return (
            queryset.filter(pk__in=listing)
            | queryset.filter(number__icontains=value)
            | queryset.filter(title__icontains=value)
        )


class LegalDocumentFilter(_BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=LegalDocument.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LegalDocument.Status.choices)

    selects = ("kind", "status")

    class Meta:
        model = LegalDocument
        fields = ["q", "kind", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["q"].field.widget.attrs["placeholder"] = _("Number, issuer or title, e.g. nghi dinh 61")

    def search(self, queryset, name, value):
        return _folded_search(queryset, value)


class CoverageFilter(_BootstrapFilterSet):
    """Filters the units of the coverage page."""

    q = django_filters.CharFilter(label=_("Unit"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Unit.Kind.choices)

    selects = ("kind",)

    class Meta:
        model = Unit
        fields = ["q", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["q"].field.widget.attrs["placeholder"] = _("Name, e.g. bich dong")

    def search(self, queryset, name, value):
        return queryset.search(value)
