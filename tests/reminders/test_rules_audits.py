"""The audits reminder rules: planned audits, audit reports, corrective actions and their
verification, the yearly audit and review not held, the report after an inspection. Each rule:
the right item (object, unit, due date), nothing for done objects or inactive units, a query
count that does not grow with the records, and the sweep's stage and recipients."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import Audit, CorrectiveAction, Inspection, ManagementReview, Nonconformity
from communes.models import Membership, Unit
from reminders.models import Reminder, RuleSetting
from reminders.rules import get_rule
from reminders.rules.base import Context
from reminders.services.sweep import sweep
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 3, 10)  # a Monday
MARCH_14, MARCH_24, PILOT_JOINED = D(2025, 3, 14), D(2025, 3, 24), D(2017, 3, 1)

RULES = (
    "audit_planned",
    "audit_report",
    "action_due",
    "verification_pending",
    "audit_not_held",
    "review_not_held",
    "inspection_report",
)


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


def keys(items):
    return {item.object_key for item in items}


@pytest.fixture
def people(tree, officer_a, officer_b, supervisor, committee, auditor):
    head_a = UserFactory(username="head_a")
    MembershipFactory(user=head_a, unit=tree.unit_a, role=Membership.Role.COMMITTEE)
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, unit=tree.other_commune, role=Membership.Role.OFFICER)
    outside_staff = UserFactory(username="outside_staff")
    MembershipFactory(user=outside_staff, unit=tree.other_district, role=Membership.Role.SUPERVISOR)
    return {"officer_a": officer_a, "auditor": auditor, "head_a": head_a}


@pytest.fixture
def gone(tree):
    """A commune merged away before TODAY: it has no one left to remind."""
    return UnitFactory(name="Xã Đã Sáp Nhập", parent=tree.district, valid_until=D(2025, 1, 1))


def communes(tree, n):
    return [UnitFactory(parent=tree.district) for _ in range(n)]


# --- audit_planned -------------------------------------------------------------------------------
def audit(unit, month=MARCH_24, state=Audit.State.PLANNED, lead=None, team=(), **fields):
    created = Audit.objects.create(unit=unit, planned_month=month, state=state, lead_auditor=lead, **fields)
    created.team.set(team)
    return created


def test_audit_planned_item_names_the_team(tree, auditor):
    member = UserFactory()
    planned = audit(tree.unit_a, D(2025, 3, 24), lead=auditor, team=[member])
    audit(tree.unit_b, D(2025, 4, 1))  # 22 days ahead: beyond the 14-day lead
    [item] = collect("audit_planned")
    assert item.object_key == f"audits.audit:{planned.pk}"
    assert (item.unit_id, item.due_on, item.url) == (
        tree.unit_a.pk,
        D(2025, 3, 24),
        planned.get_absolute_url(),
    )
    assert set(item.user_ids) == {auditor.pk, member.pk}
    assert tree.unit_a.name in item.title and "03/2025" in item.title


def test_audit_planned_skips_started_past_and_inactive(tree, gone):
    audit(tree.unit_a, D(2025, 3, 20), state=Audit.State.IN_PROGRESS, started_on=D(2025, 3, 5))
    audit(tree.unit_b, D(2025, 3, 1))  # its month has begun: audit_not_held takes over
    audit(gone, D(2025, 3, 20))
    assert collect("audit_planned") == []


def test_audit_planned_queries_do_not_grow(tree, auditor):
    for unit in communes(tree, 5):
        audit(unit, lead=auditor, team=[UserFactory()])
    few, items = queries_of("audit_planned")
    for unit in communes(tree, 45):
        audit(unit, lead=auditor, team=[UserFactory()])
    many, items = queries_of("audit_planned")
    assert len(items) == 50
    assert few == many == 2


def test_audit_planned_sweep(tree, people, auditor):
    audit(tree.unit_a, D(2025, 3, 24), lead=auditor)
    sweep(today=TODAY, rules=["audit_planned"])
    assert set(Reminder.objects.values_list("recipient__username", "stage", "lead")) == {
        ("officer_a", "upcoming", 14),
        ("auditor", "upcoming", 14),
    }
    sweep(today=D(2025, 3, 17), rules=["audit_planned"])
    assert recipients(lead=7) == {"officer_a", "auditor"}


# --- audit_report --------------------------------------------------------------------------------
def test_audit_report_due_30_days_after_the_audit_on_a_working_day(tree, auditor):
    # Started 06/03/2025: 30 days later is Saturday 05/04, Monday 07/04 is a holiday → Tuesday 08/04.
    late = audit(tree.unit_a, D(2025, 3, 1), Audit.State.IN_PROGRESS, lead=auditor, started_on=D(2025, 3, 6))
    [item] = collect("audit_report", horizon_days=30)
    assert item.object_key == f"audits.audit:{late.pk}"
    assert (item.unit_id, item.due_on, item.user_ids) == (tree.unit_a.pk, D(2025, 4, 8), (auditor.pk,))
    assert item.url == late.get_absolute_url()


def test_audit_report_skips_issued_and_inactive(tree, gone, auditor):
    audit(tree.unit_a, D(2025, 1, 1), Audit.State.REPORT_ISSUED, lead=auditor, started_on=D(2025, 1, 6))
    audit(tree.unit_b, D(2025, 1, 1), Audit.State.CLOSED, lead=auditor, started_on=D(2025, 1, 6))
    audit(gone, D(2025, 1, 1), Audit.State.IN_PROGRESS, lead=auditor, started_on=D(2025, 1, 6))
    audit(
        tree.unit_a, D(2025, 3, 1), Audit.State.IN_PROGRESS, lead=auditor, started_on=D(2025, 3, 6)
    )  # ahead
    assert collect("audit_report") == []


def test_audit_report_queries_do_not_grow(tree, auditor):
    def add(n):
        for unit in communes(tree, n):
            audit(unit, D(2025, 1, 1), Audit.State.IN_PROGRESS, lead=auditor, started_on=D(2025, 1, 6))

    add(5)
    few, _items = queries_of("audit_report")
    add(45)
    many, items = queries_of("audit_report")
    assert len(items) == 50
    assert few == many == 1


def test_audit_report_sweep(tree, people, auditor):
    # Started 03/02: due Wednesday 05/03, 3 working days overdue on 10/03 → overdue.
    audit(tree.unit_a, D(2025, 2, 1), Audit.State.IN_PROGRESS, lead=auditor, started_on=D(2025, 2, 3))
    sweep(today=TODAY, rules=["audit_report"])
    assert recipients(stage="overdue") == {"auditor", "supervisor"}
    assert recipients() == {"auditor", "supervisor"}  # not the other district's staff


# --- action_due and verification_pending ---------------------------------------------------------
def nonconformity(unit):
    return Nonconformity.objects.create(
        unit=unit,
        source=Nonconformity.Source.DIRECT,
        title="Hồ sơ trễ hạn",
        description="Trễ hạn.",
        raised_on=D(2025, 1, 2),
        raised_by=UserFactory(),
    )


def action(unit, due_on=MARCH_14, state=CorrectiveAction.State.PLANNED, owner=None, **fields):
    return CorrectiveAction.objects.create(
        nonconformity=nonconformity(unit),
        root_cause="Thiếu người.",
        action="Bố trí thêm cán bộ một cửa",
        owner=owner or UserFactory(),
        due_on=due_on,
        state=state,
        **fields,
    )


def test_action_due_item(tree):
    owner = UserFactory()
    due = action(tree.unit_a, D(2025, 3, 14), owner=owner)
    overdue = action(tree.unit_b, D(2025, 2, 1))
    action(tree.unit_a, D(2025, 3, 31))  # beyond the 7-day lead
    items = {item.object_key: item for item in collect("action_due")}
    assert set(items) == {f"audits.correctiveaction:{due.pk}", f"audits.correctiveaction:{overdue.pk}"}
    item = items[f"audits.correctiveaction:{due.pk}"]
    assert (item.unit_id, item.due_on, item.user_ids) == (tree.unit_a.pk, D(2025, 3, 14), (owner.pk,))
    assert item.url == due.get_absolute_url()
    assert tree.unit_a.name in item.title and "Bố trí thêm cán bộ" in item.title


def test_action_due_skips_done_and_inactive(tree, gone):
    action(tree.unit_a, D(2025, 3, 1), CorrectiveAction.State.DONE, done_on=D(2025, 3, 1))
    action(tree.unit_a, D(2025, 3, 1), CorrectiveAction.State.EFFECTIVE, done_on=D(2025, 3, 1))
    action(gone, D(2025, 3, 1))
    assert collect("action_due") == []


def test_action_due_queries_do_not_grow(tree):
    for _ in range(5):
        action(tree.unit_a)
    few, _items = queries_of("action_due")
    for _ in range(45):
        action(tree.unit_b)
    many, items = queries_of("action_due")
    assert len(items) == 50
    assert few == many == 1


def test_action_due_sweep(tree, people):
    owner = UserFactory(username="owner_a")
    MembershipFactory(user=owner, unit=tree.unit_a, role=Membership.Role.VIEWER)
    action(tree.unit_a, D(2025, 3, 3), owner=owner)  # 5 working days late: escalated
    sweep(today=TODAY, rules=["action_due"])
    assert recipients(stage="escalated", lead=1) == {"officer_a", "owner_a", "head_a"}
    assert "officer_b" not in recipients() and "outsider" not in recipients()


def test_verification_pending_item(tree):
    waiting = action(tree.unit_a, D(2025, 2, 1), CorrectiveAction.State.DONE, done_on=D(2025, 2, 10))
    action(tree.unit_b, D(2025, 2, 1), CorrectiveAction.State.EFFECTIVE, done_on=D(2025, 2, 10))
    action(tree.unit_b, D(2025, 2, 1), CorrectiveAction.State.DONE, done_on=D(2025, 3, 5))  # ahead
    [item] = collect("verification_pending")
    assert item.object_key == f"audits.correctiveaction:{waiting.pk}"
    assert (item.unit_id, item.due_on) == (tree.unit_a.pk, D(2025, 3, 12))
    assert item.url == waiting.get_absolute_url()


def test_verification_pending_skips_inactive_and_queries_do_not_grow(tree, gone):
    action(gone, D(2025, 2, 1), CorrectiveAction.State.DONE, done_on=D(2025, 2, 10))
    assert collect("verification_pending") == []
    for _ in range(5):
        action(tree.unit_a, D(2025, 2, 1), CorrectiveAction.State.DONE, done_on=D(2025, 2, 10))
    few, _items = queries_of("verification_pending")
    for _ in range(45):
        action(tree.unit_b, D(2025, 2, 1), CorrectiveAction.State.DONE, done_on=D(2025, 2, 10))
    many, items = queries_of("verification_pending")
    assert len(items) == 50
    assert few == many == 1


def test_verification_pending_sweep(tree, people):
    action(tree.unit_a, D(2025, 2, 1), CorrectiveAction.State.DONE, done_on=D(2025, 2, 8))  # due 10/03
    sweep(today=TODAY, rules=["verification_pending"])
    assert recipients(stage="due") == {"officer_a", "supervisor"}
    assert recipients() == {"officer_a", "supervisor"}


# --- audit_not_held and review_not_held ----------------------------------------------------------
OCTOBER = D(2025, 10, 6)


def joined(*units, on=PILOT_JOINED):
    Unit.objects.filter(pk__in=[u.pk for u in units]).update(joined_on=on)


def review(unit, held_on):
    return ManagementReview.objects.create(
        unit=unit,
        held_on=held_on,
        chair="Chủ tịch UBND",
        attendees="Ban chỉ đạo ISO",
        recorded_by=UserFactory(),
    )


def test_audit_not_held_item(tree, gone):
    joined(tree.unit_a, tree.unit_b, tree.other_commune, gone)
    audit(tree.unit_b, D(2025, 6, 1), Audit.State.REPORT_ISSUED, started_on=D(2025, 6, 3))
    audit(tree.other_commune, D(2025, 11, 1))  # planned only: not held
    fresh = UnitFactory(parent=tree.district)
    joined(fresh, on=D(2025, 2, 1))  # joined this year: not bound yet
    items = collect("audit_not_held", today=OCTOBER)
    assert {item.unit_id for item in items} == {tree.unit_a.pk, tree.other_commune.pk}
    item = next(i for i in items if i.unit_id == tree.unit_a.pk)
    assert (item.object_key, item.due_on) == (f"communes.unit:{tree.unit_a.pk}", D(2025, 10, 31))
    assert "2025" in item.title and tree.unit_a.name in item.title
    assert item.url.startswith("/audits/?unit=")
    # Before its month comes within the lead, nothing is due.
    assert collect("audit_not_held", today=D(2025, 9, 1)) == []


def test_audit_not_held_month_is_data(tree):
    joined(tree.unit_a, tree.unit_b)
    RuleSetting.objects.create(rule="audit_not_held", unit=tree.unit_b, month=6)
    items = {i.unit_id: i.due_on for i in collect("audit_not_held", today=OCTOBER)}
    assert items == {tree.unit_a.pk: D(2025, 10, 31), tree.unit_b.pk: D(2025, 6, 30)}


def test_review_not_held_item(tree):
    joined(tree.unit_a, tree.unit_b)
    review(tree.unit_b, D(2025, 3, 1))
    review(tree.unit_a, D(2024, 11, 20))  # last year's does not count
    [item] = collect("review_not_held", today=D(2025, 11, 10))
    assert (item.unit_id, item.due_on) == (tree.unit_a.pk, D(2025, 11, 30))
    assert item.url.startswith("/audits/reviews/?unit=")


def test_not_held_queries_do_not_grow(tree):
    units = communes(tree, 5)
    joined(*units)
    few_audit, items = queries_of("audit_not_held", today=OCTOBER)
    few_review, _items = queries_of("review_not_held", today=OCTOBER)
    more = communes(tree, 45)
    joined(*more)
    for unit in more[:10]:
        review(unit, D(2025, 4, 1))
    many_audit, items = queries_of("audit_not_held", today=OCTOBER)
    many_review, _items = queries_of("review_not_held", today=D(2025, 11, 10))
    assert len(items) == 50
    assert few_audit == many_audit == few_review == many_review == 3  # units, held, settings


def test_not_held_sweep(tree, people):
    joined(tree.unit_a, tree.unit_b, tree.other_commune)
    audit(tree.unit_b, D(2025, 6, 1), Audit.State.IN_PROGRESS, started_on=D(2025, 6, 3))
    sweep(today=D(2025, 10, 1), rules=["audit_not_held"])  # 30 days before 31/10
    assert set(Reminder.objects.values_list("recipient__username", "stage", "lead")) == {
        ("officer_a", "upcoming", 30),
        ("outsider", "upcoming", 30),  # the other district's commune hears of its own audit
    }
    assert Reminder.objects.get(recipient__username="outsider").unit == tree.other_commune
    # A province sets its own month: September for the district's units.
    RuleSetting.objects.create(rule="review_not_held", unit=tree.district, month=9)
    sweep(today=D(2025, 10, 1), rules=["review_not_held"])
    assert set(
        Reminder.objects.filter(rule="review_not_held").values_list("recipient__username", "stage")
    ) == {
        ("officer_a", "overdue"),
        ("officer_b", "overdue"),
    }


# --- inspection_report ---------------------------------------------------------------------------
def inspection(unit, signed_on=None, submitted_on=None):
    return Inspection.objects.create(
        unit=unit,
        year=2025,
        minutes_signed_on=signed_on,
        report_submitted_on=submitted_on,
        created_by=UserFactory(),
    )


def test_inspection_report_due_two_months_after_the_minutes(tree):
    # 01/03 + 2 months = Thursday 01/05/2025, a holiday, then 02/05 (bridged), the weekend → 05/05.
    open_one = inspection(tree.unit_a, D(2025, 3, 1))
    inspection(tree.unit_b, D(2025, 3, 1), submitted_on=D(2025, 4, 1))
    inspection(tree.unit_b)  # minutes not signed yet
    [item] = collect("inspection_report", today=D(2025, 4, 10))
    assert item.object_key == f"audits.inspection:{open_one.pk}"
    assert (item.unit_id, item.due_on, item.url) == (
        tree.unit_a.pk,
        D(2025, 5, 5),
        open_one.get_absolute_url(),
    )


def test_inspection_report_skips_inactive_and_queries_do_not_grow(tree, gone):
    inspection(gone, D(2025, 1, 1))
    assert collect("inspection_report") == []
    for unit in communes(tree, 5):
        inspection(unit, D(2025, 1, 1))
    few, _items = queries_of("inspection_report")
    for unit in communes(tree, 45):
        inspection(unit, D(2025, 1, 1))
    many, items = queries_of("inspection_report")
    assert len(items) == 50
    assert few == many == 1


def test_inspection_report_sweep(tree, people):
    inspection(tree.unit_a, D(2025, 1, 10))  # due Monday 10/03/2025
    sweep(today=TODAY, rules=["inspection_report"])
    assert list(Reminder.objects.values_list("recipient__username", "stage")) == [("officer_a", "due")]


# --- one unit's items (the officer's dashboard) ---------------------------------------------------
def collect_for(key, unit_ids, today=TODAY):
    rule = get_rule(key)
    horizon = today + datetime.timedelta(days=max(rule.lead_days))
    return list(rule.collect(Context(today=today, horizon=horizon, unit_ids=frozenset(unit_ids))))


def test_context_with_unit_ids_reads_only_those_units(tree):
    mine = action(tree.unit_a, D(2025, 3, 14))
    action(tree.unit_b, D(2025, 2, 1))
    assert keys(collect_for("action_due", [tree.unit_a.pk])) == {f"audits.correctiveaction:{mine.pk}"}
    assert collect_for("action_due", [tree.other_commune.pk]) == []
    joined(tree.unit_a, tree.unit_b)
    items = collect_for("audit_not_held", [tree.unit_b.pk], today=OCTOBER)
    assert [item.unit_id for item in items] == [tree.unit_b.pk]
