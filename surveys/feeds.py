"""What the satisfaction survey feeds into other apps (imported by SurveysConfig.ready):

- the scoring criterion source "satisfaction" (certification.sources): the share of the points
  is the unit's overall satisfaction rate in the year; None (nothing held against the unit) when
  no citizen rated it;
- the management review input "customer satisfaction and feedback" (ISO 9001:2015 §9.3.2 c),
  prefilled with the rate of the last twelve months (audits.selectors.register_review_input);
- the objective indicator feeds (certification.feeds), figures in percent shown beside the value
  when the officer records a measurement (the officer still confirms it):
  "on_time_rate", the share of the files resolved that were resolved on time (one-stop record
  counts, month by month the software's, the tracking book's when the software has none: as
  surveys.selectors_records.on_time_rates), per unit or per procedure; and "satisfaction_rate",
  the unit's overall satisfaction rate (as surveys.selectors.unit_rates; per procedure: the
  responses and tallies that name it). Each has a batched form for the objective page: one query
  (on-time) or two (satisfaction) for all of a unit's indicator periods.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateField, IntegerField, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.selectors import register_review_input
from certification import feeds as indicator_feeds
from certification import sources
from surveys import selectors, selectors_records
from surveys.models import SATISFIED_MIN, Response, Tally

REVIEW_MONTHS = 12


def _percent(rate) -> str:
    return f"{rate * 100:.0f}"


def satisfaction_source(units, year: int, today: datetime.date) -> dict:
    """{unit id: Result} for the score sheet: the overall satisfaction rate in `year`. Two queries."""
    figures = selectors.unit_satisfaction(units, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    result = {}
    for pk, figure in figures.items():
        if not figure["rated"]:
            result[pk] = sources.Result(_("No satisfaction rating in %(year)s") % {"year": year}, None)
        else:
            result[pk] = sources.Result(
                _("%(rate)s%% satisfied (%(satisfied)s of %(rated)s ratings)")
                % {
                    "rate": _percent(figure["rate"]),
                    "satisfied": figure["satisfied"],
                    "rated": figure["rated"],
                },
                figure["rate"],
            )
    return result


def review_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve months up to `today`: from the same day a year before (the day after) to today."""
    try:
        start = today.replace(year=today.year - 1) + datetime.timedelta(days=1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28) + datetime.timedelta(days=1)
    return start, today


def satisfaction_review_input(unit, today) -> str:
    """The text prefilled in the review's satisfaction input; "" when no citizen rated the unit.
    One query (the review page keeps a tight query budget)."""
    start, end = review_period(today)
    summary = selectors.unit_summary(unit, start, end)
    if not summary["rated"]:
        return ""
    text = _(
        "Citizen satisfaction from %(start)s to %(end)s: %(rate)s%% satisfied (%(satisfied)s of %(rated)s "
        "ratings of overall satisfaction, %(online)s of them online)."
    ) % {
        "start": f"{start:%d/%m/%Y}",
        "end": f"{end:%d/%m/%Y}",
        "rate": _percent(summary["rate"]),
        "satisfied": summary["satisfied"],
        "rated": summary["rated"],
        "online": summary["online"],
    }
    if summary["comments"]:
        text += " " + _("%(comments)s comments received, %(raised)s raised as nonconformities.") % {
            "comments": summary["comments"],
            "raised": summary["raised"],
        }
    return text


# --- Objective indicator feeds ---------------------------------------------------------------
TENTH = Decimal("0.1")


def _pk(value):
    return getattr(value, "pk", value)


