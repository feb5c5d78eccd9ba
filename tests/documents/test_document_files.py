"""Files of controlled documents through the pages: uploads checked by content (nothing stored
when refused), and downloads only for those who may read them, obsolete issues marked."""

import hashlib

import pytest
from django.test import override_settings
from django.urls import reverse

from documents.models import Document, Revision, RevisionFile
from documents.services import lifecycle
from tests.documents.factories import (
    EXECUTABLE_BYTES,
    DocumentFactory,
    RevisionFactory,
    RevisionFileFactory,
    create_document,
    docx_bytes,
    effective_document,
    english,  # noqa: F401 -- fixture
    media,  # noqa: F401 -- fixture
    open_revision,
    pdf_bytes,
    stored_files,
    submitted,
    upload,
)

pytestmark = pytest.mark.usefixtures("media", "english")


@pytest.fixture
def draft(tree, officer_a):
    return open_revision(create_document(officer_a, tree.unit_a, code="QT-01", title="Quy trình tiếp dân"))


def post_upload(client, revision, file):
    return client.post(reverse("documents:revision_upload", args=[revision.pk]), {"file": file})


def test_upload_stores_the_file_with_its_sha256(settings, draft, officer_a, login):
    data = pdf_bytes("Quy trinh tiep dan")
    response = post_upload(login(officer_a), draft, upload("Quy trình tiếp dân.pdf", data))

    assert response.status_code == 302
    attached = draft.files.get()
    assert (attached.original_name, attached.file_type, attached.size) == (
        "Quy trình tiếp dân.pdf",
        "pdf",
        len(data),
    )
    assert attached.sha256 == hashlib.sha256(data).hexdigest()
    assert attached.uploaded_by == officer_a
    assert [p.read_bytes() for p in stored_files(settings.MEDIA_ROOT)] == [data]
    # Stored under a random name, never the uploaded one.
    assert "tiếp" not in attached.file.name


def test_upload_form_page(draft, officer_a, login):
    response = login(officer_a).get(reverse("documents:revision_upload", args=[draft.pk]))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "ghi-chu.txt",
            b"plain text",
            "Only PDF, Word (DOC, DOCX), Excel (XLS, XLSX) and ODT files are accepted.",
        ),
        (
            "setup.exe",
            EXECUTABLE_BYTES,
            "Only PDF, Word (DOC, DOCX), Excel (XLS, XLSX) and ODT files are accepted.",
        ),
        ("quy-trinh.pdf", EXECUTABLE_BYTES, "is not a PDF, Word, Excel or ODT file, whatever its name says."),
        ("quy-trinh.pdf", docx_bytes(), "is named as PDF but its content is Word (.docx)"),
        ("rong.pdf", b"", "The submitted file is empty"),
    ],
    ids=["wrong-type", "executable", "executable-renamed-pdf", "docx-renamed-pdf", "empty"],
)
def test_refused_upload_shows_why_and_stores_nothing(settings, draft, officer_a, login, name, data, message):
    response = post_upload(login(officer_a), draft, upload(name, data, content_type="application/pdf"))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("file", []))
    assert message in errors, response.context["form"].errors
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert not RevisionFile.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


@override_settings(DOCUMENT_MAX_UPLOAD_BYTES=100)
def test_too_big_upload_is_refused(settings, draft, officer_a, login):
    response = post_upload(login(officer_a), draft, upload("lon.pdf", pdf_bytes() + b"0" * 200))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert "the limit is 100" in errors
    assert not RevisionFile.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_upload_without_a_file_is_a_form_error(draft, officer_a, login):
    response = login(officer_a).post(reverse("documents:revision_upload", args=[draft.pk]))
    assert response.status_code == 200 and "file" in response.context["form"].errors


def test_upload_to_another_unit_is_404_and_read_only_is_403(settings, draft, officer_b, viewer, login):
    assert post_upload(login(officer_b), draft, upload()).status_code == 404
    assert post_upload(login(viewer), draft, upload()).status_code == 403
    assert not RevisionFile.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


# --- Downloads ---------------------------------------------------------------------------------------
@pytest.fixture
def document(tree, officer_a, supervisor):
    return effective_document(officer_a, supervisor, tree.unit_a, code="QT-02", title="Quy trình đánh giá")


