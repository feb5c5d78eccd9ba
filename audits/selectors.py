"""Reads on audits and actions, for this app's pages and for other apps (reports, reminders)."""

from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import (
    Audit,
    ChecklistItem,
    Clause,
    CorrectiveAction,
    Finding,
    ManagementReview,
    Nonconformity,
)


def with_depth(audits):
    """Annotate audits with the figures of their depth, in the same query:

    clauses_covered (clauses with at least one answered question), questions, answered,
    findings and findings_with_evidence. Audits that are "too shallow" show at a glance.
    """
    items = ChecklistItem.objects.filter(audit=OuterRef("pk"))
    findings = Finding.objects.filter(audit=OuterRef("pk"))

    def per_audit(qs, expr):
        return Coalesce(
            Subquery(
                qs.order_by().values("audit").annotate(n=expr).values("n")[:1], output_field=IntegerField()
            ),
            0,
        )

    return audits.annotate(
        questions=per_audit(items, Count("pk")),
        answered=per_audit(items.exclude(answer=""), Count("pk")),
        clauses_covered=per_audit(items.exclude(answer=""), Count("clause", distinct=True)),
        findings_count=per_audit(findings, Count("pk")),
        findings_with_evidence=per_audit(findings.exclude(evidence=""), Count("pk")),
    )


def clause_total() -> int:
    return Clause.objects.count()


def depth_of(audit) -> dict:
    """The depth figures of one audit (annotated or not)."""
    if not hasattr(audit, "questions"):
        audit = with_depth(Audit.objects.filter(pk=audit.pk)).get()
    total = clause_total()
    return {
        "clauses_covered": audit.clauses_covered,
        "clauses_total": total,
        "clause_rate": audit.clauses_covered / total if total else None,
        "questions": audit.questions,
        "answered": audit.answered,
        "findings": audit.findings_count,
        "findings_with_evidence": audit.findings_with_evidence,
    }


def open_actions(queryset=None):
    qs = queryset if queryset is not None else CorrectiveAction.objects.all()
    return qs.filter(state__in=[CorrectiveAction.State.PLANNED, CorrectiveAction.State.DONE])


def overdue_actions(queryset=None, today=None):
    today = today or timezone.localdate()
    return open_actions(queryset).filter(state=CorrectiveAction.State.PLANNED, due_on__lt=today)


def review_figures(unit, today=None) -> dict:
    """Figures for the inputs of a management review of `unit` (§9.3.2)."""
    today = today or timezone.localdate()
    actions = CorrectiveAction.objects.filter(nonconformity__unit=unit)
    counts = actions.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(state=CorrectiveAction.State.EFFECTIVE)),
        overdue=Count("pk", filter=Q(state=CorrectiveAction.State.PLANNED, due_on__lt=today)),
    )
    open_ncs = Nonconformity.objects.filter(unit=unit, status=Nonconformity.Status.OPEN).count()
    last = (
        with_depth(Audit.objects.filter(unit=unit).exclude(state=Audit.State.PLANNED))
        .order_by("-planned_month")
        .first()
    )
    if last is None:
        last_audit = _("No internal audit recorded yet.")
    else:
        depth = depth_of(last)
        by_kind = dict(last.findings.values_list("kind").annotate(n=Count("pk")))
        last_audit = _(
            "Internal audit of %(month)s: %(covered)s of %(total)s clauses covered, %(major)s major and "
            "%(minor)s minor nonconformities, %(obs)s observations."
        ) % {
            "month": f"{last.planned_month:%m/%Y}",
            "covered": depth["clauses_covered"],
            "total": depth["clauses_total"],
            "major": by_kind.get(Finding.Kind.MAJOR, 0),
            "minor": by_kind.get(Finding.Kind.MINOR, 0),
            "obs": by_kind.get(Finding.Kind.OBSERVATION, 0),
        }
    return {
        "actions": {"done": counts["done"], "total": counts["total"]},
        "nonconformities": {"open": open_ncs, "overdue": counts["overdue"]},
        "last_audit": last_audit,
        # The satisfaction survey comes with its own issue; until then, nothing to prefill.
        "satisfaction": "",
    }


# --- Figures per unit for a year (scoring, reports); one query each, whatever the number of units.
def audits_held(unit_ids, year) -> dict[int, object]:
    """The month of the last internal audit of each unit carried out in `year` (begun or later)."""
    rows = (
        Audit.objects.filter(unit_id__in=unit_ids, planned_month__year=year)
        .exclude(state=Audit.State.PLANNED)
        .values("unit_id")
        .annotate(last=Max("planned_month"))
    )
    return {row["unit_id"]: row["last"] for row in rows}


def reviews_held(unit_ids, year) -> dict[int, object]:
    """The day of the last management review of each unit held in `year`."""
    rows = (
        ManagementReview.objects.filter(unit_id__in=unit_ids, held_on__year=year)
        .values("unit_id")
        .annotate(last=Max("held_on"))
    )
    return {row["unit_id"]: row["last"] for row in rows}


def actions_due_in_year(unit_ids, year, today=None) -> dict[int, tuple[int, int]]:
    """(due, overdue) corrective actions of each unit: those due in `year`, and among them
    the ones not done on time: still planned after their due date, or done after it."""
    today = today or timezone.localdate()
    late = Q(state=CorrectiveAction.State.PLANNED, due_on__lt=today) | Q(done_on__gt=F("due_on"))
    rows = (
        CorrectiveAction.objects.filter(nonconformity__unit_id__in=unit_ids, due_on__year=year)
        .values("nonconformity__unit_id")
        .annotate(due=Count("pk"), overdue=Count("pk", filter=late))
    )
    return {row["nonconformity__unit_id"]: (row["due"], row["overdue"]) for row in rows}
