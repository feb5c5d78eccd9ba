"""Pages of internal audits (ISO 9001:2015 §9.2): yearly programmes with their fan-out, audits and
their plan, checklists grouped by clause, findings with attachments, the report (also as a PDF),
closure, and the audit depth per unit.

Everything is read through `for_user`: out of scope → 404, in scope without the right → 403.
Who writes what: the supervisor (MANAGE) sets programmes and plans and closes audits; the audit
team (the lead and the team members, with AUDIT on the unit) records the checklist and the
findings; the lead issues the report. The rules live in audits.services; a ValidationError lands
on the form or in a message, a PermissionDenied answers 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic
from django.views.decorators.http import require_http_methods

from audits import selectors
from audits.filters import AuditFilter, ProgrammeFilter
from audits.forms import (
    AnswerForm,
    AuditPlanForm,
    ChecklistItemForm,
    FindingForm,
    ProgrammeForm,
    ReportForm,
    upload_error_field,
)
from audits.models import Audit, AuditProgramme, ChecklistItem, Finding, FindingAttachment
from audits.report import clause_groups
from audits.services import audits as services
from audits.tables import AuditTable, ProgrammeTable
from communes.models import Unit
from core import files as filetypes
from core.forms import UploadForm, add_service_error
from core.scoping import Action, can_anywhere, get_scope
from core.templatetags.qms import person
from core.views import ScopedDetailView, ScopedListView, get_scoped_object_or_404, posted, refuse

State = Audit.State
WORK_STATES = (State.PLANNED, State.IN_PROGRESS)


# --- Helpers ---------------------------------------------------------------------------------------
def _audits():
    return Audit.objects.select_related("unit", "programme", "lead_auditor")


def _get_audit(request, pk, action=Action.VIEW):
    return get_scoped_object_or_404(_audits(), request.user, action, pk=pk)


def can_work(user, audit):
    """The audit team (with AUDIT on the unit) or the unit's supervisor records the audit's work."""
    return services._can_be_on_audit(user, audit)


def can_issue_report(user, audit):
    return audit.lead_auditor_id == user.pk or get_scope(user).covers(Action.MANAGE, audit.unit.path)


def _get_audit_to_work(request, pk):
    audit = _get_audit(request, pk)
    if not can_work(request.user, audit):
        raise PermissionDenied
    return audit


def _state_refusal(audit):
    return _("This audit is %(state)s: the action is not possible now.") % {
        "state": audit.get_state_display()
    }


def _run_form(request, form, run, *, success, context, template="audits/action_form.html", file_field=None):
    """Validate `form`, call `run(cleaned_data)` (a service, in one transaction); on success say
    `success` and redirect to what `run` returns; otherwise show the form with the errors."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                target = run(form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc, field_for_plain=file_field(exc) if file_field else None)
        else:
            messages.success(request, success)
            return redirect(target)
    return render(request, template, {"form": form, **context})


def _confirm(request, run, *, success, target, context):
    """A confirmation page (GET) for a one-off action; POST runs it: a refusal is a message.
    `success` is the message, or a function of what `run` returns."""
    if request.method == "POST":
        try:
            result = run()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, success(result) if callable(success) else success)
        return redirect(target)
    return render(request, "audits/action_form.html", context)


