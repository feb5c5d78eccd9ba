"""The audit pages: programmes and their fan-out, the plan and its independence rule, every state
of an audit through the views, the checklist by clause (htmx answers, copy of the previous one),
findings with attachments, the report, closure and the audit depth (ISO 9001:2015 §9.2)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, AuditProgramme, Finding, FindingAttachment, Nonconformity
from communes.models import Membership, Unit
from tests.audits.matrix_audits import clause, make_action, make_audit, make_item
from tests.documents.factories import (
    EXECUTABLE_BYTES,
    english,  # noqa: F401 -- fixture
    media,  # noqa: F401 -- fixture
    stored_files,
    upload,
)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.usefixtures("media", "english")

State = Audit.State
D = datetime.date


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def url(name, obj=None):
    return reverse(f"audits:{name}", args=[obj.pk] if obj is not None else [])


@pytest.fixture
def joined(tree):
    Unit.objects.filter(pk__in=[tree.unit_a.pk, tree.unit_b.pk]).update(joined_on=D(2017, 3, 1))


@pytest.fixture
def dual(tree):
    """An auditor of the district who is also the ISO officer of unit A (not independent there)."""
    user = UserFactory(username="dual", first_name="Mai", last_name="Trần Thị")
    MembershipFactory(user=user, unit=tree.district, role=Membership.Role.AUDITOR)
    MembershipFactory(user=user, unit=tree.unit_a, role=Membership.Role.OFFICER)
    return user


@pytest.fixture
def audit(tree, auditor):
    return make_audit(tree.unit_a, lead=auditor, state=State.IN_PROGRESS)


# --- Navigation and lists ---------------------------------------------------------------------
def test_menu_offers_audits_and_actions(officer_a, login):
    page = login(officer_a).get(reverse("core:dashboard")).content.decode()
    assert 'data-nav="audits"' in page and 'data-nav="actions"' in page


def test_audit_list_shows_the_audits_in_scope_with_their_depth(tree, auditor, officer_b, login):
    audit = make_audit(tree.unit_a, lead=auditor, state=State.IN_PROGRESS)
    make_item(audit, answer="conforming")
    make_audit(tree.other_commune)
    response = login(auditor).get(url("audit_list"))
    rows = list(response.context["table"].page.object_list.data)
    assert [a.unit for a in rows] == [tree.unit_a]
    assert "1/39 clauses · 1/1 questions" in response.content.decode()
    assert not login(officer_b).get(url("audit_list")).context["table"].page.object_list.data


def test_audit_list_filters(tree, supervisor, login):
    make_audit(tree.unit_a, month=D(2018, 5, 1))
    make_audit(tree.unit_b, state=State.IN_PROGRESS, month=D(2019, 5, 1))
    client = login(supervisor)

    def units(query):
        response = client.get(url("audit_list") + query)
        return {a.unit.name for a in response.context["table"].page.object_list.data}

    assert units(f"?unit={tree.unit_a.pk}") == {"Phường Bích Động"}
    assert units("?year=2019") == {"Phường Ninh Sơn"}
    assert units("?state=in_progress") == {"Phường Ninh Sơn"}
    assert units("?q=bich dong") == {"Phường Bích Động"}


def test_lists_keep_a_constant_number_of_queries(tree, supervisor, auditor, login, constant_queries):
    client = login(supervisor)
    months = iter(D(2000 + n // 12, n % 12 + 1, 1) for n in range(200))

    def add_audits(n):
        for _ in range(n):
            audit = make_audit(tree.unit_a, lead=auditor, team=[supervisor], month=next(months))
            make_item(audit, answer="conforming")

    constant_queries(client, url("audit_list"), add_audits)

    years = iter(range(1900, 2100))

    def add_programmes(n):
        for _ in range(n):
            programme = AuditProgramme.objects.create(
                unit=tree.district, year=next(years), title="Chương trình", created_by=supervisor
            )
            make_audit(tree.unit_a, programme=programme, month=next(months))

    constant_queries(client, url("programme_list"), add_programmes)


def test_depth_page_keeps_a_constant_number_of_queries(tree, supervisor, auditor, login, constant_queries):
    client = login(supervisor)
    names = iter(range(1000))

    def add_units(n):
        for _ in range(n):
            unit = Unit.objects.create(
                name=f"Xã Thử {next(names)}",
                kind=Unit.Kind.COMMUNE,
                parent=tree.district,
                joined_on=D(2018, 1, 1),
            )
            audit = make_audit(unit, lead=auditor, state=State.IN_PROGRESS)
            make_item(audit, answer="conforming")
            Finding.objects.create(
                audit=audit, kind="observation", clause=clause("7.5"), description="x", raised_by=auditor
            )

    response = constant_queries(client, url("unit_depth"), add_units)
    assert "1/39" in response.content.decode()


def test_depth_page_shows_the_last_audit_of_each_unit(tree, supervisor, auditor, joined, login):
    old = make_audit(tree.unit_a, lead=auditor, state=State.CLOSED, month=D(2018, 5, 1))
    make_item(old, answer="conforming")
    last = make_audit(tree.unit_a, lead=auditor, state=State.IN_PROGRESS, month=D(2019, 5, 1))
    make_item(last, "4.1", answer="conforming")
    make_item(last, "7.5", answer="nonconforming", evidence="Sổ thiếu.")
    make_item(last, "8.5")
    make_audit(tree.unit_a, month=D(2020, 5, 1))  # planned: not counted yet
    response = login(supervisor).get(url("unit_depth"))
    rows = {unit.pk: (audit, depth) for unit, audit, depth in response.context["rows"]}
    audit, depth = rows[tree.unit_a.pk]
    assert audit == last
    assert (depth["clauses_covered"], depth["answered"], depth["questions"]) == (2, 2, 3)
    assert rows[tree.unit_b.pk] == (None, None)


# --- Programmes -------------------------------------------------------------------------------
def test_programme_create_fans_out_and_names_who_was_left_off(tree, supervisor, auditor, dual, joined, login):
    client = login(supervisor)
    response = client.post(
        url("programme_create"),
        {
            "unit": tree.district.pk,
            "year": 2019,
            "title": "Chương trình đánh giá nội bộ 2019",
            "month": "2019-05",
            "lead_auditor": auditor.pk,
            "team": [dual.pk],
        },
    )
    programme = AuditProgramme.objects.get(unit=tree.district, year=2019)
    assert response.status_code == 302 and response["Location"] == programme.get_absolute_url()
    audits = {a.unit: a for a in programme.audits.all()}
    assert set(audits) == {tree.unit_a, tree.unit_b}
    assert list(audits[tree.unit_a].team.all()) == []
    assert list(audits[tree.unit_b].team.all()) == [dual]
    assert audits[tree.unit_a].planned_month == D(2019, 5, 1)
    notes = messages_of(response)
    assert "Programme created: 2 audits planned." in notes
    assert any("Trần Thị Mai was left off the audit of Phường Bích Động" in n for n in notes)
    page = client.get(programme.get_absolute_url()).content.decode()
    assert "Phường Bích Động" in page and "Phường Ninh Sơn" in page


def test_programme_create_is_for_the_supervisor_only(tree, officer_a, auditor, login):
    assert login(officer_a).get(url("programme_create")).status_code == 403
    assert login(auditor).post(url("programme_create"), {"unit": tree.district.pk}).status_code == 403
    assert not AuditProgramme.objects.exists()


def test_programme_create_refuses_bad_input_and_saves_nothing(tree, supervisor, joined, login):
    client = login(supervisor)
    response = client.post(
        url("programme_create"), {"unit": tree.district.pk, "year": 2019, "title": "X", "month": "2020-05"}
    )
    assert response.status_code == 200
    assert "The planned month must fall in the programme&#x27;s year." in response.content.decode()
    # A unit outside the supervisor's scope is not among the choices.
    response = client.post(
        url("programme_create"), {"unit": tree.other_district.pk, "year": 2019, "title": "X"}
    )
    assert "unit" in response.context["form"].errors
    assert not AuditProgramme.objects.exists() and not Audit.objects.exists()


def test_programme_create_refuses_a_second_programme_for_the_year(tree, supervisor, joined, login):
    client = login(supervisor)
    data = {"unit": tree.district.pk, "year": 2019, "title": "Chương trình 2019"}
    assert client.post(url("programme_create"), data).status_code == 302
    response = client.post(url("programme_create"), data)
    assert response.status_code == 200
    assert "already has a programme for 2019" in str(response.context["form"].errors["year"])
    assert AuditProgramme.objects.count() == 1 and Audit.objects.count() == 2


# --- The plan and its independence ------------------------------------------------------------
def test_plan_saves_month_team_clauses_and_processes(tree, supervisor, auditor, login):
    planned = make_audit(tree.unit_a)
    response = login(supervisor).post(
        url("audit_update", planned),
        {
            "planned_month": "2019-09",
            "lead_auditor": auditor.pk,
            "team": [supervisor.pk],
            "clauses": [clause("7.5").pk, clause("8.5").pk],
            "processes": "Bộ phận một cửa",
        },
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.planned_month == D(2019, 9, 1) and planned.lead_auditor == auditor
    assert list(planned.team.all()) == [supervisor]
    assert {c.code for c in planned.scope_clauses.all()} == {"7.5", "8.5"}
    assert planned.scope_processes == "Bộ phận một cửa"


def test_plan_refuses_an_auditor_who_is_the_officer_of_the_unit(tree, supervisor, auditor, dual, login):
    planned = make_audit(tree.unit_a, lead=auditor)
    response = login(supervisor).post(
        url("audit_update", planned),
        {"planned_month": "2019-09", "lead_auditor": dual.pk, "team": [], "processes": "Một cửa"},
    )
    assert response.status_code == 200
    assert "Trần Thị Mai is the ISO officer of Phường Bích Động and cannot audit it." in str(
        response.context["form"].non_field_errors()
    )
    planned.refresh_from_db()
    assert planned.lead_auditor == auditor and planned.scope_processes == ""
    assert planned.planned_month == D(2019, 5, 1)


def test_plan_of_a_started_audit_is_refused_with_a_message(audit, supervisor, login):
    response = login(supervisor).get(url("audit_update", audit))
    assert response.status_code == 302
    assert "This audit is in progress: the action is not possible now." in messages_of(response)


# --- Every state transition through the views -----------------------------------------------------
def test_audit_goes_through_every_state(tree, supervisor, auditor, officer_a, login):
    audit = make_audit(tree.unit_a, lead=auditor)
    client = login(auditor)
    page = client.get(url("audit_detail", audit)).content.decode()
    assert 'id="start"' in page and 'id="plan"' not in page

    assert client.post(url("audit_start", audit)).status_code == 302
    audit.refresh_from_db()
    assert audit.state == State.IN_PROGRESS and audit.started_on == timezone.localdate()

    item = make_item(audit)
    client.post(url("checklist_answer", item), {"answer": "nonconforming", "evidence": "Sổ thiếu trang."})
    client.post(
        url("finding_create", audit),
        {
            "kind": "minor",
            "clause": clause("7.5").pk,
            "description": "Sổ thiếu trang.",
            "evidence": "Sổ 2019",
        },
    )
    nc = Nonconformity.objects.get(finding__audit=audit)

    response = client.post(
        url("audit_report", audit), {"conclusion": "HTQLCL phù hợp, cần khắc phục 1 điểm."}
    )
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.state == State.REPORT_ISSUED and audit.report_issued_on == timezone.localdate()

    # Closure waits for the nonconformities (the auditor may not close at all).
    assert login(auditor).post(url("audit_close", audit)).status_code == 403
    client = login(supervisor)
    response = client.post(url("audit_close", audit))
    assert "Close the audit's nonconformities first." in messages_of(response)
    audit.refresh_from_db()
    assert audit.state == State.REPORT_ISSUED

    action = make_action(nc, officer_a, state="done")
    login(supervisor).post(
        reverse("actions:action_verify", args=[action.pk]), {"effective": "yes", "evidence": "Sổ đã bổ sung."}
    )
    response = login(supervisor).post(url("audit_close", audit))
    assert "Audit closed." in messages_of(response)
    audit.refresh_from_db()
    assert audit.state == State.CLOSED and audit.closed_on == timezone.localdate()


def test_start_without_a_lead_is_refused_with_a_message(tree, supervisor, login):
    planned = make_audit(tree.unit_a)
    response = login(supervisor).post(url("audit_start", planned))
    assert "Name the lead auditor before starting the audit." in messages_of(response)
    planned.refresh_from_db()
    assert planned.state == State.PLANNED


def test_report_needs_a_conclusion_and_an_answered_checklist(audit, auditor, login):
    client = login(auditor)
    item = make_item(audit)
    response = client.post(url("audit_report", audit), {"conclusion": "Phù hợp."})
    assert response.status_code == 200
    assert "Answer the checklist before issuing the report." in str(
        response.context["form"].non_field_errors()
    )
    response = client.post(url("audit_report", audit), {"conclusion": "  "})
    assert response.context["form"].errors["conclusion"]
    item.answer = "conforming"
    item.save()
    assert client.post(url("audit_report", audit), {"conclusion": "Phù hợp."}).status_code == 302
    audit.refresh_from_db()
    assert audit.state == State.REPORT_ISSUED and audit.conclusion == "Phù hợp."


def test_a_team_member_writes_but_only_the_lead_issues_the_report(tree, auditor, login):
    member = UserFactory(username="member")
    MembershipFactory(user=member, unit=tree.district, role=Membership.Role.AUDITOR)
    audit = make_audit(tree.unit_a, lead=auditor, team=[member], state=State.IN_PROGRESS)
    client = login(member)
    assert client.get(url("checklist_add", audit)).status_code == 200
    assert client.get(url("audit_report", audit)).status_code == 403
    # An auditor of the district who is not on this audit reads it but does not write.
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, unit=tree.district, role=Membership.Role.AUDITOR)
    client = login(outsider)
    assert client.get(url("audit_detail", audit)).status_code == 200
    assert client.get(url("checklist_add", audit)).status_code == 403


# --- The checklist ----------------------------------------------------------------------------------
def test_checklist_is_grouped_by_clause_with_vietnamese_titles(audit, auditor, client, login):
    make_item(audit, "8.5", question="Hồ sơ có đúng hạn?")
    make_item(audit, "4.1", question="Bối cảnh đã xác định?")
    make_item(audit, "8.5", question="Phiếu kiểm soát có đủ?")
    client = login(auditor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "vi"
    response = client.get(url("audit_detail", audit))
    groups = response.context["groups"]
    assert [c.code for c, _items in groups] == ["4.1", "8.5"]
    assert [len(items) for _c, items in groups] == [1, 2]
    assert "4.1 Hiểu tổ chức và bối cảnh của tổ chức" in response.content.decode()


def test_checklist_add_and_bad_input(audit, auditor, login):
    client = login(auditor)
    response = client.post(
        url("checklist_add", audit), {"clause": clause("9.1").pk, "question": "Có đo lường?"}
    )
    assert response.status_code == 302
    assert audit.checklist.get().clause.code == "9.1"
    response = client.post(url("checklist_add", audit), {"clause": clause("9.1").pk, "question": ""})
    assert response.status_code == 200 and response.context["form"].errors["question"]
    assert audit.checklist.count() == 1


def test_checklist_copy_of_the_previous_audit_resets_the_answers(tree, auditor, login):
    previous = make_audit(tree.unit_a, lead=auditor, state=State.CLOSED, month=D(2018, 5, 1))
    make_item(previous, "4.1", question="Bối cảnh?", answer="conforming", evidence="Báo cáo 2018")
    make_item(previous, "7.5", question="Tài liệu?", answer="nonconforming", evidence="Thiếu")
    audit = make_audit(tree.unit_a, lead=auditor, month=D(2019, 5, 1))
    client = login(auditor)
    assert 'id="checklist-copy"' in client.get(url("audit_detail", audit)).content.decode()
    assert client.get(url("checklist_copy", audit)).status_code == 200
    response = client.post(url("checklist_copy", audit))
    assert "2 questions copied." in messages_of(response)
    copied = list(audit.checklist.values_list("clause__code", "question", "answer", "evidence"))
    assert copied == [("4.1", "Bối cảnh?", "", ""), ("7.5", "Tài liệu?", "", "")]
    # The previous audit's answers stay.
    assert set(previous.checklist.values_list("answer", flat=True)) == {"conforming", "nonconforming"}


def test_checklist_copy_without_a_previous_audit_says_so(audit, auditor, login):
    response = login(auditor).post(url("checklist_copy", audit))
    assert "The unit has no earlier audit with a checklist." in messages_of(response)
    assert not audit.checklist.exists()


def test_checklist_answer_by_htmx_returns_the_row(audit, auditor, login):
    item = make_item(audit)
    client = login(auditor)
    response = client.post(
        url("checklist_answer", item),
        {"answer": "conforming", "evidence": "Sổ đầy đủ."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "audits/_checklist_item.html"
    body = response.content.decode()
    assert f'id="item-{item.pk}"' in body and 'data-answer="conforming"' in body and "<html" not in body
    item.refresh_from_db()
    assert (item.answer, item.evidence) == ("conforming", "Sổ đầy đủ.")


def test_checklist_answer_refuses_a_nonconformity_without_evidence(audit, auditor, login):
    item = make_item(audit, answer="conforming", evidence="Đủ")
    client = login(auditor)
    response = client.post(
        url("checklist_answer", item), {"answer": "nonconforming", "evidence": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "A nonconforming answer needs its evidence." in response.content.decode()
    item.refresh_from_db()
    assert (item.answer, item.evidence) == ("conforming", "Đủ")
    # Without htmx: the page of the question, with the error.
    response = client.post(url("checklist_answer", item), {"answer": "nonconforming", "evidence": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["evidence"]
    response = client.post(url("checklist_answer", item), {"answer": "not_applicable", "evidence": ""})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")


def test_checklist_answer_needs_the_audit_in_progress(tree, auditor, login):
    planned = make_audit(tree.unit_a, lead=auditor)
    item = make_item(planned)
    response = login(auditor).post(url("checklist_answer", item), {"answer": "conforming", "evidence": ""})
    assert "This audit is planned: the action is not possible now." in messages_of(response)
    item.refresh_from_db()
    assert item.answer == ""


# --- Findings and attachments -----------------------------------------------------------------------
def test_finding_with_attachment_opens_a_nonconformity(audit, auditor, media, login):  # noqa: F811
    item = make_item(audit, answer="nonconforming", evidence="Sổ thiếu")
    client = login(auditor)
    response = client.get(url("finding_create", audit) + f"?item={item.pk}")
    assert response.context["form"].initial["clause"] == item.clause_id
    response = client.post(
        url("finding_create", audit),
        {
            "kind": "major",
            "clause": clause("7.5").pk,
            "checklist_item": item.pk,
            "description": "Không kiểm soát hồ sơ.",
            "evidence": "Sổ 2019 thiếu 12 trang.",
            "file": upload("bien-ban.pdf"),
        },
    )
    finding = Finding.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#finding-{finding.pk}")
    assert finding.attachments.get().original_name == "bien-ban.pdf"
    assert finding.nonconformity.source == Nonconformity.Source.AUDIT
    assert len(stored_files(media)) == 1
    page = client.get(url("audit_detail", audit)).content.decode()
    assert "bien-ban.pdf" in page and "1/1" in page  # findings with evidence


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("chuong-trinh.exe", EXECUTABLE_BYTES, "Only PDF, Word (DOC, DOCX), Excel (XLS, XLSX) and ODT"),
        ("bien-ban.pdf", EXECUTABLE_BYTES, "is not a PDF, Word, Excel or ODT file"),
    ],
)
def test_finding_with_a_bad_file_saves_nothing(audit, auditor, media, login, name, data, message):  # noqa: F811
    response = login(auditor).post(
        url("finding_create", audit),
        {
            "kind": "minor",
            "clause": clause("7.5").pk,
            "description": "Sổ thiếu.",
            "evidence": "Sổ 2019",
            "file": upload(name, data),
        },
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["file"])
    assert not Finding.objects.exists() and not Nonconformity.objects.exists()
    assert stored_files(media) == []


def test_finding_needs_evidence_when_it_is_a_nonconformity(audit, auditor, login):
    response = login(auditor).post(
        url("finding_create", audit),
        {"kind": "minor", "clause": clause("7.5").pk, "description": "Sổ thiếu."},
    )
    assert response.status_code == 200
    assert "A nonconformity needs its objective evidence." in str(response.context["form"].errors["evidence"])
    assert not Finding.objects.exists()


def test_finding_attach_checks_the_file(audit, auditor, media, settings, login):  # noqa: F811
    finding = Finding.objects.create(
        audit=audit, kind="observation", clause=clause("7.5"), description="Lưu ý.", raised_by=auditor
    )
    client = login(auditor)
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 100
    response = client.post(url("finding_attach", finding), {"file": upload("bien-ban.pdf")})
    assert response.status_code == 200 and "the limit is 100" in str(response.context["form"].errors["file"])
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 10_000
    assert not FindingAttachment.objects.exists() and stored_files(media) == []
    response = client.post(url("finding_attach", finding), {"file": upload("bien-ban.pdf")})
    assert response.status_code == 302 and "File attached." in messages_of(response)
    attachment = finding.attachments.get()
    download = client.get(url("attachment_download", attachment))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
