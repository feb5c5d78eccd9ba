"""The documents demo of `seed_demo`: a realistic document set in every Việt Yên unit, overdue
reviews, a framework model, one amended TTHC with its update tasks; a re-run changes nothing."""

import datetime
import hashlib
import io
import time

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.core.management import call_command

from communes.demo import HISTORY_UNTIL
from communes.models import Unit
from core.text import fold
from documents import demo
from documents.models import (
    Adoption,
    DecisionItem,
    Document,
    LegalChange,
    LegalDocument,
    Procedure,
    ReviewRecord,
    Revision,
    RevisionFile,
    UpdateTask,
)
from documents.selectors import coverage_for_units, review_overdue

User = get_user_model()
SYSTEM_CODES = {code for code, _title in demo.SYSTEM_PROCEDURES}
MODELS = [
    Document,
    Revision,
    RevisionFile,
    ReviewRecord,
    Adoption,
    UpdateTask,
    Procedure,
    LegalDocument,
    LegalChange,
    DecisionItem,
]
HISTORIES = [Document, Revision, ReviewRecord, Adoption, UpdateTask, Procedure, LegalDocument]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run_seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def state():
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts |= {f"{model.__name__} history": model.history.count() for model in HISTORIES}
    counts["states"] = sorted(Revision.objects.values_list("document__unit__code", "document__code", "state"))
    counts["tasks"] = sorted(UpdateTask.objects.values_list("unit__code", "reason", "status", "due_on"))
    return counts


@pytest.fixture
def seeded(db):
    started = time.monotonic()
    output = run_seed()
    return output, time.monotonic() - started


@pytest.fixture
def units(seeded):
    district = Unit.objects.get(code_system="legacy", code="222")
    return list(Unit.objects.filter(parent=district).order_by("code"))


def test_seed_twice_changes_nothing(seeded, tmp_path):
    output, seconds = seeded
    assert "Documents:" in output
    first = state()
    files = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    run_seed()
    assert state() == first
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == files


def check_every_unit_has_its_document_set(units):
    assert len(units) == 17
    this_year = HISTORY_UNTIL.year
    for unit in units:
        documents = {d.code: d for d in Document.objects.filter(unit=unit)}
        assert documents["CSCL"].title == "Chính sách chất lượng"
        assert documents["MTCL"].title == f"Mục tiêu chất lượng năm {this_year}"
        assert set(documents) >= SYSTEM_CODES
        tthc = [d for d in documents.values() if d.kind == Document.Kind.TTHC_PROCEDURE]
        assert len(tthc) >= 12, unit
        for document in documents.values():
            # Every document has an issue in force, prepared by one person, approved by another.
            effective = document.revisions.get(state=Revision.State.EFFECTIVE)
            assert document.status == Document.Status.EFFECTIVE
            assert effective.approved_by_id and effective.approved_by_id != effective.prepared_by_id
            assert effective.files.filter(file_type="pdf").exists()


def check_pilot_units_are_prepared_by_their_officers(units):
    bichdong, ninhson = User.objects.get(username="bichdong"), User.objects.get(username="ninhson")
    assert set(
        Revision.objects.filter(document__unit__code="07777").values_list("prepared_by", flat=True)
    ) == {bichdong.pk}
    assert set(
        Revision.objects.filter(document__unit__code="07798").values_list("prepared_by", flat=True)
    ) == {ninhson.pk}
    others = Revision.objects.filter(document__unit__in=units).exclude(
        document__unit__code__in=["07777", "07798"]
    )
    assert set(others.values_list("prepared_by__username", flat=True)) == {"district"}
    assert set(
        Revision.objects.exclude(approved_by=None).values_list("approved_by__username", flat=True)
    ) == {"committee"}
    # No extra accounts: the six demo users and the two of the 2025 reorganisation only.
    assert User.objects.count() == 8


def check_files_are_valid_pdfs_with_their_sha256(units):
    for attached in RevisionFile.objects.filter(revision__document__unit__code="07777"):
        with attached.file.open("rb") as handle:
            data = handle.read()
        assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
        assert hashlib.sha256(data).hexdigest() == attached.sha256
        assert attached.size == len(data)


