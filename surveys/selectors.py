"""Reads on satisfaction: rates per unit, procedure, criterion and month (ISO 9001:2015 §9.1.2).

The online responses and the tallies of paper forms and rating devices count together: a rating
is 1..5, "satisfied" means 4 or 5, the rate is satisfied / rated. Grouped by unit, procedure or
month, the figure is the overall-satisfaction criterion ("the" rate of a unit); grouped by
criterion, every criterion. Each call costs a constant number of queries (one per source),
whatever the number of rows.

A tally covers a period (often a quarter): grouped by month, it counts in the month its period
starts; filtering tallies by period is the caller's business (the results page keeps the tallies
whose period lies wholly inside the chosen one, as `unit_satisfaction` does).
"""

import datetime
from decimal import Decimal

from django.db.models import Count, DateField, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from communes.models import Unit
from surveys.models import CRITERIA, SATISFIED_MIN, Response, Tally

GROUPS = ("unit", "procedure", "criterion", "month")
OVERALL = "overall"

_TALLY_RATED = (
    Coalesce(Sum("very_satisfied"), 0)
    + Coalesce(Sum("satisfied"), 0)
    + Coalesce(Sum("neutral"), 0)
    + Coalesce(Sum("dissatisfied"), 0)
    + Coalesce(Sum("very_dissatisfied"), 0)
)
_TALLY_SATISFIED = Coalesce(Sum("very_satisfied"), 0) + Coalesce(Sum("satisfied"), 0)


def rate(satisfied: int, rated: int) -> Decimal | None:
    """satisfied / rated as a Decimal from 0 to 1; None when nothing was rated."""
    return Decimal(satisfied) / Decimal(rated) if rated else None


def _figures(rated=0, satisfied=0) -> dict:
    return {"rated": rated, "satisfied": satisfied, "rate": rate(satisfied, rated)}


def _add(result: dict, key, rated, satisfied) -> None:
    entry = result.setdefault(key, {"rated": 0, "satisfied": 0})
    entry["rated"] += rated or 0
    entry["satisfied"] += satisfied or 0


def _finish(result: dict) -> dict:
    return {key: _figures(f["rated"], f["satisfied"]) for key, f in result.items() if f["rated"]}


def satisfaction(responses_qs, tallies_qs, group_by: str = "unit") -> dict:
    """{group key: {"rated": n, "satisfied": n, "rate": Decimal | None}}, groups with ratings only.

    Keys: unit id for "unit", procedure id (None: not given / all procedures) for "procedure",
    the criterion name for "criterion", the first day of the month (a date) for "month".
    Either queryset may be None. Two queries at most.
    """
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {GROUPS}")
    result: dict = {}
    if group_by == "criterion":
        if responses_qs is not None:
            aggregates = {}
            for criterion in CRITERIA:
                aggregates[f"{criterion}_rated"] = Count(criterion)
                aggregates[f"{criterion}_satisfied"] = Count(
                    "pk", filter=Q(**{f"{criterion}__gte": SATISFIED_MIN})
                )
            row = responses_qs.order_by().aggregate(**aggregates)
            for criterion in CRITERIA:
                _add(result, criterion, row[f"{criterion}_rated"], row[f"{criterion}_satisfied"])
        if tallies_qs is not None:
            rows = (
                tallies_qs.order_by()
                .values("criterion")
                .annotate(rated=_TALLY_RATED, satisfied_n=_TALLY_SATISFIED)
            )
            for row in rows:
                _add(result, row["criterion"], row["rated"], row["satisfied_n"])
        return _finish(result)

    if group_by == "month":
        response_key = TruncMonth(
            "submitted_at", output_field=DateField(), tzinfo=timezone.get_current_timezone()
        )
        tally_key = TruncMonth("period_start", output_field=DateField())
    else:
        response_key = tally_key = None
    field = f"{group_by}_id" if group_by in ("unit", "procedure") else "key"

    if responses_qs is not None:
        qs = responses_qs.order_by()
        if response_key is not None:
            qs = qs.annotate(key=response_key)
        rows = qs.values(field).annotate(
            rated=Count(OVERALL), satisfied_n=Count("pk", filter=Q(overall__gte=SATISFIED_MIN))
        )
        for row in rows:
            _add(result, row[field], row["rated"], row["satisfied_n"])
    if tallies_qs is not None:
        qs = tallies_qs.order_by().filter(criterion=OVERALL)
        if tally_key is not None:
            qs = qs.annotate(key=tally_key)
        rows = qs.values(field).annotate(rated=_TALLY_RATED, satisfied_n=_TALLY_SATISFIED)
        for row in rows:
            _add(result, row[field], row["rated"], row["satisfied_n"])
    return _finish(result)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def in_period(responses_qs, tallies_qs, start: datetime.date, end: datetime.date):
    """The responses submitted from `start` to `end` (local days, inclusive) and the tallies whose
    period lies wholly inside them."""
    after_end = _local_midnight(end + datetime.timedelta(days=1))
    responses = responses_qs.filter(submitted_at__gte=_local_midnight(start), submitted_at__lt=after_end)
    tallies = tallies_qs.filter(period_start__gte=start, period_end__lte=end)
    return responses, tallies


