"""The 2025 reorganisation: a merged unit takes over the open update tasks of its predecessors
(core.reorganisation, documents.services.carry_over). The same task in the successor, without the
predecessor's document, linked to its original; one task per cause; the originals unchanged;
never carried twice; only by someone who manages the successor; a constant number of queries."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from communes.models import Membership, Succession, Unit
from core import reorganisation
from core.scoping import get_scope
from documents.models import DecisionItem, Document, LegalChange, Revision, UpdateTask
from documents.services import carry_over
from tests.documents.factories import DocumentFactory
from tests.documents.factories_services import (
    LegalDocumentFactory,
    ProcedureDecisionFactory,
    ProcedureFactory,
)
from tests.factories import MembershipFactory, SuccessionFactory, UnitFactory, UserFactory

D = datetime.date
Action, Reason, Status = UpdateTask.Action, UpdateTask.Reason, UpdateTask.Status
MERGED_ON = D(2025, 7, 1)
AMENDED_ON = D(2025, 5, 1)
TTHC = Document.Kind.TTHC_PROCEDURE


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def merge(parent, *names, successor_name="Phường Việt Yên Mới"):
    """Predecessors (wards ending the day before MERGED_ON) and their successor, with the
    lineage the merge workflow writes (communes.services_merge)."""
    old = [
        UnitFactory(
            name=name, kind=Unit.Kind.WARD, parent=parent, valid_until=MERGED_ON - datetime.timedelta(1)
        )
        for name in names
    ]
    new = UnitFactory(name=successor_name, kind=Unit.Kind.WARD, parent=parent, valid_from=MERGED_ON)
    for unit in old:
        SuccessionFactory(predecessor=unit, successor=new, effective_on=MERGED_ON, kind=Succession.Kind.MERGE)
    return old, new


def decision_item(code, change=DecisionItem.Change.AMEND, effective_on=AMENDED_ON):
    decision = ProcedureDecisionFactory(effective_on=effective_on)
    return DecisionItem.objects.create(
        decision=decision, procedure=ProcedureFactory(code=code), change=change
    )


def tthc_task(unit, item, document=None, action=Action.REVISE, status=Status.OPEN):
    effective = item.decision.effective_on
    reason = {
        DecisionItem.Change.ADD: Reason.TTHC_ADDED,
        DecisionItem.Change.AMEND: Reason.TTHC_AMENDED,
        DecisionItem.Change.ABOLISH: Reason.TTHC_ABOLISHED,
    }[item.change]
    return UpdateTask.objects.create(
        unit=unit,
        reason=reason,
        action=action,
        status=status,
        document=document,
        procedure=item.procedure,
        decision_item=item,
        source_effective_on=effective,
        due_on=effective + datetime.timedelta(days=92),
        done_on=D(2025, 6, 1) if status == Status.DONE else None,
    )


def legal_task(unit, change, document):
    return UpdateTask.objects.create(
        unit=unit,
        reason=Reason.LEGAL_CHANGED,
        action=Action.REVISE,
        document=document,
        legal_change=change,
        source_effective_on=change.new.effective_on,
        due_on=change.new.effective_on + datetime.timedelta(days=92),
    )


@pytest.fixture
def merger(tree):
    (old_a, old_b), new = merge(tree.district, "Phường Cũ A", "Phường Cũ B")
    return old_a, old_b, new


@pytest.fixture
def records(merger, tree):
    """old_a and old_b both revise their procedure for the same amended TTHC (one cause); old_b
    revises a document for an amended decree; old_a writes a procedure for an added TTHC, and has
    a task already done; unit_b (not merged) has an open task."""
    old_a, old_b, _new = merger
    amended = decision_item("1.001193")
    added = decision_item("1.000894", change=DecisionItem.Change.ADD, effective_on=D(2025, 6, 1))
    doc_a = DocumentFactory(unit=old_a, code="QT-TTHC-01", kind=TTHC, status=Document.Status.EFFECTIVE)
    doc_b = DocumentFactory(unit=old_b, code="QT-TTHC-01", kind=TTHC, status=Document.Status.EFFECTIVE)
    doc_b2 = DocumentFactory(unit=old_b, code="QT-HT-02", status=Document.Status.EFFECTIVE)
    old_law = LegalDocumentFactory(number="23/2015/NĐ-CP")
    new_law = LegalDocumentFactory(
        number="07/2025/NĐ-CP", effective_on=D(2025, 6, 15), signed_on=D(2025, 6, 1)
    )
    change = LegalChange.objects.create(new=new_law, old=old_law)
    return {
        "amend_a": tthc_task(old_a, amended, doc_a),
        "amend_b": tthc_task(old_b, amended, doc_b),
        "legal_b": legal_task(old_b, change, doc_b2),
        "create_a": tthc_task(old_a, added, action=Action.CREATE),
        "done_a": tthc_task(old_a, decision_item("1.000001"), doc_a, status=Status.DONE),
        "elsewhere": tthc_task(tree.unit_b, amended),
    }


def snapshot(units):
    return [model_to_dict(t) for t in UpdateTask.objects.filter(unit__in=units).order_by("pk")]


# --- Registry --------------------------------------------------------------------------------
def test_registered_with_its_label():
    entry = reorganisation.get("update_tasks")
    assert entry is not None and str(entry.label) == "Open document update tasks"
    assert (entry.preview, entry.carry) == (carry_over.update_tasks_preview, carry_over.update_tasks_carry)


# --- Preview ---------------------------------------------------------------------------------
def test_preview_lists_the_open_tasks(merger, records):
    old_a, old_b, _new = merger
    rows = carry_over.update_tasks_preview([old_a.pk, old_b.pk])
    # legal_b revises a document of old_b's own register: nothing for the successor to do.
    expected = [records[k] for k in ("amend_a", "create_a", "amend_b")]
    assert [(r.unit_id, r.due_on, r.url) for r in rows] == [
        (t.unit_id, t.due_on, t.get_absolute_url()) for t in expected
    ]
    # Without old_a's procedure, revising it becomes writing the successor's own.
    assert rows[0].label == "write a procedure TTHC 1.001193 (TTHC amended)"
    assert rows[1].label == "write a procedure TTHC 1.000894 (TTHC added)"


# --- Carry -----------------------------------------------------------------------------------
def test_carry_opens_the_same_tasks_in_the_successor(merger, records, supervisor):
    old_a, old_b, new = merger
    before = snapshot([old_a, old_b, records["elsewhere"].unit])
    history_before = UpdateTask.history.count()

    assert (
        carry_over.update_tasks_carry(
            actor=supervisor, predecessor_ids=[old_a.pk, old_b.pk], successor=new, on=MERGED_ON
        )
        == 2
    )

    assert snapshot([old_a, old_b, records["elsewhere"].unit]) == before
    copies = {t.carried_from_id: t for t in UpdateTask.objects.filter(unit=new)}
    # One task per cause: the TTHC both wards had to revise their procedure for comes once.
    assert set(copies) == {records["amend_a"].pk, records["create_a"].pk}
    assert {copy.action for copy in copies.values()} == {Action.CREATE}
    fields = (
        "reason",
        "procedure_id",
        "decision_item_id",
        "legal_change_id",
        "model_revision_id",
        "source_effective_on",
        "due_on",
    )
    for copy in copies.values():
        original = copy.carried_from
        assert [getattr(copy, f) for f in fields] == [getattr(original, f) for f in fields]
        # The predecessor's documents stay in its archive: the successor builds its own register.
        assert (copy.document_id, copy.status, copy.done_on, copy.closed_by_id) == (
            None,
            Status.OPEN,
            None,
            None,
        )
    assert UpdateTask.history.count() == history_before + 2
    assert set(
        UpdateTask.history.filter(id__in=[t.pk for t in copies.values()]).values_list(
            "history_user", flat=True
        )
    ) == {supervisor.pk}
    assert list(records["amend_a"].carried_to.all()) == [copies[records["amend_a"].pk]]


def test_carrying_again_opens_nothing_and_the_preview_is_empty(merger, records, supervisor):
    old_a, old_b, new = merger
    ids = [old_a.pk, old_b.pk]
    carry_over.update_tasks_carry(actor=supervisor, predecessor_ids=ids, successor=new)
    count = UpdateTask.objects.count()
    # amend_b was not copied (amend_a stands for the same cause): it leaves the preview too.
    assert carry_over.update_tasks_preview(ids) == []
    assert carry_over.update_tasks_carry(actor=supervisor, predecessor_ids=ids, successor=new) == 0
    assert UpdateTask.objects.count() == count


def test_a_cause_the_successor_already_has_is_not_carried(merger, records, supervisor):
    old_a, old_b, new = merger
    own = tthc_task(new, records["create_a"].decision_item, action=Action.CREATE)  # its own fan-out
    ids = [old_a.pk, old_b.pk]
    assert [r.url for r in carry_over.update_tasks_preview(ids)] == [
        records[k].get_absolute_url() for k in ("amend_a", "amend_b")
    ]
    assert carry_over.update_tasks_carry(actor=supervisor, predecessor_ids=ids, successor=new) == 1
    assert not UpdateTask.objects.filter(carried_from=records["create_a"]).exists()
    assert UpdateTask.objects.filter(unit=new).count() == 2 and own.carried_from is None


def test_a_document_of_another_unit_is_kept(merger, supervisor, tree):
    """A task on a document the predecessor does not own (e.g. the district's) still names it."""
    old_a, _old_b, new = merger
    item = decision_item("1.002000")
    district_doc = DocumentFactory(unit=tree.district, code="QT-HUYEN-01", kind=TTHC)
    task = tthc_task(old_a, item, district_doc)
    assert carry_over.update_tasks_carry(actor=supervisor, predecessor_ids=[old_a.pk], successor=new) == 1
    assert UpdateTask.objects.get(carried_from=task).document == district_doc


def test_periodic_reviews_are_not_carried(merger, supervisor):
    """Only update tasks move: the predecessors' documents (and their review dates) stay."""
    old_a, _old_b, new = merger
    DocumentFactory(unit=old_a, status=Document.Status.EFFECTIVE, next_review_on=D(2025, 8, 1))
    assert carry_over.update_tasks_preview([old_a.pk]) == []
    assert carry_over.update_tasks_carry(actor=supervisor, predecessor_ids=[old_a.pk], successor=new) == 0
    assert not Document.objects.filter(unit=new).exists() and not Revision.objects.exists()


# --- Who may carry ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role", [Membership.Role.OFFICER, Membership.Role.COMMITTEE, Membership.Role.AUDITOR]
)
def test_carry_needs_manage_on_the_successor(merger, records, role):
    old_a, old_b, new = merger
    user = UserFactory(username=f"new_{role}")
    MembershipFactory(user=user, unit=new, role=role)
    count = UpdateTask.objects.count()
    with pytest.raises(PermissionDenied):
        carry_over.update_tasks_carry(actor=user, predecessor_ids=[old_a.pk, old_b.pk], successor=new)
    assert UpdateTask.objects.count() == count


