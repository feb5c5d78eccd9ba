"""Factories and helpers for the documents services tests.

Catalogue rows (TTHC, legal documents, decisions) come from factory_boy; documents and their
revisions go through the lifecycle services, so every test sees the states the app produces.
"""

import datetime
import io
import zipfile

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.demo import minimal_pdf
from documents.models import Document, LegalDocument, Procedure, ProcedureDecision
from documents.services import lifecycle


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"1.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm {n}")
    field = "Hộ tịch"
    level = Procedure.Level.COMMUNE


class LegalDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalDocument
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"{n}/2020/NĐ-CP")
    kind = LegalDocument.Kind.DECREE
    issuer = "Chính phủ"
    title = factory.Sequence(lambda n: f"Nghị định thử nghiệm {n}")
    signed_on = datetime.date(2020, 1, 1)
    effective_on = datetime.date(2020, 3, 1)


class ProcedureDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureDecision

    number = factory.Sequence(lambda n: f"{n}/QĐ-UBND")
    title = "Công bố thủ tục hành chính"
    signed_on = factory.LazyAttribute(lambda d: d.effective_on - datetime.timedelta(days=5))
    effective_on = datetime.date(2026, 10, 1)


def pdf_upload(name="quy-trinh.pdf", title="Quy trình thử nghiệm"):
    return SimpleUploadedFile(name, minimal_pdf(title), content_type="application/pdf")


def docx_bytes(extra=()):
    """The members that make a zip a Word document (OOXML); `extra` adds (name, bytes) pairs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
        for member, data in extra:
            archive.writestr(member, data)
    return buffer.getvalue()


def make_document(actor, unit, code="QT-01", kind=Document.Kind.SYSTEM_PROCEDURE, **kwargs):
    kwargs.setdefault("title", f"Quy trình {code}")
    return lifecycle.document_create(actor=actor, unit=unit, code=code, kind=kind, **kwargs)


def draft_of(document):
    return document.revisions.get(state__in=["draft", "in_review", "approved"])


def submit(author, revision, title="Quy trình"):
    lifecycle.revision_attach_file(actor=author, revision=revision, upload=pdf_upload(title=title))
    return lifecycle.revision_submit(actor=author, revision=revision)


def bring_into_force(author, approver, revision, effective_from=None):
    """Attach a PDF, submit and approve the draft `revision`; returns it refreshed."""
    submit(author, revision, title=str(revision.document.title))
    lifecycle.revision_approve(actor=approver, revision=revision, effective_from=effective_from)
    revision.refresh_from_db()
    return revision


def effective_document(author, approver, unit, code="QT-01", **kwargs):
    """A document whose first issue is in force (approved by `approver` today)."""
    document = make_document(author, unit, code=code, **kwargs)
    bring_into_force(author, approver, draft_of(document))
    document.refresh_from_db()
    return document


def new_issue(author, approver, document, summary="Cập nhật", effective_from=None):
    """Start, fill, submit and approve the next issue of `document`."""
    revision = lifecycle.revision_start(actor=author, document=document, change_summary=summary)
    bring_into_force(author, approver, revision, effective_from=effective_from)
    document.refresh_from_db()
    return revision
