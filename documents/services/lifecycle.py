"""Writes on controlled documents: the revision workflow, files, periodic reviews and
framework-model adoption (ISO 9001:2015 §7.5.2, §7.5.3).

draft → in review → approved → effective → superseded (by the next effective issue) or withdrawn.
An effective issue is never edited: a change starts a new draft while it stays in force.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import clock
from core import files as filetypes
from core.scoping import Action, require
from core.text import fold
from documents.models import Adoption, Document, ReviewRecord, Revision, RevisionFile
from documents.services import tasks
from documents.services.permissions import can_approve, require_change

State = Revision.State


def _today():
    return clock.today()


as_of = clock.as_of  # documents.services.lifecycle.as_of, as the demo and tests know it


def _lock(revision: Revision) -> Revision:
    """Re-read the revision under a row lock: two clicks never approve it twice."""
    return Revision.objects.select_for_update().select_related("document__unit").get(pk=revision.pk)


def _expect(revision: Revision, *states):
    if revision.state not in states:
        raise ValidationError(
            _("This issue is %(state)s: the action is not possible now.")
            % {"state": revision.get_state_display()}
        )


def document_refresh_search(document: Document) -> None:
    codes = " ".join(document.procedures.values_list("code", flat=True))
    document.search_text = fold(f"{document.code} {document.title} {codes}")
    Document.objects.filter(pk=document.pk).update(search_text=document.search_text)


@transaction.atomic
def document_create(
    *,
    actor,
    unit,
    code,
    title,
    kind,
    owner=None,
    review_period_months=12,
    procedures=(),
    legal_bases=(),
    change_summary="",
    is_model=False,
) -> Document:
    """A new document with its first issue as a draft."""
    require_change(actor, unit)
    if is_model:
        require(actor, Action.MANAGE, unit)
    document = Document(
        unit=unit,
        code=code.strip(),
        title=title.strip(),
        kind=kind,
        owner=owner,
        review_period_months=review_period_months,
        is_model=is_model,
    )
    document.full_clean()
    document.save()
    document.procedures.set(procedures)
    document.legal_bases.set(legal_bases)
    document_refresh_search(document)
    Revision.objects.create(
        document=document, number=1, prepared_by=actor, change_summary=change_summary or _("First issue.")
    )
    return document


@transaction.atomic
def document_update(*, actor, document: Document, procedures=None, legal_bases=None, **fields) -> Document:
    """Change a document's register data (title, owner, review period, links); not its content."""
    require_change(actor, document.unit)
    if "is_model" in fields and fields["is_model"] != document.is_model:
        require(actor, Action.MANAGE, document.unit)
    for name, value in fields.items():
        setattr(document, name, value)
    document.full_clean()
    document.save()
    if procedures is not None:
        document.procedures.set(procedures)
    if legal_bases is not None:
        document.legal_bases.set(legal_bases)
    document_refresh_search(document)
    return document


@transaction.atomic
def revision_start(*, actor, document: Document, change_summary: str) -> Revision:
    """Start the next issue as a draft; the effective one stays in force meanwhile."""
    require_change(actor, document.unit)
    if document.status == Document.Status.WITHDRAWN:
        raise ValidationError(_("A withdrawn document cannot get a new issue."))
    if document.revisions.filter(state__in=Revision.OPEN_STATES).exists():
        raise ValidationError(_("This document already has an issue in preparation."))
    if not change_summary.strip():
        raise ValidationError({"change_summary": _("Say what changes in this issue.")})
    last = document.revisions.aggregate(n=Max("number"))["n"] or 0
    return Revision.objects.create(
        document=document, number=last + 1, prepared_by=actor, change_summary=change_summary.strip()
    )


@transaction.atomic
def revision_update(*, actor, revision: Revision, change_summary: str) -> Revision:
    revision = _lock(revision)
    require_change(actor, revision.document.unit)
    _expect(revision, State.DRAFT)
    revision.change_summary = change_summary.strip()
    revision.save()
    return revision


