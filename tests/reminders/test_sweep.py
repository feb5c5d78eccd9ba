"""The sweep: stages, recipients by audience and scope, idempotence, escalation, query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communes.models import Membership, Unit
from reminders.models import Reminder, RuleSetting, Stage
from reminders.rules import base
from reminders.rules.base import Item
from reminders.services.sweep import resolve_audiences, stage_of, sweep
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 3, 10)  # a Monday


# --- stage_of ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_on", "expected"),
    [
        (D(2025, 4, 30), None),  # 51 days ahead: beyond every lead
        (D(2025, 4, 9), ("upcoming", 30)),  # exactly 30 days
        (D(2025, 3, 25), ("upcoming", 30)),  # 15 days: still the 30-day lead
        (D(2025, 3, 17), ("upcoming", 7)),  # 7 days
        (D(2025, 3, 11), ("upcoming", 7)),  # tomorrow
        (D(2025, 3, 10), ("due", 0)),
        (D(2025, 3, 7), ("overdue", 0)),  # Friday: 1 working day late
        (D(2025, 3, 3), ("escalated", 1)),  # 5 working days late
        (D(2025, 2, 27), ("escalated", 1)),  # 11 calendar days, 7 working days
        (D(2025, 2, 24), ("escalated", 2)),  # 10 working days
    ],
)
def test_stage_of(due_on, expected):
    assert stage_of(due_on, TODAY, (30, 7), 5) == expected


def test_escalation_counts_working_days_and_skips_tet():
    # Due Friday 24/01/2025, the last working day before Tết: on Friday 07/02 it is 5 working
    # days late (3, 4, 5, 6, 7 February), not 14 calendar days' worth.
    assert stage_of(D(2025, 1, 24), D(2025, 2, 6), (7,), 5) == ("overdue", 0)
    assert stage_of(D(2025, 1, 24), D(2025, 2, 7), (7,), 5) == ("escalated", 1)


def test_a_rule_without_escalation_stays_overdue():
    assert stage_of(D(2024, 1, 1), TODAY, (30, 7), None) == ("overdue", 0)


def test_a_missed_sweep_day_still_fires_the_lead_once():
    assert stage_of(D(2025, 3, 16), TODAY, (30, 7), 5) == ("upcoming", 7)  # 6 days: the 7-day lead


# --- the sweep -----------------------------------------------------------------------------


@pytest.fixture
def people(tree, officer_a, officer_b, supervisor, committee, auditor):
    head_a = UserFactory(username="head_a")
    MembershipFactory(user=head_a, unit=tree.unit_a, role=Membership.Role.COMMITTEE)
    province_staff = UserFactory(username="province_staff")
    MembershipFactory(user=province_staff, unit=tree.province, role=Membership.Role.SUPERVISOR)
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, unit=tree.other_district, role=Membership.Role.SUPERVISOR)
    return {
        "officer_a": officer_a,
        "officer_b": officer_b,
        "supervisor": supervisor,
        "committee": committee,
        "auditor": auditor,
        "head_a": head_a,
        "province_staff": province_staff,
        "outsider": outsider,
    }


def _items(*specs):
    """A rule's items function returning fixed items: specs of (unit, due_on[, user_ids])."""

    def items(context):
        return [
            Item(
                unit_id=spec[0].pk,
                object_key=f"test.thing:{index}",
                due_on=spec[1],
                title=f"Thing {index}",
                url=f"/things/{index}/",
                user_ids=tuple(spec[2]) if len(spec) > 2 else (),
            )
            for index, spec in enumerate(specs)
        ]

    return items


def _recipients(**filters):
    return set(Reminder.objects.filter(**filters).values_list("recipient__username", flat=True))


def test_officers_of_the_unit_hear_of_an_upcoming_item(tree, people, register_rule):
    register_rule("test.officers", _items((tree.unit_a, D(2025, 3, 17))))
    summary = sweep(today=TODAY, rules=["test.officers"])
    assert _recipients() == {"officer_a"}
    reminder = Reminder.objects.get()
    assert (reminder.stage, reminder.lead, reminder.due_on) == ("upcoming", 7, D(2025, 3, 17))
    assert (reminder.title, reminder.url, reminder.unit) == ("Thing 0", "/things/0/", tree.unit_a)
    assert reminder.state == Reminder.State.PENDING
    assert summary.total_created == 1
    assert summary.created["test.officers"] == {("upcoming", 7): 1}


