from django.utils.translation import gettext_lazy as _

from communes import selectors, services
from communes.filters import UnitFilter
from communes.forms import UnitForm
from communes.models import Unit
from communes.tables import UnitTable
from core.scoping import Action
from core.views import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    get_scoped_object_or_404,
)


class UnitListView(ScopedListView):
    model = Unit
    table_class = UnitTable
    filterset_class = UnitFilter
    template_name = "communes/unit_list.html"

    def get_queryset(self):
        return selectors.unit_list_queryset(self.request.user)


class UnitDetailView(ScopedDetailView):
    model = Unit
    template_name = "communes/unit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit, user = self.object, self.request.user
        predecessors, successors = selectors.unit_lineage(unit)
        context.update(
            ancestors=selectors.unit_ancestors(unit, user),
            children=selectors.unit_children(unit),
            subtree_size=Unit.objects.subtree(unit, include_self=False).count(),
            people=selectors.unit_people(unit),
            predecessors=predecessors,
            successors=successors,
            can_manage=selectors.user_can(user, Action.MANAGE, unit),
            is_archive=selectors.is_archive_for(user, unit),
        )
        return context


class UnitFormMixin:
    model = Unit
    form_class = UnitForm
    template_name = "communes/unit_form.html"
    action = Action.MANAGE

    def perform_save(self, form):
        return services.unit_save(actor=self.request.user, unit=form.instance)


class UnitCreateView(UnitFormMixin, ScopedCreateView):
    """Add a unit (e.g. an agency) under a unit the user manages."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.parent = get_scoped_object_or_404(
                Unit.objects.all(), request.user, Action.MANAGE, pk=kwargs["parent_pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"parent": self.parent, "kind": Unit.Kind.AGENCY}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("New unit under %(parent)s") % {"parent": self.parent}, **kwargs
        )


class UnitUpdateView(UnitFormMixin, ScopedUpdateView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit %(unit)s") % {"unit": self.object}, **kwargs)
