"""The controlled-document pages: the register, a document's page, and every step of the revision
workflow through the views (ISO 9001:2015 §7.5.2, §7.5.3)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from documents.models import Document, LegalDocument, ReviewRecord, Revision, RevisionFile
from documents.services import lifecycle
from tests.documents.factories import (
    DocProcedureFactory,
    DocumentFactory,
    RevisionFactory,
    RevisionFileFactory,
    UpdateTaskFactory,
    create_document,
    effective_document,
    english,  # noqa: F401 -- fixture
    media,  # noqa: F401 -- fixture
    open_revision,
    submitted,
    upload,
)

pytestmark = pytest.mark.usefixtures("media", "english")

State = Revision.State


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def detail_url(document):
    return reverse("documents:document_detail", args=[document.pk])


@pytest.fixture
def document(officer_a, supervisor, tree):
    return effective_document(
        officer_a, supervisor, tree.unit_a, code="QT-01", title="Quy trình kiểm soát tài liệu"
    )


# --- The register --------------------------------------------------------------------------------
def test_menu_offers_the_documents(tree, officer_a, login):
    response = login(officer_a).get(reverse("core:dashboard"))
    assert 'data-nav="documents"' in response.content.decode()


def test_list_shows_the_documents_in_scope_only(tree, officer_a, officer_b, supervisor, login):
    DocumentFactory(unit=tree.unit_a, code="QT-A1")
    DocumentFactory(unit=tree.unit_b, code="QT-B1")
    DocumentFactory(unit=tree.other_commune, code="QT-X1")

    def codes(user):
        response = login(user).get(reverse("documents:document_list"))
        return {d.code for d in response.context["table"].page.object_list.data}

    assert codes(officer_a) == {"QT-A1"}
    assert codes(officer_b) == {"QT-B1"}
    assert codes(supervisor) == {"QT-A1", "QT-B1"}


def test_list_unit_filter_offers_the_units_in_scope(tree, officer_a, supervisor, login):
    response = login(officer_a).get(reverse("documents:document_list"))
    assert list(response.context["filter"].form.fields["unit"].queryset) == [tree.unit_a]
    response = login(supervisor).get(reverse("documents:document_list"))
    assert set(response.context["filter"].form.fields["unit"].queryset) == {
        tree.district,
        tree.unit_a,
        tree.unit_b,
    }


def test_list_filters(tree, supervisor, login):
    today = timezone.localdate()
    DocumentFactory(unit=tree.unit_a, code="A-POL", kind=Document.Kind.QUALITY_POLICY)
    DocumentFactory(
        unit=tree.unit_b,
        code="B-LATE",
        status=Document.Status.EFFECTIVE,
        next_review_on=today - datetime.timedelta(days=1),
    )
    DocumentFactory(
        unit=tree.unit_b,
        code="B-OK",
        status=Document.Status.EFFECTIVE,
        next_review_on=today + datetime.timedelta(days=30),
    )
    DocumentFactory(unit=tree.unit_b, code="B-OLD", status=Document.Status.WITHDRAWN)
    client = login(supervisor)

    def codes(query):
        response = client.get(reverse("documents:document_list") + query)
        return {d.code for d in response.context["table"].page.object_list.data}

    assert codes(f"?unit={tree.unit_a.pk}") == {"A-POL"}
    assert codes(f"?unit={tree.district.pk}") == {"A-POL", "B-LATE", "B-OK", "B-OLD"}
    assert codes("?kind=policy") == {"A-POL"}
    assert codes("?status=withdrawn") == {"B-OLD"}
    assert codes("?review_overdue=yes") == {"B-LATE"}
    assert "B-LATE" not in codes("?review_overdue=no")


def test_list_unit_filter_refuses_a_unit_out_of_scope(tree, officer_a, login):
    DocumentFactory(unit=tree.unit_b, code="QT-B1")
    response = login(officer_a).get(reverse("documents:document_list") + f"?unit={tree.unit_b.pk}")
    assert response.status_code == 200
    assert "unit" in response.context["filter"].form.errors
    assert "QT-B1" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quy trinh", {"QT-01"}),
        ("QUY TRÌNH", {"QT-01"}),
        ("dang ky", {"TTHC-05"}),
        ("1.001193", {"TTHC-05"}),
        ("qt-01", {"QT-01"}),
        ("khong co", set()),
    ],
)
def test_search_ignores_diacritics(tree, officer_a, login, query, expected):
    DocumentFactory(unit=tree.unit_a, code="QT-01", title="Quy trình kiểm soát tài liệu")
    birth = DocProcedureFactory(code="1.001193", name="Thủ tục đăng ký khai sinh")
    DocumentFactory(
        unit=tree.unit_a,
        code="TTHC-05",
        title="Đăng ký khai sinh",
        kind=Document.Kind.TTHC_PROCEDURE,
        procedures=[birth],
    )
    DocumentFactory(unit=tree.unit_a, code="MAU-01", title="Biểu mẫu theo dõi")
    response = login(officer_a).get(reverse("documents:document_list"), {"q": query})
    assert {d.code for d in response.context["table"].page.object_list.data} == expected


def test_tthc_code_search_finds_a_procedure_linked_after_creation(tree, officer_a, login):
    doc = create_document(officer_a, tree.unit_a, code="QT-TTHC", title="Quy trình cấp bản sao")
    copy = DocProcedureFactory(code="2.000815", name="Cấp bản sao trích lục")
    client = login(officer_a)
    client.post(
        reverse("documents:document_update", args=[doc.pk]),
        {
            "code": doc.code,
            "title": doc.title,
            "kind": "tthc",
            "review_period_months": 12,
            "procedures": [copy.pk],
        },
    )
    response = client.get(reverse("documents:document_list"), {"q": "2.000815"})
    assert [d.code for d in response.context["table"].page.object_list.data] == ["QT-TTHC"]


def test_list_empty_state(tree, officer_a, login):
    response = login(officer_a).get(reverse("documents:document_list"), {"q": "nothing like this"})
    assert "No document matches" in response.content.decode()


def test_list_paginates_by_25(tree, officer_a, login):
    for n in range(30):
        DocumentFactory(unit=tree.unit_a, code=f"BM-{n:02d}")
    client = login(officer_a)
    first = client.get(reverse("documents:document_list"))
    assert len(first.context["table"].page.object_list) == 25
    second = client.get(reverse("documents:document_list"), {"page": 2})
    assert len(second.context["table"].page.object_list) == 5


def test_list_shows_issue_in_force_and_in_preparation(tree, officer_a, supervisor, document, login):
    lifecycle.revision_start(actor=officer_a, document=document, change_summary="Sửa đổi")
    response = login(officer_a).get(reverse("documents:document_list"))
    row = response.context["table"].page.object_list.data[0]
    assert (row.current_number, row.open_state) == (1, State.DRAFT)


def test_list_queries_are_constant(tree, supervisor, officer_a, login, constant_queries):
    counter = iter(range(1000))
    procedure = DocProcedureFactory()

    def add_rows(n):
        for _ in range(n):
            i = next(counter)
            doc = DocumentFactory(
                unit=tree.unit_a if i % 2 else tree.unit_b,
                code=f"QT-{i:03d}",
                status=Document.Status.EFFECTIVE,
                owner=officer_a,
                procedures=[procedure],
                next_review_on=datetime.date(2020, 1, 1),
            )
            RevisionFactory(document=doc, number=1, effective=True, prepared_by=officer_a)
            RevisionFactory(document=doc, number=2, prepared_by=officer_a)

    response = constant_queries(login(supervisor), reverse("documents:document_list"), add_rows)
    assert response.context["table"].paginator.count == 20


def test_list_queries_are_constant_when_searching(tree, supervisor, login, constant_queries):
    counter = iter(range(1000))

    def add_rows(n):
        for _ in range(n):
            DocumentFactory(unit=tree.unit_a, code=f"QT-{next(counter):03d}", title="Quy trình tiếp nhận")

    url = reverse("documents:document_list") + f"?q=quy+trinh&unit={tree.district.pk}&kind=system"
    response = constant_queries(login(supervisor), url, add_rows)
    assert response.context["table"].paginator.count == 20


# --- A document's page ---------------------------------------------------------------------------
def test_detail_shows_register_links_revisions_and_files(tree, officer_a, supervisor, document, login):
    birth = DocProcedureFactory(code="1.001193", name="Thủ tục đăng ký khai sinh")
    law = LegalDocument.objects.create(
        number="60/2014/QH13",
        issuer="Quốc hội",
        title="Luật Hộ tịch",
        signed_on=datetime.date(2014, 11, 20),
        effective_on=datetime.date(2016, 1, 1),
    )
    document.procedures.set([birth])
    document.legal_bases.set([law])
    second = lifecycle.revision_start(
        actor=officer_a, document=document, change_summary="Lần sửa đổi thứ nhất"
    )
    attached = RevisionFile.objects.get(revision__number=1, revision__document=document)

    response = login(supervisor).get(detail_url(document))
    html = response.content.decode()

    assert response.status_code == 200
    assert [r.number for r in response.context["revisions"]] == [2, 1]
    assert response.context["open_revision"] == second
    assert "1.001193" in html and "Thủ tục đăng ký khai sinh" in html
    assert "60/2014/QH13" in html
    assert attached.sha256 in html
    assert reverse("documents:file_download", args=[attached.pk]) in html
    assert html.index('id="revision-2"') < html.index('id="revision-1"')
    assert "Lần sửa đổi thứ nhất" in html


def test_detail_marks_obsolete_revisions(tree, officer_a, supervisor, committee, document, login):
    rev2 = lifecycle.revision_start(actor=officer_a, document=document, change_summary="Cập nhật")
    submitted(officer_a, rev2)
    lifecycle.revision_approve(actor=committee, revision=rev2)

    response = login(officer_a).get(detail_url(document))
    html = response.content.decode()
    first = html[html.index('id="revision-1"') :]
    assert 'data-state="superseded"' in first[:200]
    assert "badge-obsolete" in first[: first.index("</section>")]
    second = html[html.index('id="revision-2"') : html.index('id="revision-1"')]
    assert 'data-state="effective"' in second and "badge-obsolete" not in second


def test_detail_buttons_follow_the_rights(
    tree, officer_a, supervisor, committee, viewer, auditor, document, login
):
    rev2 = lifecycle.revision_start(actor=officer_a, document=document, change_summary="Cập nhật")
    submitted(officer_a, rev2)
    edit = reverse("documents:document_update", args=[document.pk])
    approve = reverse("documents:revision_approve", args=[rev2.pk])

    def page(user):
        return login(user).get(detail_url(document)).content.decode()

    author_page = page(officer_a)
    assert edit in author_page and approve not in author_page
    assert "Waiting for approval by someone other than the author" in author_page
    for approver in (supervisor, committee):
        assert approve in page(approver)
    committee_page = page(committee)
    assert edit not in committee_page
    for reader in (viewer, auditor):
        html = page(reader)
        assert edit not in html and approve not in html
        assert reverse("documents:document_withdraw", args=[document.pk]) not in html


def test_detail_offers_upload_only_on_a_draft(tree, officer_a, supervisor, document, login):
    client = login(officer_a)
    assert 'id="upload-form"' not in client.get(detail_url(document)).content.decode()
    lifecycle.revision_start(actor=officer_a, document=document, change_summary="Cập nhật")
    assert 'id="upload-form"' in client.get(detail_url(document)).content.decode()


def test_detail_shows_reviews_and_open_tasks(tree, officer_a, document, login):
    lifecycle.document_review(
        actor=officer_a,
        document=document,
        reviewed_on=timezone.localdate(),
        outcome="valid",
        note="Vẫn phù hợp",
    )
    UpdateTaskFactory(unit=tree.unit_a, document=document, due_on=datetime.date(2020, 1, 1))
    response = login(officer_a).get(detail_url(document))
    html = response.content.decode()
    assert "Vẫn phù hợp" in html
    assert len(response.context["tasks"]) == 1
    assert "overdue" in html[html.index('id="open-tasks"') :]


def test_detail_queries_are_constant(tree, officer_a, supervisor, document, login, constant_queries):
    counter = iter(range(2, 1000))

    def add_rows(n):
        for _ in range(n):
            number = next(counter)
            revision = RevisionFactory(
                document=document,
                number=number,
                state=State.SUPERSEDED,
                prepared_by=officer_a,
                approved_by=supervisor,
            )
            RevisionFileFactory(revision=revision)
            ReviewRecord.objects.create(
                document=document, reviewed_on=datetime.date(2024, 1, 1), reviewer=officer_a, outcome="valid"
            )
            document.procedures.add(DocProcedureFactory())
            UpdateTaskFactory(unit=tree.unit_a, document=document)

    constant_queries(login(supervisor), detail_url(document), add_rows)


# --- Creating and editing the register data --------------------------------------------------------
def test_create_offers_only_units_where_the_user_writes(tree, officer_a, supervisor, login):
    form = login(officer_a).get(reverse("documents:document_create")).context["form"]
    assert list(form.fields["unit"].queryset) == [tree.unit_a]
    assert "is_model" not in form.fields
    form = login(supervisor).get(reverse("documents:document_create")).context["form"]
    assert set(form.fields["unit"].queryset) == {tree.district, tree.unit_a, tree.unit_b}
    assert "is_model" in form.fields


def test_create_a_document_with_its_first_draft(tree, officer_a, login):
    birth = DocProcedureFactory(code="1.001193")
    response = login(officer_a).post(
        reverse("documents:document_create"),
        {
            "unit": tree.unit_a.pk,
            "code": "QT-TTHC-01",
            "title": "Quy trình đăng ký khai sinh",
            "kind": "tthc",
            "owner": officer_a.pk,
            "review_period_months": 12,
            "procedures": [birth.pk],
        },
    )
    document = Document.objects.get(code="QT-TTHC-01")
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    assert document.unit == tree.unit_a and document.owner == officer_a
    assert list(document.procedures.all()) == [birth]
    assert [(r.number, r.state, r.prepared_by) for r in document.revisions.all()] == [
        (1, State.DRAFT, officer_a)
    ]
    assert "1.001193" in document.search_text


def test_create_refuses_a_duplicate_code_in_the_unit(tree, officer_a, login):
    DocumentFactory(unit=tree.unit_a, code="QT-01")
    data = {
        "unit": tree.unit_a.pk,
        "code": "QT-01",
        "title": "Trùng mã",
        "kind": "system",
        "review_period_months": 12,
    }
    response = login(officer_a).post(reverse("documents:document_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Document.objects.filter(code="QT-01").count() == 1


def test_create_refuses_another_units_document(tree, officer_b, login):
    data = {
        "unit": tree.unit_a.pk,
        "code": "QT-X",
        "title": "Không được",
        "kind": "system",
        "review_period_months": 12,
    }
    response = login(officer_b).post(reverse("documents:document_create"), data)
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Document.objects.filter(code="QT-X").exists()


def test_create_preselects_the_unit_of_the_query(tree, supervisor, login):
    response = login(supervisor).get(reverse("documents:document_create"), {"unit": tree.unit_b.pk})
    assert response.context["form"].initial["unit"] == tree.unit_b.pk


def test_update_register_data(tree, officer_a, document, login):
    response = login(officer_a).post(
        reverse("documents:document_update", args=[document.pk]),
        {
            "code": "QT-01",
            "title": "Quy trình kiểm soát thông tin dạng văn bản",
            "kind": "system",
            "review_period_months": 24,
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "Quy trình kiểm soát thông tin dạng văn bản"
    assert document.review_period_months == 24


def test_only_the_supervisor_marks_a_model(tree, officer_a, supervisor, login):
    doc = DocumentFactory(unit=tree.district, code="MH-01")
    url = reverse("documents:document_update", args=[doc.pk])
    data = {
        "code": "MH-01",
        "title": "Quy trình mẫu",
        "kind": "system",
        "review_period_months": 12,
        "is_model": "on",
    }

    assert "is_model" in login(supervisor).get(url).context["form"].fields
    login(supervisor).post(url, data)
    doc.refresh_from_db()
    assert doc.is_model

    own = DocumentFactory(unit=tree.unit_a, code="QT-02")
    own_url = reverse("documents:document_update", args=[own.pk])
    assert "is_model" not in login(officer_a).get(own_url).context["form"].fields
    login(officer_a).post(own_url, data | {"code": "QT-02"})
    own.refresh_from_db()
    assert not own.is_model


# --- The workflow, step by step ------------------------------------------------------------------
def test_whole_workflow_through_the_views(tree, officer_a, supervisor, login):
    """Draft → upload → submit → return → submit → approve → in force; then a new issue
    supersedes it, and the old one stays downloadable, marked obsolete."""
    author = login(officer_a)
    author.post(
        reverse("documents:document_create"),
        {
            "unit": tree.unit_a.pk,
            "code": "QT-05",
            "title": "Quy trình xử lý đơn thư",
            "kind": "system",
            "review_period_months": 12,
        },
    )
    document = Document.objects.get(code="QT-05")
    first = document.revisions.get()

    response = author.post(
        reverse("documents:revision_upload", args=[first.pk]), {"file": upload("ban-1.pdf")}
    )
    assert response.status_code == 302
    assert first.files.get().original_name == "ban-1.pdf"

    author.post(reverse("documents:revision_submit", args=[first.pk]))
    first.refresh_from_db()
    assert first.state == State.IN_REVIEW

    approver = login(supervisor)
    response = approver.post(
        reverse("documents:revision_return", args=[first.pk]), {"note": "Bổ sung lưu đồ."}
    )
    first.refresh_from_db()
    assert (first.state, first.review_note, first.reviewed_by) == (State.DRAFT, "Bổ sung lưu đồ.", supervisor)
    assert "Bổ sung lưu đồ." in approver.get(detail_url(document)).content.decode()

    author = login(officer_a)
    author.post(
        reverse("documents:revision_update", args=[first.pk]),
        {"change_summary": "Ban hành lần đầu, có lưu đồ."},
    )
    author.post(reverse("documents:revision_submit", args=[first.pk]))
    approver = login(supervisor)
    response = approver.post(
        reverse("documents:revision_approve", args=[first.pk]),
        {"effective_from": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    document.refresh_from_db()
    assert (first.state, first.approved_by, first.change_summary) == (
        State.EFFECTIVE,
        supervisor,
        "Ban hành lần đầu, có lưu đồ.",
    )
    assert document.status == Document.Status.EFFECTIVE

    author = login(officer_a)
    response = author.post(
        reverse("documents:revision_create", args=[document.pk]), {"change_summary": "Sửa đổi lần 1"}
    )
    second = document.revisions.get(number=2)
    assert response["Location"] == second.get_absolute_url()
    assert second.state == State.DRAFT
    author.post(reverse("documents:revision_upload", args=[second.pk]), {"file": upload("ban-2.pdf")})
    author.post(reverse("documents:revision_submit", args=[second.pk]))
    login(supervisor).post(
        reverse("documents:revision_approve", args=[second.pk]),
        {"effective_from": timezone.localdate().isoformat()},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.SUPERSEDED, State.EFFECTIVE)

    old_file = first.files.get()
    response = login(officer_a).get(reverse("documents:file_download", args=[old_file.pk]))
    assert response.status_code == 200
    assert "HET HIEU LUC" in response["Content-Disposition"]


def test_new_issue_needs_a_summary(tree, officer_a, document, login):
    response = login(officer_a).post(
        reverse("documents:revision_create", args=[document.pk]), {"change_summary": ""}
    )
    assert response.status_code == 200 and "change_summary" in response.context["form"].errors
    assert document.revisions.count() == 1


def test_only_one_issue_in_preparation(tree, officer_a, document, login):
    lifecycle.revision_start(actor=officer_a, document=document, change_summary="Cập nhật")
    response = login(officer_a).post(
        reverse("documents:revision_create", args=[document.pk]), {"change_summary": "Lại"}
    )
    assert response.status_code == 302
    assert "already has an issue in preparation" in " ".join(messages_of(response))
    assert document.revisions.count() == 2


def test_submit_needs_a_file(tree, officer_a, login):
    document = create_document(officer_a, tree.unit_a)
    draft = open_revision(document)
    response = login(officer_a).post(reverse("documents:revision_submit", args=[draft.pk]))
    assert response.status_code == 302
    assert "Attach the document's file" in " ".join(messages_of(response))
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_submit_is_post_only(tree, officer_a, login):
    draft = open_revision(create_document(officer_a, tree.unit_a))
    assert login(officer_a).get(reverse("documents:revision_submit", args=[draft.pk])).status_code == 405


def test_the_author_cannot_approve(tree, officer_a, supervisor, login):
    """ISO 9001 §7.5.2 c: the approver is never the author, even with the right to approve."""
    document = create_document(supervisor, tree.unit_a, code="QT-07")
    draft = open_revision(document)
    submitted(supervisor, draft)
    client = login(supervisor)
    url = reverse("documents:revision_approve", args=[draft.pk])

    response = client.get(url)
    assert response.status_code == 302
    assert "The author of an issue cannot approve it" in " ".join(messages_of(response))
    response = client.post(url, {"effective_from": timezone.localdate().isoformat()})
    assert "The author of an issue cannot approve it" in " ".join(messages_of(response))
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW and draft.approved_by is None

    # Another person may: the ward's own officer.
    login(officer_a).post(url, {"effective_from": timezone.localdate().isoformat()})
    draft.refresh_from_db()
    assert (draft.state, draft.approved_by) == (State.EFFECTIVE, officer_a)


def test_the_author_cannot_return_their_own_issue(tree, officer_a, login):
    draft = open_revision(create_document(officer_a, tree.unit_a))
    submitted(officer_a, draft)
    response = login(officer_a).post(
        reverse("documents:revision_return", args=[draft.pk]), {"note": "Tự trả"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW


def test_committee_approves_with_a_later_effective_date(tree, officer_a, committee, document, login):
    rev2 = lifecycle.revision_start(actor=officer_a, document=document, change_summary="Cập nhật")
    submitted(officer_a, rev2)
    later = timezone.localdate() + datetime.timedelta(days=10)
    client = login(committee)
    form = client.get(reverse("documents:revision_approve", args=[rev2.pk])).context["form"]
    assert form["effective_from"].value() == timezone.localdate()
    client.post(reverse("documents:revision_approve", args=[rev2.pk]), {"effective_from": later.isoformat()})
    rev2.refresh_from_db()
    assert (rev2.state, rev2.effective_from) == (State.APPROVED, later)
    assert document.revisions.get(number=1).state == State.EFFECTIVE
    assert "comes into force on" in client.get(detail_url(document)).content.decode()


def test_approval_refuses_a_past_date(tree, officer_a, committee, login):
    draft = open_revision(create_document(officer_a, tree.unit_a))
    submitted(officer_a, draft)
    past = timezone.localdate() - datetime.timedelta(days=1)
    response = login(committee).post(
        reverse("documents:revision_approve", args=[draft.pk]), {"effective_from": past}
    )
    assert response.status_code == 200
    assert "effective_from" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW


def test_return_needs_a_note(tree, officer_a, committee, login):
    draft = open_revision(create_document(officer_a, tree.unit_a))
    submitted(officer_a, draft)
    response = login(committee).post(reverse("documents:revision_return", args=[draft.pk]), {"note": "  "})
    assert response.status_code == 200 and "note" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW


def test_approve_page_needs_an_issue_in_review(tree, officer_a, committee, document, login):
    current = document.revisions.get()
    response = login(committee).get(reverse("documents:revision_approve", args=[current.pk]))
    assert response.status_code == 302
    assert "action is not possible now" in " ".join(messages_of(response))


def test_an_issue_in_force_cannot_be_edited(tree, officer_a, document, login):
    current = document.revisions.get()
    client = login(officer_a)
    before = (current.change_summary, current.files.count())

    response = client.get(reverse("documents:revision_update", args=[current.pk]))
    assert response.status_code == 302
    assert "action is not possible now" in " ".join(messages_of(response))
    client.post(reverse("documents:revision_update", args=[current.pk]), {"change_summary": "Sửa trộm"})
    response = client.post(
        reverse("documents:revision_upload", args=[current.pk]), {"file": upload("khac.pdf")}
    )
    assert response.status_code == 302
    assert client.get(reverse("documents:revision_upload", args=[current.pk])).status_code == 302
    attached = current.files.get()
    response = client.post(reverse("documents:file_delete", args=[attached.pk]))
    assert response.status_code == 302

    current.refresh_from_db()
    assert (current.change_summary, current.files.count()) == before
    assert RevisionFile.objects.filter(pk=attached.pk).exists()
    html = client.get(detail_url(document)).content.decode()
    assert reverse("documents:revision_update", args=[current.pk]) not in html
    assert reverse("documents:revision_upload", args=[current.pk]) not in html
    assert reverse("documents:file_delete", args=[attached.pk]) not in html


def test_delete_a_file_of_a_draft_after_confirmation(tree, officer_a, login):
    draft = open_revision(create_document(officer_a, tree.unit_a))
    attached = lifecycle.revision_attach_file(actor=officer_a, revision=draft, upload=upload("nham.pdf"))
    client = login(officer_a)
    url = reverse("documents:file_delete", args=[attached.pk])

    response = client.get(url)
    assert response.status_code == 200
    assert "nham.pdf" in response.content.decode()
    assert RevisionFile.objects.filter(pk=attached.pk).exists()

    response = client.post(url)
    assert response.status_code == 302
    assert not RevisionFile.objects.filter(pk=attached.pk).exists()


def test_withdraw_after_confirmation_with_a_reason(tree, officer_a, document, login):
    client = login(officer_a)
    url = reverse("documents:document_withdraw", args=[document.pk])
    assert "confirm-warning" in client.get(url).content.decode()

    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    document.refresh_from_db()
    assert document.status == Document.Status.EFFECTIVE

    client.post(url, {"reason": "Thay bằng quy trình liên thông."})
    document.refresh_from_db()
    revision = document.revisions.get()
    assert document.status == Document.Status.WITHDRAWN
    assert revision.state == State.WITHDRAWN and revision.is_obsolete
    html = client.get(detail_url(document)).content.decode()
    assert "badge-obsolete" in html
    assert reverse("documents:revision_create", args=[document.pk]) not in html

    response = client.post(url, {"reason": "Lại"})
    assert "already withdrawn" in " ".join(messages_of(response))


def test_periodic_review(tree, officer_a, document, login):
    client = login(officer_a)
    url = reverse("documents:document_review", args=[document.pk])
    today = timezone.localdate()
    assert client.get(url).context["form"]["reviewed_on"].value() == today

    client.post(url, {"reviewed_on": today.isoformat(), "outcome": "valid"})
    document.refresh_from_db()
    assert document.reviews.get().outcome == "valid"
    assert document.next_review_on > today

    response = client.post(url, {"reviewed_on": today.isoformat(), "outcome": "revise", "note": ""})
    assert response.status_code == 200 and "note" in response.context["form"].errors

    future = today + datetime.timedelta(days=3)
    response = client.post(url, {"reviewed_on": future.isoformat(), "outcome": "valid"})
    assert "reviewed_on" in response.context["form"].errors

    client.post(
        url, {"reviewed_on": today.isoformat(), "outcome": "revise", "note": "Cập nhật theo luật mới"}
    )
    assert document.revisions.get(state=State.DRAFT).change_summary == "Cập nhật theo luật mới"


def test_review_of_a_document_not_in_force_is_refused(tree, officer_a, login):
    document = create_document(officer_a, tree.unit_a)
    response = login(officer_a).get(reverse("documents:document_review", args=[document.pk]))
    assert response.status_code == 302
    assert "Only a document in force can be reviewed" in " ".join(messages_of(response))


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("document_update", "get"),
        ("document_withdraw", "post"),
        ("document_review", "post"),
        ("revision_create", "post"),
    ],
)
def test_out_of_scope_is_404_and_read_only_is_403(tree, officer_b, viewer, document, login, name, method):
    url = reverse(f"documents:{name}", args=[document.pk])
    assert getattr(login(officer_b), method)(url).status_code == 404
    assert getattr(login(viewer), method)(url).status_code == 403
    document.refresh_from_db()
    assert document.status == Document.Status.EFFECTIVE and document.revisions.count() == 1
