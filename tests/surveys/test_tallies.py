"""Tallies of paper forms and rating devices: saving (create or update by the key), validation,
permission, and the import from Excel / CSV (preview with errors per row; all or nothing)."""

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
from core.spreadsheets import ImportFileError
from surveys.models import Tally
from surveys.services import tallies as services
from tests.documents.factories_services import ProcedureFactory
from tests.surveys.matrix_records import csv_upload
from tests.surveys.matrix_satisfaction import make_tally

pytestmark = pytest.mark.django_db

JAN = datetime.date(2025, 1, 1)
JAN_END = datetime.date(2025, 1, 31)
TODAY = datetime.date(2025, 6, 15)


@pytest.fixture(autouse=True)
def _today_in_english():
    with clock.as_of(TODAY), translation.override("en"):
        yield


def data(**overrides):
    values = {
        "channel": "paper",
        "procedure": None,
        "period_start": JAN,
        "period_end": JAN_END,
        "criterion": "overall",
        "very_satisfied": 10,
        "satisfied": 5,
        "neutral": 2,
        "dissatisfied": 1,
        "very_dissatisfied": 0,
    }
    return values | overrides


def xlsx_upload(rows, name="tallies.xlsx", title=None):
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.append([])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


VI_HEADER = [
    "Đơn vị",
    "Kênh",
    "Mã TTHC",
    "Từ ngày",
    "Đến ngày",
    "Tiêu chí",
    "Rất hài lòng",
    "Hài lòng",
    "Bình thường",
    "Không hài lòng",
    "Rất không hài lòng",
    "Ghi chú",
]


# --- tally_save ------------------------------------------------------------------------------
def test_save_creates_then_updates_by_key(tree, officer_a):
    tally = services.tally_save(actor=officer_a, unit=tree.unit_a, data=data())
    assert (tally.total, tally.satisfied_total, tally.created_by) == (18, 15, officer_a)
    again = services.tally_save(actor=officer_a, unit=tree.unit_a, data=data(very_satisfied=1, note="sửa"))
    assert again.pk == tally.pk
    tally.refresh_from_db()
    assert (tally.very_satisfied, tally.note) == (1, "sửa")
    # Another procedure, channel or criterion is another tally.
    procedure = ProcedureFactory(code="1.001193")
    services.tally_save(actor=officer_a, unit=tree.unit_a, data=data(procedure=procedure))
    services.tally_save(actor=officer_a, unit=tree.unit_a, data=data(channel="device"))
    services.tally_save(actor=officer_a, unit=tree.unit_a, data=data(criterion="attitude"))
    assert Tally.objects.filter(unit=tree.unit_a).count() == 4
    assert tally.history.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"period_end": datetime.date(2024, 12, 31)}, "period_end"),
        (
            {"period_start": datetime.date(2025, 7, 1), "period_end": datetime.date(2025, 7, 31)},
            "period_start",
        ),
        ({"very_satisfied": -1}, "very_satisfied"),
        ({"neutral": 2_000_000}, "neutral"),
        ({"satisfied": "5"}, "satisfied"),
        ({"criterion": "speed"}, "criterion"),
        ({"channel": "phone"}, "channel"),
        ({"period_start": None}, "period_start"),
        ({"note": "x" * 301}, "note"),
    ],
)
def test_save_refuses_bad_values(tree, officer_a, overrides, field):
    with pytest.raises(ValidationError) as caught:
        services.tally_save(actor=officer_a, unit=tree.unit_a, data=data(**overrides))
    assert field in caught.value.error_dict
    assert not Tally.objects.exists()


def test_save_refuses_a_unit_without_a_one_stop_desk(tree, supervisor):
    with pytest.raises(ValidationError) as caught:
        services.tally_save(actor=supervisor, unit=tree.district, data=data())
    assert "unit" in caught.value.error_dict
    assert not Tally.objects.exists()


def test_save_permission(tree, officer_a, officer_b, auditor, viewer, committee, supervisor):
    for user in (officer_b, auditor, viewer, committee):
        with pytest.raises(PermissionDenied):
            services.tally_save(actor=user, unit=tree.unit_a, data=data())
    assert not Tally.objects.exists()
    services.tally_save(actor=supervisor, unit=tree.unit_a, data=data())
    services.tally_save(actor=officer_a, unit=tree.unit_a, data=data(channel="device"))
    assert Tally.objects.count() == 2


# --- Import ----------------------------------------------------------------------------------
def test_parse_xlsx_with_vietnamese_headers_below_a_title(tree):
    upload = xlsx_upload(
        [
            VI_HEADER,
            [
                "Phường Bích Động",
                "Phiếu giấy",
                "",
                datetime.datetime(2025, 1, 1),
                "31/01/2025",
                "Thái độ",
                5,
                4,
                1,
                0,
                0,
                "",
            ],
        ],
        title="BẢNG TỔNG HỢP PHIẾU KHẢO SÁT",
    )
    rows = services.parse_file(upload)
    assert rows == [
        {
            "line": 4,
            "unit": "Phường Bích Động",
            "channel": "Phiếu giấy",
            "procedure": "",
            "period_start": "2025-01-01",
            "period_end": "31/01/2025",
            "criterion": "Thái độ",
            "very_satisfied": "5",
            "satisfied": "4",
            "neutral": "1",
            "dissatisfied": "0",
            "very_dissatisfied": "0",
            "note": "",
        }
    ]


def test_parse_refuses_a_file_without_the_columns():
    with pytest.raises(ImportFileError):
        services.parse_file(csv_upload("a,b,c\n1,2,3\n"))


