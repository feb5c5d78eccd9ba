"""Inspections by the province (Circular 26/2014/TT-BKHCN): plan, minutes, the 2-month report."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.models import Inspection, InspectionFinding, Nonconformity
from audits.services import inspections
from core.clock import as_of
from tests.audits.factories import (
    D,
    clause,
    english,  # noqa: F401 -- fixture
)

pytestmark = pytest.mark.usefixtures("english")


def plan(actor, units, **kwargs):
    defaults = {
        "year": 2019,
        "planned_on": D(2019, 10, 10),
        "decision_number": "125/QĐ-SKHCN",
        "decision_date": D(2019, 9, 25),
        "team": "Sở KH&CN tỉnh Bắc Giang",
    }
    return inspections.inspection_plan(actor=actor, units=units, **(defaults | kwargs))


@pytest.fixture
def inspection(tree, supervisor):
    return plan(supervisor, [tree.unit_a])[0]


def test_plan_one_inspection_per_unit(tree, supervisor):
    created = plan(supervisor, [tree.unit_a, tree.unit_b])
    assert [i.unit for i in created] == [tree.unit_a, tree.unit_b]
    for inspection in created:
        inspection.refresh_from_db()
        assert (inspection.year, inspection.decision_number, inspection.created_by) == (
            2019,
            "125/QĐ-SKHCN",
            supervisor,
        )
        assert inspection.minutes_signed_on is None and inspection.report_due_on is None


@pytest.mark.parametrize("who", ["officer_a", "auditor", "committee"])
def test_plan_needs_manage(tree, who, request):
    with pytest.raises(PermissionDenied):
        plan(request.getfixturevalue(who), [tree.unit_a])
    assert not Inspection.objects.exists()


def test_plan_with_a_unit_out_of_scope_saves_nothing(tree, supervisor):
    with pytest.raises(PermissionDenied):
        plan(supervisor, [tree.unit_a, tree.other_commune])
    assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    ("signed", "due"),
    [
        (D(2019, 10, 15), D(2019, 12, 15)),
        (D(2019, 8, 31), D(2019, 10, 31)),
        (D(2019, 7, 31), D(2019, 9, 30)),
        (D(2018, 12, 31), D(2019, 2, 28)),
        (D(2019, 12, 31), D(2020, 2, 29)),  # leap year
        (D(2019, 12, 30), D(2020, 2, 29)),
    ],
)
def test_report_due_two_months_after_the_minutes(inspection, supervisor, signed, due):
    inspections.inspection_sign_minutes(actor=supervisor, inspection=inspection, signed_on=signed)
    inspection.refresh_from_db()
    assert (inspection.minutes_signed_on, inspection.report_due_on) == (signed, due)


def test_each_finding_becomes_a_nonconformity_dated_the_signing(tree, inspection, supervisor):
    signed = D(2019, 10, 15)
    inspections.inspection_sign_minutes(
        actor=supervisor,
        inspection=inspection,
        signed_on=signed,
        findings=[
            (clause("6.2"), " Mục tiêu chất lượng chưa được đo lường theo quý. "),
            (None, "Chưa cập nhật quy trình khi TTHC thay đổi."),
            (clause("7.5"), "   "),  # an empty line of the form: skipped
        ],
    )
    found = list(InspectionFinding.objects.filter(inspection=inspection))
    assert [f.description for f in found] == [
        "Mục tiêu chất lượng chưa được đo lường theo quý.",
        "Chưa cập nhật quy trình khi TTHC thay đổi.",
    ]
    ncs = Nonconformity.objects.order_by("pk")
    assert [nc.inspection_finding for nc in ncs] == found
    for nc, finding in zip(ncs, found, strict=True):
        assert nc.source == Nonconformity.Source.INSPECTION and nc.unit == tree.unit_a
        assert nc.raised_on == signed and nc.raised_by == supervisor and nc.status == "open"
        assert nc.clause == finding.clause and nc.title == finding.description
    assert ncs[0].clause.code == "6.2" and ncs[1].clause is None


def test_minutes_twice_are_refused(inspection, supervisor):
    inspections.inspection_sign_minutes(
        actor=supervisor, inspection=inspection, signed_on=D(2019, 10, 15), findings=[(None, "Một")]
    )
    with pytest.raises(ValidationError, match="already recorded"):
        inspections.inspection_sign_minutes(
            actor=supervisor, inspection=inspection, signed_on=D(2019, 10, 20), findings=[(None, "Hai")]
        )
    inspection.refresh_from_db()
    assert inspection.minutes_signed_on == D(2019, 10, 15)
    assert Nonconformity.objects.count() == InspectionFinding.objects.count() == 1


def test_minutes_in_the_future_are_refused(inspection, supervisor):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        inspections.inspection_sign_minutes(
            actor=supervisor, inspection=inspection, signed_on=tomorrow, findings=[(None, "Một")]
        )
    assert "signed_on" in error.value.message_dict
    inspection.refresh_from_db()
    assert inspection.minutes_signed_on is None and not Nonconformity.objects.exists()
    # Today is fine; "the future" follows the services' clock.
    with as_of(D(2019, 10, 1)), pytest.raises(ValidationError):
        inspections.inspection_sign_minutes(actor=supervisor, inspection=inspection, signed_on=D(2019, 10, 2))
    inspections.inspection_sign_minutes(
        actor=supervisor, inspection=inspection, signed_on=timezone.localdate()
    )


def test_minutes_need_manage(inspection, officer_a, auditor):
    for actor in (officer_a, auditor):
        with pytest.raises(PermissionDenied):
            inspections.inspection_sign_minutes(actor=actor, inspection=inspection, signed_on=D(2019, 10, 15))
    inspection.refresh_from_db()
    assert inspection.minutes_signed_on is None


def test_report_submitted(inspection, supervisor, officer_a, officer_b, auditor):
    with pytest.raises(ValidationError, match="The minutes have not been recorded yet"):
        inspections.inspection_report_submitted(
            actor=officer_a, inspection=inspection, submitted_on=D(2019, 11, 1)
        )
    inspection.refresh_from_db()
    assert inspection.report_submitted_on is None

    inspections.inspection_sign_minutes(actor=supervisor, inspection=inspection, signed_on=D(2019, 10, 15))
    inspection.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        inspections.inspection_report_submitted(
            actor=officer_a, inspection=inspection, submitted_on=D(2019, 10, 14)
        )
    assert "submitted_on" in error.value.message_dict
    for actor in (officer_b, auditor):
        with pytest.raises(PermissionDenied):
            inspections.inspection_report_submitted(
                actor=actor, inspection=inspection, submitted_on=D(2019, 12, 1)
            )
    inspection.refresh_from_db()
    assert inspection.report_submitted_on is None

    inspections.inspection_report_submitted(
        actor=officer_a, inspection=inspection, submitted_on=D(2019, 12, 10)
    )
    inspection.refresh_from_db()
    assert inspection.report_submitted_on == D(2019, 12, 10) <= inspection.report_due_on
