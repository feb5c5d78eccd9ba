"""Reads on documents and the TTHC catalogue, for this app's pages and for other apps."""

from dataclasses import dataclass, field

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from communes.models import Unit
from core.scoping import Action, get_scope
from documents.models import Applicability, Document, Procedure, Revision, UpdateTask


@dataclass
class Coverage:
    """TTHC procedure coverage of one unit: applicable TTHC that have a procedure in force."""

    unit: object
    applicable: set = field(default_factory=set)
    covered: set = field(default_factory=set)

    @property
    def gaps(self) -> set:
        return self.applicable - self.covered

    @property
    def rate(self) -> float | None:
        return len(self.covered) / len(self.applicable) if self.applicable else None


def coverage_for_units(units) -> dict[int, Coverage]:
    """Coverage of every given unit in three queries, whatever their number.

    Applicable: the TTHC (not abolished) that apply to the unit's kind or to the unit itself.
    Covered: those served by a TTHC procedure document of the unit that is in force.
    """
    units = list(units)
    result = {u.pk: Coverage(unit=u) for u in units}
    if not units:
        return result
    live = Applicability.objects.exclude(procedure__status=Procedure.Status.ABOLISHED)
    by_kind: dict[str, set] = {}
    for kind, procedure_id in live.filter(
        unit__isnull=True, unit_kind__in={u.kind for u in units}
    ).values_list("unit_kind", "procedure_id"):
        by_kind.setdefault(kind, set()).add(procedure_id)
    for unit_id, procedure_id in live.filter(unit_id__in=result).values_list("unit_id", "procedure_id"):
        result[unit_id].applicable.add(procedure_id)
    for unit in units:
        result[unit.pk].applicable |= by_kind.get(unit.kind, set())
    served = Document.procedures.through.objects.filter(
        document__unit_id__in=result,
        document__status=Document.Status.EFFECTIVE,
        document__kind=Document.Kind.TTHC_PROCEDURE,
    ).values_list("document__unit_id", "procedure_id")
    for unit_id, procedure_id in served:
        if procedure_id in result[unit_id].applicable:
            result[unit_id].covered.add(procedure_id)
    return result


def review_overdue(queryset, today=None):
    """Documents in force whose periodic review date has passed."""
    today = today or timezone.localdate()
    return queryset.filter(status=Document.Status.EFFECTIVE, next_review_on__lt=today)


def open_tasks(queryset=None):
    qs = queryset if queryset is not None else UpdateTask.objects.all()
    return qs.filter(status=UpdateTask.Status.OPEN)


def overdue_tasks(queryset=None, today=None):
    today = today or timezone.localdate()
    return open_tasks(queryset).filter(due_on__lt=today)


def document_search(queryset, text):
    """Diacritic-blind search over code, title and the codes of the TTHC served."""
    from core.text import fold

    folded = fold(text)
    if not folded:
        return queryset
    return queryset.filter(Q(search_text__contains=folded))


def document_list_queryset(user):
    """Documents the user may read, with their issue in force and their issue in preparation."""
    revisions = Revision.objects.filter(document=OuterRef("pk"))
    return (
        Document.objects.for_user(user)
        .select_related("unit")
        .annotate(
            current_number=Subquery(revisions.filter(state=Revision.State.EFFECTIVE).values("number")[:1]),
            open_state=Subquery(revisions.filter(state__in=Revision.OPEN_STATES).values("state")[:1]),
        )
    )


def published_models(user):
    """Framework models in force that reach at least one unit the user may read: those published
    by a unit above the user's units, and those of a unit in scope that has units below it."""
    scope = get_scope(user)
    below = Unit.objects.filter(path__startswith=OuterRef("unit__path")).exclude(pk=OuterRef("unit_id"))
    models = Document.objects.filter(is_model=True, status=Document.Status.EFFECTIVE)
    if scope.everything:
        return models.filter(Exists(below))
    above = {
        root[: i + 1] for root in scope.paths(Action.VIEW) for i, ch in enumerate(root[:-1]) if ch == "/"
    }
    return models.filter(Q(unit__path__in=above) | (scope.q(Action.VIEW) & Q(Exists(below))))


def dashboard_figures(user, today=None):
    """The documents panel of the dashboard: two queries whatever the number of records."""
    from django.db.models import Count

    today = today or timezone.localdate()
    documents = Document.objects.for_user(user).aggregate(
        in_force=Count("pk", filter=Q(status=Document.Status.EFFECTIVE)),
        review_overdue=Count("pk", filter=Q(status=Document.Status.EFFECTIVE, next_review_on__lt=today)),
    )
    tasks = UpdateTask.objects.for_user(user).aggregate(
        open=Count("pk", filter=Q(status=UpdateTask.Status.OPEN)),
        overdue=Count("pk", filter=Q(status=UpdateTask.Status.OPEN, due_on__lt=today)),
    )
    return {"documents": documents, "tasks": tasks}


def review_overdue_by_unit(unit_ids, today=None) -> dict[int, int]:
    """{unit id: documents in force overdue for their periodic review} (units with none are left
    out). One query, whatever the number of units."""
    from django.db.models import Count

    rows = (
        review_overdue(Document.objects.filter(unit_id__in=unit_ids), today)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["unit_id"]: row["n"] for row in rows}


# --- Registers for auditors (reports app) -----------------------------------------------------
def document_register(documents):
    """The given documents (a queryset, already scoped) with their unit and their current issue:
    the one in force, else the latest; annotated `issue_number`, `issue_state`, `issue_approved_on`
    and `issue_effective_from`. One query, whatever the number of documents."""
    current = Revision.objects.filter(document=OuterRef("pk")).order_by(
        Case(
            When(state=Revision.State.EFFECTIVE, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        "-number",
    )
    return (
        documents.select_related("unit")
        .annotate(
            issue_number=Subquery(current.values("number")[:1]),
            issue_state=Subquery(current.values("state")[:1]),
            issue_approved_on=Subquery(current.values("approved_on")[:1]),
            issue_effective_from=Subquery(current.values("effective_from")[:1]),
        )
        .order_by("unit__path", "kind", "code")
    )


@dataclass
class CoverageLine:
    """One applicable TTHC of a unit, with the unit's TTHC procedure documents that serve it."""

    unit: object
    procedure: object
    documents: list = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return any(d.status == Document.Status.EFFECTIVE for d in self.documents)


def coverage_register(units) -> list[CoverageLine]:
    """Per unit (in the given order), each applicable TTHC (by code) and the TTHC procedure
    documents of the unit that serve it (any status; `covered` when one is in force). Five
    queries, whatever the number of units."""
    units = list(units)
    coverage = coverage_for_units(units)
    procedure_ids = set().union(*(c.applicable for c in coverage.values())) if coverage else set()
    procedures = {p.pk: p for p in Procedure.objects.filter(pk__in=procedure_ids)}
    served: dict[tuple, list] = {}
    links = (
        Document.procedures.through.objects.filter(
            document__unit_id__in=coverage,
            document__kind=Document.Kind.TTHC_PROCEDURE,
            procedure_id__in=procedure_ids,
        )
        .exclude(document__status=Document.Status.WITHDRAWN)
        .select_related("document")
        .order_by("document__code")
    )
    for link in links:
        served.setdefault((link.document.unit_id, link.procedure_id), []).append(link.document)
    lines = []
    for unit in units:
        applicable = sorted((procedures[pk] for pk in coverage[unit.pk].applicable), key=lambda p: p.code)
        lines += [CoverageLine(unit, p, served.get((unit.pk, p.pk), [])) for p in applicable]
    return lines
