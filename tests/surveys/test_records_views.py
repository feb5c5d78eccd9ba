"""Pages of the tallies, record counts, reconciliation and on-time rate: lists (scoped, filtered,
constant queries), entry by hand, the import flow (upload → preview with row errors → confirm)
with a real .xlsx and a CSV, the reconciliation with its highlighted cells and its decisions."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from surveys.models import Reconciliation, RecordCount, Tally
from tests.documents.factories_services import ProcedureFactory
from tests.factories import UnitFactory
from tests.surveys.matrix_records import BOOK, SOFTWARE, csv_upload, last_month, make_count
from tests.surveys.matrix_satisfaction import make_tally

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def as_user(client_en):
    def _login(user):
        client_en.logout()
        client_en.force_login(user)
        return client_en

    return _login


def months_ago(n):
    day = last_month()
    for _ in range(n):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


def xlsx_upload(rows, name="export.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Báo cáo một cửa"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


# --- Lists -----------------------------------------------------------------------------------
def test_record_list_filters_and_is_scoped(tree, officer_a, supervisor, as_user):
    month = last_month()
    make_count(tree.unit_a, SOFTWARE, month)
    make_count(tree.unit_a, BOOK, months_ago(1))
    make_count(tree.unit_b, BOOK, month)
    make_count(tree.other_commune, BOOK, month)
    client = as_user(supervisor)
    url = reverse("surveys:record_list")
    response = client.get(url)
    assert response.context["table"].paginator.count == 3
    response = client.get(url, {"unit": tree.unit_a.pk, "source": BOOK})
    assert [r.record.month for r in response.context["table"].page.object_list] == [months_ago(1)]
    response = client.get(url, {"month_from": f"{month:%Y-%m}", "month_to": f"{month:%Y-%m}"})
    assert response.context["table"].paginator.count == 2
    response = client.get(url, {"q": "bich dong"})
    assert response.context["table"].paginator.count == 2
    # The officer sees their unit only, with an edit link; the unit filter offers their units only.
    response = as_user(officer_a).get(url)
    assert response.context["table"].paginator.count == 2
    assert list(response.context["filter"].form.fields["unit"].queryset) == [tree.unit_a]
    assert reverse(
        "surveys:record_update", args=[RecordCount.objects.filter(unit=tree.unit_a).first().pk]
    ) in (response.content.decode())


def test_empty_lists(tree, officer_a, as_user):
    client = as_user(officer_a)
    assert "No record count matches" in client.get(reverse("surveys:record_list")).content.decode()
    assert "No tally matches" in client.get(reverse("surveys:tally_list")).content.decode()
    assert "agree for every month" in client.get(reverse("surveys:reconciliation")).content.decode()


def test_lists_do_not_grow_in_queries(tree, supervisor, as_user, constant_queries):
    client = as_user(supervisor)
    procedures = iter(ProcedureFactory(code=f"2.{n:06d}") for n in range(100))
    months = iter(months_ago(n) for n in range(100))

    def add_counts(n):
        for _ in range(n):
            unit = UnitFactory(parent=tree.district, kind="ward")
            make_count(unit, SOFTWARE, last_month(), procedure=next(procedures))

    constant_queries(client, reverse("surveys:record_list"), add_counts)

    def add_tallies(n):
        for _ in range(n):
            month = next(months)
            make_tally(UnitFactory(parent=tree.district, kind="ward"), month, month.replace(day=28))

    constant_queries(client, reverse("surveys:tally_list"), add_tallies)


def test_reconciliation_and_ontime_do_not_grow_in_queries(tree, supervisor, as_user, constant_queries):
    client = as_user(supervisor)
    procedures = iter(ProcedureFactory(code=f"3.{n:06d}") for n in range(100))

    def add_mismatches(n):
        for _ in range(n):
            unit = UnitFactory(parent=tree.district, kind="ward")
            make_count(unit, SOFTWARE, last_month(), (5, 4, 1, 0, 0), procedure=next(procedures))
            make_count(unit, BOOK, last_month(), (5, 3, 2, 0, 0))
            Reconciliation.objects.create(unit=unit, month=last_month(), status="explained", comment="x")

    constant_queries(client, reverse("surveys:reconciliation"), add_mismatches)
    constant_queries(client, reverse("surveys:ontime"), add_mismatches)
    unit = UnitFactory(parent=tree.district, kind="ward")

    def add_procedures(n):
        for _ in range(n):
            make_count(unit, SOFTWARE, last_month(), procedure=next(procedures))

    constant_queries(client, f"{reverse('surveys:ontime')}?unit={unit.pk}", add_procedures)


# --- Entry by hand ---------------------------------------------------------------------------
def test_officer_enters_the_tracking_book(tree, officer_a, as_user):
    ProcedureFactory(code="1.001193")
    client = as_user(officer_a)
    url = reverse("surveys:record_create")
    page = client.get(url)
    assert list(page.context["form"].fields["unit"].queryset) == [tree.unit_a]
    month = last_month()
    data = {
        "unit": tree.unit_a.pk,
        "source": BOOK,
        "procedure": "1.001193",
        "month": f"{month:%Y-%m}",
        "received": "12",
        "on_time": "10",
        "late": "1",
        "pending": "1",
        "returned": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    record = RecordCount.objects.get()
    assert (record.source, record.procedure.code, record.month, record.on_time) == (
        BOOK,
        "1.001193",
        month,
        10,
    )
    # Edit: the key is fixed, the counts change.
    update_url = reverse("surveys:record_update", args=[record.pk])
    response = client.post(update_url, {**data, "month": "2001-01", "received": "13"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.received, record.month) == (13, month)


def test_bad_input_saves_nothing(tree, officer_a, as_user):
    client = as_user(officer_a)
    future = (datetime.date.today().replace(day=28) + datetime.timedelta(days=40)).replace(day=1)
    base = {"unit": tree.unit_a.pk, "source": BOOK, "procedure": "", "received": "1", "on_time": "1"}
    base |= {"late": "0", "pending": "0", "returned": "0"}
    response = client.post(reverse("surveys:record_create"), {**base, "month": f"{future:%Y-%m}"})
    assert response.status_code == 200
    assert "in the future" in response.content.decode()
    response = client.post(reverse("surveys:record_create"), {**base, "month": "2025-01", "procedure": "9.9"})
    assert "No procedure has the code 9.9" in response.content.decode()
    response = client.post(reverse("surveys:record_create"), {**base, "month": "2025-01", "late": "-2"})
    assert response.status_code == 200
    assert not RecordCount.objects.exists()


def test_tally_entry_and_update(tree, officer_a, as_user):
    client = as_user(officer_a)
    month = last_month()
    data = {
        "unit": tree.unit_a.pk,
        "channel": "paper",
        "procedure": "",
        "period_start": f"{month:%Y-%m-%d}",
        "period_end": f"{month.replace(day=28):%Y-%m-%d}",
        "criterion": "overall",
        "very_satisfied": "9",
        "satisfied": "1",
        "neutral": "0",
        "dissatisfied": "0",
        "very_dissatisfied": "0",
    }
    assert client.post(reverse("surveys:tally_create"), data).status_code == 302
    tally = Tally.objects.get()
    assert (tally.total, tally.created_by) == (10, officer_a)
    response = client.post(reverse("surveys:tally_create"), {**data, "period_end": "2000-01-01"})
    assert response.status_code == 200 and "ends before it starts" in response.content.decode()
    response = client.post(
        reverse("surveys:tally_update", args=[tally.pk]), {**data, "criterion": "fees", "neutral": "5"}
    )
    assert response.status_code == 302
    tally.refresh_from_db()
    assert (tally.criterion, tally.neutral, Tally.objects.count()) == ("overall", 5, 1)
    page = client.get(reverse("surveys:tally_list"))
    assert "66,7 %" in page.content.decode()  # 10 satisfied of 15 (decimal comma in every language)


# --- Imports ---------------------------------------------------------------------------------
def test_record_import_flow_with_xlsx(tree, supervisor, as_user):
    client = as_user(supervisor)
    url = reverse("surveys:record_import")
    month = last_month()
    header = ["Đơn vị", "Mã TTHC", "Tháng", "Tiếp nhận", "Đúng hạn", "Quá hạn", "Đang giải quyết", "Trả lại"]
    upload = xlsx_upload(
        [
            header,
            ["Phường Bích Động", "", f"{month:%m/%Y}", 20, 18, 1, 1, 0],
            ["Phường Ninh Sơn", "", f"{month:%m/%Y}", 7, 7, 0, 0, 0],
        ]
    )
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-preview"' in html and 'id="import-confirm"' in html
    assert response.context["check"].creates == 2
    assert not RecordCount.objects.exists()  # nothing saved by the preview
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("surveys:reconciliation")
    assert RecordCount.objects.filter(source=SOFTWARE).count() == 2
    # The previewed rows are gone from the session: a second confirmation imports nothing.
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302 and response["Location"] == url


def test_record_import_shows_row_errors_and_refuses(tree, officer_a, as_user):
    client = as_user(officer_a)
    url = reverse("surveys:record_import")
    month = last_month()
    text = (
        "Đơn vị,Tháng,Tiếp nhận,Đúng hạn,Quá hạn,Đang giải quyết,Trả lại\n"
        f"Phường Bích Động,{month:%m/%Y},5,4,1,0,0\n"
        f"Phường Ninh Sơn,{month:%m/%Y},5,4,1,0,0\n"  # not officer_a's unit
    )
    response = client.post(url, {"file": csv_upload(text)})
    html = response.content.decode()
    assert response.context["check"].error_count == 1
    assert 'id="import-refused"' in html and 'id="import-confirm"' not in html
    assert re.search(r'<tr class="table-danger" data-line="3">', html)
    # Confirming anyway is refused: 400, nothing saved.
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 400
    assert not RecordCount.objects.exists()


def test_import_refuses_an_unreadable_file(tree, officer_a, as_user):
    client = as_user(officer_a)
    response = client.post(reverse("surveys:record_import"), {"file": csv_upload("hello,world\n1,2\n")})
    assert response.status_code == 200
    assert "No header row found" in response.content.decode()
    assert response.context["check"] is None


def test_tally_import_with_csv_and_a_default_unit(tree, officer_a, as_user):
    client = as_user(officer_a)
    url = reverse("surveys:tally_import")
    month = last_month()
    text = (
        "Kênh;Từ ngày;Đến ngày;Tiêu chí;Rất hài lòng;Hài lòng;Bình thường;Không hài lòng;Rất không hài lòng\n"
        f"Thiết bị;{month:%d/%m/%Y};{month.replace(day=28):%d/%m/%Y};Tổng thể;30;10;2;1;0\n"
        f"Phiếu giấy;{month:%m/%Y};{month:%m/%Y};Thái độ;5;1;0;0;0\n"
    )
    response = client.post(url, {"file": csv_upload(text), "unit": tree.unit_a.pk})
    assert response.context["check"].is_valid
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert set(Tally.objects.values_list("unit", "channel", "criterion")) == {
        (tree.unit_a.pk, "device", "overall"),
        (tree.unit_a.pk, "paper", "attitude"),
    }


# --- Reconciliation and on-time rate -----------------------------------------------------------
def test_reconciliation_highlights_the_differing_cells(tree, officer_a, as_user):
    month = last_month()
    make_count(tree.unit_a, SOFTWARE, month, (10, 9, 1, 0, 0))
    make_count(tree.unit_a, BOOK, month, (10, 8, 2, 0, 0))
    make_count(tree.unit_a, SOFTWARE, months_ago(1), (3, 3, 0, 0, 0))
    make_count(tree.unit_a, BOOK, months_ago(2), (3, 3, 0, 0, 0))
    make_count(tree.unit_a, SOFTWARE, months_ago(2), (3, 3, 0, 0, 0))  # agrees: not listed
    client = as_user(officer_a)
    response = client.get(reverse("surveys:reconciliation"))
    html = response.content.decode()
    rows = re.findall(r'<tr [^>]*data-month="([\d-]+)"[^>]*>(.*?)</tr>', html, re.S)
    assert [m for m, _ in rows] == [f"{months_ago(1):%Y-%m}", f"{month:%Y-%m}"]
    latest = rows[1][1]
    danger = set(re.findall(r'<td class="table-danger" data-field="(\w+)"', latest))
    plain = set(re.findall(r'<td class="" data-field="(\w+)"', latest)) | set(
        re.findall(r'<td data-field="(\w+)"', latest)
    )
    assert danger == {"on_time", "late"}
    assert {"received", "pending", "returned"} <= plain
    assert "no count from the tracking book" in rows[0][1]
    assert 'class="reconciliation-form"' in latest


def test_reconciliation_decision_flow(tree, officer_a, viewer, as_user):
    month = last_month()
    make_count(tree.unit_a, SOFTWARE, month, (10, 9, 1, 0, 0))
    make_count(tree.unit_a, BOOK, month, (10, 8, 2, 0, 0))
    back = f"{reverse('surveys:reconciliation')}?unit={tree.unit_a.pk}"
    client = as_user(officer_a)
    url = reverse("surveys:reconciliation_set")
    data = {
        "unit": tree.unit_a.pk,
        "month": f"{month:%Y-%m}",
        "status": "explained",
        "comment": "",
        "next": back,
    }
    response = client.post(url, data, follow=True)
    assert "Say why the figures differ" in response.content.decode()
    assert not Reconciliation.objects.exists()
    response = client.post(url, {**data, "comment": "Một hồ sơ ghi nhầm cột."})
    assert response.status_code == 302 and response["Location"] == back
    decision = Reconciliation.objects.get()
    assert (decision.status, decision.decided_by) == ("explained", officer_a)
    page = client.get(back).content.decode()
    assert "Một hồ sơ ghi nhầm cột." in page and "text-bg-info" in page
    # Filter by status.
    assert (
        client.get(reverse("surveys:reconciliation"), {"status": "unsettled"})
        .context["table"]
        .paginator.count
        == 0
    )
    # A reader sees the list without the form.
    page = as_user(viewer).get(back).content.decode()
    assert 'class="reconciliation-form"' not in page and "Một hồ sơ ghi nhầm cột." in page
    # An unsafe "next" is ignored.
    client = as_user(officer_a)
    response = client.post(url, {**data, "comment": "x", "next": "https://evil.example/"})
    assert response["Location"].startswith(reverse("surveys:reconciliation"))


def test_ontime_page(tree, supervisor, as_user):
    year = last_month().year
    january = datetime.date(year, 1, 1)
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    make_count(tree.unit_a, SOFTWARE, january, (10, 9, 1, 0, 0), procedure=procedure)
    make_count(tree.unit_b, BOOK, january, (4, 2, 2, 0, 0))
    client = as_user(supervisor)
    url = reverse("surveys:ontime")
    response = client.get(url, {"year": year})
    rows = {r["label"]: r for r in response.context["table"].data.data}
    assert rows[tree.unit_a.name]["rate"] == 90.0 and rows[tree.unit_b.name]["rate"] == 50.0
    assert 'id="indicator-note"' in response.content.decode()
    response = client.get(url, {"year": year, "unit": tree.unit_a.pk})
    assert response.context["total"].percent == 90.0
    assert [r["label"] for r in response.context["table"].data.data] == ["1.001193 — Đăng ký khai sinh"]
    # A district shows its units.
    response = client.get(url, {"year": year, "unit": tree.district.pk})
    assert {r["label"] for r in response.context["table"].data.data} == {tree.unit_a.name, tree.unit_b.name}


def test_navigation_offers_the_records(tree, officer_a, as_user):
    html = as_user(officer_a).get(reverse("core:dashboard")).content.decode()
    assert reverse("surveys:reconciliation") in html