def _percent_of(part: int, whole: int) -> Decimal | None:
    """part / whole in percent with one decimal (95,2); None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _span(wanted) -> tuple[datetime.date, datetime.date]:
    return min(start for _p, start, _e in wanted), max(end for _p, _s, end in wanted)


def on_time_rate(unit, procedure, start: datetime.date, end: datetime.date) -> Decimal | None:
    """Files resolved on time / files resolved (on time + late), in percent, over the months from
    `start` to `end`, for the unit or one of its procedures. One query."""
    unit_id, procedure_id = _pk(unit), _pk(procedure)
    if procedure_id is None:
        figure = selectors_records.on_time_rates([unit_id], start, end).get(unit_id)
    else:
        figure = selectors_records.on_time_rates([unit_id], start, end, by_procedure=True).get(
            (unit_id, procedure_id)
        )
    return None if figure is None else _percent_of(figure.on_time, figure.resolved)


def _pick(sources_found: dict) -> dict | None:
    """The software's counts, the book's when the software has none (as on_time_rates)."""
    return sources_found.get(selectors_records.SOFTWARE) or sources_found.get(selectors_records.BOOK)


def on_time_rates_many(unit, wanted) -> list[Decimal | None]:
    """on_time_rate for each (procedure, start, end) of `wanted`, in ONE query: the unit's counts
    per month, source and procedure over the whole span, folded month by month as
    selectors_records.on_time_rates folds them (a source's all-procedures row is its total for the
    month, else the sum of its per-procedure rows; the software first, else the book)."""
    unit_id = _pk(unit)
    first, last = _span(wanted)
    found = selectors_records._by_source(  # noqa: SLF001 -- the same app's grouping, kept in one place
        [unit_id],
        selectors_records.first_of_month(first),
        selectors_records.first_of_month(last),
        "procedure",
    )
    per_procedure: dict[tuple, tuple[int, int]] = {}  # (procedure id, month) → (on time, late)
    by_month: dict[datetime.date, dict] = {}  # month → {source: {"whole": totals | None, "parts": [...]}}
    for (_unit, month, procedure_id), found_sources in found.items():
        if procedure_id is not None:
            totals = _pick(found_sources)
            per_procedure[(procedure_id, month)] = (totals["on_time"], totals["late"])
        for source, totals in found_sources.items():
            entry = by_month.setdefault(month, {}).setdefault(source, {"whole": None, "parts": []})
            if procedure_id is None:
                entry["whole"] = totals
            else:
                entry["parts"].append(totals)
    whole_unit: dict[datetime.date, tuple[int, int]] = {}
    for month, month_sources in by_month.items():
        entry = _pick(month_sources)
        if entry["whole"] is not None:
            whole_unit[month] = (entry["whole"]["on_time"], entry["whole"]["late"])
        else:
            whole_unit[month] = (
                sum(t["on_time"] for t in entry["parts"]),
                sum(t["late"] for t in entry["parts"]),
            )
    result = []
    for procedure, start, end in wanted:
        procedure_id = _pk(procedure)
        first_month, last_month = (selectors_records.first_of_month(d) for d in (start, end))
        if procedure_id is None:
            months = [f for month, f in whole_unit.items() if first_month <= month <= last_month]
        else:
            months = [
                f
                for (p, month), f in per_procedure.items()
                if p == procedure_id and first_month <= month <= last_month
            ]
        if not months:
            result.append(None)
            continue
        on_time, late = sum(m[0] for m in months), sum(m[1] for m in months)
        result.append(_percent_of(on_time, on_time + late))
    return result


def satisfaction_rate(unit, procedure, start: datetime.date, end: datetime.date) -> Decimal | None:
    """The overall satisfaction rate in percent from `start` to `end` (online responses and the
    tallies whose period lies inside), of the unit or of one procedure. Two queries."""
    unit_id, procedure_id = _pk(unit), _pk(procedure)
    if procedure_id is None:
        figures = selectors.unit_satisfaction([unit_id], start, end)[unit_id]
    else:
        responses, tallies = selectors.in_period(
            Response.objects.filter(unit_id=unit_id, procedure_id=procedure_id),
            Tally.objects.filter(unit_id=unit_id, procedure_id=procedure_id),
            start,
            end,
        )
        figures = selectors.satisfaction(responses, tallies, group_by="unit").get(unit_id, {})
    return _percent_of(figures.get("satisfied", 0), figures.get("rated", 0))


_TALLY_FIELDS = ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")


def satisfaction_rates_many(unit, wanted) -> list[Decimal | None]:
    """satisfaction_rate for each (procedure, start, end) of `wanted` in TWO queries: the unit's
    responses per month and procedure, and its overall-criterion tallies per period and procedure,
    over the whole span. A tally counts in a period that holds its whole period (as unit_rates)."""
    unit_id = _pk(unit)
    first, last = _span(wanted)
    responses, tallies = selectors.in_period(
        Response.objects.filter(unit_id=unit_id), Tally.objects.filter(unit_id=unit_id), first, last
    )
    month = TruncMonth("submitted_at", output_field=DateField(), tzinfo=timezone.get_current_timezone())
    response_rows = list(
        responses.order_by()
        .annotate(month=month)
        .values("procedure_id", "month")
        .annotate(rated=Count("overall"), satisfied_n=Count("pk", filter=Q(overall__gte=SATISFIED_MIN)))
    )

    def total(names):
        expression = None
        for name in names:
            term = Coalesce(Sum(name), 0, output_field=IntegerField())
            expression = term if expression is None else expression + term
        return expression

    tally_rows = list(
        tallies.order_by()
        .filter(criterion=selectors.OVERALL)
        .values("procedure_id", "period_start", "period_end")
        .annotate(rated=total(_TALLY_FIELDS), satisfied_n=total(_TALLY_FIELDS[:2]))
    )
    result = []
    for procedure, start, end in wanted:
        procedure_id = _pk(procedure)
        rated = satisfied = 0
        for row in response_rows:
            if start <= row["month"] <= end and (procedure_id is None or row["procedure_id"] == procedure_id):
                rated, satisfied = rated + row["rated"], satisfied + row["satisfied_n"]
        for row in tally_rows:
            inside = start <= row["period_start"] and row["period_end"] <= end
            if inside and (procedure_id is None or row["procedure_id"] == procedure_id):
                rated, satisfied = rated + row["rated"], satisfied + row["satisfied_n"]
        result.append(_percent_of(satisfied, rated))
    return result


sources.register("satisfaction", gettext_lazy("citizen satisfaction rate"), satisfaction_source)
register_review_input("satisfaction", satisfaction_review_input)
indicator_feeds.register(
    "on_time_rate",
    gettext_lazy("files resolved on time (one-stop records)"),
    on_time_rate,
    caption=gettext_lazy("According to the one-stop records: %(value)s"),
    unit_of_measure="%",
    compute_many=on_time_rates_many,
)
indicator_feeds.register(
    "satisfaction_rate",
    gettext_lazy("citizen satisfaction rate (survey)"),
    satisfaction_rate,
    caption=gettext_lazy("According to the satisfaction survey: %(value)s"),
    unit_of_measure="%",
    compute_many=satisfaction_rates_many,
)
