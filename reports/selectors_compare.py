"""Reads of the comparison view: the same objectives and indicators, internal-audit results and
scoring criteria of several units side by side (issue 8).

Each comparison takes the units (the columns) and a year, reads through the domain apps'
selectors in a constant number of queries whatever the number of units, and lines the figures
up into rows whose `columns` follow the order of the units, ready for a template.

Indicators are free text per unit, so they are matched by their folded name (core.text.fold:
case, diacritics and spacing ignored): "Tỷ lệ hồ sơ đúng hạn" and "tỷ lệ hồ sơ  đúng hạn" are
one row.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from audits import selectors as audit_selectors
from audits.models import Finding
from certification import selectors as certification_selectors
from certification.models import QMS_UNIT_KINDS
from certification.selectors import PeriodCell
from communes.models import Unit
from core.scoping import Action
from core.text import fold


# --- Units ----------------------------------------------------------------------------------
def scoped_qms_units(user) -> list:
    """Every unit that keeps a QMS within the user's view scope, past or present, with its wave,
    in tree order. One query. (An officer's scope is their own unit and the archive of its
    predecessors; a supervisor's, committee member's or viewer's is their subtree.)"""
    return list(
        Unit.objects.for_user(user, Action.VIEW)
        .filter(kind__in=QMS_UNIT_KINDS)
        .select_related("wave")
        .order_by("path")
    )


def existed_in(unit, year: int) -> bool:
    """Whether the unit existed at some point of `year` (a commune merged in 2025 keeps its
    earlier years; a ward formed in 2025 has none before)."""
    if unit.valid_until is not None and unit.valid_until.year < year:
        return False
    return unit.valid_from is None or unit.valid_from.year <= year


# --- Objectives and indicators --------------------------------------------------------------
NO_DATA = "none"  # the unit has no indicator of that name


@dataclass
class IndicatorCell:
    """One unit's indicator of a row: the indicator (with its period cells and counts from
    certification.selectors.objectives_with_cells), its objective, its colour state and the
    latest measured period."""

    indicator: object
    objective: object
    state: str
    latest: PeriodCell | None

    @property
    def measured(self) -> int:
        return self.indicator.passed + self.indicator.failed

    @property
    def pass_rate(self) -> float | None:
        """The share of the year's measured periods that met the target."""
        return self.indicator.passed / self.measured if self.measured else None


def cell_state(indicator) -> str:
    """The colour of an indicator's cell: whether its latest measurement met the target; without
    any measurement, overdue when a period is past its due day, else due (a period has begun) or
    future. Periods overdue after a measurement are counted apart (`indicator.overdue`), so a
    unit that stopped measuring still shows how it stood."""
    latest = latest_measured(indicator)
    if latest is not None:
        return latest.state
    if indicator.overdue:
        return PeriodCell.OVERDUE
    states = {c.state for c in indicator.cells}
    return PeriodCell.DUE if PeriodCell.DUE in states else PeriodCell.FUTURE


def latest_measured(indicator) -> PeriodCell | None:
    return next((c for c in reversed(indicator.cells) if c.measurement is not None), None)


@dataclass
class IndicatorRow:
    """An indicator name and, per unit (in the order of the columns), the unit's indicators of
    that name (usually one; a unit may repeat a name under two objectives)."""

    key: str
    name: str
    columns: list
    statements: Counter = field(default_factory=Counter)

    @property
    def unit_count(self) -> int:
        return sum(1 for cells in self.columns if cells)


@dataclass
class ObjectiveGroup:
    """Indicator rows under one objective statement; `statement` is None for indicators that
    the units set under different objectives."""

    statement: str | None
    rows: list


@dataclass
class ObjectivesComparison:
    units: list
    year: int
    groups: list
    # Per unit (column order): objectives, indicators, and passed / failed / overdue periods.
    totals: list

    @property
    def row_count(self) -> int:
        return sum(len(g.rows) for g in self.groups)


def compare_objectives(units, year, today=None) -> ObjectivesComparison:
    """Rows = indicator names matched across units by their folded name, grouped by objective
    statement when every unit set the indicator under the same (folded) statement; columns =
    units. Three queries, whatever the number of units."""
    position = {u.pk: i for i, u in enumerate(units)}
    rows: dict[str, IndicatorRow] = {}
    statement_text: dict[str, str] = {}
    totals = [{"objectives": 0, "indicators": 0, "passed": 0, "failed": 0, "overdue": 0} for _ in units]
    objectives = certification_selectors.objectives_of_units(position, year, today)
    for objective in objectives:
        column = position[objective.unit_id]
        totals[column]["objectives"] += 1
        statement_key = fold(objective.statement)
        statement_text.setdefault(statement_key, objective.statement)
        for indicator in objective.indicators.all():
            key = fold(indicator.name)
            row = rows.get(key)
            if row is None:
                row = rows[key] = IndicatorRow(key, indicator.name, [[] for _ in units])
            row.columns[column].append(
                IndicatorCell(indicator, objective, cell_state(indicator), latest_measured(indicator))
            )
            row.statements[statement_key] += 1
            totals[column]["indicators"] += 1
            for figure in ("passed", "failed", "overdue"):
                totals[column][figure] += getattr(indicator, figure)

    grouped: dict[str | None, list] = defaultdict(list)
    for row in rows.values():
        grouped[next(iter(row.statements)) if len(row.statements) == 1 else None].append(row)
    groups = []
    for statement_key, group_rows in grouped.items():
        # The indicators most units share first: they are the ones worth comparing.
        group_rows.sort(key=lambda r: (-r.unit_count, r.key))
        statement = statement_text[statement_key] if statement_key is not None else None
        groups.append(ObjectiveGroup(statement, group_rows))
    groups.sort(key=lambda g: (g.statement is None, -max(r.unit_count for r in g.rows), fold(g.statement)))
    return ObjectivesComparison(list(units), year, groups, totals)


# --- Internal audits ------------------------------------------------------------------------
# Plain values (the counts come from the database as text), in the order of Finding.Kind.
FINDING_KINDS = [kind.value for kind in Finding.Kind]
KIND_LABELS = dict(Finding.Kind.choices)


@dataclass
class AuditColumn:
    """A unit's internal audits of the year (with their depth) and its findings by kind."""

    unit: object
    audits: list
    by_kind: dict

    @property
    def findings(self) -> int:
        return sum(self.by_kind.values())


@dataclass
class KindRow:
    kind: str
    label: str
    columns: list  # the number of findings per unit

    @property
    def total(self) -> int:
        return sum(self.columns)


@dataclass
class ClauseRow:
    clause: object
    columns: list  # per unit: [(kind, n), ...] for the kinds found, in FINDING_KINDS order

    @property
    def total(self) -> int:
        return sum(n for cell in self.columns for _kind, n in cell)

    @property
    def unit_count(self) -> int:
        return sum(1 for cell in self.columns if cell)


@dataclass
class AuditsComparison:
    units: list
    year: int
    columns: list  # AuditColumn per unit
    kind_rows: list
    clause_rows: list

    @property
    def audited(self) -> int:
        return sum(1 for c in self.columns if any(a.state != a.State.PLANNED for a in c.audits))


def compare_audits(units, year) -> AuditsComparison:
    """Columns = units with their internal audits planned in `year` (date, state, depth);
    rows = finding kinds (major / minor nonconformity, observation, opportunity for improvement)
    and ISO 9001:2015 clauses with findings, each cell the number of findings by kind. Four
    queries, whatever the number of units."""
    ids = [u.pk for u in units]
    position = {pk: i for i, pk in enumerate(ids)}
    audits_by_unit = defaultdict(list)
    for audit in audit_selectors.audits_in_year(ids, year):
        audits_by_unit[audit.unit_id].append(audit)
    clauses, counts = audit_selectors.findings_by_clause(ids, year)

    by_kind = [dict.fromkeys(FINDING_KINDS, 0) for _ in units]
    by_clause = defaultdict(lambda: [{} for _ in units])
    for (unit_id, clause_id, kind), n in counts.items():
        by_kind[position[unit_id]][kind] += n
        by_clause[clause_id][position[unit_id]][kind] = n

    columns = [AuditColumn(u, audits_by_unit.get(u.pk, []), by_kind[i]) for i, u in enumerate(units)]
    kind_rows = [
        KindRow(kind, KIND_LABELS[kind], [c.by_kind[kind] for c in columns]) for kind in FINDING_KINDS
    ]
    clause_rows = [
        ClauseRow(
            clause,
            [[(k, cell[k]) for k in FINDING_KINDS if cell.get(k)] for cell in by_clause[clause.pk]],
        )
        for clause in sorted(clauses, key=lambda c: c.sort_key)
    ]
    return AuditsComparison(list(units), year, columns, kind_rows, clause_rows)


# --- Annual scoring -------------------------------------------------------------------------
@dataclass
class ScoreRow:
    """A scoring criterion (matched across rounds by code and folded title) and, per unit, the
    line of its sheet (None when its round has no such criterion or it has no sheet)."""

    code: str
    title: str
    max_points: object
    columns: list


@dataclass
class ScoresComparison:
    units: list
    year: int
    sheets: list  # the unit's sheet per column, or None
    rows: list


def compare_scores(units, year) -> ScoresComparison:
    """Rows = the criteria of the year's scoring rounds; columns = units; cells = the line of
    the unit's sheet (final score once finalised, else the self-score). Two queries."""
    position = {u.pk: i for i, u in enumerate(units)}
    sheets = [None] * len(units)
    rows: dict[tuple, ScoreRow] = {}
    for sheet in certification_selectors.sheets_of_units(position, year):
        column = position[sheet.unit_id]
        if sheets[column] is not None:
            continue  # scored in two rounds the same year: the first (the nearest supervisor's) counts
        sheets[column] = sheet
        for line in sheet.lines.all():
            criterion = line.criterion
            key = (criterion.code, fold(criterion.title))
            row = rows.get(key)
            if row is None:
                row = rows[key] = ScoreRow(
                    criterion.code, criterion.title, criterion.max_points, [None] * len(units)
                )
            row.columns[column] = line
    ordered = sorted(rows.values(), key=lambda r: (_code_key(r.code), fold(r.title)))
    return ScoresComparison(list(units), year, sheets, ordered)


def _code_key(code: str) -> tuple:
    """ "2" before "10", "1.2" after "1": numeric parts compare as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in code.split("."))