def test_a_supervisor_elsewhere_may_not_carry(merger, records, tree):
    old_a, old_b, new = merger
    user = UserFactory(username="outside_supervisor")
    MembershipFactory(user=user, unit=tree.other_district, role=Membership.Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        carry_over.update_tasks_carry(actor=user, predecessor_ids=[old_a.pk, old_b.pk], successor=new)
    assert not UpdateTask.objects.filter(carried_from__isnull=False).exists()


# --- Query counts ----------------------------------------------------------------------------
def _grow(parent, n, tag):
    """A merger of two wards with n open tasks each (the same n causes in both)."""
    old, new = merge(parent, f"Phường {tag} 1", f"Phường {tag} 2", successor_name=f"Phường {tag} mới")
    items = [decision_item(f"9.{tag}.{i}") for i in range(n)]
    for unit in old:
        for i, item in enumerate(items):
            document = DocumentFactory(unit=unit, code=f"QT-{tag}-{i}", kind=TTHC)
            tthc_task(unit, item, document)
    return [u.pk for u in old], new


def _queries(run):
    with CaptureQueriesContext(connection) as ctx:
        result = run()
    return len(ctx.captured_queries), result


def test_preview_and_carry_keep_a_constant_number_of_queries(tree, supervisor):
    get_scope(supervisor)  # the scope is read once per user: leave it out of the counts
    few_ids, few_new = _grow(tree.district, 1, "F")
    many_ids, many_new = _grow(tree.district, 10, "M")

    few_preview, rows = _queries(lambda: carry_over.update_tasks_preview(few_ids))
    many_preview, many_rows = _queries(lambda: carry_over.update_tasks_preview(many_ids))
    assert (len(rows), len(many_rows)) == (2, 20)
    assert few_preview == many_preview == 2

    few_carry, n_few = _queries(
        lambda: carry_over.update_tasks_carry(actor=supervisor, predecessor_ids=few_ids, successor=few_new)
    )
    many_carry, n_many = _queries(
        lambda: carry_over.update_tasks_carry(actor=supervisor, predecessor_ids=many_ids, successor=many_new)
    )
    assert (n_few, n_many) == (1, 10)
    assert few_carry == many_carry
