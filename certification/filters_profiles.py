"""Filters of the QMS profile list (one row per unit) and of the version transition list.

Searches fold the query like the stored `search_text` (no diacritics, đ → d), so `bich dong`
finds “Phường Bích Động”.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from certification.models import QmsProfile, StandardVersion, VersionTransition
from communes.models import Unit, Wave
from core.scoping import Action
from core.text import fold

# The "status" of a unit that has no profile yet (not a status of the model).
NO_PROFILE = "none"


def status_choices():
    return [(NO_PROFILE, _("no profile yet")), *QmsProfile.Status.choices]


def supervising_units(user, action=Action.VIEW):
    """Units that have units below them (province, district, any non-leaf), in the user's scope."""
    parents = Unit.objects.filter(parent__isnull=False).values("parent_id")
    return (
        Unit.objects.for_user(user, action)
        .filter(Q(kind__in=[Unit.Kind.PROVINCE, Unit.Kind.DISTRICT]) | Q(pk__in=parents))
        .only("name", "path", "kind")
        .order_by("path")
    )


def _folded_search(queryset, value, field="search_text"):
    folded = fold(value)
    if not folded:
        return queryset
    return queryset.filter(**{f"{field}__contains": folded})


class _BootstrapFilterSet(django_filters.FilterSet):
    selects: tuple = ()
    placeholder = ""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.prepare()
        for name in self.selects:
            # The templates render these widgets bare: give them Bootstrap's look.
            self.filters[name].field.widget.attrs["class"] = "form-select"
        self.filters["q"].field.widget.attrs.update(
            {"class": "form-control", "placeholder": self.placeholder}
        )

    def prepare(self):
        """Adjust the filters before their form fields are built."""


class ProfileFilter(_BootstrapFilterSet):
    """Filters the units of the profile list. The queryset carries the annotations `qms_status`
    and `qms_version_id` (see certification.views.profiles.profile_units)."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=status_choices, method="filter_status")
    version = django_filters.ModelChoiceFilter(
        label=_("Standard version"), queryset=StandardVersion.objects.all(), method="filter_version"
    )
    wave = django_filters.ModelChoiceFilter(label=_("Wave"), queryset=Wave.objects.all())
    within = django_filters.ModelChoiceFilter(
        label=_("Under"), queryset=Unit.objects.none(), method="filter_within"
    )

    selects = ("status", "version", "wave", "within")
    placeholder = _("Unit name, e.g. bich dong")
    # The filters that choose which units are counted in the headline (not what is shown).
    POPULATION = ("wave", "within")

    class Meta:
        model = Unit
        fields = ["q", "status", "version", "wave", "within"]

    def prepare(self):
        self.filters["within"].queryset = supervising_units(self.user)

    def search(self, queryset, name, value):
        return _folded_search(queryset, value)

    def filter_status(self, queryset, name, value):
        if value == NO_PROFILE:
            return queryset.filter(qms_status__isnull=True)
        return queryset.filter(qms_status=value) if value else queryset

    def filter_version(self, queryset, name, value):
        return queryset.filter(qms_version_id=value.pk) if value else queryset

    def filter_within(self, queryset, name, value):
        return queryset.filter(path__startswith=value.path) if value else queryset


class TransitionFilter(_BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    version = django_filters.ModelChoiceFilter(
        label=_("Target version"), field_name="target_version", queryset=StandardVersion.objects.all()
    )

    selects = ("version",)
    placeholder = _("Unit name")

    class Meta:
        model = VersionTransition
        fields = ["q", "version"]

    def search(self, queryset, name, value):
        return _folded_search(queryset, value, "unit__search_text")
