"""Annual scoring: rounds and criteria (supervisor), self-scoring (officer), finalising
(supervisor) and approval (steering committee).

Flow of a score sheet: draft → submitted (the officer's self-score) → finalised (the
supervisor's final score) → approved (the committee). The supervisor may send a submitted or
finalised sheet back to draft with remarks. The officer never touches the final score: finalising
needs MANAGE, approving needs APPROVE, which only the committee holds.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification import sources
from certification.models import QMS_UNIT_KINDS, Criterion, ScoreLine, ScoreSheet, ScoringRound
from communes.models import Unit
from core import clock
from core.scoping import Action, require

Status = ScoreSheet.Status
MANAGE_DENIED = gettext_lazy("Only the supervisor of %(unit)s may do this.")
CHANGE_DENIED = gettext_lazy("You may not score %(unit)s.")
APPROVE_DENIED = gettext_lazy("Only the steering committee may approve the scores of %(unit)s.")

CENT = Decimal("0.01")


def _today() -> datetime.date:
    return clock.today()


def _decimal(value, field) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite():  # "NaN" and "Infinity" parse, but cannot be compared or stored
        raise ValidationError({field: _("Enter a number.")})
    return number


# --- Rounds and criteria --------------------------------------------------------------------
@transaction.atomic
def round_create(*, actor, unit, year, self_score_due=None, commend_top=3, support_bottom=3) -> ScoringRound:
    require(actor, Action.MANAGE, unit, MANAGE_DENIED)
    scoring_round = ScoringRound(
        unit=unit,
        year=year,
        self_score_due=self_score_due,
        commend_top=commend_top,
        support_bottom=support_bottom,
    )
    scoring_round.full_clean()
    scoring_round.save()
    return scoring_round


@transaction.atomic
def round_update(*, actor, scoring_round, **fields) -> ScoringRound:
    scoring_round = ScoringRound.objects.select_for_update().select_related("unit").get(pk=scoring_round.pk)
    require(actor, Action.MANAGE, scoring_round.unit, MANAGE_DENIED)
    allowed = {"self_score_due", "commend_top", "support_bottom"}
    if set(fields) - allowed:
        raise TypeError(f"unknown fields: {sorted(set(fields) - allowed)}")
    for name, value in fields.items():
        setattr(scoring_round, name, value)
    scoring_round.full_clean()
    scoring_round.save()
    return scoring_round


def _criteria_locked(scoring_round) -> bool:
    return scoring_round.sheets.filter(status__in=[Status.FINALISED, Status.APPROVED]).exists()


def _check_criteria_editable(scoring_round):
    if _criteria_locked(scoring_round):
        raise ValidationError(_("The criteria cannot change once a score sheet of the round is finalised."))


def _check_source(source):
    if source and source not in sources.SOURCES:
        raise ValidationError({"source": _("Choose a source the system can compute.")})


@transaction.atomic
def criterion_create(
    *, actor, scoring_round, code, title, max_points, source="", evidence="", order=0
) -> Criterion:
    require(actor, Action.MANAGE, scoring_round.unit, MANAGE_DENIED)
    _check_criteria_editable(scoring_round)
    _check_source(source)
    criterion = Criterion(
        round=scoring_round,
        code=(code or "").strip(),
        title=(title or "").strip(),
        max_points=_decimal(max_points, "max_points"),
        source=source or "",
        evidence=(evidence or "").strip(),
        order=order,
    )
    criterion.full_clean()
    criterion.save()
    # Sheets already open get a line for the new criterion.
    sheets = list(scoring_round.sheets.select_related("unit"))
    ScoreLine.objects.bulk_create([ScoreLine(sheet=s, criterion=criterion) for s in sheets])
    if criterion.source and sheets:
        _compute_lines(ScoreLine.objects.filter(criterion=criterion).select_related("sheet", "criterion"))
        for sheet in sheets:
            _store_totals(sheet)  # the computed points count in the self-score of the drafts
    return criterion


@transaction.atomic
def criterion_update(*, actor, criterion, **fields) -> Criterion:
    criterion = Criterion.objects.select_for_update().select_related("round__unit").get(pk=criterion.pk)
    require(actor, Action.MANAGE, criterion.round.unit, MANAGE_DENIED)
    _check_criteria_editable(criterion.round)
    allowed = {"code", "title", "max_points", "source", "evidence", "order"}
    if set(fields) - allowed:
        raise TypeError(f"unknown fields: {sorted(set(fields) - allowed)}")
    if "max_points" in fields:
        fields["max_points"] = _decimal(fields["max_points"], "max_points")
    if "source" in fields:
        fields["source"] = fields["source"] or ""
        _check_source(fields["source"])
    for name, value in fields.items():
        setattr(criterion, name, value.strip() if isinstance(value, str) else value)
    criterion.full_clean()
    criterion.save()
    lines = ScoreLine.objects.filter(criterion=criterion).select_related("sheet", "criterion")
    if criterion.source:
        _compute_lines(lines)
    else:
        lines.update(figure="", computed_points=None)
    for sheet in ScoreSheet.objects.filter(round=criterion.round):
        _store_totals(sheet)
    return criterion


@transaction.atomic
def criterion_delete(*, actor, criterion) -> None:
    criterion = Criterion.objects.select_for_update().select_related("round__unit").get(pk=criterion.pk)
    require(actor, Action.MANAGE, criterion.round.unit, MANAGE_DENIED)
    _check_criteria_editable(criterion.round)
    scoring_round = criterion.round
    ScoreLine.objects.filter(criterion=criterion).delete()
    criterion.delete()
    for sheet in ScoreSheet.objects.filter(round=scoring_round):
        _store_totals(sheet)


@transaction.atomic
def criteria_copy(*, actor, scoring_round) -> list[Criterion]:
    """Copy the criteria of the same unit's round of the previous year into an empty round."""
    require(actor, Action.MANAGE, scoring_round.unit, MANAGE_DENIED)
    if scoring_round.criteria.exists():
        raise ValidationError(_("This round already has criteria; copy only into an empty round."))
    previous = ScoringRound.objects.filter(unit=scoring_round.unit, year=scoring_round.year - 1).first()
    if previous is None or not previous.criteria.exists():
        raise ValidationError(_("%(year)s has no criteria to copy.") % {"year": scoring_round.year - 1})
    return [
        criterion_create(
            actor=actor,
            scoring_round=scoring_round,
            code=c.code,
            title=c.title,
            max_points=c.max_points,
            source=c.source if c.source in sources.SOURCES else "",
            evidence=c.evidence,
            order=c.order,
        )
        for c in previous.criteria.all()
    ]


