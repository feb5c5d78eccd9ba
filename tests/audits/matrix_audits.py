"""Permission-matrix rows of the audit pages (/audits/) and of the corrective actions (/actions/)
(see tests/matrix.py), and the builders the audit view tests share.

The objects live in unit A (officer_a's ward): out of scope (officer_b) → 404. The conftest's
auditor (auditor role on the district) leads the audits, so the audit team's pages answer 200
to them, to the supervisor and to the superuser, 403 to the other readers. officer_a owns the
actions: verifying her own action is refused with a message (a redirect, 302).
"""

import atexit
import contextlib
import datetime
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from audits.models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    Clause,
    CorrectiveAction,
    Finding,
    FindingAttachment,
    Nonconformity,
)
from tests.matrix import Row, everyone

D = datetime.date
_STORED_NAME = "audits/permission-matrix/bien-ban.pdf"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _stored_pdf():
    if not default_storage.exists(_STORED_NAME):
        default_storage.save(_STORED_NAME, ContentFile(PDF))
        atexit.register(_remove_stored_pdf, Path(default_storage.path(_STORED_NAME)))
    return _STORED_NAME


def _remove_stored_pdf(path):
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()


# --- Builders (also used by tests/audits/test_audit_*.py and test_action_*.py) -----------------
def clause(code):
    return Clause.objects.get(code=code)


def make_audit(unit, *, lead=None, team=(), state=Audit.State.PLANNED, month=None, programme=None):
    """An audit straight in the given state (the views' tests walk the transitions themselves)."""
    today = timezone.localdate()
    audit = Audit.objects.create(
        unit=unit,
        programme=programme,
        planned_month=month or D(2019, 5, 1),
        lead_auditor=lead,
        state=state,
        started_on=today if state != Audit.State.PLANNED else None,
        report_issued_on=today if state in (Audit.State.REPORT_ISSUED, Audit.State.CLOSED) else None,
        conclusion="Hệ thống phù hợp." if state in (Audit.State.REPORT_ISSUED, Audit.State.CLOSED) else "",
    )
    audit.team.set(team)
    audit.scope_clauses.set(Clause.objects.all())
    return audit


def make_item(audit, code="7.5", question="Tài liệu có được kiểm soát không?", answer="", evidence=""):
    return ChecklistItem.objects.create(
        audit=audit, clause=clause(code), question=question, answer=answer, evidence=evidence
    )


def make_nc(unit, raised_by, *, title="Hồ sơ một cửa thiếu phiếu kiểm soát", finding=None):
    return Nonconformity.objects.create(
        unit=unit,
        source=Nonconformity.Source.AUDIT if finding else Nonconformity.Source.DIRECT,
        title=title,
        description="Thiếu phiếu kiểm soát quá trình giải quyết hồ sơ.",
        clause=clause("8.5"),
        finding=finding,
        raised_on=timezone.localdate() - datetime.timedelta(days=10),
        raised_by=raised_by,
    )


def make_action(nc, owner, *, state=CorrectiveAction.State.PLANNED, due_in=20):
    today = timezone.localdate()
    return CorrectiveAction.objects.create(
        nonconformity=nc,
        root_cause="Công chức chưa nắm quy trình.",
        action="Tập huấn lại quy trình cho bộ phận một cửa.",
        owner=owner,
        due_on=today + datetime.timedelta(days=due_in),
        state=state,
        done_on=today if state != CorrectiveAction.State.PLANNED else None,
    )


def setup(tree, actors):
    supervisor, officer_a, auditor = actors["supervisor"], actors["officer_a"], actors["auditor"]
    programme = AuditProgramme.objects.create(
        unit=tree.district, year=2019, title="Chương trình đánh giá nội bộ 2019", created_by=supervisor
    )
    planned = make_audit(tree.unit_a, lead=auditor, programme=programme)
    previous = make_audit(tree.unit_a, lead=auditor, state=Audit.State.CLOSED, month=D(2018, 5, 1))
    make_item(previous, answer=ChecklistItem.Answer.CONFORMING)
    audit = make_audit(tree.unit_a, lead=auditor, state=Audit.State.IN_PROGRESS, month=D(2019, 6, 1))
    item = make_item(audit)
    finding = Finding.objects.create(
        audit=audit,
        kind=Finding.Kind.MINOR,
        clause=clause("7.5"),
        checklist_item=item,
        description="Sổ theo dõi công văn đến chưa cập nhật.",
        evidence="Sổ công văn đến tháng 5/2019.",
        raised_by=auditor,
    )
    attachment = FindingAttachment.objects.create(
        finding=finding,
        file=_stored_pdf(),
        original_name="bien-ban.pdf",
        file_type="pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=auditor,
    )
    reported = make_audit(tree.unit_a, lead=auditor, state=Audit.State.REPORT_ISSUED, month=D(2019, 7, 1))
    other_audit = make_audit(tree.other_commune, month=D(2019, 5, 1))
    nc = make_nc(tree.unit_a, supervisor)
    planned_action = make_action(nc, officer_a)
    done_action = make_action(nc, officer_a, state=CorrectiveAction.State.DONE)
    return {
        "programme": programme,
        "planned": planned,
        "audit": audit,
        "item": item,
        "finding": finding,
        "attachment": attachment,
        "reported": reported,
        "other_audit": other_audit,
        "nc": nc,
        "planned_action": planned_action,
        "done_action": done_action,
    }


