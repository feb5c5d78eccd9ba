"""Pages of the catalogues: TTHC, announcing decisions (with the import of their lists),
applicability, coverage per unit, and the register of legal documents.

The catalogues are shared by every unit: everyone logged in reads them; only the supervisors'
ISO staff (and superusers) write them, through documents.services.catalogue. Unit-owned data
shown beside them (documents, coverage) is narrowed to the user's scope.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import generic
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from communes.models import Unit
from core.scoping import Action, can_anywhere, get_scope
from core.views import get_scoped_object_or_404
from documents import selectors
from documents.filters_catalogue import CoverageFilter, DecisionFilter, LegalDocumentFilter, ProcedureFilter
from documents.forms_catalogue import (
    ApplicabilityForm,
    DecisionForm,
    DecisionImportForm,
    DecisionItemForm,
    LegalDocumentForm,
    ProcedureForm,
)
from documents.models import (
    DecisionItem,
    Document,
    LegalChange,
    LegalDocument,
    Procedure,
    ProcedureDecision,
    UpdateTask,
)
from documents.services import catalogue, imports
from documents.tables_catalogue import (
    CoverageTable,
    DecisionItemTable,
    DecisionTable,
    LegalDocumentTable,
    ProcedureTable,
)


def is_catalogue_manager(user) -> bool:
    return can_anywhere(user, Action.MANAGE)


class CatalogueReadMixin(LoginRequiredMixin):
    """Everyone logged in reads the catalogues; the templates learn whether they may write."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage_catalogue"] = is_catalogue_manager(self.request.user)
        return context


class CatalogueManagerMixin(CatalogueReadMixin):
    """Writes on the catalogues: the supervisors' ISO staff only (403 for anyone else)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_catalogue_manager(request.user):
            raise PermissionDenied(_("Only the supervisor's ISO staff keep the catalogues."))
        self.load_objects(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load_objects(self, **kwargs):
        """Fetch the objects named in the URL, once the user is known to be allowed."""


class CatalogueFormMixin(CatalogueManagerMixin):
    """The form takes the user; the save goes through `perform_save` (a service) and a
    ValidationError from the service lands on the form with nothing saved."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def perform_save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.perform_save(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        return HttpResponseRedirect(self.get_success_url())


class CatalogueListView(CatalogueReadMixin, SingleTableMixin, FilterView):
    paginate_by = 25

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        return kwargs


def _documents_in_scope(user, **lookup):
    return (
        Document.objects.for_user(user, Action.VIEW)
        .filter(**lookup)
        .select_related("unit")
        .order_by("unit__path", "code")
    )


# --- TTHC ----------------------------------------------------------------------------------------
class ProcedureListView(CatalogueListView):
    model = Procedure
    table_class = ProcedureTable
    filterset_class = ProcedureFilter
    template_name = "procedures/procedure_list.html"

    def get_queryset(self):
        return Procedure.objects.all()


