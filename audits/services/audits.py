"""Writes on audit programmes, audits, checklists and findings (ISO 9001:2015 §9.2)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audits.models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    Clause,
    Finding,
    FindingAttachment,
    Nonconformity,
)
from communes.models import Membership, Unit
from core import clock, files
from core.scoping import Action, get_scope, require


def _today():
    return clock.today()


def _lock(audit):
    return Audit.objects.select_for_update().select_related("unit").get(pk=audit.pk)


def _expect(audit, *states):
    if audit.state not in states:
        raise ValidationError(
            _("This audit is %(state)s: the action is not possible now.")
            % {"state": audit.get_state_display()}
        )


def conflicted_auditors(unit, auditors) -> dict:
    """{user pk: Membership} of the given auditors who are the ISO officer of `unit` (or above)."""
    users = [u for u in auditors if u is not None]
    if not users:
        return {}
    ancestors = [unit.path[: i + 1] for i, ch in enumerate(unit.path) if ch == "/"]
    officers = Membership.objects.filter(
        user__in=users, role=Membership.Role.OFFICER, unit__path__in=ancestors
    ).select_related("user", "unit")
    return {m.user_id: m for m in officers}


def check_independence(unit, auditors):
    """An auditor does not audit their own work (§9.2.2 b): not a unit where they are the officer."""
    for membership in conflicted_auditors(unit, auditors).values():
        user = membership.user
        raise ValidationError(
            _("%(person)s is the ISO officer of %(unit)s and cannot audit it.")
            % {
                "person": f"{user.last_name} {user.first_name}".strip() or user.username,
                "unit": membership.unit,
            }
        )


def _can_be_on_audit(actor, audit):
    """Auditors write the findings of audits they are on; supervisors of the unit may too."""
    scope = get_scope(actor)
    if scope.covers(Action.MANAGE, audit.unit.path):
        return True
    on_team = audit.lead_auditor_id == actor.pk or audit.team.filter(pk=actor.pk).exists()
    return on_team and scope.covers(Action.AUDIT, audit.unit.path)


def _require_on_audit(actor, audit):
    if not _can_be_on_audit(actor, audit):
        raise PermissionDenied(_("Only the audit team records this audit's work."))


@transaction.atomic
def programme_create(
    *, actor, unit, year, title, objectives="", month=None, clauses=(), lead_auditor=None, team=()
) -> AuditProgramme:
    """A yearly programme for the subtree of `unit`; one planned audit per unit in the QMS
    programme below it (fan-out), all with the same month, scope and team to start with.

    Officers often audit each other's communes: a team member who is the officer of a unit is
    left off that unit's audit (and a conflicted lead auditor leaves its lead to be named).
    """
    require(actor, Action.MANAGE, unit)
    if AuditProgramme.objects.filter(unit=unit, year=year).exists():
        raise ValidationError(
            {"year": _("%(unit)s already has a programme for %(year)s.") % {"unit": unit, "year": year}}
        )
    programme = AuditProgramme(unit=unit, year=year, title=title, objectives=objectives, created_by=actor)
    programme.full_clean()
    programme.save()
    month = month or datetime.date(year, 6, 1)
    audited = (
        Unit.objects.filter(path__startswith=unit.path, joined_on__isnull=False)
        .exclude(pk=unit.pk)
        .active_on(datetime.date(year, 12, 31))
        .order_by("path")
    )
    clauses = list(clauses) or list(Clause.objects.all())
    for audited_unit in audited:
        conflicted = conflicted_auditors(audited_unit, [lead_auditor, *team])
        lead = lead_auditor if lead_auditor is not None and lead_auditor.pk not in conflicted else None
        audit = Audit.objects.create(
            unit=audited_unit, programme=programme, planned_month=month.replace(day=1), lead_auditor=lead
        )
        audit.scope_clauses.set(clauses)
        audit.team.set([u for u in team if u.pk not in conflicted])
    return programme


@transaction.atomic
def audit_plan(
    *, actor, audit: Audit, planned_month=None, lead_auditor=None, team=None, clauses=None, processes=None
) -> Audit:
    """Change the plan of an audit that has not started; the team stays independent."""
    audit = _lock(audit)
    require(actor, Action.MANAGE, audit.unit)
    _expect(audit, Audit.State.PLANNED)
    new_team = list(team) if team is not None else list(audit.team.all())
    lead = lead_auditor if lead_auditor is not None else audit.lead_auditor
    check_independence(audit.unit, [lead, *new_team])
    if planned_month:
        audit.planned_month = planned_month.replace(day=1)
    audit.lead_auditor = lead
    if processes is not None:
        audit.scope_processes = processes
    audit.save()
    audit.team.set(new_team)
    if clauses is not None:
        audit.scope_clauses.set(clauses)
    return audit


@transaction.atomic
def audit_start(*, actor, audit: Audit) -> Audit:
    audit = _lock(audit)
    _require_on_audit(actor, audit)
    _expect(audit, Audit.State.PLANNED)
    if audit.lead_auditor_id is None:
        raise ValidationError(_("Name the lead auditor before starting the audit."))
    audit.state, audit.started_on = Audit.State.IN_PROGRESS, _today()
    audit.save()
    return audit


@transaction.atomic
def checklist_add(*, actor, audit: Audit, clause: Clause, question: str) -> ChecklistItem:
    audit = _lock(audit)
    _require_on_audit(actor, audit)
    _expect(audit, Audit.State.PLANNED, Audit.State.IN_PROGRESS)
    if not question.strip():
        raise ValidationError({"question": _("Write the question.")})
    position = audit.checklist.filter(clause=clause).count()
    return ChecklistItem.objects.create(
        audit=audit, clause=clause, question=question.strip(), position=position
    )


@transaction.atomic
def checklist_copy_previous(*, actor, audit: Audit) -> int:
    """Copy the questions of the unit's previous audit, answers and evidence reset."""
    audit = _lock(audit)
    _require_on_audit(actor, audit)
    _expect(audit, Audit.State.PLANNED, Audit.State.IN_PROGRESS)
    previous = (
        Audit.objects.filter(unit=audit.unit, planned_month__lt=audit.planned_month, checklist__isnull=False)
        .order_by("-planned_month")
        .first()
    )
    if previous is None:
        raise ValidationError(_("The unit has no earlier audit with a checklist."))
    items = [
        ChecklistItem(audit=audit, clause_id=i.clause_id, question=i.question, position=i.position)
        for i in previous.checklist.all()
    ]
    ChecklistItem.objects.bulk_create(items)
    return len(items)


