"""The figures of the dashboards, per unit with a QMS, batched: each column is computed for every
unit at once (one to three queries a column, through the domain apps' selectors), so a page
costs the same number of queries for 2 units as for 3,000.

- `dashboard_units(user)`: the units with a QMS in operation that the user may read;
- `closed_units(user)`: the user's own units that ceased operation (a merged commune, an
  abolished district), whose last day the dashboard then shows as an archive;
- `unit_figures(units)`: one `UnitFigures` per unit (announcement status and standard version,
  last internal audit and management review, open and overdue nonconformities and actions,
  documents overdue for review, TTHC coverage, satisfaction this year, latest score and rank);
- `headline(rows)`: "17/17 units announced", "100% on the 2015 version"...;
- `peers_of(unit)` and `peer_medians(rows)`: the units a unit is compared with on the officer's
  dashboard and the median of each figure;
- `due_items(user, unit)`: what falls due in the coming week and what is overdue for a unit,
  computed from the reminder rules (right even before the daily sweep has run).
"""

import datetime
import logging
import statistics
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from audits import selectors as audit_selectors
from certification import selectors as certification_selectors
from certification.models import QMS_UNIT_KINDS, QmsProfile
from communes import selectors as unit_selectors
from communes.models import Unit
from core import clock
from core.text import fold
from documents import selectors as document_selectors
from surveys import selectors as survey_selectors

logger = logging.getLogger(__name__)

# The peers of a unit on the officer's dashboard: the units with the same parent in the same
# group of kinds (commune-level local governments together, agencies apart).
KIND_GROUPS = {
    Unit.Kind.COMMUNE: "local",
    Unit.Kind.WARD: "local",
    Unit.Kind.TOWN: "local",
    Unit.Kind.SPECIAL_ZONE: "local",
    Unit.Kind.AGENCY: "agency",
}
# "Due this week": the items falling due from today to today + DUE_SOON_DAYS.
DUE_SOON_DAYS = 7


def kinds_of_group(kind) -> list[str]:
    group = KIND_GROUPS.get(kind)
    return [k for k, g in KIND_GROUPS.items() if g == group] if group else [kind]


def dashboard_units(user, today=None):
    """The units with a QMS of their own (communes, wards, towns, special zones, agencies) in
    operation on `today` that the user may read, in tree order."""
    today = today or clock.today()
    return (
        unit_selectors.units_for_user(user)
        .filter(kind__in=QMS_UNIT_KINDS)
        .active_on(today)
        .select_related("wave")
        .order_by("path")
    )


def closed_units(user, today=None) -> list[Unit]:
    """The units the user is a member of that ceased operation before `today`, latest first: a
    dashboard with no unit in operation shows these as they were on their last day (archive)."""
    today = today or clock.today()
    return list(
        Unit.objects.filter(memberships__user=user, valid_until__lt=today)
        .order_by("-valid_until", "path")
        .distinct()
    )


@dataclass
class UnitFigures:
    """The dashboard figures of one unit."""

    unit: Unit
    profile: QmsProfile | None = None
    announcement: object = None  # the current announcement or re-announcement (Decision)
    on_latest: bool = False  # the profile is on the latest standard version
    last_audit: datetime.date | None = None  # the month of the last audit carried out
    last_review: datetime.date | None = None
    open_ncs: int = 0
    open_actions: int = 0
    overdue_actions: int = 0
    review_overdue: int = 0
    applicable: int = 0  # TTHC applicable to the unit
    covered: int = 0  # ... of which served by a TTHC procedure in force
    rated: int = 0  # satisfaction ratings this year
    satisfied: int = 0
    sheet: object = None  # the latest finalised or approved score sheet (ScoreSheet)

    @property
    def pk(self):
        return self.unit.pk

    @property
    def status(self) -> str | None:
        return self.profile.status if self.profile else None

    @property
    def version(self):
        return self.profile.standard_version if self.profile else None

    @property
    def announced(self) -> bool:
        return self.status == QmsProfile.Status.ANNOUNCED

    @property
    def coverage(self) -> Decimal | None:
        return Decimal(self.covered) / Decimal(self.applicable) if self.applicable else None

    @property
    def satisfaction(self) -> Decimal | None:
        return survey_selectors.rate(self.satisfied, self.rated)

    @property
    def score(self) -> Decimal | None:
        return self.sheet.final_total if self.sheet is not None else None

    @property
    def rank(self) -> int | None:
        return self.sheet.rank if self.sheet is not None else None

    @property
    def ranked(self) -> int:
        return self.sheet.ranked if self.sheet is not None else 0


def year_start(today: datetime.date) -> datetime.date:
    return datetime.date(today.year, 1, 1)


