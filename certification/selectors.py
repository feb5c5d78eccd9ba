"""Read-side helpers for the dashboards: the announcement status of units in constant queries."""

from collections import defaultdict
from dataclasses import dataclass, field

from certification.models import Decision, QmsProfile
from certification.services import compute_status, procedure_codes


def is_announced(profile: QmsProfile) -> bool:
    """True when the unit has a current announcement or re-announcement for the profile's
    current version, scope and TTHC codes (computed from the decisions, not the stored status)."""
    current = list(
        Decision.objects.filter(
            unit_id=profile.unit_id, superseded_by__isnull=True, kind__in=Decision.ANNOUNCING
        )
    )
    if not current:
        return False
    codes = procedure_codes(profile.procedures.all())
    return compute_status(profile, current, codes) == QmsProfile.Status.ANNOUNCED


@dataclass
class UnitQmsStatus:
    """What a dashboard shows of one unit's QMS; `profile` is None when none is set up."""

    profile: QmsProfile | None = None
    announcement: Decision | None = None
    recognition: Decision | None = None
    decisions: list = field(default_factory=list)

    @property
    def status(self) -> str | None:
        return self.profile.status if self.profile else None

    def get_status_display(self) -> str:
        return self.profile.get_status_display() if self.profile else ""


def status_for_units(units) -> dict[int, UnitQmsStatus]:
    """The QMS status of each unit by unit id: its profile (with the stored status), its current
    announcement or re-announcement and its current recognition. Two queries, whatever the number
    of units."""
    unit_ids = [getattr(u, "pk", u) for u in units]
    result = {pk: UnitQmsStatus() for pk in unit_ids}
    for profile in QmsProfile.objects.filter(unit_id__in=unit_ids).select_related("standard_version"):
        result[profile.unit_id].profile = profile
    current = defaultdict(list)
    decisions = (
        Decision.objects.filter(unit_id__in=unit_ids, superseded_by__isnull=True)
        .select_related("standard_version")
        .order_by("unit_id", "-signed_on", "-pk")
    )
    for decision in decisions:
        current[decision.unit_id].append(decision)
    for pk, items in current.items():
        entry = result[pk]
        entry.decisions = items
        entry.announcement = next((d for d in items if d.kind in Decision.ANNOUNCING), None)
        entry.recognition = next((d for d in items if d.kind == Decision.Kind.RECOGNITION), None)
    return result
