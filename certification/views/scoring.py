"""Pages of the annual scoring and commendation (thi đua, khen thưởng) of the units' QMS.

The supervisor keeps a round per year and its criteria and opens a score sheet for every unit;
the unit's officer self-scores and submits; the supervisor finalises (or sends back); the steering
committee approves. Everything is read through `for_user`: out of scope → 404, in scope without
the right → 403. Writes go through certification.services.scoring: an error keyed by a line
("self_<criterion id>", "final_<criterion id>") shows on that line, and nothing is saved.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from certification import selectors, sources
from certification.exports import league_workbook
from certification.forms_scoring import (
    CriterionForm,
    ReturnForm,
    RoundFilter,
    RoundForm,
    SheetScoresForm,
)
from certification.models import Criterion, ScoreLine, ScoreSheet, ScoringRound
from certification.services import scoring as services
from certification.tables_scoring import RoundTable
from core.forms import add_service_error
from core.scoping import Action, can_anywhere, get_scope
from core.views import ScopedListView, ensure_in_scope, get_scoped_object_or_404, posted, run_form

Status = ScoreSheet.Status
FORM_TEMPLATE = "certification/scoring/form.html"
CONFIRM_TEMPLATE = "certification/scoring/confirm.html"
SHEET_TEMPLATE = "certification/scoring/sheet_detail.html"
# How many of the user's own score sheets the list page shows (the latest first).
MY_SHEETS_SHOWN = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _confirm(request, run, *, success, target, context):
    """A confirmation page (GET) for a one-off action; POST runs it in a transaction. A refusal
    becomes a message; `success` is the message, or a function of what `run` returns."""
    if request.method == "POST":
        try:
            with transaction.atomic():
                result = run()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            message = success(result) if callable(success) else success
            if message:
                messages.success(request, message)
        return redirect(target)
    return render(request, CONFIRM_TEMPLATE, context)


# --- Rounds --------------------------------------------------------------------------------
def _with_counts(queryset):
    """Rounds with their sheets counted per status (one query, whatever the number of rounds)."""
    counts = {
        f"{status}_count": Count("sheets", filter=Q(sheets__status=status))
        for status in (Status.DRAFT, Status.SUBMITTED, Status.FINALISED, Status.APPROVED)
    }
    return queryset.annotate(sheets_count=Count("sheets"), **counts)


class RoundListView(ScopedListView):
    """The rounds the user may read and, below, the user's own score sheets whose round the user
    cannot see (an officer reads the sheet of the unit, not the district's round)."""

    model = ScoringRound
    table_class = RoundTable
    filterset_class = RoundFilter
    template_name = "certification/scoring/round_list.html"

    def get_queryset(self):
        return _with_counts(
            ScoringRound.objects.for_user(self.request.user)
            .select_related("unit")
            .order_by("-year", "unit__path")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visible_rounds = ScoringRound.objects.for_user(user).values("pk")
        my_sheets = (
            ScoreSheet.objects.for_user(user)
            .exclude(round__in=visible_rounds)
            .select_related("unit", "round")
            .order_by("-round__year", "unit__path")
        )
        context.update(
            my_sheets=list(my_sheets[:MY_SHEETS_SHOWN]),
            can_create=can_anywhere(user, Action.MANAGE),
        )
        return context


def _get_round(request, pk, action=Action.VIEW):
    return get_scoped_object_or_404(ScoringRound.objects.select_related("unit"), request.user, action, pk=pk)


@login_required
def round_create(request):
    """A new round for a supervising unit where the user may manage (a district, a province)."""
    if not can_anywhere(request.user, Action.MANAGE):
        raise PermissionDenied
    form = RoundForm(posted(request), user=request.user)

    def run(data):
        scoring_round = services.round_create(
            actor=request.user,
            unit=data["unit"],
            year=data["year"],
            self_score_due=data["self_score_due"],
            commend_top=data["commend_top"],
            support_bottom=data["support_bottom"],
        )
        ensure_in_scope(scoring_round, request.user, Action.MANAGE)
        return scoring_round.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("Scoring round created. Add its criteria, then open the score sheets."),
        template=FORM_TEMPLATE,
        context={"title": _("New scoring round"), "cancel_url": reverse("certification:round_list")},
    )


@login_required
def round_update(request, pk):
    scoring_round = _get_round(request, pk, Action.MANAGE)
    form = RoundForm(posted(request), user=request.user, scoring_round=scoring_round)

    def run(data):
        services.round_update(
            actor=request.user,
            scoring_round=scoring_round,
            self_score_due=data["self_score_due"],
            commend_top=data["commend_top"],
            support_bottom=data["support_bottom"],
        )
        return scoring_round.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("Scoring round saved."),
        template=FORM_TEMPLATE,
        context={
            "title": _("Edit %(round)s") % {"round": scoring_round},
            "scoring_round": scoring_round,
            "cancel_url": scoring_round.get_absolute_url(),
        },
    )