def unit_figures(units, today=None, latest=None) -> list[UnitFigures]:
    """The figures of every given unit (Unit objects), in their order. A constant number of
    queries (15, and none when there is no unit), whatever the number of units. `latest`: the
    latest standard version (certification.selectors.latest_version()), read when not given."""
    today = today or clock.today()
    units = list(units)
    if not units:
        return []
    if latest is None:
        latest = certification_selectors.latest_version()
    ids = [u.pk for u in units]
    statuses = certification_selectors.status_for_units(ids)
    audits = audit_selectors.last_audits(ids)
    reviews = audit_selectors.last_reviews(ids)
    actions = audit_selectors.open_nonconformity_figures(ids, today)
    documents = document_selectors.review_overdue_by_unit(ids, today)
    coverage = document_selectors.coverage_for_units(units)
    satisfaction = survey_selectors.unit_satisfaction(ids, year_start(today), today)
    scores = certification_selectors.latest_scores(ids)
    rows = []
    for unit in units:
        status = statuses[unit.pk]
        open_figures = actions.get(unit.pk, {})
        rated = satisfaction[unit.pk]
        rows.append(
            UnitFigures(
                unit=unit,
                profile=status.profile,
                announcement=status.announcement,
                on_latest=bool(status.profile and latest and status.profile.standard_version_id == latest.pk),
                last_audit=audits.get(unit.pk),
                last_review=reviews.get(unit.pk),
                open_ncs=open_figures.get("open_ncs", 0),
                open_actions=open_figures.get("open_actions", 0),
                overdue_actions=open_figures.get("overdue_actions", 0),
                review_overdue=documents.get(unit.pk, 0),
                applicable=len(coverage[unit.pk].applicable),
                covered=len(coverage[unit.pk].covered),
                rated=rated["rated"],
                satisfied=rated["satisfied"],
                sheet=scores.get(unit.pk),
            )
        )
    return rows


# --- Headline ------------------------------------------------------------------------------
@dataclass
class Headline:
    """The figures above the table, over the rows shown."""

    total: int = 0
    announced: int = 0
    on_latest: int = 0
    latest: object = None  # StandardVersion
    with_overdue: int = 0  # units with at least one overdue corrective action
    rated_units: int = 0  # units with satisfaction ratings this year
    average_satisfaction: Decimal | None = None  # the mean of their rates
    statuses: Counter = field(default_factory=Counter)  # status (None: no profile) → units

    @property
    def latest_share(self) -> Decimal | None:
        return Decimal(self.on_latest) / Decimal(self.total) if self.total else None


def headline(rows: list[UnitFigures], latest=None) -> Headline:
    """Counts over the rows; no query."""
    rates = [row.satisfaction for row in rows if row.satisfaction is not None]
    return Headline(
        total=len(rows),
        announced=sum(row.announced for row in rows),
        on_latest=sum(row.on_latest for row in rows),
        latest=latest,
        with_overdue=sum(1 for row in rows if row.overdue_actions),
        rated_units=len(rates),
        average_satisfaction=sum(rates) / len(rates) if rates else None,
        statuses=Counter(row.status for row in rows),
    )


# --- Sorting -------------------------------------------------------------------------------
def _name_key(unit) -> str:
    """Units sort by their short name ("Bích Động" of "Phường Bích Động"), without diacritics."""
    return fold(unit.short_name or unit.name)


_STATUS_ORDER = {value: index for index, (value, _label) in enumerate(QmsProfile.Status.choices)}

SORT_KEYS = {
    "unit": lambda r: _name_key(r.unit),
    "status": lambda r: _STATUS_ORDER.get(r.status) if r.status else None,
    "version": lambda r: r.version.sort_order if r.version else None,
    "audit": lambda r: r.last_audit,
    "review": lambda r: r.last_review,
    "ncs": lambda r: r.open_ncs,
    "actions": lambda r: r.open_actions,
    "overdue": lambda r: r.overdue_actions,
    "documents": lambda r: r.review_overdue,
    "coverage": lambda r: r.coverage,
    "satisfaction": lambda r: r.satisfaction,
    "score": lambda r: r.score,
    "rank": lambda r: r.rank,
}


def sort_rows(rows: list[UnitFigures], key: str, descending: bool = False) -> list[UnitFigures]:
    """Rows sorted by a SORT_KEYS column; rows without a value come last either way, and equal
    values keep the order of the names."""
    get = SORT_KEYS.get(key, SORT_KEYS["unit"])
    by_path = sorted(rows, key=lambda r: (_name_key(r.unit), r.unit.path))
    valued = [r for r in by_path if get(r) is not None]
    empty = [r for r in by_path if get(r) is None]
    return sorted(valued, key=get, reverse=descending) + empty


