"""The revision workflow of controlled documents (ISO 9001:2015 §7.5.2, §7.5.3), periodic
reviews and framework-model adoption, at the service level."""

import datetime
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from documents.models import Adoption, Document, ReviewRecord, Revision, RevisionFile, UpdateTask
from documents.services import lifecycle
from documents.tasks import make_due_revisions_effective
from tests.documents.factories_services import (
    bring_into_force,
    draft_of,
    effective_document,
    make_document,
    new_issue,
    pdf_upload,
    submit,
)

State = Revision.State


@pytest.fixture(autouse=True)
def _english_and_private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield


def message(excinfo):
    return " ".join(excinfo.value.messages)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def document(tree, officer_a):
    return make_document(officer_a, tree.unit_a, code="QT-HT-01", title="Quy trình kiểm soát tài liệu")


# --- the happy path, state by state ----------------------------------------------------------
def test_document_create_starts_a_draft(document, officer_a):
    revision = document.revisions.get()
    assert (revision.number, revision.state, revision.prepared_by) == (1, State.DRAFT, officer_a)
    assert revision.is_editable and not revision.is_obsolete
    assert document.status == Document.Status.DRAFT
    assert document.next_review_on is None
    assert document.search_text == "qt-ht-01 quy trinh kiem soat tai lieu"


def test_draft_in_review_approved_effective_superseded(document, officer_a, committee, today):
    first = draft_of(document)
    lifecycle.revision_update(actor=officer_a, revision=first, change_summary="Ban hành lần đầu")
    submit(officer_a, first)
    first.refresh_from_db()
    assert first.state == State.IN_REVIEW and not first.is_editable

    lifecycle.revision_approve(actor=committee, revision=first)
    first.refresh_from_db()
    document.refresh_from_db()
    assert first.state == State.EFFECTIVE
    assert (first.approved_by, first.approved_on, first.effective_from) == (committee, today, today)
    assert first.reviewed_by == committee
    assert document.status == Document.Status.EFFECTIVE
    assert document.next_review_on == today + relativedelta(months=12)

    # Editing an issue in force starts a new draft; the one in force stays live meanwhile.
    second = lifecycle.revision_start(actor=officer_a, document=document, change_summary="Sửa bước 3")
    assert (second.number, second.state) == (2, State.DRAFT)
    first.refresh_from_db()
    assert first.state == State.EFFECTIVE
    bring_into_force(officer_a, committee, second)
    first.refresh_from_db()
    assert first.state == State.SUPERSEDED and first.is_obsolete
    assert first.superseded_on == today
    assert first.files.count() == 1  # kept, still downloadable
    assert list(document.revisions.values_list("number", "state")) == [
        (2, State.EFFECTIVE),
        (1, State.SUPERSEDED),
    ]


def test_as_of_records_a_past_issue_and_ends_with_its_block(document, officer_a, committee, today):
    past = datetime.date(2018, 3, 1)
    first = draft_of(document)
    submit(officer_a, first)
    with lifecycle.as_of(past):
        lifecycle.revision_approve(actor=committee, revision=first)
    first.refresh_from_db()
    document.refresh_from_db()
    assert (first.state, first.approved_on, first.effective_from) == (State.EFFECTIVE, past, past)
    assert document.next_review_on == past + relativedelta(months=12)
    # Outside the block the services use the real date again.
    assert lifecycle._today() == today


def test_history_is_kept_for_every_transition(document, officer_a, committee):
    revision = draft_of(document)
    bring_into_force(officer_a, committee, revision)
    states = list(revision.history.order_by("history_date").values_list("state", flat=True))
    assert states[0] == State.DRAFT and states[-1] == State.EFFECTIVE
    assert State.IN_REVIEW in states and State.APPROVED in states


