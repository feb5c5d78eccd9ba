"""The documents reminder rules: periodic review, update tasks (the 3-month rule), framework
models changed since adoption. Each rule: the right item (object, unit, due date), nothing for
done objects or inactive units, a query count that does not grow with the records, and the
sweep's stage and recipients."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communes.models import Membership
from documents.models import Adoption, Document, Revision, UpdateTask
from reminders.models import Reminder
from reminders.rules import get_rule
from reminders.rules.base import Context
from reminders.services.sweep import sweep
from tests.documents.factories import DocumentFactory, RevisionFactory, UpdateTaskFactory
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 3, 10)  # a Monday
JANUARY_2 = D(2025, 1, 2)

RULES = ("document_review", "update_task", "model_changed")


@pytest.mark.parametrize("key", RULES)
def test_rule_is_registered_and_described(key):
    rule = get_rule(key)
    assert str(rule.label) and len(str(rule.description)) > 80
    assert rule.lead_days and all(lead > 0 for lead in rule.lead_days)


def collect(key, today=TODAY, horizon_days=None):
    rule = get_rule(key)
    horizon = today + datetime.timedelta(days=horizon_days or max(rule.lead_days))
    return list(rule.collect(Context(today=today, horizon=horizon)))


def queries_of(key, today=TODAY):
    with CaptureQueriesContext(connection) as ctx:
        items = collect(key, today)
    return len(ctx.captured_queries), items


def recipients(**filters):
    return set(Reminder.objects.filter(**filters).values_list("recipient__username", flat=True))


@pytest.fixture
def people(tree, officer_a, officer_b, supervisor, committee):
    head_a = UserFactory(username="head_a")
    MembershipFactory(user=head_a, unit=tree.unit_a, role=Membership.Role.COMMITTEE)
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, unit=tree.other_commune, role=Membership.Role.OFFICER)
    return {"officer_a": officer_a, "officer_b": officer_b, "head_a": head_a}


@pytest.fixture
def gone(tree):
    """A commune merged away before TODAY: it has no one left to remind."""
    return UnitFactory(name="Xã Đã Sáp Nhập", parent=tree.district, valid_until=D(2025, 1, 1))


# --- document_review -----------------------------------------------------------------------------
def in_force(unit, next_review_on, **kwargs):
    return DocumentFactory(
        unit=unit, status=Document.Status.EFFECTIVE, next_review_on=next_review_on, **kwargs
    )


def test_document_review_item(tree):
    doc = in_force(tree.unit_a, D(2025, 4, 1), code="QT-05", title="Quy trình kiểm soát hồ sơ")
    overdue = in_force(tree.unit_b, D(2025, 1, 15))
    in_force(tree.unit_a, D(2025, 5, 1))  # beyond the 30-day horizon
    items = {item.object_key: item for item in collect("document_review")}
    assert set(items) == {f"documents.document:{doc.pk}", f"documents.document:{overdue.pk}"}
    item = items[f"documents.document:{doc.pk}"]
    assert (item.unit_id, item.due_on) == (tree.unit_a.pk, D(2025, 4, 1))
    assert "QT-05" in item.title and tree.unit_a.name in item.title
    assert item.url == doc.get_absolute_url()
    assert items[f"documents.document:{overdue.pk}"].due_on == D(2025, 1, 15)


def test_document_review_skips_documents_not_in_force_and_inactive_units(tree, gone):
    DocumentFactory(unit=tree.unit_a, status=Document.Status.WITHDRAWN, next_review_on=D(2025, 3, 20))
    DocumentFactory(unit=tree.unit_a, status=Document.Status.DRAFT, next_review_on=D(2025, 3, 20))
    in_force(gone, D(2025, 3, 20))
    assert collect("document_review") == []


def test_document_review_queries_do_not_grow(tree):
    for _ in range(5):
        in_force(tree.unit_a, D(2025, 3, 20))
    few, items = queries_of("document_review")
    assert len(items) == 5
    for _ in range(45):
        in_force(tree.unit_b, D(2025, 3, 20))
    many, items = queries_of("document_review")
    assert len(items) == 50
    assert few == many == 1


def test_document_review_sweep(tree, people):
    in_force(tree.unit_a, D(2025, 4, 9))  # 30 days ahead
    sweep(today=TODAY, rules=["document_review"])
    assert list(Reminder.objects.values_list("recipient__username", "stage", "lead")) == [
        ("officer_a", "upcoming", 30)
    ]
    # 10 working days late: escalated to the unit's officer and head, nobody else.
    Reminder.objects.all().delete()
    in_force(tree.unit_b, D(2025, 2, 24))
    sweep(today=TODAY, rules=["document_review"])
    assert recipients(stage="escalated", lead=1) == {"officer_b"}
    assert recipients(unit=tree.unit_a) == {"officer_a"}
    assert "outsider" not in recipients()


# --- update_task ---------------------------------------------------------------------------------
def test_update_task_item_due_on_a_working_day(tree):
    doc = in_force(tree.unit_a, None, code="QT-TTHC-07")
    # Due Saturday 05/04/2025; Monday 07/04 is the Hùng Kings' day: the period ends on Tuesday.
    task = UpdateTaskFactory(unit=tree.unit_a, document=doc, due_on=D(2025, 4, 5))
    create = UpdateTaskFactory(
        unit=tree.unit_b,
        action=UpdateTask.Action.CREATE,
        reason=UpdateTask.Reason.TTHC_ADDED,
        due_on=D(2025, 3, 1),
    )
    items = {item.object_key: item for item in collect("update_task")}
    assert set(items) == {f"documents.updatetask:{task.pk}", f"documents.updatetask:{create.pk}"}
    item = items[f"documents.updatetask:{task.pk}"]
    assert (item.unit_id, item.due_on, item.url) == (tree.unit_a.pk, D(2025, 4, 8), doc.get_absolute_url())
    assert "QT-TTHC-07" in item.title and tree.unit_a.name in item.title
    other = items[f"documents.updatetask:{create.pk}"]
    assert (other.unit_id, other.due_on) == (tree.unit_b.pk, D(2025, 3, 3))  # 01/03 is a Saturday
    assert create.procedure.code in other.title
    assert other.url == create.get_absolute_url()


def test_update_task_skips_done_model_and_inactive(tree, gone):
    UpdateTaskFactory(unit=tree.unit_a, status=UpdateTask.Status.DONE, due_on=D(2025, 3, 20))
    UpdateTaskFactory(unit=tree.unit_a, reason=UpdateTask.Reason.MODEL_CHANGED, due_on=D(2025, 3, 20))
    UpdateTaskFactory(unit=gone, due_on=D(2025, 3, 20))
    UpdateTaskFactory(unit=tree.unit_a, due_on=D(2025, 5, 20))  # beyond the horizon
    assert collect("update_task") == []


def test_update_task_queries_do_not_grow(tree):
    UpdateTaskFactory.create_batch(5, unit=tree.unit_a, due_on=D(2025, 3, 20))
    few, items = queries_of("update_task")
    assert len(items) == 5
    UpdateTaskFactory.create_batch(45, unit=tree.unit_b, due_on=D(2025, 3, 20))
    many, items = queries_of("update_task")
    assert len(items) == 50
    assert few == many == 1


def test_update_task_sweep(tree, people):
    UpdateTaskFactory(unit=tree.unit_a, due_on=TODAY)
    UpdateTaskFactory(unit=tree.unit_b, due_on=D(2025, 3, 17))
    sweep(today=TODAY, rules=["update_task"])
    assert set(Reminder.objects.values_list("recipient__username", "stage", "lead")) == {
        ("officer_a", "due", 0),
        ("officer_b", "upcoming", 7),
    }


# --- model_changed -------------------------------------------------------------------------------
def framework_model(tree, second_issue_from=JANUARY_2):
    """A model of the district with issue 1 superseded and issue 2 in force since the date."""
    model = DocumentFactory(unit=tree.district, is_model=True, status=Document.Status.EFFECTIVE, code="MH-01")
    RevisionFactory(document=model, number=1, state=Revision.State.SUPERSEDED, effective_from=D(2024, 1, 2))
    RevisionFactory(
        document=model, number=2, state=Revision.State.EFFECTIVE, effective_from=second_issue_from
    )
    return model


def adopt(model, unit, issue=1, **doc):
    copy = in_force(unit, D(2026, 1, 1), **doc)
    return Adoption.objects.create(
        unit=unit,
        model_document=model,
        status=Adoption.Status.ADOPTED,
        document=copy,
        adopted_revision=issue,
        decided_by=UserFactory(),
    )


def test_model_changed_item(tree):
    model = framework_model(tree)
    adoption = adopt(model, tree.unit_a, code="QT-MH-01")
    adopt(model, tree.unit_b, issue=2)  # up to date
    [item] = collect("model_changed")
    assert item.object_key == f"documents.adoption:{adoption.pk}"
    # 3 months after issue 2 came into force (02/01/2025): Wednesday 02/04/2025.
    assert (item.unit_id, item.due_on) == (tree.unit_a.pk, D(2025, 4, 2))
    assert "MH-01" in item.title and "QT-MH-01" in item.title and tree.unit_a.name in item.title
    assert item.url == adoption.document.get_absolute_url()


def test_model_changed_counts_from_the_first_newer_issue(tree):
    model = framework_model(tree)
    Revision.objects.filter(document=model, number=2).update(state=Revision.State.SUPERSEDED)
    RevisionFactory(document=model, number=3, state=Revision.State.EFFECTIVE, effective_from=D(2025, 3, 1))
    adopt(model, tree.unit_a)
    [item] = collect("model_changed")
    assert item.due_on == D(2025, 4, 2)


def test_model_changed_skips_done_withdrawn_not_applicable_and_inactive(tree, gone):
    model = framework_model(tree)
    adopt(model, tree.unit_a, issue=2)
    withdrawn = adopt(model, tree.unit_b)
    Document.objects.filter(pk=withdrawn.document_id).update(status=Document.Status.WITHDRAWN)
    Adoption.objects.create(
        unit=tree.other_commune,
        model_document=model,
        status=Adoption.Status.NOT_APPLICABLE,
        reason="Không áp dụng.",
        decided_by=UserFactory(),
    )
    adopt(model, gone)
    assert collect("model_changed") == []
    # A model no longer in force asks nothing of anyone.
    adopt(model, UnitFactory(parent=tree.district))
    assert len(collect("model_changed")) == 1
    Document.objects.filter(pk=model.pk).update(status=Document.Status.WITHDRAWN)
    assert collect("model_changed") == []


def test_model_changed_queries_do_not_grow(tree):
    model = framework_model(tree)
    for _ in range(5):
        adopt(model, UnitFactory(parent=tree.district))
    few, items = queries_of("model_changed")
    assert len(items) == 5
    for _ in range(45):
        adopt(model, UnitFactory(parent=tree.district))
    many, items = queries_of("model_changed")
    assert len(items) == 50
    assert few == many == 1


def test_model_changed_sweep(tree, people):
    model = framework_model(tree, second_issue_from=D(2024, 12, 10))  # due 10/03/2025
    adopt(model, tree.unit_a)
    sweep(today=TODAY, rules=["model_changed"])
    assert list(Reminder.objects.values_list("recipient__username", "stage", "due_on")) == [
        ("officer_a", "due", TODAY)
    ]
