"""Helpers for the audits services tests.

Programmes, audits, findings and actions go through the services, so every test sees the states
the application itself produces; only the starting points (clauses, units that joined the QMS
programme) are set directly.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from audits.models import Audit, ChecklistItem, Clause, Finding
from audits.services import actions, audits
from communes.models import Membership, Unit
from documents.demo import minimal_pdf
from tests.factories import MembershipFactory, UserFactory

D = datetime.date
PILOT_JOINED, MAY_2019 = D(2017, 3, 1), D(2019, 5, 1)


@pytest.fixture
def english():
    """Messages in English, so the tests read the msgids whatever the catalogue says."""
    with translation.override("en"):
        yield


def member(username, unit, role=Membership.Role.AUDITOR, **extra):
    user = UserFactory(username=username, **extra)
    MembershipFactory(user=user, unit=unit, role=role)
    return user


def clause(code: str) -> Clause:
    return Clause.objects.get(code=code)


def join(*units, on=PILOT_JOINED):
    """Put units in the QMS programme (fan-out audits only units that joined it)."""
    Unit.objects.filter(pk__in=[u.pk for u in units]).update(joined_on=on)
    for unit in units:
        unit.refresh_from_db()


def planned_audit(*, actor, unit, lead=None, team=(), month=MAY_2019, clauses=None) -> Audit:
    """A planned audit of `unit` outside any programme, planned through audit_plan."""
    audit = Audit.objects.create(unit=unit, planned_month=month)
    return audits.audit_plan(actor=actor, audit=audit, lead_auditor=lead, team=list(team), clauses=clauses)


def started_audit(*, actor, unit, lead, team=(), month=MAY_2019, questions=()) -> Audit:
    """An audit in progress with questions [(clause code, question), ...]."""
    audit = planned_audit(actor=actor, unit=unit, lead=lead, team=team, month=month)
    audit = audits.audit_start(actor=lead, audit=audit)
    for code, question in questions:
        audits.checklist_add(actor=lead, audit=audit, clause=clause(code), question=question)
    return audit


def answer_all(audit, actor, answer=ChecklistItem.Answer.CONFORMING, evidence="Đã xem hồ sơ."):
    for item in audit.checklist.all():
        audits.checklist_answer(actor=actor, item=item, answer=answer, evidence=evidence)


def nonconformity_of(audit, actor, kind=Finding.Kind.MINOR, code="7.5"):
    finding = audits.finding_raise(
        actor=actor,
        audit=audit,
        kind=kind,
        clause=clause(code),
        description="Tài liệu lỗi thời còn lưu hành tại bộ phận một cửa.",
        evidence="Bản QT-TTHC-01 lần ban hành 1 tại bàn tiếp nhận.",
    )
    return finding.nonconformity


def done_action(*, actor, nc, owner, due_on=None):
    """A corrective action marked done by `actor` (who may write the unit's records)."""
    action = actions.action_add(
        actor=actor,
        nonconformity=nc,
        root_cause="Chưa thu hồi bản cũ khi ban hành bản mới.",
        action="Thu hồi bản cũ, bổ sung bước thu hồi vào quy trình kiểm soát tài liệu.",
        owner=owner,
        due_on=due_on or nc.raised_on + datetime.timedelta(days=30),
    )
    return actions.action_done(actor=actor, action=action)


def pdf_upload(name="bien-ban.pdf"):
    return SimpleUploadedFile(name, minimal_pdf("Biên bản đánh giá"), content_type="application/pdf")
