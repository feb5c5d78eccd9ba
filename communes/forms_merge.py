"""Forms of the merge workflow and of the membership move, narrowed to the units the user
manages. The business rules are the service's (communes.services_merge); the forms only show
its errors on their fields before anything is saved."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communes import selectors_merge
from communes.models import Membership, Succession, Unit, in_operation_q
from communes.services import REORGANISATION_DAY
from communes.services_merge import units_merge_check
from core import clock, reorganisation
from core.forms import add_service_error
from core.scoping import Action
from core.templatetags.qms import person

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
UNIT_NOT_OFFERED = _("One of the units chosen is not a unit you may merge (%(value)s).")


def _label(unit):
    return f"{unit.name} ({unit.parent.name})" if unit.parent_id else unit.name


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _label(obj)


class UnitsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _label(obj)


class MergeForm(forms.Form):
    """Step 1 of the merger (the units, the date, the kind) and, hidden in step 2, what moves."""

    predecessors = UnitsChoice(
        label=_("Units merged"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Two or more communes, wards or towns that cease to exist (for a split: the unit split, "
            "once for each unit that takes a part of it)."
        ),
        error_messages={
            "required": _("Choose the units that are merged."),
            "invalid_choice": UNIT_NOT_OFFERED,
            "invalid_pk_value": UNIT_NOT_OFFERED,
        },
    )
    successor = UnitChoice(
        label=_("Successor"),
        queryset=Unit.objects.none(),
        help_text=_("The unit that takes over; add it to the tree first if it is new."),
        error_messages={
            "required": _("Choose the unit that takes over."),
            "invalid_choice": _("Choose a successor among the units you manage."),
        },
    )
    effective_on = forms.DateField(
        label=_("Takes effect on"),
        initial=REORGANISATION_DAY,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The merged units are in operation until the day before."),
        error_messages={
            "required": _("Give the date the merger takes effect."),
            "invalid": _("Enter a valid date, e.g. 01/07/2025."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k, label) for k, label in Succession.Kind.choices if k != Succession.Kind.RENAME],
        initial=Succession.Kind.MERGE,
    )
    note = forms.CharField(
        label=_("Decision or note"),
        required=False,
        max_length=500,
        help_text=_("E.g. the resolution on the reorganisation of the province's commune-level units."),
    )
    # Step 2: what moves. Checked by default in the preview.
    carry = forms.MultipleChoiceField(label=_("Carry over"), required=False, choices=())
    move_memberships = UnitsChoice(
        label=_("Move the people of"), required=False, queryset=Unit.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units, pool = selectors_merge.mergeable_units(user), selectors_merge.predecessor_pool(user)
        self.fields["predecessors"].queryset = pool
        self.fields["successor"].queryset = units
        self.fields["move_memberships"].queryset = pool
        self.fields["carry"].choices = [(c.key, c.label) for c in reorganisation.carry_overs()]
        # The template draws the unit lists itself (with a search box); these keep Bootstrap's look.
        self.fields["effective_on"].widget.attrs["class"] = "form-control"
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["note"].widget.attrs["class"] = "form-control"

    # -- what the step-1 page lists (only the active units, plus those already chosen) ----------
    def _chosen(self, name):
        if self.is_bound:
            return {str(v) for v in self.data.getlist(name)} if hasattr(self.data, "getlist") else set()
        initial = self.initial.get(name) or []
        if not isinstance(initial, list | tuple | set):
            initial = [initial]
        return {str(getattr(v, "pk", v)) for v in initial}

    def _offered(self, name, in_operation):
        chosen = self._chosen(name)
        units = (
            self.fields[name]
            .queryset.filter(Q(pk__in=[int(v) for v in chosen if v.isdigit()]) | in_operation)
            .order_by("parent__name", "name")
        )
        for unit in units:
            unit.chosen = str(unit.pk) in chosen
            unit.label = _label(unit)
        return units

    def offered_predecessors(self):
        return self._offered("predecessors", in_operation_q(clock.today()))

    def offered_successors(self):
        """Units not ended yet: a successor may be set up before the merger takes effect."""
        today = clock.today()
        return self._offered("successor", Q(valid_until__isnull=True) | Q(valid_until__gte=today))

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                units_merge_check(
                    actor=self.user,
                    predecessors=data["predecessors"],
                    successor=data["successor"],
                    effective_on=data["effective_on"],
                    kind=data["kind"],
                )
            except ValidationError as exc:
                add_service_error(self, exc)
            except PermissionDenied:
                self.add_error(None, _("You may not merge these units."))
        chosen = {u.pk for u in data.get("predecessors") or ()}
        data["move_memberships"] = [u for u in data.get("move_memberships") or () if u.pk in chosen]
        return data


class MembershipsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{person(obj.user)} — {obj.get_role_display()}"


class MembershipMoveForm(forms.Form):
    """Staff rotation: people of `unit` (checkboxes) move to another unit the user manages."""

    memberships = MembershipsChoice(
        label=_("People who move"),
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one person to move."),
            "invalid_choice": _("Choose people who hold a role on this unit."),
            "invalid_pk_value": _("Choose people who hold a role on this unit."),
        },
    )
    target = UnitChoice(
        label=_("Move them to"),
        queryset=Unit.objects.none(),
        error_messages={
            "required": _("Choose the unit they move to."),
            "invalid_choice": _("Choose a unit you manage."),
        },
    )

    def __init__(self, *args, user, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["memberships"].queryset = (
            Membership.objects.filter(unit=unit)
            .select_related("user", "unit")
            .order_by("role", "user__last_name", "user__first_name")
        )
        today = clock.today()
        self.fields["target"].queryset = (
            Unit.objects.for_user(user, Action.MANAGE)
            .exclude(pk=unit.pk)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .select_related("parent")
            .order_by("path")
        )
