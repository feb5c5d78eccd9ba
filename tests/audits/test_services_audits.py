"""Audit programmes, audits, checklists and findings through the services (ISO 9001:2015 §9.2)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.models import Audit, AuditProgramme, ChecklistItem, Finding, FindingAttachment, Nonconformity
from audits.services import actions, audits
from tests.audits.factories import (
    D,
    answer_all,
    clause,
    done_action,
    english,  # noqa: F401 -- fixture
    join,
    member,
    nonconformity_of,
    pdf_upload,
    planned_audit,
    started_audit,
)
from tests.factories import UnitFactory

pytestmark = pytest.mark.usefixtures("english")
State = Audit.State
QUESTIONS = [
    ("4.3", "Phạm vi HTQLCL đã được xác định và công bố chưa?"),
    ("7.5", "Tài liệu có được kiểm soát, phân phối bản hiện hành?"),
    ("8.5", "Hồ sơ TTHC có được tiếp nhận, giải quyết đúng hạn?"),
]


def programme(supervisor, tree, **kwargs):
    defaults = {
        "actor": supervisor,
        "unit": tree.district,
        "year": 2019,
        "title": "Chương trình đánh giá nội bộ năm 2019",
    }
    return audits.programme_create(**(defaults | kwargs))


# --- Programme fan-out ---------------------------------------------------------------------
def test_programme_fans_out_one_planned_audit_per_unit_in_the_programme(
    tree, supervisor, auditor, officer_a, officer_b
):
    join(tree.district, tree.unit_a, tree.unit_b, tree.other_commune)
    not_joined = UnitFactory(parent=tree.district)
    abolished = UnitFactory(parent=tree.district, valid_until=D(2019, 6, 30))
    join(abolished)
    scope = [clause("4.3"), clause("9.2")]

    created = programme(
        supervisor,
        tree,
        month=D(2019, 4, 15),
        clauses=scope,
        lead_auditor=auditor,
        team=[officer_a, officer_b],
        objectives="Đánh giá sự phù hợp và hiệu lực của HTQLCL.",
    )

    assert created.unit == tree.district and created.year == 2019 and created.created_by == supervisor
    planned = {a.unit: a for a in created.audits.all()}
    # Not the owner, not a unit outside the programme or abolished before the year's end,
    # nothing outside the owner's subtree.
    assert set(planned) == {tree.unit_a, tree.unit_b}
    assert not_joined not in planned and abolished not in planned
    for audit in planned.values():
        assert audit.state == State.PLANNED
        assert audit.planned_month == D(2019, 4, 1)
        assert audit.lead_auditor == auditor
        assert set(audit.scope_clauses.all()) == set(scope)
    # Officers audit each other's units, never their own.
    assert list(planned[tree.unit_a].team.all()) == [officer_b]
    assert list(planned[tree.unit_b].team.all()) == [officer_a]


def test_fan_out_defaults_to_june_and_every_clause(tree, supervisor):
    join(tree.unit_a)
    created = programme(supervisor, tree)
    audit = created.audits.get()
    assert audit.planned_month == D(2019, 6, 1)
    assert audit.scope_clauses.count() == 39
    assert audit.lead_auditor is None and not audit.team.exists()


def test_fan_out_leaves_a_conflicted_lead_off_that_units_audit_only(tree, supervisor, officer_a):
    join(tree.unit_a, tree.unit_b)
    created = programme(supervisor, tree, lead_auditor=officer_a)
    assert created.audits.get(unit=tree.unit_a).lead_auditor is None
    assert created.audits.get(unit=tree.unit_b).lead_auditor == officer_a


def test_second_programme_for_the_same_unit_and_year_is_refused(tree, supervisor):
    join(tree.unit_a, tree.unit_b)
    programme(supervisor, tree)
    with pytest.raises(ValidationError) as error:
        programme(supervisor, tree, title="Bản trùng")
    assert "already has a programme for 2019" in str(error.value.message_dict["year"])
    assert AuditProgramme.objects.count() == 1 and Audit.objects.count() == 2
    # Another year is fine.
    programme(supervisor, tree, year=2020)
    assert Audit.objects.count() == 4


@pytest.mark.parametrize("who", ["auditor", "officer_a", "committee", "viewer"])
def test_programme_needs_manage(tree, who, request):
    join(tree.unit_a)
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        programme(actor, tree)
    assert not AuditProgramme.objects.exists() and not Audit.objects.exists()


def test_programme_outside_the_supervisors_subtree_is_refused(tree, supervisor):
    join(tree.other_commune)
    with pytest.raises(PermissionDenied):
        programme(supervisor, tree, unit=tree.other_district)
    assert not AuditProgramme.objects.exists()


# --- Independence --------------------------------------------------------------------------
def test_audit_plan_refuses_the_units_officer_as_lead(tree, supervisor, officer_a):
    audit = Audit.objects.create(unit=tree.unit_a, planned_month=D(2019, 5, 1))
    with pytest.raises(ValidationError) as error:
        audits.audit_plan(actor=supervisor, audit=audit, lead_auditor=officer_a)
    assert error.value.messages == [
        f"Nguyễn Thu Hà is the ISO officer of {tree.unit_a.name} and cannot audit it."
    ]
    audit.refresh_from_db()
    assert audit.lead_auditor is None


def test_audit_plan_refuses_the_units_officer_in_the_team(tree, supervisor, auditor, officer_a):
    audit = Audit.objects.create(unit=tree.unit_a, planned_month=D(2019, 5, 1))
    with pytest.raises(ValidationError, match="is the ISO officer of"):
        audits.audit_plan(actor=supervisor, audit=audit, lead_auditor=auditor, team=[auditor, officer_a])
    audit.refresh_from_db()
    assert audit.lead_auditor is None and not audit.team.exists()


def test_audit_plan_accepts_the_officer_of_another_unit(tree, supervisor, auditor, officer_b):
    audit = Audit.objects.create(unit=tree.unit_a, planned_month=D(2019, 5, 1))
    audits.audit_plan(
        actor=supervisor,
        audit=audit,
        planned_month=D(2019, 9, 20),
        lead_auditor=auditor,
        team=[officer_b],
        clauses=[clause("8.5")],
        processes="Tiếp nhận và trả kết quả TTHC",
    )
    audit.refresh_from_db()
    assert audit.planned_month == D(2019, 9, 1) and audit.lead_auditor == auditor
    assert list(audit.team.all()) == [officer_b]
    assert list(audit.scope_clauses.values_list("code", flat=True)) == ["8.5"]
    assert audit.scope_processes == "Tiếp nhận và trả kết quả TTHC"


@pytest.mark.parametrize("who", ["auditor", "officer_a", "committee"])
def test_audit_plan_needs_manage(tree, auditor, who, request):
    audit = Audit.objects.create(unit=tree.unit_a, planned_month=D(2019, 5, 1))
    with pytest.raises(PermissionDenied):
        audits.audit_plan(actor=request.getfixturevalue(who), audit=audit, lead_auditor=auditor)


# --- States --------------------------------------------------------------------------------
def test_the_whole_life_of_an_audit(tree, supervisor, auditor, officer_a, officer_b):
    today = timezone.localdate()
    audit = planned_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, team=[officer_b])
    assert audit.state == State.PLANNED

    audit = audits.audit_start(actor=auditor, audit=audit)
    assert (audit.state, audit.started_on) == (State.IN_PROGRESS, today)
    for code, question in QUESTIONS:
        audits.checklist_add(actor=auditor, audit=audit, clause=clause(code), question=question)
    answer_all(audit, auditor)
    nc = nonconformity_of(audit, auditor)

    audit = audits.audit_issue_report(
        actor=auditor, audit=audit, conclusion="  HTQLCL phù hợp, có 1 NC nhỏ. "
    )
    assert (audit.state, audit.report_issued_on) == (State.REPORT_ISSUED, today)
    assert audit.conclusion == "HTQLCL phù hợp, có 1 NC nhỏ."

    with pytest.raises(ValidationError, match="Close the audit's nonconformities first"):
        audits.audit_close(actor=supervisor, audit=audit)
    audit.refresh_from_db()
    assert audit.state == State.REPORT_ISSUED

    action = done_action(actor=officer_a, nc=nc, owner=officer_a)
    actions.action_verify(actor=auditor, action=action, effective=True, evidence="Đã thu hồi bản cũ.")
    nc.refresh_from_db()
    assert nc.status == Nonconformity.Status.CLOSED

    audit = audits.audit_close(actor=supervisor, audit=audit)
    assert (audit.state, audit.closed_on) == (State.CLOSED, today)


def test_start_needs_a_lead_auditor(tree, supervisor):
    audit = planned_audit(actor=supervisor, unit=tree.unit_a)
    with pytest.raises(ValidationError, match="Name the lead auditor"):
        audits.audit_start(actor=supervisor, audit=audit)
    audit.refresh_from_db()
    assert audit.state == State.PLANNED and audit.started_on is None


def test_start_only_by_the_team_or_a_supervisor(tree, supervisor, auditor, officer_a, officer_b):
    other_auditor = member("auditor2", tree.district)
    audit = planned_audit(actor=supervisor, unit=tree.unit_a, lead=auditor)
    for actor in (other_auditor, officer_a, officer_b):
        with pytest.raises(PermissionDenied):
            audits.audit_start(actor=actor, audit=audit)
    assert audits.audit_start(actor=supervisor, audit=audit).state == State.IN_PROGRESS


def test_refusals_in_the_wrong_states(tree, supervisor, auditor):
    audit = planned_audit(actor=supervisor, unit=tree.unit_a, lead=auditor)
    item = audits.checklist_add(actor=auditor, audit=audit, clause=clause("4.3"), question="Phạm vi?")
    # Planned: no answers, findings, report or closing yet.
    with pytest.raises(ValidationError, match="This audit is planned"):
        audits.checklist_answer(actor=auditor, item=item, answer="conforming", evidence="")
    with pytest.raises(ValidationError, match="This audit is planned"):
        audits.finding_raise(
            actor=auditor, audit=audit, kind=Finding.Kind.OBSERVATION, clause=clause("4.3"), description="x"
        )
    with pytest.raises(ValidationError, match="This audit is planned"):
        audits.audit_issue_report(actor=auditor, audit=audit, conclusion="Phù hợp")
    with pytest.raises(ValidationError, match="This audit is planned"):
        audits.audit_close(actor=supervisor, audit=audit)

    audit = audits.audit_start(actor=auditor, audit=audit)
    # In progress: no re-planning, no second start, no closing.
    with pytest.raises(ValidationError, match="This audit is in progress"):
        audits.audit_plan(actor=supervisor, audit=audit, planned_month=D(2019, 12, 1))
    with pytest.raises(ValidationError, match="This audit is in progress"):
        audits.audit_start(actor=auditor, audit=audit)
    with pytest.raises(ValidationError, match="This audit is in progress"):
        audits.audit_close(actor=supervisor, audit=audit)

    answer_all(audit, auditor)
    audit = audits.audit_issue_report(actor=auditor, audit=audit, conclusion="Phù hợp")
    # Report issued: the checklist and findings are frozen, no second report.
    with pytest.raises(ValidationError, match="This audit is report issued"):
        audits.checklist_add(actor=auditor, audit=audit, clause=clause("4.3"), question="Thêm?")
    with pytest.raises(ValidationError, match="This audit is report issued"):
        audits.checklist_answer(actor=auditor, item=item, answer="not_applicable", evidence="")
    with pytest.raises(ValidationError, match="This audit is report issued"):
        audits.checklist_copy_previous(actor=auditor, audit=audit)
    with pytest.raises(ValidationError, match="This audit is report issued"):
        audits.audit_issue_report(actor=auditor, audit=audit, conclusion="Lần hai")
    with pytest.raises(ValidationError, match="This audit is report issued"):
        audits.audit_start(actor=auditor, audit=audit)

    audit = audits.audit_close(actor=supervisor, audit=audit)
    for call in (
        lambda: audits.audit_close(actor=supervisor, audit=audit),
        lambda: audits.audit_start(actor=supervisor, audit=audit),
        lambda: audits.audit_plan(actor=supervisor, audit=audit, planned_month=D(2020, 1, 1)),
        lambda: audits.audit_issue_report(actor=supervisor, audit=audit, conclusion="x"),
    ):
        with pytest.raises(ValidationError, match="This audit is closed"):
            call()
    audit.refresh_from_db()
    assert audit.state == State.CLOSED
    assert ChecklistItem.objects.get(pk=item.pk).answer == "conforming"


def test_issue_report_needs_an_answered_checklist_and_a_conclusion(tree, supervisor, auditor):
    audit = started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, questions=QUESTIONS)
    with pytest.raises(ValidationError, match="Answer the checklist"):
        audits.audit_issue_report(actor=auditor, audit=audit, conclusion="Phù hợp")
    answer_all(audit, auditor)
    with pytest.raises(ValidationError) as error:
        audits.audit_issue_report(actor=auditor, audit=audit, conclusion="   ")
    assert error.value.message_dict == {"conclusion": ["Write the audit's conclusion."]}
    audit.refresh_from_db()
    assert audit.state == State.IN_PROGRESS and audit.report_issued_on is None and audit.conclusion == ""


def test_issue_report_by_the_lead_or_a_supervisor_only(tree, supervisor, auditor):
    member_auditor = member("auditor2", tree.district)
    audit = started_audit(
        actor=supervisor, unit=tree.unit_a, lead=auditor, team=[member_auditor], questions=QUESTIONS
    )
    answer_all(audit, member_auditor)
    with pytest.raises(PermissionDenied, match="The lead auditor issues the report"):
        audits.audit_issue_report(actor=member_auditor, audit=audit, conclusion="Phù hợp")
    assert audits.audit_issue_report(actor=supervisor, audit=audit, conclusion="Phù hợp").state == (
        State.REPORT_ISSUED
    )


def test_close_needs_manage(tree, supervisor, auditor):
    audit = started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, questions=QUESTIONS[:1])
    answer_all(audit, auditor)
    audits.audit_issue_report(actor=auditor, audit=audit, conclusion="Phù hợp")
    with pytest.raises(PermissionDenied):
        audits.audit_close(actor=auditor, audit=audit)
    audit.refresh_from_db()
    assert audit.state == State.REPORT_ISSUED


# --- Checklists ----------------------------------------------------------------------------
def test_copy_previous_checklist_resets_answers_and_evidence(tree, supervisor, auditor):
    previous = started_audit(
        actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(2018, 6, 1), questions=QUESTIONS
    )
    audits.checklist_add(
        actor=auditor, audit=previous, clause=clause("4.3"), question="Có công bố trên cổng?"
    )
    answer_all(previous, auditor, answer=ChecklistItem.Answer.NONCONFORMING, evidence="Thiếu bằng chứng.")
    # An audit of another unit and a later audit are not "the previous audit".
    started_audit(
        actor=supervisor, unit=tree.unit_b, lead=auditor, month=D(2019, 1, 1), questions=[("9.1", "Khác?")]
    )
    started_audit(
        actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(2020, 1, 1), questions=[("10.2", "Sau?")]
    )
    audit = planned_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(2019, 6, 1))

    assert audits.checklist_copy_previous(actor=auditor, audit=audit) == 4

    def rows(a):
        return sorted(a.checklist.values_list("clause__code", "question", "position"))

    assert rows(audit) == rows(previous)
    assert set(audit.checklist.values_list("answer", "evidence")) == {("", "")}
    # The previous audit keeps its answers.
    assert set(previous.checklist.values_list("answer", flat=True)) == {"nonconforming"}


def test_copy_previous_refused_without_an_earlier_audit(tree, supervisor, auditor):
    started_audit(actor=supervisor, unit=tree.unit_b, lead=auditor, month=D(2018, 1, 1), questions=QUESTIONS)
    planned_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(2018, 1, 1))  # no checklist
    audit = planned_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(2019, 6, 1))
    with pytest.raises(ValidationError, match="no earlier audit with a checklist"):
        audits.checklist_copy_previous(actor=auditor, audit=audit)
    assert not audit.checklist.exists()


def test_checklist_add_positions_and_refusals(tree, supervisor, auditor, officer_a):
    audit = planned_audit(actor=supervisor, unit=tree.unit_a, lead=auditor)
    first = audits.checklist_add(actor=auditor, audit=audit, clause=clause("7.5"), question=" Câu 1 ")
    second = audits.checklist_add(actor=auditor, audit=audit, clause=clause("7.5"), question="Câu 2")
    other = audits.checklist_add(actor=auditor, audit=audit, clause=clause("8.5"), question="Câu 3")
    assert (first.position, second.position, other.position) == (0, 1, 0) and first.question == "Câu 1"
    with pytest.raises(ValidationError) as error:
        audits.checklist_add(actor=auditor, audit=audit, clause=clause("7.5"), question="  ")
    assert "question" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        audits.checklist_add(actor=officer_a, audit=audit, clause=clause("7.5"), question="Tự đánh giá?")
    assert audit.checklist.count() == 3


def test_nonconforming_answer_needs_evidence(tree, supervisor, auditor):
    audit = started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, questions=QUESTIONS[:1])
    item = audit.checklist.get()
    with pytest.raises(ValidationError) as error:
        audits.checklist_answer(actor=auditor, item=item, answer="nonconforming", evidence="  ")
    assert error.value.message_dict == {"evidence": ["A nonconforming answer needs its evidence."]}
    with pytest.raises(ValidationError) as error:
        audits.checklist_answer(actor=auditor, item=item, answer="maybe", evidence="x")
    assert "answer" in error.value.message_dict
    item.refresh_from_db()
    assert (item.answer, item.evidence) == ("", "")

    audits.checklist_answer(actor=auditor, item=item, answer="conforming", evidence="")
    audits.checklist_answer(actor=auditor, item=item, answer="nonconforming", evidence=" Sổ theo dõi thiếu. ")
    item.refresh_from_db()
    assert (item.answer, item.evidence) == ("nonconforming", "Sổ theo dõi thiếu.")


def test_answers_only_by_the_team(tree, supervisor, auditor, officer_a):
    other_auditor = member("auditor2", tree.district)
    audit = started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, questions=QUESTIONS[:1])
    item = audit.checklist.get()
    for actor in (other_auditor, officer_a):
        with pytest.raises(PermissionDenied):
            audits.checklist_answer(actor=actor, item=item, answer="conforming", evidence="")
    item.refresh_from_db()
    assert item.answer == ""


# --- Findings ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", [Finding.Kind.MAJOR, Finding.Kind.MINOR])
def test_a_nonconformity_finding_raises_a_nonconformity(tree, supervisor, auditor, kind):
    audit = started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, questions=QUESTIONS)
    item = audit.checklist.get(clause__code="8.5")
    finding = audits.finding_raise(
        actor=auditor,
        audit=audit,
        kind=kind,
        clause=clause("8.5"),
        description=" 3/20 hồ sơ khai sinh trả kết quả quá hạn. ",
        evidence="Sổ theo dõi hồ sơ tháng 4/2019.",
        checklist_item=item,
    )
    nc = Nonconformity.objects.get()
    assert nc.finding == finding and finding.checklist_item == item
    assert nc.source == Nonconformity.Source.AUDIT and nc.unit == tree.unit_a
    assert nc.clause.code == "8.5" and nc.raised_by == auditor
    assert nc.raised_on == timezone.localdate() and nc.status == Nonconformity.Status.OPEN
    assert nc.title == "8.5 — 3/20 hồ sơ khai sinh trả kết quả quá hạn."
    assert nc.description == "3/20 hồ sơ khai sinh trả kết quả quá hạn."


@pytest.mark.parametrize("kind", [Finding.Kind.OBSERVATION, Finding.Kind.IMPROVEMENT])
def test_observations_and_improvements_raise_no_nonconformity(tree, supervisor, auditor, kind):
    audit = started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor)
    finding = audits.finding_raise(
        actor=auditor, audit=audit, kind=kind, clause=clause("9.1"), description="Nên khảo sát trực tuyến."
    )
    assert finding.kind == kind and finding.evidence == ""
    assert not Nonconformity.objects.exists()


@pytest.mark.parametrize("kind", [Finding.Kind.MAJOR, Finding.Kind.MINOR])
def test_a_nonconformity_needs_evidence(tree, supervisor, auditor, kind):
    audit = started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor)
    with pytest.raises(ValidationError) as error:
        audits.finding_raise(
            actor=auditor, audit=audit, kind=kind, clause=clause("7.5"), description="Thiếu", evidence=" "
        )
    assert error.value.message_dict == {"evidence": ["A nonconformity needs its objective evidence."]}
    with pytest.raises(ValidationError) as error:
        audits.finding_raise(
            actor=auditor, audit=audit, kind=kind, clause=clause("7.5"), description=" ", evidence="Có"
        )
    assert "description" in error.value.message_dict
    assert not Finding.objects.exists() and not Nonconformity.objects.exists()


def test_a_question_of_another_audit_is_refused(tree, supervisor, auditor):
    other = started_audit(actor=supervisor, unit=tree.unit_b, lead=auditor, questions=QUESTIONS[:1])
    audit = started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor)
    with pytest.raises(ValidationError, match="belongs to another audit"):
        audits.finding_raise(
            actor=auditor,
            audit=audit,
            kind=Finding.Kind.OBSERVATION,
            clause=clause("4.3"),
            description="x",
            checklist_item=other.checklist.get(),
        )
    assert not Finding.objects.exists()


def test_findings_by_the_team_or_a_supervisor_only(
    tree, supervisor, auditor, officer_a, officer_b, committee
):
    team_auditor = member("auditor2", tree.district)
    outsider = member("auditor3", tree.district)
    audit = started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, team=[team_auditor])

    def raise_by(actor):
        return audits.finding_raise(
            actor=actor,
            audit=audit,
            kind=Finding.Kind.MINOR,
            clause=clause("7.5"),
            description="Sổ công văn đến chưa cập nhật.",
            evidence="Sổ công văn tháng 5.",
        )

    for actor in (auditor, team_auditor, supervisor):
        assert raise_by(actor).raised_by == actor
    # An auditor not on the team, the unit's own officer, another officer, the committee.
    for actor in (outsider, officer_a, officer_b, committee):
        with pytest.raises(PermissionDenied):
            raise_by(actor)
    assert Finding.objects.count() == Nonconformity.objects.count() == 3


def test_team_member_without_the_auditor_role_cannot_write(tree, supervisor, auditor, officer_b):
    """Being on the team is not enough: the AUDIT right on the unit is needed too."""
    audit = started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, team=[officer_b])
    with pytest.raises(PermissionDenied):
        audits.finding_raise(
            actor=officer_b, audit=audit, kind=Finding.Kind.OBSERVATION, clause=clause("9.1"), description="x"
        )


# --- Attachments ---------------------------------------------------------------------------
@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def finding(tree, supervisor, auditor):
    audit = started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor)
    return audits.finding_raise(
        actor=auditor,
        audit=audit,
        kind=Finding.Kind.MINOR,
        clause=clause("7.5"),
        description="Biểu mẫu cũ còn sử dụng.",
        evidence="Mẫu BM-01 cũ tại bộ phận một cửa.",
    )


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


def test_attach_a_pdf(media, finding, auditor):
    upload = pdf_upload()
    data = upload.read()
    attachment = audits.finding_attach(actor=auditor, finding=finding, upload=upload)
    attachment.refresh_from_db()
    assert (attachment.original_name, attachment.file_type, attachment.size) == (
        "bien-ban.pdf",
        "pdf",
        len(data),
    )
    assert attachment.uploaded_by == auditor
    with attachment.file.open("rb") as handle:
        assert handle.read() == data
    assert len(stored_files(media)) == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bien-ban.pdf", b"MZ\x90\x00 not a pdf", "is not a PDF, Word, Excel or ODT file"),
        ("bien-ban.exe", b"%PDF-1.4 whatever", "Only PDF, Word"),
        ("bien-ban.pdf", b"", "The file is empty"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(media, finding, auditor, name, data, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError, match=message):
        audits.finding_attach(actor=auditor, finding=finding, upload=SimpleUploadedFile(name, data))
    assert not FindingAttachment.objects.exists()
    assert stored_files(media) == []


def test_too_big_attachment_refused(media, finding, auditor, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError, match="the limit is"):
        audits.finding_attach(actor=auditor, finding=finding, upload=pdf_upload())
    assert not FindingAttachment.objects.exists() and stored_files(media) == []


def test_attach_only_by_the_team(media, finding, officer_a, tree):
    for actor in (officer_a, member("auditor2", tree.district)):
        with pytest.raises(PermissionDenied):
            audits.finding_attach(actor=actor, finding=finding, upload=pdf_upload())
    assert not FindingAttachment.objects.exists() and stored_files(media) == []