def source_label(criterion, labels):
    if not criterion.source:
        return ""
    return labels.get(criterion.source) or _("%(source)s (not available)") % {"source": criterion.source}


@login_required
def round_detail(request, pk):
    """The criteria (with their maximum and how they are scored) and the sheets of a round."""
    scoring_round = _get_round(request, pk)
    labels = dict(sources.choices())
    criteria = list(scoring_round.criteria.all())
    for criterion in criteria:
        criterion.source_label = source_label(criterion, labels)
    sheets = list(scoring_round.sheets.select_related("unit").order_by("unit__path"))
    scope = get_scope(request.user)
    path = scoring_round.unit.path
    counts = dict.fromkeys(Status.values, 0)
    for sheet in sheets:
        counts[sheet.status] += 1
    locked = bool(counts[Status.FINALISED] or counts[Status.APPROVED])
    return render(
        request,
        "certification/scoring/round_detail.html",
        {
            "scoring_round": scoring_round,
            "criteria": criteria,
            "max_total": sum((c.max_points for c in criteria), start=0),
            "sheets": sheets,
            "counts": counts,
            "locked": locked,
            "can_manage": scope.covers(Action.MANAGE, path),
            "can_approve": scope.covers(Action.APPROVE, path),
        },
    )


@login_required
def criteria_copy(request, pk):
    """Copy the criteria of the previous year's round of the same unit into an empty round."""
    scoring_round = _get_round(request, pk, Action.MANAGE)
    return _confirm(
        request,
        lambda: services.criteria_copy(actor=request.user, scoring_round=scoring_round),
        success=lambda copied: (
            _("%(count)s criteria copied from %(year)s.")
            % {"count": len(copied), "year": scoring_round.year - 1}
        ),
        target=scoring_round,
        context={
            "title": _("Copy the criteria of %(year)s") % {"year": scoring_round.year - 1},
            "scoring_round": scoring_round,
            "intro": _(
                "The criteria of the %(year)s round of %(unit)s are copied into this round, which must "
                "have none yet. You can change them until a score sheet is finalised."
            )
            % {"year": scoring_round.year - 1, "unit": scoring_round.unit},
            "confirm_label": _("Copy the criteria"),
            "confirm_css": "btn-primary",
        },
    )


def _opened_message(count):
    if count:
        return _("%(count)s score sheet(s) opened, with the computed criteria filled in.") % {"count": count}
    return _("Every unit already has its score sheet: none opened.")


@login_required
def round_open(request, pk):
    """Open a score sheet for every unit with a QMS under the round's unit that has none yet."""
    scoring_round = _get_round(request, pk, Action.MANAGE)
    return _confirm(
        request,
        lambda: services.round_open_sheets(actor=request.user, scoring_round=scoring_round),
        success=_opened_message,
        target=scoring_round,
        context={
            "title": _("Open the score sheets of %(round)s") % {"round": scoring_round},
            "scoring_round": scoring_round,
            "intro": _(
                "A score sheet is opened for every unit with a QMS under %(unit)s that has none yet. "
                "The computed criteria are filled in from the system; the officers then self-score "
                "the others."
            )
            % {"unit": scoring_round.unit},
            "confirm_label": _("Open the score sheets"),
            "confirm_css": "btn-primary",
        },
    )


