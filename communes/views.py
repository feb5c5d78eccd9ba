from django.utils.translation import gettext_lazy as _

from communes import selectors, selectors_merge, services
from communes.filters import UnitFilter
from communes.forms import UnitForm
from communes.models import Unit
from communes.services_merge import ONE_DAY
from communes.tables import UnitTable
from core import clock
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

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_merge=selectors_merge.can_merge(self.request.user), **kwargs)


class UnitDetailView(ScopedDetailView):
    model = Unit
    template_name = "communes/unit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit, user = self.object, self.request.user
        predecessors, successors = selectors.unit_lineage(unit)
        can_manage = selectors.user_can(user, Action.MANAGE, unit)
        people = list(selectors.unit_people(unit))
        today = clock.today()
        context.update(
            ancestors=selectors.unit_ancestors(unit, user),
            children=selectors.unit_children(unit),
            subtree_size=Unit.objects.subtree(unit, include_self=False).count(),
            people=people,
            predecessors=predecessors,
            successors=successors,
            formed_from=selectors_merge.lineage_steps(predecessors, "predecessor", user),
            merged_into=selectors_merge.lineage_steps(successors, "successor", user),
            inactive_since=unit.valid_until + ONE_DAY
            if unit.valid_until and unit.valid_until < today
            else None,
            not_yet_since=unit.valid_from if unit.valid_from and unit.valid_from > today else None,
            can_manage=can_manage,
            can_move_people=can_manage and any(m.unit_id == unit.pk for m in people),
            is_archive=selectors.is_archive_for(user, unit),
            can_merge=selectors_merge.can_merge_unit(user, unit, successors, today),
            finish_merger=selectors_merge.merger_to_finish(user, unit, successors),
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
