"""Permission-matrix rows of the tallies, record counts, reconciliation and on-time pages (see
tests/matrix.py), and the builders the record tests share.

The objects live in unit A (officer_a's ward) and in the other district's commune (out of
everyone's scope but the superuser's). Reading needs VIEW on the unit (officer_b gets 404 on unit
A); writing needs CHANGE (officer_a, the supervisor): the auditor, the viewer and the committee
get 403. Successful POSTs redirect (302).
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from core import clock
from surveys.models import RecordCount
from tests.documents.factories_services import ProcedureFactory
from tests.matrix import Row, everyone
from tests.surveys.matrix_satisfaction import CHANGE, CHANGE_POST, OUTSIDE, make_tally, pk_of

SOFTWARE, BOOK = RecordCount.Source.SOFTWARE, RecordCount.Source.BOOK
FIELDS = RecordCount.COUNT_FIELDS


def last_month() -> datetime.date:
    """The first day of the month before this one (counts of a past month)."""
    first = clock.today().replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def make_count(unit, source, month, counts=(10, 8, 1, 1, 0), *, procedure=None):
    """Counts written straight to the table; `counts` = (received, on time, late, pending, returned)."""
    return RecordCount.objects.create(
        unit=unit, source=source, month=month, procedure=procedure, **dict(zip(FIELDS, counts, strict=True))
    )


def csv_upload(text, name="export.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def setup(tree, actors):
    month = last_month()
    end = month.replace(day=28)
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    make_count(tree.unit_a, SOFTWARE, month, (12, 10, 1, 1, 0))
    return {
        "month": month,
        "procedure": procedure,
        "tally": make_tally(tree.unit_a, month, end),
        "tally_x": make_tally(tree.other_commune, month, end),
        "record": make_count(tree.unit_a, BOOK, month, (11, 10, 1, 0, 0)),
        "record_x": make_count(tree.other_commune, BOOK, month),
    }


WRITERS = everyone(403, officer_a=200, officer_b=200, supervisor=200, superuser=200)
READ_A = everyone(200, officer_b=404)


def _tally_data(c):
    return {
        "unit": c.unit_a.pk,
        "channel": "device",
        "procedure": "1.001193",
        "period_start": f"{c.month:%Y-%m-%d}",
        "period_end": f"{c.month.replace(day=28):%Y-%m-%d}",
        "criterion": "attitude",
        "very_satisfied": "4",
        "satisfied": "3",
        "neutral": "0",
        "dissatisfied": "1",
        "very_dissatisfied": "0",
    }


COUNTS = {"received": "9", "on_time": "7", "late": "1", "pending": "1", "returned": "0"}


def _record_data(c):
    return {
        "unit": c.unit_a.pk,
        "source": "book",
        "procedure": "1.001193",
        "month": f"{c.month:%Y-%m}",
        **COUNTS,
    }


def _tally_file(c):
    text = (
        "Đơn vị,Kênh,Mã TTHC,Từ ngày,Đến ngày,Tiêu chí,Rất hài lòng,Hài lòng,Bình thường,Không hài lòng,"
        "Rất không hài lòng\n"
        f"{c.unit_a.name},Phiếu giấy,,{c.month:%d/%m/%Y},{c.month.replace(day=28):%d/%m/%Y},Thái độ,3,2,1,0,0\n"
    )
    return {"file": csv_upload(text)}


def _record_file(c):
    text = f"Đơn vị;Mã TTHC;Tháng;Tiếp nhận;Đúng hạn;Quá hạn;Đang giải quyết;Trả lại\n{c.unit_a.name};;{c.month:%m/%Y};5;4;1;0;0\n"
    return {"file": csv_upload(text)}


def _reconcile_data(c):
    return {
        "unit": c.unit_a.pk,
        "month": f"{c.month:%Y-%m}",
        "status": "explained",
        "comment": "Sổ ghi thiếu.",
    }


ROWS = [
    # Tallies
    Row("surveys:tally_list", everyone(200)),
    Row("surveys:tally_list", READ_A, data=lambda c: {"unit": c.unit_a.pk}, label="tally_list (unit A)"),
    Row("surveys:tally_create", WRITERS, label="tally_create (choose a unit)"),
    Row("surveys:tally_create", CHANGE, data=lambda c: {"unit": c.unit_a.pk}, label="tally_create (unit A)"),
    Row(
        "surveys:tally_create",
        everyone(403, officer_a=404, officer_b=404, supervisor=404, superuser=200),
        data=lambda c: {"unit": c.other_commune.pk},
        label="tally_create (other district)",
    ),
    Row("surveys:tally_create", CHANGE_POST, method="post", data=_tally_data, label="tally_create (POST)"),
    Row("surveys:tally_update", CHANGE, kwargs=pk_of("tally")),
    Row("surveys:tally_update", OUTSIDE, kwargs=pk_of("tally_x"), label="tally_update (other district)"),
    Row(
        "surveys:tally_update",
        CHANGE_POST,
        kwargs=pk_of("tally"),
        method="post",
        data=_tally_data,
        label="tally_update (POST)",
    ),
    Row("surveys:tally_import", WRITERS),
    Row(
        "surveys:tally_import", WRITERS, method="post", data=_tally_file, label="tally_import (POST preview)"
    ),
    # Record counts
    Row("surveys:record_list", everyone(200)),
    Row("surveys:record_list", READ_A, data=lambda c: {"unit": c.unit_a.pk}, label="record_list (unit A)"),
    Row("surveys:record_create", WRITERS, label="record_create (choose a unit)"),
    Row(
        "surveys:record_create", CHANGE, data=lambda c: {"unit": c.unit_a.pk}, label="record_create (unit A)"
    ),
    Row("surveys:record_create", CHANGE_POST, method="post", data=_record_data, label="record_create (POST)"),
    Row("surveys:record_update", CHANGE, kwargs=pk_of("record")),
    Row("surveys:record_update", OUTSIDE, kwargs=pk_of("record_x"), label="record_update (other district)"),
    Row(
        "surveys:record_update",
        CHANGE_POST,
        kwargs=pk_of("record"),
        method="post",
        data=COUNTS,
        label="record_update (POST)",
    ),
    Row("surveys:record_import", WRITERS),
    Row(
        "surveys:record_import",
        WRITERS,
        method="post",
        data=_record_file,
        label="record_import (POST preview)",
    ),
    # Reconciliation and on-time rate
    Row("surveys:reconciliation", everyone(200)),
    Row(
        "surveys:reconciliation",
        READ_A,
        data=lambda c: {"unit": c.unit_a.pk},
        label="reconciliation (unit A)",
    ),
    Row(
        "surveys:reconciliation",
        OUTSIDE,
        data=lambda c: {"unit": c.other_commune.pk},
        label="reconciliation (other district)",
    ),
    Row("surveys:reconciliation_set", CHANGE_POST, method="post", data=_reconcile_data),
    Row(
        "surveys:reconciliation_set",
        everyone(404, superuser=302),
        method="post",
        data=lambda c: {**_reconcile_data(c), "unit": c.other_commune.pk},
        label="reconciliation_set (other district)",
    ),
    Row("surveys:ontime", everyone(200)),
    Row("surveys:ontime", READ_A, data=lambda c: {"unit": c.unit_a.pk}, label="ontime (unit A)"),
    Row(
        "surveys:ontime",
        OUTSIDE,
        data=lambda c: {"unit": c.other_commune.pk},
        label="ontime (other district)",
    ),
]
