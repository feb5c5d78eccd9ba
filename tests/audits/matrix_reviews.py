"""Permission-matrix rows of management reviews and inspections (see tests/matrix.py).

The objects live in unit A (officer_a's ward): out of scope (officer_b) → 404; in scope without
the right (auditor, viewer, committee for writes; officers for what needs MANAGE) → 403.
Successful POSTs redirect (302).
"""

import datetime

from django.utils import timezone

from audits.models import Inspection, ManagementReview
from tests.matrix import Row, everyone


def make_review(unit, recorded_by, **fields):
    values = {
        "held_on": datetime.date(2019, 12, 20),
        "chair": "Nguyễn Văn An, Chủ tịch UBND",
        "attendees": "Ban Chỉ đạo ISO",
        "recorded_by": recorded_by,
    }
    return ManagementReview.objects.create(unit=unit, **(values | fields))


def make_inspection(unit, created_by, **fields):
    values = {"year": 2019, "decision_number": "123/QĐ-UBND", "created_by": created_by}
    return Inspection.objects.create(unit=unit, **(values | fields))


def setup(tree, actors):
    supervisor = actors["supervisor"]
    signed_on = datetime.date(2019, 11, 30)
    return {
        "review": make_review(tree.unit_a, actors["officer_a"]),
        "review_b": make_review(tree.unit_b, actors["officer_b"]),
        "review_x": make_review(tree.other_commune, supervisor),
        "inspection": make_inspection(tree.unit_a, supervisor),
        "inspection_x": make_inspection(tree.other_commune, supervisor),
        "signed": make_inspection(
            tree.unit_a,
            supervisor,
            minutes_signed_on=signed_on,
            report_due_on=datetime.date(2020, 1, 30),
        ),
    }


def _today():
    return timezone.localdate().isoformat()


CHANGE = everyone(403, officer_a=200, officer_b=404, supervisor=200, superuser=200)
CHANGE_POST = everyone(403, officer_a=302, officer_b=404, supervisor=302, superuser=302)
MANAGE = everyone(403, officer_b=404, supervisor=200, superuser=200)
MANAGE_POST = everyone(403, officer_b=404, supervisor=302, superuser=302)
WRITERS = everyone(403, officer_a=200, officer_b=200, supervisor=200, superuser=200)


def _review_data(c):
    return {
        "unit": c.unit_a.pk,
        "held_on": _today(),
        "chair": "Chủ tịch UBND",
        "attendees": "Ban Chỉ đạo ISO",
        "input_nonconformities": "Không có.",
    }


ROWS = [
    Row("audits:review_list", everyone(200)),
    Row("audits:review_create", WRITERS, label="review_create (choose a unit)"),
    Row(
        "audits:review_create",
        CHANGE,
        data=lambda c: {"unit": c.unit_a.pk},
        label="review_create (unit A)",
    ),
    Row(
        "audits:review_create",
        # The other district's unit: out of everyone's scope but the superuser's.
        everyone(403, officer_a=404, officer_b=404, supervisor=404, superuser=200),
        data=lambda c: {"unit": c.other_commune.pk},
        label="review_create (other district)",
    ),
    Row(
        "audits:review_create",
        CHANGE_POST,
        method="post",
        data=_review_data,
        label="review_create (POST, unit A)",
    ),
    Row(
        "audits:review_detail",
        everyone(200, officer_b=404),
        kwargs=lambda c: {"pk": c.review.pk},
        label="review_detail (unit A)",
    ),
    Row(
        "audits:review_detail",
        everyone(200, officer_a=404),
        kwargs=lambda c: {"pk": c.review_b.pk},
        label="review_detail (unit B)",
    ),
    Row(
        "audits:review_detail",
        everyone(404, superuser=200),
        kwargs=lambda c: {"pk": c.review_x.pk},
        label="review_detail (other district)",
    ),
    Row("audits:review_update", CHANGE, kwargs=lambda c: {"pk": c.review.pk}),
    Row(
        "audits:review_update",
        CHANGE_POST,
        kwargs=lambda c: {"pk": c.review.pk},
        method="post",
        data=lambda c: _review_data(c) | {"conclusion": "HTQLCL phù hợp, hiệu lực."},
        label="review_update (POST)",
    ),
    Row("audits:review_output_create", CHANGE, kwargs=lambda c: {"pk": c.review.pk}),
    Row(
        "audits:review_output_create",
        CHANGE_POST,
        kwargs=lambda c: {"pk": c.review.pk},
        method="post",
        data={"kind": "improvement", "decision": "Bổ sung máy đánh giá hài lòng.", "raise_action": "on"},
        label="review_output_create (POST)",
    ),
    Row("audits:inspection_list", everyone(200)),
    Row("audits:inspection_create", everyone(403, supervisor=200, superuser=200)),
    Row(
        "audits:inspection_create",
        everyone(403, supervisor=302, superuser=302),
        method="post",
        data=lambda c: {"year": timezone.localdate().year, "units": [c.unit_a.pk, c.unit_b.pk]},
        label="inspection_create (POST)",
    ),
    Row(
        "audits:inspection_detail",
        everyone(200, officer_b=404),
        kwargs=lambda c: {"pk": c.inspection.pk},
        label="inspection_detail (unit A)",
    ),
    Row(
        "audits:inspection_detail",
        everyone(404, superuser=200),
        kwargs=lambda c: {"pk": c.inspection_x.pk},
        label="inspection_detail (other district)",
    ),
    Row("audits:inspection_minutes", MANAGE, kwargs=lambda c: {"pk": c.inspection.pk}),
    Row(
        "audits:inspection_minutes",
        MANAGE_POST,
        kwargs=lambda c: {"pk": c.inspection.pk},
        method="post",
        data={
            "signed_on": "2019-11-30",
            "findings-TOTAL_FORMS": "3",
            "findings-INITIAL_FORMS": "0",
            "findings-0-description": "Chưa cập nhật quy trình theo TTHC mới.",
        },
        label="inspection_minutes (POST)",
    ),
    Row("audits:inspection_report", CHANGE, kwargs=lambda c: {"pk": c.signed.pk}),
    Row(
        "audits:inspection_report",
        CHANGE_POST,
        kwargs=lambda c: {"pk": c.signed.pk},
        method="post",
        data={"submitted_on": "2020-01-15"},
        label="inspection_report (POST)",
    ),
]
