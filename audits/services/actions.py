"""Nonconformities and corrective actions (ISO 9001:2015 §10.2).

A nonconformity closes only when all its actions are done and verified effective by someone
other than their owner; a "not effective" verdict reopens it with a new action to plan.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.models import CorrectiveAction, Nonconformity
from core import clock
from core.scoping import Action, get_scope, require

State = CorrectiveAction.State
CHANGE_DENIED = gettext_lazy("You may not change the records of %(unit)s.")


def _today():
    return clock.today()


def _lock_nc(nc):
    return Nonconformity.objects.select_for_update().select_related("unit").get(pk=nc.pk)


def _lock_action(action):
    return (
        CorrectiveAction.objects.select_for_update().select_related("nonconformity__unit").get(pk=action.pk)
    )


@transaction.atomic
def nonconformity_raise(
    *, actor, unit, source, title, description, clause=None, raised_on=None
) -> Nonconformity:
    require(actor, Action.CHANGE, unit, CHANGE_DENIED)
    nc = Nonconformity(
        unit=unit,
        source=source,
        title=title.strip(),
        description=description.strip(),
        clause=clause,
        raised_on=raised_on or _today(),
        raised_by=actor,
    )
    nc.full_clean()
    nc.save()
    return nc


@transaction.atomic
def action_add(
    *, actor, nonconformity, root_cause, action, owner, due_on: datetime.date, correction="", five_whys=()
) -> CorrectiveAction:
    nc = _lock_nc(nonconformity)
    require(actor, Action.CHANGE, nc.unit, CHANGE_DENIED)
    if nc.status == Nonconformity.Status.CLOSED:
        raise ValidationError(_("This nonconformity is closed."))
    errors = {}
    if not root_cause.strip():
        errors["root_cause"] = _("State the root cause.")
    if not action.strip():
        errors["action"] = _("Describe the action that removes the cause.")
    if due_on < nc.raised_on:
        errors["due_on"] = _("The due date cannot be before the nonconformity was raised.")
    if errors:
        raise ValidationError(errors)
    return CorrectiveAction.objects.create(
        nonconformity=nc,
        correction=correction.strip(),
        root_cause=root_cause.strip(),
        five_whys=[w.strip() for w in five_whys if w and w.strip()],
        action=action.strip(),
        owner=owner,
        due_on=due_on,
    )


@transaction.atomic
def action_done(*, actor, action: CorrectiveAction, done_on=None) -> CorrectiveAction:
    action = _lock_action(action)
    require(actor, Action.CHANGE, action.nonconformity.unit, CHANGE_DENIED)
    if action.state != State.PLANNED:
        raise ValidationError(_("Only a planned action can be marked done."))
    done_on = done_on or _today()
    if done_on > _today():
        raise ValidationError({"done_on": _("An action cannot be done in the future.")})
    action.state, action.done_on = State.DONE, done_on
    action.save()
    return action


@transaction.atomic
def action_verify(*, actor, action: CorrectiveAction, effective: bool, evidence: str) -> CorrectiveAction:
    """Judge a done action; never by its owner. Effective actions may close the nonconformity;
    a "not effective" verdict keeps it open (reopens it) and needs a new action."""
    action = _lock_action(action)
    nc = _lock_nc(action.nonconformity)
    scope = get_scope(actor)
    if not (scope.covers(Action.CHANGE, nc.unit.path) or scope.covers(Action.AUDIT, nc.unit.path)):
        raise PermissionDenied(_("You may not verify actions of %(unit)s.") % {"unit": nc.unit})
    if action.owner_id == actor.pk:
        raise ValidationError(_("The owner of an action cannot verify it: ask another person."))
    if action.state != State.DONE:
        raise ValidationError(_("Only a done action can be verified."))
    if not evidence.strip():
        raise ValidationError({"evidence": _("Give the evidence of the verdict.")})
    action.state = State.EFFECTIVE if effective else State.NOT_EFFECTIVE
    action.verified_by, action.verified_on, action.verification_evidence = actor, _today(), evidence.strip()
    action.save()
    refresh_status(nc)
    return action


def refresh_status(nc: Nonconformity) -> Nonconformity:
    """Closed when it has actions and every one is verified effective, except superseded
    not-effective ones that a later action replaced; open otherwise."""
    actions = list(nc.actions.order_by("created_at", "pk"))
    pending = [a for a in actions if a.state in (State.PLANNED, State.DONE)]
    last = actions[-1] if actions else None
    closed = bool(actions) and not pending and last.state == State.EFFECTIVE
    status = Nonconformity.Status.CLOSED if closed else Nonconformity.Status.OPEN
    if status != nc.status:
        nc.status = status
        nc.closed_on = _today() if closed else None
        nc.save()
    return nc