def unit_satisfaction(unit_ids, start: datetime.date, end: datetime.date) -> dict[int, dict]:
    """{unit id: {"rated", "satisfied", "rate"}} on overall satisfaction from `start` to `end`,
    for every given unit (rated 0 and rate None when nothing was rated). Two queries."""
    unit_ids = [getattr(u, "pk", u) for u in unit_ids]
    responses, tallies = in_period(
        Response.objects.filter(unit_id__in=unit_ids), Tally.objects.filter(unit_id__in=unit_ids), start, end
    )
    found = satisfaction(responses, tallies, group_by="unit")
    return {pk: found.get(pk, _figures()) for pk in unit_ids}


def unit_rates(unit_ids, start: datetime.date, end: datetime.date) -> dict[int, Decimal | None]:
    """{unit id: satisfaction rate (overall criterion) from `start` to `end`, None when unrated}."""
    return {pk: figures["rate"] for pk, figures in unit_satisfaction(unit_ids, start, end).items()}


def unit_summary(unit, start: datetime.date, end: datetime.date) -> dict:
    """One unit's overall figures and the comments raised as nonconformities, in ONE query
    (for the management review inputs, which keep a tight query budget)."""
    responses, tallies = in_period(Response.objects.all(), Tally.objects.all(), start, end)
    responses = responses.filter(unit=OuterRef("pk")).order_by().values("unit")
    tallies = tallies.filter(unit=OuterRef("pk"), criterion=OVERALL).order_by().values("unit")

    def scalar(qs, expression):
        return Coalesce(
            Subquery(qs.annotate(n=expression).values("n")[:1]), Value(0), output_field=IntegerField()
        )

    row = (
        Unit.objects.filter(pk=unit.pk)
        .annotate(
            r_rated=scalar(responses, Count(OVERALL)),
            r_satisfied=scalar(responses, Count("pk", filter=Q(overall__gte=SATISFIED_MIN))),
            r_comments=scalar(responses, Count("pk", filter=~Q(comment=""))),
            r_raised=scalar(responses, Count("nonconformity")),
            t_rated=scalar(tallies, _TALLY_RATED),
            t_satisfied=scalar(tallies, _TALLY_SATISFIED),
        )
        .values("r_rated", "r_satisfied", "r_comments", "r_raised", "t_rated", "t_satisfied")
        .first()
    ) or {}
    rated = row.get("r_rated", 0) + row.get("t_rated", 0)
    satisfied = row.get("r_satisfied", 0) + row.get("t_satisfied", 0)
    return {
        **_figures(rated, satisfied),
        "online": row.get("r_rated", 0),
        "comments": row.get("r_comments", 0),
        "raised": row.get("r_raised", 0),
    }
