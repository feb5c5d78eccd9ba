"""Pages of controlled documents (ISO 9001:2015 §7.5): the register, a document with its issues,
files and reviews, the revision workflow, scoped downloads, update tasks and framework models.

Register pages are class-based on core.views' scoped bases; each state change is a small
function view that calls a service (DESIGN.md §4). Everything is read through `for_user`: out of
scope → 404, in scope without the right → 403. A service's ValidationError lands on the form
(or in a message); its PermissionDenied answers 403.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from communes.models import Unit
from core import files as filetypes
from core.forms import UploadForm, add_service_error
from core.scoping import Action, can_anywhere, get_scope
from core.views import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    get_scoped_object_or_404,
    posted,
    refuse,
)
from documents.filters import DocumentFilter, ModelFilter, TaskFilter
from documents.forms import (
    FILE_ERROR_CODES,
    AdoptForm,
    ApproveForm,
    DocumentForm,
    NotApplicableForm,
    ReturnForm,
    ReviewForm,
    RevisionForm,
    WithdrawForm,
)
from documents.models import Adoption, Document, Revision, RevisionFile, UpdateTask
from documents.selectors import document_list_queryset, published_models
from documents.services import lifecycle
from documents.services.permissions import can_approve
from documents.tables import DocumentTable, ModelTable, TaskTable

State = Revision.State

# Marks the file name of an obsolete issue when it is downloaded (ISO 9001 §7.5.3.2 d: obsolete
# documented information kept is identified as such). ASCII on purpose: file names travel.
OBSOLETE_PREFIX = "[HET HIEU LUC] "


def _url_or_none(obj):
    """The page of a catalogue entry, when the catalogue pages are installed."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return None


def _revisions():
    return Revision.objects.select_related("document__unit", "prepared_by")


def _get_document(request, pk, action=Action.VIEW):
    return get_scoped_object_or_404(Document.objects.select_related("unit"), request.user, action, pk=pk)


def _get_revision(request, pk, action=Action.VIEW):
    return get_scoped_object_or_404(_revisions(), request.user, action, pk=pk)


def _get_revision_for_approval(request, pk):
    """The issue if the user may approve or return it: anyone who may approve for the unit."""
    revision = _get_revision(request, pk)
    if not can_approve(request.user, revision.document.unit):
        raise PermissionDenied
    return revision


def _state_refusal(revision):
    return _("This issue is %(state)s: the action is not possible now.") % {
        "state": revision.get_state_display()
    }


def _run_form(request, form, run, *, success, template, context, file_field=None):
    """Validate `form`, call `run(cleaned_data)` (a service); on success say `success` and
    redirect to what `run` returns; otherwise show the form with the service's errors."""
    if request.method == "POST" and form.is_valid():
        try:
            target = run(form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc, field_for_plain=file_field(exc) if file_field else None)
        else:
            messages.success(request, success)
            return redirect(target)
    return render(request, template, {"form": form, **context})


# --- The register ----------------------------------------------------------------------------
class DocumentListView(ScopedListView):
    model = Document
    table_class = DocumentTable
    filterset_class = DocumentFilter
    template_name = "documents/document_list.html"

    def get_queryset(self):
        return document_list_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = can_anywhere(self.request.user, Action.CHANGE)
        return context


