"""The 3-month rule (Decision 19/2014/QĐ-TTg Art. 4.4.a): a TTHC or a legal basis that changes
opens update tasks in the units concerned, due 3 months after the change takes effect, and the
unit's new effective issue (or the withdrawal) closes them."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from communes.models import Membership, Unit
from documents.models import DecisionItem, Document, LegalChange, LegalDocument, Procedure, UpdateTask
from documents.services import catalogue, lifecycle, tasks
from tests.documents.factories_services import (
    LegalDocumentFactory,
    ProcedureDecisionFactory,
    ProcedureFactory,
    bring_into_force,
    draft_of,
    effective_document,
    make_document,
    new_issue,
)
from tests.factories import MembershipFactory, UnitFactory, UserFactory

D = datetime.date
Action, Reason, Status = UpdateTask.Action, UpdateTask.Reason, UpdateTask.Status
TTHC = Document.Kind.TTHC_PROCEDURE


@pytest.fixture(autouse=True)
def _english_and_private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def programme(tree):
    """The district's wards and the other district's commune joined the QMS programme; a few
    units that must never get a task sit beside them."""
    joined = D(2018, 3, 1)
    for unit in (tree.unit_a, tree.unit_b, tree.other_commune, tree.district):
        unit.joined_on = joined
        unit.save()
    extra = {
        # a ward that never joined the programme
        "not_joined": UnitFactory(name="Phường Chưa Tham Gia", kind=Unit.Kind.WARD, parent=tree.district),
        # a ward merged away before the change took effect
        "merged": UnitFactory(
            name="Phường Đã Sáp Nhập",
            kind=Unit.Kind.WARD,
            parent=tree.district,
            joined_on=joined,
            valid_until=D(2025, 6, 30),
        ),
        # a ward set up after the change took effect
        "new": UnitFactory(
            name="Phường Mới",
            kind=Unit.Kind.WARD,
            parent=tree.district,
            joined_on=joined,
            valid_from=D(2027, 6, 1),
        ),
        # a commune of the district, but the TTHC applies to wards only there
        "commune": UnitFactory(
            name="Xã Khác Loại", kind=Unit.Kind.COMMUNE, parent=tree.district, joined_on=joined
        ),
    }
    return extra


@pytest.fixture
def officer_c(tree):
    user = UserFactory(username="officer_c")
    MembershipFactory(user=user, unit=tree.other_commune, role=Membership.Role.OFFICER)
    return user


@pytest.fixture
def procedure(tree, supervisor):
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    # Every ward, and one commune named on its own.
    catalogue.applicability_set(
        actor=supervisor, procedure=procedure, unit_kinds=[Unit.Kind.WARD], units=[tree.other_commune]
    )
    return procedure


@pytest.fixture
def docs(tree, programme, procedure, officer_a, officer_c, committee, superuser):
    """The documents of the units: which of them a change of `procedure` reaches."""
    other = ProcedureFactory(code="2.000815")
    return {
        "a_live": effective_document(
            officer_a, committee, tree.unit_a, code="QT-01", kind=TTHC, procedures=[procedure]
        ),
        "a_draft": make_document(officer_a, tree.unit_a, code="QT-02", kind=TTHC, procedures=[procedure]),
        "a_withdrawn": _withdrawn(officer_a, tree.unit_a, procedure),
        "a_internal": make_document(
            officer_a,
            tree.unit_a,
            code="HD-01",
            kind=Document.Kind.INTERNAL_PROCEDURE,
            procedures=[procedure],
        ),
        "a_other_tthc": make_document(officer_a, tree.unit_a, code="QT-09", kind=TTHC, procedures=[other]),
        "c_live": effective_document(
            officer_c, superuser, tree.other_commune, code="QT-01", kind=TTHC, procedures=[procedure]
        ),
        "commune_live": make_document(
            superuser, programme["commune"], code="QT-01", kind=TTHC, procedures=[procedure]
        ),
    }


def _withdrawn(officer, unit, procedure):
    document = make_document(officer, unit, code="QT-03", kind=TTHC, procedures=[procedure])
    return lifecycle.document_withdraw(actor=officer, document=document, reason="Gộp vào QT-01")


def _decide(supervisor, procedure, change, effective_on):
    decision = catalogue.decision_save(
        actor=supervisor, decision=ProcedureDecisionFactory.build(effective_on=effective_on)
    )
    return catalogue.decision_add_item(
        actor=supervisor, decision=decision, procedure=procedure, change=change
    )


def task_rows(item):
    return {(t.unit_id, t.document_id, t.action) for t in UpdateTask.objects.filter(decision_item=item)}


# --- the due date ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("effective_on", "due_on"),
    [
        (D(2026, 10, 24), D(2027, 1, 24)),
        (D(2026, 11, 30), D(2027, 2, 28)),  # no 30 February: the month's last day
        (D(2027, 11, 30), D(2028, 2, 29)),  # a leap year
        (D(2026, 8, 31), D(2026, 11, 30)),
        (D(2026, 12, 31), D(2027, 3, 31)),
    ],
)
def test_due_three_months_after_the_effective_date(effective_on, due_on):
    assert tasks.due_date(effective_on) == due_on


# --- a decision item opens tasks where the TTHC applies ----------------------------------------
@pytest.mark.parametrize("change", [DecisionItem.Change.ADD, DecisionItem.Change.AMEND])
def test_add_or_amend_opens_tasks_in_the_units_concerned(tree, supervisor, procedure, docs, change):
    item = _decide(supervisor, procedure, change, D(2026, 11, 30))
    assert task_rows(item) == {
        (tree.unit_a.pk, docs["a_live"].pk, Action.REVISE),
        (tree.unit_a.pk, docs["a_draft"].pk, Action.REVISE),
        (tree.unit_b.pk, None, Action.CREATE),
        (tree.other_commune.pk, docs["c_live"].pk, Action.REVISE),
    }
    opened = UpdateTask.objects.filter(decision_item=item)
    expected_reason = Reason.TTHC_ADDED if change == DecisionItem.Change.ADD else Reason.TTHC_AMENDED
    assert {(t.reason, t.procedure_id, t.status) for t in opened} == {
        (expected_reason, procedure.pk, Status.OPEN)
    }
    assert {(t.source_effective_on, t.due_on) for t in opened} == {(D(2026, 11, 30), D(2027, 2, 28))}
    item.refresh_from_db()
    assert item.tasks_opened_at is not None
    procedure.refresh_from_db()
    assert procedure.status == (Procedure.Status.IN_FORCE if change == "add" else Procedure.Status.AMENDED)
    # One history row per task created.
    assert UpdateTask.history.filter(history_type="+", decision_item=item).count() == 4


def test_due_date_of_a_leap_year_decision(tree, supervisor, procedure, docs):
    item = _decide(supervisor, procedure, DecisionItem.Change.AMEND, D(2027, 11, 30))
    assert set(UpdateTask.objects.filter(decision_item=item).values_list("due_on", flat=True)) == {
        D(2028, 2, 29)
    }


def test_re_running_opens_nothing_new(tree, supervisor, procedure, docs):
    item = _decide(supervisor, procedure, DecisionItem.Change.AMEND, D(2026, 11, 30))
    before = (UpdateTask.objects.count(), UpdateTask.history.count())
    assert catalogue.decision_item_open_tasks(item) == 0
    assert tasks.open_tasks_for_decision_item(item) == 0
    assert (UpdateTask.objects.count(), UpdateTask.history.count()) == before


def test_re_running_after_a_new_document_opens_only_its_task(tree, supervisor, procedure, docs, officer_a):
    item = _decide(supervisor, procedure, DecisionItem.Change.AMEND, D(2026, 11, 30))
    late = make_document(officer_a, tree.unit_a, code="QT-05", kind=TTHC, procedures=[procedure])
    assert tasks.open_tasks_for_decision_item(item) == 1
    assert UpdateTask.objects.get(decision_item=item, document=late).action == Action.REVISE


def test_abolish_asks_to_withdraw_each_live_procedure(tree, supervisor, procedure, docs):
    item = _decide(supervisor, procedure, DecisionItem.Change.ABOLISH, D(2026, 11, 30))
    assert task_rows(item) == {
        (tree.unit_a.pk, docs["a_live"].pk, Action.WITHDRAW),
        (tree.unit_a.pk, docs["a_draft"].pk, Action.WITHDRAW),
        (tree.other_commune.pk, docs["c_live"].pk, Action.WITHDRAW),
    }  # unit_b has nothing to withdraw
    assert {t.reason for t in UpdateTask.objects.filter(decision_item=item)} == {Reason.TTHC_ABOLISHED}
    procedure.refresh_from_db()
    assert procedure.status == Procedure.Status.ABOLISHED
    with pytest.raises(ValidationError, match="is abolished: it can only be added again"):
        _decide(supervisor, procedure, DecisionItem.Change.AMEND, D(2026, 12, 30))
    _decide(supervisor, procedure, DecisionItem.Change.ADD, D(2026, 12, 30))
    procedure.refresh_from_db()
    assert procedure.status == Procedure.Status.IN_FORCE


def test_only_the_supervisor_records_decisions(tree, officer_a, supervisor, procedure):
    decision = catalogue.decision_save(actor=supervisor, decision=ProcedureDecisionFactory.build())
    with pytest.raises(PermissionDenied) as excinfo:
        catalogue.decision_add_item(actor=officer_a, decision=decision, procedure=procedure, change="amend")
    assert str(excinfo.value) == "Only the supervisor's ISO staff keep the catalogues."
    with pytest.raises(PermissionDenied):
        catalogue.decision_save(actor=officer_a, decision=ProcedureDecisionFactory.build())


def test_a_tthc_appears_once_per_decision(supervisor, procedure):
    item = _decide(supervisor, procedure, DecisionItem.Change.AMEND, D(2026, 11, 30))
    with pytest.raises(ValidationError) as excinfo:
        catalogue.decision_add_item(
            actor=supervisor, decision=item.decision, procedure=procedure, change="add"
        )
    assert excinfo.value.messages == ["1.001193 is already in this decision."]


def test_applicability_set_replaces_the_previous_one(tree, supervisor, procedure):
    catalogue.applicability_set(actor=supervisor, procedure=procedure, unit_kinds=[Unit.Kind.COMMUNE])
    assert list(procedure.applicabilities.values_list("unit_kind", "unit")) == [(Unit.Kind.COMMUNE, None)]
    units = tasks.applicable_units(procedure, D(2026, 11, 30))
    assert tree.other_commune not in units  # it is a commune, but has not joined the programme


# --- closing ------------------------------------------------------------------------------------
def test_a_new_effective_issue_closes_the_revise_task(
    tree, supervisor, procedure, docs, officer_a, committee, today
):
    item = _decide(supervisor, procedure, DecisionItem.Change.AMEND, today - datetime.timedelta(days=10))
    answer = new_issue(officer_a, committee, docs["a_live"], summary="Theo quyết định mới")
    task = UpdateTask.objects.get(decision_item=item, document=docs["a_live"])
    assert (task.status, task.closed_by, task.done_on) == (Status.DONE, answer, today)
    # Nothing else closes: the other document of the unit, the other units.
    assert UpdateTask.objects.filter(decision_item=item, status=Status.OPEN).count() == 3
    assert list(task.history.order_by("history_date").values_list("history_type", "status")) == [
        ("+", Status.OPEN),
        ("~", Status.DONE),
    ]


def test_an_issue_in_force_before_the_change_does_not_answer_it(
    tree, supervisor, procedure, docs, officer_a, committee, today
):
    effective_on = today + datetime.timedelta(days=10)
    item = _decide(supervisor, procedure, DecisionItem.Change.AMEND, effective_on)
    task = UpdateTask.objects.get(decision_item=item, document=docs["a_live"])
    new_issue(officer_a, committee, docs["a_live"], summary="Sửa lỗi chính tả")  # in force today
    task.refresh_from_db()
    assert task.status == Status.OPEN

    # An issue that takes effect with the change (approved ahead, in force on the day) does.
    answer = new_issue(
        officer_a, committee, docs["a_live"], summary="Theo quyết định", effective_from=effective_on
    )
    task.refresh_from_db()
    assert task.status == Status.OPEN  # approved, not yet in force
    lifecycle.revisions_make_due_effective(effective_on)
    task.refresh_from_db()
    assert (task.status, task.closed_by, task.done_on) == (Status.DONE, answer, effective_on)


def test_the_first_issue_of_a_draft_document_answers_its_task(
    tree, supervisor, procedure, docs, officer_a, committee, today
):
    item = _decide(supervisor, procedure, DecisionItem.Change.AMEND, today)
    bring_into_force(officer_a, committee, draft_of(docs["a_draft"]))
    assert UpdateTask.objects.get(decision_item=item, document=docs["a_draft"]).status == Status.DONE


def test_a_new_tthc_procedure_closes_the_create_task(
    tree, supervisor, procedure, docs, officer_b, committee, today
):
    item = _decide(supervisor, procedure, DecisionItem.Change.ADD, today)
    task = UpdateTask.objects.get(decision_item=item, unit=tree.unit_b)
    assert task.action == Action.CREATE
    # Neither a form that cites the TTHC nor a procedure of another TTHC answers it.
    effective_document(
        officer_b, committee, tree.unit_b, code="BM-01", kind=Document.Kind.FORM, procedures=[procedure]
    )
    effective_document(
        officer_b, committee, tree.unit_b, code="QT-07", kind=TTHC, procedures=[ProcedureFactory()]
    )
    task.refresh_from_db()
    assert task.status == Status.OPEN
    written = effective_document(
        officer_b, committee, tree.unit_b, code="QT-08", kind=TTHC, procedures=[procedure]
    )
    task.refresh_from_db()
    assert (task.status, task.done_on) == (Status.DONE, today)
    assert task.closed_by == written.revisions.get()


def test_withdrawal_closes_the_withdraw_task(tree, supervisor, procedure, docs, officer_a, today):
    item = _decide(supervisor, procedure, DecisionItem.Change.ABOLISH, today)
    lifecycle.document_withdraw(actor=officer_a, document=docs["a_live"], reason="TTHC bãi bỏ")
    task = UpdateTask.objects.get(decision_item=item, document=docs["a_live"])
    assert (task.status, task.done_on, task.closed_by) == (Status.DONE, today, None)
    assert UpdateTask.objects.get(decision_item=item, document=docs["a_draft"]).status == Status.OPEN
    assert task.history.filter(history_type="~", status=Status.DONE).exists()


def test_tasks_of_another_unit_are_not_closed(tree, supervisor, procedure, docs, officer_c, superuser, today):
    item = _decide(supervisor, procedure, DecisionItem.Change.AMEND, today)
    new_issue(officer_c, superuser, docs["c_live"])
    assert set(
        UpdateTask.objects.filter(decision_item=item, status=Status.DONE).values_list("unit", flat=True)
    ) == {tree.other_commune.pk}


# --- legal documents ----------------------------------------------------------------------------
@pytest.fixture
def decree(tree, officer_a, officer_b, committee):
    decree = LegalDocumentFactory(number="123/2015/NĐ-CP")
    cited = {
        "a": effective_document(officer_a, committee, tree.unit_a, code="QT-10", legal_bases=[decree]),
        "b_draft": make_document(officer_b, tree.unit_b, code="QT-10", legal_bases=[decree]),
        "a_not_citing": effective_document(officer_a, committee, tree.unit_a, code="QT-11"),
    }
    withdrawn = make_document(officer_a, tree.unit_a, code="QT-12", legal_bases=[decree])
    lifecycle.document_withdraw(actor=officer_a, document=withdrawn, reason="Hết hiệu lực")
    return decree, cited


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (LegalChange.Kind.AMEND, LegalDocument.Status.AMENDED),
        (LegalChange.Kind.REPLACE, LegalDocument.Status.REPLACED),
    ],
)
def test_a_legal_change_opens_revise_tasks_for_citing_documents(
    tree, supervisor, decree, today, kind, status
):
    old, cited = decree
    new = catalogue.legal_document_register(
        actor=supervisor,
        legal_document=LegalDocumentFactory.build(
            number="07/2025/NĐ-CP", effective_on=today - datetime.timedelta(days=5)
        ),
        changes=[(old, kind)],
    )
    old.refresh_from_db()
    assert old.status == status
    change = LegalChange.objects.get(new=new, old=old)
    opened = UpdateTask.objects.filter(legal_change=change)
    assert {(t.unit_id, t.document_id) for t in opened} == {
        (tree.unit_a.pk, cited["a"].pk),
        (tree.unit_b.pk, cited["b_draft"].pk),
    }
    assert {(t.reason, t.action, t.status, t.source_effective_on, t.due_on) for t in opened} == {
        (
            Reason.LEGAL_CHANGED,
            Action.REVISE,
            Status.OPEN,
            new.effective_on,
            new.effective_on + relativedelta(months=3),
        )
    }
    assert UpdateTask.history.filter(history_type="+", legal_change=change).count() == 2
    assert tasks.open_tasks_for_legal_change(change) == 0  # re-running opens nothing


def test_a_legal_change_task_closes_with_a_new_issue(tree, supervisor, decree, officer_a, committee, today):
    old, cited = decree
    catalogue.legal_document_register(
        actor=supervisor,
        legal_document=LegalDocumentFactory.build(effective_on=today),
        changes=[(old, LegalChange.Kind.AMEND)],
    )
    answer = new_issue(officer_a, committee, cited["a"])
    task = UpdateTask.objects.get(document=cited["a"])
    assert (task.status, task.closed_by) == (Status.DONE, answer)
    assert UpdateTask.objects.get(document=cited["b_draft"]).status == Status.OPEN


def test_a_legal_document_cannot_amend_itself(supervisor):
    decree = LegalDocumentFactory()
    with pytest.raises(ValidationError) as excinfo:
        catalogue.legal_document_register(
            actor=supervisor, legal_document=decree, changes=[(decree, LegalChange.Kind.AMEND)]
        )
    assert excinfo.value.messages == ["A legal document cannot amend itself."]
