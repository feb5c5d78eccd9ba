"""Update tasks: opened set-based when a TTHC, a legal basis or a model changes; closed when the
unit's document gets a new effective revision or is withdrawn.

Decision 19/2014/QĐ-TTg Art. 4.4.a: the affected procedures are revised within 3 months of
the effective date of the change.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from communes.models import Unit
from documents.models import Applicability, DecisionItem, Document, Procedure, Revision, UpdateTask

UPDATE_MONTHS = 3  # Decision 19/2014/QĐ-TTg Art. 4.4.a


def due_date(effective_on: datetime.date) -> datetime.date:
    return effective_on + relativedelta(months=UPDATE_MONTHS)


def _create_missing(tasks: list[UpdateTask], source_field: str) -> int:
    """Create the tasks not opened yet (same unit, cause and document), with history rows.

    Re-running a fan-out therefore opens nothing twice; the unique constraints back this up.
    """
    if not tasks:
        return 0
    sources = {getattr(t, f"{source_field}_id") for t in tasks}
    existing = set(
        UpdateTask.objects.filter(**{f"{source_field}_id__in": sources}).values_list(
            "unit_id", f"{source_field}_id", "document_id"
        )
    )
    missing = [
        t for t in tasks if (t.unit_id, getattr(t, f"{source_field}_id"), t.document_id) not in existing
    ]
    if missing:
        bulk_create_with_history(missing, UpdateTask, batch_size=1000)
    return len(missing)


def applicable_units(procedure: Procedure, on: datetime.date):
    """Units in the QMS programme, in operation on `on`, where the TTHC applies."""
    kinds = Applicability.objects.filter(procedure=procedure, unit__isnull=True).values("unit_kind")
    unit_ids = Applicability.objects.filter(procedure=procedure, unit__isnull=False).values("unit_id")
    return (
        Unit.objects.active_on(on)
        .filter(joined_on__isnull=False)
        .filter(Q(kind__in=kinds) | Q(pk__in=unit_ids))
    )


def open_tasks_for_decision_item(item: DecisionItem) -> int:
    """Open the tasks of one decision item in every unit where the TTHC applies (idempotent).

    Added or amended: revise each live procedure document serving the TTHC, or write one where
    the unit has none. Abolished: withdraw each live document serving it.
    """
    effective = item.decision.effective_on
    units = list(applicable_units(item.procedure, effective).values_list("pk", flat=True))
    live_docs = Document.objects.filter(
        unit_id__in=units, procedures=item.procedure, kind=Document.Kind.TTHC_PROCEDURE
    ).exclude(status=Document.Status.WITHDRAWN)
    docs_by_unit: dict[int, list[int]] = {}
    for doc_id, unit_id in live_docs.values_list("pk", "unit_id"):
        docs_by_unit.setdefault(unit_id, []).append(doc_id)

    reason = {
        DecisionItem.Change.ADD: UpdateTask.Reason.TTHC_ADDED,
        DecisionItem.Change.AMEND: UpdateTask.Reason.TTHC_AMENDED,
        DecisionItem.Change.ABOLISH: UpdateTask.Reason.TTHC_ABOLISHED,
    }[item.change]
    common = {
        "reason": reason,
        "procedure": item.procedure,
        "decision_item": item,
        "source_effective_on": effective,
        "due_on": due_date(effective),
    }
    tasks = []
    for unit_id in units:
        docs = docs_by_unit.get(unit_id, [])
        if item.change == DecisionItem.Change.ABOLISH:
            tasks += [
                UpdateTask(unit_id=unit_id, document_id=d, action=UpdateTask.Action.WITHDRAW, **common)
                for d in docs
            ]
        elif docs:
            tasks += [
                UpdateTask(unit_id=unit_id, document_id=d, action=UpdateTask.Action.REVISE, **common)
                for d in docs
            ]
        else:
            tasks.append(UpdateTask(unit_id=unit_id, action=UpdateTask.Action.CREATE, **common))
    return _create_missing(tasks, "decision_item")


def open_tasks_for_legal_change(change) -> int:
    """Revise every live document that cites the amended or replaced legal document."""
    docs = (
        Document.objects.filter(legal_bases=change.old)
        .exclude(status=Document.Status.WITHDRAWN)
        .values_list("pk", "unit_id")
    )
    effective = change.new.effective_on
    tasks = [
        UpdateTask(
            unit_id=unit_id,
            document_id=doc_id,
            reason=UpdateTask.Reason.LEGAL_CHANGED,
            action=UpdateTask.Action.REVISE,
            legal_change=change,
            source_effective_on=effective,
            due_on=due_date(effective),
        )
        for doc_id, unit_id in docs
    ]
    return _create_missing(tasks, "legal_change")


def open_tasks_for_model_revision(revision: Revision) -> int:
    """A framework model took a new issue: each unit that adopted an older one reviews its copy."""
    from documents.models import Adoption

    adoptions = Adoption.objects.filter(
        model_document=revision.document,
        status=Adoption.Status.ADOPTED,
        adopted_revision__lt=revision.number,
    ).exclude(document__status=Document.Status.WITHDRAWN)
    effective = revision.effective_from
    tasks = [
        UpdateTask(
            unit_id=a.unit_id,
            document_id=a.document_id,
            reason=UpdateTask.Reason.MODEL_CHANGED,
            action=UpdateTask.Action.REVISE,
            model_revision=revision,
            source_effective_on=effective,
            due_on=due_date(effective),
        )
        for a in adoptions.only("unit_id", "document_id")
    ]
    return _create_missing(tasks, "model_revision")


def _close(tasks: list[UpdateTask], on: datetime.date, revision=None) -> int:
    for task in tasks:
        task.status, task.done_on, task.closed_by = UpdateTask.Status.DONE, on, revision
    if tasks:
        bulk_update_with_history(tasks, UpdateTask, ["status", "done_on", "closed_by"], batch_size=500)
    return len(tasks)


def close_tasks_for_revision(revision: Revision) -> int:
    """A new effective revision closes the unit's open revise/write tasks for that document
    and the write tasks of the TTHC it serves."""
    document = revision.document
    open_tasks = UpdateTask.objects.filter(status=UpdateTask.Status.OPEN, unit_id=document.unit_id)
    revise = Q(document=document, action=UpdateTask.Action.REVISE)
    create = Q(
        document__isnull=True,
        action=UpdateTask.Action.CREATE,
        procedure__in=document.procedures.all(),
    )
    if document.kind != Document.Kind.TTHC_PROCEDURE:
        # Only a TTHC procedure answers "write a procedure" (the same test as coverage and
        # the fan-out): a form or an internal document that cites the TTHC does not.
        create = Q(pk__in=[])
    # A task whose change takes effect after this revision is not answered by it: it stays open.
    closing = list(
        open_tasks.filter(revise | create, source_effective_on__lte=revision.effective_from).select_related(
            "model_revision"
        )
    )
    model_numbers = [t.model_revision.number for t in closing if t.model_revision_id]
    if model_numbers and hasattr(document, "adopted_from"):
        adoption = document.adopted_from
        adoption.adopted_revision = max(model_numbers)
        adoption.save(update_fields=["adopted_revision"])
    return _close(closing, revision.effective_from, revision)


def close_withdraw_tasks(document: Document, on: datetime.date) -> int:
    """Withdrawing a document closes its withdraw tasks, and its revise tasks (nothing to revise)."""
    tasks = UpdateTask.objects.filter(status=UpdateTask.Status.OPEN, document=document)
    return _close(list(tasks), on)
