"""Management reviews (ISO 9001:2015 §9.3), prefilled with figures the system already holds."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audits import selectors
from audits.models import ManagementReview, Nonconformity, ReviewOutput
from audits.services.actions import nonconformity_raise
from core.scoping import Action, require


def prefilled_inputs(unit, today=None) -> dict:
    """Texts for the §9.3.2 inputs from the unit's records (a starting point people edit)."""
    figures = selectors.review_figures(unit, today=today)
    return {
        "input_previous_actions": _("%(done)s of %(total)s corrective actions verified effective so far.")
        % figures["actions"],
        "input_nonconformities": _("%(open)s open nonconformities, %(overdue)s corrective actions overdue.")
        % figures["nonconformities"],
        "input_audit_results": figures["last_audit"],
        "input_satisfaction": figures["satisfaction"],
    }


@transaction.atomic
def review_record(*, actor, unit, held_on, chair, attendees, conclusion="", **inputs) -> ManagementReview:
    require(actor, Action.CHANGE, unit, _("You may not record reviews of %(unit)s."))
    known = {name for name, _label in ManagementReview.INPUTS}
    unknown = set(inputs) - known
    if unknown:
        raise ValueError(f"unknown inputs: {sorted(unknown)}")
    review = ManagementReview(
        unit=unit,
        held_on=held_on,
        chair=chair.strip(),
        attendees=attendees.strip(),
        conclusion=conclusion.strip(),
        recorded_by=actor,
        **inputs,
    )
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def review_add_output(*, actor, review: ManagementReview, kind, decision, raise_action=False) -> ReviewOutput:
    """An output of the review (§9.3.3); `raise_action` opens a nonconformity to act on it."""
    require(actor, Action.CHANGE, review.unit, _("You may not change reviews of %(unit)s."))
    if not decision.strip():
        raise ValidationError({"decision": _("Write the decision.")})
    output = ReviewOutput.objects.create(review=review, kind=kind, decision=decision.strip())
    if raise_action:
        output.nonconformity = nonconformity_raise(
            actor=actor,
            unit=review.unit,
            source=Nonconformity.Source.MANAGEMENT_REVIEW,
            title=decision.strip()[:300],
            description=decision.strip(),
            raised_on=review.held_on,
        )
        output.save()
    return output
