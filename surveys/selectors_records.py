"""Reads of the one-stop record counts: where the two sources disagree, and the on-time rate.

A source's figures for a unit and month are the counts "summed over procedures". A source may
hold one row for all procedures together (procedure empty) and/or rows per procedure; when it
holds both for the same month, the all-procedures row is its own statement of the whole and is
taken as the total (per-procedure rows are often only a part of the desk's procedures); otherwise
the per-procedure rows are summed. Every function costs a constant number of queries whatever
the number of units, months and procedures.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from surveys.models import Reconciliation, RecordCount

FIELDS = RecordCount.COUNT_FIELDS
SOFTWARE = RecordCount.Source.SOFTWARE
BOOK = RecordCount.Source.BOOK

_ALL = Q(procedure__isnull=True)
_PER = Q(procedure__isnull=False)


def _sum(name, condition):
    return Coalesce(Sum(name, filter=condition), Value(0), output_field=IntegerField())


def _annotations():
    sums = {}
    for name in FIELDS:
        sums[f"all_{name}"] = _sum(name, _ALL)
        sums[f"per_{name}"] = _sum(name, _PER)
    sums["all_rows"] = Count("pk", filter=_ALL)
    return sums


def _totals(row) -> dict:
    prefix = "all_" if row["all_rows"] else "per_"
    return {name: row[prefix + name] for name in FIELDS}


def _by_source(units, start, end, *extra):
    """{(unit_id, month, *extra): {source: totals}} for the months in [start, end]."""
    rows = (
        RecordCount.objects.filter(unit__in=units, month__gte=start, month__lte=end)
        .order_by()
        .values("unit", "month", "source", *extra)
        .annotate(**_annotations())
    )
    found: dict[tuple, dict] = {}
    for row in rows:
        key = (row["unit"], row["month"], *(row[name] for name in extra))
        found.setdefault(key, {})[row["source"]] = _totals(row)
    return found


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@dataclass
class Mismatch:
    """A (unit, month) where the software and the tracking book disagree."""

    unit_id: int
    unit_name: str
    unit_path: str
    month: datetime.date
    software: dict | None  # totals per field, None when the software has no count that month
    book: dict | None
    differences: dict = field(default_factory=dict)  # field → software − book (present sources only)
    missing: str | None = None  # the source that has no count ("software" or "book")
    status: str = Reconciliation.Status.OPEN
    comment: str = ""
    reconciliation: Reconciliation | None = field(default=None, repr=False, compare=False)

    @property
    def differing(self) -> set:
        """Fields whose figures differ (every field when a source is missing)."""
        if self.missing:
            return set(FIELDS)
        return {name for name, diff in self.differences.items() if diff}

    def cell(self, name: str) -> dict:
        """One field: both figures (None for a missing source), the difference, whether it differs."""
        return {
            "field": name,
            "software": None if self.software is None else self.software[name],
            "book": None if self.book is None else self.book[name],
            "difference": self.differences.get(name),
            "differs": name in self.differing,
        }

    @property
    def cells(self) -> list[dict]:
        """One entry per field for the templates (see `cell`)."""
        return [self.cell(name) for name in FIELDS]


def mismatches(units, start: datetime.date, end: datetime.date) -> list[Mismatch]:
    """The (unit, month) pairs between the months of `start` and `end` where any of the five
    counts differs between the two sources (summed over procedures), or one source has counts
    for a month the other has not. Ordered by unit, then month. Three queries.

    `units`: a Unit queryset or a list of unit ids.
    """
    start, end = first_of_month(start), first_of_month(end)
    found = _by_source(units, start, end)
    result = []
    for (unit_id, month), sources in found.items():
        software, book = sources.get(SOFTWARE), sources.get(BOOK)
        if software is not None and book is not None:
            differences = {name: software[name] - book[name] for name in FIELDS}
            if not any(differences.values()):
                continue
            missing = None
        else:
            differences = {}
            missing = BOOK if book is None else SOFTWARE
        result.append(
            Mismatch(
                unit_id=unit_id,
                unit_name="",
                unit_path="",
                month=month,
                software=software,
                book=book,
                differences=differences,
                missing=missing,
            )
        )
    if not result:
        return []
    unit_ids = {m.unit_id for m in result}
    names = _unit_labels(unit_ids)
    decisions = {
        (r.unit_id, r.month): r
        for r in Reconciliation.objects.filter(
            unit__in=unit_ids, month__gte=start, month__lte=end
        ).select_related("decided_by")
    }
    for mismatch in result:
        mismatch.unit_name, mismatch.unit_path = names.get(mismatch.unit_id, ("", ""))
        decision = decisions.get((mismatch.unit_id, mismatch.month))
        if decision is not None:
            mismatch.reconciliation = decision
            mismatch.status = decision.status
            mismatch.comment = decision.comment
    result.sort(key=lambda m: (m.unit_path, m.month))
    return result


def _unit_labels(unit_ids) -> dict:
    from communes.models import Unit

    return {
        pk: (name, path)
        for pk, name, path in Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name", "path")
    }


@dataclass
class OnTime:
    """Resolved on time and late over a period; rate = on_time / (on_time + late), None if none."""

    on_time: int = 0
    late: int = 0
    received: int = 0
    sources: set = field(default_factory=set)  # the sources the figures came from

    @property
    def resolved(self) -> int:
        return self.on_time + self.late

    @property
    def rate(self) -> float | None:
        return self.on_time / self.resolved if self.resolved else None

    @property
    def percent(self) -> float | None:
        rate = self.rate
        return None if rate is None else round(rate * 100, 1)


def on_time_rates(units, start: datetime.date, end: datetime.date, by_procedure: bool = False) -> dict:
    """The on-time rate per unit ({unit_id: OnTime}) or, with `by_procedure`, per unit and
    procedure ({(unit_id, procedure_id): OnTime}), over the months between `start` and `end`.

    Month by month the one-stop software's counts are taken, the tracking book's only when the
    software has none for that month (and procedure). Per procedure, only the rows that name a
    procedure count. One query.
    """
    start, end = first_of_month(start), first_of_month(end)
    extra = ("procedure",) if by_procedure else ()
    found = _by_source(units, start, end, *extra)
    result: dict = {}
    for key, sources in found.items():
        unit_id, _month, *rest = key
        if by_procedure and rest[0] is None:
            continue
        source = SOFTWARE if SOFTWARE in sources else BOOK
        totals = sources[source]
        target = result.setdefault((unit_id, rest[0]) if by_procedure else unit_id, OnTime())
        target.on_time += totals["on_time"]
        target.late += totals["late"]
        target.received += totals["received"]
        target.sources.add(source)
    return result
