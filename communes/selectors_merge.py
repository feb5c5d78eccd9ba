"""Reads for the merge workflow and the lineage of the unit page."""

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Q
from django.utils.html import format_html, format_html_join

from communes.models import Membership, Succession, Unit
from communes.services_merge import MERGEABLE_KINDS
from core import clock, reorganisation
from core.scoping import Action, can_anywhere, get_scope


def mergeable_units(user):
    """Commune-level units the user manages (the pool of predecessors and successors)."""
    return (
        Unit.objects.for_user(user, Action.MANAGE).filter(kind__in=MERGEABLE_KINDS).select_related("parent")
    )


def predecessor_pool(user):
    """The units the user may merge: those they manage and, to be settled into one of those, the
    commune-level units of their archive (communes.services_merge.may_settle)."""
    scope = get_scope(user)
    if scope.everything or not scope.archive:
        return mergeable_units(user)
    archive = Q()
    for root in scope.archive:
        archive |= Q(path__startswith=root)
    managed = Unit.objects.for_user(user, Action.MANAGE).values("pk")
    return Unit.objects.filter(Q(pk__in=managed) | archive, kind__in=MERGEABLE_KINDS).select_related("parent")


def can_merge_unit(user, unit, successions, today) -> bool:
    """Whether the unit's page offers to merge it: a commune-level unit in operation on `today`
    that was never merged, which the user manages or reads as an archive while managing some unit
    to merge it into (communes.services_merge.may_settle decides for the chosen successor)."""
    if unit.kind not in MERGEABLE_KINDS or successions:
        return False
    if not unit.in_operation_on(today):
        return False
    scope = get_scope(user)
    return scope.covers(Action.MANAGE, unit.path) or (scope.is_archive(unit.path) and can_merge(user))


def merger_to_finish(user, unit, successions):
    """The succession of `unit` (one of `successions`, its rows as predecessor) whose merger the
    user may finish in the workflow, carrying its work over and moving its people: a merger or a
    renaming (link_successors writes no split) into a successor the user manages. None if none."""
    rows = [row for row in successions if row.kind != Succession.Kind.SPLIT]
    if len(rows) != 1 or unit.kind not in MERGEABLE_KINDS:
        return None
    scope = get_scope(user)
    if not (scope.covers(Action.MANAGE, rows[0].successor.path) and scope.covers(Action.VIEW, unit.path)):
        return None
    return rows[0]


def can_merge(user) -> bool:
    return can_anywhere(user, Action.MANAGE)


@dataclass
class PredecessorPreview:
    unit: Unit
    memberships: list = field(default_factory=list)


@dataclass
class CarryOverPreview:
    key: str
    label: object
    rows: list = field(default_factory=list)  # (Pending, predecessor unit)


def merge_preview(predecessors):
    """What a merger would move: each predecessor with the people who hold a role on it, and
    each registered carry-over with its pending records. One query for the people, plus what
    each carry-over's preview costs (a constant number by its contract)."""
    predecessors = list(predecessors)
    by_pk = {u.pk: PredecessorPreview(unit=u) for u in predecessors}
    memberships = Membership.objects.filter(unit__in=predecessors).select_related("user")
    for membership in memberships.order_by("unit_id", "role", "user__last_name", "user__first_name"):
        by_pk[membership.unit_id].memberships.append(membership)
    ids = [u.pk for u in predecessors]
    units = {u.pk: u for u in predecessors}
    carry_overs = []
    for carry_over in reorganisation.carry_overs():
        rows = [(pending, units.get(pending.unit_id)) for pending in carry_over.preview(list(ids))]
        carry_overs.append(CarryOverPreview(key=carry_over.key, label=carry_over.label, rows=rows))
    return [by_pk[u.pk] for u in predecessors], carry_overs


@dataclass
class LineageStep:
    """One event of a unit's lineage: the units it was formed from, or those it went into."""

    effective_on: object
    kind: str
    kind_display: str
    units: list  # Unit objects, each with `viewable`

    @property
    def in_future(self):
        return self.effective_on > clock.today()

    @property
    def links(self):
        """The units, linked when the user may open them (safe HTML for the page's sentences)."""
        return format_html_join(
            ", ",
            "{}",
            (
                (format_html('<a href="{}">{}</a>', u.get_absolute_url(), u) if u.viewable else u,)
                for u in self.units
            ),
        )


def lineage_steps(rows, side, user):
    """Succession rows grouped by (date, kind); `side` is "predecessor" or "successor": the
    units listed. No query: the rows come with their units (communes.selectors.unit_lineage)."""
    scope = get_scope(user)
    rows = sorted(rows, key=lambda r: (r.effective_on, r.kind, getattr(r, side).name))
    steps = []
    for (day, kind), group in groupby(rows, key=lambda r: (r.effective_on, r.kind)):
        group = list(group)
        units = []
        for row in group:
            unit = getattr(row, side)
            unit.viewable = scope.covers(Action.VIEW, unit.path)
            units.append(unit)
        steps.append(LineageStep(day, kind, group[0].get_kind_display(), units))
    return steps