@login_required
def round_approve(request, pk):
    """The steering committee approves every finalised sheet of the round at once."""
    scoring_round = _get_round(request, pk, Action.APPROVE)
    return _confirm(
        request,
        lambda: services.round_approve(actor=request.user, scoring_round=scoring_round),
        success=lambda count: _("%(count)s score sheet(s) approved.") % {"count": count},
        target=scoring_round,
        context={
            "title": _("Approve the finalised score sheets of %(round)s") % {"round": scoring_round},
            "scoring_round": scoring_round,
            "intro": _(
                "Every score sheet the supervisor has finalised is approved with its final score. "
                "Sheets still being scored are left as they are."
            ),
            "confirm_label": _("Approve"),
            "confirm_css": "btn-success",
        },
    )


# --- Criteria ------------------------------------------------------------------------------
@login_required
def criterion_create(request, pk):
    scoring_round = _get_round(request, pk, Action.MANAGE)
    form = CriterionForm(
        posted(request),
        user=request.user,
        initial={"order": scoring_round.criteria.count() + 1},
    )

    def run(data):
        services.criterion_create(actor=request.user, scoring_round=scoring_round, **form.service_fields())
        return scoring_round.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("Criterion added."),
        template=FORM_TEMPLATE,
        context={
            "title": _("New criterion of %(round)s") % {"round": scoring_round},
            "scoring_round": scoring_round,
            "cancel_url": scoring_round.get_absolute_url(),
        },
    )


def _get_criterion(request, pk):
    return get_scoped_object_or_404(
        Criterion.objects.select_related("round__unit"), request.user, Action.MANAGE, pk=pk
    )


@login_required
def criterion_update(request, pk):
    criterion = _get_criterion(request, pk)
    scoring_round = criterion.round
    form = CriterionForm(posted(request), user=request.user, criterion=criterion)

    def run(data):
        services.criterion_update(actor=request.user, criterion=criterion, **form.service_fields())
        return scoring_round.get_absolute_url()

    return run_form(
        request,
        form,
        run,
        success=_("Criterion saved."),
        template=FORM_TEMPLATE,
        context={
            "title": _("Edit criterion %(criterion)s") % {"criterion": criterion},
            "scoring_round": scoring_round,
            "cancel_url": scoring_round.get_absolute_url(),
        },
    )


@login_required
def criterion_delete(request, pk):
    criterion = _get_criterion(request, pk)
    scoring_round = criterion.round
    return _confirm(
        request,
        lambda: services.criterion_delete(actor=request.user, criterion=criterion),
        success=_("Criterion deleted."),
        target=scoring_round,
        context={
            "title": _("Delete criterion %(criterion)s") % {"criterion": criterion},
            "scoring_round": scoring_round,
            "danger": _("Its line is removed from every score sheet of the round, with the scores given."),
            "confirm_label": _("Delete"),
        },
    )


# --- Score sheets --------------------------------------------------------------------------
def _get_sheet(request, pk, action=Action.VIEW):
    return get_scoped_object_or_404(
        ScoreSheet.objects.select_related(
            "unit", "round__unit", "submitted_by", "finalised_by", "approved_by"
        ),
        request.user,
        action,
        pk=pk,
    )


def _lines(sheet):
    return list(
        ScoreLine.objects.filter(sheet=sheet)
        .select_related("criterion")
        .order_by("criterion__order", "criterion__code")
    )


@dataclass
class SheetRow:
    """One criterion of the sheet page, with the form fields of the stage being scored."""

    line: ScoreLine
    source_label: str = ""
    self_points: object = None
    self_comment: object = None
    final_points: object = None
    final_comment: object = None

    @property
    def errors(self):
        return [
            error
            for field in (self.self_points, self.self_comment, self.final_points, self.final_comment)
            if field is not None
            for error in field.errors
        ]


