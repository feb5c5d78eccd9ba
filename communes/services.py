"""Writes on units, lineage and memberships. Every function takes the acting user."""

import datetime
import time
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from communes import datasets, lineage
from communes.models import Membership, Succession, Unit
from core.scoping import Action, require

MANAGE_DENIED = gettext_lazy("You may not change this unit.")
_IMPORTED_FIELDS = ("name", "short_name", "kind", "parent_id")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    by_kind: dict = field(default_factory=dict)

    @property
    def total(self):
        return self.created + self.updated + self.unchanged


@transaction.atomic
def units_import(*, actor=None, dataset, province=None, district=None) -> ImportResult:
    """Create or update units from a national list; a second run changes nothing.

    Units are matched by (code list, national code). Fields kept by people (wave, joined date,
    validity) are never touched. Creates a level at a time so that parents exist first, in
    bulk, with one history row per created or changed unit.
    """
    started = time.monotonic()
    records = datasets.records(dataset, province, district)
    result = ImportResult()
    existing = {u.code: u for u in Unit.objects.filter(code_system=dataset)}
    for level in (0, 1, 2):
        to_create, to_update = [], []
        for rec in (r for r in records if r.level == level):
            parent = existing[rec.parent_code] if rec.parent_code else None
            wanted = {
                "name": rec.name,
                "short_name": rec.short_name,
                "kind": rec.kind,
                "parent_id": parent.pk if parent else None,
            }
            unit = existing.get(rec.code)
            result.by_kind[rec.kind] = result.by_kind.get(rec.kind, 0) + 1
            if unit is None:
                unit = Unit(code=rec.code, code_system=dataset, **wanted)
                unit.refresh_search_text()
                to_create.append(unit)
            elif any(getattr(unit, f) != v for f, v in wanted.items()):
                for f, v in wanted.items():
                    setattr(unit, f, v)
                unit.refresh_search_text()
                to_update.append(unit)
            else:
                result.unchanged += 1
        if to_create:
            created = bulk_create_with_history(to_create, Unit, batch_size=1000, default_user=actor)
            for unit in created:
                existing[unit.code] = unit
            result.created += len(created)
        if to_update:
            bulk_update_with_history(
                to_update,
                Unit,
                [*_IMPORTED_FIELDS, "search_text"],
                batch_size=1000,
                default_user=actor,
            )
            result.updated += len(to_update)
        _fix_paths(existing, to_create + to_update)
    result.seconds = time.monotonic() - started
    return result


def _fix_paths(by_code, units):
    """Set path and depth of newly created or moved units (their parents are already right)."""
    by_pk = {u.pk: u for u in by_code.values()}
    changed = []
    for unit in units:
        parent = by_pk.get(unit.parent_id) if unit.parent_id else None
        path = f"{parent.path if parent else ''}{unit.pk}/"
        if unit.path != path:
            if unit.path:  # a moved unit drags its subtree along
                unit.save()
                continue
            unit.path, unit.depth = path, path.count("/") - 1
            changed.append(unit)
    Unit.objects.bulk_update(changed, ["path", "depth"], batch_size=1000)


@transaction.atomic
def unit_save(*, actor, unit: Unit) -> Unit:
    """Create or update a unit placed under a parent the actor manages."""
    before = Unit.objects.filter(pk=unit.pk).first() if unit.pk else None
    if before is not None:
        require(actor, Action.MANAGE, before, MANAGE_DENIED)
    if unit.parent_id is None and not actor.is_superuser and (before is None or before.parent_id):
        raise ValidationError({"parent": _("Only an administrator can add a top-level unit.")})
    if unit.parent_id and (before is None or before.parent_id != unit.parent_id):
        require(actor, Action.MANAGE, unit.parent, MANAGE_DENIED)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def membership_grant(*, actor, user, unit: Unit, role: str, title: str = "") -> Membership:
    """Give `user` the `role` on `unit` (replacing any other role they had there)."""
    require(actor, Action.MANAGE, unit, MANAGE_DENIED)
    membership, _created = Membership.objects.update_or_create(
        user=user, unit=unit, defaults={"role": role, "title": title}
    )
    return membership


# --- the 2025 reorganisation: links from the old units to their successors -------------------
REORGANISATION_DAY = datetime.date(2025, 7, 1)  # two-tier local government: 34 provinces, no districts


@dataclass
class AmbiguousSuccession:
    """An old ward split between several new ones: a person settles it with the merge workflow."""

    predecessor: Unit
    candidates: list  # the new units (Unit) that each took a part
    default: Unit | None  # the one the conversion data names as the default


