"""A district's year 2024, built record by record, for the annual report's tests; the expected
figures are written out by hand beside the records that produce them (computed independently of
the selectors under test)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from audits.models import (
    Audit,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionFinding,
    ManagementReview,
    Nonconformity,
)
from certification.models import Decision, QmsProfile, StandardVersion
from communes.models import Unit
from tests.audits.matrix_audits import clause, make_audit
from tests.factories import SurveyResponseFactory, TallyFactory, UnitFactory

D = datetime.date
YEAR = 2024


@dataclass
class District:
    unit_c: Unit
    merged: Unit
    audit_a: Audit


def _profile(unit, version, status, **extra):
    return QmsProfile.objects.create(
        unit=unit, standard_version=StandardVersion.objects.get(code=version), status=status, **extra
    )


def _nc(unit, user, raised_on, closed_on=None, title="Hồ sơ một cửa thiếu phiếu kiểm soát"):
    return Nonconformity.objects.create(
        unit=unit,
        source=Nonconformity.Source.DIRECT,
        title=title,
        description="Thiếu phiếu kiểm soát quá trình giải quyết hồ sơ.",
        raised_on=raised_on,
        raised_by=user,
        status=Nonconformity.Status.CLOSED if closed_on else Nonconformity.Status.OPEN,
        closed_on=closed_on,
    )


def _action(nc, owner, due_on, done_on=None):
    return CorrectiveAction.objects.create(
        nonconformity=nc,
        root_cause="Công chức chưa nắm quy trình.",
        action="Tập huấn lại quy trình cho bộ phận một cửa.",
        owner=owner,
        due_on=due_on,
        done_on=done_on,
        state=CorrectiveAction.State.DONE if done_on else CorrectiveAction.State.PLANNED,
    )


def _response(unit, day, overall):
    return SurveyResponseFactory(
        unit=unit,
        overall=overall,
        submitted_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
    )


def build_year(tree, supervisor, officer_a, auditor) -> District:
    """Unit A: announced on the 2015 version; unit B: applying the 2008 version; unit C: no
    profile; a commune merged away in 2023 (left out); the other district's commune (left out)."""
    unit_c = UnitFactory(name="Xã Tăng Tiến", kind=Unit.Kind.COMMUNE, parent=tree.district)
    merged = UnitFactory(
        name="Xã Đã Sáp Nhập", kind=Unit.Kind.COMMUNE, parent=tree.district, valid_until=D(2023, 6, 30)
    )
    _profile(tree.unit_a, "TCVN ISO 9001:2015", QmsProfile.Status.ANNOUNCED)
    Decision.objects.create(
        unit=tree.unit_a,
        kind=Decision.Kind.ANNOUNCEMENT,
        number="15/QĐ-UBND",
        signed_on=D(2024, 3, 1),
        signer="Chủ tịch UBND phường",
        standard_version=StandardVersion.objects.get(code="TCVN ISO 9001:2015"),
    )
    _profile(
        tree.unit_b, "TCVN ISO 9001:2008", QmsProfile.Status.APPLYING, effective_confirmed_on=D(2022, 5, 1)
    )
    _profile(merged, "TCVN ISO 9001:2015", QmsProfile.Status.ANNOUNCED)

    # Internal audits: A held one in May (1 major, 2 minor, 1 observation) and plans one in
    # November (not held); B's audit is of 2023; C's February audit is in progress (held).
    audit_a = make_audit(tree.unit_a, lead=auditor, state=Audit.State.CLOSED, month=D(YEAR, 5, 1))
    for kind in (Finding.Kind.MAJOR, Finding.Kind.MINOR, Finding.Kind.MINOR, Finding.Kind.OBSERVATION):
        Finding.objects.create(
            audit=audit_a,
            kind=kind,
            clause=clause("7.5"),
            description="Sổ công văn chưa cập nhật.",
            raised_by=auditor,
        )
    make_audit(tree.unit_a, lead=auditor, month=D(YEAR, 11, 1))
    make_audit(tree.unit_b, lead=auditor, state=Audit.State.CLOSED, month=D(2023, 10, 1))
    make_audit(unit_c, lead=auditor, state=Audit.State.IN_PROGRESS, month=D(YEAR, 2, 1))
    make_audit(merged, lead=auditor, state=Audit.State.CLOSED, month=D(YEAR, 3, 1))  # left out
    make_audit(tree.other_commune, state=Audit.State.CLOSED, month=D(YEAR, 3, 1))  # left out

    # Management reviews: A twice in the year, B in December 2023 only.
    for unit, day in (
        (tree.unit_a, D(YEAR, 6, 10)),
        (tree.unit_a, D(YEAR, 12, 1)),
        (tree.unit_b, D(2023, 12, 20)),
    ):
        ManagementReview.objects.create(
            unit=unit, held_on=day, chair="Nguyễn Văn An", attendees="Ban chỉ đạo ISO", recorded_by=officer_a
        )

    # Inspections of the 2024 plan: B inspected (minutes signed, one finding); A planned only.
    inspection = Inspection.objects.create(
        unit=tree.unit_b,
        year=YEAR,
        decision_number="120/QĐ-SKHCN",
        minutes_signed_on=D(YEAR, 9, 10),
        report_due_on=D(YEAR, 11, 10),
        created_by=supervisor,
    )
    InspectionFinding.objects.create(inspection=inspection, description="Chưa cập nhật quy trình.")
    Inspection.objects.create(unit=tree.unit_a, year=YEAR, planned_on=D(YEAR, 12, 20), created_by=supervisor)
    Inspection.objects.create(unit=tree.unit_a, year=2023, created_by=supervisor)  # another year

    # Nonconformities (cut-off: 31/12/2024, long past).
    _nc(tree.unit_a, officer_a, D(YEAR, 5, 20), closed_on=D(YEAR, 7, 1))  # A: raised and closed
    nc = _nc(tree.unit_a, officer_a, D(YEAR, 6, 1))  # A: open, action late → overdue
    _action(nc, officer_a, D(YEAR, 8, 1))
    _nc(tree.unit_a, officer_a, D(2023, 11, 1), closed_on=D(YEAR, 2, 1))  # A: closed only
    nc = _nc(tree.unit_a, officer_a, D(YEAR, 10, 1))  # A: open, action due in 2025 → not overdue
    _action(nc, officer_a, D(2025, 1, 15))
    nc = _nc(tree.unit_b, officer_a, D(YEAR, 3, 1))  # B: raised; action done late, before cut-off
    _action(nc, officer_a, D(YEAR, 4, 1), done_on=D(YEAR, 5, 1))
    nc = _nc(tree.unit_b, officer_a, D(YEAR, 2, 1), closed_on=D(2025, 1, 10))  # B: overdue at cut-off
    _action(nc, officer_a, D(YEAR, 6, 1), done_on=D(2025, 1, 5))

    # Satisfaction of A: online 5, 4, 2 (2 of 3) + a paper tally of Q1 (15 of 20) = 17 of 23.
    for overall in (5, 4, 2):
        _response(tree.unit_a, D(YEAR, 4, 2), overall)
    _response(tree.unit_a, D(2023, 4, 2), 1)  # another year
    TallyFactory(
        unit=tree.unit_a,
        period_start=D(YEAR, 1, 1),
        period_end=D(YEAR, 3, 31),
        very_satisfied=10,
        satisfied=5,
        neutral=3,
        dissatisfied=2,
    )
    return District(unit_c=unit_c, merged=merged, audit_a=audit_a)


# Expected, per unit (in the tree's order: A, B, C): written out from the records above.
EXPECTED = {
    "Phường Bích Động": {
        "status": QmsProfile.Status.ANNOUNCED,
        "version": "TCVN ISO 9001:2015",
        "audits": 1,
        "reviews": 2,
        "inspections": 1,
        "opened": 3,
        "closed": 2,
        "overdue": 1,
        "rated": 23,
        "satisfied": 17,
    },
    "Phường Ninh Sơn": {
        "status": QmsProfile.Status.APPLYING,
        "version": "TCVN ISO 9001:2008",
        "audits": 0,
        "reviews": 0,
        "inspections": 1,
        "opened": 2,
        "closed": 0,
        "overdue": 1,
        "rated": 0,
        "satisfied": 0,
    },
    "Xã Tăng Tiến": {
        "status": None,
        "version": "",
        "audits": 1,
        "reviews": 0,
        "inspections": 0,
        "opened": 0,
        "closed": 0,
        "overdue": 0,
        "rated": 0,
        "satisfied": 0,
    },
}
