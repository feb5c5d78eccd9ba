"""Scoped bases for class-based views, and the project-wide small views.

The rule (DESIGN.md §2): a record outside the user's scope answers 404, as if it did not exist;
a record in scope for reading but not for the requested action answers 403.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.views import generic
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from core import dashboard
from core.forms import add_service_error
from core.health import run_checks
from core.scoping import Action


def get_scoped_object_or_404(queryset, user, action=Action.VIEW, **lookup):
    """The object if the user may read it and do `action` on it; 404 or 403 otherwise."""
    try:
        obj = queryset.for_user(user, Action.VIEW).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
    if action != Action.VIEW and not queryset.for_user(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj


def posted(request, files=False):
    """The submitted data when the form was posted (even empty: an empty form shows its errors)."""
    if request.method != "POST":
        return (None, None) if files else None
    return (request.POST, request.FILES) if files else request.POST


def refuse(request, message, target):
    """Say why an action was refused and go back to `target`."""
    messages.error(request, message)
    return redirect(target)


def run_form(request, form, run, *, success, template, context=None):
    """Validate `form`, call `run(cleaned_data)` (a service) in a transaction; on success say
    `success` and redirect to what `run` returns; otherwise show the form with the errors, the
    service's ValidationError on its fields. Nothing is saved on bad input."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                target = run(form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(target)
    return render(request, template, {"form": form, **(context or {})})


def ensure_in_scope(obj, user, action):
    """After a write, the object must still be within the user's scope for `action`.

    Raising inside the view's transaction rolls the write back (DESIGN.md §2).
    """
    if not type(obj)._default_manager.for_user(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied


class ScopedMixin(LoginRequiredMixin):
    """Reads go through `for_user`; `action` is what the view does to the object."""

    model = None
    action = Action.VIEW

    def get_base_queryset(self):
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model.")
        return self.model._default_manager.all()

    def get_queryset(self):
        return self.get_base_queryset().for_user(self.request.user, Action.VIEW)

    def get_object(self, queryset=None):
        return get_scoped_object_or_404(
            self.get_base_queryset(), self.request.user, self.action, pk=self.kwargs["pk"]
        )


class ScopedListView(ScopedMixin, SingleTableMixin, FilterView):
    """A paginated, filterable, searchable table of the records the user may read."""

    paginate_by = 25

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        return kwargs


class ScopedDetailView(ScopedMixin, generic.DetailView):
    pass


class ScopedFormMixin(ScopedMixin):
    """Forms take the user (to narrow their choices); the save goes through `perform_save`
    (override it to call a service) and is re-checked against the user's scope.

    A ValidationError from the service lands on the form, and nothing is saved.
    """

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    success_message = ""

    def perform_save(self, form):
        return form.save()

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.perform_save(form)
                ensure_in_scope(self.object, self.request.user, self.action)
        except ValidationError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class ScopedCreateView(ScopedFormMixin, generic.CreateView):
    action = Action.CHANGE

    def get_object(self, queryset=None):
        return None


class ScopedUpdateView(ScopedFormMixin, generic.UpdateView):
    action = Action.CHANGE


def healthz(request):
    """JSON status of the database, cache and broker: 200 when the database answers, else 503."""
    healthy, checks = run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


class DashboardView(LoginRequiredMixin, generic.TemplateView):
    """The home page: the panels that apps register in core.dashboard, in order."""

    template_name = "core/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = dashboard.panels_for(self.request)
        return context