def check_tthc_catalogue_and_legal_bases(units):
    assert Procedure.objects.filter(code="1.001193", name="Đăng ký khai sinh").exists()
    assert Procedure.objects.count() >= 12
    for procedure in Procedure.objects.all():
        kinds = set(procedure.applicabilities.values_list("unit_kind", flat=True))
        assert kinds == {Unit.Kind.COMMUNE, Unit.Kind.WARD, Unit.Kind.TOWN}
        assert procedure.legal_bases.exists()
    assert {"60/2014/QH13", "123/2015/NĐ-CP", "19/2014/QĐ-TTg", "26/2014/TT-BKHCN", "101/QĐ-BKHCN"} <= set(
        LegalDocument.objects.values_list("number", flat=True)
    )
    birth = Document.objects.get(unit__code="07798", code="QT-TTHC-01")
    assert list(birth.procedures.values_list("code", flat=True)) == ["1.001193"]
    # Coverage: the pilots cover every TTHC, the others all but one (a gap to show).
    coverage = coverage_for_units(units)
    for unit in units:
        c = coverage[unit.pk]
        assert len(c.applicable) == Procedure.objects.count()
        expected_gaps = 0 if unit.code in ("07777", "07798") else 1
        assert len(c.gaps) == expected_gaps, unit


def check_some_documents_are_overdue_for_review(units):
    overdue = review_overdue(Document.objects.filter(unit__in=units), HISTORY_UNTIL)
    assert 10 <= overdue.count() <= 60
    assert overdue.filter(unit__code="07777").exists()
    assert Document.objects.filter(unit__in=units, next_review_on__gte=HISTORY_UNTIL).count() > 200


def check_older_issues_are_superseded_and_kept(units):
    superseded = Revision.objects.filter(state=Revision.State.SUPERSEDED)
    assert superseded.filter(document__code="CSCL").count() == 17
    assert superseded.filter(document__code="MTCL").count() == 17
    for revision in superseded.filter(document__unit__code="07777"):
        current = revision.document.revisions.get(state=Revision.State.EFFECTIVE)
        assert revision.superseded_on == current.effective_from
        assert revision.files.exists()  # still downloadable, marked obsolete


def check_framework_model_adoption(units):
    model = Document.objects.get(is_model=True)
    assert model.unit.code == "222" and model.code == demo.MODEL_CODE
    assert model.revisions.get(state=Revision.State.EFFECTIVE).number == 2
    adoptions = Adoption.objects.filter(model_document=model)
    assert adoptions.count() == 17
    not_applicable = adoptions.get(status=Adoption.Status.NOT_APPLICABLE)
    assert not_applicable.unit.code == demo.OWN_DOCUMENT_CONTROL and not_applicable.reason
    adopted = adoptions.filter(status=Adoption.Status.ADOPTED)
    assert adopted.count() == 16
    laggards = adopted.filter(unit__code__in=demo.MODEL_LAGGARDS)
    assert set(laggards.values_list("adopted_revision", flat=True)) == {1}
    assert set(
        adopted.exclude(unit__code__in=demo.MODEL_LAGGARDS).values_list("adopted_revision", flat=True)
    ) == {2}
    tasks = UpdateTask.objects.filter(reason=UpdateTask.Reason.MODEL_CHANGED)
    assert tasks.count() == 16
    assert set(tasks.filter(status=UpdateTask.Status.OPEN).values_list("unit__code", flat=True)) == (
        demo.MODEL_LAGGARDS
    )
    # The laggards' tasks are overdue: the model's issue 2 took effect four months ago.
    today = HISTORY_UNTIL
    assert all(t.due_on < today for t in tasks.filter(status=UpdateTask.Status.OPEN))


def check_one_tthc_amended_last_month_with_its_tasks(units):
    today = HISTORY_UNTIL
    item = DecisionItem.objects.get()
    assert item.change == DecisionItem.Change.AMEND and item.procedure.code == demo.AMENDED_TTHC
    effective_on = item.decision.effective_on
    assert effective_on == today - relativedelta(months=1)
    assert item.decision.number.startswith("DEMO-")
    assert item.procedure.status == Procedure.Status.AMENDED
    tasks = UpdateTask.objects.filter(decision_item=item, unit__code_system="legacy")
    assert tasks.count() == 17
    # The 2025 reorganisation carried one of the open ones to Phường Việt Yên, as a procedure to
    # write (it has no document of its own yet).
    [carried] = UpdateTask.objects.filter(decision_item=item, unit__code_system="2025")
    assert carried.action == UpdateTask.Action.CREATE and carried.carried_from.unit.code_system == "legacy"
    assert {t.due_on for t in tasks} == {effective_on + relativedelta(months=3)}
    assert {t.action for t in tasks} == {UpdateTask.Action.REVISE}
    done = tasks.get(status=UpdateTask.Status.DONE)
    assert done.unit.code == "07777" and done.closed_by.effective_from >= effective_on
    assert tasks.filter(status=UpdateTask.Status.OPEN).count() == 16