def _sheet_page(request, sheet, *, lines=None, self_form=None, final_form=None, return_form=None):
    """The sheet page; the forms given carry what was posted and the errors."""
    lines = lines if lines is not None else _lines(sheet)
    scope = get_scope(request.user)
    path = sheet.unit.path
    can_change = scope.covers(Action.CHANGE, path)
    can_manage = scope.covers(Action.MANAGE, path)
    if self_form is None and sheet.status == Status.DRAFT and can_change:
        self_form = SheetScoresForm(lines=lines, stage="self")
    if final_form is None and sheet.status == Status.SUBMITTED and can_manage:
        final_form = SheetScoresForm(lines=lines, stage="final", initial={"remarks": sheet.remarks})
    if return_form is None and sheet.status in (Status.SUBMITTED, Status.FINALISED) and can_manage:
        return_form = ReturnForm()
    labels = dict(sources.choices())
    rows = []
    for line in lines:
        row = SheetRow(line, source_label(line.criterion, labels))
        if self_form is not None:
            row.self_points, row.self_comment = self_form.field_for(line)
        if final_form is not None:
            row.final_points, row.final_comment = final_form.field_for(line)
        rows.append(row)
    decided = sheet.status in (Status.FINALISED, Status.APPROVED)
    return render(
        request,
        SHEET_TEMPLATE,
        {
            "sheet": sheet,
            "scoring_round": sheet.round,
            "rows": rows,
            "max_total": sum((line.criterion.max_points for line in lines), start=0),
            "rank": selectors.sheet_rank(sheet) if decided else None,
            "self_form": self_form,
            "final_form": final_form,
            "return_form": return_form,
            "can_submit": sheet.status == Status.DRAFT and can_change,
            "can_approve": sheet.status == Status.FINALISED and scope.covers(Action.APPROVE, path),
            "can_see_round": scope.covers(Action.VIEW, sheet.round.unit.path),
        },
    )


@login_required
def sheet_detail(request, pk):
    """One row per criterion: the figure from the system, the self-score and the final score
    with their comments; and the form of the stage the user may act on."""
    return _sheet_page(request, _get_sheet(request, pk))


def _refused(request, sheet, exc):
    """A refusal that concerns the whole sheet (its status), not one line: say it, go back."""
    messages.error(request, " ".join(exc.messages))
    return redirect(sheet)


@login_required
def sheet_self_score(request, pk):
    """The officer saves the self-score of the criteria scored by hand (the sheet stays a draft)."""
    sheet = _get_sheet(request, pk, Action.CHANGE)
    if request.method != "POST":
        return redirect(sheet)
    lines = _lines(sheet)
    form = SheetScoresForm(request.POST, lines=lines, stage="self")
    if form.is_valid():
        try:
            with transaction.atomic():
                services.sheet_self_score(actor=request.user, sheet=sheet, scores=form.scores())
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _refused(request, sheet, exc)
            add_service_error(form, exc)
        else:
            messages.success(request, _("Self-score saved. Submit it when every criterion is scored."))
            return redirect(sheet)
    return _sheet_page(request, sheet, lines=lines, self_form=form)


@login_required
def sheet_submit(request, pk):
    """The officer hands in the self-score (confirmation). A line without points or a comment
    is shown with its error, and the sheet stays a draft."""
    sheet = _get_sheet(request, pk, Action.CHANGE)
    if sheet.status != Status.DRAFT:
        messages.error(request, _("This score sheet has already been submitted."))
        return redirect(sheet)
    if request.method == "POST":
        try:
            with transaction.atomic():
                services.sheet_submit(actor=request.user, sheet=sheet)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _refused(request, sheet, exc)
            lines = _lines(sheet)
            form = SheetScoresForm.as_saved(lines=lines, stage="self")
            add_service_error(form, exc)
            messages.error(request, _("The self-score cannot be submitted yet: see the marked criteria."))
            return _sheet_page(request, sheet, lines=lines, self_form=form)
        messages.success(request, _("Self-score submitted to the supervisor."))
        return redirect(sheet)
    return render(
        request,
        CONFIRM_TEMPLATE,
        {
            "title": _("Submit the self-score of %(unit)s") % {"unit": sheet.unit},
            "sheet": sheet,
            "scoring_round": sheet.round,
            "intro": _(
                "Self-score: %(total)s points. Once submitted, the sheet can no longer be changed "
                "unless the supervisor sends it back."
            )
            % {"total": sheet.self_total},
            "confirm_label": _("Submit"),
            "confirm_css": "btn-primary",
            "cancel_url": sheet.get_absolute_url(),
        },
    )


