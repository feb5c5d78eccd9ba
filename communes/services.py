"""Writes on units, lineage and memberships. Every function takes the acting user."""

import time
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from communes import datasets
from communes.models import Membership, Unit
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


@transaction.atomic
def membership_revoke(*, actor, membership: Membership) -> None:
    require(actor, Action.MANAGE, membership.unit, MANAGE_DENIED)
    membership.delete()