class ProcedureDetailView(CatalogueReadMixin, generic.DetailView):
    model = Procedure
    template_name = "procedures/procedure_detail.html"
    context_object_name = "procedure"

    def get_queryset(self):
        return Procedure.objects.prefetch_related(
            Prefetch("legal_bases", queryset=LegalDocument.objects.order_by("-effective_on", "number"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        procedure, user = self.object, self.request.user
        scope = get_scope(user)
        applicabilities = list(
            procedure.applicabilities.select_related("unit").order_by("unit_kind", "unit__path")
        )
        for applicability in applicabilities:
            applicability.viewable = applicability.unit_id and scope.covers(
                Action.VIEW, applicability.unit.path
            )
        documents = _documents_in_scope(user, procedures=procedure)
        context.update(
            kinds=[a for a in applicabilities if not a.unit_id],
            applicable_units=[a for a in applicabilities if a.unit_id],
            decision_items=DecisionItem.objects.filter(procedure=procedure)
            .select_related("decision")
            .order_by("-decision__effective_on", "decision__number"),
            documents=documents[:100],
            document_count=documents.count(),
        )
        return context


class ProcedureFormMixin(CatalogueFormMixin):
    model = Procedure
    form_class = ProcedureForm
    template_name = "procedures/procedure_form.html"

    def perform_save(self, form):
        return catalogue.procedure_save(
            actor=self.request.user, procedure=form.instance, legal_bases=form.cleaned_data["legal_bases"]
        )


class ProcedureCreateView(ProcedureFormMixin, generic.CreateView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("New TTHC"), **kwargs)

    def get_success_url(self):
        messages.success(self.request, _("%(code)s is in the catalogue.") % {"code": self.object.code})
        return self.object.get_absolute_url()


class ProcedureUpdateView(ProcedureFormMixin, generic.UpdateView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit %(code)s") % {"code": self.object.code}, **kwargs)

    def get_success_url(self):
        messages.success(self.request, _("%(code)s saved.") % {"code": self.object.code})
        return self.object.get_absolute_url()


class ApplicabilityView(CatalogueFormMixin, generic.FormView):
    """Where a TTHC applies. Units the user does not manage keep their rows untouched."""

    form_class = ApplicabilityForm
    template_name = "procedures/applicability_form.html"

    def load_objects(self, pk, **kwargs):
        self.procedure = get_object_or_404(Procedure, pk=pk)

    def _current(self):
        rows = list(self.procedure.applicabilities.select_related("unit"))
        manageable = get_scope(self.request.user)
        kinds = [a.unit_kind for a in rows if not a.unit_id]
        mine = [a.unit for a in rows if a.unit_id and manageable.covers(Action.MANAGE, a.unit.path)]
        others = [a.unit for a in rows if a.unit_id and not manageable.covers(Action.MANAGE, a.unit.path)]
        return kinds, mine, others

    def get_initial(self):
        kinds, mine, _others = self._current()
        return {"unit_kinds": kinds, "units": mine}

    def get_context_data(self, **kwargs):
        _kinds, _mine, others = self._current()
        return super().get_context_data(procedure=self.procedure, kept_units=others, **kwargs)

    def perform_save(self, form):
        _kinds, _mine, others = self._current()
        self.tasks_opened = catalogue.applicability_set(
            actor=self.request.user,
            procedure=self.procedure,
            unit_kinds=form.cleaned_data["unit_kinds"],
            units=list(form.cleaned_data["units"]) + others,
        )
        return self.procedure

    def get_success_url(self):
        message = _("Applicability of %(code)s saved.") % {"code": self.procedure.code}
        if self.tasks_opened:
            message += " " + ngettext(
                "%(count)s update task opened.", "%(count)s update tasks opened.", self.tasks_opened
            ) % {"count": self.tasks_opened}
        messages.success(self.request, message)
        return self.procedure.get_absolute_url()


# --- Announcing decisions ------------------------------------------------------------------------
class DecisionListView(CatalogueListView):
    model = ProcedureDecision
    table_class = DecisionTable
    filterset_class = DecisionFilter
    template_name = "procedures/decision_list.html"

    def get_queryset(self):
        return ProcedureDecision.objects.annotate(n_items=Count("items")).order_by("-effective_on", "number")


class DecisionCreateView(CatalogueFormMixin, generic.CreateView):
    model = ProcedureDecision
    form_class = DecisionForm
    template_name = "procedures/decision_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("New announcing decision"), **kwargs)

    def perform_save(self, form):
        return catalogue.decision_save(actor=self.request.user, decision=form.instance)

    def get_success_url(self):
        messages.success(
            self.request,
            _("Decision %(number)s registered: now add the TTHC it lists, or import them.")
            % {"number": self.object.number},
        )
        return self.object.get_absolute_url()


class DecisionDetailView(CatalogueReadMixin, generic.DetailView):
    model = ProcedureDecision
    template_name = "procedures/decision_detail.html"
    context_object_name = "decision"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = (
            DecisionItem.objects.filter(decision=self.object)
            .select_related("procedure")
            .annotate(n_tasks=Count("update_tasks"))
        )
        table = DecisionItemTable(items)
        RequestConfig(self.request, paginate={"per_page": 100}).configure(table)
        # Counted apart from `items`: its join on the tasks would count an item once per task.
        counts = dict(
            DecisionItem.objects.filter(decision=self.object)
            .order_by()
            .values_list("change")
            .annotate(n=Count("pk"))
            .values_list("change", "n")
        )
        context.update(
            table=table,
            item_counts=[(label, counts.get(value, 0)) for value, label in DecisionItem.Change.choices],
            task_count=UpdateTask.objects.filter(decision_item__decision=self.object).count(),
        )
        return context


class DecisionItemCreateView(CatalogueFormMixin, generic.FormView):
    form_class = DecisionItemForm
    template_name = "procedures/decision_item_form.html"

    def load_objects(self, pk, **kwargs):
        self.decision = get_object_or_404(ProcedureDecision, pk=pk)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"decision": self.decision}

    def get_context_data(self, **kwargs):
        return super().get_context_data(decision=self.decision, **kwargs)

    def perform_save(self, form):
        data, actor = form.cleaned_data, self.request.user
        procedure = data["procedure"]
        if procedure is None:
            procedure = catalogue.procedure_save(
                actor=actor,
                procedure=Procedure(
                    code=data["new_code"].strip(),
                    name=data["new_name"].strip(),
                    field=data["new_field"].strip(),
                    level=data["new_level"],
                ),
            )
        self.item = catalogue.decision_add_item(
            actor=actor, decision=self.decision, procedure=procedure, change=data["change"], note=data["note"]
        )
        return self.item

    def get_success_url(self):
        n = self.item.update_tasks.count()
        messages.success(
            self.request,
            ngettext(
                "%(code)s added to the decision; %(count)s update task opened.",
                "%(code)s added to the decision; %(count)s update tasks opened.",
                n,
            )
            % {"code": self.item.procedure.code, "count": n},
        )
        return self.decision.get_absolute_url()


# --- Import of a decision's list ------------------------------------------------------------------
def _session_key(decision) -> str:
    return f"procedure_import:{decision.pk}"


class DecisionImportView(CatalogueManagerMixin, generic.FormView):
    """Step 1: upload and preview. Nothing is saved; the parsed rows wait in the session."""

    form_class = DecisionImportForm
    template_name = "procedures/decision_import.html"

    def load_objects(self, pk, **kwargs):
        self.decision = get_object_or_404(ProcedureDecision, pk=pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(decision=self.decision, max_rows=imports.MAX_ROWS, **kwargs)

    def form_valid(self, form):
        rows = form.rows
        self.request.session[_session_key(self.decision)] = {
            "file_name": form.cleaned_data["file"].name[:200],
            "rows": rows,
        }
        check = imports.validate_rows(self.decision, rows)
        return self.render_to_response(
            self.get_context_data(
                form=self.get_form_class()(user=self.request.user),
                check=check,
                file_name=form.cleaned_data["file"].name,
            )
        )


@method_decorator(require_POST, name="dispatch")
class DecisionImportConfirmView(CatalogueManagerMixin, generic.View):
    """Step 2: write the previewed rows, all or nothing; refused while any row has an error."""

    def post(self, request, pk):
        decision = get_object_or_404(ProcedureDecision, pk=pk)
        pending = request.session.get(_session_key(decision))
        import_url = reverse("procedures:decision_import", args=[decision.pk])
        if not pending or not pending.get("rows"):
            messages.error(request, _("There is no previewed list to import: upload the file again."))
            return redirect(import_url)
        try:
            check = imports.import_rows(actor=request.user, decision=decision, raw_rows=pending["rows"])
        except ValidationError as exc:
            check = imports.validate_rows(decision, pending["rows"])
            for message in exc.messages:
                messages.error(request, message)
            context = {
                "decision": decision,
                "form": DecisionImportForm(user=request.user),
                "check": check,
                "file_name": pending.get("file_name", ""),
                "max_rows": imports.MAX_ROWS,
                "can_manage_catalogue": True,
            }
            return render(request, "procedures/decision_import.html", context, status=400)
        del request.session[_session_key(decision)]
        tasks = UpdateTask.objects.filter(decision_item__decision=decision).count()
        messages.success(
            request,
            _(
                "%(rows)s TTHC imported into decision %(number)s; the decision has opened %(tasks)s update task(s)."
            )
            % {"rows": len(check.rows), "number": decision.number, "tasks": tasks},
        )
        return redirect(decision)


# --- Coverage -------------------------------------------------------------------------------------
def _programme_units(user):
    """Units of the user's scope in the QMS programme and in operation today."""
    return (
        Unit.objects.for_user(user, Action.VIEW)
        .filter(joined_on__isnull=False)
        .active_on()
        .only("pk", "name", "kind", "path")
    )


class CoverageView(LoginRequiredMixin, generic.TemplateView):
    """Per unit: applicable TTHC, those with a procedure in force, the rate and the gaps."""

    template_name = "procedures/coverage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        unit_filter = CoverageFilter(self.request.GET or None, queryset=_programme_units(user), user=user)
        units = unit_filter.qs
        coverage = selectors.coverage_for_units(units)
        kinds = dict(Unit.Kind.choices)
        rows = []
        for cov in coverage.values():
            rate = None if cov.rate is None else cov.rate * 100
            rows.append(
                {
                    "unit": cov.unit.name,
                    "unit_pk": cov.unit.pk,
                    "unit_url": cov.unit.get_absolute_url(),
                    "path": cov.unit.path,
                    "kind": kinds.get(cov.unit.kind, cov.unit.kind),
                    "applicable": len(cov.applicable),
                    "covered": len(cov.covered),
                    "rate": rate,
                    "rate_sort": -1 if rate is None else rate,
                    "gaps": len(cov.gaps),
                }
            )
        rows.sort(key=lambda r: r["path"])
        table = CoverageTable(rows)
        RequestConfig(self.request, paginate={"per_page": 50}).configure(table)
        applicable = sum(r["applicable"] for r in rows)
        covered = sum(r["covered"] for r in rows)
        context.update(
            filter=unit_filter,
            table=table,
            totals={
                "units": len(rows),
                "applicable": applicable,
                "covered": covered,
                "gaps": applicable - covered,
                "rate": covered * 100 / applicable if applicable else None,
            },
        )
        return context


class CoverageUnitView(LoginRequiredMixin, generic.TemplateView):
    """The gaps of one unit: applicable TTHC without a procedure in force."""

    template_name = "procedures/coverage_unit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        unit = get_scoped_object_or_404(Unit.objects.all(), user, Action.VIEW, pk=self.kwargs["unit_pk"])
        cov = selectors.coverage_for_units([unit])[unit.pk]
        context.update(
            unit=unit,
            coverage=cov,
            rate=None if cov.rate is None else cov.rate * 100,
            gaps=Procedure.objects.filter(pk__in=cov.gaps).order_by("field", "code"),
            covered=Procedure.objects.filter(pk__in=cov.covered).order_by("field", "code"),
        )
        return context


# --- Legal register -------------------------------------------------------------------------------
class LegalListView(CatalogueListView):
    model = LegalDocument
    table_class = LegalDocumentTable
    filterset_class = LegalDocumentFilter
    template_name = "legal/legal_list.html"

    def get_queryset(self):
        return LegalDocument.objects.all()


class LegalDetailView(CatalogueReadMixin, generic.DetailView):
    model = LegalDocument
    template_name = "legal/legal_detail.html"
    context_object_name = "legal"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        legal, user = self.object, self.request.user
        documents = _documents_in_scope(user, legal_bases=legal)
        context.update(
            changes=LegalChange.objects.filter(new=legal).select_related("old").order_by("old__number"),
            changed_by=LegalChange.objects.filter(old=legal)
            .select_related("new")
            .order_by("-new__effective_on", "new__number"),
            procedures=legal.procedures.order_by("code"),
            documents=documents[:100],
            document_count=documents.count(),
            task_count=UpdateTask.objects.filter(legal_change__new=legal).count(),
        )
        return context


class LegalFormMixin(CatalogueFormMixin):
    model = LegalDocument
    form_class = LegalDocumentForm
    template_name = "legal/legal_form.html"


class LegalCreateView(LegalFormMixin, generic.CreateView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Register a legal document"), **kwargs)

    def perform_save(self, form):
        return catalogue.legal_document_register(
            actor=self.request.user, legal_document=form.instance, changes=form.changes
        )

    def get_success_url(self):
        n = UpdateTask.objects.filter(legal_change__new=self.object).count()
        messages.success(
            self.request,
            ngettext(
                "%(number)s registered; %(count)s update task opened.",
                "%(number)s registered; %(count)s update tasks opened.",
                n,
            )
            % {"number": self.object.number, "count": n},
        )
        return self.object.get_absolute_url()


class LegalUpdateView(LegalFormMixin, generic.UpdateView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit %(number)s") % {"number": self.object.number}, **kwargs)

    def perform_save(self, form):
        # Register data only: what it amends or replaces is fixed when it is registered.
        return catalogue.legal_document_register(actor=self.request.user, legal_document=form.instance)

    def get_success_url(self):
        messages.success(self.request, _("%(number)s saved.") % {"number": self.object.number})
        return self.object.get_absolute_url()