@transaction.atomic
def round_open_sheets(*, actor, scoring_round) -> int:
    """Open a score sheet for every active unit with a QMS under the round's unit that has none
    yet, with its computed criteria filled in. Returns how many were opened."""
    require(actor, Action.MANAGE, scoring_round.unit, MANAGE_DENIED)
    criteria = list(scoring_round.criteria.all())
    if not criteria:
        raise ValidationError(_("Add the criteria of the round before opening the score sheets."))
    year_end = datetime.date(scoring_round.year, 12, 31)
    units = (
        Unit.objects.filter(path__startswith=scoring_round.unit.path, kind__in=QMS_UNIT_KINDS)
        .exclude(pk=scoring_round.unit.pk)
        .exclude(valid_until__lt=datetime.date(scoring_round.year, 1, 1))
        .exclude(valid_from__gt=year_end)
        .exclude(pk__in=scoring_round.sheets.values("unit_id"))
    )
    sheets = ScoreSheet.objects.bulk_create([ScoreSheet(round=scoring_round, unit=u) for u in units])
    if not sheets:
        return 0
    ScoreLine.objects.bulk_create([ScoreLine(sheet=s, criterion=c) for s in sheets for c in criteria])
    _compute_lines(
        ScoreLine.objects.filter(sheet__in=sheets, criterion__source__gt="").select_related(
            "sheet", "criterion"
        )
    )
    for sheet in sheets:
        _store_totals(sheet)
    return len(sheets)


