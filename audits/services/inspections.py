"""Inspections of a unit's QMS by the province (Circular 26/2014/TT-BKHCN Art. 33–40).

Each finding becomes a nonconformity of the inspected unit; the corrective-action report is due
2 months after the minutes are signed.
"""

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audits.models import Inspection, InspectionFinding, Nonconformity
from core import clock
from core.scoping import Action, require

REPORT_MONTHS = 2


@transaction.atomic
def inspection_plan(*, actor, units, year, planned_on=None, decision_number="", decision_date=None, team=""):
    """Plan the inspection of several units for a year (one Inspection each)."""
    created = []
    for unit in units:
        require(actor, Action.MANAGE, unit)
        inspection = Inspection(
            unit=unit,
            year=year,
            planned_on=planned_on,
            decision_number=decision_number,
            decision_date=decision_date,
            team=team,
            created_by=actor,
        )
        inspection.full_clean()
        inspection.save()
        created.append(inspection)
    return created


@transaction.atomic
def inspection_sign_minutes(*, actor, inspection: Inspection, signed_on, findings=()) -> Inspection:
    """Record the signed minutes and their findings; each finding raises a nonconformity."""
    inspection = Inspection.objects.select_for_update().select_related("unit").get(pk=inspection.pk)
    require(actor, Action.MANAGE, inspection.unit)
    if inspection.minutes_signed_on:
        raise ValidationError(_("The minutes of this inspection are already recorded."))
    if signed_on > clock.today():
        raise ValidationError({"signed_on": _("The minutes cannot be signed in the future.")})
    inspection.minutes_signed_on = signed_on
    inspection.report_due_on = signed_on + relativedelta(months=REPORT_MONTHS)
    inspection.save()
    for clause, description in findings:
        if not description.strip():
            continue
        finding = InspectionFinding.objects.create(
            inspection=inspection, clause=clause, description=description.strip()
        )
        Nonconformity.objects.create(
            unit=inspection.unit,
            source=Nonconformity.Source.INSPECTION,
            title=description.strip()[:300],
            description=description.strip(),
            clause=clause,
            inspection_finding=finding,
            raised_on=signed_on,
            raised_by=actor,
        )
    return inspection


@transaction.atomic
def inspection_report_submitted(*, actor, inspection: Inspection, submitted_on) -> Inspection:
    """The unit sends its corrective-action report to the province."""
    require(actor, Action.CHANGE, inspection.unit)
    if not inspection.minutes_signed_on:
        raise ValidationError(_("The minutes have not been recorded yet."))
    if submitted_on < inspection.minutes_signed_on:
        raise ValidationError({"submitted_on": _("The report cannot be before the minutes.")})
    inspection.report_submitted_on = submitted_on
    inspection.save()
    return inspection