class DocumentDetailView(ScopedDetailView):
    model = Document
    template_name = "documents/document_detail.html"

    def get_base_queryset(self):
        return Document.objects.select_related("unit", "owner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document, user = self.object, self.request.user
        scope = get_scope(user)
        revisions = list(
            document.revisions.select_related("prepared_by", "reviewed_by", "approved_by")
            .prefetch_related(Prefetch("files", queryset=RevisionFile.objects.select_related("uploaded_by")))
            .order_by("-number")
        )
        open_revision = next((r for r in revisions if r.state in Revision.OPEN_STATES), None)
        current = next((r for r in revisions if r.state == State.EFFECTIVE), None)
        adoption = Adoption.objects.filter(document=document).select_related("model_document__unit").first()
        model_number = None
        if adoption is not None:
            model_number = (
                adoption.model_document.revisions.filter(state=State.EFFECTIVE)
                .values_list("number", flat=True)
                .first()
            )
        can_change = scope.covers(Action.CHANGE, document.unit.path)
        context.update(
            document=document,
            revisions=revisions,
            open_revision=open_revision,
            current=current,
            procedures=[(p, _url_or_none(p)) for p in document.procedures.all()],
            legal_bases=[(d, _url_or_none(d)) for d in document.legal_bases.all()],
            reviews=document.reviews.select_related("reviewer"),
            tasks=document.update_tasks.filter(status=UpdateTask.Status.OPEN).select_related(
                "procedure", "decision_item__decision", "legal_change__new", "model_revision__document"
            ),
            adoption=adoption,
            model_number=model_number,
            model_changed=bool(
                adoption
                and model_number
                and adoption.adopted_revision
                and model_number > adoption.adopted_revision
            ),
            adoptions=(
                document.adoptions.select_related("unit", "document").order_by("unit__path")
                if document.is_model
                else []
            ),
            can_change=can_change and document.status != Document.Status.WITHDRAWN,
            can_approve=can_approve(user, document.unit),
            upload_form=UploadForm(),
            today=timezone.localdate(),
        )
        return context


class DocumentCreateView(ScopedCreateView):
    """A new document of a unit where the user may write, with its first issue as a draft."""

    model = Document
    form_class = DocumentForm
    template_name = "documents/document_form.html"

    @property
    def success_message(self):
        return _("Document created. Attach its file to the first issue, then send it for approval.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_anywhere(request.user, Action.CHANGE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        units = Unit.objects.for_user(self.request.user, Action.CHANGE)
        wanted = self.request.GET.get("unit", "")
        if wanted.isdigit() and units.filter(pk=wanted).exists():
            initial["unit"] = int(wanted)
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("New document"), **kwargs)

    def perform_save(self, form):
        data = form.cleaned_data
        return lifecycle.document_create(
            actor=self.request.user,
            unit=data["unit"],
            procedures=data["procedures"],
            legal_bases=data["legal_bases"],
            change_summary=data.get("change_summary", ""),
            **form.service_fields(),
        )


class DocumentUpdateView(ScopedUpdateView):
    """The register data of a document (code, title, owner, links); never its content."""

    model = Document
    form_class = DocumentForm
    template_name = "documents/document_form.html"

    @property
    def success_message(self):
        return _("Register data saved.")

    def get_base_queryset(self):
        return Document.objects.select_related("unit")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Edit %(document)s") % {"document": self.object.code}, **kwargs
        )

    def perform_save(self, form):
        data = form.cleaned_data
        # A fresh copy: the form has already written its values on `form.instance`, and the
        # service compares against the stored ones (e.g. who may publish a model).
        document = Document.objects.select_related("unit").get(pk=self.object.pk)
        return lifecycle.document_update(
            actor=self.request.user,
            document=document,
            procedures=data["procedures"],
            legal_bases=data["legal_bases"],
            **form.service_fields(),
        )


@login_required
def document_withdraw(request, pk):
    document = _get_document(request, pk, Action.CHANGE)
    if document.status == Document.Status.WITHDRAWN:
        return refuse(request, _("This document is already withdrawn."), document)
    form = WithdrawForm(posted(request))

    def run(data):
        lifecycle.document_withdraw(actor=request.user, document=document, reason=data["reason"])
        return document

    return _run_form(
        request,
        form,
        run,
        success=_("The document is withdrawn; its issues are kept, marked obsolete."),
        template="documents/action_form.html",
        context={
            "document": document,
            "title": _("Withdraw %(code)s") % {"code": document.code},
            "danger": _(
                "Withdrawing ends the document: its issue in force and any issue in preparation "
                "become obsolete. They are kept and can still be downloaded, marked obsolete."
            ),
        },
    )