def test_return_to_draft_with_a_note(document, officer_a, supervisor):
    revision = draft_of(document)
    submit(officer_a, revision)
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.revision_return(actor=supervisor, revision=revision, note="  ")
    assert "Say what must change" in message(excinfo)
    lifecycle.revision_return(actor=supervisor, revision=revision, note="Thiếu lưu đồ")
    revision.refresh_from_db()
    assert (revision.state, revision.review_note, revision.reviewed_by) == (
        State.DRAFT,
        "Thiếu lưu đồ",
        supervisor,
    )
    # Back in draft: it can be edited and sent again.
    lifecycle.revision_update(actor=officer_a, revision=revision, change_summary="Thêm lưu đồ")
    lifecycle.revision_submit(actor=officer_a, revision=revision)
    revision.refresh_from_db()
    assert revision.state == State.IN_REVIEW


def test_return_needs_the_right(document, officer_a, officer_b):
    revision = draft_of(document)
    submit(officer_a, revision)
    with pytest.raises(PermissionDenied):
        lifecycle.revision_return(actor=officer_b, revision=revision, note="x")


def test_withdraw_keeps_the_issues_marked_obsolete(tree, officer_a, committee, today):
    document = effective_document(officer_a, committee, tree.unit_a)
    draft = lifecycle.revision_start(actor=officer_a, document=document, change_summary="Sửa")
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.document_withdraw(actor=officer_a, document=document, reason=" ")
    assert "Say why" in message(excinfo)
    lifecycle.document_withdraw(actor=officer_a, document=document, reason="Không còn áp dụng")
    document.refresh_from_db()
    assert document.status == Document.Status.WITHDRAWN and document.next_review_on is None
    assert set(document.revisions.values_list("state", flat=True)) == {State.WITHDRAWN}
    draft.refresh_from_db()
    assert (draft.superseded_on, draft.review_note) == (today, "Không còn áp dụng")
    assert RevisionFile.objects.filter(revision__document=document).count() == 1  # kept

    with pytest.raises(ValidationError) as excinfo:
        lifecycle.document_withdraw(actor=officer_a, document=document, reason="Lần nữa")
    assert message(excinfo) == "This document is already withdrawn."
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.revision_start(actor=officer_a, document=document, change_summary="Lại")
    assert message(excinfo) == "A withdrawn document cannot get a new issue."


def test_future_effective_date_waits_for_the_daily_run(document, officer_a, committee, today):
    revision = draft_of(document)
    later = today + datetime.timedelta(days=10)
    bring_into_force(officer_a, committee, revision, effective_from=later)
    document.refresh_from_db()
    assert revision.state == State.APPROVED and revision.effective_from == later
    assert document.status == Document.Status.DRAFT

    assert lifecycle.revisions_make_due_effective(today) == 0
    assert lifecycle.revisions_make_due_effective(later - datetime.timedelta(days=1)) == 0
    revision.refresh_from_db()
    assert revision.state == State.APPROVED

    assert lifecycle.revisions_make_due_effective(later) == 1
    revision.refresh_from_db()
    document.refresh_from_db()
    assert revision.state == State.EFFECTIVE
    assert document.status == Document.Status.EFFECTIVE
    assert document.next_review_on == later + relativedelta(months=12)
    assert lifecycle.revisions_make_due_effective(later) == 0  # nothing twice


def test_future_issue_supersedes_the_current_one_on_its_day(tree, officer_a, committee, today):
    document = effective_document(officer_a, committee, tree.unit_a)
    first = document.revisions.get()
    later = today + datetime.timedelta(days=3)
    second = new_issue(officer_a, committee, document, effective_from=later)
    first.refresh_from_db()
    assert (first.state, second.state) == (State.EFFECTIVE, State.APPROVED)
    lifecycle.revisions_make_due_effective(later)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.superseded_on, second.state) == (State.SUPERSEDED, later, State.EFFECTIVE)


def test_celery_task_brings_due_issues_into_force(document, officer_a, committee, today):
    revision = draft_of(document)
    bring_into_force(officer_a, committee, revision, effective_from=today + datetime.timedelta(days=1))
    assert make_due_revisions_effective.apply().get() == 0
    Revision.objects.filter(pk=revision.pk).update(effective_from=today)  # its day has come
    assert make_due_revisions_effective.apply().get() == 1
    revision.refresh_from_db()
    assert revision.state == State.EFFECTIVE
    assert make_due_revisions_effective.apply().get() == 0