def _compute_lines(lines) -> None:
    """Fill in the figure and points of computed lines; each source runs once for all units."""
    lines = list(lines)
    by_source: dict[tuple[str, int], list[ScoreLine]] = {}
    for line in lines:
        if line.criterion.source in sources.SOURCES:
            by_source.setdefault((line.criterion.source, line.criterion.round_id), []).append(line)
    today = _today()
    years = dict(ScoringRound.objects.filter(pk__in={r for _k, r in by_source}).values_list("pk", "year"))
    for (key, round_id), group in by_source.items():
        results = sources.compute(key, {line.sheet.unit_id for line in group}, years[round_id], today)
        for line in group:
            result = results.get(line.sheet.unit_id)
            if result is None:
                line.figure, line.computed_points = _("No data"), Decimal(0)
            else:
                # A share of None: nothing to score on, so nothing is held against the unit.
                share = Decimal(1) if result.share is None else result.share
                line.figure = result.figure[:300]
                line.computed_points = (line.criterion.max_points * share).quantize(CENT, ROUND_HALF_UP)
            if line.sheet.status == Status.DRAFT:
                line.self_score = line.computed_points
    ScoreLine.objects.bulk_update(
        [line for group in by_source.values() for line in group], ["figure", "computed_points", "self_score"]
    )


def _store_totals(sheet) -> None:
    totals = ScoreLine.objects.filter(sheet=sheet).aggregate(
        self_sum=Sum("self_score"), final_sum=Sum("final_score")
    )
    sheet.self_total = totals["self_sum"] or Decimal(0)
    if sheet.status in (Status.FINALISED, Status.APPROVED):
        sheet.final_total = totals["final_sum"] or Decimal(0)
    else:
        sheet.final_total = None
    ScoreSheet.objects.filter(pk=sheet.pk).update(self_total=sheet.self_total, final_total=sheet.final_total)


# --- Score sheets -------------------------------------------------------------------------
def _lock_sheet(sheet) -> ScoreSheet:
    return ScoreSheet.objects.select_for_update().select_related("unit", "round__unit").get(pk=sheet.pk)


def _lines(sheet) -> list[ScoreLine]:
    return list(
        sheet.lines.select_related("criterion", "sheet").order_by("criterion__order", "criterion__code")
    )


def _check_score(line, value, field_prefix):
    if value is None:
        return
    if value < 0 or value > line.criterion.max_points:
        raise ValidationError(
            {
                f"{field_prefix}_{line.criterion_id}": _("%(code)s: the score must be between 0 and %(max)s.")
                % {"code": line.criterion.code, "max": line.criterion.max_points}
            }
        )


@transaction.atomic
def sheet_self_score(*, actor, sheet, scores: dict) -> ScoreSheet:
    """Save the officer's self-score of the criteria scored by hand: `scores` maps a criterion
    id to (points or None, comment). The sheet stays a draft until submitted."""
    sheet = _lock_sheet(sheet)
    require(actor, Action.CHANGE, sheet.unit, CHANGE_DENIED)
    if sheet.status != Status.DRAFT:
        raise ValidationError(_("This score sheet has been submitted; it can no longer be self-scored."))
    lines = {line.criterion_id: line for line in _lines(sheet)}
    changed = []
    for criterion_id, (points, comment) in scores.items():
        line = lines.get(int(criterion_id))
        if line is None or line.criterion.is_computed:
            continue  # computed criteria come from the system, never from the form
        points = _decimal(points, f"self_{criterion_id}")
        _check_score(line, points, "self")
        line.self_score = points
        line.self_comment = (comment or "").strip()
        changed.append(line)
    ScoreLine.objects.bulk_update(changed, ["self_score", "self_comment"])
    _store_totals(sheet)
    return sheet


