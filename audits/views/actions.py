"""Pages of nonconformities and corrective actions (ISO 9001:2015 §10.2), at /actions/.

The unit's officer (CHANGE) raises nonconformities and adds actions and marks them done; anyone
with CHANGE or AUDIT on the unit except the action's owner verifies it. A nonconformity closes
when all its actions are verified effective; a "not effective" verdict keeps it open for a new
action. Out of scope → 404, in scope without the right → 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.filters import NonconformityFilter
from audits.forms import (
    ActionDoneForm,
    CorrectiveActionForm,
    NonconformityForm,
    VerifyForm,
)
from audits.models import CorrectiveAction, Nonconformity
from audits.services import actions as services
from audits.tables import NonconformityTable
from core.forms import add_service_error
from core.scoping import Action, can_anywhere, get_scope
from core.views import ScopedDetailView, ScopedListView, get_scoped_object_or_404, posted, refuse

State = CorrectiveAction.State
OPEN_STATES = [State.PLANNED, State.DONE]


def _run_form(request, form, run, *, success, context):
    """Validate `form`, call `run(cleaned_data)` (a service, in one transaction); on success say
    `success` and redirect to what `run` returns; otherwise show the form with the errors."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                target = run(form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, success() if callable(success) else success)
            return redirect(target)
    return render(request, "actions/action_form.html", {"form": form, **context})


def can_verify(user, unit):
    scope = get_scope(user)
    return scope.covers(Action.CHANGE, unit.path) or scope.covers(Action.AUDIT, unit.path)


def _owner_refusal():
    # The service's own message (audits.services.actions.action_verify), shown before the form.
    return _("The owner of an action cannot verify it: ask another person.")


