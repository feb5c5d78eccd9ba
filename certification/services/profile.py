"""The QMS profile of a unit and its decisions (Decision 19/2014/QĐ-TTg, Circular 26/2014/TT-BKHCN).

Rules:
- A unit counts as announced only with a current (not superseded) announcement or
  re-announcement whose standard version, scope statement and TTHC codes match its profile.
- Changing the scope, the TTHC in scope or the version of an announced profile turns it to
  "needs re-announcement"; a re-announcement (with its reason) that matches makes it announced again.
- A revocation supersedes the current decisions: the profile lapses.
- A recognition (by the supervisor) does not change the status; it is shown beside it.
- A unit formed by a merger or a split (the 2025 reorganisation: `Succession` of kind merge or
  split, the unit being the successor) is a new agency that announces its QMS again: until an
  announcement or re-announcement signed on or after the day the merger took effect, it "needs
  announcement", whatever was announced before (by it or by its predecessors).

Announcements and re-announcements are recorded by the unit's officer (CHANGE); recognitions and
revocations by the supervisor (MANAGE).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.models import Decision, QmsProfile
from communes.models import Succession
from core import clock
from core.files import check_upload
from core.scoping import Action, require

Kind = Decision.Kind
Status = QmsProfile.Status

# The successions that make a new agency, which announces its QMS again (a rename does not).
MERGER_KINDS = (Succession.Kind.MERGE, Succession.Kind.SPLIT)

# Who records which kind of decision.
CHANGE_DENIED = gettext_lazy("You may not change the QMS records of %(unit)s.")

KIND_ACTION = {
    Kind.ANNOUNCEMENT: Action.CHANGE,
    Kind.REANNOUNCEMENT: Action.CHANGE,
    Kind.RECOGNITION: Action.MANAGE,
    Kind.REVOCATION: Action.MANAGE,
}
_UNSET = object()


def _today() -> datetime.date:
    return clock.today()


def _not_in_future(errors, field, day, message):
    if day is not None and day > _today():
        errors[field] = message


def procedure_codes(procedures) -> list[str]:
    """The sorted TTHC codes of procedures (kept as text, never parsed)."""
    return sorted({p.code for p in procedures})


def _lock_profile(profile) -> QmsProfile:
    return (
        QmsProfile.objects.select_for_update().select_related("unit", "standard_version").get(pk=profile.pk)
    )


@transaction.atomic
def profile_create(
    *, actor, unit, standard_version, scope_statement="", procedures=(), **details
) -> QmsProfile:
    """Set up the QMS profile of a unit (one per unit); status "building" until confirmed effective."""
    require(actor, Action.CHANGE, unit, CHANGE_DENIED)
    if QmsProfile.objects.filter(unit=unit).exists():
        raise ValidationError(_("This unit already has a QMS profile."))
    profile = QmsProfile(
        unit=unit, standard_version=standard_version, scope_statement=scope_statement.strip()
    )
    _apply_details(profile, details)
    profile.full_clean()
    profile.save()
    profile.procedures.set(procedures)
    return refresh_status(profile)


_DETAILS = (
    "steering_decision_number",
    "steering_decision_date",
    "steering_members",
    "effective_confirmed_on",
)


def _apply_details(profile, details):
    unknown = set(details) - set(_DETAILS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    errors = {}
    for name, value in details.items():
        setattr(profile, name, value.strip() if isinstance(value, str) else value)
    _not_in_future(
        errors,
        "steering_decision_date",
        profile.steering_decision_date,
        _("The steering committee decision cannot be dated in the future."),
    )
    _not_in_future(
        errors,
        "effective_confirmed_on",
        profile.effective_confirmed_on,
        _("The system cannot be confirmed effective in the future."),
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def profile_update(
    *,
    actor,
    profile,
    standard_version=_UNSET,
    scope_statement=_UNSET,
    procedures=_UNSET,
    **details,
) -> QmsProfile:
    """Change a unit's profile. A change of the version, the scope or the TTHC in scope of an
    announced profile turns it to "needs re-announcement"."""
    profile = _lock_profile(profile)
    require(actor, Action.CHANGE, profile.unit, CHANGE_DENIED)
    if standard_version is not _UNSET:
        profile.standard_version = standard_version
    if scope_statement is not _UNSET:
        profile.scope_statement = scope_statement.strip()
    _apply_details(profile, details)
    profile.full_clean()
    profile.save()
    if procedures is not _UNSET:
        profile.procedures.set(procedures)
    return refresh_status(profile)


def _matches(decision, profile, codes) -> bool:
    return (
        decision.standard_version_id == profile.standard_version_id
        and decision.scope_snapshot.strip() == profile.scope_statement.strip()
        and sorted(decision.procedures_snapshot) == codes
    )


def merger_dates(unit_ids) -> dict[int, datetime.date]:
    """{unit id: the day it was formed by a merger or a split} (the latest such day when it was
    formed more than once); units that were not are left out. One query."""
    return dict(
        Succession.objects.filter(successor_id__in=list(unit_ids), kind__in=MERGER_KINDS)
        .order_by()
        .values("successor_id")
        .annotate(day=Max("effective_on"))
        .values_list("successor_id", "day")
    )


def merger_status(decisions, merged_on) -> str | None:
    """The status of a unit formed by a merger or a split on `merged_on`, from its `decisions` in
    force: a merged unit is a new agency, so only a decision signed since the merger covers its
    QMS. Lapsed when revoked since, needs announcement when nothing was announced since; None
    when an announcement signed since decides (or the unit was not formed by a merger)."""
    if merged_on is None or any(
        d.kind in Decision.ANNOUNCING and d.signed_on >= merged_on for d in decisions
    ):
        return None
    if any(d.kind == Kind.REVOCATION and d.signed_on >= merged_on for d in decisions):
        return Status.LAPSED
    return Status.NEEDS_ANNOUNCEMENT


def compute_status(profile, current_decisions, codes, merged_on=None) -> str:
    """The status the decisions give a profile. `current_decisions`: its unit's decisions that
    are not superseded; `codes`: the sorted TTHC codes of the profile; `merged_on`: the day the
    unit was formed by a merger or a split (merger_dates), None when it was not."""
    announcing = [d for d in current_decisions if d.kind in Decision.ANNOUNCING]
    if merged_on is not None:
        status = merger_status(current_decisions, merged_on)
        if status is not None:
            return status
        announcing = [d for d in announcing if d.signed_on >= merged_on]
    if any(_matches(d, profile, codes) for d in announcing):
        return Status.ANNOUNCED
    if announcing:
        return Status.NEEDS_REANNOUNCEMENT
    if any(d.kind == Kind.REVOCATION for d in current_decisions):
        return Status.LAPSED
    return Status.APPLYING if profile.effective_confirmed_on else Status.BUILDING


def refresh_status(profile: QmsProfile) -> QmsProfile:
    """Recompute and store the status of a profile from its unit's current decisions."""
    current = list(Decision.objects.filter(unit_id=profile.unit_id, superseded_by__isnull=True))
    merged_on = merger_dates([profile.unit_id]).get(profile.unit_id)
    status = compute_status(profile, current, procedure_codes(profile.procedures.all()), merged_on)
    if status != profile.status:
        profile.status = status
        profile.save(update_fields=["status", "updated_at"])
    return profile


