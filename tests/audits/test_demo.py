"""The audits demo of `seed_demo`: 2018 and 2019 programmes over Việt Yên, findings and actions
(some overdue), a management review per unit, the province's inspections; a re-run changes nothing."""

import io
import time

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from audits import demo, selectors
from audits.models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionFinding,
    ManagementReview,
    Nonconformity,
    ReviewOutput,
)
from audits.services.audits import conflicted_auditors
from communes.demo import HISTORY_UNTIL
from communes.models import Unit

User = get_user_model()
MODELS = [
    AuditProgramme,
    Audit,
    ChecklistItem,
    Finding,
    Nonconformity,
    CorrectiveAction,
    ManagementReview,
    ReviewOutput,
    Inspection,
    InspectionFinding,
]
D = demo.D


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run_seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def state():
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts |= {f"{model.__name__} history": model.history.count() for model in MODELS}
    # Every history table of the app, the audit team's m2m history included.
    counts |= {
        m.__name__: m.objects.count()
        for m in apps.get_app_config("audits").get_models()
        if "Historical" in m.__name__
    }
    counts["audits"] = sorted(Audit.objects.values_list("unit__code", "planned_month", "state"))
    counts["ncs"] = sorted(Nonconformity.objects.values_list("unit__code", "source", "status", "raised_on"))
    counts["actions"] = sorted(
        CorrectiveAction.objects.values_list("nonconformity__unit__code", "state", "due_on")
    )
    return counts


@pytest.fixture
def seeded(db):
    started = time.monotonic()
    output = run_seed()
    return output, time.monotonic() - started


@pytest.fixture
def units(seeded):
    district = Unit.objects.get(code_system="legacy", code="222")
    return list(Unit.objects.filter(parent=district).order_by("code"))


def test_seed_twice_changes_nothing(seeded):
    output, seconds = seeded
    print(output)  # the summary lines and each app's seeding time, shown with -rP
    assert "Audits: 2 programmes, 34 audits" in output
    first = state()
    run_seed()
    assert state() == first


def test_programmes_fan_out_over_the_units(units):
    district = units[0].parent
    auditor = User.objects.get(username="auditor")
    bichdong, ninhson = User.objects.get(username="bichdong"), User.objects.get(username="ninhson")
    for year in (2018, 2019):
        programme = AuditProgramme.objects.get(unit=district, year=year)
        audits = list(programme.audits.prefetch_related("team"))
        assert sorted(a.unit.code for a in audits) == [u.code for u in units]
        assert {a.lead_auditor for a in audits} == {auditor}
        # Planned months spread over the year.
        assert len({a.planned_month.month for a in audits}) >= 6
        assert {a.planned_month.year for a in audits} == {year}
        for audit in audits:
            # Independence: nobody audits the unit where they are the officer.
            assert not conflicted_auditors(audit.unit, [audit.lead_auditor, *audit.team.all()])
        by_code = {a.unit.code: a for a in audits}
        assert set(by_code["07777"].team.all()) == {ninhson}
        assert set(by_code["07798"].team.all()) == {bichdong}
    assert set(Audit.objects.filter(programme__year=2018).values_list("state", flat=True)) == {
        Audit.State.CLOSED
    }
    states_2019 = set(Audit.objects.filter(programme__year=2019).values_list("state", flat=True))
    assert states_2019 == {Audit.State.REPORT_ISSUED, Audit.State.IN_PROGRESS}


def test_checklists_depth_and_findings(units):
    audits = list(selectors.with_depth(Audit.objects.all()))
    covered = [a.clauses_covered for a in audits]
    # The pilots' audits are deep, most others shallow.
    assert max(covered) >= 18 and min(covered) <= 4
    assert sum(1 for c in covered if c <= 8) >= 20
    questions = ChecklistItem.objects.values_list("question", flat=True)
    assert "Phạm vi HTQLCL đã được xác định và công bố chưa?" in questions
    assert "Hồ sơ TTHC có được tiếp nhận, giải quyết đúng hạn?" in questions
    assert ChecklistItem.objects.filter(
        answer=ChecklistItem.Answer.NOT_APPLICABLE, clause__code="8.3"
    ).exists()
    assert (
        ChecklistItem.objects.filter(answer=ChecklistItem.Answer.NONCONFORMING).exclude(evidence="").exists()
    )
    # The pilots' 2019 checklists were copied from 2018 (plus a new question).
    for code in ("07777", "07798"):
        old, new = (Audit.objects.get(unit__code=code, programme__year=y) for y in (2018, 2019))
        old_questions = set(old.checklist.values_list("clause__code", "question"))
        assert old_questions < set(new.checklist.values_list("clause__code", "question"))
    # Findings of every kind; every nonconformity with its evidence and its Nonconformity.
    assert set(Finding.objects.values_list("kind", flat=True)) == set(Finding.Kind.values)
    for finding in Finding.objects.filter(kind__in=Finding.NONCONFORMITIES):
        assert finding.evidence and finding.nonconformity.source == Nonconformity.Source.AUDIT
    assert not Nonconformity.objects.filter(finding__kind__in=["observation", "improvement"]).exists()


