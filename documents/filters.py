import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communes.models import Unit
from core.scoping import Action
from documents import selectors
from documents.models import Document, UpdateTask

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


class DocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = _SubtreeUnitFilter(label=_("Unit"), queryset=Unit.objects.none())
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Document.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Document.Status.choices)
    review_overdue = django_filters.ChoiceFilter(
        label=_("Review overdue"), choices=YES_NO, method="filter_review_overdue"
    )

    class Meta:
        model = Document
        fields = ["q", "unit", "kind", "status", "review_overdue"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = _unit_choices(user)
        self.filters["q"].field.widget.attrs["placeholder"] = _("Code, title or TTHC code, e.g. quy trinh")
        _style(self, ["unit", "kind", "status", "review_overdue"])

    def search(self, queryset, name, value):
        return selectors.document_search(queryset, value)

    def filter_review_overdue(self, queryset, name, value):
        overdue = selectors.review_overdue(Document.objects.all()).values("pk")
        if value == "yes":
            return queryset.filter(pk__in=overdue)
        if value == "no":
            return queryset.exclude(pk__in=overdue)
        return queryset


class TaskFilter(django_filters.FilterSet):
    unit = _SubtreeUnitFilter(label=_("Unit"), queryset=Unit.objects.none())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=UpdateTask.Status.choices)
    reason = django_filters.ChoiceFilter(label=_("Reason"), choices=UpdateTask.Reason.choices)
    overdue = django_filters.ChoiceFilter(label=_("Overdue"), choices=YES_NO, method="filter_overdue")

    class Meta:
        model = UpdateTask
        fields = ["unit", "status", "reason", "overdue"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = _unit_choices(user)
        _style(self, ["unit", "status", "reason", "overdue"])

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        late = {"status": UpdateTask.Status.OPEN, "due_on__lt": today}
        if value == "yes":
            return queryset.filter(**late)
        if value == "no":
            return queryset.exclude(**late)
        return queryset


class ModelFilter(django_filters.FilterSet):
    """Framework models: search, and the unit whose answers to show (its subtree)."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=Unit.objects.none(), method="for_unit")

    class Meta:
        model = Document
        fields = ["q", "unit"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = _unit_choices(user)
        self.filters["q"].field.widget.attrs["placeholder"] = _("Code or title")
        _style(self, ["unit"])

    def search(self, queryset, name, value):
        return selectors.document_search(queryset, value)

    def for_unit(self, queryset, name, value):
        # Models published above the unit, or by it for the units below it.
        ancestors = [value.path[: i + 1] for i, ch in enumerate(value.path) if ch == "/"]
        return queryset.filter(unit__path__in=ancestors)
