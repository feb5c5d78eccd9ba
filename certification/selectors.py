"""Reads of the certification app: the announcement status of units, version transition boards,
objectives with their period cells, and league tables; each in a constant number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from certification.models import (
    QMS_UNIT_KINDS,
    Decision,
    Indicator,
    Measurement,
    Objective,
    QmsProfile,
    ScoreLine,
    ScoreSheet,
)
from certification.services.profile import compute_status, merger_dates, merger_status, procedure_codes
from communes.models import Unit


def is_announced(profile: QmsProfile) -> bool:
    """True when the unit has a current announcement or re-announcement for the profile's
    current version, scope and TTHC codes (computed from the decisions, not the stored status),
    signed since the merger when the unit was formed by one."""
    current = list(
        Decision.objects.filter(
            unit_id=profile.unit_id, superseded_by__isnull=True, kind__in=Decision.ANNOUNCING
        )
    )
    if not current:
        return False
    codes = procedure_codes(profile.procedures.all())
    merged_on = merger_dates([profile.unit_id]).get(profile.unit_id)
    return compute_status(profile, current, codes, merged_on) == QmsProfile.Status.ANNOUNCED


@dataclass
class UnitQmsStatus:
    """What a dashboard shows of one unit's QMS; `profile` is None when none is set up.

    From `status_on` (a past day), `status` and `version` are those of that day, computed from
    the decisions in force then; otherwise the profile's stored status and current version."""

    profile: QmsProfile | None = None
    announcement: Decision | None = None
    recognition: Decision | None = None
    decisions: list = field(default_factory=list)
    on: datetime.date | None = None  # the day of a past status (status_on), None for today's
    status_then: str | None = None

    @property
    def status(self) -> str | None:
        if self.on is not None:
            return self.status_then
        return self.profile.status if self.profile else None

    def get_status_display(self) -> str:
        return QmsProfile.Status(self.status).label if self.status else ""

    @property
    def version(self):
        """The standard version: the announcement's on a past day, else the profile's."""
        if self.on is not None and self.announcement is not None:
            return self.announcement.standard_version
        return self.profile.standard_version if self.profile else None


def _attach_decisions(result, decisions) -> None:
    current = defaultdict(list)
    for decision in decisions:
        current[decision.unit_id].append(decision)
    for pk, items in current.items():
        entry = result[pk]
        entry.decisions = items
        entry.announcement = next((d for d in items if d.kind in Decision.ANNOUNCING), None)
        entry.recognition = next((d for d in items if d.kind == Decision.Kind.RECOGNITION), None)


def _profiles(unit_ids) -> dict[int, UnitQmsStatus]:
    result = {pk: UnitQmsStatus() for pk in unit_ids}
    for profile in QmsProfile.objects.filter(unit_id__in=unit_ids).select_related("standard_version"):
        result[profile.unit_id].profile = profile
    return result


def status_for_units(units) -> dict[int, UnitQmsStatus]:
    """The QMS status of each unit by unit id: its profile (with the stored status), its current
    announcement or re-announcement and its current recognition. Two queries, whatever the number
    of units."""
    result = _profiles([getattr(u, "pk", u) for u in units])
    decisions = (
        Decision.objects.filter(unit_id__in=list(result), superseded_by__isnull=True)
        .select_related("standard_version")
        .order_by("unit_id", "-signed_on", "-pk")
    )
    _attach_decisions(result, decisions)
    return result


