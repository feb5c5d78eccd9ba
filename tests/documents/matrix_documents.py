"""Permission-matrix rows of the controlled-document pages (see tests/matrix.py).

The objects live in unit A (officer_a's ward): out of scope (officer_b) → 404; in scope without
the right (auditor, viewer, committee for writes) → 403. officer_a is the author of the issue in
review, so approving or returning it is refused to her with a message (a redirect, 302).
State-changing rows POST; a refused or successful change redirects (302), an invalid form
answers 200.
"""

import atexit
import contextlib
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from documents.models import Document, Revision
from tests.documents.factories import (
    DocumentFactory,
    RevisionFactory,
    RevisionFileFactory,
    UpdateTaskFactory,
    pdf_bytes,
)
from tests.matrix import Row, everyone

# One small PDF on disk for the download rows (the other files are rows only), removed at exit.
_STORED_NAME = "documents/permission-matrix/quy-trinh.pdf"


def _stored_pdf():
    if not default_storage.exists(_STORED_NAME):
        default_storage.save(_STORED_NAME, ContentFile(pdf_bytes()))
        atexit.register(_remove_stored_pdf, Path(default_storage.path(_STORED_NAME)))
    return _STORED_NAME


def _remove_stored_pdf(path):
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()


def setup(tree, actors):
    author, approver = actors["officer_a"], actors["supervisor"]
    effective = {"state": Revision.State.EFFECTIVE, "effective": True, "prepared_by": author}

    # In force (issue 1, with a file) and a new issue in review (issue 2), both by officer_a.
    document = DocumentFactory(unit=tree.unit_a, code="QT-01", status=Document.Status.EFFECTIVE)
    current = RevisionFactory(document=document, number=1, approved_by=approver, **effective)
    in_review = RevisionFactory(
        document=document, number=2, state=Revision.State.IN_REVIEW, prepared_by=author
    )
    stored = RevisionFileFactory(revision=current, file=_stored_pdf())
    # A draft with a file: edit, upload, remove the file, submit.
    draft_doc = DocumentFactory(unit=tree.unit_a, code="QT-02")
    draft = RevisionFactory(document=draft_doc, number=1, prepared_by=author)
    draft_file = RevisionFileFactory(revision=draft, file="documents/permission-matrix/nothing.pdf")
    # In force with nothing in preparation: new issue, periodic review, withdrawal.
    plain_doc = DocumentFactory(unit=tree.unit_a, code="QT-03", status=Document.Status.EFFECTIVE)
    RevisionFactory(document=plain_doc, number=1, approved_by=approver, **effective)
    doc_b = DocumentFactory(unit=tree.unit_b, code="QT-B")
    other_doc = DocumentFactory(unit=tree.other_commune, code="QT-X")
    # Framework models in force: the district's (reaches units A and B) and another district's.
    model = DocumentFactory(unit=tree.district, code="MH-01", is_model=True, status=Document.Status.EFFECTIVE)
    RevisionFactory(document=model, number=1, approved_by=author, **(effective | {"prepared_by": approver}))
    other_model = DocumentFactory(
        unit=tree.other_district, code="MH-X", is_model=True, status=Document.Status.EFFECTIVE
    )
    RevisionFactory(
        document=other_model, number=1, approved_by=author, **(effective | {"prepared_by": approver})
    )
    UpdateTaskFactory(unit=tree.unit_a, document=document)
    return {
        "document": document,
        "current": current,
        "in_review": in_review,
        "stored": stored,
        "draft_doc": draft_doc,
        "draft": draft,
        "draft_file": draft_file,
        "plain_doc": plain_doc,
        "doc_b": doc_b,
        "other_doc": other_doc,
        "model": model,
        "other_model": other_model,
    }


def _today():
    return timezone.localdate().isoformat()


CHANGE = everyone(403, officer_a=200, officer_b=404, supervisor=200, superuser=200)
CHANGE_POST = everyone(403, officer_a=302, officer_b=404, supervisor=302, superuser=302)
# Approvers: the committee, and whoever may write (officer_a is the author here: refused, 302).
APPROVE = everyone(403, officer_a=302, officer_b=404, committee=200, supervisor=200, superuser=200)
APPROVE_POST = everyone(403, officer_a=302, officer_b=404, committee=302, supervisor=302, superuser=302)
# Framework models: officers of the units below may answer; reading roles may not.
ANSWER = everyone(403, officer_a=200, officer_b=200, supervisor=200, superuser=200)
# officer_b may not answer for unit A: the unit is not among the form's choices (200, error).
ANSWER_POST = everyone(403, officer_a=302, officer_b=200, supervisor=302, superuser=302)

NEW_DOCUMENT = {
    "unit": None,
    "code": "QT-99",
    "title": "Quy trình mới",
    "kind": "system",
    "review_period_months": 12,
}

