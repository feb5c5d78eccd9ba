"""The annual report to the Department of Science and Technology: its figures (checked against
the values written out in tests/reports/annual_data.py), the page, the problems and proposals,
the year picker, the Excel workbook and the number of queries."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from audits.models import Audit, ManagementReview, Nonconformity
from certification.models import Decision, QmsProfile, StandardVersion
from communes.models import Unit
from reports import services
from reports.models import MAX_TEXT, AnnualReport
from reports.selectors_annual import annual_content, supervising_units
from tests.audits.matrix_audits import make_audit
from tests.factories import SurveyResponseFactory, UnitFactory
from tests.reports.annual_data import EXPECTED, YEAR, build_year

D = datetime.date


@pytest.fixture
def district_year(tree, supervisor, officer_a, auditor):
    return build_year(tree, supervisor, officer_a, auditor)


def url(name, unit=None, year=YEAR):
    address = reverse(name, args=[year])
    return f"{address}?unit={unit.pk}" if unit is not None else address


def _figures(line):
    return {
        "status": line.qms.status,
        "version": line.version,
        "audits": len(line.audits_held),
        "reviews": len(line.reviews),
        "inspections": len(line.inspections),
        "opened": line.nc_opened,
        "closed": line.nc_closed,
        "overdue": line.nc_overdue,
        "rated": line.rated,
        "satisfied": line.satisfied,
    }


# --- The figures -----------------------------------------------------------------------------
def test_content_holds_the_units_of_the_year_with_their_figures(tree, district_year):
    content = annual_content(tree.district, YEAR, today=D(2026, 1, 15))
    assert [line.unit.name for line in content.lines] == list(EXPECTED)
    for line in content.lines:
        assert _figures(line) == EXPECTED[line.unit.name], line.unit.name
    rate_a = content.lines[0].rate
    assert round(float(rate_a), 4) == round(17 / 23, 4)
    assert content.lines[1].rate is None
    # Every audit planned in the year (held or not) of the report's units, in the tree's order.
    assert [(a.unit.name, a.planned_month, a.major, a.minor, a.observations) for a in content.audits] == [
        ("Phường Bích Động", D(YEAR, 5, 1), 1, 2, 1),
        ("Phường Bích Động", D(YEAR, 11, 1), 0, 0, 0),
        ("Xã Tăng Tiến", D(YEAR, 2, 1), 0, 0, 0),
    ]
    assert [i.findings_count for i in content.inspections if i.unit_id == tree.unit_b.pk] == [1]


def test_summary_adds_the_units_up(tree, district_year):
    s = annual_content(tree.district, YEAR, today=D(2026, 1, 15)).summary
    expected = list(EXPECTED.values())
    assert s.units == 3
    assert s.with_profile == 2
    assert s.announced == sum(e["status"] == QmsProfile.Status.ANNOUNCED for e in expected) == 1
    assert s.on_current_version == 1
    assert s.audits == sum(e["audits"] for e in expected) == 2
    assert s.audited == 2
    assert s.reviews == 2 and s.reviewed == 1
    assert s.inspections == 2 and s.inspected == 1
    assert (s.nc_opened, s.nc_closed, s.nc_overdue) == (5, 2, 2)
    assert (s.rated, s.satisfied) == (23, 17)
    assert s.versions == {"TCVN ISO 9001:2015": 1, "TCVN ISO 9001:2008": 1}


def test_a_past_year_shows_the_status_on_its_last_day(tree, district_year, supervisor):
    """A revocation signed in 2025 does not change the report of 2024; the 2025 report, in the
    year under way, shows today's status."""
    Decision.objects.create(
        unit=tree.unit_a,
        kind=Decision.Kind.REVOCATION,
        number="03/QĐ-UBND",
        signed_on=D(2025, 2, 1),
        signer="Chủ tịch UBND thị xã",
        standard_version=StandardVersion.objects.get(code="TCVN ISO 9001:2015"),
    )
    Decision.objects.filter(unit=tree.unit_a, kind=Decision.Kind.ANNOUNCEMENT).update(
        superseded_by=Decision.objects.get(number="03/QĐ-UBND")
    )
    QmsProfile.objects.filter(unit=tree.unit_a).update(status=QmsProfile.Status.LAPSED)
    past = annual_content(tree.district, YEAR, today=D(2025, 3, 1)).lines[0]
    assert (past.unit, past.qms.status, past.version) == (
        tree.unit_a,
        QmsProfile.Status.ANNOUNCED,
        "TCVN ISO 9001:2015",
    )
    assert past.qms.announcement.number == "15/QĐ-UBND"
    current = annual_content(tree.district, 2025, today=D(2025, 3, 1)).lines[0]
    assert (current.qms.status, current.qms.announcement) == (QmsProfile.Status.LAPSED, None)


