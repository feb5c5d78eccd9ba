"""Writes on the catalogues kept by the supervisor's ISO staff: TTHC, announcing decisions,
applicability and the register of legal documents. Changes open update tasks in the units."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import (
    Applicability,
    DecisionItem,
    LegalChange,
    LegalDocument,
    Procedure,
    ProcedureDecision,
)
from documents.services import tasks
from documents.services.permissions import require_catalogue_manager

_STATUS_AFTER = {
    DecisionItem.Change.ADD: Procedure.Status.IN_FORCE,
    DecisionItem.Change.AMEND: Procedure.Status.AMENDED,
    DecisionItem.Change.ABOLISH: Procedure.Status.ABOLISHED,
}


@transaction.atomic
def procedure_save(*, actor, procedure: Procedure, legal_bases=None) -> Procedure:
    require_catalogue_manager(actor)
    procedure.code = procedure.code.strip()
    procedure.full_clean()
    procedure.save()
    if legal_bases is not None:
        procedure.legal_bases.set(legal_bases)
    return procedure


@transaction.atomic
def applicability_set(*, actor, procedure: Procedure, unit_kinds=(), units=()) -> int:
    """Where the TTHC applies: to all units of the given kinds and to the given units.

    A TTHC is often added by a decision first and applied afterwards: the units it now applies
    to get the tasks of its latest decision too (Decision 19/2014/QĐ-TTg Art. 4.4.a). The
    fan-out is idempotent, so units that had them get nothing twice. Returns the tasks opened.
    """
    require_catalogue_manager(actor)
    procedure.applicabilities.all().delete()
    Applicability.objects.bulk_create(
        [Applicability(procedure=procedure, unit_kind=k) for k in sorted(set(unit_kinds))]
        + [Applicability(procedure=procedure, unit=u) for u in set(units)]
    )
    latest = (
        DecisionItem.objects.filter(procedure=procedure)
        .select_related("decision", "procedure")
        .order_by("-decision__effective_on", "-pk")
        .first()
    )
    if latest is None or latest.change == DecisionItem.Change.ABOLISH:
        return 0
    return decision_item_open_tasks(latest)


@transaction.atomic
def decision_save(*, actor, decision: ProcedureDecision) -> ProcedureDecision:
    require_catalogue_manager(actor)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def decision_add_item(
    *, actor, decision: ProcedureDecision, procedure: Procedure, change: str, note=""
) -> DecisionItem:
    """Record that the decision adds, amends or abolishes a TTHC, and open the units' tasks."""
    require_catalogue_manager(actor)
    if decision.items.filter(procedure=procedure).exists():
        raise ValidationError(
            _("%(code)s is already in this decision.") % {"code": procedure.code}, code="duplicate"
        )
    if change != DecisionItem.Change.ADD and procedure.status == Procedure.Status.ABOLISHED:
        raise ValidationError(
            _("%(code)s is abolished: it can only be added again.") % {"code": procedure.code}
        )
    item = DecisionItem.objects.create(decision=decision, procedure=procedure, change=change, note=note)
    procedure.status = _STATUS_AFTER[change]
    procedure.save()
    decision_item_open_tasks(item)
    return item


def decision_item_open_tasks(item: DecisionItem) -> int:
    """Open the item's update tasks (idempotent) and note when it was done."""
    count = tasks.open_tasks_for_decision_item(item)
    if item.tasks_opened_at is None:
        item.tasks_opened_at = timezone.now()
        item.save(update_fields=["tasks_opened_at"])
    return count


@transaction.atomic
def legal_document_register(*, actor, legal_document: LegalDocument, changes=()) -> LegalDocument:
    """Register a legal document; `changes` is [(older LegalDocument, LegalChange.Kind)].

    The older ones become amended or replaced, and each live document citing them gets a
    task to be revised within 3 months of the new one's effective date.
    """
    require_catalogue_manager(actor)
    legal_document.full_clean()
    legal_document.save()
    for old, kind in changes:
        if old.pk == legal_document.pk:
            raise ValidationError(_("A legal document cannot amend itself."))
        change, _created = LegalChange.objects.get_or_create(
            new=legal_document, old=old, defaults={"kind": kind}
        )
        old.status = (
            LegalDocument.Status.REPLACED
            if kind == LegalChange.Kind.REPLACE
            else LegalDocument.Status.AMENDED
        )
        old.save()
        tasks.open_tasks_for_legal_change(change)
    return legal_document