def status_on(units, day: datetime.date) -> dict[int, UnitQmsStatus]:
    """The QMS status of each unit on a past `day` (the annual report of a past year), from the
    decisions in force that day: signed by then and not yet replaced by a decision signed by then.
    An announcement in force: announced (on the announcement's version); a revocation: lapsed;
    otherwise applying when the profile was confirmed effective by then, else building. Whether an
    announced profile had changed since (needs re-announcement) is not known for a past day.
    A unit formed by a merger or a split by then needs announcement until an announcement signed
    since the merger (certification.services.profile). Three queries, whatever the number of units."""
    result = _profiles([getattr(u, "pk", u) for u in units])
    decisions = (
        Decision.objects.filter(unit_id__in=list(result), signed_on__lte=day)
        .filter(Q(superseded_by__isnull=True) | Q(superseded_by__signed_on__gt=day))
        .select_related("standard_version")
        .order_by("unit_id", "-signed_on", "-pk")
    )
    _attach_decisions(result, decisions)
    mergers = merger_dates([pk for pk, entry in result.items() if entry.profile is not None])
    Status = QmsProfile.Status
    for pk, entry in result.items():
        entry.on = day
        if entry.profile is None:
            continue
        merged_on = mergers.get(pk)
        merged = merger_status(entry.decisions, merged_on) if merged_on and merged_on <= day else None
        if merged is not None:
            entry.status_then = merged
        elif entry.announcement is not None:
            entry.status_then = Status.ANNOUNCED
        elif any(d.kind == Decision.Kind.REVOCATION for d in entry.decisions):
            entry.status_then = Status.LAPSED
        elif entry.profile.effective_confirmed_on and entry.profile.effective_confirmed_on <= day:
            entry.status_then = Status.APPLYING
        else:
            entry.status_then = Status.BUILDING
    return result


# --- Version transitions ------------------------------------------------------------------
@dataclass
class TransitionRow:
    """Where one unit stands in a version transition."""

    DONE = "done"
    LATE = "late"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"

    unit: object
    state: str
    profile: QmsProfile | None = None
    decision: Decision | None = None


def transition_units(transition):
    """The units a transition covers: the units with a QMS of their own under its unit, active
    on the deadline."""
    # A unit set up after the deadline (e.g. a commune merged in 2025) was never bound by it.
    return (
        Unit.objects.filter(path__startswith=transition.unit.path, kind__in=QMS_UNIT_KINDS)
        .exclude(pk=transition.unit_id)
        .exclude(valid_until__lt=transition.deadline)
        .exclude(valid_from__gt=transition.deadline)
        .order_by("path")
    )


def transition_board(transition, today=None) -> list[TransitionRow]:
    """Each unit of a transition: done (announced on the target version by the deadline), late
    (announced after it, or not yet and the deadline has passed), in progress (profile moved to
    the target version, not yet announced on it) or not started. Three queries.

    A unit has moved when its current announcement or re-announcement is on the target version;
    the day it moved is that of its first announcement on the target version, so a later
    re-announcement (a new TTHC, a merger) does not make a unit that moved in time late.
    `decision` is that first announcement."""
    today = today or timezone.localdate()
    units = list(transition_units(transition))
    ids = [u.pk for u in units]
    profiles = {
        p.unit_id: p for p in QmsProfile.objects.filter(unit_id__in=ids).select_related("standard_version")
    }
    # Per unit: whether its current announcing decision is on the target version, and its
    # earliest announcing decision on the target version (superseded or not).
    moved, decisions = set(), {}
    for decision in (
        Decision.objects.filter(unit_id__in=ids, kind__in=Decision.ANNOUNCING)
        .filter(Q(superseded_by__isnull=True) | Q(standard_version=transition.target_version))
        .order_by("signed_on", "pk")
    ):
        on_target = decision.standard_version_id == transition.target_version_id
        if decision.superseded_by_id is None and on_target:
            moved.add(decision.unit_id)
        if on_target:
            decisions.setdefault(decision.unit_id, decision)
    rows = []
    for unit in units:
        profile = profiles.get(unit.pk)
        decision = decisions.get(unit.pk) if unit.pk in moved else None
        if decision is not None:
            state = TransitionRow.DONE if decision.signed_on <= transition.deadline else TransitionRow.LATE
        elif today > transition.deadline:
            state = TransitionRow.LATE
        elif profile is not None and profile.standard_version_id == transition.target_version_id:
            state = TransitionRow.IN_PROGRESS
        else:
            state = TransitionRow.NOT_STARTED
        rows.append(TransitionRow(unit=unit, state=state, profile=profile, decision=decision))
    return rows


