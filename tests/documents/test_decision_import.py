"""Import of an announcing decision's TTHC list from Excel or CSV: the file is read and checked
row by row, previewed with nothing saved, and written only on confirmation, all or nothing."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from communes.models import Unit
from documents.models import DecisionItem, Procedure, UpdateTask
from documents.services import imports
from tests.documents.factories_catalogue import (  # noqa: F401 (in_english is a fixture)
    CatalogueDecisionFactory,
    CatalogueProcedureFactory,
    TthcDocumentFactory,
    applies_to,
    in_english,
)

pytestmark = pytest.mark.usefixtures("in_english")

HEADER = ["code", "name", "field", "level", "change"]
VI_HEADER = ["Mã TTHC", "Tên TTHC", "Lĩnh vực", "Cấp thực hiện", "Hình thức"]


def csv_upload(rows, delimiter=",", bom=False, name="danh-muc.csv"):
    text = "\r\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in rows)
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    return SimpleUploadedFile(name, data, content_type="text/csv")


def xlsx_upload(rows, title_rows=(), name="danh-muc.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in [*title_rows, *rows]:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def counts():
    return (Procedure.objects.count(), DecisionItem.objects.count(), UpdateTask.objects.count())


@pytest.fixture
def setting(tree):
    """Two wards in the programme (unit A has a procedure for birth registration); the district
    is not in the programme; two TTHC applying to every ward."""
    Unit.objects.filter(pk__in=[tree.unit_a.pk, tree.unit_b.pk]).update(joined_on=datetime.date(2018, 1, 1))
    birth = CatalogueProcedureFactory(code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch")
    death = CatalogueProcedureFactory(code="1.000656", name="Đăng ký khai tử", field="Hộ tịch")
    applies_to(birth, kinds=[Unit.Kind.WARD])
    applies_to(death, kinds=[Unit.Kind.WARD])
    birth_doc = TthcDocumentFactory(unit=tree.unit_a, procedures=[birth])
    decision = CatalogueDecisionFactory(number="2500/QĐ-UBND", effective_on=datetime.date(2026, 8, 31))
    return {"tree": tree, "birth": birth, "death": death, "birth_doc": birth_doc, "decision": decision}


# --- Reading the file ----------------------------------------------------------------------------


def test_csv_with_comma(db):
    rows = imports.parse_file(
        csv_upload([HEADER, ["1.001193", "Đăng ký khai sinh", "Hộ tịch", "Cấp xã", "add"]])
    )
    assert rows == [
        {
            "line": 2,
            "code": "1.001193",
            "name": "Đăng ký khai sinh",
            "field": "Hộ tịch",
            "level": "Cấp xã",
            "change": "add",
            "note": "",
        }
    ]


def test_csv_with_bom_semicolons_and_vietnamese_headers(db):
    upload = csv_upload(
        [
            VI_HEADER,
            ["1.001193", "Đăng ký khai sinh, kết hợp thường trú", "Hộ tịch", "Cấp xã", "Sửa đổi, bổ sung"],
            ["", "", "", "", ""],  # blank lines are skipped
            ["1.000656", "Đăng ký khai tử", "Hộ tịch", "Cấp xã", "Bãi bỏ"],
        ],
        delimiter=";",
        bom=True,
    )
    rows = imports.parse_file(upload)
    assert [(r["line"], r["code"], r["name"], r["change"]) for r in rows] == [
        (2, "1.001193", "Đăng ký khai sinh, kết hợp thường trú", "Sửa đổi, bổ sung"),
        (4, "1.000656", "Đăng ký khai tử", "Bãi bỏ"),
    ]


def test_xlsx_with_a_title_above_the_header(db):
    upload = xlsx_upload(
        [
            VI_HEADER,
            ["1.001193", "Đăng ký khai sinh", "Hộ tịch", "Cấp xã", "Công bố mới"],
            [1.0, "Số", "", "", "add"],
        ],
        title_rows=[["DANH MỤC THỦ TỤC HÀNH CHÍNH"], []],
    )
    rows = imports.parse_file(upload)
    assert [(r["line"], r["code"], r["change"]) for r in rows] == [
        (4, "1.001193", "Công bố mới"),
        (5, "1", "add"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 binary \xff\xfe\x00\x01", "neither an Excel workbook (.xlsx) nor a CSV file in UTF-8"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Old Excel files (.xls) are not accepted"),
        (b"PK\x03\x04 not really a zip", "cannot be read as an Excel workbook (.xlsx)"),
        (b"", "The file is empty."),
        (b"ten,loai\nabc,add\n", "No header row found"),
        (b"code,field\n1.001193,Ho tich\n", "Missing column(s): name, change."),
        (b"code,name,change\n", "The file has a header row but no data below it."),
    ],
)
def test_unreadable_files_are_refused_clearly(db, data, message):
    with pytest.raises(imports.ImportFileError) as exc:
        imports.parse_file(SimpleUploadedFile("danh-muc.csv", data))
    assert message in exc.value.messages[0]


def test_a_word_file_renamed_xlsx_is_refused(db):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(imports.ImportFileError, match="cannot be read as an Excel workbook"):
        imports.parse_file(SimpleUploadedFile("danh-muc.xlsx", buffer.getvalue()))


def test_too_many_rows_and_too_big(db, monkeypatch):
    rows = [HEADER] + [[f"1.{i:06d}", "Tên", "", "", "add"] for i in range(imports.MAX_ROWS + 1)]
    with pytest.raises(imports.ImportFileError, match="more than 2000 rows"):
        imports.parse_file(csv_upload(rows))
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    with pytest.raises(imports.ImportFileError, match="too big"):
        imports.parse_file(csv_upload([HEADER, ["1.001193", "x" * 200, "", "", "add"]]))


# --- Checking the rows ---------------------------------------------------------------------------


def _rows(*rows):
    return [
        {"line": i, **dict(zip(["code", "name", "field", "level", "change", "note"], r, strict=False))}
        for i, r in enumerate(rows, start=2)
    ]


def test_each_row_gets_its_actions(setting):
    check = imports.validate_rows(
        setting["decision"],
        _rows(
            ["1.013000", "Đăng ký giám hộ", "Hộ tịch", "cấp xã", "thêm mới"],
            ["1.001193", "Đăng ký khai sinh (mới)", "Hộ tịch", "", "Sửa đổi, bổ sung"],
            ["1.000656", "", "", "", "bãi bỏ"],
        ),
    )
    assert check.is_valid
    new, amended, abolished = check.rows
    assert (new.creates, new.change_value, new.level_value) == (True, "add", "commune")
    assert new.actions == ["create the TTHC", "add to the decision as “added”"]
    assert amended.updates == ["name"]
    assert amended.actions == ["update name", "add to the decision as “amended”"]
    assert abolished.actions == ["add to the decision as “abolished”"]
    assert check.counts == {"rows": 3, "errors": 0, "create": 1, "update": 1}


def test_each_row_gets_its_errors(setting):
    decision = setting["decision"]
    decision.items.create(procedure=setting["death"], change="amend")
    CatalogueProcedureFactory(code="2.000001", status=Procedure.Status.ABOLISHED)
    check = imports.validate_rows(
        decision,
        _rows(
            ["", "Không có mã", "", "", "add"],  # 2
            ["1.013000", "Mới", "", "", "chuyển giao"],  # 3
            ["1.099999", "Không có trong danh mục", "", "", "amend"],  # 4
            ["1.001193", "Đăng ký khai sinh", "", "", "amend"],  # 5
            ["1.001193", "Đăng ký khai sinh", "", "", "abolish"],  # 6: twice in the file
            ["1.000656", "Đăng ký khai tử", "", "", "abolish"],  # 7: already in the decision
            ["1.013001", "x" * 501, "", "", "add"],  # 8
            ["1.013002", "", "", "", "add"],  # 9: new without a name
            ["2.000001", "", "", "", "amend"],  # 10: abolished
            ["1.013003", "Mới", "", "cấp thôn", "add"],  # 11
            ["1.013004", "Mới", "", "", ""],  # 12
        ),
    )
    errors = {row.line: row.errors for row in check.rows}
    assert errors[2] == ["The TTHC code is empty."]
    assert errors[3] == [
        "Unknown change “chuyển giao”: write add, amend or abolish (thêm mới, sửa đổi, bãi bỏ)."
    ]
    assert errors[4] == [
        "1.099999 is not in the catalogue: it can only be added (or add it to the catalogue first)."
    ]
    assert errors[5] == []
    assert errors[6] == ["The code 1.001193 is also on line 5 of the file."]
    assert errors[7] == ["1.000656 is already in this decision."]
    assert errors[8] == ["The name is too long (501 characters, at most 500)."]
    assert errors[9] == ["1.013002 is new: its name is needed to create it."]
    assert errors[10] == ["2.000001 is abolished: it can only be added again."]
    assert errors[11] == ["Unknown level “cấp thôn”: write central, province, district or commune (cấp xã…)."]
    assert errors[12] == ["The change is empty: write add, amend or abolish."]
    assert check.error_count == 10 and not check.is_valid
    assert all(row.actions == [] for row in check.rows if row.errors)


# --- The two steps in the browser -----------------------------------------------------------------


def _preview(client, decision, upload):
    return client.post(reverse("procedures:decision_import", args=[decision.pk]), {"file": upload})


def _confirm(client, decision):
    return client.post(reverse("procedures:decision_import_confirm", args=[decision.pk]))


def test_preview_saves_nothing_then_confirm_saves_everything(setting, supervisor, login):
    tree, decision = setting["tree"], setting["decision"]
    client = login(supervisor)
    upload = xlsx_upload(
        [
            VI_HEADER,
            ["1.013000", "Đăng ký giám hộ", "Hộ tịch", "Cấp xã", "Thêm mới"],
            ["1.001193", "Đăng ký khai sinh (sửa đổi)", "Hộ tịch", "Cấp xã", "Sửa đổi, bổ sung"],
            ["1.000656", "Đăng ký khai tử", "Hộ tịch", "Cấp xã", "Bãi bỏ"],
        ]
    )
    before = counts()
    response = _preview(client, decision, upload)
    assert response.status_code == 200
    assert counts() == before  # the preview writes nothing
    html = response.content.decode()
    assert 'id="import-preview"' in html and 'id="import-confirm"' in html
    assert "create the TTHC" in html and "update name" in html
    assert [r.code for r in response.context["check"].rows] == ["1.013000", "1.001193", "1.000656"]

    response = _confirm(client, decision)
    assert response.status_code == 302
    assert response["Location"] == decision.get_absolute_url()
    new = Procedure.objects.get(code="1.013000")
    assert (new.name, new.field, new.level, new.status) == (
        "Đăng ký giám hộ",
        "Hộ tịch",
        "commune",
        "in_force",
    )
    birth, death = setting["birth"], setting["death"]
    birth.refresh_from_db()
    death.refresh_from_db()
    assert (birth.name, birth.status) == ("Đăng ký khai sinh (sửa đổi)", "amended")
    assert death.status == "abolished"
    assert dict(decision.items.values_list("procedure__code", "change")) == {
        "1.013000": "add",
        "1.001193": "amend",
        "1.000656": "abolish",
    }
    # The 3-month rule: due 31 August + 3 months = 30 November, for the wards in the programme.
    tasks = {
        (t.unit_id, t.procedure.code, t.action, t.due_on)
        for t in UpdateTask.objects.select_related("procedure")
    }
    due = datetime.date(2026, 11, 30)
    assert tasks == {
        (tree.unit_a.pk, "1.001193", "revise", due),  # unit A has a procedure for it
        (tree.unit_b.pk, "1.001193", "create", due),  # unit B has none yet
        # 1.000656 abolished: no unit has a procedure for it, so there is nothing to withdraw;
        # 1.013000 is new and applies nowhere yet.
    }
    assert all(t.document_id == setting["birth_doc"].pk for t in UpdateTask.objects.filter(action="revise"))
    # The list is gone from the session: confirming again imports nothing twice.
    again = _confirm(client, decision)
    assert again.status_code == 302 and again["Location"].endswith("/import/")
    assert decision.items.count() == 3
    page = client.get(decision.get_absolute_url())
    assert page.context["item_counts"] == [("added", 1), ("amended", 1), ("abolished", 1)]
    assert page.context["task_count"] == 2


def test_csv_with_bom_and_semicolons_through_the_pages(setting, supervisor, login):
    decision = setting["decision"]
    client = login(supervisor)
    upload = csv_upload(
        [VI_HEADER, ["1.000656", "Đăng ký khai tử", "Hộ tịch", "Cấp xã", "sửa đổi"]], delimiter=";", bom=True
    )
    assert _preview(client, decision, upload).context["check"].is_valid
    assert _confirm(client, decision).status_code == 302
    assert decision.items.get().procedure == setting["death"]
    assert UpdateTask.objects.filter(decision_item__decision=decision).count() == 2


def test_errors_are_shown_in_red_and_confirm_is_refused(setting, supervisor, login):
    decision = setting["decision"]
    client = login(supervisor)
    upload = csv_upload(
        [
            HEADER,
            ["1.013000", "Đăng ký giám hộ", "Hộ tịch", "commune", "add"],
            ["", "Không mã", "", "", "add"],
            ["1.099999", "Không có", "", "", "amend"],
        ]
    )
    before = counts()
    response = _preview(client, decision, upload)
    html = response.content.decode()
    assert 'class="table-danger" data-line="3"' in html and 'class="table-danger" data-line="4"' in html
    assert "The TTHC code is empty." in html
    assert 'id="import-confirm"' not in html and 'id="import-refused"' in html

    response = _confirm(client, decision)  # posted anyway: refused, nothing saved
    assert response.status_code == 400
    assert "2 row(s) have errors" in response.content.decode()
    assert counts() == before
    assert not Procedure.objects.filter(code="1.013000").exists()


def test_confirm_checks_again_and_saves_nothing_when_the_catalogue_changed(setting, supervisor, login):
    """Between the preview and the confirmation someone added one of the TTHC by hand."""
    decision = setting["decision"]
    client = login(supervisor)
    upload = csv_upload(
        [
            HEADER,
            ["1.013000", "Đăng ký giám hộ", "", "", "add"],
            ["1.001193", "Đăng ký khai sinh", "", "", "amend"],
        ]
    )
    assert _preview(client, decision, upload).context["check"].is_valid
    decision.items.create(procedure=setting["birth"], change="amend")
    before = counts()
    response = _confirm(client, decision)
    assert response.status_code == 400
    assert "1.001193 is already in this decision." in response.content.decode()
    assert counts() == before
    assert not Procedure.objects.filter(code="1.013000").exists()


def test_a_file_that_is_not_a_list_is_refused_on_the_page(setting, supervisor, login):
    decision = setting["decision"]
    client = login(supervisor)
    response = _preview(
        client, decision, SimpleUploadedFile("virus.xlsx", b"MZ\x90\x00\x03\x00\xff\xfe" * 10)
    )
    assert response.status_code == 200
    assert (
        "neither an Excel workbook (.xlsx) nor a CSV file in UTF-8"
        in response.context["form"].errors["file"][0]
    )
    assert "check" not in response.context
    # Nothing waits in the session: confirming sends back to the upload page.
    response = _confirm(client, decision)
    assert response.status_code == 302 and response["Location"].endswith("/import/")


def test_confirm_without_a_preview_is_refused(setting, supervisor, login):
    response = login(supervisor).post(
        reverse("procedures:decision_import_confirm", args=[setting["decision"].pk]), follow=True
    )
    assert "There is no previewed list to import" in response.content.decode()
    assert not DecisionItem.objects.exists()


def test_previews_are_kept_per_decision(setting, supervisor, login):
    first, second = setting["decision"], CatalogueDecisionFactory()
    client = login(supervisor)
    _preview(client, first, csv_upload([HEADER, ["1.001193", "", "", "", "amend"]]))
    _preview(client, second, csv_upload([HEADER, ["1.000656", "", "", "", "amend"]]))
    _confirm(client, first)
    assert list(first.items.values_list("procedure__code", flat=True)) == ["1.001193"]
    assert not second.items.exists()
    _confirm(client, second)
    assert list(second.items.values_list("procedure__code", flat=True)) == ["1.000656"]


@pytest.mark.parametrize("actor", ["officer_a", "auditor", "viewer", "committee"])
def test_only_catalogue_managers_import(actor, actors, setting, login):
    client = login(actors[actor])
    upload = csv_upload([HEADER, ["1.013000", "Đăng ký giám hộ", "", "", "add"]])
    assert _preview(client, setting["decision"], upload).status_code == 403
    assert _confirm(client, setting["decision"]).status_code == 403
    assert not Procedure.objects.filter(code="1.013000").exists()


def test_the_confirmation_is_post_only(setting, supervisor, login):
    url = reverse("procedures:decision_import_confirm", args=[setting["decision"].pk])
    assert login(supervisor).get(url).status_code == 405