# --- refusals, with messages that can be shown --------------------------------------------------
def test_author_cannot_approve_own_issue(document, officer_a):
    revision = draft_of(document)
    submit(officer_a, revision)
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.revision_approve(actor=officer_a, revision=revision)
    assert message(excinfo) == "The author of an issue cannot approve it: ask another person."
    revision.refresh_from_db()
    assert revision.state == State.IN_REVIEW and revision.approved_by is None


def test_supervisor_author_cannot_approve_own_issue_either(tree, supervisor):
    document = make_document(supervisor, tree.unit_a)
    revision = draft_of(document)
    submit(supervisor, revision)
    with pytest.raises(ValidationError, match="cannot approve it"):
        lifecycle.revision_approve(actor=supervisor, revision=revision)


@pytest.mark.parametrize("who", ["officer_b", "auditor", "viewer"])
def test_approve_without_the_right(document, officer_a, who, request):
    revision = draft_of(document)
    submit(officer_a, revision)
    with pytest.raises(PermissionDenied) as excinfo:
        lifecycle.revision_approve(actor=request.getfixturevalue(who), revision=revision)
    assert str(excinfo.value) == "You may not approve documents of this unit."


def test_approve_in_the_past_is_refused(document, officer_a, committee, today):
    revision = draft_of(document)
    submit(officer_a, revision)
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.revision_approve(
            actor=committee, revision=revision, effective_from=today - datetime.timedelta(days=1)
        )
    assert excinfo.value.message_dict == {"effective_from": ["The effective date cannot be in the past."]}


def test_approve_only_what_is_in_review(document, committee):
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.revision_approve(actor=committee, revision=draft_of(document))
    assert message(excinfo) == "This issue is draft: the action is not possible now."


def test_submit_without_a_file(document, officer_a):
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.revision_submit(actor=officer_a, revision=draft_of(document))
    assert message(excinfo) == "Attach the document's file before sending it for approval."


def test_other_units_officer_cannot_write(document, officer_b):
    with pytest.raises(PermissionDenied):
        lifecycle.revision_update(actor=officer_b, revision=draft_of(document), change_summary="x")
    with pytest.raises(PermissionDenied):
        lifecycle.revision_attach_file(actor=officer_b, revision=draft_of(document), upload=pdf_upload())
    with pytest.raises(PermissionDenied):
        lifecycle.revision_start(actor=officer_b, document=document, change_summary="x")


@pytest.mark.parametrize("stage", ["in_review", "effective"])
def test_no_edit_or_attachment_outside_draft(document, officer_a, committee, stage):
    revision = draft_of(document)
    submit(officer_a, revision)
    if stage == "effective":
        lifecycle.revision_approve(actor=committee, revision=revision)
    revision.refresh_from_db()
    label = {"in_review": "in review", "effective": "effective"}[stage]
    expected = f"This issue is {label}: the action is not possible now."
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.revision_update(actor=officer_a, revision=revision, change_summary="Sửa lén")
    assert message(excinfo) == expected
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.revision_attach_file(actor=officer_a, revision=revision, upload=pdf_upload())
    assert message(excinfo) == expected
    with pytest.raises(ValidationError):
        lifecycle.revision_remove_file(actor=officer_a, attached=revision.files.get())
    revision.refresh_from_db()
    assert revision.change_summary != "Sửa lén"
    assert revision.files.count() == 1