# --- Nonconformities ----------------------------------------------------------------------------
class NonconformityListView(ScopedListView):
    """Nonconformities over the user's scope, the open ones first, with their open and overdue
    actions (one query for the page, whatever the number of rows)."""

    model = Nonconformity
    table_class = NonconformityTable
    filterset_class = NonconformityFilter
    template_name = "actions/nonconformity_list.html"

    def get_queryset(self):
        today = timezone.localdate()
        return (
            Nonconformity.objects.for_user(self.request.user)
            .select_related("unit")
            .annotate(
                open_actions=Count("actions", filter=Q(actions__state__in=OPEN_STATES)),
                overdue_actions=Count(
                    "actions", filter=Q(actions__state=State.PLANNED, actions__due_on__lt=today)
                ),
                next_due=Min("actions__due_on", filter=Q(actions__state=State.PLANNED)),
            )
            .order_by("-status", "next_due", "-raised_on", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = can_anywhere(self.request.user, Action.CHANGE)
        return context


@login_required
def nonconformity_create(request):
    if not can_anywhere(request.user, Action.CHANGE):
        raise PermissionDenied
    initial = {}
    if request.GET.get("source") in dict(Nonconformity.Source.choices):
        initial["source"] = request.GET["source"]
    form = NonconformityForm(posted(request), user=request.user, initial=initial)

    def run(data):
        return services.nonconformity_raise(actor=request.user, **data)

    return _run_form(
        request,
        form,
        run,
        success=_("Nonconformity raised. Add its corrective action."),
        context={"title": _("New nonconformity"), "cancel_url": reverse("actions:nonconformity_list")},
    )


class NonconformityDetailView(ScopedDetailView):
    model = Nonconformity
    template_name = "actions/nonconformity_detail.html"

    def get_base_queryset(self):
        return Nonconformity.objects.select_related(
            "unit",
            "clause",
            "raised_by",
            "finding__audit",
            "inspection_finding__inspection",
            "carried_from__unit",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        nc, user = self.object, self.request.user
        scope = get_scope(user)
        actions = list(
            nc.actions.select_related("owner", "verified_by", "carried_from__nonconformity__unit")
            .prefetch_related(
                Prefetch(
                    "carried_to", queryset=CorrectiveAction.objects.select_related("nonconformity__unit")
                )
            )
            .order_by("created_at", "pk")
        )

        # The 2025 reorganisation: links between a merged unit's copies and the originals in
        # its predecessors' archive; a unit out of the reader's scope is named, not linked.
        def viewable(unit):
            return scope.covers(Action.VIEW, unit.path)

        if nc.carried_from_id:
            nc.carried_from.viewable = viewable(nc.carried_from.unit)
        carried_to = list(nc.carried_to.select_related("unit").order_by("pk"))
        for copy in carried_to:
            copy.viewable = viewable(copy.unit)
        for action in actions:
            if action.carried_from_id:
                action.carried_from.viewable = viewable(action.carried_from.nonconformity.unit)
            action.carried_to_list = list(action.carried_to.all())
            for copy in action.carried_to_list:
                copy.viewable = viewable(copy.nonconformity.unit)
        context.update(
            nc=nc,
            carried_to=carried_to,
            actions=actions,
            today=timezone.localdate(),
            can_change=scope.covers(Action.CHANGE, nc.unit.path),
            can_verify=can_verify(user, nc.unit),
            needs_action=nc.status == Nonconformity.Status.OPEN
            and not any(a.state in OPEN_STATES for a in actions),
        )
        return context


# --- Corrective actions -------------------------------------------------------------------------
@login_required
def action_create(request, pk):
    nc = get_scoped_object_or_404(
        Nonconformity.objects.select_related("unit"), request.user, Action.CHANGE, pk=pk
    )
    if nc.status == Nonconformity.Status.CLOSED:
        return refuse(request, _("This nonconformity is closed."), nc)
    form = CorrectiveActionForm(posted(request), nonconformity=nc, user=request.user)

    def run(data):
        action = services.action_add(
            actor=request.user,
            nonconformity=nc,
            correction=data["correction"],
            root_cause=data["root_cause"],
            five_whys=form.five_whys(),
            action=data["action"],
            owner=data["owner"],
            due_on=data["due_on"],
        )
        return action.get_absolute_url()

    return _run_form(
        request,
        form,
        run,
        success=_("Corrective action added."),
        context={"nc": nc, "title": _("New corrective action")},
    )


def _get_action(request, pk, action=Action.VIEW):
    return get_scoped_object_or_404(
        CorrectiveAction.objects.select_related("nonconformity__unit", "owner"), request.user, action, pk=pk
    )


@login_required
def action_done(request, pk):
    action = _get_action(request, pk, Action.CHANGE)
    nc = action.nonconformity
    if action.state != State.PLANNED:
        return refuse(request, _("Only a planned action can be marked done."), action.get_absolute_url())
    form = ActionDoneForm(posted(request))

    def run(data):
        services.action_done(actor=request.user, action=action, done_on=data["done_on"])
        return action.get_absolute_url()

    return _run_form(
        request,
        form,
        run,
        success=_("Marked as done. Someone other than the owner now verifies its effectiveness."),
        context={"nc": nc, "action": action, "title": _("Mark the action as done")},
    )


@login_required
def action_verify(request, pk):
    action = _get_action(request, pk)
    nc = action.nonconformity
    if not can_verify(request.user, nc.unit):
        raise PermissionDenied
    if action.owner_id == request.user.pk:
        # ISO 9001 §10.2.1 d: effectiveness is reviewed by someone other than the one who acted.
        return refuse(request, _owner_refusal(), action.get_absolute_url())
    if action.state != State.DONE:
        return refuse(request, _("Only a done action can be verified."), action.get_absolute_url())
    form = VerifyForm(posted(request))

    def run(data):
        verified = services.action_verify(
            actor=request.user, action=action, effective=data["effective"], evidence=data["evidence"]
        )
        return verified.get_absolute_url()

    def success():
        action.refresh_from_db()
        nc.refresh_from_db()
        if action.state == State.NOT_EFFECTIVE:
            return _("Verified not effective: the nonconformity stays open. Add a new action.")
        if nc.status == Nonconformity.Status.CLOSED:
            return _("Verified effective. All actions are effective: the nonconformity is closed.")
        return _("Verified effective.")

    return _run_form(
        request,
        form,
        run,
        success=success,
        context={"nc": nc, "action": action, "title": _("Verify the action")},
    )