def test_actions_in_every_state(units):
    today = HISTORY_UNTIL
    actions = CorrectiveAction.objects.all()
    effective = actions.filter(state=CorrectiveAction.State.EFFECTIVE)
    assert effective.count() >= 10
    assert actions.filter(state=CorrectiveAction.State.NOT_EFFECTIVE).count() == 1
    assert actions.filter(state=CorrectiveAction.State.DONE).count() >= 2
    assert selectors.overdue_actions().count() >= 3
    assert all(a.due_on < today for a in selectors.overdue_actions())
    for action in actions.exclude(verified_by=None):
        assert action.verified_by_id != action.owner_id
    # A nonconformity is closed exactly when its last action was verified effective.
    for nc in Nonconformity.objects.prefetch_related("actions"):
        states = [a.state for a in sorted(nc.actions.all(), key=lambda a: (a.created_at, a.pk))]
        closed = bool(states) and states[-1] == "effective" and not {"planned", "done"} & set(states)
        assert (nc.status == Nonconformity.Status.CLOSED) == closed, nc
    # 2018's nonconformities are all closed: its audits could close.
    assert not Nonconformity.objects.filter(finding__audit__programme__year=2018, status="open").exists()
    assert Nonconformity.objects.filter(finding__audit__programme__year=2019, status="open").exists()
    assert CorrectiveAction.objects.exclude(five_whys=[]).exists()


def test_a_management_review_per_unit(units):
    reviews = ManagementReview.objects.filter(held_on__year=2019)
    assert sorted(reviews.values_list("unit__code", flat=True)) == [u.code for u in units]
    for review in reviews:
        assert review.input_nonconformities and review.input_audit_results and review.input_previous_actions
        assert 1 <= review.outputs.count() <= 2
    # The originals (the 2025 reorganisation carries copies of the open ones to Phường Việt Yên).
    raised = Nonconformity.objects.filter(
        source=Nonconformity.Source.MANAGEMENT_REVIEW, carried_from__isnull=True
    )
    assert raised.count() >= 2
    assert set(raised.values_list("unit__code", flat=True)) >= {"07777", "07798"}
    assert all(nc.review_output.review.held_on == nc.raised_on for nc in raised)


def test_inspections(units):
    today = HISTORY_UNTIL
    inspection = Inspection.objects.get(decision_number="125/QĐ-SKHCN")
    assert inspection.unit.code == "07777" and inspection.year == 2019
    assert inspection.minutes_signed_on == D(2019, 10, 16) and inspection.report_due_on == D(2019, 12, 16)
    assert inspection.report_submitted_on <= inspection.report_due_on
    ncs = Nonconformity.objects.filter(inspection_finding__inspection=inspection)
    assert ncs.count() == 2
    assert set(ncs.values_list("source", "raised_on")) == {("inspection", D(2019, 10, 16))}
    # The recent one: minutes signed about 2.5 months before the district's last day, no report,
    # the deadline passed.
    recent = Inspection.objects.get(decision_number=demo.RECENT_DECISION)
    assert recent.unit.code == "07798" and recent.report_submitted_on is None
    assert (
        recent.report_due_on
        < today
        < recent.report_due_on + (recent.report_due_on - recent.minutes_signed_on)
    )
    assert recent.findings.count() == 2


def test_bichdong_sees_only_bich_dong(units):
    bichdong = User.objects.get(username="bichdong")
    visible = Nonconformity.objects.for_user(bichdong)
    assert set(visible.values_list("unit__code", flat=True)) == {"07777"}
    assert (
        visible.count()
        == Nonconformity.objects.filter(unit__code="07777", unit__code_system="legacy").count()
        >= 5
    )
    # The district's staff see the district's records, not the copies carried to the 2025 ward.
    district = User.objects.get(username="district")
    legacy = Nonconformity.objects.filter(unit__code_system="legacy")
    assert Nonconformity.objects.for_user(district).count() == legacy.count() < Nonconformity.objects.count()