# --- Objectives and indicators ------------------------------------------------------------
@dataclass
class PeriodCell:
    """One period of an indicator: its measurement (if any) and its state."""

    PASSED = "passed"
    FAILED = "failed"
    OVERDUE = "overdue"
    DUE = "due"  # the period has begun or ended, the grace days have not passed
    FUTURE = "future"

    period: int
    start: object
    due_on: object
    state: str
    measurement: Measurement | None = None


def period_cells(indicator, year, measurements, today) -> list[PeriodCell]:
    """The periods of an indicator in `year`; `measurements` maps period → Measurement."""
    cells = []
    for period in range(1, indicator.period_count + 1):
        start, _end = indicator.period_bounds(year, period)
        due_on = indicator.due_on(year, period)
        measurement = measurements.get(period)
        if measurement is not None:
            state = PeriodCell.PASSED if indicator.passes(measurement.value) else PeriodCell.FAILED
        elif start > today:
            state = PeriodCell.FUTURE
        elif due_on < today:
            state = PeriodCell.OVERDUE
        else:
            state = PeriodCell.DUE
        cells.append(PeriodCell(period, start, due_on, state, measurement))
    return cells


def objectives_with_cells(objectives, today=None) -> list:
    """Objectives with their indicators, each indicator given `cells` (period cells) and the
    counts `passed`, `failed` and `overdue`. Three queries, whatever the number of rows."""
    today = today or timezone.localdate()
    objectives = list(
        objectives.prefetch_related(
            Prefetch(
                "indicators", queryset=Indicator.objects.select_related("flagged_by").order_by("order", "pk")
            ),
            Prefetch(
                "indicators__measurements",
                queryset=Measurement.objects.select_related("recorded_by").order_by("period"),
            ),
        )
    )
    for objective in objectives:
        for indicator in objective.indicators.all():
            by_period = {m.period: m for m in indicator.measurements.all()}
            indicator.cells = period_cells(indicator, objective.year, by_period, today)
            states = [c.state for c in indicator.cells]
            indicator.passed = states.count(PeriodCell.PASSED)
            indicator.failed = states.count(PeriodCell.FAILED)
            indicator.overdue = states.count(PeriodCell.OVERDUE)
    return objectives


def objectives_of_units(unit_ids, year, today=None) -> list:
    """The objectives of the units for `year` (by unit, then order), with their indicators and
    period cells as objectives_with_cells gives them. Three queries, whatever the number of units."""
    objectives = Objective.objects.filter(unit_id__in=list(unit_ids), year=year).order_by(
        "unit_id", "order", "pk"
    )
    return objectives_with_cells(objectives, today)


def overdue_measurements(indicators, today=None) -> list[tuple]:
    """(indicator, year, period, due_on) for each period past its due day without a measurement.
    Two queries, whatever the number of indicators (reminders and dashboards)."""
    today = today or timezone.localdate()
    indicators = list(indicators.select_related("objective__unit"))
    measured = set(
        Measurement.objects.filter(indicator__in=[i.pk for i in indicators]).values_list(
            "indicator_id", "period"
        )
    )
    overdue = []
    for indicator in indicators:
        year = indicator.objective.year
        for period in range(1, indicator.period_count + 1):
            due_on = indicator.due_on(year, period)
            if due_on < today and (indicator.pk, period) not in measured:
                overdue.append((indicator, year, period, due_on))
    return overdue


# --- Scoring ------------------------------------------------------------------------------
def rank(sheets, key=lambda s: s.final_total) -> list:
    """Give each sheet `rank` by `key`, highest first; equal scores share a rank (1, 2, 2, 4).
    Sheets without a score get rank None and come last."""
    scored = sorted((s for s in sheets if key(s) is not None), key=lambda s: (-key(s), s.unit.path))
    previous, position = None, 0
    for index, sheet in enumerate(scored, start=1):
        if key(sheet) != previous:
            position, previous = index, key(sheet)
        sheet.rank = position
    unscored = [s for s in sheets if key(s) is None]
    for sheet in unscored:
        sheet.rank = None
    return scored + sorted(unscored, key=lambda s: s.unit.path)


