"""Quality objectives, indicators and measurements (ISO 9001:2015 §6.2, §9.1).

The unit's officer keeps its objectives, indicators and measurements (CHANGE); the supervisor
flags an indicator that does not fit its objective (MANAGE).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification import feeds
from certification.models import Indicator, Measurement, Objective
from core import clock
from core.scoping import Action, require

CHANGE_DENIED = gettext_lazy("You may not change the quality objectives of %(unit)s.")
FLAG_DENIED = gettext_lazy("Only the supervisor may flag the indicators of %(unit)s.")

_OBJECTIVE_FIELDS = ("year", "statement", "owner", "order")
_INDICATOR_FIELDS = (
    "name",
    "unit_of_measure",
    "target",
    "direction",
    "frequency",
    "order",
    "feed",
    "procedure",
)


def _today() -> datetime.date:
    return clock.today()


def _set(instance, fields, allowed):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)


def _decimal(value, field):
    """A number typed "96,5" or "96.5"; NaN and infinities are not numbers a target can meet."""
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return number


# --- Objectives ---------------------------------------------------------------------------
@transaction.atomic
def objective_create(*, actor, unit, year, statement, owner, order=0) -> Objective:
    require(actor, Action.CHANGE, unit, CHANGE_DENIED)
    objective = Objective(unit=unit)
    _set(objective, {"year": year, "statement": statement, "owner": owner, "order": order}, _OBJECTIVE_FIELDS)
    objective.full_clean()
    objective.save()
    return objective


@transaction.atomic
def objective_update(*, actor, objective, **fields) -> Objective:
    objective = Objective.objects.select_for_update().select_related("unit").get(pk=objective.pk)
    require(actor, Action.CHANGE, objective.unit, CHANGE_DENIED)
    if "year" in fields and fields["year"] != objective.year and _has_measurements(objective):
        raise ValidationError({"year": _("The year cannot change once the objective has measurements.")})
    _set(objective, fields, _OBJECTIVE_FIELDS)
    objective.full_clean()
    objective.save()
    return objective


def _has_measurements(objective) -> bool:
    return Measurement.objects.filter(indicator__objective=objective).exists()


@transaction.atomic
def objective_delete(*, actor, objective) -> None:
    objective = Objective.objects.select_for_update().select_related("unit").get(pk=objective.pk)
    require(actor, Action.CHANGE, objective.unit, CHANGE_DENIED)
    if _has_measurements(objective):
        raise ValidationError(_("An objective with measurements is a record (§7.5.3); it cannot be deleted."))
    objective.delete()


@transaction.atomic
def objectives_copy(*, actor, unit, year) -> list[Objective]:
    """Copy the objectives of the previous year, with their indicators (not their measurements
    or flags), into `year`. Refused when `year` already has objectives."""
    require(actor, Action.CHANGE, unit, CHANGE_DENIED)
    if Objective.objects.filter(unit=unit, year=year).exists():
        raise ValidationError(
            _("%(year)s already has objectives; copy only into an empty year.") % {"year": year}
        )
    previous = list(Objective.objects.filter(unit=unit, year=year - 1).prefetch_related("indicators"))
    if not previous:
        raise ValidationError(_("%(year)s has no objectives to copy.") % {"year": year - 1})
    copies = []
    for old in previous:
        new = Objective.objects.create(
            unit=unit, year=year, statement=old.statement, owner=old.owner, order=old.order, copied_from=old
        )
        for indicator in old.indicators.all():
            Indicator.objects.create(
                objective=new,
                name=indicator.name,
                unit_of_measure=indicator.unit_of_measure,
                target=indicator.target,
                direction=indicator.direction,
                frequency=indicator.frequency,
                order=indicator.order,
                feed=indicator.feed,
                procedure_id=indicator.procedure_id,
            )
        copies.append(new)
    return copies


# --- Indicators ---------------------------------------------------------------------------
def _check_feed(indicator) -> None:
    """A feed must be one an app registered, in the indicator's unit of measure; a procedure
    narrows a feed, so it needs one."""
    indicator.feed = (indicator.feed or "").strip()
    if not indicator.feed:
        if indicator.procedure_id:
            raise ValidationError({"procedure": _("Choose what the indicator is computed from first.")})
        return
    feed = feeds.get(indicator.feed)
    if feed is None:
        raise ValidationError({"feed": _("Choose one of the figures offered.")})
    if feed.unit_of_measure and indicator.unit_of_measure.strip() != feed.unit_of_measure:
        raise ValidationError(
            {
                "unit_of_measure": _("This figure is given in %(unit)s; use %(unit)s as the unit of measure.")
                % {"unit": feed.unit_of_measure}
            }
        )


def _lock_indicator(indicator) -> Indicator:
    return Indicator.objects.select_for_update().select_related("objective__unit").get(pk=indicator.pk)


@transaction.atomic
def indicator_create(
    *,
    actor,
    objective,
    name,
    unit_of_measure,
    target,
    direction,
    frequency,
    order=0,
    feed="",
    procedure=None,
) -> Indicator:
    require(actor, Action.CHANGE, objective.unit, CHANGE_DENIED)
    indicator = Indicator(objective=objective)
    fields = {
        "name": name,
        "unit_of_measure": unit_of_measure,
        "target": _decimal(target, "target"),
        "direction": direction,
        "frequency": frequency,
        "order": order,
        "feed": feed,
        "procedure": procedure,
    }
    _set(indicator, fields, _INDICATOR_FIELDS)
    _check_feed(indicator)
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_update(*, actor, indicator, **fields) -> Indicator:
    indicator = _lock_indicator(indicator)
    require(actor, Action.CHANGE, indicator.objective.unit, CHANGE_DENIED)
    if "target" in fields:
        fields["target"] = _decimal(fields["target"], "target")
    if (
        "frequency" in fields
        and fields["frequency"] != indicator.frequency
        and indicator.measurements.exists()
    ):
        raise ValidationError(
            {"frequency": _("The frequency cannot change once the indicator has measurements.")}
        )
    _set(indicator, fields, _INDICATOR_FIELDS)
    _check_feed(indicator)
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_delete(*, actor, indicator) -> None:
    indicator = _lock_indicator(indicator)
    require(actor, Action.CHANGE, indicator.objective.unit, CHANGE_DENIED)
    if indicator.measurements.exists():
        raise ValidationError(_("An indicator with measurements is a record (§7.5.3); it cannot be deleted."))
    indicator.delete()


@transaction.atomic
def indicator_flag(*, actor, indicator, comment) -> Indicator:
    """The supervisor marks an indicator as not fitting its objective, and says why."""
    indicator = _lock_indicator(indicator)
    require(actor, Action.MANAGE, indicator.objective.unit, FLAG_DENIED)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"flag_comment": _("Say why the indicator does not fit the objective.")})
    indicator.flagged = True
    indicator.flag_comment = comment
    indicator.flagged_by = actor
    indicator.flagged_on = _today()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_unflag(*, actor, indicator) -> Indicator:
    indicator = _lock_indicator(indicator)
    require(actor, Action.MANAGE, indicator.objective.unit, FLAG_DENIED)
    indicator.flagged = False
    indicator.flag_comment = ""
    indicator.flagged_by = None
    indicator.flagged_on = None
    indicator.save()
    return indicator


# --- Measurements -------------------------------------------------------------------------
@transaction.atomic
def measurement_record(*, actor, indicator, period, value, comment="") -> Measurement:
    """Record (or correct) the value of an indicator for one period of its objective's year.
    A period that has not begun cannot be measured."""
    indicator = _lock_indicator(indicator)
    require(actor, Action.CHANGE, indicator.objective.unit, CHANGE_DENIED)
    try:
        period = int(period)
    except (TypeError, ValueError):
        period = 0
    if not 1 <= period <= indicator.period_count:
        raise ValidationError({"period": _("Choose a period of the year.")})
    start, _end = indicator.period_bounds(indicator.objective.year, period)
    if start > _today():
        raise ValidationError({"period": _("This period has not begun; it cannot be measured yet.")})
    value = _decimal(value, "value")
    measurement = Measurement.objects.filter(indicator=indicator, period=period).first() or Measurement(
        indicator=indicator, period=period
    )
    measurement.value = value
    measurement.comment = (comment or "").strip()
    measurement.recorded_by = actor
    measurement.recorded_on = _today()
    measurement.full_clean()
    measurement.save()
    return measurement