@login_required
def document_review(request, pk):
    document = _get_document(request, pk, Action.CHANGE)
    if document.status != Document.Status.EFFECTIVE:
        return refuse(request, _("Only a document in force can be reviewed."), document)
    form = ReviewForm(posted(request))

    def run(data):
        lifecycle.document_review(actor=request.user, document=document, **data)
        return document

    return _run_form(
        request,
        form,
        run,
        success=_("Review recorded."),
        template="documents/action_form.html",
        context={
            "document": document,
            "title": _("Periodic review of %(code)s") % {"code": document.code},
            "intro": _(
                "Is the document still suitable? “To be revised” opens a new issue in preparation; "
                "“to be withdrawn” withdraws it."
            ),
        },
    )


# --- The revision workflow ---------------------------------------------------------------------
@login_required
def revision_create(request, pk):
    document = _get_document(request, pk, Action.CHANGE)
    if document.status == Document.Status.WITHDRAWN:
        return refuse(request, _("A withdrawn document cannot get a new issue."), document)
    if document.revisions.filter(state__in=Revision.OPEN_STATES).exists():
        return refuse(request, _("This document already has an issue in preparation."), document)
    form = RevisionForm(posted(request), submit_label=_("Start the new issue"))

    def run(data):
        revision = lifecycle.revision_start(
            actor=request.user, document=document, change_summary=data["change_summary"]
        )
        return revision.get_absolute_url()

    return _run_form(
        request,
        form,
        run,
        success=_("New issue started as a draft; the issue in force stays in force until it is replaced."),
        template="documents/action_form.html",
        context={"document": document, "title": _("New issue of %(code)s") % {"code": document.code}},
    )


@login_required
def revision_update(request, pk):
    revision = _get_revision(request, pk, Action.CHANGE)
    document = revision.document
    if not revision.is_editable:
        return refuse(request, _state_refusal(revision), revision.get_absolute_url())
    form = RevisionForm(posted(request), initial={"change_summary": revision.change_summary})

    def run(data):
        lifecycle.revision_update(
            actor=request.user, revision=revision, change_summary=data["change_summary"]
        )
        return revision.get_absolute_url()

    return _run_form(
        request,
        form,
        run,
        success=_("Draft saved."),
        template="documents/action_form.html",
        context={
            "document": document,
            "revision": revision,
            "title": _("Edit the draft %(revision)s") % {"revision": revision},
        },
    )


def _upload_error_field(exc):
    return "file" if getattr(exc, "code", None) in FILE_ERROR_CODES else None


@login_required
def revision_upload(request, pk):
    revision = _get_revision(request, pk, Action.CHANGE)
    if not revision.is_editable:
        return refuse(request, _state_refusal(revision), revision.get_absolute_url())
    form = UploadForm(*posted(request, files=True))

    def run(data):
        lifecycle.revision_attach_file(actor=request.user, revision=revision, upload=data["file"])
        return revision.get_absolute_url()

    return _run_form(
        request,
        form,
        run,
        success=_("File attached."),
        template="documents/action_form.html",
        context={
            "document": revision.document,
            "revision": revision,
            "title": _("Attach a file to %(revision)s") % {"revision": revision},
        },
        file_field=_upload_error_field,
    )


@login_required
def file_delete(request, pk):
    attached = get_scoped_object_or_404(
        RevisionFile.objects.select_related("revision__document__unit"), request.user, Action.CHANGE, pk=pk
    )
    revision = attached.revision
    if not revision.is_editable:
        return refuse(request, _state_refusal(revision), revision.get_absolute_url())
    if request.method == "POST":
        try:
            lifecycle.revision_remove_file(actor=request.user, attached=attached)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("File “%(name)s” removed.") % {"name": attached.original_name})
        return redirect(revision.get_absolute_url())
    return render(
        request,
        "documents/action_form.html",
        {
            "document": revision.document,
            "revision": revision,
            "title": _("Remove “%(name)s”?") % {"name": attached.original_name},
            "danger": _("The file is removed from the draft %(revision)s.") % {"revision": revision},
            "confirm_label": _("Remove the file"),
        },
    )


@login_required
@require_POST
def revision_submit(request, pk):
    revision = _get_revision(request, pk, Action.CHANGE)
    try:
        lifecycle.revision_submit(actor=request.user, revision=revision)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Sent for approval. Another person reviews and approves it."))
    return redirect(revision.get_absolute_url())