@transaction.atomic
def sheet_submit(*, actor, sheet) -> ScoreSheet:
    """The officer hands in the self-score. Every criterion scored by hand needs points and a
    comment; the computed ones are refreshed first."""
    sheet = _lock_sheet(sheet)
    require(actor, Action.CHANGE, sheet.unit, CHANGE_DENIED)
    if sheet.status != Status.DRAFT:
        raise ValidationError(_("This score sheet has already been submitted."))
    _compute_lines([line for line in _lines(sheet) if line.criterion.is_computed])
    errors = {}
    for line in _lines(sheet):
        if line.criterion.is_computed:
            continue
        if line.self_score is None:
            errors[f"self_{line.criterion_id}"] = _("%(code)s: give the self-score.") % {
                "code": line.criterion.code
            }
        elif not line.self_comment:
            errors[f"self_{line.criterion_id}"] = _("%(code)s: say what the self-score rests on.") % {
                "code": line.criterion.code
            }
    if errors:
        raise ValidationError(errors)
    sheet.status = Status.SUBMITTED
    sheet.submitted_by = actor
    sheet.submitted_on = _today()
    sheet.save()
    _store_totals(sheet)
    return sheet


@transaction.atomic
def sheet_finalise(*, actor, sheet, scores: dict | None = None, remarks=None) -> ScoreSheet:
    """The supervisor sets the final score of a submitted sheet. `scores` maps a criterion id to
    (points or None, comment); a criterion not given keeps the self-score. A final score that
    differs from the self-score needs a comment."""
    sheet = _lock_sheet(sheet)
    require(actor, Action.MANAGE, sheet.unit, MANAGE_DENIED)
    if sheet.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted score sheet can be finalised."))
    scores = scores or {}
    lines = _lines(sheet)
    errors = {}
    for line in lines:
        points, comment = scores.get(line.criterion_id, scores.get(str(line.criterion_id), (None, "")))
        points = _decimal(points, f"final_{line.criterion_id}")
        if points is None:
            points = line.self_score if line.self_score is not None else Decimal(0)
        try:
            _check_score(line, points, "final")
        except ValidationError as error:
            errors.update(error.message_dict)
            continue
        comment = (comment or "").strip()
        if points != line.self_score and not comment:
            errors[f"final_{line.criterion_id}"] = _(
                "%(code)s: say why the final score differs from the self-score."
            ) % {"code": line.criterion.code}
        line.final_score = points
        line.final_comment = comment
    if errors:
        raise ValidationError(errors)
    ScoreLine.objects.bulk_update(lines, ["final_score", "final_comment"])
    sheet.status = Status.FINALISED
    sheet.finalised_by = actor
    sheet.finalised_on = _today()
    if remarks is not None:
        sheet.remarks = remarks.strip()
    sheet.save()
    _store_totals(sheet)
    return sheet


@transaction.atomic
def sheet_return(*, actor, sheet, remarks) -> ScoreSheet:
    """The supervisor sends a submitted or finalised sheet back to the officer, saying why."""
    sheet = _lock_sheet(sheet)
    require(actor, Action.MANAGE, sheet.unit, MANAGE_DENIED)
    if sheet.status not in (Status.SUBMITTED, Status.FINALISED):
        raise ValidationError(_("Only a submitted or finalised score sheet can be sent back."))
    remarks = (remarks or "").strip()
    if not remarks:
        raise ValidationError({"remarks": _("Say what the officer should change.")})
    sheet.status = Status.DRAFT
    sheet.remarks = remarks
    sheet.finalised_by = None
    sheet.finalised_on = None
    sheet.save()
    sheet.lines.update(final_score=None, final_comment="")
    _store_totals(sheet)
    return sheet


@transaction.atomic
def sheet_approve(*, actor, sheet) -> ScoreSheet:
    sheet = _lock_sheet(sheet)
    require(actor, Action.APPROVE, sheet.unit, APPROVE_DENIED)
    if sheet.status != Status.FINALISED:
        raise ValidationError(_("Only a finalised score sheet can be approved."))
    sheet.status = Status.APPROVED
    sheet.approved_by = actor
    sheet.approved_on = _today()
    sheet.save()
    return sheet


@transaction.atomic
def round_approve(*, actor, scoring_round) -> int:
    """The committee approves every finalised sheet of a round at once. Returns how many."""
    require(actor, Action.APPROVE, scoring_round.unit, APPROVE_DENIED)
    sheets = list(scoring_round.sheets.filter(status=Status.FINALISED).select_related("unit"))
    for sheet in sheets:
        sheet_approve(actor=actor, sheet=sheet)
    return len(sheets)
