"""Inspection pages (Circular 26/2014/TT-BKHCN Art. 33–40): the plan, the signed minutes whose
findings become nonconformities, the corrective-action report due 2 months later."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from audits.models import Clause, Inspection, InspectionFinding, Nonconformity
from tests.audits.matrix_reviews import make_inspection
from tests.documents.factories import english  # noqa: F401 -- fixture
from tests.factories import UnitFactory

pytestmark = pytest.mark.usefixtures("english")

LIST = reverse("audits:inspection_list")
CREATE = reverse("audits:inspection_create")


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def minutes_url(inspection):
    return reverse("audits:inspection_minutes", args=[inspection.pk])


def report_url(inspection):
    return reverse("audits:inspection_report", args=[inspection.pk])


def minutes_data(signed_on="2019-11-30", rows=()):
    data = {"signed_on": signed_on, "findings-TOTAL_FORMS": "3", "findings-INITIAL_FORMS": "0"}
    for i, (clause, description) in enumerate(rows):
        data[f"findings-{i}-clause"] = clause.pk if clause else ""
        data[f"findings-{i}-description"] = description
    return data


@pytest.fixture
def inspection(tree, supervisor):
    return make_inspection(tree.unit_a, supervisor)


@pytest.fixture
def signed(tree, supervisor):
    return make_inspection(
        tree.unit_a,
        supervisor,
        minutes_signed_on=datetime.date(2019, 11, 30),
        report_due_on=datetime.date(2020, 1, 30),
    )


# --- The plan --------------------------------------------------------------------------------
def test_a_supervisor_plans_inspections_of_several_units(tree, supervisor, login):
    year = timezone.localdate().year
    response = login(supervisor).post(
        CREATE,
        {
            "year": year,
            "units": [tree.unit_a.pk, tree.unit_b.pk],
            "decision_number": "45/QĐ-UBND",
            "team": "Sở KH&CN",
        },
    )
    assert response.status_code == 302
    planned = Inspection.objects.order_by("unit__path")
    assert [i.unit for i in planned] == [tree.unit_a, tree.unit_b]
    assert all(i.year == year and i.decision_number == "45/QĐ-UBND" for i in planned)
    assert all(i.created_by == supervisor for i in planned)


def test_the_plan_offers_only_units_the_user_manages(tree, supervisor, login):
    response = login(supervisor).get(CREATE)
    assert list(response.context["form"].fields["units"].queryset) == [tree.unit_a, tree.unit_b]
    response = login(supervisor).post(
        CREATE, {"year": timezone.localdate().year, "units": [tree.other_commune.pk]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["units"]
    assert not Inspection.objects.exists()


def test_a_planned_date_outside_the_year_is_refused(tree, supervisor, login):
    response = login(supervisor).post(
        CREATE, {"year": 2019, "units": [tree.unit_a.pk], "planned_on": "2020-03-01"}
    )
    assert response.status_code == 200
    assert "The planned date must fall in the plan year." in response.content.decode()
    assert not Inspection.objects.exists()


def test_officers_cannot_plan(tree, officer_a, login):
    response = login(officer_a).post(CREATE, {"year": 2019, "units": [tree.unit_a.pk]})
    assert response.status_code == 403
    assert not Inspection.objects.exists()


# --- The minutes -------------------------------------------------------------------------------
def test_minutes_create_findings_nonconformities_and_the_due_date(inspection, supervisor, officer_a, login):
    clause = Clause.objects.get(code="7.5")
    response = login(supervisor).post(
        minutes_url(inspection),
        minutes_data(
            rows=[(clause, "Tài liệu chưa được kiểm soát."), (None, "Chưa đo lường sự hài lòng."), (None, "")]
        ),
    )
    assert response.status_code == 302 and response["Location"] == inspection.get_absolute_url()
    inspection.refresh_from_db()
    assert inspection.minutes_signed_on == datetime.date(2019, 11, 30)
    assert inspection.report_due_on == datetime.date(2020, 1, 30)
    findings = list(InspectionFinding.objects.filter(inspection=inspection).order_by("pk"))
    assert [f.clause for f in findings] == [clause, None]
    ncs = Nonconformity.objects.filter(source=Nonconformity.Source.INSPECTION, unit=inspection.unit)
    assert ncs.count() == 2
    assert {nc.inspection_finding for nc in ncs} == set(findings)

    page = login(officer_a).get(inspection.get_absolute_url()).content.decode()
    assert "30/01/2020" in page
    assert "Tài liệu chưa được kiểm soát." in page
    assert 'id="report-overdue"' in page  # past due, no report
    assert 'id="record-report"' in page


def test_minutes_signed_in_the_future_are_refused(inspection, supervisor, login):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = login(supervisor).post(minutes_url(inspection), minutes_data(tomorrow, [(None, "Lỗi")]))
    assert response.status_code == 200
    assert "The minutes cannot be signed in the future." in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.minutes_signed_on is None
    assert not InspectionFinding.objects.exists() and not Nonconformity.objects.exists()


def test_a_clause_without_a_finding_is_refused(inspection, supervisor, login):
    clause = Clause.objects.get(code="9.2")
    response = login(supervisor).post(minutes_url(inspection), minutes_data(rows=[(clause, "")]))
    assert response.status_code == 200
    assert "Describe the finding, or clear its clause." in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.minutes_signed_on is None


def test_minutes_are_recorded_once(signed, supervisor, login):
    response = login(supervisor).post(minutes_url(signed), minutes_data("2019-12-01", [(None, "Lỗi")]))
    assert response.status_code == 302
    assert "The minutes of this inspection are already recorded." in messages_of(response)
    assert not InspectionFinding.objects.exists()


def test_minutes_need_the_supervisor(inspection, officer_a, officer_b, login):
    assert login(officer_a).post(minutes_url(inspection), minutes_data()).status_code == 403
    assert login(officer_b).get(minutes_url(inspection)).status_code == 404
    inspection.refresh_from_db()
    assert inspection.minutes_signed_on is None


# --- The report ------------------------------------------------------------------------------
def test_the_officer_records_the_report(signed, officer_a, login):
    response = login(officer_a).post(report_url(signed), {"submitted_on": "2020-01-20"})
    assert response.status_code == 302
    signed.refresh_from_db()
    assert signed.report_submitted_on == datetime.date(2020, 1, 20)
    page = login(officer_a).get(signed.get_absolute_url()).content.decode()
    assert 'id="report-overdue"' not in page
    assert 'id="report-submitted"' in page


def test_a_report_before_the_minutes_is_refused(signed, officer_a, login):
    response = login(officer_a).post(report_url(signed), {"submitted_on": "2019-11-01"})
    assert response.status_code == 200
    assert "The report cannot be before the minutes." in response.content.decode()
    signed.refresh_from_db()
    assert signed.report_submitted_on is None


def test_no_report_before_the_minutes(inspection, officer_a, viewer, login):
    response = login(officer_a).get(report_url(inspection))
    assert response.status_code == 302
    assert "The minutes have not been recorded yet." in messages_of(response)
    assert login(viewer).get(report_url(inspection)).status_code == 403


# --- The list --------------------------------------------------------------------------------
def test_the_list_filters_overdue_reports(tree, supervisor, signed, inspection, login):
    done = make_inspection(
        tree.unit_b,
        supervisor,
        minutes_signed_on=datetime.date(2019, 11, 30),
        report_due_on=datetime.date(2020, 1, 30),
        report_submitted_on=datetime.date(2020, 1, 10),
    )
    make_inspection(tree.other_commune, supervisor)
    client = login(supervisor)

    rows = list(client.get(LIST).context["table"].data)
    assert {i.pk for i in rows} == {signed.pk, inspection.pk, done.pk}
    rows = list(client.get(LIST, {"overdue": "yes"}).context["table"].data)
    assert [i.pk for i in rows] == [signed.pk]
    rows = list(client.get(LIST, {"overdue": "no"}).context["table"].data)
    assert {i.pk for i in rows} == {inspection.pk, done.pk}
    rows = list(client.get(LIST, {"unit": tree.unit_b.pk, "year": 2019}).context["table"].data)
    assert [i.pk for i in rows] == [done.pk]
    assert "overdue" in client.get(LIST, {"overdue": "yes"}).content.decode()


def test_the_list_keeps_a_constant_number_of_queries(tree, supervisor, login, constant_queries):
    def add_rows(n):
        for _ in range(n):
            unit = UnitFactory(parent=tree.district)
            signed = make_inspection(
                unit,
                supervisor,
                minutes_signed_on=datetime.date(2019, 11, 30),
                report_due_on=datetime.date(2020, 1, 30),
            )
            InspectionFinding.objects.create(inspection=signed, description="Lỗi")

    constant_queries(login(supervisor), LIST, add_rows)