@dataclass
class LeagueTable:
    round: object
    rows: list
    commendation: list
    needs_support: list
    criteria: list

    @property
    def all_approved(self) -> bool:
        return bool(self.rows) and all(s.status == ScoreSheet.Status.APPROVED for s in self.rows)


def league_table(scoring_round, with_lines=False) -> LeagueTable:
    """The sheets of a round ranked by final score (unfinalised ones last, unranked), with
    the commendation proposals (top N) and the units needing support (bottom N), both drawn from
    the ranked sheets. Two queries (three with the lines, for the export)."""
    sheets = ScoreSheet.objects.filter(round=scoring_round).select_related("unit")
    criteria = list(scoring_round.criteria.all())
    if with_lines:
        sheets = sheets.prefetch_related(
            Prefetch("lines", queryset=ScoreLine.objects.select_related("criterion"))
        )
    rows = rank(list(sheets))
    ranked = [s for s in rows if s.rank is not None]
    top = scoring_round.commend_top
    bottom = scoring_round.support_bottom
    commendation = [s for s in ranked if s.rank <= top] if top else []
    # Ties are treated alike at both ends: a unit level with the N-th from the bottom is listed too.
    floor = ranked[-bottom].rank if bottom and len(ranked) >= bottom else (1 if bottom else None)
    needs_support = [s for s in ranked if floor is not None and s.rank >= floor and s not in commendation]
    return LeagueTable(scoring_round, rows, commendation, needs_support, criteria)


def sheets_of_units(unit_ids, year) -> list:
    """The score sheets of the units in the scoring rounds of `year`, with their round and their
    lines (each with its criterion); per unit, the nearest supervisor's round first. Two
    queries, whatever the number of units."""
    return list(
        ScoreSheet.objects.filter(unit_id__in=list(unit_ids), round__year=year)
        .select_related("round")
        .prefetch_related(Prefetch("lines", queryset=ScoreLine.objects.select_related("criterion")))
        .order_by("unit_id", "-round__unit__depth", "pk")
    )


def sheet_rank(sheet) -> int | None:
    """The rank of one sheet in its round by final score (one query)."""
    if sheet.final_total is None:
        return None
    return ScoreSheet.objects.filter(round_id=sheet.round_id, final_total__gt=sheet.final_total).count() + 1


def latest_version():
    """The latest standard version (the highest order), None when there is none. One query."""
    from certification.models import StandardVersion

    return StandardVersion.objects.order_by("-sort_order", "-pk").first()


SCORED = (ScoreSheet.Status.FINALISED, ScoreSheet.Status.APPROVED)


def latest_scores(unit_ids) -> dict[int, ScoreSheet]:
    """Each unit's score sheet of the latest year in which it was finalised or approved, with
    `rank` (by final score among the sheets of its round that have one, as in the league table)
    and `ranked` (how many sheets of the round are ranked). The round comes with its unit.
    Two queries, whatever the number of units."""
    latest: dict[int, ScoreSheet] = {}
    sheets = (
        ScoreSheet.objects.filter(unit_id__in=unit_ids, status__in=SCORED, final_total__isnull=False)
        .select_related("round__unit")
        .order_by("unit_id", "-round__year", "-pk")
    )
    for sheet in sheets:
        latest.setdefault(sheet.unit_id, sheet)
    if not latest:
        return {}
    rounds = {sheet.round_id for sheet in latest.values()}
    by_round = defaultdict(list)
    for sheet in (
        ScoreSheet.objects.filter(round_id__in=rounds, final_total__isnull=False)
        .select_related("unit")
        .only("pk", "round_id", "final_total", "unit__path")
    ):
        by_round[sheet.round_id].append(sheet)
    ranks = {}
    for round_sheets in by_round.values():
        for sheet in rank(round_sheets):
            ranks[sheet.pk] = (sheet.rank, len(round_sheets))
    for sheet in latest.values():
        sheet.rank, sheet.ranked = ranks.get(sheet.pk, (None, 0))
    return latest
