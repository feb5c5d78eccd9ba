"""The content of the annual report to the Department of Science and Technology (Sở KH&CN):
per year, the units with a QMS under a supervising unit, their status and standard version, the
internal audits, management reviews and inspections, the nonconformities and the citizens'
satisfaction. Everything comes from the domain apps' selectors, in a constant number of
queries whatever the number of units or records.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from audits import selectors as audit_selectors
from certification import selectors as certification_selectors
from certification.models import QMS_UNIT_KINDS, QmsProfile
from communes.models import Unit
from core import clock
from core.scoping import Action, get_scope
from reports.models import AnnualReport
from surveys import selectors as survey_selectors


def supervising_units(user):
    """The supervising units (a province, a district: no QMS of their own) whose report the user
    may read: those they supervise (MANAGE) or whose steering committee they sit on (APPROVE)."""
    scope = get_scope(user)
    readable = scope.q(Action.MANAGE, unit_field=None) | scope.q(Action.APPROVE, unit_field=None)
    return Unit.objects.filter(readable).exclude(kind__in=QMS_UNIT_KINDS).order_by("path")


def report_units(unit, year):
    """The units with a QMS of their own under `unit` that existed at some time in `year`."""
    return (
        Unit.objects.filter(path__startswith=unit.path, kind__in=QMS_UNIT_KINDS)
        .exclude(pk=unit.pk)
        .exclude(valid_until__lt=datetime.date(year, 1, 1))
        .exclude(valid_from__gt=datetime.date(year, 12, 31))
        .select_related("wave")
        .order_by("path")
    )


@dataclass
class UnitLine:
    """One unit's figures for the year."""

    unit: Unit
    qms: certification_selectors.UnitQmsStatus
    audits: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    inspections: list = field(default_factory=list)
    nc_opened: int = 0
    nc_closed: int = 0
    nc_overdue: int = 0
    rated: int = 0
    satisfied: int = 0
    rate: Decimal | None = None

    @property
    def rate_percent(self) -> float | None:
        return None if self.rate is None else float(self.rate) * 100

    @property
    def profile(self):
        return self.qms.profile

    @property
    def version(self) -> str:
        version = self.qms.version
        return version.code if version else ""

    def on_version(self, version) -> bool:
        """Whether the unit's QMS is on `version` (a StandardVersion, or None: never)."""
        current = self.qms.version
        return bool(current and version and current.pk == version.pk)

    @property
    def announced(self) -> bool:
        return self.qms.status == QmsProfile.Status.ANNOUNCED

    @property
    def audits_held(self) -> list:
        return [a for a in self.audits if a.state != a.State.PLANNED]

    @property
    def last_audit(self):
        held = self.audits_held
        return held[-1] if held else None

    @property
    def last_review(self):
        return self.reviews[-1] if self.reviews else None

    @property
    def inspected(self) -> bool:
        return any(i.minutes_signed_on for i in self.inspections)


@dataclass
class Summary:
    units: int = 0
    with_profile: int = 0
    announced: int = 0
    on_current_version: int = 0
    audited: int = 0
    audits: int = 0
    reviewed: int = 0
    reviews: int = 0
    inspections: int = 0
    inspected: int = 0
    nc_opened: int = 0
    nc_closed: int = 0
    nc_overdue: int = 0
    rated: int = 0
    satisfied: int = 0
    versions: dict = field(default_factory=dict)

    @property
    def rate(self) -> Decimal | None:
        return survey_selectors.rate(self.satisfied, self.rated)


@dataclass
class AnnualContent:
    unit: Unit
    year: int
    printed_on: datetime.date
    lines: list
    audits: list
    reviews: list
    inspections: list
    summary: Summary
    report: AnnualReport | None = None

    @property
    def status_day(self) -> datetime.date:
        """The day of the units' QMS status: the year's last day for a past year, else today."""
        return min(self.printed_on, datetime.date(self.year, 12, 31))

    @property
    def problems(self) -> str:
        return self.report.problems if self.report else ""

    @property
    def proposals(self) -> str:
        return self.report.proposals if self.report else ""


def _summary(lines, latest) -> Summary:
    """The report's totals; `latest`: the latest standard version
    (certification.selectors.latest_version())."""
    summary = Summary(units=len(lines))
    for line in lines:
        if line.profile:
            summary.with_profile += 1
            summary.versions[line.version] = summary.versions.get(line.version, 0) + 1
        summary.announced += line.announced
        summary.on_current_version += line.on_version(latest)
        summary.audits += len(line.audits_held)
        summary.audited += bool(line.audits_held)
        summary.reviews += len(line.reviews)
        summary.reviewed += bool(line.reviews)
        summary.inspections += len(line.inspections)
        summary.inspected += line.inspected
        summary.nc_opened += line.nc_opened
        summary.nc_closed += line.nc_closed
        summary.nc_overdue += line.nc_overdue
        summary.rated += line.rated
        summary.satisfied += line.satisfied
    return summary


def annual_content(unit, year, today=None) -> AnnualContent:
    """Everything the report of `unit` for `year` shows. Twelve queries, whatever the number of
    units and records."""
    today = today or clock.today()
    units = list(report_units(unit, year))
    ids = [u.pk for u in units]
    if year < today.year:  # a past year: the status on its last day, not today's
        statuses = certification_selectors.status_on(ids, datetime.date(year, 12, 31))
    else:
        statuses = certification_selectors.status_for_units(ids)
    lines = {u.pk: UnitLine(unit=u, qms=statuses[u.pk]) for u in units}
    audits = list(audit_selectors.audits_of_year(ids, year))
    for audit in audits:
        lines[audit.unit_id].audits.append(audit)
    reviews = list(audit_selectors.reviews_of_year(ids, year))
    for review in reviews:
        lines[review.unit_id].reviews.append(review)
    inspections = list(audit_selectors.inspections_of_year(ids, year))
    for inspection in inspections:
        lines[inspection.unit_id].inspections.append(inspection)
    for pk, figures in audit_selectors.nonconformity_figures(ids, year, today).items():
        line = lines[pk]
        line.nc_opened, line.nc_closed, line.nc_overdue = (
            figures["opened"],
            figures["closed"],
            figures["overdue"],
        )
    satisfaction = survey_selectors.unit_satisfaction(
        ids, datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    )
    for pk, figures in satisfaction.items():
        lines[pk].rated, lines[pk].satisfied, lines[pk].rate = (
            figures["rated"],
            figures["satisfied"],
            figures["rate"],
        )
    ordered = [lines[pk] for pk in ids]
    return AnnualContent(
        unit=unit,
        year=year,
        printed_on=today,
        lines=ordered,
        audits=audits,
        reviews=reviews,
        inspections=inspections,
        summary=_summary(ordered, certification_selectors.latest_version()),
        report=AnnualReport.objects.filter(unit=unit, year=year).select_related("updated_by").first(),
    )