def _approval_refusal(request, revision):
    """Why the user cannot decide on this issue now, or None."""
    if revision.state != State.IN_REVIEW:
        return _state_refusal(revision)
    if revision.prepared_by_id == request.user.pk:
        # ISO 9001 §7.5.2 c: review and approval by someone other than the author.
        return _("The author of an issue cannot approve it: ask another person.")
    return None


@login_required
def revision_return(request, pk):
    revision = _get_revision_for_approval(request, pk)
    refusal = _approval_refusal(request, revision)
    if refusal:
        return refuse(request, refusal, revision.get_absolute_url())
    form = ReturnForm(posted(request))

    def run(data):
        lifecycle.revision_return(actor=request.user, revision=revision, note=data["note"])
        return revision.get_absolute_url()

    return _run_form(
        request,
        form,
        run,
        success=_("Returned to the author with your note."),
        template="documents/action_form.html",
        context={
            "document": revision.document,
            "revision": revision,
            "show_files": True,
            "title": _("Return %(revision)s") % {"revision": revision},
        },
    )


@login_required
def revision_approve(request, pk):
    revision = _get_revision_for_approval(request, pk)
    refusal = _approval_refusal(request, revision)
    if refusal:
        return refuse(request, refusal, revision.get_absolute_url())
    form = ApproveForm(posted(request))

    def run(data):
        approved = lifecycle.revision_approve(
            actor=request.user, revision=revision, effective_from=data["effective_from"]
        )
        return approved.get_absolute_url()

    return _run_form(
        request,
        form,
        run,
        success=_(
            "Approved. The issue comes into force on its effective date; the previous one is superseded."
        ),
        template="documents/action_form.html",
        context={
            "document": revision.document,
            "revision": revision,
            "show_files": True,
            "title": _("Approve %(revision)s") % {"revision": revision},
        },
    )


