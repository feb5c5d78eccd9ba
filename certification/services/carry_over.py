"""The QMS profile of a merged unit (the 2025 reorganisation; the registry is
core.reorganisation, the workflow communes.services_merge).

A merged unit is a new agency that sets up, audits and announces its QMS again (DESIGN.md §1):
its profile starts from its predecessors' (the TTHC they had in scope, the first one's scope
statement as a draft) on the newest standard version, and its status is "needs announcement"
until an announcement signed since the merger covers it (certification.services.profile).
The predecessors' profiles and decisions stay unchanged in their archive.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.models import QmsProfile
from certification.selectors import latest_version
from certification.services.profile import MERGER_KINDS, profile_create, refresh_status
from communes.models import Succession
from core import reorganisation
from core.scoping import Action, require

KEY = "qms_profile"
CARRY_DENIED = gettext_lazy("You may not carry records over to %(unit)s.")


def qms_profile_preview(predecessor_ids) -> list[reorganisation.Pending]:
    """What the new unit's profile starts from: one row per predecessor's profile, or one row
    saying a profile will be set up when no predecessor has one. Nothing when the successor
    (known once the merger is recorded) already has a profile. Two queries."""
    ids = list(predecessor_ids)
    if not ids:
        return []
    successors = dict(
        Succession.objects.filter(predecessor_id__in=ids, kind__in=MERGER_KINDS)
        .annotate(has_profile=Exists(QmsProfile.objects.filter(unit_id=OuterRef("successor_id"))))
        .order_by()
        .values_list("successor_id", "has_profile")
    )
    if successors and all(successors.values()):
        return []
    profiles = list(
        QmsProfile.objects.filter(unit_id__in=ids)
        .select_related("standard_version")
        .annotate(tthc=Count("procedures"))
        .order_by("unit__path")
    )
    if not profiles:
        return [
            reorganisation.Pending(
                unit_id=ids[0],
                label=_("A new QMS profile, to be announced (no merged unit has one)"),
                url="",
            )
        ]
    template = _(
        "QMS profile on %(version)s with %(count)s TTHC in scope: its TTHC go into the new "
        "unit's profile, to be announced again"
    )
    return [
        reorganisation.Pending(
            unit_id=profile.unit_id,
            label=template % {"version": profile.standard_version, "count": profile.tthc},
            url=profile.get_absolute_url(),
        )
        for profile in profiles
    ]


@transaction.atomic
def qms_profile_carry(*, actor, predecessor_ids, successor, on=None) -> int:
    """Set up the successor's QMS profile when it has none (returns 1), else only bring its status
    up to date with the merger (returns 0). The actor needs MANAGE on the successor.

    The new profile is on the newest standard version, with the TTHC of every predecessor's
    profile and the scope statement of the first predecessor (in the order given) that has one,
    as a draft to rewrite; its status is "needs announcement" once the merger is recorded."""
    require(actor, Action.MANAGE, successor, CARRY_DENIED)
    existing = QmsProfile.objects.select_for_update().filter(unit=successor).first()
    if existing is not None:
        refresh_status(existing)
        return 0
    ids = [pk for pk in predecessor_ids if pk != successor.pk]
    version = latest_version()
    if version is None:
        raise ValidationError(_("No standard version is defined: add one in the admin panel first."))
    profiles = {p.unit_id: p for p in QmsProfile.objects.filter(unit_id__in=ids)}
    scope = next(
        (profiles[pk].scope_statement for pk in ids if pk in profiles and profiles[pk].scope_statement), ""
    )
    procedure_ids = sorted(
        set(
            QmsProfile.procedures.through.objects.filter(qmsprofile__unit_id__in=ids).values_list(
                "procedure_id", flat=True
            )
        )
    )
    profile_create(
        actor=actor,
        unit=successor,
        standard_version=version,
        scope_statement=scope,
        procedures=procedure_ids,
    )
    return 1


# Registered by CertificationConfig.ready() (core.reorganisation).
CARRY_OVER = reorganisation.CarryOver(
    key=KEY,
    label=gettext_lazy("QMS profile of the new unit"),
    preview=qms_profile_preview,
    carry=qms_profile_carry,
    order=10,
)