def test_remove_a_file_from_a_draft(document, officer_a, django_capture_on_commit_callbacks):
    revision = draft_of(document)
    attached = lifecycle.revision_attach_file(actor=officer_a, revision=revision, upload=pdf_upload())
    path = Path(attached.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.revision_remove_file(actor=officer_a, attached=attached)
    assert not revision.files.exists()
    assert not path.exists()


def test_second_open_issue_is_refused(tree, officer_a, committee):
    document = effective_document(officer_a, committee, tree.unit_a)
    lifecycle.revision_start(actor=officer_a, document=document, change_summary="Sửa 1")
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.revision_start(actor=officer_a, document=document, change_summary="Sửa 2")
    assert message(excinfo) == "This document already has an issue in preparation."


def test_a_new_issue_says_what_changes(tree, officer_a, committee):
    document = effective_document(officer_a, committee, tree.unit_a)
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.revision_start(actor=officer_a, document=document, change_summary="  ")
    assert excinfo.value.message_dict == {"change_summary": ["Say what changes in this issue."]}


def test_review_of_a_document_not_in_force(document, officer_a, today):
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.document_review(
            actor=officer_a, document=document, reviewed_on=today, outcome=ReviewRecord.Outcome.VALID
        )
    assert message(excinfo) == "Only a document in force can be reviewed."


def test_review_in_the_future(tree, officer_a, committee, today):
    document = effective_document(officer_a, committee, tree.unit_a)
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.document_review(
            actor=officer_a,
            document=document,
            reviewed_on=today + datetime.timedelta(days=1),
            outcome=ReviewRecord.Outcome.VALID,
        )
    assert excinfo.value.message_dict == {"reviewed_on": ["A review cannot be dated in the future."]}


# --- database constraints: the invariants hold even past the services ---------------------------
def test_one_effective_issue_per_document(tree, officer_a, committee):
    document = effective_document(officer_a, committee, tree.unit_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.create(document=document, number=2, prepared_by=officer_a, state=State.EFFECTIVE)


def test_one_open_issue_per_document(document, officer_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.create(document=document, number=2, prepared_by=officer_a, state=State.IN_REVIEW)


def test_approver_is_never_the_author_in_the_database(document, officer_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.filter(pk=draft_of(document).pk).update(approved_by=officer_a)


def test_code_is_unique_within_a_unit(document, tree, officer_a, officer_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(unit=tree.unit_a, code="QT-HT-01", title="Trùng", kind=Document.Kind.FORM)
    with pytest.raises(ValidationError) as excinfo:
        make_document(officer_a, tree.unit_a, code=" QT-HT-01 ")
    assert message(excinfo) == "Document with this Unit and Code already exists."
    # The same code in another unit is fine.
    assert make_document(officer_b, tree.unit_b, code="QT-HT-01").unit == tree.unit_b


# --- periodic review ----------------------------------------------------------------------------
def test_review_valid_moves_the_next_review_date(tree, officer_a, committee, today):
    document = effective_document(officer_a, committee, tree.unit_a, review_period_months=6)
    assert document.next_review_on == today + relativedelta(months=6)
    reviewed_on = today - datetime.timedelta(days=3)
    record = lifecycle.document_review(
        actor=officer_a, document=document, reviewed_on=reviewed_on, outcome=ReviewRecord.Outcome.VALID
    )
    document.refresh_from_db()
    assert (record.reviewer, record.outcome) == (officer_a, ReviewRecord.Outcome.VALID)
    assert document.next_review_on == reviewed_on + relativedelta(months=6)
    assert document.status == Document.Status.EFFECTIVE
    assert not document.revisions.filter(state__in=Revision.OPEN_STATES).exists()


def test_review_revise_starts_a_draft(tree, officer_a, committee, today):
    document = effective_document(officer_a, committee, tree.unit_a)
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.document_review(
            actor=officer_a, document=document, reviewed_on=today, outcome=ReviewRecord.Outcome.REVISE
        )
    assert excinfo.value.message_dict == {"note": ["Say what must change."]}
    lifecycle.document_review(
        actor=officer_a,
        document=document,
        reviewed_on=today,
        outcome=ReviewRecord.Outcome.REVISE,
        note="Cập nhật biểu mẫu",
    )
    document.refresh_from_db()
    draft = document.revisions.get(state=State.DRAFT)
    assert (draft.number, draft.change_summary, draft.prepared_by) == (2, "Cập nhật biểu mẫu", officer_a)
    assert document.revisions.get(number=1).state == State.EFFECTIVE
    assert document.next_review_on == today + relativedelta(months=12)
    # A second "revise" while the draft is open adds no second draft.
    lifecycle.document_review(
        actor=officer_a, document=document, reviewed_on=today, outcome=ReviewRecord.Outcome.REVISE, note="Nữa"
    )
    assert document.revisions.filter(state__in=Revision.OPEN_STATES).count() == 1


def test_review_withdraw_withdraws(tree, officer_a, committee, today):
    document = effective_document(officer_a, committee, tree.unit_a)
    lifecycle.document_review(
        actor=officer_a,
        document=document,
        reviewed_on=today,
        outcome=ReviewRecord.Outcome.WITHDRAW,
        note="Đã gộp vào QT-HT-02",
    )
    document.refresh_from_db()
    assert document.status == Document.Status.WITHDRAWN
    assert document.reviews.get().outcome == ReviewRecord.Outcome.WITHDRAW
    assert document.revisions.get().review_note == "Đã gộp vào QT-HT-02"


# --- framework models (mô hình khung) -----------------------------------------------------------
@pytest.fixture
def model(tree, supervisor, committee):
    return effective_document(
        supervisor,
        committee,
        tree.district,
        code="MH-KSTL",
        title="Quy trình kiểm soát tài liệu (mô hình khung)",
        is_model=True,
    )


def test_only_the_supervisor_publishes_models(tree, officer_a):
    with pytest.raises(PermissionDenied):
        make_document(officer_a, tree.unit_a, code="MH", is_model=True)


def test_adopt_copies_the_model_with_its_files(model, tree, officer_a):
    adoption = lifecycle.model_adopt(actor=officer_a, model_document=model, unit=tree.unit_a)
    assert (adoption.status, adoption.adopted_revision, adoption.unit) == (
        Adoption.Status.ADOPTED,
        1,
        tree.unit_a,
    )
    copy = adoption.document
    assert (copy.unit, copy.code, copy.title, copy.kind) == (tree.unit_a, model.code, model.title, model.kind)
    assert not copy.is_model
    draft = copy.revisions.get()
    assert draft.state == State.DRAFT and draft.prepared_by == officer_a
    assert "MH-KSTL" in draft.change_summary
    original = model.revisions.get().files.get()
    copied = draft.files.get()
    assert (copied.sha256, copied.size, copied.original_name) == (
        original.sha256,
        original.size,
        original.original_name,
    )
    assert copied.file.name != original.file.name  # the unit's own stored copy
    with copied.file.open("rb") as a, original.file.open("rb") as b:
        assert a.read() == b.read()


def test_adopt_under_another_code(model, tree, officer_a):
    adoption = lifecycle.model_adopt(actor=officer_a, model_document=model, unit=tree.unit_a, code="QT-01")
    assert adoption.document.code == "QT-01"


def test_not_applicable_needs_a_reason(model, tree, officer_b):
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.model_not_applicable(actor=officer_b, model_document=model, unit=tree.unit_b, reason=" ")
    assert excinfo.value.message_dict == {"reason": ["Say why the model does not apply to the unit."]}
    adoption = lifecycle.model_not_applicable(
        actor=officer_b, model_document=model, unit=tree.unit_b, reason="Đã có quy trình riêng"
    )
    assert (adoption.status, adoption.document, adoption.reason) == (
        Adoption.Status.NOT_APPLICABLE,
        None,
        "Đã có quy trình riêng",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Adoption.objects.filter(pk=adoption.pk).update(reason="")


def test_model_reaches_only_the_units_below(model, tree, supervisor, superuser):
    below = f"The model is published for the units below {tree.district}."
    # Even someone who may write everywhere cannot adopt it outside the district's subtree...
    for unit in (tree.other_commune, tree.other_district, tree.province):
        with pytest.raises(ValidationError) as excinfo:
            lifecycle.model_adopt(actor=superuser, model_document=model, unit=unit)
        assert message(excinfo) == below
        with pytest.raises(ValidationError):
            lifecycle.model_not_applicable(actor=superuser, model_document=model, unit=unit, reason="x")
    # ...and the district's supervisor may not write there at all.
    with pytest.raises(PermissionDenied):
        lifecycle.model_adopt(actor=supervisor, model_document=model, unit=tree.other_commune)
    assert not Adoption.objects.exists()


def test_the_publisher_itself_is_refused(model, tree, supervisor):
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.model_adopt(actor=supervisor, model_document=model, unit=tree.district)
    assert message(excinfo) == f"The model is published for the units below {tree.district}."
    with pytest.raises(ValidationError):
        lifecycle.model_not_applicable(actor=supervisor, model_document=model, unit=tree.district, reason="x")
    assert not Adoption.objects.exists()


def test_answering_twice_is_refused(model, tree, officer_a):
    lifecycle.model_adopt(actor=officer_a, model_document=model, unit=tree.unit_a, code="QT-01")
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.model_not_applicable(actor=officer_a, model_document=model, unit=tree.unit_a, reason="x")
    assert message(excinfo) == "The unit has already answered this model."
    with pytest.raises(ValidationError):
        lifecycle.model_adopt(actor=officer_a, model_document=model, unit=tree.unit_a, code="QT-02")


def test_not_a_model_or_not_in_force(tree, supervisor, officer_a, committee):
    plain = effective_document(supervisor, committee, tree.district, code="QT-X")
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.model_adopt(actor=officer_a, model_document=plain, unit=tree.unit_a)
    assert message(excinfo) == "This document is not a framework model."
    draft_model = make_document(supervisor, tree.district, code="MH-2", is_model=True)
    with pytest.raises(ValidationError) as excinfo:
        lifecycle.model_adopt(actor=officer_a, model_document=draft_model, unit=tree.unit_a)
    assert message(excinfo) == "The model has no issue in force yet."


def test_new_model_issue_opens_review_tasks_for_adopters(
    model, tree, supervisor, committee, officer_a, officer_b, today
):
    adoption = lifecycle.model_adopt(actor=officer_a, model_document=model, unit=tree.unit_a)
    bring_into_force(officer_a, committee, adoption.document.revisions.get())
    lifecycle.model_not_applicable(actor=officer_b, model_document=model, unit=tree.unit_b, reason="Riêng")

    model_issue = new_issue(supervisor, committee, model, summary="Chữ ký số")
    tasks = UpdateTask.objects.filter(reason=UpdateTask.Reason.MODEL_CHANGED)
    task = tasks.get()  # the adopter only, not the unit where it does not apply
    assert (task.unit, task.document, task.action, task.status) == (
        tree.unit_a,
        adoption.document,
        UpdateTask.Action.REVISE,
        UpdateTask.Status.OPEN,
    )
    assert task.model_revision == model_issue
    assert (task.source_effective_on, task.due_on) == (today, today + relativedelta(months=3))

    # The adopter's new issue in force answers it and records the model issue now adopted.
    answer = new_issue(officer_a, committee, adoption.document, summary="Theo mô hình lần 2")
    task.refresh_from_db()
    adoption.refresh_from_db()
    assert (task.status, task.closed_by, task.done_on) == (UpdateTask.Status.DONE, answer, today)
    assert adoption.adopted_revision == 2
    assert task.history.filter(status=UpdateTask.Status.DONE).exists()


def test_a_model_issue_reaches_a_draft_copy_too(model, tree, supervisor, committee, officer_a):
    """An adopter still preparing its copy of issue 1 is told that issue 2 is out."""
    adoption = lifecycle.model_adopt(actor=officer_a, model_document=model, unit=tree.unit_a)
    new_issue(supervisor, committee, model)
    assert UpdateTask.objects.filter(unit=tree.unit_a, document=adoption.document).count() == 1


def test_withdrawn_adopters_get_no_model_task(model, tree, supervisor, committee, officer_a):
    adoption = lifecycle.model_adopt(actor=officer_a, model_document=model, unit=tree.unit_a)
    bring_into_force(officer_a, committee, adoption.document.revisions.get())
    lifecycle.document_withdraw(actor=officer_a, document=adoption.document, reason="Không dùng")
    new_issue(supervisor, committee, model)
    assert not UpdateTask.objects.exists()
