"""One-stop record counts: saving (create or update by the key), validation, permission, the
import of the software's export (preview with errors per row; all or nothing), and the decision
on a month where the sources disagree."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook

from core import clock
from surveys.models import Reconciliation, RecordCount
from surveys.services import records as services
from tests.documents.factories_services import ProcedureFactory
from tests.surveys.matrix_records import BOOK, SOFTWARE, csv_upload, make_count

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)
MAY = datetime.date(2025, 5, 1)
COUNTS = {"received": 20, "on_time": 15, "late": 2, "pending": 3, "returned": 0}


@pytest.fixture(autouse=True)
def _today_in_english():
    with clock.as_of(TODAY), translation.override("en"):
        yield


def xlsx_upload(rows, name="export.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ"])
    sheet.append([])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


EXPORT_HEADER = [
    "STT",
    "Đơn vị",
    "Mã TTHC",
    "Tên TTHC",
    "Tháng",
    "Tiếp nhận",
    "Trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Đang giải quyết",
    "Trả lại",
]


# --- record_count_save -----------------------------------------------------------------------
def test_save_creates_then_updates_by_key(tree, officer_a):
    record = services.record_count_save(
        actor=officer_a,
        unit=tree.unit_a,
        source=BOOK,
        procedure=None,
        month=datetime.date(2025, 5, 17),
        counts=COUNTS,
    )
    assert record.month == MAY and record.updated_by == officer_a and record.counts() == COUNTS
    again = services.record_count_save(
        actor=officer_a,
        unit=tree.unit_a,
        source=BOOK,
        procedure=None,
        month=MAY,
        counts={**COUNTS, "late": 3},
    )
    assert again.pk == record.pk
    record.refresh_from_db()
    assert record.late == 3
    procedure = ProcedureFactory(code="1.001193")
    services.record_count_save(
        actor=officer_a, unit=tree.unit_a, source=BOOK, procedure=procedure, month=MAY, counts=COUNTS
    )
    services.record_count_save(
        actor=officer_a, unit=tree.unit_a, source=SOFTWARE, procedure=None, month=MAY, counts=COUNTS
    )
    assert RecordCount.objects.count() == 3
    assert record.history.count() == 2


def test_inconsistent_counts_are_accepted(tree, officer_a):
    """Pending carries over earlier months: the five counts need not add up (documented choice)."""
    counts = {"received": 5, "on_time": 9, "late": 2, "pending": 7, "returned": 1}
    record = services.record_count_save(
        actor=officer_a, unit=tree.unit_a, source=BOOK, procedure=None, month=MAY, counts=counts
    )
    assert record.counts() == counts


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"month": datetime.date(2025, 7, 1)}, "month"),
        ({"month": None}, "month"),
        ({"month": datetime.date(1999, 12, 1)}, "month"),
        ({"source": "phone"}, "source"),
        ({"counts": {**COUNTS, "late": -1}}, "late"),
        ({"counts": {**COUNTS, "received": 1_000_001}}, "received"),
        ({"counts": {**COUNTS, "pending": 2.5}}, "pending"),
    ],
)
def test_save_refuses_bad_values(tree, officer_a, kwargs, field):
    values = {"source": BOOK, "procedure": None, "month": MAY, "counts": COUNTS} | kwargs
    with pytest.raises(ValidationError) as caught:
        services.record_count_save(actor=officer_a, unit=tree.unit_a, **values)
    assert field in caught.value.error_dict
    assert not RecordCount.objects.exists()


def test_this_month_is_accepted_and_a_ceased_unit_has_no_later_counts(tree, supervisor):
    services.record_count_save(
        actor=supervisor, unit=tree.unit_a, source=BOOK, procedure=None, month=TODAY, counts=COUNTS
    )
    tree.unit_b.valid_until = datetime.date(2025, 3, 31)
    tree.unit_b.save()
    with pytest.raises(ValidationError) as caught:
        services.record_count_save(
            actor=supervisor, unit=tree.unit_b, source=BOOK, procedure=None, month=MAY, counts=COUNTS
        )
    assert "ceased" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        services.record_count_save(
            actor=supervisor, unit=tree.district, source=BOOK, procedure=None, month=MAY, counts=COUNTS
        )
    assert RecordCount.objects.count() == 1


def test_save_permission(tree, officer_a, officer_b, auditor, viewer, committee, supervisor):
    for user in (officer_b, auditor, viewer, committee):
        with pytest.raises(PermissionDenied):
            services.record_count_save(
                actor=user, unit=tree.unit_a, source=BOOK, procedure=None, month=MAY, counts=COUNTS
            )
    assert not RecordCount.objects.exists()
    services.record_count_save(
        actor=supervisor, unit=tree.unit_a, source=BOOK, procedure=None, month=MAY, counts=COUNTS
    )
    services.record_count_save(
        actor=officer_a, unit=tree.unit_a, source=SOFTWARE, procedure=None, month=MAY, counts=COUNTS
    )
    assert RecordCount.objects.count() == 2


# --- Import of the software's export ---------------------------------------------------------
def test_parse_and_import_the_software_export(tree, supervisor):
    ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    upload = xlsx_upload(
        [
            EXPORT_HEADER,
            [1, "Phường Bích Động", "1.001193", "Đăng ký khai sinh", "05/2025", 30, 10, 15, 2, 3, 0],
            [2, "Phường Bích Động", "", "Tổng cộng", datetime.datetime(2025, 5, 1), 30, 10, 15, 2, 3, 0],
            [3, "Phường Ninh Sơn", "Tổng cộng", "", "Tháng 4/2025", 12, 0, 11, 1, 0, 0],
        ]
    )
    rows = services.parse_file(upload)
    assert [r["line"] for r in rows] == [4, 5, 6]
    check = services.check_rows(actor=supervisor, rows=rows)
    assert check.is_valid, [r.errors for r in check.rows]
    assert check.creates == 3 and not RecordCount.objects.exists()
    services.import_rows(actor=supervisor, rows=rows)
    by_key = {
        (r.unit_id, r.procedure.code if r.procedure else None, r.month): r for r in RecordCount.objects.all()
    }
    assert set(by_key) == {
        (tree.unit_a.pk, "1.001193", MAY),
        (tree.unit_a.pk, None, MAY),
        (tree.unit_b.pk, None, datetime.date(2025, 4, 1)),
    }
    record = by_key[(tree.unit_a.pk, "1.001193", MAY)]
    # "Trước hạn" (early) counts as on time.
    assert record.counts() == {"received": 30, "on_time": 25, "late": 2, "pending": 3, "returned": 0}
    assert record.source == SOFTWARE and record.updated_by == supervisor
    # Importing again updates the same rows.
    check = services.import_rows(actor=supervisor, rows=rows)
    assert check.updates == 3 and RecordCount.objects.count() == 3


def test_csv_export_with_english_headers(tree, officer_a):
    text = "unit;month;received;on time;late;pending;returned\n;2025-05;7;6;1;0;0\n"
    rows = services.parse_file(csv_upload(text))
    check = services.import_rows(actor=officer_a, rows=rows, default_unit=tree.unit_a)
    assert check.creates == 1
    assert RecordCount.objects.get().counts() == {
        "received": 7,
        "on_time": 6,
        "late": 1,
        "pending": 0,
        "returned": 0,
    }


def test_row_errors_and_nothing_written(tree, officer_a):
    make_count(tree.unit_a, SOFTWARE, datetime.date(2025, 3, 1))
    text = (
        "Đơn vị,Mã TTHC,Tháng,Tiếp nhận,Đúng hạn,Quá hạn,Đang giải quyết,Trả lại\n"
        "Phường Bích Động,,03/2025,9,8,1,0,0\n"  # update
        "Phường Bích Động,,04/2025,9,8,1,0,0\n"  # create
        "Phường Bích Động,,13/2025,9,8,1,0,0\n"
        "Phường Bích Động,,07/2025,9,8,1,0,0\n"  # future
        "Phường Bích Động,2.000001,04/2025,9,8,1,0,0\n"
        "Phường Bích Động,,02/2025,chín,8,1,0,0\n"
        "Phường Bích Động,,04/2025,1,1,0,0,0\n"  # duplicate of line 3
        "Xã Đức Thắng,,04/2025,1,1,0,0,0\n"  # other district: unknown to officer_a
    )
    rows = services.parse_file(csv_upload(text))
    check = services.check_rows(actor=officer_a, rows=rows)
    by_line = {r.line: r for r in check.rows}
    assert (by_line[2].action, by_line[3].action) == ("update", "create")
    assert "not a month" in by_line[4].errors[0]
    assert "in the future" in by_line[5].errors[0]
    assert "No procedure has the code 2.000001" in by_line[6].errors[0]
    assert "not a whole number" in by_line[7].errors[0]
    assert "also on line 3" in by_line[8].errors[0]
    assert "Unknown unit" in by_line[9].errors[0]
    assert check.error_count == 6
    with pytest.raises(ValidationError):
        services.import_rows(actor=officer_a, rows=rows)
    assert RecordCount.objects.count() == 1
    assert RecordCount.objects.get().received == 10  # the existing row was not updated either


def test_ambiguous_unit_names_ask_for_the_code(tree, supervisor):
    from tests.factories import UnitFactory

    UnitFactory(name="Phường Bích Động", kind="ward", parent=tree.district, code="99999", code_system="2025")
    rows = [{"line": 2, "unit": "Phường Bích Động", "procedure": "", "month": "05/2025", "received": "1"}]
    assert "Several units" in services.check_rows(actor=supervisor, rows=rows).rows[0].errors[0]
    rows[0]["unit"] = "99999"
    assert services.check_rows(actor=supervisor, rows=rows).is_valid


def test_check_rows_costs_constant_queries(tree, supervisor):
    def rows(n):
        return [
            {
                "line": i + 2,
                "unit": "Phường Bích Động" if i % 2 else "Phường Ninh Sơn",
                "procedure": "",
                "month": f"{i // 2 % 12 + 1:02d}/{2024 - i // 24}",
                "received": "3",
                "on_time": "2",
            }
            for i in range(n)
        ]

    services.check_rows(actor=supervisor, rows=rows(1))
    counts = []
    for n in (2, 40):
        with CaptureQueriesContext(connection) as ctx:
            check = services.check_rows(actor=supervisor, rows=rows(n))
        assert check.is_valid, [r.errors for r in check.rows if r.errors]
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# --- reconciliation_set ----------------------------------------------------------------------
def test_reconciliation_needs_a_comment_to_settle(tree, officer_a):
    make_count(tree.unit_a, SOFTWARE, MAY)
    for status in ("explained", "corrected"):
        with pytest.raises(ValidationError) as caught:
            services.reconciliation_set(
                actor=officer_a, unit=tree.unit_a, month=MAY, status=status, comment="  "
            )
        assert "comment" in caught.value.error_dict
    assert not Reconciliation.objects.exists()
    with pytest.raises(ValidationError):
        services.reconciliation_set(actor=officer_a, unit=tree.unit_a, month=MAY, status="done", comment="x")
    with pytest.raises(ValidationError) as caught:
        services.reconciliation_set(
            actor=officer_a,
            unit=tree.unit_a,
            month=datetime.date(2025, 4, 1),
            status="explained",
            comment="x",
        )
    assert "no record counts" in caught.value.messages[0]
    assert not Reconciliation.objects.exists()


def test_reconciliation_status_flow(tree, officer_a, supervisor):
    make_count(tree.unit_a, BOOK, MAY)
    decision = services.reconciliation_set(
        actor=officer_a,
        unit=tree.unit_a,
        month=datetime.date(2025, 5, 20),
        status="explained",
        comment="Sổ ghi thiếu 1 hồ sơ.",
    )
    assert (decision.month, decision.status, decision.decided_by) == (MAY, "explained", officer_a)
    assert decision.decided_at is not None
    again = services.reconciliation_set(
        actor=supervisor, unit=tree.unit_a, month=MAY, status="corrected", comment="Đã sửa sổ."
    )
    assert again.pk == decision.pk
    again.refresh_from_db()
    assert (again.status, again.comment, again.decided_by) == ("corrected", "Đã sửa sổ.", supervisor)
    reopened = services.reconciliation_set(
        actor=officer_a, unit=tree.unit_a, month=MAY, status="open", comment=""
    )
    assert reopened.status == "open" and Reconciliation.objects.count() == 1
    assert decision.history.count() == 3


def test_reconciliation_permission(tree, officer_b, auditor, viewer, committee):
    make_count(tree.unit_a, BOOK, MAY)
    for user in (officer_b, auditor, viewer, committee):
        with pytest.raises(PermissionDenied):
            services.reconciliation_set(
                actor=user, unit=tree.unit_a, month=MAY, status="explained", comment="x"
            )
    assert not Reconciliation.objects.exists()