ROWS = [
    Row("documents:document_list", everyone(200)),
    Row(
        "documents:document_create",
        everyone(403, officer_a=200, officer_b=200, supervisor=200, superuser=200),
    ),
    Row(
        "documents:document_create",
        everyone(403, officer_a=302, officer_b=200, supervisor=302, superuser=302),
        method="post",
        data=lambda c: NEW_DOCUMENT | {"unit": c.unit_a.pk},
        label="document_create (POST, unit A)",
    ),
    Row(
        "documents:document_detail",
        everyone(200, officer_b=404),
        kwargs=lambda c: {"pk": c.document.pk},
        label="document_detail (unit A)",
    ),
    Row(
        "documents:document_detail",
        everyone(200, officer_a=404),
        kwargs=lambda c: {"pk": c.doc_b.pk},
        label="document_detail (unit B)",
    ),
    Row(
        "documents:document_detail",
        everyone(404, superuser=200),
        kwargs=lambda c: {"pk": c.other_doc.pk},
        label="document_detail (other district)",
    ),
    Row("documents:document_update", CHANGE, kwargs=lambda c: {"pk": c.document.pk}),
    Row(
        "documents:document_update",
        CHANGE_POST,
        kwargs=lambda c: {"pk": c.document.pk},
        method="post",
        data={"code": "QT-01", "title": "Quy trình đã sửa", "kind": "system", "review_period_months": 24},
        label="document_update (POST)",
    ),
    Row("documents:document_withdraw", CHANGE, kwargs=lambda c: {"pk": c.plain_doc.pk}),
    Row(
        "documents:document_withdraw",
        CHANGE_POST,
        kwargs=lambda c: {"pk": c.plain_doc.pk},
        method="post",
        data={"reason": "Không còn áp dụng."},
        label="document_withdraw (POST)",
    ),
    Row("documents:document_review", CHANGE, kwargs=lambda c: {"pk": c.plain_doc.pk}),
    Row(
        "documents:document_review",
        CHANGE_POST,
        kwargs=lambda c: {"pk": c.plain_doc.pk},
        method="post",
        data=lambda c: {"reviewed_on": _today(), "outcome": "valid"},
        label="document_review (POST)",
    ),
    Row("documents:revision_create", CHANGE, kwargs=lambda c: {"pk": c.plain_doc.pk}),
    Row(
        "documents:revision_create",
        CHANGE_POST,
        kwargs=lambda c: {"pk": c.plain_doc.pk},
        method="post",
        data={"change_summary": "Cập nhật theo quy định mới."},
        label="revision_create (POST)",
    ),
    Row("documents:revision_update", CHANGE, kwargs=lambda c: {"pk": c.draft.pk}),
    Row(
        "documents:revision_update",
        CHANGE_POST,
        kwargs=lambda c: {"pk": c.draft.pk},
        method="post",
        data={"change_summary": "Sửa tóm tắt."},
        label="revision_update (POST)",
    ),
    Row(
        "documents:revision_update",
        CHANGE_POST,
        kwargs=lambda c: {"pk": c.current.pk},
        label="revision_update (issue in force: refused)",
    ),
    Row("documents:revision_upload", CHANGE, kwargs=lambda c: {"pk": c.draft.pk}),
    Row(
        "documents:revision_upload",
        CHANGE,  # no file sent: the form answers with its error
        kwargs=lambda c: {"pk": c.draft.pk},
        method="post",
        label="revision_upload (POST without a file)",
    ),
    Row(
        "documents:revision_upload",
        CHANGE_POST,
        kwargs=lambda c: {"pk": c.current.pk},
        label="revision_upload (issue in force: refused)",
    ),
    Row("documents:file_delete", CHANGE, kwargs=lambda c: {"pk": c.draft_file.pk}),
    Row(
        "documents:file_delete",
        CHANGE_POST,
        kwargs=lambda c: {"pk": c.draft_file.pk},
        method="post",
        label="file_delete (POST)",
    ),
    Row("documents:revision_submit", CHANGE_POST, kwargs=lambda c: {"pk": c.draft.pk}, method="post"),
    Row("documents:revision_return", APPROVE, kwargs=lambda c: {"pk": c.in_review.pk}),
    Row(
        "documents:revision_return",
        APPROVE_POST,
        kwargs=lambda c: {"pk": c.in_review.pk},
        method="post",
        data={"note": "Bổ sung biểu mẫu."},
        label="revision_return (POST)",
    ),
    Row("documents:revision_approve", APPROVE, kwargs=lambda c: {"pk": c.in_review.pk}),
    Row(
        "documents:revision_approve",
        APPROVE_POST,
        kwargs=lambda c: {"pk": c.in_review.pk},
        method="post",
        data=lambda c: {"effective_from": _today()},
        label="revision_approve (POST)",
    ),
    Row("documents:file_download", everyone(200, officer_b=404), kwargs=lambda c: {"pk": c.stored.pk}),
    Row("documents:task_list", everyone(200)),
    Row("documents:model_list", everyone(200)),
    Row("documents:model_adopt", ANSWER, kwargs=lambda c: {"pk": c.model.pk}),
    Row(
        "documents:model_adopt",
        everyone(404, superuser=200),
        kwargs=lambda c: {"pk": c.other_model.pk},
        label="model_adopt (another district's model)",
    ),
    Row(
        "documents:model_adopt",
        ANSWER_POST,
        kwargs=lambda c: {"pk": c.model.pk},
        method="post",
        data=lambda c: {"unit": c.unit_a.pk, "code": ""},
        label="model_adopt (POST, unit A)",
    ),
    Row("documents:model_not_applicable", ANSWER, kwargs=lambda c: {"pk": c.model.pk}),
    Row(
        "documents:model_not_applicable",
        ANSWER_POST,
        kwargs=lambda c: {"pk": c.model.pk},
        method="post",
        data=lambda c: {"unit": c.unit_a.pk, "reason": "Không có lĩnh vực này."},
        label="model_not_applicable (POST, unit A)",
    ),
]