@login_required
def file_download(request, pk):
    """A file as an attachment, only for those who may read it; an obsolete issue's file name
    says so. Files of framework models in force are readable by the units they reach."""
    files = RevisionFile.objects.select_related("revision__document")
    attached = files.for_user(request.user).filter(pk=pk).first()
    if attached is None:
        attached = files.filter(
            pk=pk,
            revision__state=State.EFFECTIVE,
            revision__document__in=published_models(request.user).values("pk"),
        ).first()
    if attached is None:
        raise Http404
    name = attached.original_name
    if attached.revision.is_obsolete:
        name = OBSOLETE_PREFIX + name
    try:
        handle = attached.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=filetypes.CONTENT_TYPES.get(attached.file_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Update tasks ----------------------------------------------------------------------------
class TaskListView(ScopedListView):
    """What the units must bring up to date (Decision 19/2014/QĐ-TTg Art. 4.4.a: 3 months)."""

    model = UpdateTask
    table_class = TaskTable
    filterset_class = TaskFilter
    template_name = "documents/task_list.html"

    def get_queryset(self):
        return (
            UpdateTask.objects.for_user(self.request.user)
            .select_related(
                "unit",
                "document",
                "procedure",
                "decision_item__decision",
                "legal_change__new",
                "model_revision__document",
            )
            .order_by("-status", "due_on", "pk")
        )


# --- Framework models ----------------------------------------------------------------------
@dataclass
class Entry:
    """One unit below a framework model, with its answer (None: not answered yet)."""

    unit: Unit
    adoption: Adoption | None
    can_change: bool
    changed: bool = False


class ModelListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    """Framework models published above the user's units, and each unit's answer."""

    table_class = ModelTable
    filterset_class = ModelFilter
    template_name = "documents/model_list.html"
    paginate_by = 25

    def get_queryset(self):
        return (
            published_models(self.request.user)
            .select_related("unit")
            .prefetch_related(
                Prefetch(
                    "revisions",
                    queryset=Revision.objects.filter(state=State.EFFECTIVE).prefetch_related("files"),
                    to_attr="effective_revisions",
                )
            )
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        return kwargs

    def get_table_kwargs(self):
        readable = self.object_list.filter(get_scope(self.request.user).q(Action.VIEW)).values_list(
            "pk", flat=True
        )
        return {"entries": self._entries(), "readable": list(readable)}

    def _entries(self):
        """Each model's units (readable, in operation, strictly below it): three queries."""
        user = self.request.user
        scope = get_scope(user)
        models = list(
            self.object_list.annotate(
                current_number=Subquery(
                    Revision.objects.filter(document=OuterRef("pk"), state=State.EFFECTIVE).values("number")[
                        :1
                    ]
                )
            ).values_list("pk", "unit__path", "current_number")
        )
        if not models:
            return {}
        units = Unit.objects.for_user(user, Action.VIEW).active_on().only("name", "path")
        if self.filterset.is_bound and self.filterset.is_valid():
            chosen = self.filterset.form.cleaned_data.get("unit")
            if chosen is not None:
                units = units.filter(path__startswith=chosen.path)
        units = list(units.order_by("path"))
        answers = {
            (a.model_document_id, a.unit_id): a
            for a in Adoption.objects.filter(
                model_document_id__in=[pk for pk, _path, _n in models], unit__in=[u.pk for u in units]
            ).select_related("document")
        }
        entries = {}
        for pk, path, number in models:
            rows = []
            for unit in units:
                if unit.path == path or not unit.path.startswith(path):
                    continue
                adoption = answers.get((pk, unit.pk))
                changed = bool(
                    adoption
                    and adoption.status == Adoption.Status.ADOPTED
                    and adoption.adopted_revision
                    and number
                    and number > adoption.adopted_revision
                )
                rows.append(Entry(unit, adoption, scope.covers(Action.CHANGE, unit.path), changed))
            entries[pk] = rows
        return entries


def _get_model(request, pk):
    """A framework model that reaches the user's units (404 otherwise), and the units below it
    where the user may write (403 when there is none)."""
    model = published_models(request.user).select_related("unit").filter(pk=pk).first()
    if model is None:
        raise Http404
    writable = (
        Unit.objects.for_user(request.user, Action.CHANGE)
        .active_on()
        .filter(path__startswith=model.unit.path)
        .exclude(pk=model.unit_id)
    )
    if not writable.exists():
        raise PermissionDenied
    unanswered = writable.exclude(
        pk__in=Adoption.objects.filter(model_document=model).values("unit_id")
    ).order_by("path")
    return model, unanswered


def _model_answer(request, pk, form_class, run, *, title, success, intro):
    model, units = _get_model(request, pk)
    if not units.exists():
        messages.info(request, _("Your units have already answered this model."))
        return redirect("documents:model_list")
    initial = {}
    wanted = request.GET.get("unit", "")
    if wanted.isdigit() and units.filter(pk=wanted).exists():
        initial["unit"] = int(wanted)
    form = form_class(posted(request), units=units, initial=initial)
    return _run_form(
        request,
        form,
        lambda data: run(model, data),
        success=success,
        template="documents/action_form.html",
        context={
            "model": model,
            "title": title % {"code": model.code},
            "intro": intro,
            "cancel_url": reverse("documents:model_list"),
        },
    )


@login_required
def model_adopt(request, pk):
    def run(model, data):
        adoption = lifecycle.model_adopt(
            actor=request.user, model_document=model, unit=data["unit"], code=data["code"].strip() or None
        )
        return adoption.document.get_absolute_url()

    return _model_answer(
        request,
        pk,
        AdoptForm,
        run,
        title=_("Adopt the model %(code)s"),
        success=_("Model adopted: the unit's document starts as a draft copy of the model's issue in force."),
        intro=_(
            "The unit gets its own document, a draft copy of the model's issue in force with its files. "
            "Adapt it, then send it for approval."
        ),
    )


@login_required
def model_not_applicable(request, pk):
    def run(model, data):
        lifecycle.model_not_applicable(
            actor=request.user, model_document=model, unit=data["unit"], reason=data["reason"]
        )
        return reverse("documents:model_list")

    return _model_answer(
        request,
        pk,
        NotApplicableForm,
        run,
        title=_("The model %(code)s does not apply"),
        success=_("Recorded: the model does not apply to the unit."),
        intro=_("Say why the model does not apply to the unit; the supervisor sees your reason."),
    )