def check_work_in_progress(units):
    ninh_son = Revision.objects.filter(document__unit__code="07798")
    assert ninh_son.filter(state=Revision.State.IN_REVIEW).count() == 1
    approved = ninh_son.get(state=Revision.State.APPROVED)
    assert approved.effective_from == datetime.date(HISTORY_UNTIL.year + 1, 1, 1)
    assert Revision.objects.filter(document__unit__code="07777", state=Revision.State.DRAFT).count() == 1


def describe(document):
    """What the workflow leaves on a document, independent of its unit and dates."""
    revisions = list(document.revisions.order_by("number"))
    effective = [r for r in revisions if r.state == Revision.State.EFFECTIVE]
    return {
        "status": document.status,
        "owner is the preparer": document.owner_id == revisions[0].prepared_by_id,
        "review date": document.next_review_on
        == effective[-1].effective_from + relativedelta(months=document.review_period_months),
        "search": document.search_text
        == fold(
            " ".join([document.code, document.title, *document.procedures.values_list("code", flat=True)])
        ),
        "procedures": sorted(document.procedures.values_list("code", flat=True)),
        "legal bases": sorted(document.legal_bases.values_list("number", flat=True)),
        "history": Document.history.filter(id=document.pk).exists(),
        "issues": [
            {
                "state": r.state,
                "approved by another": r.approved_by_id is not None and r.approved_by_id != r.prepared_by_id,
                "reviewed": r.reviewed_by_id == r.approved_by_id,
                "approved on effective day": r.approved_on == r.effective_from,
                "superseded on the next issue's day": r.superseded_on
                == (revisions[i + 1].effective_from if i + 1 < len(revisions) else None),
                "files": [(f.file_type, f.size > 0, f.original_name.endswith(".pdf")) for f in r.files.all()],
                "history": Revision.history.filter(id=r.pk).exists(),
            }
            for i, r in enumerate(revisions)
        ],
    }


def check_bulk_documents_match_what_the_services_make(units):
    """The other units' plain documents are written in bulk: they must look exactly like the
    pilots' documents, which went through the workflow."""
    # Bích Động's issues went through the workflow (its draft of QT-HT-05 and its new issue of
    # QT-TTHC-01 aside); Thượng Lan's were written in bulk.
    for code in ["CSCL", "MTCL", "QT-HT-02", "QT-HT-07", "QT-TTHC-03", "QT-TTHC-10", "QT-TTHC-12"]:
        through_services = Document.objects.get(unit__code="07777", code=code)
        in_bulk = Document.objects.get(unit__code="07759", code=code)
        assert describe(in_bulk) == describe(through_services), code
    for attached in RevisionFile.objects.filter(revision__document__unit__code="07759"):
        with attached.file.open("rb") as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() == attached.sha256 and attached.size == len(data)


def check_bichdong_sees_only_bich_dong(units):
    bichdong = User.objects.get(username="bichdong")
    visible = Document.objects.for_user(bichdong)
    assert set(visible.values_list("unit__code", flat=True)) == {"07777"}
    assert visible.count() == Document.objects.filter(unit__code="07777").count() > 20
    district = User.objects.get(username="district")
    assert Document.objects.for_user(district).count() == Document.objects.count()


# One seed per group of checks: seeding takes a few seconds.
def test_the_document_set(units):
    check_every_unit_has_its_document_set(units)
    check_pilot_units_are_prepared_by_their_officers(units)
    check_files_are_valid_pdfs_with_their_sha256(units)
    check_bulk_documents_match_what_the_services_make(units)
    check_older_issues_are_superseded_and_kept(units)
    check_some_documents_are_overdue_for_review(units)


def test_the_catalogue_the_model_and_the_tasks(units):
    check_tthc_catalogue_and_legal_bases(units)
    check_framework_model_adoption(units)
    check_one_tthc_amended_last_month_with_its_tasks(units)
    check_work_in_progress(units)


def test_bichdong_sees_only_bich_dong(units):
    check_bichdong_sees_only_bich_dong(units)