def test_check_rows_gives_values_actions_and_errors(tree, officer_a):
    ProcedureFactory(code="1.001193")
    make_tally(tree.unit_a, JAN, JAN_END, criterion="attitude")
    text = (
        "unit,channel,procedure,period start,period end,criterion,5,4,3,2,1\n"
        "Bích Động,paper,,01/2025,01/2025,thai do,3,2,1,0,0\n"  # update: same key
        "Phường Bích Động,thiết bị,1.001193,01/01/2025,31/01/2025,overall,3,2,1,0,0\n"  # create
        "Phường Ninh Sơn,paper,,01/01/2025,31/01/2025,overall,1,0,0,0,0\n"  # in scope? no: officer_a only
        "Xã Không Có,paper,,01/01/2025,31/01/2025,overall,1,0,0,0,0\n"
        "Phường Bích Động,fax,,01/01/2025,31/01/2025,overall,1,0,0,0,0\n"
        "Phường Bích Động,paper,,32/01/2025,31/01/2025,overall,1,0,0,0,0\n"
        "Phường Bích Động,paper,9.999999,01/01/2025,31/01/2025,overall,-1,0,0,0,0\n"
        "Phường Bích Động,device,1.001193,01/01/2025,31/01/2025,overall,1,0,0,0,0\n"  # duplicate of line 3
        "Phường Bích Động,paper,,01/01/2025,31/12/2024,overall,1,0,0,0,0\n"
    )
    check = services.check_rows(actor=officer_a, rows=services.parse_file(csv_upload(text)))
    by_line = {r.line: r for r in check.rows}
    assert by_line[2].action == "update" and not by_line[2].errors
    assert by_line[2].values["period_end"] == JAN_END
    assert by_line[3].action == "create" and by_line[3].values["channel"] == "device"
    assert "Unknown unit" in by_line[4].errors[0]  # another ward: outside officer_a's scope reads as unknown
    assert "Unknown unit" in by_line[5].errors[0]
    assert "Unknown channel" in by_line[6].errors[0]
    assert "not a date" in by_line[7].errors[0]
    assert any("9.999999" in e for e in by_line[8].errors) and any(
        "not a whole number" in e for e in by_line[8].errors
    )
    assert "also on line 3" in by_line[9].errors[0]
    assert "ends before it starts" in by_line[10].errors[0]
    assert check.error_count == 7 and not check.is_valid
    assert Tally.objects.count() == 1


def test_check_rows_says_when_the_unit_is_readable_but_not_writable(tree, viewer, officer_a):
    rows = [
        {
            "line": 2,
            "unit": "Phường Bích Động",
            "channel": "paper",
            "procedure": "",
            "period_start": "01/01/2025",
            "period_end": "31/01/2025",
            "criterion": "overall",
            "very_satisfied": "1",
        }
    ]
    check = services.check_rows(actor=viewer, rows=rows)
    assert "may not record" in check.rows[0].errors[0]
    # A row without a unit takes the default unit.
    rows[0]["unit"] = ""
    assert "unit is empty" in services.check_rows(actor=officer_a, rows=rows).rows[0].errors[0]
    check = services.check_rows(actor=officer_a, rows=rows, default_unit=tree.unit_a)
    assert check.is_valid and check.rows[0].values["unit"] == tree.unit_a


def test_import_writes_everything_or_nothing(tree, supervisor):
    good = xlsx_upload(
        [
            VI_HEADER,
            [
                "Phường Bích Động",
                "Phiếu giấy",
                "",
                "01/01/2025",
                "31/01/2025",
                "Tổng thể",
                5,
                4,
                1,
                0,
                0,
                "quầy 1",
            ],
            ["Phường Ninh Sơn", "Thiết bị", "", "01/01/2025", "31/01/2025", "Thái độ", 7, 1, 0, 0, 0, ""],
        ]
    )
    rows = services.parse_file(good)
    bad_rows = [*rows, {**rows[0], "line": 9, "criterion": "tốc độ"}]
    with pytest.raises(ValidationError) as caught:
        services.import_rows(actor=supervisor, rows=bad_rows)
    assert "Nothing was saved" in caught.value.messages[0]
    assert not Tally.objects.exists()

    check = services.import_rows(actor=supervisor, rows=rows)
    assert check.creates == 2
    assert Tally.objects.count() == 2
    tally = Tally.objects.get(unit=tree.unit_a)
    assert (tally.channel, tally.criterion, tally.total, tally.note, tally.created_by) == (
        "paper",
        "overall",
        10,
        "quầy 1",
        supervisor,
    )
    # The same file again updates, it does not duplicate.
    check = services.import_rows(actor=supervisor, rows=rows)
    assert check.updates == 2 and Tally.objects.count() == 2


def test_import_refuses_an_empty_list(officer_a):
    with pytest.raises(ValidationError):
        services.import_rows(actor=officer_a, rows=[])


def test_check_rows_costs_constant_queries(tree, supervisor):
    def rows(n):
        return [
            {
                "line": i + 2,
                "unit": "Phường Bích Động" if i % 2 else "Phường Ninh Sơn",
                "channel": "paper",
                "procedure": "",
                "period_start": f"{i // 2 + 1:02d}/01/2025",
                "period_end": "31/01/2025",
                "criterion": "overall",
                "very_satisfied": "1",
            }
            for i in range(n)
        ]

    services.check_rows(actor=supervisor, rows=rows(1))  # the user's scope is computed once
    counts = []
    for n in (2, 40):
        with CaptureQueriesContext(connection) as ctx:
            check = services.check_rows(actor=supervisor, rows=rows(n))
        assert check.is_valid
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