@transaction.atomic
def revision_attach_file(*, actor, revision: Revision, upload) -> RevisionFile:
    """Store a file of a draft, checked by content; nothing is stored when the check fails."""
    revision = _lock(revision)
    require_change(actor, revision.document.unit)
    _expect(revision, State.DRAFT)
    checked = filetypes.check_upload(upload)
    attached = RevisionFile(
        revision=revision,
        original_name=upload.name[:255],
        file_type=checked.file_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    upload.seek(0)
    attached.file.save("upload", upload, save=False)
    attached.save()
    return attached


@transaction.atomic
def revision_remove_file(*, actor, attached: RevisionFile) -> None:
    revision = _lock(attached.revision)
    require_change(actor, revision.document.unit)
    _expect(revision, State.DRAFT)
    stored = attached.file
    attached.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


@transaction.atomic
def revision_submit(*, actor, revision: Revision) -> Revision:
    """Send a draft for review and approval; it needs its content (a file) first."""
    revision = _lock(revision)
    require_change(actor, revision.document.unit)
    _expect(revision, State.DRAFT)
    if not revision.files.exists():
        raise ValidationError(_("Attach the document's file before sending it for approval."))
    revision.state = State.IN_REVIEW
    revision.save()
    return revision


@transaction.atomic
def revision_return(*, actor, revision: Revision, note: str) -> Revision:
    """The reviewer sends the issue back to its author with a note."""
    revision = _lock(revision)
    if not can_approve(actor, revision.document.unit):
        raise PermissionDenied(_("You may not review documents of this unit."))
    _expect(revision, State.IN_REVIEW)
    if not note.strip():
        raise ValidationError({"note": _("Say what must change before it can be approved.")})
    revision.state, revision.review_note, revision.reviewed_by = State.DRAFT, note.strip(), actor
    revision.save()
    return revision


@transaction.atomic
def revision_approve(*, actor, revision: Revision, effective_from: datetime.date | None = None) -> Revision:
    """Approve an issue (never by its author, §7.5.2 c); it takes effect on `effective_from`."""
    revision = _lock(revision)
    unit = revision.document.unit
    if not can_approve(actor, unit):
        raise PermissionDenied(_("You may not approve documents of this unit."))
    _expect(revision, State.IN_REVIEW)
    if revision.prepared_by_id == actor.pk:
        raise ValidationError(_("The author of an issue cannot approve it: ask another person."))
    today = _today()
    effective_from = effective_from or today
    if effective_from < today:
        raise ValidationError({"effective_from": _("The effective date cannot be in the past.")})
    revision.state = State.APPROVED
    revision.approved_by, revision.approved_on, revision.effective_from = actor, today, effective_from
    revision.reviewed_by = revision.reviewed_by or actor
    revision.save()
    if effective_from <= today:
        revision_make_effective(revision)
    return revision


@transaction.atomic
def revision_make_effective(revision: Revision) -> Revision:
    """The approved issue comes into force; the previous one is superseded and kept."""
    revision = _lock(revision)
    _expect(revision, State.APPROVED)
    document = revision.document
    for previous in document.revisions.select_for_update().filter(state=State.EFFECTIVE):
        previous.state, previous.superseded_on = State.SUPERSEDED, revision.effective_from
        previous.save()
    revision.state = State.EFFECTIVE
    revision.save()
    document.status = Document.Status.EFFECTIVE
    document.next_review_on = revision.effective_from + relativedelta(months=document.review_period_months)
    document.save()
    tasks.close_tasks_for_revision(revision)
    if document.is_model:
        tasks.open_tasks_for_model_revision(revision)
    return revision


def revisions_make_due_effective(today: datetime.date | None = None) -> int:
    """Bring into force every approved issue whose date has come (run daily by Celery)."""
    today = today or _today()
    due = Revision.objects.filter(state=State.APPROVED, effective_from__lte=today).order_by("effective_from")
    count = 0
    for revision in due:
        try:
            revision_make_effective(revision)
        except ValidationError:
            continue  # another run brought it into force meanwhile
        count += 1
    return count


@transaction.atomic
def document_withdraw(*, actor, document: Document, reason: str) -> Document:
    """Withdraw a document: its issue in force becomes withdrawn (kept, marked obsolete)."""
    require_change(actor, document.unit)
    if document.status == Document.Status.WITHDRAWN:
        raise ValidationError(_("This document is already withdrawn."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the document is withdrawn.")})
    today = _today()
    for revision in document.revisions.select_for_update().filter(
        state__in=[State.EFFECTIVE, *Revision.OPEN_STATES]
    ):
        revision.state, revision.superseded_on = State.WITHDRAWN, today
        revision.review_note = reason.strip()
        revision.save()
    document.status = Document.Status.WITHDRAWN
    document.next_review_on = None
    document.save()
    tasks.close_withdraw_tasks(document, today)
    return document


@transaction.atomic
def document_review(
    *, actor, document: Document, reviewed_on: datetime.date, outcome: str, note=""
) -> ReviewRecord:
    """Record a periodic review; it moves the next review date (§7.5.2: suitability kept)."""
    require_change(actor, document.unit)
    if document.status != Document.Status.EFFECTIVE:
        raise ValidationError(_("Only a document in force can be reviewed."))
    if reviewed_on > _today():
        raise ValidationError({"reviewed_on": _("A review cannot be dated in the future.")})
    if outcome != ReviewRecord.Outcome.VALID and not note.strip():
        raise ValidationError({"note": _("Say what must change.")})
    record = ReviewRecord.objects.create(
        document=document, reviewed_on=reviewed_on, reviewer=actor, outcome=outcome, note=note.strip()
    )
    if outcome == ReviewRecord.Outcome.WITHDRAW:
        document_withdraw(actor=actor, document=document, reason=note)
        return record
    document.next_review_on = reviewed_on + relativedelta(months=document.review_period_months)
    document.save()
    if (
        outcome == ReviewRecord.Outcome.REVISE
        and not document.revisions.filter(state__in=Revision.OPEN_STATES).exists()
    ):
        revision_start(actor=actor, document=document, change_summary=note)
    return record


def _effective_revision(document):
    return document.revisions.filter(state=State.EFFECTIVE).first()


@transaction.atomic
def model_adopt(*, actor, model_document: Document, unit, code: str | None = None) -> Adoption:
    """The unit takes the framework model as its own document: a draft copy of the model's
    issue in force, files included, linked so that later issues of the model reach it."""
    require_change(actor, unit)
    _check_model_reaches(model_document, unit)
    source = _effective_revision(model_document)
    if source is None:
        raise ValidationError(_("The model has no issue in force yet."))
    document = document_create(
        actor=actor,
        unit=unit,
        code=code or model_document.code,
        title=model_document.title,
        kind=model_document.kind,
        review_period_months=model_document.review_period_months,
        procedures=model_document.procedures.all(),
        legal_bases=model_document.legal_bases.all(),
        change_summary=_("Adopted from the framework model %(code)s, issue %(number)s.")
        % {"code": model_document.code, "number": source.number},
    )
    draft = document.revisions.get()
    for original in source.files.all():
        with original.file.open("rb") as handle:
            copy = RevisionFile(
                revision=draft,
                original_name=original.original_name,
                file_type=original.file_type,
                size=original.size,
                sha256=original.sha256,
                uploaded_by=actor,
            )
            copy.file.save("upload", ContentFile(handle.read()), save=False)
            copy.save()
    return Adoption.objects.create(
        unit=unit,
        model_document=model_document,
        status=Adoption.Status.ADOPTED,
        document=document,
        adopted_revision=source.number,
        decided_by=actor,
    )


@transaction.atomic
def model_not_applicable(*, actor, model_document: Document, unit, reason: str) -> Adoption:
    require_change(actor, unit)
    _check_model_reaches(model_document, unit)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the model does not apply to the unit.")})
    return Adoption.objects.create(
        unit=unit,
        model_document=model_document,
        status=Adoption.Status.NOT_APPLICABLE,
        reason=reason.strip(),
        decided_by=actor,
    )


def _check_model_reaches(model_document, unit):
    if not model_document.is_model:
        raise ValidationError(_("This document is not a framework model."))
    if unit.pk == model_document.unit_id or not unit.path.startswith(model_document.unit.path):
        raise ValidationError(
            _("The model is published for the units below %(unit)s.") % {"unit": model_document.unit}
        )
    if Adoption.objects.filter(model_document=model_document, unit=unit).exists():
        raise ValidationError(_("The unit has already answered this model."))