def test_overdue_is_judged_at_the_day_of_the_report_in_the_current_year(tree, officer_a):
    """In the year under way the cut-off is today: an action due tomorrow is not overdue yet."""
    nc = Nonconformity.objects.create(
        unit=tree.unit_a,
        source=Nonconformity.Source.DIRECT,
        title="Hồ sơ trễ hạn",
        description="Trễ hạn",
        raised_on=D(YEAR, 3, 1),
        raised_by=officer_a,
    )
    nc.actions.create(root_cause="-", action="Khắc phục", owner=officer_a, due_on=D(YEAR, 6, 1))
    assert annual_content(tree.district, YEAR, today=D(YEAR, 5, 31)).summary.nc_overdue == 0
    assert annual_content(tree.district, YEAR, today=D(YEAR, 6, 2)).summary.nc_overdue == 1


def test_supervising_units_are_those_supervised_or_on_whose_committee(
    tree, supervisor, committee, officer_a, auditor, viewer, superuser
):
    assert list(supervising_units(supervisor)) == [tree.district]
    assert list(supervising_units(committee)) == [tree.district]
    for user in (officer_a, auditor, viewer):
        assert list(supervising_units(user)) == []
    assert list(supervising_units(superuser)) == [tree.province, tree.district, tree.other_district]


# --- The page ------------------------------------------------------------------------------
def test_page_shows_each_unit_with_its_figures(tree, district_year, supervisor, login):
    response = login(supervisor).get(url("reports:annual_report"))
    assert response.status_code == 200
    lines = response.context["c"].lines
    assert [line.unit.name for line in lines] == list(EXPECTED)
    html = response.content.decode()
    for name in EXPECTED:
        assert name in html
    assert "Xã Đã Sáp Nhập" not in html and "Xã Đức Thắng" not in html
    assert 'id="edit-texts"' in html
    assert 'id="download-pdf"' in html and 'id="download-xlsx"' in html


def test_committee_reads_without_the_edit_button(tree, district_year, committee, login):
    response = login(committee).get(url("reports:annual_report"))
    assert response.status_code == 200
    assert 'id="edit-texts"' not in response.content.decode()
    assert login(committee).get(url("reports:annual_report_edit")).status_code == 403


def test_year_out_of_range_in_the_address_is_not_found(supervisor, login):
    client = login(supervisor)
    assert client.get(url("reports:annual_report", year=2013)).status_code == 404
    assert client.get(url("reports:annual_report", year=datetime.date.today().year + 1)).status_code == 404


def test_page_queries_do_not_grow_with_units(tree, supervisor, officer_a, login, constant_queries):
    version = StandardVersion.objects.get(code="TCVN ISO 9001:2015")

    def add_units(n):
        for _ in range(n):
            unit = UnitFactory(parent=tree.district)
            QmsProfile.objects.create(unit=unit, standard_version=version, status=QmsProfile.Status.APPLYING)
            make_audit(unit, state=Audit.State.CLOSED, month=D(YEAR, 4, 1))
            ManagementReview.objects.create(
                unit=unit, held_on=D(YEAR, 5, 5), chair="Chủ tịch", attendees="-", recorded_by=officer_a
            )
            Nonconformity.objects.create(
                unit=unit,
                source=Nonconformity.Source.DIRECT,
                title="NC",
                description="-",
                raised_on=D(YEAR, 5, 6),
                raised_by=officer_a,
            )
            SurveyResponseFactory(unit=unit, overall=4)

    constant_queries(login(supervisor), url("reports:annual_report"), add_units, few=1, many=6)


