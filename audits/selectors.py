"""Reads on audits and actions, for this app's pages and for other apps (reports, reminders)."""

import datetime

from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import (
    Audit,
    ChecklistItem,
    Clause,
    CorrectiveAction,
    Finding,
    Inspection,
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


def depth_of(audit, total=None) -> dict:
    """The depth figures of one audit (annotated or not); pass `total` (clause_total()) when
    computing many, so the clauses are counted once."""
    if not hasattr(audit, "questions"):
        audit = with_depth(Audit.objects.filter(pk=audit.pk)).get()
    if total is None:
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


# Other apps add figures to the review inputs without audits importing them (dependencies point
# one way): under a figure key ("satisfaction"), callables (unit, today) -> text, "" when they have
# nothing to say. The surveys app registers the citizens' satisfaction rate (§9.3.2 c).
REVIEW_INPUTS: dict[str, list] = {}


def register_review_input(key: str, figure) -> None:
    figures = REVIEW_INPUTS.setdefault(key, [])
    if figure not in figures:
        figures.append(figure)


def _registered_inputs(unit, today) -> dict[str, str]:
    return {
        key: "\n".join(text for text in (figure(unit, today) for figure in figures) if text)
        for key, figures in REVIEW_INPUTS.items()
    }


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
        "satisfaction": "",
        **_registered_inputs(unit, today),
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


def audits_in_year(unit_ids, year) -> list:
    """The internal audits of the units planned in `year` (any state), with their depth figures
    (with_depth) and `depth` (depth_of); by unit, then month. Two queries, whatever the number
    of units or audits."""
    total = clause_total()
    audits = list(
        with_depth(Audit.objects.filter(unit_id__in=unit_ids, planned_month__year=year)).order_by(
            "unit_id", "planned_month", "pk"
        )
    )
    for audit in audits:
        audit.depth = depth_of(audit, total)
    return audits


def findings_by_clause(unit_ids, year) -> tuple[list, dict]:
    """The findings of the units' internal audits planned in `year`, counted per (unit id,
    clause id, kind): (the clauses that have findings, in clause order; the counts). Two
    queries, whatever the number of units or findings."""
    rows = (
        Finding.objects.filter(audit__unit_id__in=unit_ids, audit__planned_month__year=year)
        .order_by()
        .values("audit__unit_id", "clause_id", "kind")
        .annotate(n=Count("pk"))
    )
    counts = {(row["audit__unit_id"], row["clause_id"], row["kind"]): row["n"] for row in rows}
    clause_ids = {clause_id for _unit, clause_id, _kind in counts}
    clauses = list(Clause.objects.filter(pk__in=clause_ids)) if clause_ids else []
    return clauses, counts


# --- The annual report and the registers for auditors (reports app) ------------------------
def _count_kind(kind):
    return Count("findings", filter=Q(findings__kind=kind), distinct=True)


def audits_of_year(unit_ids, year):
    """The internal audits of the units planned in `year` (any state), with the unit, the lead
    auditor and the findings counted by kind (`major`, `minor`, `observations`, `improvements`).
    One query, whatever the number of units or audits."""
    return (
        Audit.objects.filter(unit_id__in=list(unit_ids), planned_month__year=year)
        .select_related("unit", "lead_auditor")
        .annotate(
            major=_count_kind(Finding.Kind.MAJOR),
            minor=_count_kind(Finding.Kind.MINOR),
            observations=_count_kind(Finding.Kind.OBSERVATION),
            improvements=_count_kind(Finding.Kind.IMPROVEMENT),
        )
        .order_by("unit__path", "planned_month", "pk")
    )


def reviews_of_year(unit_ids, year):
    """The management reviews of the units held in `year`, with the unit and `outputs_count`.
    One query."""
    return (
        ManagementReview.objects.filter(unit_id__in=list(unit_ids), held_on__year=year)
        .select_related("unit")
        .annotate(outputs_count=Count("outputs"))
        .order_by("unit__path", "held_on", "pk")
    )


def inspections_of_year(unit_ids, year):
    """The inspections of the units in the plan year `year`, with the unit and `findings_count`.
    One query."""
    return (
        Inspection.objects.filter(unit_id__in=list(unit_ids), year=year)
        .select_related("unit")
        .annotate(findings_count=Count("findings"))
        .order_by("unit__path", "planned_on", "pk")
    )


def nonconformity_figures(unit_ids, year, today=None) -> dict[int, dict]:
    """{unit id: {"opened", "closed", "overdue"}} for `year`: nonconformities raised in the year,
    closed in the year, and overdue at the cut-off (31 December, or today in the current year):
    still open then, with a corrective action due before the cut-off and not done by it.
    Units without any nonconformity are left out. One query."""
    today = today or timezone.localdate()
    cutoff = min(today, datetime.date(year, 12, 31))
    late = CorrectiveAction.objects.filter(nonconformity=OuterRef("pk"), due_on__lt=cutoff).filter(
        Q(done_on__isnull=True) | Q(done_on__gt=cutoff)
    )
    open_at_cutoff = Q(raised_on__lte=cutoff) & (Q(closed_on__isnull=True) | Q(closed_on__gt=cutoff))
    rows = (
        Nonconformity.objects.filter(unit_id__in=list(unit_ids))
        .order_by()
        .values("unit_id")
        .annotate(
            opened=Count("pk", filter=Q(raised_on__year=year)),
            closed=Count("pk", filter=Q(closed_on__year=year)),
            overdue=Count("pk", filter=open_at_cutoff & Q(Exists(late))),
        )
    )
    return {
        row["unit_id"]: {"opened": row["opened"], "closed": row["closed"], "overdue": row["overdue"]}
        for row in rows
    }


def findings_register(audits):
    """The given audits (a queryset, already scoped) with their unit, lead auditor, team and
    findings (each with its clause and the nonconformity it raised). Three queries."""
    return audits.select_related("unit", "lead_auditor").prefetch_related(
        "team",
        Prefetch(
            "findings",
            queryset=Finding.objects.select_related("clause", "nonconformity").order_by("created_at", "pk"),
        ),
    )


def actions_register(actions):
    """The given corrective actions (a queryset, already scoped) with their nonconformity, its unit,
    the owner and the verifier. One query."""
    return actions.select_related("nonconformity__unit", "owner", "verified_by").order_by(
        "nonconformity__unit__path", "nonconformity__raised_on", "nonconformity_id", "due_on", "pk"
    )


# --- Figures per unit for the dashboards (reports): any year, one query each, whatever the number
# of units.
def last_audits(unit_ids) -> dict[int, object]:
    """The month of the last internal audit of each unit carried out (begun or later), any year."""
    rows = (
        Audit.objects.filter(unit_id__in=unit_ids)
        .exclude(state=Audit.State.PLANNED)
        .order_by()
        .values("unit_id")
        .annotate(last=Max("planned_month"))
    )
    return {row["unit_id"]: row["last"] for row in rows}


def last_reviews(unit_ids) -> dict[int, object]:
    """The day of the last management review of each unit, any year."""
    rows = (
        ManagementReview.objects.filter(unit_id__in=unit_ids)
        .order_by()
        .values("unit_id")
        .annotate(last=Max("held_on"))
    )
    return {row["unit_id"]: row["last"] for row in rows}


def open_nonconformity_figures(unit_ids, today=None) -> dict[int, dict]:
    """Per unit: open nonconformities, open corrective actions (planned or done, not yet
    verified) and overdue ones (still planned after their due date), as the /actions/ list counts
    them. Two queries; units with nothing open are left out."""
    today = today or timezone.localdate()
    result: dict[int, dict] = {}

    def entry(unit_id):
        return result.setdefault(unit_id, {"open_ncs": 0, "open_actions": 0, "overdue_actions": 0})

    ncs = (
        Nonconformity.objects.filter(unit_id__in=unit_ids, status=Nonconformity.Status.OPEN)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    for row in ncs:
        entry(row["unit_id"])["open_ncs"] = row["n"]
    actions = (
        open_actions(CorrectiveAction.objects.filter(nonconformity__unit_id__in=unit_ids))
        .order_by()
        .values("nonconformity__unit_id")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=Q(state=CorrectiveAction.State.PLANNED, due_on__lt=today)),
        )
    )
    for row in actions:
        figures = entry(row["nonconformity__unit_id"])
        figures["open_actions"], figures["overdue_actions"] = row["n"], row["late"]
    return result