# Which current decisions a new decision of each kind supersedes.
_SUPERSEDES = {
    Kind.ANNOUNCEMENT: (Kind.ANNOUNCEMENT, Kind.REANNOUNCEMENT, Kind.RECOGNITION, Kind.REVOCATION),
    Kind.REANNOUNCEMENT: (Kind.ANNOUNCEMENT, Kind.REANNOUNCEMENT, Kind.RECOGNITION, Kind.REVOCATION),
    Kind.RECOGNITION: (Kind.RECOGNITION,),
    Kind.REVOCATION: (Kind.ANNOUNCEMENT, Kind.REANNOUNCEMENT, Kind.RECOGNITION),
}


@transaction.atomic
def decision_record(
    *,
    actor,
    unit,
    kind,
    number,
    signed_on: datetime.date,
    signer,
    reason="",
    standard_version=None,
    scope_snapshot=None,
    procedure_codes_snapshot=None,
    file=None,
) -> Decision:
    """Record a decision on the QMS of `unit`. The version, scope and TTHC codes default to the
    profile's at the time; pass them to record an older decision as it was signed."""
    if kind not in KIND_ACTION:
        raise ValidationError({"kind": _("Choose a kind of decision.")})
    require(actor, KIND_ACTION[kind], unit, CHANGE_DENIED)
    profile = QmsProfile.objects.select_for_update().filter(unit=unit).first()
    if profile is None:
        raise ValidationError(_("Set up the QMS profile of this unit first."))
    errors = {}
    reason = (reason or "").strip()
    if kind == Kind.REANNOUNCEMENT and not reason:
        errors["reason"] = _("Give the reason of the re-announcement.")
    elif kind != Kind.REANNOUNCEMENT and reason:
        errors["reason"] = _("Only a re-announcement has a reason.")
    if signed_on is None:
        errors["signed_on"] = _("Give the date of signature.")
    else:
        _not_in_future(errors, "signed_on", signed_on, _("A decision cannot be signed in the future."))
    if errors:
        raise ValidationError(errors)

    superseded_kinds = _SUPERSEDES[kind]
    current = list(Decision.objects.filter(unit=unit, superseded_by__isnull=True, kind__in=superseded_kinds))
    if any(d.signed_on > signed_on for d in current if d.kind != Kind.RECOGNITION):
        raise ValidationError(
            {"signed_on": _("A decision cannot be signed before the decision it replaces.")}
        )
    if procedure_codes_snapshot is None:
        procedure_codes_snapshot = procedure_codes(profile.procedures.all())
    decision = Decision(
        unit=unit,
        kind=kind,
        reason=reason,
        number=(number or "").strip(),
        signed_on=signed_on,
        signer=(signer or "").strip(),
        standard_version=standard_version or profile.standard_version,
        scope_snapshot=(profile.scope_statement if scope_snapshot is None else scope_snapshot).strip(),
        procedures_snapshot=sorted({str(c).strip() for c in procedure_codes_snapshot if str(c).strip()}),
    )
    if file is not None:
        checked = check_upload(file)
        decision.file_name = file.name[:255]
        decision.file_type = checked.file_type
        decision.file_sha256 = checked.sha256
    decision.full_clean()
    if file is not None:
        file.seek(0)
        decision.file.save("upload", file, save=False)
    decision.save()
    for old in current:
        old.superseded_by = decision
        old.save(update_fields=["superseded_by", "updated_at"])
    refresh_status(profile)
    return decision


@transaction.atomic
def decision_attach_file(*, actor, decision, file) -> Decision:
    """Attach the signed file to a decision recorded without one. A decision's file is a record:
    it is never replaced."""
    decision = Decision.objects.select_for_update().select_related("unit").get(pk=decision.pk)
    require(actor, KIND_ACTION[decision.kind], decision.unit, CHANGE_DENIED)
    if decision.file:
        raise ValidationError(_("This decision already has its file; a record is never replaced."))
    checked = check_upload(file)
    decision.file_name = file.name[:255]
    decision.file_type = checked.file_type
    decision.file_sha256 = checked.sha256
    file.seek(0)
    decision.file.save("upload", file, save=False)
    decision.save()
    return decision
