"""Management reviews (ISO 9001:2015 §9.3): prefilled inputs, recording, outputs that raise actions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.models import CorrectiveAction, Finding, ManagementReview, Nonconformity, ReviewOutput
from audits.services import actions, audits, reviews
from core.clock import as_of
from tests.audits.factories import (
    D,
    clause,
    done_action,
    english,  # noqa: F401 -- fixture
    planned_audit,
    started_audit,
)

pytestmark = pytest.mark.usefixtures("english")


def raise_finding(audit, actor, kind, code, evidence="Sổ theo dõi hồ sơ."):
    return audits.finding_raise(
        actor=actor,
        audit=audit,
        kind=kind,
        clause=clause(code),
        description=f"Phát hiện {code}",
        evidence=evidence,
    )


@pytest.fixture
def history(tree, supervisor, auditor, officer_a, officer_b):
    """Unit A: an older audit, the last audit (report issued) with findings and actions in every
    state, a planned later audit; unit B: a nonconformity that must not count for A."""
    today = timezone.localdate()
    with as_of(D(2019, 5, 20)):  # the audits happened in 2019
        older = started_audit(
            actor=supervisor,
            unit=tree.unit_a,
            lead=auditor,
            month=D(2018, 5, 1),
            questions=[("4.3", "Phạm vi?")],
        )
        raise_finding(older, auditor, Finding.Kind.MAJOR, "4.3")
        last = started_audit(
            actor=supervisor,
            unit=tree.unit_a,
            lead=auditor,
            month=D(2019, 5, 1),
            questions=[
                ("4.3", "Phạm vi?"),
                ("7.5", "Tài liệu?"),
                ("7.5", "Hồ sơ?"),
                ("8.5", "TTHC đúng hạn?"),
            ],
        )
        for item in last.checklist.exclude(clause__code="8.5"):
            audits.checklist_answer(actor=auditor, item=item, answer="conforming", evidence="")
        major = raise_finding(last, auditor, Finding.Kind.MAJOR, "8.5").nonconformity
        minor1 = raise_finding(last, auditor, Finding.Kind.MINOR, "7.5").nonconformity
        minor2 = raise_finding(last, auditor, Finding.Kind.MINOR, "7.5").nonconformity
        raise_finding(last, auditor, Finding.Kind.OBSERVATION, "9.1", evidence="")
        audits.audit_issue_report(actor=auditor, audit=last, conclusion="Còn 3 điểm không phù hợp.")
        planned_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(2020, 5, 1))

        effective = done_action(actor=officer_a, nc=minor1, owner=officer_a)
        actions.action_verify(actor=supervisor, action=effective, effective=True, evidence="Đã khắc phục.")
        done_action(actor=officer_a, nc=minor2, owner=officer_a)
    for due in (today - datetime.timedelta(days=3), today + datetime.timedelta(days=3), today):
        actions.action_add(
            actor=officer_a, nonconformity=major, root_cause="R", action="A", owner=officer_a, due_on=due
        )
    actions.nonconformity_raise(
        actor=officer_b, unit=tree.unit_b, source="direct", title="B", description="B"
    )
    return last


def test_prefilled_inputs_give_the_units_figures(tree, history):
    today = timezone.localdate()
    unit_actions = CorrectiveAction.objects.filter(nonconformity__unit=tree.unit_a)
    total = unit_actions.count()
    effective = unit_actions.filter(state="effective").count()
    overdue = unit_actions.filter(state="planned", due_on__lt=today).count()
    open_ncs = Nonconformity.objects.filter(unit=tree.unit_a, status="open").count()
    assert (total, effective, overdue, open_ncs) == (5, 1, 1, 3)  # the fixture's story

    inputs = reviews.prefilled_inputs(tree.unit_a)
    assert inputs == {
        "input_previous_actions": f"{effective} of {total} corrective actions verified effective so far.",
        "input_nonconformities": f"{open_ncs} open nonconformities, {overdue} corrective actions overdue.",
        "input_audit_results": (
            "Internal audit of 05/2019: 2 of 39 clauses covered, 1 major and 2 minor nonconformities, "
            "1 observations."
        ),
        "input_satisfaction": "",
    }
    # Another day: the action due today becomes overdue too.
    later = reviews.prefilled_inputs(tree.unit_a, today=today + datetime.timedelta(days=1))
    assert later["input_nonconformities"] == "3 open nonconformities, 2 corrective actions overdue."


def test_prefilled_inputs_without_records(tree):
    inputs = reviews.prefilled_inputs(tree.unit_b)
    assert inputs["input_audit_results"] == "No internal audit recorded yet."
    assert inputs["input_previous_actions"] == "0 of 0 corrective actions verified effective so far."
    assert inputs["input_nonconformities"] == "0 open nonconformities, 0 corrective actions overdue."


def record(actor, unit, **kwargs):
    defaults = {
        "held_on": D(2019, 12, 20),
        "chair": " Chủ tịch UBND ",
        "attendees": "Ban Chỉ đạo ISO, công chức phụ trách ISO",
    }
    return reviews.review_record(actor=actor, unit=unit, **(defaults | kwargs))


def test_record_a_review_with_prefilled_inputs(tree, officer_a, history):
    inputs = reviews.prefilled_inputs(tree.unit_a)
    review = record(officer_a, tree.unit_a, conclusion=" HTQLCL phù hợp, có hiệu lực. ", **inputs)
    review.refresh_from_db()
    assert review.unit == tree.unit_a and review.recorded_by == officer_a and review.chair == "Chủ tịch UBND"
    assert review.conclusion == "HTQLCL phù hợp, có hiệu lực."
    for name, text in inputs.items():
        assert getattr(review, name) == text


def test_record_refusals(tree, officer_a, officer_b, auditor):
    for actor in (officer_b, auditor):
        with pytest.raises(PermissionDenied):
            record(actor, tree.unit_a)
    with pytest.raises(ValueError, match="unknown inputs"):
        record(officer_a, tree.unit_a, input_weather="Nắng")
    with pytest.raises(ValidationError) as error:
        record(officer_a, tree.unit_a, chair="  ", attendees="")
    assert {"chair", "attendees"} <= set(error.value.message_dict)
    assert not ManagementReview.objects.exists()


def test_outputs_and_the_action_they_raise(tree, officer_a):
    review = record(officer_a, tree.unit_a)
    plain = reviews.review_add_output(
        actor=officer_a, review=review, kind=ReviewOutput.Kind.RESOURCES, decision="Bổ sung máy quét."
    )
    assert plain.nonconformity is None and not Nonconformity.objects.exists()

    output = reviews.review_add_output(
        actor=officer_a,
        review=review,
        kind=ReviewOutput.Kind.IMPROVEMENT,
        decision=" Triển khai khảo sát sự hài lòng trực tuyến. ",
        raise_action=True,
    )
    output.refresh_from_db()
    nc = output.nonconformity
    assert nc.source == Nonconformity.Source.MANAGEMENT_REVIEW and nc.unit == tree.unit_a
    assert nc.title == nc.description == "Triển khai khảo sát sự hài lòng trực tuyến."
    assert nc.raised_on == review.held_on and nc.raised_by == officer_a and nc.status == "open"
    assert list(review.outputs.all()) == [plain, output]


def test_output_refusals(tree, officer_a, officer_b):
    review = record(officer_a, tree.unit_a)
    with pytest.raises(ValidationError) as error:
        reviews.review_add_output(
            actor=officer_a, review=review, kind="change", decision=" ", raise_action=True
        )
    assert "decision" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        reviews.review_add_output(
            actor=officer_b, review=review, kind="change", decision="X", raise_action=True
        )
    assert not ReviewOutput.objects.exists() and not Nonconformity.objects.exists()