@login_required
def sheet_finalise(request, pk):
    """The supervisor sets the final score of a submitted sheet; a final score that differs from
    the self-score needs a comment."""
    sheet = _get_sheet(request, pk, Action.MANAGE)
    if request.method != "POST":
        return redirect(sheet)
    lines = _lines(sheet)
    form = SheetScoresForm(request.POST, lines=lines, stage="final")
    if form.is_valid():
        try:
            with transaction.atomic():
                services.sheet_finalise(
                    actor=request.user,
                    sheet=sheet,
                    scores=form.scores(),
                    remarks=form.cleaned_data.get("remarks", ""),
                )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _refused(request, sheet, exc)
            add_service_error(form, exc)
        else:
            messages.success(request, _("Final score recorded; the sheet awaits the committee's approval."))
            return redirect(sheet)
    return _sheet_page(request, sheet, lines=lines, final_form=form)


@login_required
def sheet_return(request, pk):
    """The supervisor sends a submitted or finalised sheet back to the officer, saying why."""
    sheet = _get_sheet(request, pk, Action.MANAGE)
    if request.method != "POST":
        return redirect(sheet)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.sheet_return(actor=request.user, sheet=sheet, remarks=form.cleaned_data["remarks"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _refused(request, sheet, exc)
            add_service_error(form, exc)
        else:
            messages.success(request, _("Score sheet sent back to the unit."))
            return redirect(sheet)
    return _sheet_page(request, sheet, return_form=form)


@login_required
def sheet_approve(request, pk):
    """The steering committee approves the final score (confirmation)."""
    sheet = _get_sheet(request, pk, Action.APPROVE)
    return _confirm(
        request,
        lambda: services.sheet_approve(actor=request.user, sheet=sheet),
        success=_("Score sheet approved."),
        target=sheet,
        context={
            "title": _("Approve the score sheet of %(unit)s") % {"unit": sheet.unit},
            "sheet": sheet,
            "scoring_round": sheet.round,
            "intro": _("Final score: %(total)s points.") % {"total": sheet.final_total},
            "confirm_label": _("Approve"),
            "confirm_css": "btn-success",
            "cancel_url": sheet.get_absolute_url(),
        },
    )


# --- League table and export ---------------------------------------------------------------
@login_required
def league_table(request, pk):
    """The sheets ranked by final score, the commendation proposals (top N) and the units
    needing support (bottom N); provisional until every sheet is approved."""
    scoring_round = _get_round(request, pk)
    table = selectors.league_table(scoring_round)
    commended = {s.pk for s in table.commendation}
    supported = {s.pk for s in table.needs_support}
    for sheet in table.rows:
        sheet.commended = sheet.pk in commended
        sheet.needs_support = sheet.pk in supported
    return render(
        request,
        "certification/scoring/league_table.html",
        {
            "scoring_round": scoring_round,
            "table": table,
            "max_total": sum((c.max_points for c in table.criteria), start=0),
        },
    )


@login_required
def league_export(request, pk):
    """The league table as an Excel workbook, for the annual evaluation of the unit heads."""
    scoring_round = _get_round(request, pk)
    content = league_workbook(selectors.league_table(scoring_round, with_lines=True))
    response = HttpResponse(content, content_type=XLSX)
    filename = f"cham-diem-iso-{scoring_round.year}-{scoring_round.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
