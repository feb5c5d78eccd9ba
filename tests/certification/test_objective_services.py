"""Quality objectives, indicators and measurements through the services (ISO 9001:2015 §6.2,
§9.1): who may write, the rules that keep measured records, the copy from the previous year,
pass or fail in both directions, period bounds, overdue periods, and the supervisor's flags."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from certification import selectors
from certification.models import MEASUREMENT_GRACE_DAYS, Indicator, Measurement, Objective
from certification.selectors import PeriodCell
from certification.services import objectives as services
from core import clock
from tests.certification.factories import english  # noqa: F401 -- fixture
from tests.certification.matrix_objectives import make_indicator, make_measurement, make_objective

pytestmark = pytest.mark.usefixtures("english")
D = datetime.date
YEAR = 2019
LATE_2019 = D(2019, 12, 20)


@pytest.fixture
def objective(tree, officer_a):
    return services.objective_create(
        actor=officer_a,
        unit=tree.unit_a,
        year=YEAR,
        statement="  Giải quyết đúng hạn 100% hồ sơ TTHC  ",
        owner="Chủ tịch UBND",
    )


@pytest.fixture
def indicator(objective, officer_a):
    return services.indicator_create(
        actor=officer_a,
        objective=objective,
        name="Tỷ lệ hồ sơ đúng hạn",
        unit_of_measure="%",
        target="95",
        direction="at_least",
        frequency="quarterly",
    )


def record(actor, indicator, period, value, comment="", today=LATE_2019):
    with clock.as_of(today):
        return services.measurement_record(
            actor=actor, indicator=indicator, period=period, value=value, comment=comment
        )


# --- Objectives ---------------------------------------------------------------------------------
def test_an_officer_creates_an_objective_of_her_unit(objective, tree):
    assert objective.unit == tree.unit_a and objective.year == YEAR
    assert objective.statement == "Giải quyết đúng hạn 100% hồ sơ TTHC"  # stripped
    assert objective.history.count() == 1


@pytest.mark.parametrize("actor", ["officer_b", "auditor", "viewer", "committee"])
def test_only_writers_of_the_unit_create_objectives(actor, tree, actors):
    with pytest.raises(PermissionDenied):
        services.objective_create(
            actor=actors[actor], unit=tree.unit_a, year=YEAR, statement="Mục tiêu", owner="Chủ tịch"
        )
    assert not Objective.objects.exists()


def test_the_supervisor_writes_objectives_of_units_below(tree, supervisor):
    objective = services.objective_create(
        actor=supervisor, unit=tree.unit_b, year=YEAR, statement="Mục tiêu", owner="Chủ tịch"
    )
    assert objective.unit == tree.unit_b
    with pytest.raises(PermissionDenied):
        services.objective_create(
            actor=supervisor, unit=tree.other_commune, year=YEAR, statement="Mục tiêu", owner="Chủ tịch"
        )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"statement": "   "}, "statement"),
        ({"owner": ""}, "owner"),
        ({"year": 1990}, "year"),
        ({"year": 2101}, "year"),
    ],
)
def test_bad_objectives_are_refused(fields, field, tree, officer_a):
    values = {"year": YEAR, "statement": "Mục tiêu", "owner": "Chủ tịch"} | fields
    with pytest.raises(ValidationError) as exc:
        services.objective_create(actor=officer_a, unit=tree.unit_a, **values)
    assert field in exc.value.message_dict
    assert not Objective.objects.exists()


def test_an_objective_is_updated(objective, officer_a):
    services.objective_update(
        actor=officer_a, objective=objective, statement="Mới", owner="Phó Chủ tịch", year=2020
    )
    objective.refresh_from_db()
    assert (objective.statement, objective.owner, objective.year) == ("Mới", "Phó Chủ tịch", 2020)


def test_other_units_cannot_update_an_objective(objective, officer_b, viewer):
    for actor in (officer_b, viewer):
        with pytest.raises(PermissionDenied):
            services.objective_update(actor=actor, objective=objective, statement="Khác")
    objective.refresh_from_db()
    assert objective.statement != "Khác"


def test_the_year_of_a_measured_objective_is_fixed(objective, indicator, officer_a):
    record(officer_a, indicator, 1, "96")
    with pytest.raises(ValidationError) as exc:
        services.objective_update(actor=officer_a, objective=objective, year=2020)
    assert "year" in exc.value.message_dict
    objective.refresh_from_db()
    assert objective.year == YEAR
    # Other fields still change; so does the same year.
    services.objective_update(actor=officer_a, objective=objective, year=YEAR, owner="Văn phòng")
    objective.refresh_from_db()
    assert objective.owner == "Văn phòng"


def test_an_objective_without_measurements_is_deleted_with_its_indicators(objective, indicator, officer_a):
    services.objective_delete(actor=officer_a, objective=objective)
    assert not Objective.objects.exists() and not Indicator.objects.exists()


def test_an_objective_with_measurements_is_a_record(objective, indicator, officer_a):
    record(officer_a, indicator, 1, "96")
    with pytest.raises(ValidationError, match="cannot be deleted"):
        services.objective_delete(actor=officer_a, objective=objective)
    assert Objective.objects.filter(pk=objective.pk).exists()


def test_other_units_cannot_delete_an_objective(objective, officer_b, auditor):
    for actor in (officer_b, auditor):
        with pytest.raises(PermissionDenied):
            services.objective_delete(actor=actor, objective=objective)
    assert Objective.objects.filter(pk=objective.pk).exists()


# --- Copy from the previous year -----------------------------------------------------------------
def test_objectives_are_copied_from_the_previous_year(objective, indicator, officer_a, supervisor, tree):
    second = make_objective(tree.unit_a, year=YEAR, statement="Nâng cao hài lòng", order=2)
    make_indicator(
        second, name="Tỷ lệ hài lòng", direction="at_most", target=Decimal("3"), frequency="yearly"
    )
    record(officer_a, indicator, 1, "80")
    services.indicator_flag(actor=supervisor, indicator=indicator, comment="Không phù hợp")
    make_objective(tree.unit_b, year=YEAR)  # another unit's objectives stay where they are

    copies = services.objectives_copy(actor=officer_a, unit=tree.unit_a, year=YEAR + 1)

    assert [c.statement for c in copies] == [objective.statement, "Nâng cao hài lòng"]
    assert all(c.year == YEAR + 1 and c.unit == tree.unit_a for c in copies)
    assert [c.copied_from for c in copies] == [objective, second]
    new = Indicator.objects.filter(objective__year=YEAR + 1).order_by("objective__order")
    assert [(i.name, i.target, i.direction, i.frequency) for i in new] == [
        ("Tỷ lệ hồ sơ đúng hạn", Decimal("95"), "at_least", "quarterly"),
        ("Tỷ lệ hài lòng", Decimal("3"), "at_most", "yearly"),
    ]
    # Neither measurements nor flags travel.
    assert not Measurement.objects.filter(indicator__objective__year=YEAR + 1).exists()
    assert not any(i.flagged for i in new)
    assert Objective.objects.filter(unit=tree.unit_b).count() == 1


def test_copy_is_refused_when_the_year_has_objectives(objective, indicator, officer_a, tree):
    make_objective(tree.unit_a, year=YEAR + 1, statement="Đã có")
    with pytest.raises(ValidationError, match="already has objectives"):
        services.objectives_copy(actor=officer_a, unit=tree.unit_a, year=YEAR + 1)
    assert Objective.objects.filter(unit=tree.unit_a, year=YEAR + 1).count() == 1


def test_copy_is_refused_when_the_previous_year_is_empty(tree, officer_a):
    with pytest.raises(ValidationError, match="has no objectives to copy"):
        services.objectives_copy(actor=officer_a, unit=tree.unit_a, year=YEAR)
    assert not Objective.objects.exists()


@pytest.mark.parametrize("actor", ["officer_b", "viewer", "committee", "auditor"])
def test_only_writers_copy_objectives(actor, objective, actors, tree):
    with pytest.raises(PermissionDenied):
        services.objectives_copy(actor=actors[actor], unit=tree.unit_a, year=YEAR + 1)
    assert not Objective.objects.filter(year=YEAR + 1).exists()


# --- Indicators ---------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["96,5", "96.5", " 96,50 ", Decimal("96.5")])
def test_targets_accept_a_comma_or_a_point(typed, objective, officer_a):
    indicator = services.indicator_create(
        actor=officer_a,
        objective=objective,
        name="Hài lòng",
        unit_of_measure="%",
        target=typed,
        direction="at_least",
        frequency="monthly",
    )
    assert indicator.target == Decimal("96.5")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"target": "abc"}, "target"),
        ({"target": "NaN"}, "target"),
        ({"target": ""}, "target"),
        ({"target": "1.234"}, "target"),
        ({"direction": "sideways"}, "direction"),
        ({"frequency": "weekly"}, "frequency"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_indicators_are_refused(fields, field, objective, officer_a):
    values = {
        "name": "Hài lòng",
        "unit_of_measure": "%",
        "target": "95",
        "direction": "at_least",
        "frequency": "quarterly",
    } | fields
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(actor=officer_a, objective=objective, **values)
    assert field in exc.value.message_dict
    assert not Indicator.objects.exists()


@pytest.mark.parametrize("actor", ["officer_b", "auditor", "viewer", "committee"])
def test_only_writers_add_indicators(actor, objective, actors):
    with pytest.raises(PermissionDenied):
        services.indicator_create(
            actor=actors[actor],
            objective=objective,
            name="X",
            unit_of_measure="%",
            target="1",
            direction="at_least",
            frequency="yearly",
        )
    assert not Indicator.objects.exists()


def test_an_indicator_is_updated(indicator, officer_a):
    services.indicator_update(
        actor=officer_a, indicator=indicator, target="3,5", direction="at_most", frequency="monthly"
    )
    indicator.refresh_from_db()
    assert (indicator.target, indicator.direction, indicator.frequency) == (
        Decimal("3.5"),
        "at_most",
        "monthly",
    )


def test_the_frequency_of_a_measured_indicator_is_fixed(indicator, officer_a):
    record(officer_a, indicator, 1, "96")
    with pytest.raises(ValidationError) as exc:
        services.indicator_update(actor=officer_a, indicator=indicator, frequency="monthly")
    assert "frequency" in exc.value.message_dict
    indicator.refresh_from_db()
    assert indicator.frequency == "quarterly"
    # The target may still be revised (the history keeps the old one).
    services.indicator_update(actor=officer_a, indicator=indicator, target="97", frequency="quarterly")
    indicator.refresh_from_db()
    assert indicator.target == Decimal("97")


def test_a_bad_target_leaves_the_indicator_unchanged(indicator, officer_a):
    with pytest.raises(ValidationError):
        services.indicator_update(actor=officer_a, indicator=indicator, target="chín lăm", name="Mới")
    indicator.refresh_from_db()
    assert (indicator.target, indicator.name) == (Decimal("95"), "Tỷ lệ hồ sơ đúng hạn")


def test_other_units_cannot_update_or_delete_an_indicator(indicator, officer_b, committee):
    for actor in (officer_b, committee):
        with pytest.raises(PermissionDenied):
            services.indicator_update(actor=actor, indicator=indicator, name="Khác")
        with pytest.raises(PermissionDenied):
            services.indicator_delete(actor=actor, indicator=indicator)
    assert Indicator.objects.get(pk=indicator.pk).name == "Tỷ lệ hồ sơ đúng hạn"


def test_an_indicator_without_measurements_is_deleted(indicator, officer_a):
    services.indicator_delete(actor=officer_a, indicator=indicator)
    assert not Indicator.objects.exists()


def test_an_indicator_with_measurements_is_a_record(indicator, officer_a):
    record(officer_a, indicator, 1, "96")
    with pytest.raises(ValidationError, match="cannot be deleted"):
        services.indicator_delete(actor=officer_a, indicator=indicator)
    assert Indicator.objects.filter(pk=indicator.pk).exists()


# --- Period bounds ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("frequency", "period", "start", "end"),
    [
        ("monthly", 1, D(2020, 1, 1), D(2020, 1, 31)),
        ("monthly", 2, D(2020, 2, 1), D(2020, 2, 29)),  # leap year
        ("monthly", 12, D(2020, 12, 1), D(2020, 12, 31)),
        ("quarterly", 1, D(2020, 1, 1), D(2020, 3, 31)),
        ("quarterly", 2, D(2020, 4, 1), D(2020, 6, 30)),
        ("quarterly", 4, D(2020, 10, 1), D(2020, 12, 31)),
        ("half_yearly", 1, D(2020, 1, 1), D(2020, 6, 30)),
        ("half_yearly", 2, D(2020, 7, 1), D(2020, 12, 31)),
        ("yearly", 1, D(2020, 1, 1), D(2020, 12, 31)),
    ],
)
def test_period_bounds_for_each_frequency(frequency, period, start, end):
    indicator = Indicator(frequency=frequency)
    assert indicator.period_bounds(2020, period) == (start, end)
    assert indicator.due_on(2020, period) == end + datetime.timedelta(days=MEASUREMENT_GRACE_DAYS)


@pytest.mark.parametrize(
    ("frequency", "count"), [("monthly", 12), ("quarterly", 4), ("half_yearly", 2), ("yearly", 1)]
)
def test_period_counts(frequency, count):
    assert Indicator(frequency=frequency).period_count == count


# --- Measurements -------------------------------------------------------------------------------
def test_a_measurement_is_recorded_and_corrected(indicator, officer_a, supervisor):
    first = record(officer_a, indicator, 2, "96,5", "  Đạt  ", today=D(2019, 7, 3))
    assert (first.value, first.comment, first.recorded_by, first.recorded_on) == (
        Decimal("96.5"),
        "Đạt",
        officer_a,
        D(2019, 7, 3),
    )
    second = record(supervisor, indicator, "2", "94.25", "Sửa số liệu")
    assert second.pk == first.pk
    assert Measurement.objects.count() == 1
    assert (second.value, second.recorded_by) == (Decimal("94.25"), supervisor)
    assert second.history.count() == 2


@pytest.mark.parametrize(
    ("direction", "target", "value", "passes"),
    [
        ("at_least", "95", "96,5", True),
        ("at_least", "95", "95", True),  # the target itself is met
        ("at_least", "95", "94.99", False),
        ("at_most", "3", "2", True),
        ("at_most", "3", "3", True),
        ("at_most", "3", "3,01", False),
    ],
)
def test_pass_or_fail_in_both_directions(direction, target, value, passes, objective, officer_a):
    indicator = services.indicator_create(
        actor=officer_a,
        objective=objective,
        name="Chỉ số",
        unit_of_measure="ngày" if direction == "at_most" else "%",
        target=target,
        direction=direction,
        frequency="yearly",
    )
    measurement = record(officer_a, indicator, 1, value)
    assert measurement.passed is passes
    cell = selectors.period_cells(indicator, YEAR, {1: measurement}, LATE_2019)[0]
    assert cell.state == (PeriodCell.PASSED if passes else PeriodCell.FAILED)


@pytest.mark.parametrize("value", ["abc", "", "NaN", "1,2,3", "9" * 20, "1.234"])
def test_bad_values_are_refused(value, indicator, officer_a):
    with pytest.raises(ValidationError) as exc:
        record(officer_a, indicator, 1, value)
    assert "value" in exc.value.message_dict
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("period", [0, 5, 13, "x", None])
def test_periods_outside_the_frequency_are_refused(period, indicator, officer_a):
    with pytest.raises(ValidationError) as exc:
        record(officer_a, indicator, period, "96")
    assert "period" in exc.value.message_dict
    assert not Measurement.objects.exists()


def test_a_period_that_has_not_begun_is_refused(indicator, officer_a):
    # 31 March 2019: Q1 has begun (even not ended), Q2 has not.
    with pytest.raises(ValidationError, match="has not begun"):
        record(officer_a, indicator, 2, "96", today=D(2019, 3, 31))
    assert not Measurement.objects.exists()
    assert record(officer_a, indicator, 1, "96", today=D(2019, 3, 31)).period == 1
    # The first day of Q2 is enough.
    assert record(officer_a, indicator, 2, "96", today=D(2019, 4, 1)).period == 2


@pytest.mark.parametrize("actor", ["officer_b", "auditor", "viewer", "committee"])
def test_only_writers_record_measurements(actor, indicator, actors):
    with pytest.raises(PermissionDenied):
        record(actors[actor], indicator, 1, "96")
    assert not Measurement.objects.exists()


# --- Overdue ------------------------------------------------------------------------------------
def test_a_missing_measurement_is_overdue_after_the_grace_days(indicator):
    end_q1 = D(YEAR, 3, 31)
    due = end_q1 + datetime.timedelta(days=MEASUREMENT_GRACE_DAYS)

    def state(today):
        return selectors.period_cells(indicator, YEAR, {}, today)[0].state

    assert state(D(YEAR, 1, 1) - datetime.timedelta(days=1)) == PeriodCell.FUTURE
    assert state(D(YEAR, 2, 1)) == PeriodCell.DUE
    assert state(end_q1) == PeriodCell.DUE
    assert state(due) == PeriodCell.DUE  # the last day of grace
    assert state(due + datetime.timedelta(days=1)) == PeriodCell.OVERDUE

    assert selectors.overdue_measurements(Indicator.objects.all(), today=due) == []
    overdue = selectors.overdue_measurements(Indicator.objects.all(), today=due + datetime.timedelta(days=1))
    assert overdue == [(indicator, YEAR, 1, due)]


def test_objectives_with_cells_counts_each_state(objective, indicator, officer_a, django_assert_num_queries):
    record(officer_a, indicator, 1, "96")  # passed
    record(officer_a, indicator, 2, "90")  # failed
    # Q3 is overdue on 20 October (ended 30 September + 10 days); Q4 is due.
    with django_assert_num_queries(3):
        [loaded] = selectors.objectives_with_cells(Objective.objects.all(), today=D(YEAR, 10, 20))
    [cells_of] = loaded.indicators.all()
    assert [c.state for c in cells_of.cells] == ["passed", "failed", "overdue", "due"]
    assert (cells_of.passed, cells_of.failed, cells_of.overdue) == (1, 1, 1)


def test_objectives_with_cells_keeps_three_queries(tree, officer_a, django_assert_num_queries):
    for n in range(5):
        objective = make_objective(tree.unit_a, year=YEAR, statement=f"Mục tiêu {n}")
        for m in range(3):
            ind = make_indicator(objective, name=f"Chỉ số {m}", frequency="monthly")
            make_measurement(ind, 1, 96, officer_a)
    with django_assert_num_queries(3):
        loaded = selectors.objectives_with_cells(Objective.objects.all(), today=LATE_2019)
        for o in loaded:
            for i in o.indicators.all():
                for c in i.cells:
                    if c.measurement:
                        str(c.measurement.recorded_by)  # loaded with the measurement
                str(i.flagged_by)


# --- Flags --------------------------------------------------------------------------------------
def test_the_supervisor_flags_an_indicator_with_a_comment(indicator, supervisor):
    with clock.as_of(D(2019, 5, 2)):
        services.indicator_flag(
            actor=supervisor, indicator=indicator, comment="  Chỉ số không đo mục tiêu.  "
        )
    indicator.refresh_from_db()
    assert indicator.flagged
    assert indicator.flag_comment == "Chỉ số không đo mục tiêu."
    assert (indicator.flagged_by, indicator.flagged_on) == (supervisor, D(2019, 5, 2))


@pytest.mark.parametrize("comment", ["", "   ", None])
def test_a_flag_needs_a_comment(comment, indicator, supervisor):
    with pytest.raises(ValidationError) as exc:
        services.indicator_flag(actor=supervisor, indicator=indicator, comment=comment)
    assert "flag_comment" in exc.value.message_dict
    indicator.refresh_from_db()
    assert not indicator.flagged and indicator.flagged_by is None


@pytest.mark.parametrize("actor", ["officer_a", "officer_b", "auditor", "viewer", "committee"])
def test_only_the_supervisor_flags(actor, indicator, actors):
    with pytest.raises(PermissionDenied, match="Only the supervisor"):
        services.indicator_flag(actor=actors[actor], indicator=indicator, comment="Không phù hợp")
    indicator.refresh_from_db()
    assert not indicator.flagged


def test_a_supervisor_elsewhere_cannot_flag(tree, supervisor):
    foreign = make_indicator(make_objective(tree.other_commune, year=YEAR))
    with pytest.raises(PermissionDenied):
        services.indicator_flag(actor=supervisor, indicator=foreign, comment="Không phù hợp")


def test_the_supervisor_removes_a_flag_an_officer_cannot(indicator, supervisor, officer_a):
    services.indicator_flag(actor=supervisor, indicator=indicator, comment="Không phù hợp")
    with pytest.raises(PermissionDenied):
        services.indicator_unflag(actor=officer_a, indicator=indicator)
    indicator.refresh_from_db()
    assert indicator.flagged
    services.indicator_unflag(actor=supervisor, indicator=indicator)
    indicator.refresh_from_db()
    assert not indicator.flagged
    assert (indicator.flag_comment, indicator.flagged_by, indicator.flagged_on) == ("", None, None)
