"""Indicator feeds: figures other apps compute that an objective's indicator can be read against.

An indicator may name a feed (and, for a figure per administrative procedure, a procedure). When
the officer records the indicator's measurement for a period, the page shows the feed's figure for
that period beside the field, with a button that copies it into the field. The officer still
confirms: a measurement stays a record a person makes and answers for (ISO 9001:2015 §9.1.1,
§7.5); nothing here writes a measurement.

Other apps register their feeds (certification does not import them: the surveys app registers
"on_time_rate" and "satisfaction_rate" from surveys/feeds.py in SurveysConfig.ready()):

    register(key, label, compute, caption=..., unit_of_measure="%", compute_many=None)

- `compute(unit, procedure_or_None, start, end) -> Decimal | None`: the figure over the days from
  `start` to `end` (whole months), in `unit_of_measure`; None when there is nothing to compute on.
- `compute_many(unit, wanted) -> list[Decimal | None]` (optional): the same for a list of
  `(procedure_or_None, start, end)` in a constant number of queries. Without it, `compute` is
  called once per entry of `wanted`.

`values(indicators, year)` batches the figures of a page's indicators: one `compute_many` call per
(feed, unit), so an objective page (one unit) costs at most one call per registered feed, whatever
the number of indicators and periods.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Feed:
    key: str
    label: str
    compute: Callable  # (unit, procedure | None, start, end) -> Decimal | None
    caption: str  # "According to the one-stop records: %(value)s"
    unit_of_measure: str = "%"
    compute_many: Callable | None = None  # (unit, [(procedure | None, start, end)]) -> [Decimal | None]

    def many(self, unit, wanted: list[tuple]) -> list:
        if not wanted:
            return []
        if self.compute_many is not None:
            return list(self.compute_many(unit, wanted))
        return [self.compute(unit, procedure, start, end) for procedure, start, end in wanted]


FEEDS: dict[str, Feed] = {}


def register(
    key: str,
    label,
    compute: Callable,
    *,
    caption=None,
    unit_of_measure: str = "%",
    compute_many: Callable | None = None,
) -> None:
    """Register (or replace) the feed `key`."""
    FEEDS[key] = Feed(
        key=key,
        label=label,
        compute=compute,
        caption=caption or _("According to %(feed)s: %(value)s"),
        unit_of_measure=unit_of_measure,
        compute_many=compute_many,
    )


def get(key) -> Feed | None:
    return FEEDS.get(key or "")


def choices() -> list[tuple[str, str]]:
    """The registered feeds for a form's select, in registration order."""
    return [(feed.key, feed.label) for feed in FEEDS.values()]


def compute(key: str, unit, procedure, start: datetime.date, end: datetime.date) -> Decimal | None:
    """One feed's figure for one unit (and procedure) over one span of days."""
    return FEEDS[key].compute(unit, procedure, start, end)


def values(indicators, year: int, periods=None) -> dict[tuple[int, int], Decimal | None]:
    """{(indicator id, period): figure} for the indicators that name a registered feed, over the
    periods of `year` (all of them, or those `periods(indicator)` returns). One `compute_many` call
    per (feed, unit); indicators without a feed, or naming a feed no app registers, are left out.
    An indicator needs `objective` (with its unit) and `procedure_id` loaded."""
    groups: dict[tuple, list] = {}
    for indicator in indicators:
        feed = get(indicator.feed)
        if feed is None:
            continue
        wanted = range(1, indicator.period_count + 1) if periods is None else periods(indicator)
        for period in wanted:
            start, end = indicator.period_bounds(year, period)
            groups.setdefault((feed.key, indicator.objective.unit_id), []).append(
                (indicator, period, indicator.procedure_id, start, end)
            )
    result = {}
    for (key, _unit_id), entries in groups.items():
        unit = entries[0][0].objective.unit
        figures = FEEDS[key].many(
            unit, [(procedure, start, end) for _i, _p, procedure, start, end in entries]
        )
        for (indicator, period, *_rest), figure in zip(entries, figures, strict=True):
            result[(indicator.pk, period)] = figure
    return result


def caption(indicator, figure_text: str) -> str:
    """ "According to the one-stop records: 95,2 %" for an indicator's feed."""
    feed = get(indicator.feed)
    if feed is None:
        return ""
    return str(feed.caption) % {"feed": feed.label, "value": figure_text}
