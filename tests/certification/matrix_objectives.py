"""Permission-matrix rows of the quality objectives pages (see tests/matrix.py).

The objects live in unit A (officer_a's ward): out of scope (officer_b) → 404; in scope without
the right (auditor, viewer, committee for writes; officers for flags, which need MANAGE) → 403.
Successful POSTs redirect (302).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from certification.models import Indicator, Measurement, Objective
from tests.matrix import Row, everyone

# A year far from today, empty in unit A, whose previous year has objectives: the copy works.
COPY_YEAR = 2031


def make_objective(unit, year=None, **fields):
    values = {
        "year": year or timezone.localdate().year,
        "statement": "Giải quyết đúng hạn hồ sơ thủ tục hành chính",
        "owner": "Chủ tịch UBND",
    }
    return Objective.objects.create(unit=unit, **(values | fields))


def make_indicator(objective, **fields):
    values = {
        "name": "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "unit_of_measure": "%",
        "target": Decimal("95"),
        "direction": Indicator.Direction.AT_LEAST,
        "frequency": Indicator.Frequency.QUARTERLY,
    }
    return Indicator.objects.create(objective=objective, **(values | fields))


def make_measurement(indicator, period, value, recorded_by, **fields):
    return Measurement.objects.create(
        indicator=indicator,
        period=period,
        value=Decimal(str(value)),
        recorded_by=recorded_by,
        recorded_on=fields.pop("recorded_on", datetime.date(indicator.objective.year, 12, 31)),
        **fields,
    )


def setup(tree, actors):
    supervisor = actors["supervisor"]
    objective = make_objective(tree.unit_a)
    objective_x = make_objective(tree.other_commune)
    flagged = make_indicator(objective, name="Số lượt khen thưởng")
    flagged.flagged, flagged.flag_comment, flagged.flagged_by = True, "Không đo mục tiêu.", supervisor
    flagged.flagged_on = timezone.localdate()
    flagged.save()
    make_indicator(make_objective(tree.unit_a, year=COPY_YEAR - 1))
    return {
        "objective": objective,
        "objective_b": make_objective(tree.unit_b),
        "objective_x": objective_x,
        "indicator": make_indicator(objective),
        "indicator_x": make_indicator(objective_x),
        "flagged": flagged,
    }


CHANGE = everyone(403, officer_a=200, officer_b=404, supervisor=200, superuser=200)
CHANGE_POST = everyone(403, officer_a=302, officer_b=404, supervisor=302, superuser=302)
MANAGE = everyone(403, officer_b=404, supervisor=200, superuser=200)
MANAGE_POST = everyone(403, officer_b=404, supervisor=302, superuser=302)
WRITERS = everyone(403, officer_a=200, officer_b=200, supervisor=200, superuser=200)
OUTSIDE = everyone(404, superuser=200)


def _objective_data(c):
    return {
        "unit": c.unit_a.pk,
        "year": timezone.localdate().year,
        "statement": "100% hồ sơ được số hóa",
        "owner": "Công chức văn phòng",
        "order": "1",
    }


INDICATOR_DATA = {
    "name": "Tỷ lệ hài lòng",
    "unit_of_measure": "%",
    "direction": "at_least",
    "target": "96,5",
    "frequency": "quarterly",
    "order": "0",
}


def _pk(name):
    return lambda c: {"pk": getattr(c, name).pk}


ROWS = [
    Row("certification:objective_list", everyone(200)),
    Row(
        "certification:objective_list",
        everyone(200, officer_b=404),
        data=lambda c: {"unit": c.unit_a.pk},
        label="objective_list (unit A)",
    ),
    Row(
        "certification:objective_list",
        OUTSIDE,
        data=lambda c: {"unit": c.other_commune.pk},
        label="objective_list (other district)",
    ),
    Row("certification:objective_list", everyone(200), data={"unit": "all"}, label="objective_list (all)"),
    Row(
        "certification:objectives_copy",
        CHANGE_POST,
        method="post",
        data=lambda c: {"unit": c.unit_a.pk, "year": COPY_YEAR},
        label="objectives_copy (POST, unit A)",
    ),
    Row("certification:objective_create", WRITERS, label="objective_create (choose a unit)"),
    Row(
        "certification:objective_create",
        CHANGE,
        data=lambda c: {"unit": c.unit_a.pk},
        label="objective_create (unit A)",
    ),
    Row(
        "certification:objective_create",
        everyone(403, officer_a=404, officer_b=404, supervisor=404, superuser=200),
        data=lambda c: {"unit": c.other_commune.pk},
        label="objective_create (other district)",
    ),
    Row(
        "certification:objective_create",
        CHANGE_POST,
        method="post",
        data=_objective_data,
        label="objective_create (POST, unit A)",
    ),
    Row(
        "certification:objective_detail",
        everyone(200, officer_b=404),
        kwargs=_pk("objective"),
        label="objective_detail (unit A)",
    ),
    Row(
        "certification:objective_detail",
        everyone(200, officer_a=404),
        kwargs=_pk("objective_b"),
        label="objective_detail (unit B)",
    ),
    Row(
        "certification:objective_detail",
        OUTSIDE,
        kwargs=_pk("objective_x"),
        label="objective_detail (other district)",
    ),
    Row("certification:objective_update", CHANGE, kwargs=_pk("objective")),
    Row(
        "certification:objective_update",
        CHANGE_POST,
        kwargs=_pk("objective"),
        method="post",
        data=_objective_data,
        label="objective_update (POST)",
    ),
    Row("certification:objective_delete", CHANGE, kwargs=_pk("objective")),
    Row(
        "certification:objective_delete",
        CHANGE_POST,
        kwargs=_pk("objective"),
        method="post",
        label="objective_delete (POST)",
    ),
    Row("certification:indicator_create", CHANGE, kwargs=_pk("objective")),
    Row(
        "certification:indicator_create",
        CHANGE_POST,
        kwargs=_pk("objective"),
        method="post",
        data=INDICATOR_DATA,
        label="indicator_create (POST)",
    ),
    Row("certification:indicator_update", CHANGE, kwargs=_pk("indicator")),
    Row(
        "certification:indicator_update",
        CHANGE_POST,
        kwargs=_pk("indicator"),
        method="post",
        data=INDICATOR_DATA,
        label="indicator_update (POST)",
    ),
    Row(
        "certification:indicator_update",
        OUTSIDE,
        kwargs=_pk("indicator_x"),
        label="indicator_update (other district)",
    ),
    Row("certification:indicator_delete", CHANGE, kwargs=_pk("indicator")),
    Row(
        "certification:indicator_delete",
        CHANGE_POST,
        kwargs=_pk("indicator"),
        method="post",
        label="indicator_delete (POST)",
    ),
    Row("certification:measurement_record", CHANGE, kwargs=_pk("indicator"), data={"period": "1"}),
    Row(
        "certification:measurement_record",
        CHANGE_POST,
        kwargs=_pk("indicator"),
        method="post",
        data={"period": "1", "value": "96,5", "comment": "Đạt."},
        label="measurement_record (POST)",
    ),
    Row(
        "certification:measurement_record",
        OUTSIDE,
        kwargs=_pk("indicator_x"),
        label="measurement_record (other district)",
    ),
    Row("certification:indicator_flag", MANAGE, kwargs=_pk("indicator")),
    Row(
        "certification:indicator_flag",
        MANAGE_POST,
        kwargs=_pk("indicator"),
        method="post",
        data={"flag_comment": "Chỉ số không đo được mục tiêu."},
        label="indicator_flag (POST)",
    ),
    Row(
        "certification:indicator_unflag",
        MANAGE_POST,
        kwargs=_pk("flagged"),
        method="post",
        label="indicator_unflag (POST)",
    ),
    Row("certification:flagged_list", everyone(200)),
]
