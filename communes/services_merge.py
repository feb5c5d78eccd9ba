"""The 2025 reorganisation: merging units into a successor, and moving people between units.

A merger (or a split) writes the lineage (`Succession`), ends the predecessors the day before it
takes effect (so no reminder reaches them any more), starts the successor, carries over the open
work that the domain apps registered in `core.reorganisation` and, when asked, moves the
predecessors' people to the successor. The predecessors' records stay where they are: the
successor's members read them as an archive (communes.permissions). Predecessors that
`communes.services.successors_link` already linked to the same successor on the same day keep
their lineage and dates: the merger only carries their work over and moves their people.

Who may merge: the supervisor who manages the successor and every predecessor, or, for a
predecessor outside their units, one that lies in their archive (an old commune of a province or
commune their unit succeeded, e.g. a commune of old Bắc Giang for the staff of the new Bắc Ninh):
since 1 July 2025 settling the former units is the new province's business, the old district
that managed them having ceased.

Every rule is checked here, in the service, with messages safe to show; the forms call
`units_merge_check` to show them before the preview.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communes.models import Membership, Succession, Unit
from communes.services import MANAGE_DENIED, membership_grant
from core import clock, reorganisation
from core.scoping import Action, get_scope, require

# Commune-level units: those that the 2025 reform merged (Resolution 76/2025/UBTVQH15 and the
# resolutions on each province's commune-level units).
MERGEABLE_KINDS = (Unit.Kind.COMMUNE, Unit.Kind.WARD, Unit.Kind.TOWN, Unit.Kind.SPECIAL_ZONE)
MERGE_KINDS = (Succession.Kind.MERGE, Succession.Kind.SPLIT)
ONE_DAY = datetime.timedelta(days=1)

NOT_MERGEABLE = gettext_lazy("%(unit)s is not a commune, ward, town or special zone.")


@dataclass
class MoveResult:
    """Memberships moved to a unit; `kept`: the person already had a role there (kept as it was)."""

    moved: int = 0
    kept: int = 0

    @property
    def total(self):
        return self.moved + self.kept


@dataclass
class MergeResult:
    successor: Unit
    predecessors: list[Unit]
    effective_on: datetime.date
    kind: str
    successions: list[Succession] = field(default_factory=list)  # created by this merger
    already_linked: list[Succession] = field(default_factory=list)  # there before (link_successors)
    carried: list[tuple[object, int]] = field(default_factory=list)  # (carry-over label, records)
    memberships: MoveResult = field(default_factory=MoveResult)


def _day(value):
    return format_date(value, "d/m/Y")


def _distinct(units):
    seen, result = set(), []
    for unit in units:
        if unit.pk not in seen:
            seen.add(unit.pk)
            result.append(unit)
    return result


def _already_linked(rows, successor, effective_on):
    """The row of `rows` (one predecessor's successions) that already links it to `successor` on
    `effective_on` as successors_link leaves it (a merger or a renaming: it writes no split);
    None when there is none. A part of a split commune recorded twice is still refused."""
    if successor is None or effective_on is None:
        return None
    return next(
        (
            r
            for r in rows
            if r.successor_id == successor.pk
            and r.effective_on == effective_on
            and r.kind != Succession.Kind.SPLIT
        ),
        None,
    )


def may_settle(actor, unit, target) -> bool:
    """Whether `actor` may merge `unit` (or move its people) into `target`: they manage both, or
    they manage `target` and `unit` lies in their archive (see the module's docstring)."""
    scope = get_scope(actor)
    if target is None or not scope.covers(Action.MANAGE, target.path):
        return False
    return scope.covers(Action.MANAGE, unit.path) or scope.is_archive(unit.path)


def _require_settle(actor, unit, target) -> None:
    if not may_settle(actor, unit, target):
        require(actor, Action.MANAGE, unit, MANAGE_DENIED)  # raises when unit is out of reach
        require(actor, Action.MANAGE, target, MANAGE_DENIED)


def units_merge_check(*, actor, predecessors, successor, effective_on, kind=Succession.Kind.MERGE) -> None:
    """Raise a ValidationError (by field: predecessors, successor, effective_on, kind) unless the
    merger may be recorded. Out of the actor's reach (see `may_settle`): PermissionDenied."""
    predecessors = _distinct(predecessors)
    if successor is not None:
        require(actor, Action.MANAGE, successor, MANAGE_DENIED)
        for unit in predecessors:
            _require_settle(actor, unit, successor)
    else:
        for unit in predecessors:
            require(actor, Action.MANAGE, unit, MANAGE_DENIED)
    errors: dict[str, list] = {}

    def add(name, message, **params):
        errors.setdefault(name, []).append(ValidationError(message, params=params or None))

    if kind not in MERGE_KINDS:
        add("kind", _("Choose a merger or a split."))
    existing = {}
    if predecessors:
        for row in Succession.objects.filter(predecessor__in=predecessors).select_related("successor"):
            existing.setdefault(row.predecessor_id, []).append(row)
    linked = {u.pk for u in predecessors if _already_linked(existing.get(u.pk, []), successor, effective_on)}
    if kind == Succession.Kind.SPLIT:
        # A commune split between several new ones: one run per successor, one predecessor is enough.
        if not predecessors:
            add("predecessors", _("Choose the unit that is split."))
    elif not predecessors or (
        len(linked) < len(predecessors) and _merged_total(predecessors, successor, effective_on) < 2
    ):
        # Finishing units that link_successors already linked (carry-overs, people) needs no minimum.
        add("predecessors", _("Choose at least two units to merge."))
    if successor is None:
        add("successor", _("Choose the unit that takes over."))
    elif successor.pk in {p.pk for p in predecessors}:
        add(
            "successor",
            _("%(unit)s cannot be both merged and the unit that takes over. Choose another successor."),
            unit=successor,
        )
    if effective_on is None:
        add("effective_on", _("Give the date the merger takes effect."))

    for unit in predecessors:
        if unit.kind not in MERGEABLE_KINDS:
            add("predecessors", NOT_MERGEABLE, unit=unit)
        earlier = existing.get(unit.pk, [])
        if unit.pk in linked:
            # Linked by successors_link: the merger only carries over the work and moves the people.
            continue
        # A split commune goes to several successors: one split after another is allowed.
        if earlier and not (
            kind == Succession.Kind.SPLIT
            and all(r.kind == Succession.Kind.SPLIT for r in earlier)
            and not any(successor is not None and r.successor_id == successor.pk for r in earlier)
        ):
            add(
                "predecessors",
                _("%(unit)s was already merged into %(successor)s on %(date)s."),
                unit=unit,
                successor=earlier[0].successor,
                date=_day(earlier[0].effective_on),
            )
            continue
        if effective_on is None:
            continue
        if unit.valid_from and effective_on <= unit.valid_from:
            add(
                "effective_on",
                _("The merger must take effect after %(date)s, the day %(unit)s came into being."),
                unit=unit,
                date=_day(unit.valid_from),
            )
        if unit.valid_until and unit.valid_until < effective_on - ONE_DAY:
            add(
                "predecessors",
                _("%(unit)s was no longer in operation after %(date)s, before the merger takes effect."),
                unit=unit,
                date=_day(unit.valid_until),
            )

    if successor is not None and successor.pk not in {p.pk for p in predecessors}:
        if successor.kind not in MERGEABLE_KINDS:
            add("successor", NOT_MERGEABLE, unit=successor)
        merged = Succession.objects.filter(predecessor=successor).select_related("successor").first()
        if merged is not None:
            add(
                "successor",
                _("%(unit)s was itself merged into %(other)s on %(date)s: choose %(other)s instead."),
                unit=successor,
                other=merged.successor,
                date=_day(merged.effective_on),
            )
        elif effective_on is not None:
            if successor.valid_until and successor.valid_until < effective_on:
                add(
                    "successor",
                    _("%(unit)s is no longer in operation on that date (only until %(date)s)."),
                    unit=successor,
                    date=_day(successor.valid_until),
                )
            if successor.valid_from and successor.valid_from > effective_on:
                add(
                    "successor",
                    _("%(unit)s only comes into being on %(date)s, after the merger takes effect."),
                    unit=successor,
                    date=_day(successor.valid_from),
                )
    if errors:
        raise ValidationError(errors)


def _merged_total(predecessors, successor, effective_on) -> int:
    """The units the successor takes over on that day: those chosen and those already linked."""
    if successor is None or effective_on is None:
        return len(predecessors)
    others = (
        Succession.objects.filter(successor=successor, effective_on=effective_on)
        .exclude(predecessor__in=predecessors)
        .count()
    )
    return len(predecessors) + others


@transaction.atomic
def units_merge(
    *,
    actor,
    predecessors: Iterable[Unit],
    successor: Unit,
    effective_on: datetime.date,
    kind: str = Succession.Kind.MERGE,
    carry: Iterable[str] = (),
    move_memberships: bool | Iterable = False,
    note: str = "",
) -> MergeResult:
    """Merge `predecessors` into `successor` on `effective_on`, in one transaction.

    `carry`: keys of the carry-overs registered in core.reorganisation to run (unknown keys are
    refused). `move_memberships`: True moves the people of every predecessor to the successor,
    False none, or an iterable of predecessors (units or pks) whose people move.
    """
    wanted = _distinct(predecessors)
    # Lock the units so that two supervisors cannot merge the same commune twice at once.
    ids = [u.pk for u in wanted] + [successor.pk]
    locked = {u.pk: u for u in Unit.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    predecessors = [locked[u.pk] for u in wanted]
    successor = locked[successor.pk]
    units_merge_check(
        actor=actor, predecessors=predecessors, successor=successor, effective_on=effective_on, kind=kind
    )
    keys = list(dict.fromkeys(carry))
    unknown = [key for key in keys if reorganisation.get(key) is None]
    if unknown:
        raise ValidationError(
            _("Unknown records to carry over: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
        )

    result = MergeResult(successor=successor, predecessors=predecessors, effective_on=effective_on, kind=kind)
    existing = {}
    for row in Succession.objects.filter(predecessor__in=predecessors, successor=successor):
        existing.setdefault(row.predecessor_id, []).append(row)
    for unit in predecessors:
        linked = _already_linked(existing.get(unit.pk, []), successor, effective_on)
        if linked is not None:
            # Lineage and dates as successors_link left them.
            result.already_linked.append(linked)
            continue
        result.successions.append(
            Succession.objects.create(
                predecessor=unit, successor=successor, effective_on=effective_on, kind=kind, note=note
            )
        )
        # Inactive from the merger on: no reminder, no new record (Unit.is_active).
        last_day = effective_on - ONE_DAY
        if unit.valid_until is None or unit.valid_until > last_day:
            unit.valid_until = last_day
            unit.save()
    if successor.valid_from is None:
        successor.valid_from = effective_on
        successor.save()

    predecessor_ids = [u.pk for u in predecessors]
    chosen = set(keys)
    for carry_over in reorganisation.carry_overs():  # in their registered order
        if carry_over.key in chosen:
            count = carry_over.carry(
                actor=actor, predecessor_ids=list(predecessor_ids), successor=successor, on=effective_on
            )
            result.carried.append((carry_over.label, count or 0))

    if move_memberships is True:
        moving_from = predecessor_ids
    elif not move_memberships:
        moving_from = []
    else:
        picked = {getattr(u, "pk", u) for u in move_memberships}
        moving_from = [pk for pk in predecessor_ids if pk in picked or str(pk) in picked]
    if moving_from:
        memberships = Membership.objects.filter(unit_id__in=moving_from).select_related("user", "unit")
        result.memberships = _move(actor=actor, memberships=memberships, target=successor)
    return result


@transaction.atomic
def memberships_move(*, actor, memberships: Iterable[Membership], target: Unit) -> MoveResult:
    """Move people to `target` (staff rotation): each keeps their role and job title there (a
    role they already had on `target` is kept as it was) and their membership of the old unit
    ends. Membership has no end date: ending it deletes it, and its history keeps the record."""
    require(actor, Action.MANAGE, target, MANAGE_DENIED)
    memberships = list(memberships)
    if not memberships:
        raise ValidationError({"memberships": _("Choose at least one person to move.")})
    today = clock.today()
    if target.valid_until and target.valid_until < today:
        raise ValidationError(
            {
                "target": _("%(unit)s is no longer in operation (since %(date)s).")
                % {"unit": target, "date": _day(target.valid_until + ONE_DAY)}
            }
        )
    if any(m.unit_id == target.pk for m in memberships):
        raise ValidationError({"target": _("Choose a unit other than the one the people leave.")})
    return _move(actor=actor, memberships=memberships, target=target)


def _move(*, actor, memberships, target) -> MoveResult:
    result = MoveResult()
    memberships = list(memberships)
    already = set(
        Membership.objects.filter(unit=target, user_id__in=[m.user_id for m in memberships]).values_list(
            "user_id", flat=True
        )
    )
    for membership in memberships:
        _require_settle(actor, membership.unit, target)
        if membership.user_id in already:
            result.kept += 1
        else:
            membership_grant(
                actor=actor, user=membership.user, unit=target, role=membership.role, title=membership.title
            )
            already.add(membership.user_id)
            result.moved += 1
        # The role on the old unit ends (its history keeps the record); the check above allowed it.
        membership.delete()
    return result