READ = everyone(200, officer_b=404)
MANAGE = everyone(403, officer_b=404, supervisor=200, superuser=200)
MANAGE_POST = everyone(403, officer_b=404, supervisor=302, superuser=302)
# The audit team (the conftest's auditor leads the audits), the supervisor and the superuser.
WORK = everyone(403, officer_b=404, auditor=200, supervisor=200, superuser=200)
WORK_POST = everyone(403, officer_b=404, auditor=302, supervisor=302, superuser=302)
CHANGE = everyone(403, officer_b=404, officer_a=200, supervisor=200, superuser=200)
CHANGE_POST = everyone(403, officer_b=404, officer_a=302, supervisor=302, superuser=302)


def _pk(name):
    return lambda ctx: {"pk": getattr(ctx, name).pk}


ROWS = [
    # --- /audits/ ---
    Row("audits:programme_list", everyone(200)),
    Row("audits:programme_create", everyone(403, supervisor=200, superuser=200)),
    Row(
        "audits:programme_detail",
        everyone(200, officer_a=404, officer_b=404),
        kwargs=_pk("programme"),
    ),
    Row("audits:audit_list", everyone(200)),
    Row("audits:unit_depth", everyone(200)),
    Row("audits:audit_detail", READ, kwargs=_pk("audit")),
    Row(
        "audits:audit_detail",
        everyone(404, superuser=200),
        kwargs=_pk("other_audit"),
        label="audit_detail (other district)",
    ),
    Row("audits:audit_update", MANAGE, kwargs=_pk("planned")),
    Row("audits:audit_start", WORK, kwargs=_pk("planned")),
    Row("audits:audit_start", WORK_POST, kwargs=_pk("planned"), method="post", label="audit_start (POST)"),
    Row("audits:checklist_add", WORK, kwargs=_pk("audit")),
    Row("audits:checklist_copy", WORK, kwargs=_pk("audit")),
    Row("audits:checklist_answer", WORK, kwargs=_pk("item")),
    Row(
        "audits:checklist_answer",
        WORK_POST,
        kwargs=_pk("item"),
        method="post",
        data={"answer": "conforming", "evidence": "Sổ theo dõi đầy đủ."},
        label="checklist_answer (POST)",
    ),
    Row("audits:finding_create", WORK, kwargs=_pk("audit")),
    Row("audits:finding_attach", WORK, kwargs=_pk("finding")),
    Row("audits:attachment_download", READ, kwargs=_pk("attachment")),
    Row("audits:audit_report", WORK, kwargs=_pk("audit")),
    Row("audits:audit_report_pdf", READ, kwargs=_pk("reported")),
    Row("audits:audit_close", MANAGE, kwargs=_pk("reported")),
    Row("audits:audit_close", MANAGE_POST, kwargs=_pk("reported"), method="post", label="audit_close (POST)"),
    # --- /actions/ ---
    Row("actions:nonconformity_list", everyone(200)),
    Row(
        "actions:nonconformity_create",
        everyone(403, officer_a=200, officer_b=200, supervisor=200, superuser=200),
    ),
    Row("actions:nonconformity_detail", READ, kwargs=_pk("nc")),
    Row("actions:action_create", CHANGE, kwargs=_pk("nc")),
    Row("actions:action_done", CHANGE, kwargs=_pk("planned_action")),
    Row(
        "actions:action_done",
        CHANGE_POST,
        kwargs=_pk("planned_action"),
        method="post",
        data=lambda ctx: {"done_on": timezone.localdate().isoformat()},
        label="action_done (POST)",
    ),
    # officer_a owns the action: refused with the service's message (302).
    Row(
        "actions:action_verify",
        everyone(403, officer_a=302, officer_b=404, auditor=200, supervisor=200, superuser=200),
        kwargs=_pk("done_action"),
    ),
]