def test_supervisors_and_committee_audiences_follow_the_tree(tree, people, register_rule):
    register_rule(
        "test.above",
        _items((tree.unit_a, TODAY)),
        audience=(base.SUPERVISORS, base.COMMITTEE, base.COMMITTEE_ABOVE),
    )
    sweep(today=TODAY, rules=["test.above"])
    # Supervisors of the district and the province; the unit's head; the district's committee.
    # Never the other district's staff nor another commune's officer.
    assert _recipients() == {"supervisor", "province_staff", "head_a", "committee"}


def test_auditors_are_the_users_named_by_the_item(tree, people, register_rule):
    gone = UserFactory(username="gone", is_active=False)
    register_rule(
        "test.auditors",
        _items((tree.unit_a, TODAY, [people["auditor"].pk, gone.pk])),
        audience=(base.AUDITORS,),
    )
    sweep(today=TODAY, rules=["test.auditors"])
    assert _recipients() == {"auditor"}


def test_a_second_sweep_adds_nothing(tree, people, register_rule):
    register_rule("test.twice", _items((tree.unit_a, TODAY), (tree.unit_b, D(2025, 3, 12))))
    first = sweep(today=TODAY, rules=["test.twice"])
    second = sweep(today=TODAY, rules=["test.twice"])
    assert first.total_created == 2
    assert second.total_created == 0
    assert second.total_candidates == 2
    assert Reminder.objects.count() == 2


def test_each_stage_fires_once_as_the_days_pass(tree, people, register_rule):
    register_rule("test.days", _items((tree.unit_a, D(2025, 4, 9))), escalate_after=5)
    days = [TODAY + datetime.timedelta(days=n) for n in range(0, 50)]
    for day in days:
        sweep(today=day, rules=["test.days"])
    stages = list(
        Reminder.objects.filter(recipient=people["officer_a"])
        .order_by("created_at", "id")
        .values_list("stage", "lead")
    )
    assert sorted(stages) == sorted(
        [("upcoming", 30), ("upcoming", 7), ("due", 0), ("overdue", 0), ("escalated", 1), ("escalated", 2)]
    )


def test_escalation_goes_up_the_tree(tree, people, register_rule):
    register_rule(
        "test.escalate",
        _items((tree.unit_a, D(2025, 3, 3)), (tree.unit_b, D(2025, 2, 24))),
        escalate_after=5,
    )
    sweep(today=TODAY, rules=["test.escalate"])
    # Level 1 (5 working days): the unit's officer and head.
    assert _recipients(stage=Stage.ESCALATED, lead=1) == {"officer_a", "head_a"}
    # Level 2 (10 working days): the officer, the head (unit_b has none) and the supervisors' staff.
    assert _recipients(stage=Stage.ESCALATED, lead=2) == {"officer_b", "supervisor", "province_staff"}


def test_escalate_after_is_data_per_subtree(tree, people, register_rule):
    register_rule("test.local", _items((tree.unit_a, D(2025, 3, 5)), (tree.unit_b, D(2025, 3, 5))))
    RuleSetting.objects.create(rule="test.local", unit=tree.unit_a, escalate_after=3)
    sweep(today=TODAY, rules=["test.local"])  # 3 working days late
    assert _recipients(stage=Stage.ESCALATED) == {"officer_a", "head_a"}
    assert _recipients(stage=Stage.OVERDUE) == {"officer_b"}


def test_lead_days_and_enabled_are_data_per_subtree(tree, people, register_rule):
    register_rule("test.leads", _items((tree.unit_a, D(2025, 4, 30)), (tree.unit_b, D(2025, 4, 30))))
    RuleSetting.objects.create(rule="test.leads", unit=tree.province, lead_days="60,14")
    RuleSetting.objects.create(rule="test.leads", unit=tree.unit_b, enabled=False)
    sweep(today=TODAY, rules=["test.leads"])
    assert list(Reminder.objects.values_list("recipient__username", "stage", "lead")) == [
        ("officer_a", "upcoming", 60)
    ]


def test_the_rule_sees_the_horizon_of_its_largest_lead(tree, register_rule):
    seen = []
    register_rule("test.horizon", lambda context: seen.append(context) or [], lead_days=(30, 7))
    RuleSetting.objects.create(rule="test.horizon", unit=tree.district, lead_days="45")
    sweep(today=TODAY, rules=["test.horizon"])
    assert seen[0].today == TODAY
    assert seen[0].horizon == TODAY + datetime.timedelta(days=45)
    assert seen[0].settings.for_path(tree.unit_a.path).lead_days == (45,)