# --- Problems and proposals ------------------------------------------------------------------
def test_supervisor_writes_problems_and_proposals(tree, supervisor, login):
    client = login(supervisor)
    response = client.post(
        url("reports:annual_report_edit", tree.district),
        {"problems": "Thiếu cán bộ chuyên trách ISO.", "proposals": "Đề nghị Sở tổ chức tập huấn."},
    )
    assert response.status_code == 302
    assert response["Location"] == url("reports:annual_report", tree.district)
    report = AnnualReport.objects.get(unit=tree.district, year=YEAR)
    assert (report.problems, report.proposals, report.updated_by) == (
        "Thiếu cán bộ chuyên trách ISO.",
        "Đề nghị Sở tổ chức tập huấn.",
        supervisor,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Thiếu cán bộ chuyên trách ISO." in page and "Đề nghị Sở tổ chức tập huấn." in page
    # A second save updates the same report and keeps the history.
    client.post(url("reports:annual_report_edit"), {"problems": "Đã khắc phục.", "proposals": ""})
    report.refresh_from_db()
    assert (report.problems, report.proposals) == ("Đã khắc phục.", "")
    assert AnnualReport.objects.count() == 1
    assert report.history.count() == 2


def test_too_long_text_is_refused_and_nothing_saved(tree, supervisor, login):
    response = login(supervisor).post(
        url("reports:annual_report_edit"), {"problems": "x" * (MAX_TEXT + 1), "proposals": "Ngắn."}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["problems"]
    assert not AnnualReport.objects.exists()


def test_service_refuses_bad_input_and_other_roles(tree, supervisor, committee):
    with pytest.raises(ValidationError) as caught:
        services.annual_report_save(
            actor=supervisor, unit=tree.district, year=2010, problems="", proposals=""
        )
    assert "year" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.annual_report_save(
            actor=supervisor, unit=tree.district, year=YEAR, problems="x" * (MAX_TEXT + 1), proposals=""
        )
    assert "problems" in caught.value.message_dict
    with pytest.raises(ValidationError):  # a ward keeps its own QMS: it files no such report
        services.annual_report_save(actor=supervisor, unit=tree.unit_a, year=YEAR, problems="", proposals="")
    with pytest.raises(PermissionDenied):
        services.annual_report_save(actor=committee, unit=tree.district, year=YEAR, problems="", proposals="")
    assert not AnnualReport.objects.exists()


# --- The year picker -------------------------------------------------------------------------
def test_year_picker_opens_the_year_or_says_what_is_wrong(tree, supervisor, login):
    client = login(supervisor)
    response = client.get(reverse("reports:annual_index"), {"year": "2023", "unit": tree.district.pk})
    assert response.status_code == 302
    assert response["Location"] == url("reports:annual_report", tree.district, year=2023)
    response = client.get(reverse("reports:annual_index"), {"year": "1999"})
    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    response = client.get(reverse("reports:annual_index"), {"year": "2023", "unit": tree.other_district.pk})
    assert response.status_code == 404  # out of scope, as everywhere
    assert client.get(reverse("reports:annual_index"))["Location"].startswith(
        reverse("reports:annual_report", args=[datetime.date.today().year])
    )


# --- The workbook ----------------------------------------------------------------------------
def test_workbook_holds_one_row_per_unit_and_every_sheet(tree, district_year, supervisor, login):
    services.annual_report_save(
        actor=supervisor, unit=tree.district, year=YEAR, problems="=1+1 thiếu kinh phí", proposals="Tập huấn."
    )
    response = login(supervisor).get(url("reports:annual_report_xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.worksheets) == 7  # summary, units, audits, reviews, inspections, NCs, satisfaction
    summary, units, audits, reviews, inspections, ncs, satisfaction = workbook.worksheets

    header = next(units.iter_rows(max_row=1, values_only=True))
    assert "31" in header[4] and header[4].endswith("2024")  # the status on the year's last day
    rows = list(units.iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in rows] == list(EXPECTED)
    for row in rows:
        expected = EXPECTED[row[1]]
        assert row[5] == (expected["version"] or None)
        assert (row[8], row[10], row[12]) == (
            expected["audits"],
            expected["reviews"],
            expected["inspections"],
        )
        assert (row[13], row[14], row[15]) == (expected["opened"], expected["closed"], expected["overdue"])
    assert rows[0][6] == "15/QĐ-UBND"
    assert round(rows[0][16], 4) == round(17 / 23, 4) and rows[1][16] is None

    assert len(list(audits.iter_rows(min_row=2))) == 3
    assert len(list(reviews.iter_rows(min_row=2))) == 2
    assert len(list(inspections.iter_rows(min_row=2))) == 2
    assert [r[1:] for r in ncs.iter_rows(min_row=2, values_only=True)] == [
        (e["opened"], e["closed"], e["overdue"]) for e in EXPECTED.values()
    ]
    assert [r[1:3] for r in satisfaction.iter_rows(min_row=2, values_only=True)] == [
        (e["rated"], e["satisfied"]) for e in EXPECTED.values()
    ]
    texts = [cell for row in summary.iter_rows(values_only=True) for cell in row if cell is not None]
    assert tree.district.name in texts
    assert "=1+1 thiếu kinh phí" in texts  # typed text stays text, never a formula
    assert "Tập huấn." in texts


def test_workbook_is_the_users_supervising_units_only(tree, district_year, committee, login):
    client = login(committee)
    assert client.get(url("reports:annual_report_xlsx", tree.other_district)).status_code == 404
    assert client.get(url("reports:annual_report_xlsx", tree.unit_a)).status_code == 404


def test_other_supervisors_report_is_out_of_scope(tree, supervisor, login):
    province = Unit.objects.get(pk=tree.province.pk)
    assert login(supervisor).get(url("reports:annual_report", province)).status_code == 404
