"""The open corrective actions a merged unit takes over from its predecessors (the 2025
reorganisation; the registry is core.reorganisation, the workflow communes.services_merge).

A merged unit is a new agency (DESIGN.md §1): the work its predecessors left open becomes its
own. Each open nonconformity of a predecessor that still has open corrective actions (planned,
or done and awaiting verification: audits.selectors.open_actions) is copied into the successor
as a new nonconformity, with copies of those actions (ISO 9001:2015 §10.2: the action is carried
through to its verification). Each copy names its original (`carried_from`); the originals stay
unchanged in the predecessor's read-only archive, and an original is never carried twice.
"""

from django.db import transaction
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from audits.models import CorrectiveAction, Nonconformity
from audits.selectors import open_actions
from core import reorganisation
from core.scoping import Action, require

KEY = "corrective_actions"
CARRY_DENIED = gettext_lazy("You may not carry records over to %(unit)s.")


def _pending(predecessor_ids):
    """Open actions of the predecessors' open nonconformities that were never carried over."""
    return open_actions().filter(
        nonconformity__unit_id__in=list(predecessor_ids),
        nonconformity__status=Nonconformity.Status.OPEN,
        carried_to__isnull=True,
    )


def corrective_actions_preview(predecessor_ids) -> list[reorganisation.Pending]:
    """One row per open action that a merger would carry over. One query."""
    actions = (
        _pending(predecessor_ids)
        .select_related("nonconformity")
        .order_by("nonconformity__unit_id", "due_on", "pk")
    )
    template = _("%(action)s (nonconformity: %(nonconformity)s)")
    return [
        reorganisation.Pending(
            unit_id=action.nonconformity.unit_id,
            label=template
            % {
                "action": Truncator(" ".join(action.action.split())).chars(100),
                "nonconformity": Truncator(action.nonconformity.title).chars(80),
            },
            url=action.get_absolute_url(),
            due_on=action.due_on,
        )
        for action in actions
    ]


@transaction.atomic
def corrective_actions_carry(*, actor, predecessor_ids, successor, on=None) -> int:
    """Copy the predecessors' open actions (and their open nonconformities) into `successor`;
    returns how many actions were carried. The actor needs MANAGE on the successor. A constant
    number of queries, whatever the number of records; running it again carries nothing new.

    `on` (the day the merger takes effect) changes nothing: the copies keep the dates of the
    originals (raised on, due on, done on)."""
    require(actor, Action.MANAGE, successor, CARRY_DENIED)
    ids = [pk for pk in predecessor_ids if pk != successor.pk]
    # Lock the nonconformities first and read afterwards (a new statement sees what a carry
    # that held the lock committed): two carries at once cannot both copy the same action.
    list(
        Nonconformity.objects.select_for_update()
        .filter(unit_id__in=ids, status=Nonconformity.Status.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    actions = list(
        _pending(ids)
        .select_related("nonconformity")
        .order_by("nonconformity__raised_on", "nonconformity_id", "created_at", "pk")
    )
    if not actions:
        return 0
    originals: dict[int, Nonconformity] = {}
    for action in actions:
        originals.setdefault(action.nonconformity_id, action.nonconformity)

    # A nonconformity carried before (an action was added to it since) takes the new actions on
    # its copy in the successor; one carried to another unit (a split) is left alone.
    targets: dict[int, Nonconformity] = {}
    elsewhere: set[int] = set()
    for copy in Nonconformity.objects.filter(carried_from_id__in=list(originals)).order_by("pk"):
        if copy.unit_id == successor.pk:
            targets.setdefault(copy.carried_from_id, copy)
        else:
            elsewhere.add(copy.carried_from_id)
    new_ncs = [
        Nonconformity(
            unit=successor,
            source=original.source,
            title=original.title,
            description=original.description,
            clause_id=original.clause_id,
            raised_on=original.raised_on,
            raised_by_id=original.raised_by_id,
            status=Nonconformity.Status.OPEN,
            carried_from=original,
        )
        for pk, original in originals.items()
        if pk not in targets and pk not in elsewhere
    ]
    if new_ncs:
        for copy in bulk_create_with_history(new_ncs, Nonconformity, batch_size=1000, default_user=actor):
            targets[copy.carried_from_id] = copy

    new_actions = [
        CorrectiveAction(
            nonconformity=targets[action.nonconformity_id],
            correction=action.correction,
            root_cause=action.root_cause,
            five_whys=list(action.five_whys or []),
            action=action.action,
            owner_id=action.owner_id,
            due_on=action.due_on,
            state=action.state,
            done_on=action.done_on,
            carried_from=action,
        )
        for action in actions
        if action.nonconformity_id in targets
    ]
    if new_actions:
        bulk_create_with_history(new_actions, CorrectiveAction, batch_size=1000, default_user=actor)
    return len(new_actions)


# Registered by AuditsConfig.ready() (core.reorganisation).
CARRY_OVER = reorganisation.CarryOver(
    key=KEY,
    label=gettext_lazy("Open corrective actions"),
    preview=corrective_actions_preview,
    carry=corrective_actions_carry,
    order=50,
)