def test_inactive_users_and_units_hear_nothing(tree, people, register_rule):
    people["officer_b"].is_active = False
    people["officer_b"].save()
    closed = UnitFactory(name="Xã Đã Sáp Nhập", parent=tree.district, valid_until=D(2025, 1, 1))
    closed_officer = UserFactory(username="closed_officer")
    MembershipFactory(user=closed_officer, unit=closed, role=Membership.Role.OFFICER)
    abolished = UnitFactory(
        name="Huyện Cũ", kind=Unit.Kind.DISTRICT, parent=tree.province, valid_until=D(2025, 1, 1)
    )
    commune = UnitFactory(name="Xã Dưới Huyện Cũ", parent=abolished)
    old_staff = UserFactory(username="old_staff")
    MembershipFactory(user=old_staff, unit=abolished, role=Membership.Role.SUPERVISOR)
    register_rule(
        "test.inactive",
        _items((tree.unit_b, TODAY), (closed, TODAY), (commune, TODAY)),
        audience=(base.OFFICERS, base.SUPERVISORS),
    )
    sweep(today=TODAY, rules=["test.inactive"])
    # unit_b: its officer is inactive, its supervisors hear. closed: nothing at all.
    # commune: the abolished district's staff do not hear; the province's do.
    assert set(Reminder.objects.values_list("unit__name", "recipient__username")) == {
        ("Phường Ninh Sơn", "supervisor"),
        ("Phường Ninh Sơn", "province_staff"),
        ("Xã Dưới Huyện Cũ", "province_staff"),
    }


def test_dry_run_writes_nothing_and_counts_what_it_would_add(tree, people, register_rule):
    register_rule("test.dry", _items((tree.unit_a, TODAY), (tree.unit_b, TODAY)))
    dry = sweep(today=TODAY, dry_run=True, rules=["test.dry"])
    assert Reminder.objects.count() == 0
    assert dry.created["test.dry"] == {("due", 0): 2}
    sweep(today=TODAY, rules=["test.dry"])
    again = sweep(today=TODAY, dry_run=True, rules=["test.dry"])
    assert again.total_created == 0
    assert again.total_candidates == 2


def test_a_failing_rule_does_not_stop_the_others(tree, people, register_rule):
    def broken(context):
        raise RuntimeError("boom")

    register_rule("test.broken", broken)
    register_rule("test.fine", _items((tree.unit_a, TODAY)))
    summary = sweep(today=TODAY, rules=["test.broken", "test.fine"])
    assert "boom" in summary.errors["test.broken"]
    assert _recipients() == {"officer_a"}


def test_resolve_audiences_is_one_query(tree, people, django_assert_num_queries):
    with django_assert_num_queries(1):
        units = resolve_audiences([tree.unit_a.pk, tree.unit_b.pk, tree.other_commune.pk], TODAY)
    assert units[tree.unit_a.pk].members[base.OFFICERS] == {people["officer_a"].pk}
    assert units[tree.other_commune.pk].members[base.SUPERVISORS] == {
        people["outsider"].pk,
        people["province_staff"].pk,
    }
    assert not units[tree.other_commune.pk].members[base.OFFICERS]


def test_the_number_of_queries_does_not_grow_with_the_items(tree, people, register_rule):
    def items(context):
        units = Unit.objects.filter(name__startswith="Xã Hạn").values_list("pk", flat=True)
        return [Item(pk, f"communes.unit:{pk}", TODAY, f"Unit {pk}", "/") for pk in units]

    register_rule("test.many", items, audience=(base.OFFICERS, base.SUPERVISORS))

    def add_units(count):
        for _ in range(count):
            unit = UnitFactory(name=f"Xã Hạn {Unit.objects.count()}", parent=tree.district)
            MembershipFactory(unit=unit, role=Membership.Role.OFFICER)

    def count_queries():
        Reminder.objects.all().delete()
        with CaptureQueriesContext(connection) as context:
            summary = sweep(today=TODAY, rules=["test.many"])
        return len(context.captured_queries), summary

    add_units(5)
    few, summary = count_queries()
    assert summary.total_created == 5 * 3  # the officer, the district's and the province's staff
    add_units(45)
    many, summary = count_queries()
    assert summary.total_created == 50 * 3
    assert few == many