def test_download_is_an_attachment_with_its_name_and_type(tree, officer_a, document, login):
    attached = RevisionFile.objects.get(revision__document=document)
    response = login(officer_a).get(reverse("documents:file_download", args=[attached.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="quy-trinh.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == attached.file.open("rb").read()


def test_download_of_a_docx_has_its_content_type(tree, officer_a, login):
    draft = open_revision(create_document(officer_a, tree.unit_a, code="BM-01"))
    attached = lifecycle.revision_attach_file(
        actor=officer_a,
        revision=draft,
        upload=upload("Biểu mẫu.docx", docx_bytes(), "application/octet-stream"),
    )
    response = login(officer_a).get(reverse("documents:file_download", args=[attached.pk]))
    assert (
        response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert "filename*=utf-8''Bi%E1%BB%83u%20m%E1%BA%ABu.docx" in response["Content-Disposition"]


def test_download_is_scoped(tree, officer_b, auditor, viewer, committee, supervisor, document, login, client):
    attached = RevisionFile.objects.get(revision__document=document)
    url = reverse("documents:file_download", args=[attached.pk])
    assert login(officer_b).get(url).status_code == 404
    for reader in (auditor, viewer, committee, supervisor):
        assert login(reader).get(url).status_code == 200
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_download_of_an_unknown_file_is_404(officer_a, login):
    assert login(officer_a).get(reverse("documents:file_download", args=[999999])).status_code == 404


def test_obsolete_issue_is_downloaded_marked(tree, officer_a, committee, document, login):
    old = RevisionFile.objects.get(revision__document=document)
    second = lifecycle.revision_start(actor=officer_a, document=document, change_summary="Cập nhật")
    submitted(officer_a, second)
    lifecycle.revision_approve(actor=committee, revision=second)
    old.revision.refresh_from_db()
    assert old.revision.state == Revision.State.SUPERSEDED

    client = login(officer_a)
    response = client.get(reverse("documents:file_download", args=[old.pk]))
    assert response.status_code == 200
    assert 'filename="[HET HIEU LUC] quy-trinh.pdf"' in response["Content-Disposition"]
    new = second.files.get()
    response = client.get(reverse("documents:file_download", args=[new.pk]))
    assert "HET HIEU LUC" not in response["Content-Disposition"]


def test_withdrawn_issue_is_downloaded_marked(tree, officer_a, document, login):
    lifecycle.document_withdraw(actor=officer_a, document=document, reason="Hết hiệu lực")
    attached = RevisionFile.objects.get(revision__document=document)
    response = login(officer_a).get(reverse("documents:file_download", args=[attached.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="[HET HIEU LUC] ')


def test_file_missing_from_storage_is_404_not_a_crash(tree, officer_a, login):
    revision = RevisionFactory(document=DocumentFactory(unit=tree.unit_a), prepared_by=officer_a)
    attached = RevisionFileFactory(revision=revision, file="documents/gone.pdf")
    assert login(officer_a).get(reverse("documents:file_download", args=[attached.pk])).status_code == 404


def test_model_files_in_force_reach_the_units_below(tree, officer_a, officer_b, supervisor, committee, login):
    """A framework model published by the district can be read by its communes before they adopt
    it; its older or draft issues cannot."""
    model = effective_document(supervisor, committee, tree.district, code="MH-01", is_model=True)
    current = RevisionFile.objects.get(revision__document=model)
    draft = lifecycle.revision_start(actor=supervisor, document=model, change_summary="Bản mới")
    draft_file = lifecycle.revision_attach_file(actor=supervisor, revision=draft, upload=upload("moi.pdf"))

    for officer in (officer_a, officer_b):
        client = login(officer)
        assert client.get(reverse("documents:file_download", args=[current.pk])).status_code == 200
        assert client.get(reverse("documents:file_download", args=[draft_file.pk])).status_code == 404
        assert client.get(model.get_absolute_url()).status_code == 404

    # An ordinary document of the district stays private to it.
    plain = effective_document(supervisor, committee, tree.district, code="QT-HUYEN")
    plain_file = RevisionFile.objects.get(revision__document=plain)
    assert login(officer_a).get(reverse("documents:file_download", args=[plain_file.pk])).status_code == 404
    assert Document.objects.filter(is_model=True).count() == 1
