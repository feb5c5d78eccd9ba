"""Reads on units and their people, for this app's pages and for other apps."""

from django.db.models import Count, Q

from communes.models import Membership, Succession, Unit
from core.scoping import Action, get_scope


def units_for_user(user, action=Action.VIEW):
    return Unit.objects.for_user(user, action)


def unit_list_queryset(user):
    return units_for_user(user).select_related("parent", "wave")


def unit_children(unit):
    return (
        unit.children.select_related("wave")
        .annotate(n_members=Count("memberships", distinct=True), n_children=Count("children", distinct=True))
        .order_by("name")
    )


def unit_people(unit):
    """Members of the unit itself and of the units above it (whose roles cover it)."""
    ancestor_paths = [unit.path[: i + 1] for i, ch in enumerate(unit.path) if ch == "/"]
    return (
        Membership.objects.filter(unit__path__in=ancestor_paths)
        .select_related("user", "unit")
        .order_by("-unit__depth", "role", "user__last_name", "user__first_name")
    )


def unit_lineage(unit):
    """(predecessors, successors) of the unit as Succession rows."""
    rows = Succession.objects.filter(Q(successor=unit) | Q(predecessor=unit)).select_related(
        "predecessor", "successor"
    )
    rows = list(rows)
    return [r for r in rows if r.successor_id == unit.pk], [r for r in rows if r.predecessor_id == unit.pk]


def successor_in_operation(unit, max_steps=5):
    """The unit in operation that took `unit` over, following merger after merger; None when
    `unit` is in operation, ceased without a successor, or was split (several successors)."""
    current = unit
    for _step in range(max_steps):
        if current.is_active:
            return None if current is unit else current
        successors = [
            row.successor
            for row in Succession.objects.filter(predecessor=current).select_related("successor")
        ]
        if len(successors) != 1:
            return None
        current = successors[0]
    return current if current.is_active else None


def unit_ancestors(unit, user):
    """The units above `unit`, top first, each with `viewable`: whether the user may open it
    (an officer sees the name of their district but cannot open its page)."""
    pks = [int(pk) for pk in unit.path.strip("/").split("/")[:-1]]
    ancestors = list(Unit.objects.filter(pk__in=pks).order_by("depth"))
    scope = get_scope(user)
    for ancestor in ancestors:
        ancestor.viewable = scope.covers(Action.VIEW, ancestor.path)
    return ancestors


def user_can(user, action, unit) -> bool:
    return get_scope(user).covers(action, unit.path)


def is_archive_for(user, unit) -> bool:
    """The unit is readable only as a predecessor's archive: no role covers it directly."""
    return get_scope(user).is_archive(unit.path)


def memberships_of(user):
    return Membership.objects.filter(user=user).select_related("unit").order_by("unit__path")


def dashboard_summary(user):
    """Counts of the units in the user's scope, by kind and by QMS wave (one query each)."""
    units = units_for_user(user)
    by_kind = dict(units.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    by_wave = list(
        units.exclude(wave=None)
        .values("wave__name", "wave__year")
        .annotate(n=Count("pk"))
        .order_by("wave__year")
    )
    return {"total": sum(by_kind.values()), "by_kind": by_kind, "by_wave": by_wave}
