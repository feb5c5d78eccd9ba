"""The certification reminder rules: measurements, score sheets (fill, finalise, approve),
version-transition deadlines, re-announcements. Each rule: the right item (object, unit, due
date), nothing for done objects or inactive units, a query count that does not grow with the
records, and the sweep's stage and recipients."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification import services
from certification.models import (
    Decision,
    Indicator,
    Measurement,
    Objective,
    QmsProfile,
    ScoreSheet,
    ScoringRound,
    StandardVersion,
    VersionTransition,
)
from communes.models import Membership
from reminders.models import Reminder
from reminders.rules import get_rule
from reminders.rules.base import Context
from reminders.services.sweep import sweep
from tests.certification.factories import V2008, V2015, announce, make_profile, version
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 3, 10)  # a Monday
MARCH_20, APRIL_1, JUNE_2024 = D(2025, 3, 20), D(2025, 4, 1), D(2024, 6, 1)

RULES = (
    "measurement_due",
    "sheet_to_fill",
    "sheet_to_finalise",
    "sheet_to_approve",
    "transition_deadline",
    "reannouncement_needed",
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


@pytest.fixture
def people(tree, officer_a, officer_b, supervisor, committee):
    head_a = UserFactory(username="head_a")
    MembershipFactory(user=head_a, unit=tree.unit_a, role=Membership.Role.COMMITTEE)
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, unit=tree.other_commune, role=Membership.Role.OFFICER)
    outside_staff = UserFactory(username="outside_staff")
    MembershipFactory(user=outside_staff, unit=tree.other_district, role=Membership.Role.SUPERVISOR)
    outside_committee = UserFactory(username="outside_committee")
    MembershipFactory(user=outside_committee, unit=tree.other_district, role=Membership.Role.COMMITTEE)
    return {"officer_a": officer_a, "head_a": head_a}


@pytest.fixture
def gone(tree):
    """A ward merged away before TODAY: it has no one left to remind."""
    return UnitFactory(
        name="Phường Đã Sáp Nhập", kind="ward", parent=tree.district, valid_until=D(2025, 1, 1)
    )


def wards(tree, n):
    return [UnitFactory(kind="ward", parent=tree.district) for _ in range(n)]


# --- measurement_due -----------------------------------------------------------------------------
def indicator(
    unit, year=2025, frequency=Indicator.Frequency.MONTHLY, measured=(), name="Tỷ lệ hồ sơ đúng hạn"
):
    objective = Objective.objects.create(
        unit=unit, year=year, statement="Giải quyết hồ sơ đúng hạn", owner="Văn phòng"
    )
    created = Indicator.objects.create(
        objective=objective, name=name, unit_of_measure="%", target=Decimal(95), frequency=frequency
    )
    user = UserFactory()
    for period in measured:
        Measurement.objects.create(
            indicator=created, period=period, value=Decimal(97), recorded_by=user, recorded_on=D(2025, 1, 5)
        )
    return created


def test_measurement_due_items(tree):
    monthly = indicator(tree.unit_a, measured=[1])  # January done; February due 10/03; March later
    quarterly = indicator(tree.unit_b, 2024, Indicator.Frequency.QUARTERLY, measured=[1, 2, 3])
    indicator(tree.unit_b, 2023, Indicator.Frequency.YEARLY)  # two years back: not reminded
    items = sorted(collect("measurement_due"), key=lambda item: item.due_on)
    assert [(i.object_key, i.unit_id, i.due_on) for i in items] == [
        (f"certification.indicator:{quarterly.pk}", tree.unit_b.pk, D(2025, 1, 10)),  # Q4 2024 + 10 days
        (f"certification.indicator:{monthly.pk}", tree.unit_a.pk, D(2025, 3, 10)),  # February + 10 days
    ]
    assert "Tỷ lệ hồ sơ đúng hạn" in items[1].title and tree.unit_a.name in items[1].title
    assert items[1].url == monthly.get_absolute_url()


def test_measurement_due_skips_measured_and_inactive(tree, gone):
    indicator(tree.unit_a, 2024, Indicator.Frequency.HALF_YEARLY, measured=[1, 2])
    indicator(gone, 2024, Indicator.Frequency.YEARLY)
    assert collect("measurement_due") == []


def test_measurement_due_queries_do_not_grow(tree):
    for _ in range(5):
        indicator(tree.unit_a, 2024, Indicator.Frequency.YEARLY)
    few, _items = queries_of("measurement_due")
    for _ in range(45):
        indicator(tree.unit_b, 2024, Indicator.Frequency.YEARLY, measured=[])
    many, items = queries_of("measurement_due")
    assert len(items) == 50
    assert few == many == 2


def test_measurement_due_sweep(tree, people):
    indicator(tree.unit_a, measured=[1])  # February due today
    indicator(tree.unit_b, 2024, Indicator.Frequency.YEARLY)  # due 10/01: long overdue
    sweep(today=TODAY, rules=["measurement_due"])
    assert set(Reminder.objects.values_list("recipient__username", "stage", "lead")) == {
        ("officer_a", "due", 0),
        # Long overdue: up to the supervisors of the district, never the other district's.
        ("officer_b", "escalated", 2),
        ("supervisor", "escalated", 2),
    }


# --- score sheets --------------------------------------------------------------------------------
def scoring_round(tree, due=MARCH_20, year=2024):
    return ScoringRound.objects.create(unit=tree.district, year=year, self_score_due=due)


def sheet(round_, unit, status=ScoreSheet.Status.DRAFT, **fields):
    return ScoreSheet.objects.create(round=round_, unit=unit, status=status, **fields)


def test_sheet_to_fill_item(tree, gone):
    round_ = scoring_round(tree)
    draft = sheet(round_, tree.unit_a)
    sheet(round_, tree.unit_b, ScoreSheet.Status.SUBMITTED, submitted_on=D(2025, 3, 1))
    sheet(round_, gone)
    sheet(ScoringRound.objects.create(unit=tree.province, year=2024), tree.unit_b)  # no deadline
    [item] = collect("sheet_to_fill")
    assert item.object_key == f"certification.scoresheet:{draft.pk}"
    assert (item.unit_id, item.due_on, item.url) == (tree.unit_a.pk, D(2025, 3, 20), draft.get_absolute_url())
    assert "2024" in item.title and tree.unit_a.name in item.title


def test_sheet_to_finalise_and_approve_items(tree, gone):
    round_ = scoring_round(tree, due=D(2025, 2, 28))
    early = sheet(round_, tree.unit_a, ScoreSheet.Status.SUBMITTED, submitted_on=D(2025, 2, 10))
    late = sheet(round_, tree.unit_b, ScoreSheet.Status.SUBMITTED, submitted_on=D(2025, 3, 3))
    sheet(round_, gone, ScoreSheet.Status.SUBMITTED, submitted_on=D(2025, 2, 10))
    items = {i.object_key: i.due_on for i in collect("sheet_to_finalise", horizon_days=30)}
    # 15 days after the later of the hand-in and the deadline.
    assert items == {
        f"certification.scoresheet:{early.pk}": D(2025, 3, 15),
        f"certification.scoresheet:{late.pk}": D(2025, 3, 18),
    }
    finalised = sheet(
        scoring_round(tree, year=2025), tree.unit_a, ScoreSheet.Status.FINALISED, finalised_on=D(2025, 3, 1)
    )
    province_round = ScoringRound.objects.create(unit=tree.province, year=2025)
    sheet(province_round, tree.unit_a, ScoreSheet.Status.APPROVED, finalised_on=D(2025, 3, 1))
    [item] = collect("sheet_to_approve")
    assert (item.object_key, item.unit_id, item.due_on) == (
        f"certification.scoresheet:{finalised.pk}",
        tree.unit_a.pk,
        D(2025, 3, 16),
    )


def test_sheets_of_rounds_before_last_year_are_closed_business(tree):
    old = scoring_round(tree, due=D(2024, 1, 15), year=2023)
    sheet(old, tree.unit_a)
    sheet(old, tree.unit_b, ScoreSheet.Status.SUBMITTED, submitted_on=D(2024, 1, 10))
    assert collect("sheet_to_fill") == collect("sheet_to_finalise") == []


@pytest.mark.parametrize(
    ("key", "status", "fields"),
    [
        ("sheet_to_fill", ScoreSheet.Status.DRAFT, {}),
        ("sheet_to_finalise", ScoreSheet.Status.SUBMITTED, {"submitted_on": D(2025, 3, 1)}),
        ("sheet_to_approve", ScoreSheet.Status.FINALISED, {"finalised_on": D(2025, 3, 1)}),
    ],
)
def test_sheet_queries_do_not_grow(tree, key, status, fields):
    round_ = scoring_round(tree, due=D(2025, 3, 1))
    for unit in wards(tree, 5):
        sheet(round_, unit, status, **fields)
    few, _items = queries_of(key)
    for unit in wards(tree, 45):
        sheet(round_, unit, status, **fields)
    many, items = queries_of(key)
    assert len(items) == 50
    assert few == many == 1


def test_sheet_sweeps_reach_officers_supervisors_and_the_committee_above(tree, people):
    sheet(scoring_round(tree, due=D(2025, 3, 13)), tree.unit_a)  # to fill: 3 days ahead
    earlier = scoring_round(tree, due=D(2025, 2, 1), year=2025)
    sheet(earlier, tree.unit_b, ScoreSheet.Status.SUBMITTED, submitted_on=D(2025, 2, 20))  # due 07/03
    other_round = ScoringRound.objects.create(unit=tree.other_district, year=2024)
    sheet(
        other_round, tree.other_commune, ScoreSheet.Status.FINALISED, finalised_on=D(2025, 2, 20)
    )  # due 07/03
    sweep(today=TODAY, rules=["sheet_to_fill", "sheet_to_finalise", "sheet_to_approve"])
    rows = set(Reminder.objects.values_list("rule", "recipient__username", "stage", "lead"))
    assert rows == {
        ("sheet_to_fill", "officer_a", "upcoming", 3),
        # Not escalated to the ward's own people: only the supervisors above it, still overdue.
        ("sheet_to_finalise", "supervisor", "overdue", 0),
        ("sheet_to_approve", "outside_committee", "overdue", 0),
    }


# --- transition_deadline -------------------------------------------------------------------------
def decision(unit, code, signed_on=JUNE_2024, number="01/QĐ"):
    return Decision.objects.create(
        unit=unit,
        kind=Decision.Kind.ANNOUNCEMENT,
        number=number,
        signed_on=signed_on,
        signer="Chủ tịch UBND",
        standard_version=version(code) if code in (V2008, V2015) else StandardVersion.objects.get(code=code),
    )


def transition(unit, deadline=APRIL_1, code=V2015):
    return VersionTransition.objects.create(unit=unit, target_version=version(code), deadline=deadline)


def test_transition_deadline_items(tree, gone):
    moved = transition(tree.district)
    decision(tree.unit_a, V2015)  # done
    decision(tree.unit_b, V2008)  # still on 2008
    later = UnitFactory(kind="ward", parent=tree.district, valid_from=D(2025, 7, 1))  # set up after it
    decision(gone, V2008)
    StandardVersion.objects.create(code="TCVN ISO 9001:2030", sort_order=30)
    ahead = UnitFactory(kind="ward", parent=tree.district)
    decision(ahead, "TCVN ISO 9001:2030")  # already on a later version
    fresh = UnitFactory(kind="commune", parent=tree.district)  # no decision at all
    items = {item.unit_id: item for item in collect("transition_deadline")}
    assert set(items) == {tree.unit_b.pk, fresh.pk}
    assert later.pk not in items and tree.other_commune.pk not in items
    item = items[tree.unit_b.pk]
    assert item.object_key == f"certification.versiontransition:{moved.pk}/unit:{tree.unit_b.pk}"
    assert (item.due_on, item.url) == (D(2025, 4, 1), moved.get_absolute_url())
    assert V2015 in item.title and tree.unit_b.name in item.title


def test_transition_deadline_queries_do_not_grow(tree):
    transition(tree.district)
    transition(tree.other_district)
    for unit in wards(tree, 5):
        decision(unit, V2008)
    few, _items = queries_of("transition_deadline")
    for unit in wards(tree, 45):
        decision(unit, V2008)
    many, items = queries_of("transition_deadline")
    assert len(items) == 50 + 2 + 1  # and unit_a, unit_b, other_commune without a decision
    assert few == many == 3


def test_transition_deadline_sweep(tree, people):
    transition(tree.district, deadline=D(2025, 4, 9))  # 30 days ahead
    decision(tree.unit_a, V2008)
    decision(tree.unit_b, V2015)
    sweep(today=TODAY, rules=["transition_deadline"])
    assert list(Reminder.objects.values_list("recipient__username", "stage", "lead")) == [
        ("officer_a", "upcoming", 30)
    ]


# --- reannouncement_needed -----------------------------------------------------------------------
def at(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def needs_reannouncement(actor, unit):
    """A profile announced, then its scope changed (through the services), dated in the past:
    announced in 2018, the scope changed on 10/12/2024, edited again on 05/01/2025."""
    profile = make_profile(actor, unit)
    announce(actor, unit)
    profile = services.profile_update(actor=actor, profile=profile, scope_statement="Phạm vi mới.")
    assert profile.status == QmsProfile.Status.NEEDS_REANNOUNCEMENT
    services.profile_update(actor=actor, profile=profile, steering_members="Nguyễn Văn A, Chủ tịch")
    history = list(QmsProfile.history.filter(id=profile.pk).order_by("history_id"))
    needing = [h for h in history if h.status == QmsProfile.Status.NEEDS_REANNOUNCEMENT]
    for row in history:
        row.history_date = at(D(2018, 12, 20))
    needing[0].history_date = at(D(2024, 12, 10))
    for row in needing[1:]:
        row.history_date = at(D(2025, 1, 5))
    QmsProfile.history.model.objects.bulk_update(history, ["history_date"])
    return profile


def test_reannouncement_needed_item(tree, supervisor, gone):
    profile = needs_reannouncement(supervisor, tree.unit_a)
    make_profile(supervisor, tree.unit_b)
    announce(supervisor, tree.unit_b)  # announced and unchanged
    [item] = collect("reannouncement_needed")
    # 3 months from 10/12/2024 (the day the status changed, not the later edit): Monday 10/03/2025.
    assert item.object_key == f"certification.qmsprofile:{profile.pk}"
    assert (item.unit_id, item.due_on, item.url) == (
        tree.unit_a.pk,
        D(2025, 3, 10),
        profile.get_absolute_url(),
    )
    assert tree.unit_a.name in item.title


def test_reannouncement_needed_done_and_inactive(tree, supervisor, gone):
    profile = needs_reannouncement(supervisor, tree.unit_a)
    services.decision_record(
        actor=supervisor,
        unit=tree.unit_a,
        kind=Decision.Kind.REANNOUNCEMENT,
        reason=Decision.Reason.SCOPE_CHANGE,
        number="20/QĐ-UBND",
        signed_on=D(2025, 1, 20),
        signer="Chủ tịch UBND",
    )
    profile.refresh_from_db()
    assert profile.status == QmsProfile.Status.ANNOUNCED
    QmsProfile.objects.create(
        unit=gone, standard_version=version(V2015), status=QmsProfile.Status.NEEDS_REANNOUNCEMENT
    )
    assert collect("reannouncement_needed", horizon_days=365) == []


def test_reannouncement_needed_queries_do_not_grow(tree):
    def add(n):
        for unit in wards(tree, n):
            QmsProfile.objects.create(
                unit=unit, standard_version=version(V2015), status=QmsProfile.Status.NEEDS_REANNOUNCEMENT
            )

    add(5)
    few, _items = queries_of(
        "reannouncement_needed", today=timezone.localdate() + datetime.timedelta(days=100)
    )
    add(45)
    many, items = queries_of(
        "reannouncement_needed", today=timezone.localdate() + datetime.timedelta(days=100)
    )
    assert len(items) == 50
    assert few == many == 2


def test_reannouncement_needed_sweep(tree, people, supervisor):
    needs_reannouncement(supervisor, tree.unit_a)
    sweep(today=D(2025, 3, 17), rules=["reannouncement_needed"])  # 5 working days late
    assert recipients(stage="escalated", lead=1) == {"officer_a", "head_a"}
    assert recipients() == {"officer_a", "head_a"}
