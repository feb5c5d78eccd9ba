"""factory_boy factories and small helpers for the controlled-document pages' tests.

The factories set states directly (a revision in review, a superseded one...) for pages that
only read them; the helpers at the bottom go through the lifecycle services, so a test that
walks the workflow sees the states the app produces.
"""

import datetime
import hashlib
import io
import zipfile

import factory
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents.models import Adoption, Document, Procedure, Revision, RevisionFile, UpdateTask
from documents.services import lifecycle
from tests.factories import UnitFactory, UserFactory


def pdf_bytes(title="Quy trình"):
    """A tiny but well-formed PDF (the content check reads its header)."""
    body = f"BT /F1 12 Tf 72 720 Td ({title.encode('ascii', 'replace').decode()}) Tj ET".encode()
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
        b"4 0 obj<</Length " + str(len(body)).encode() + b">>stream\n" + body + b"\nendstream endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


# An ELF program header: what a renamed executable looks like.
EXECUTABLE_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 248


def upload(name="quy-trinh.pdf", data=None, content_type="application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if data is None else data, content_type=content_type)


class DocProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"1.{n + 100000:06d}")
    name = factory.Sequence(lambda n: f"Đăng ký khai sinh thử nghiệm {n}")
    field = "Hộ tịch"


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document with the status given (no revision: add them with RevisionFactory)."""

    class Meta:
        model = Document
        skip_postgeneration_save = True

    unit = factory.SubFactory(UnitFactory)
    code = factory.Sequence(lambda n: f"QT-{n:03d}")
    title = factory.Sequence(lambda n: f"Quy trình kiểm soát tài liệu {n}")
    kind = Document.Kind.SYSTEM_PROCEDURE
    status = Document.Status.DRAFT

    @factory.post_generation
    def procedures(self, create, extracted, **kwargs):
        if create and extracted:
            self.procedures.set(extracted)
        if create:
            lifecycle.document_refresh_search(self)


class RevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Revision

    document = factory.SubFactory(DocumentFactory)
    number = 1
    change_summary = "Ban hành lần đầu."
    state = Revision.State.DRAFT
    prepared_by = factory.SubFactory(UserFactory)

    class Params:
        effective = factory.Trait(
            state=Revision.State.EFFECTIVE,
            approved_on=factory.LazyFunction(timezone.localdate),
            effective_from=factory.LazyFunction(timezone.localdate),
        )


class RevisionFileFactory(factory.django.DjangoModelFactory):
    """A stored PDF (written under MEDIA_ROOT: point it at tmp_path in the test)."""

    class Meta:
        model = RevisionFile
        exclude = ("content",)

    revision = factory.SubFactory(RevisionFactory)
    content = factory.LazyFunction(pdf_bytes)
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="upload"))
    original_name = "quy-trinh.pdf"
    file_type = "pdf"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    uploaded_by = factory.LazyAttribute(lambda o: o.revision.prepared_by)


class UpdateTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UpdateTask

    unit = factory.SubFactory(UnitFactory)
    reason = UpdateTask.Reason.TTHC_AMENDED
    action = UpdateTask.Action.REVISE
    procedure = factory.SubFactory(DocProcedureFactory)
    source_effective_on = datetime.date(2026, 1, 1)
    due_on = datetime.date(2026, 4, 1)


class AdoptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adoption

    status = Adoption.Status.NOT_APPLICABLE
    reason = "Không có lĩnh vực này."
    decided_by = factory.SubFactory(UserFactory)


# --- Through the services ----------------------------------------------------------------------
def create_document(actor, unit, code="QT-01", kind=Document.Kind.SYSTEM_PROCEDURE, **kwargs):
    kwargs.setdefault("title", f"Quy trình {code}")
    return lifecycle.document_create(actor=actor, unit=unit, code=code, kind=kind, **kwargs)


def open_revision(document):
    return document.revisions.get(state__in=Revision.OPEN_STATES)


def submitted(author, revision):
    lifecycle.revision_attach_file(actor=author, revision=revision, upload=upload())
    return lifecycle.revision_submit(actor=author, revision=revision)


def in_force(author, approver, revision):
    submitted(author, revision)
    lifecycle.revision_approve(actor=approver, revision=revision)
    revision.refresh_from_db()
    return revision


def effective_document(author, approver, unit, code="QT-01", **kwargs):
    """A document whose first issue (with a PDF) is in force since today."""
    document = create_document(author, unit, code=code, **kwargs)
    in_force(author, approver, open_revision(document))
    document.refresh_from_db()
    return document


# --- Fixtures shared by the test_document_*.py modules (import them by name) ---------------------
@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a temporary folder; returns it (to check that nothing was stored)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def english(client):
    """Pages in English: the tests read the messages' English wording, whatever the catalogue says."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]
