"""The open update tasks a merged unit takes over from its predecessors (the 2025
reorganisation; the registry is core.reorganisation, the workflow communes.services_merge).

Decision 19/2014/QĐ-TTg Art. 4.4.a: a TTHC or a legal basis that changed must be reflected in
the QMS within 3 months, and a merger does not stop that clock. The successor gets the same task
(reason, action, due date, and the decision, TTHC, legal change or model revision behind it),
without the predecessor's document: the successor builds its own register. Each copy names its
original (`carried_from`); the originals stay unchanged in the predecessor's read-only archive.

One cause makes one task in the successor: two merged communes that both had to revise their
procedure for the same amended TTHC give the successor one task (the earliest due), and a cause
the successor already has a task for (its own fan-out) is not carried again. Such originals count
as carried: they leave the preview. The documents' periodic reviews are not carried: the
successor writes its own documents.
"""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from communes.models import Succession
from core import reorganisation
from core.scoping import Action, require
from documents.models import UpdateTask
from documents.selectors import open_tasks

KEY = "update_tasks"
CARRY_DENIED = gettext_lazy("You may not carry records over to %(unit)s.")
# What makes two tasks the same work: the cause and what to do about it (not the document, which
# belongs to each unit's own register).
CAUSE_FIELDS = (
    "reason",
    "action",
    "procedure_id",
    "decision_item_id",
    "legal_change_id",
    "model_revision_id",
)


def _cause(task, action=None) -> tuple:
    """The task's cause; `action`: as it will be carried (the copies store that action)."""
    return tuple(action if name == "action" and action else getattr(task, name) for name in CAUSE_FIELDS)


def _kept_document(task, predecessor_ids):
    """The document the copy acts on: none when it is the predecessor's own (it stays in the
    archive); a document of another unit (a supervisor's framework model) is still the one."""
    if task.document_id and task.document.unit_id not in predecessor_ids:
        return task.document_id
    return None


def _carried_action(task, predecessor_ids):
    """What the successor must do, or None when there is nothing left for it to do. Without the
    predecessor's document, revising a TTHC procedure becomes writing the successor's own (a task
    closed by the new procedure); withdrawing, or revising a document the successor never had,
    is nothing for it to do: its own register is built afresh."""
    if task.action == UpdateTask.Action.CREATE or _kept_document(task, predecessor_ids):
        return task.action
    if task.action == UpdateTask.Action.REVISE and task.procedure_id:
        return UpdateTask.Action.CREATE
    return None


def _open_originals(predecessor_ids):
    """Open tasks of the predecessors that were never carried over."""
    return open_tasks().filter(unit_id__in=list(predecessor_ids), carried_to__isnull=True)


def _covered_causes(predecessor_ids, successor_ids=None) -> set[tuple]:
    """The causes the successor already has a task for: the tasks of the successors (given, or
    read from the lineage) and the copies carried from any of these predecessors. One query."""
    if successor_ids is None:
        successors = Succession.objects.filter(predecessor_id__in=list(predecessor_ids)).values(
            "successor_id"
        )
        held = Q(unit_id__in=successors)
    else:
        held = Q(unit_id__in=list(successor_ids))
    rows = UpdateTask.objects.filter(held | Q(carried_from__unit_id__in=list(predecessor_ids)))
    return set(rows.order_by().values_list(*CAUSE_FIELDS))


def update_tasks_preview(predecessor_ids) -> list[reorganisation.Pending]:
    """One row per open task of the predecessors that a merger would carry over. Two queries."""
    covered = _covered_causes(predecessor_ids)
    tasks = (
        _open_originals(predecessor_ids)
        .select_related("document", "procedure")
        .order_by("unit_id", "due_on", "pk")
    )
    reasons = dict(UpdateTask.Reason.choices)
    template = _("%(action)s %(target)s (%(reason)s)")
    rows = []
    ids = set(predecessor_ids)
    for task in tasks:
        action = _carried_action(task, ids)
        if action is None or _cause(task, action) in covered:
            continue
        if _kept_document(task, ids):
            target = task.document.code
        elif task.procedure_id:
            target = _("TTHC %(code)s") % {"code": task.procedure.code}
        else:
            target = ""
        label = template % {
            "action": UpdateTask.Action(action).label,
            "target": target,
            "reason": reasons.get(task.reason, task.reason),
        }
        rows.append(
            reorganisation.Pending(
                unit_id=task.unit_id,
                label=" ".join(label.split()),
                url=task.get_absolute_url(),
                due_on=task.due_on,
            )
        )
    return rows


@transaction.atomic
def update_tasks_carry(*, actor, predecessor_ids, successor, on=None) -> int:
    """Open in `successor` the predecessors' open update tasks; returns how many tasks were
    opened. The actor needs MANAGE on the successor. A constant number of queries, whatever the
    number of tasks; running it again opens nothing new.

    `on` (the day the merger takes effect) changes nothing: the 3 months run from the change
    that opened the task, not from the merger."""
    require(actor, Action.MANAGE, successor, CARRY_DENIED)
    ids = [pk for pk in predecessor_ids if pk != successor.pk]
    # Lock the originals first and read afterwards (a new statement sees what a carry that held
    # the lock committed): two carries at once cannot both copy the same task.
    list(
        UpdateTask.objects.select_for_update()
        .filter(unit_id__in=ids, status=UpdateTask.Status.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    covered = _covered_causes(ids, successor_ids=[successor.pk])
    originals = _open_originals(ids).select_related("document").order_by("due_on", "unit_id", "pk")
    copies = []
    for task in originals:
        action = _carried_action(task, ids)
        cause = _cause(task, action)
        if action is None or cause in covered:
            continue
        covered.add(cause)
        copies.append(
            UpdateTask(
                unit=successor,
                reason=task.reason,
                action=action,
                status=UpdateTask.Status.OPEN,
                document_id=_kept_document(task, ids),
                procedure_id=task.procedure_id,
                decision_item_id=task.decision_item_id,
                legal_change_id=task.legal_change_id,
                model_revision_id=task.model_revision_id,
                source_effective_on=task.source_effective_on,
                due_on=task.due_on,
                carried_from=task,
            )
        )
    if copies:
        bulk_create_with_history(copies, UpdateTask, batch_size=1000, default_user=actor)
    return len(copies)


# Registered by DocumentsConfig.ready() (core.reorganisation).
CARRY_OVER = reorganisation.CarryOver(
    key=KEY,
    label=gettext_lazy("Open document update tasks"),
    preview=update_tasks_preview,
    carry=update_tasks_carry,
    order=60,
)