@transaction.atomic
def checklist_answer(*, actor, item: ChecklistItem, answer: str, evidence: str) -> ChecklistItem:
    audit = _lock(item.audit)
    _require_on_audit(actor, audit)
    _expect(audit, Audit.State.IN_PROGRESS)
    if answer not in ChecklistItem.Answer.values:
        raise ValidationError({"answer": _("Choose an answer.")})
    if answer == ChecklistItem.Answer.NONCONFORMING and not evidence.strip():
        raise ValidationError({"evidence": _("A nonconforming answer needs its evidence.")})
    item.answer, item.evidence = answer, evidence.strip()
    item.save()
    return item


@transaction.atomic
def finding_raise(
    *, actor, audit: Audit, kind, clause, description, evidence="", checklist_item=None
) -> Finding:
    """Record a finding; a major or minor nonconformity opens a Nonconformity of the unit."""
    audit = _lock(audit)
    _require_on_audit(actor, audit)
    _expect(audit, Audit.State.IN_PROGRESS)
    if not description.strip():
        raise ValidationError({"description": _("Describe the finding.")})
    if kind in Finding.NONCONFORMITIES and not evidence.strip():
        raise ValidationError({"evidence": _("A nonconformity needs its objective evidence.")})
    if checklist_item is not None and checklist_item.audit_id != audit.pk:
        raise ValidationError(_("That question belongs to another audit."))
    finding = Finding.objects.create(
        audit=audit,
        kind=kind,
        clause=clause,
        description=description.strip(),
        evidence=evidence.strip(),
        checklist_item=checklist_item,
        raised_by=actor,
    )
    if kind in Finding.NONCONFORMITIES:
        Nonconformity.objects.create(
            unit=audit.unit,
            source=Nonconformity.Source.AUDIT,
            title=f"{clause.code} — {description.strip()[:250]}",
            description=description.strip(),
            clause=clause,
            finding=finding,
            raised_on=_today(),
            raised_by=actor,
        )
    return finding


@transaction.atomic
def finding_attach(*, actor, finding: Finding, upload) -> FindingAttachment:
    _require_on_audit(actor, finding.audit)
    checked = files.check_upload(upload)
    attachment = FindingAttachment(
        finding=finding,
        original_name=upload.name[:255],
        file_type=checked.file_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    upload.seek(0)
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def audit_issue_report(*, actor, audit: Audit, conclusion: str) -> Audit:
    audit = _lock(audit)
    if not (audit.lead_auditor_id == actor.pk or get_scope(actor).covers(Action.MANAGE, audit.unit.path)):
        raise PermissionDenied(_("The lead auditor issues the report."))
    _expect(audit, Audit.State.IN_PROGRESS)
    if not conclusion.strip():
        raise ValidationError({"conclusion": _("Write the audit's conclusion.")})
    if not audit.checklist.exclude(answer="").exists():
        raise ValidationError(_("Answer the checklist before issuing the report."))
    audit.state, audit.report_issued_on, audit.conclusion = (
        Audit.State.REPORT_ISSUED,
        _today(),
        conclusion.strip(),
    )
    audit.save()
    return audit


@transaction.atomic
def audit_close(*, actor, audit: Audit) -> Audit:
    """Close an audit once its nonconformities are closed."""
    audit = _lock(audit)
    require(actor, Action.MANAGE, audit.unit)
    _expect(audit, Audit.State.REPORT_ISSUED)
    if Nonconformity.objects.filter(finding__audit=audit, status=Nonconformity.Status.OPEN).exists():
        raise ValidationError(_("Close the audit's nonconformities first."))
    audit.state, audit.closed_on = Audit.State.CLOSED, _today()
    audit.save()
    return audit