# --- Peers (the officer's dashboard) ---------------------------------------------------------
def peers_of(unit, today=None):
    """The units `unit` is compared with: same parent, same group of kinds, with a QMS, in
    operation; the unit itself left out. Not narrowed to the user's scope on purpose: only their
    medians are shown, never a peer's own figures."""
    today = today or clock.today()
    if unit.parent_id is None:
        return Unit.objects.none()
    return (
        Unit.objects.filter(parent_id=unit.parent_id, kind__in=kinds_of_group(unit.kind))
        .filter(kind__in=QMS_UNIT_KINDS)
        .active_on(today)
        .exclude(pk=unit.pk)
        .order_by("path")
    )


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _median_day(days):
    days = sorted(d for d in days if d is not None)
    if not days:
        return None
    return datetime.date.fromordinal(round(statistics.median(d.toordinal() for d in days)))


@dataclass
class PeerMedians:
    """The peers of a unit in figures: how many, how many are announced / on the latest version,
    and the median of every other figure (None when no peer has the figure)."""

    count: int
    announced: int
    on_latest: int
    last_audit: datetime.date | None
    last_review: datetime.date | None
    open_ncs: float | None
    open_actions: float | None
    overdue_actions: float | None
    review_overdue: float | None
    coverage: Decimal | None
    satisfaction: Decimal | None
    score: Decimal | None


def peer_medians(rows: list[UnitFigures]) -> PeerMedians:
    return PeerMedians(
        count=len(rows),
        announced=sum(r.announced for r in rows),
        on_latest=sum(r.on_latest for r in rows),
        last_audit=_median_day(r.last_audit for r in rows),
        last_review=_median_day(r.last_review for r in rows),
        open_ncs=_median(r.open_ncs for r in rows),
        open_actions=_median(r.open_actions for r in rows),
        overdue_actions=_median(r.overdue_actions for r in rows),
        review_overdue=_median(r.review_overdue for r in rows),
        coverage=_median(r.coverage for r in rows),
        satisfaction=_median(r.satisfaction for r in rows),
        score=_median(r.score for r in rows),
    )


# --- What is due (the officer's dashboard) -----------------------------------------------------
@dataclass(frozen=True)
class DueItem:
    """One thing that falls due for the unit, from a reminder rule."""

    rule_key: str
    rule_label: str
    title: str
    url: str
    due_on: datetime.date
    stage: str  # reminders.models.Stage: upcoming, due, overdue, escalated


@dataclass
class DueList:
    overdue: list = field(default_factory=list)  # DueItem, most overdue first
    soon: list = field(default_factory=list)  # DueItem due from today to the horizon, soonest first
    horizon: datetime.date | None = None
    failed: list = field(default_factory=list)  # labels of rules that raised


def due_items(user, unit, today=None) -> DueList:
    """What falls due for `unit` in the next DUE_SOON_DAYS days and what is overdue, from every
    registered reminder rule whose audience includes the unit's officers (or names `user`, e.g.
    the owner of a corrective action), with the thresholds of the rule settings (a rule disabled
    for the unit is left out) and the sweep's stage (overdue or escalated).

    Each rule costs its own constant number of queries (it reads every unit's items at once, as
    in the sweep), plus one for the settings, whatever the number of items.
    """
    from reminders.rules import all_rules
    from reminders.rules.base import AUDITORS, OFFICERS, Context
    from reminders.services.settings import load_settings
    from reminders.services.sweep import stage_of

    today = today or clock.today()
    horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    rules = [rule for rule in all_rules() if OFFICERS in rule.audience or AUDITORS in rule.audience]
    settings = load_settings(rules)
    result = DueList(horizon=horizon)
    for rule in rules:
        effective = settings[rule.key].for_path(unit.path)
        if not effective.enabled:
            continue
        context = Context(
            today=today, horizon=horizon, settings=settings[rule.key], unit_ids=frozenset([unit.pk])
        )
        try:
            items = list(rule.collect(context))
        except Exception:  # a broken rule must not take the home page down (as in the sweep)
            logger.exception("reminder rule %s failed on the dashboard", rule.key)
            result.failed.append(str(rule.label))
            continue
        for item in items:
            if item.unit_id != unit.pk or item.due_on > horizon:
                continue
            if OFFICERS not in rule.audience and user.pk not in item.user_ids:
                continue
            staged = stage_of(item.due_on, today, effective.lead_days, effective.escalate_after)
            stage = staged[0] if staged else "upcoming"
            entry = DueItem(rule.key, str(rule.label), str(item.title), item.url, item.due_on, stage)
            (result.overdue if item.due_on < today else result.soon).append(entry)
    result.overdue.sort(key=lambda i: (i.due_on, i.title))
    result.soon.sort(key=lambda i: (i.due_on, i.title))
    return result