@dataclass
class LinkResult:
    linked: list = field(default_factory=list)  # Succession rows created by this run
    already: list = field(default_factory=list)  # Succession rows that were there before
    ambiguous: list = field(default_factory=list)  # AmbiguousSuccession, not linked
    abolished: list = field(default_factory=list)  # old districts (Unit) closed with no successor
    skipped_not_imported: int = 0  # old units of the data that are not in our database
    successors_imported: int = 0  # 2025 units created by importing the new province(s)
    seconds: float = 0.0


@transaction.atomic
def successors_link(*, actor=None, province, effective_on=REORGANISATION_DAY) -> LinkResult:
    """Link each old unit of `province` (old or new name) present in the database to its successor.

    Reads the lineage offline (`communes.lineage`), imports the 2025 list of the new province(s)
    when some successor is missing, creates one `Succession` per (old, new) pair that does not
    exist yet, closes the linked old units and the abolished old districts the day before
    `effective_on` and opens the successors on `effective_on` when they have no start date.
    Old wards split between several new ones are reported, not linked. A second run changes
    nothing. A constant number of queries whatever the number of units.

    With an `actor`, the new province must already exist and the actor must manage it: since
    1 July 2025 the reorganisation of its former units is the new province's business.
    """
    started = time.monotonic()
    plan = lineage.province_lineage(province)
    result = LinkResult()
    if actor is not None:
        _require_reorganisation(actor, plan)
    new_codes = set(plan.new_province_codes) | {code for link in plan.links for code in link.new_codes}
    current = Unit.objects.filter(code_system=datasets.CURRENT)
    if new_codes - set(current.filter(code__in=new_codes).values_list("code", flat=True)):
        for name in plan.new_province_names:
            imported = units_import(actor=actor, dataset=datasets.CURRENT, province=name)
            result.successors_imported += imported.created
    new_units = {u.code: u for u in current.filter(code__in=new_codes)}
    old_codes = {link.old_code for link in plan.links} | set(plan.abolished_district_codes)
    old_units = {u.code: u for u in Unit.objects.filter(code_system=datasets.LEGACY, code__in=old_codes)}
    existing = {
        (s.predecessor_id, s.successor_id): s
        for s in Succession.objects.filter(predecessor__in=[u.pk for u in old_units.values()])
    }

    to_create, closing, opening = [], {}, {}
    for link in plan.links:
        old = old_units.get(link.old_code)
        if old is None:
            result.skipped_not_imported += 1
            continue
        if link.kind == lineage.AMBIGUOUS:
            candidates = [new_units[code] for code in link.new_codes if code in new_units]
            result.ambiguous.append(AmbiguousSuccession(old, candidates, new_units.get(link.default_code)))
            continue
        for code in link.new_codes:
            new = new_units.get(code)
            if new is None:
                continue
            succession = existing.get((old.pk, new.pk))
            if succession is None:
                succession = Succession(
                    predecessor=old, successor=new, effective_on=effective_on, kind=link.kind
                )
                to_create.append(succession)
            else:
                succession.predecessor, succession.successor = old, new  # no query when printed
                result.already.append(succession)
            closing[old.pk], opening[new.pk] = old, new
    for code in plan.abolished_district_codes:
        district = old_units.get(code)
        if district is not None and district.kind == Unit.Kind.DISTRICT:
            result.abolished.append(district)
            closing[district.pk] = district

    if to_create:
        result.linked = bulk_create_with_history(to_create, Succession, batch_size=1000, default_user=actor)
    _set_validity(actor, closing.values(), opening.values(), effective_on)
    result.seconds = time.monotonic() - started
    return result


def _require_reorganisation(actor, plan) -> None:
    provinces = list(
        Unit.objects.filter(
            code_system=datasets.CURRENT, code__in=plan.new_province_codes, kind=Unit.Kind.PROVINCE
        )
    )
    if len(provinces) < len(plan.new_province_codes) and not actor.is_superuser:
        raise PermissionDenied(_("Only an administrator can import a province of the 2025 list."))
    for unit in provinces:
        require(actor, Action.MANAGE, unit, MANAGE_DENIED)


def _set_validity(actor, closing, opening, effective_on) -> None:
    """Close the predecessors the day before `effective_on`; open the successors that day.

    An earlier end date (a commune merged long before) and a start date people set are kept.
    """
    last_day = effective_on - datetime.timedelta(days=1)
    changed = []
    for unit in closing:
        still_open = unit.valid_until is None or unit.valid_until > last_day
        if still_open and (unit.valid_from is None or unit.valid_from <= last_day):
            unit.valid_until = last_day
            changed.append(unit)
    for unit in opening:
        if unit.valid_from is None and (unit.valid_until is None or unit.valid_until >= effective_on):
            unit.valid_from = effective_on
            changed.append(unit)
    if changed:
        bulk_update_with_history(
            changed, Unit, ["valid_from", "valid_until"], batch_size=1000, default_user=actor
        )
