"""Computed scoring criteria: where the figure of a criterion comes from.

A source turns a set of units and a year into, per unit, the figure shown on the score sheet and
the share (0 to 1) of the criterion's maximum points it earns; None when there is nothing to
score on (no applicable TTHC, say), which earns the full points: nothing is held against the unit. Each source costs a constant number of queries, whatever the number of units. Other
apps register their own sources (the satisfaction survey registers "satisfaction").
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits import selectors as audit_selectors
from communes.models import Unit
from documents import selectors as document_selectors

ONE = Decimal(1)


@dataclass(frozen=True)
class Result:
    figure: str
    share: Decimal | None


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    compute: Callable  # (units, year, today) -> {unit_id: Result}


SOURCES: dict[str, Source] = {}


def register(key: str, label, compute: Callable) -> None:
    SOURCES[key] = Source(key, label, compute)


def choices() -> list[tuple[str, str]]:
    return [(s.key, s.label) for s in SOURCES.values()]


def compute(key: str, units, year: int, today: datetime.date) -> dict[int, Result]:
    return SOURCES[key].compute(list(units), year, today)


def _ids(units):
    return [getattr(u, "pk", u) for u in units]


def _internal_audit(units, year, today):
    held = audit_selectors.audits_held(_ids(units), year)
    return {
        pk: Result(_("Audit of %(month)s") % {"month": f"{held[pk]:%m/%Y}"}, ONE)
        if pk in held
        else Result(_("No internal audit in %(year)s") % {"year": year}, Decimal(0))
        for pk in _ids(units)
    }


def _management_review(units, year, today):
    held = audit_selectors.reviews_held(_ids(units), year)
    return {
        pk: Result(_("Held on %(day)s") % {"day": f"{held[pk]:%d/%m/%Y}"}, ONE)
        if pk in held
        else Result(_("No management review in %(year)s") % {"year": year}, Decimal(0))
        for pk in _ids(units)
    }


def _tthc_coverage(units, year, today):
    result = {}
    units = Unit.objects.filter(pk__in=_ids(units)).only("pk", "kind")
    for pk, coverage in document_selectors.coverage_for_units(units).items():
        if coverage.rate is None:
            result[pk] = Result(_("No applicable TTHC"), None)
        else:
            share = Decimal(len(coverage.covered)) / Decimal(len(coverage.applicable))
            result[pk] = Result(
                _("%(covered)s of %(applicable)s TTHC covered (%(rate)s%%)")
                % {
                    "covered": len(coverage.covered),
                    "applicable": len(coverage.applicable),
                    "rate": round(share * 100),
                },
                share,
            )
    return result


def _overdue_actions(units, year, today):
    figures = audit_selectors.actions_due_in_year(_ids(units), year, today)
    result = {}
    for pk in _ids(units):
        due, overdue = figures.get(pk, (0, 0))
        if not due:
            result[pk] = Result(_("No corrective action due in %(year)s") % {"year": year}, ONE)
        else:
            result[pk] = Result(
                _("%(overdue)s of %(due)s actions overdue") % {"overdue": overdue, "due": due},
                Decimal(due - overdue) / Decimal(due),
            )
    return result


register("internal_audit", gettext_lazy("internal audit held in the year"), _internal_audit)
register("management_review", gettext_lazy("management review held in the year"), _management_review)
register("tthc_coverage", gettext_lazy("TTHC procedure coverage"), _tthc_coverage)
register("overdue_actions", gettext_lazy("corrective actions done on time"), _overdue_actions)
