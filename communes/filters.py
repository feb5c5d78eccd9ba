import django_filters
from django.utils.translation import gettext_lazy as _

from communes.models import Unit, Wave


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Unit.Kind.choices)
    wave = django_filters.ModelChoiceFilter(label=_("QMS wave"), queryset=Wave.objects.all())

    class Meta:
        model = Unit
        fields = ["q", "kind", "wave"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["q"].field.widget.attrs["placeholder"] = _("Name or code, e.g. bich dong")
        for name in ("kind", "wave"):
            # The template renders these widgets bare: give them Bootstrap's look.
            self.filters[name].field.widget.attrs["class"] = "form-select"

    def search(self, queryset, name, value):
        return queryset.search(value)