# --- Programmes --------------------------------------------------------------------------------
class ProgrammeListView(ScopedListView):
    model = AuditProgramme
    table_class = ProgrammeTable
    filterset_class = ProgrammeFilter
    template_name = "audits/programme_list.html"

    def get_queryset(self):
        return (
            AuditProgramme.objects.for_user(self.request.user)
            .select_related("unit")
            .annotate(
                audits_count=Count("audits", distinct=True),
                closed_count=Count("audits", filter=Q(audits__state=State.CLOSED), distinct=True),
            )
            .order_by("-year", "unit__path")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = can_anywhere(self.request.user, Action.MANAGE)
        return context


def _fan_out_notes(programme, lead, team):
    """Who was left off which audit because they are the ISO officer there (independence)."""
    wanted = [u for u in [lead, *team] if u is not None]
    notes = []
    if not wanted:
        return notes
    audits = (
        programme.audits.select_related("unit", "lead_auditor")
        .prefetch_related("team")
        .order_by("unit__path")
    )
    for audit in audits:
        present = {audit.lead_auditor_id, *(u.pk for u in audit.team.all())}
        for user in wanted:
            if user.pk not in present:
                notes.append(
                    _("%(person)s was left off the audit of %(unit)s, where they are the ISO officer.")
                    % {"person": person(user), "unit": audit.unit}
                )
    return notes


@login_required
def programme_create(request):
    if not can_anywhere(request.user, Action.MANAGE):
        raise PermissionDenied
    form = ProgrammeForm(posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                programme = services.programme_create(
                    actor=request.user,
                    unit=data["unit"],
                    year=data["year"],
                    title=data["title"],
                    objectives=data["objectives"],
                    month=data["month"],
                    clauses=data["clauses"],
                    lead_auditor=data["lead_auditor"],
                    team=list(data["team"]),
                )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            count = programme.audits.count()
            messages.success(
                request,
                _("Programme created: %(count)s audits planned.") % {"count": count},
            )
            for note in _fan_out_notes(programme, data["lead_auditor"], list(data["team"])):
                messages.warning(request, note)
            return redirect(programme)
    return render(
        request,
        "audits/action_form.html",
        {"form": form, "title": _("New audit programme"), "cancel_url": reverse("audits:programme_list")},
    )


class ProgrammeDetailView(ScopedDetailView):
    model = AuditProgramme
    template_name = "audits/programme_detail.html"

    def get_base_queryset(self):
        return AuditProgramme.objects.select_related("unit", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audits = selectors.with_depth(
            Audit.objects.for_user(self.request.user)
            .filter(programme=self.object)
            .select_related("unit", "lead_auditor")
            .prefetch_related("team")
            .order_by("unit__path")
        )
        context.update(
            audits=audits,
            clauses_total=selectors.clause_total(),
            can_manage=get_scope(self.request.user).covers(Action.MANAGE, self.object.unit.path),
        )
        return context


# --- Audits ------------------------------------------------------------------------------------
class AuditListView(ScopedListView):
    model = Audit
    table_class = AuditTable
    filterset_class = AuditFilter
    template_name = "audits/audit_list.html"

    def get_queryset(self):
        return selectors.with_depth(
            Audit.objects.for_user(self.request.user).select_related("unit", "programme", "lead_auditor")
        )

    def get_table_kwargs(self):
        return {"clauses_total": selectors.clause_total()}


class AuditDetailView(ScopedDetailView):
    model = Audit
    template_name = "audits/audit_detail.html"

    def get_base_queryset(self):
        return selectors.with_depth(_audits())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit, user = self.object, self.request.user
        items = list(audit.checklist.select_related("clause"))
        findings = audit.findings.select_related("clause", "raised_by", "checklist_item").prefetch_related(
            Prefetch("attachments", queryset=FindingAttachment.objects.order_by("original_name"))
        )
        working = can_work(user, audit)
        context.update(
            audit=audit,
            depth=selectors.depth_of(audit),
            team=list(audit.team.all()),
            clauses=list(audit.scope_clauses.all()),
            groups=clause_groups(items),
            answers=ChecklistItem.Answer.choices,
            findings=list(findings.select_related("nonconformity")),
            can_manage=get_scope(user).covers(Action.MANAGE, audit.unit.path),
            can_work=working and audit.state in WORK_STATES,
            can_answer=working and audit.state == State.IN_PROGRESS,
            can_report=can_issue_report(user, audit) and audit.state == State.IN_PROGRESS,
            has_previous=audit.state in WORK_STATES
            and Audit.objects.filter(
                unit=audit.unit, planned_month__lt=audit.planned_month, checklist__isnull=False
            ).exists(),
        )
        return context


@login_required
def audit_update(request, pk):
    audit = _get_audit(request, pk, Action.MANAGE)
    if audit.state != State.PLANNED:
        return refuse(request, _state_refusal(audit), audit)
    form = AuditPlanForm(posted(request), audit=audit)

    def run(data):
        services.audit_plan(
            actor=request.user,
            audit=audit,
            planned_month=data["planned_month"],
            lead_auditor=data["lead_auditor"],
            team=list(data["team"]),
            clauses=list(data["clauses"]),
            processes=data["processes"],
        )
        return audit

    return _run_form(
        request,
        form,
        run,
        success=_("Audit plan saved."),
        context={"audit": audit, "title": _("Plan the audit of %(unit)s") % {"unit": audit.unit}},
    )


@login_required
def audit_start(request, pk):
    audit = _get_audit_to_work(request, pk)
    if audit.state != State.PLANNED:
        return refuse(request, _state_refusal(audit), audit)
    return _confirm(
        request,
        lambda: services.audit_start(actor=request.user, audit=audit),
        success=_("Audit started: answer the checklist and record the findings."),
        target=audit,
        context={
            "audit": audit,
            "title": _("Start the audit of %(unit)s") % {"unit": audit.unit},
            "intro": _("The plan can no longer be changed once the audit has started."),
            "confirm_label": _("Start the audit"),
            "confirm_css": "btn-primary",
        },
    )


@login_required
def checklist_add(request, pk):
    audit = _get_audit_to_work(request, pk)
    if audit.state not in WORK_STATES:
        return refuse(request, _state_refusal(audit), audit)
    form = ChecklistItemForm(posted(request), audit=audit)

    def run(data):
        item = services.checklist_add(
            actor=request.user, audit=audit, clause=data["clause"], question=data["question"]
        )
        return f"{audit.get_absolute_url()}#item-{item.pk}"

    return _run_form(
        request,
        form,
        run,
        success=_("Question added."),
        context={"audit": audit, "title": _("New checklist question")},
    )


@login_required
def checklist_copy(request, pk):
    audit = _get_audit_to_work(request, pk)
    if audit.state not in WORK_STATES:
        return refuse(request, _state_refusal(audit), audit)
    return _confirm(
        request,
        lambda: services.checklist_copy_previous(actor=request.user, audit=audit),
        success=lambda count: _("%(count)s questions copied.") % {"count": count},
        target=audit,
        context={
            "audit": audit,
            "title": _("Copy the checklist of the previous audit"),
            "intro": _(
                "The questions of the unit's previous audit are added to this checklist, "
                "with their answers and evidence left empty."
            ),
            "confirm_label": _("Copy the questions"),
            "confirm_css": "btn-primary",
        },
    )


def _get_item(request, pk):
    item = get_scoped_object_or_404(
        ChecklistItem.objects.select_related("audit__unit", "clause"), request.user, Action.VIEW, pk=pk
    )
    if not can_work(request.user, item.audit):
        raise PermissionDenied
    return item


@login_required
@require_http_methods(["GET", "POST"])
def checklist_answer(request, pk):
    """The answer to one question: an inline row (htmx) on the audit's page, or a page of its own."""
    item = _get_item(request, pk)
    audit = item.audit
    if audit.state != State.IN_PROGRESS:
        if request.htmx:
            return _item_partial(request, item, error=_state_refusal(audit))
        return refuse(request, _state_refusal(audit), audit)
    form = AnswerForm(posted(request), initial={"answer": item.answer, "evidence": item.evidence})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_answer(
                actor=request.user,
                item=item,
                answer=form.cleaned_data["answer"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
            add_service_error(form, exc)
        else:
            if request.htmx:
                return _item_partial(request, item, saved=True)
            messages.success(request, _("Answer saved."))
            return redirect(f"{audit.get_absolute_url()}#item-{item.pk}")
        item.refresh_from_db()
    elif request.method == "POST":
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        return _item_partial(
            request, item, error=error, posted=form.data if request.method == "POST" else None
        )
    return render(
        request,
        "audits/action_form.html",
        {"form": form, "audit": audit, "item": item, "title": _("Answer the question")},
    )


def _item_partial(request, item, *, error=None, saved=False, posted=None):
    """The row of one question (htmx swaps it in place); after an error, with what was typed."""
    posted = posted or {}
    context = {
        "item": item,
        "can_answer": item.audit.state == State.IN_PROGRESS,
        "answers": ChecklistItem.Answer.choices,
        "answer_value": posted.get("answer", item.answer),
        "evidence_value": posted.get("evidence", item.evidence),
        "error": error,
        "saved": saved,
    }
    return render(request, "audits/_checklist_item.html", context)


@login_required
def finding_create(request, pk):
    audit = _get_audit_to_work(request, pk)
    if audit.state != State.IN_PROGRESS:
        return refuse(request, _state_refusal(audit), audit)
    initial = {}
    wanted = request.GET.get("item", "")
    if wanted.isdigit():
        item = audit.checklist.filter(pk=wanted).first()
        if item is not None:
            initial = {"checklist_item": item.pk, "clause": item.clause_id, "evidence": item.evidence}
    form = FindingForm(*posted(request, files=True), audit=audit, initial=initial)

    def run(data):
        finding = services.finding_raise(
            actor=request.user,
            audit=audit,
            kind=data["kind"],
            clause=data["clause"],
            description=data["description"],
            evidence=data["evidence"],
            checklist_item=data["checklist_item"],
        )
        if data.get("file"):
            services.finding_attach(actor=request.user, finding=finding, upload=data["file"])
        return finding.get_absolute_url()

    return _run_form(
        request,
        form,
        run,
        success=_(
            "Finding recorded. A major or minor nonconformity opens a nonconformity of the unit "
            "for its corrective action."
        ),
        context={"audit": audit, "title": _("New finding")},
        file_field=upload_error_field,
    )


@login_required
def finding_attach(request, pk):
    finding = get_scoped_object_or_404(
        Finding.objects.select_related("audit__unit", "clause"), request.user, Action.VIEW, pk=pk
    )
    audit = finding.audit
    if not can_work(request.user, audit):
        raise PermissionDenied
    form = UploadForm(*posted(request, files=True))

    def run(data):
        services.finding_attach(actor=request.user, finding=finding, upload=data["file"])
        return finding.get_absolute_url()

    return _run_form(
        request,
        form,
        run,
        success=_("File attached."),
        context={"audit": audit, "finding": finding, "title": _("Attach evidence to the finding")},
        file_field=upload_error_field,
    )


@login_required
def attachment_download(request, pk):
    attached = (
        FindingAttachment.objects.for_user(request.user)
        .select_related("finding__audit")
        .filter(pk=pk)
        .first()
    )
    if attached is None:
        raise Http404
    try:
        handle = attached.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attached.original_name,
        content_type=filetypes.CONTENT_TYPES.get(attached.file_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def audit_report(request, pk):
    audit = _get_audit(request, pk)
    if not can_issue_report(request.user, audit):
        raise PermissionDenied
    if audit.state != State.IN_PROGRESS:
        return refuse(request, _state_refusal(audit), audit)
    form = ReportForm(posted(request), initial={"conclusion": audit.conclusion})

    def run(data):
        services.audit_issue_report(actor=request.user, audit=audit, conclusion=data["conclusion"])
        return audit

    depth = selectors.depth_of(audit)
    return _run_form(
        request,
        form,
        run,
        success=_("Report issued. The unit now acts on the nonconformities."),
        context={
            "audit": audit,
            "depth": depth,
            "title": _("Issue the report of the audit of %(unit)s") % {"unit": audit.unit},
            "intro": _("Once issued, the checklist and the findings can no longer change."),
        },
    )


@login_required
def audit_report_pdf(request, pk):
    from audits.report import render_audit_report

    audit = _get_audit(request, pk)
    pdf = render_audit_report(audit)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"bao-cao-danh-gia-noi-bo-{audit.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def audit_close(request, pk):
    audit = _get_audit(request, pk, Action.MANAGE)
    if audit.state != State.REPORT_ISSUED:
        return refuse(request, _state_refusal(audit), audit)
    return _confirm(
        request,
        lambda: services.audit_close(actor=request.user, audit=audit),
        success=_("Audit closed."),
        target=audit,
        context={
            "audit": audit,
            "title": _("Close the audit of %(unit)s") % {"unit": audit.unit},
            "intro": _("An audit closes once all its nonconformities are closed."),
            "confirm_label": _("Close the audit"),
            "confirm_css": "btn-success",
        },
    )


# --- Depth per unit ------------------------------------------------------------------------------
def depth_figures(audit, total):
    """selectors.depth_of without its query for the number of clauses (asked once per page)."""
    return {
        "clauses_covered": audit.clauses_covered,
        "clauses_total": total,
        "clause_rate": audit.clauses_covered / total if total else None,
        "questions": audit.questions,
        "answered": audit.answered,
        "findings": audit.findings_count,
        "findings_with_evidence": audit.findings_with_evidence,
    }


class UnitDepthView(LoginRequiredMixin, generic.TemplateView):
    """The depth of the last internal audit of each unit in scope (started or later): clauses
    covered out of all clauses, questions answered, findings with evidence. Shallow audits show
    at a glance. Three queries, whatever the number of units."""

    template_name = "audits/unit_depth.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        last = (
            Audit.objects.filter(unit=OuterRef("pk"))
            .exclude(state=State.PLANNED)
            .order_by("-planned_month", "-pk")
            .values("pk")[:1]
        )
        units = list(
            Unit.objects.for_user(self.request.user, Action.VIEW)
            .active_on()
            .filter(joined_on__isnull=False)
            .annotate(last_audit=Subquery(last))
            .only("name", "path", "kind")
            .order_by("path")
        )
        audits = selectors.with_depth(
            Audit.objects.filter(pk__in=[u.last_audit for u in units if u.last_audit])
        )
        audits = {a.pk: a for a in audits}
        total = selectors.clause_total()
        rows = []
        for unit in units:
            audit = audits.get(unit.last_audit)
            rows.append((unit, audit, depth_figures(audit, total) if audit else None))
        context.update(rows=rows, clauses_total=total)
        return context
