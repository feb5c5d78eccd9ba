"""The merge workflow (choose → preview → confirm, one URL) and the membership move.

Only the supervisor's ISO staff (Action.MANAGE) reach them; a unit outside the user's scope
answers 404, a user who manages nothing 403 (DESIGN.md §2).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communes import selectors_merge, services_merge
from communes.forms_merge import MembershipMoveForm, MergeForm
from communes.models import Unit
from core.forms import add_service_error
from core.scoping import Action
from core.views import get_scoped_object_or_404, posted

PREVIEW, CONFIRM, EDIT = "preview", "confirm", "edit"


def _merge_summary(result):
    names = ", ".join(str(u) for u in result.predecessors)
    parts = [
        _("%(units)s merged into %(successor)s on %(date)s.")
        % {"units": names, "successor": result.successor, "date": format_date(result.effective_on, "d/m/Y")}
    ]
    if result.carried:
        carried = "; ".join(f"{label}: {count}" for label, count in result.carried)
        parts.append(_("Carried over — %(list)s.") % {"list": carried})
    else:
        parts.append(_("Nothing carried over."))
    moved = result.memberships
    if moved.total:
        parts.append(
            ngettext(
                "%(count)d person moved to the successor.",
                "%(count)d people moved to the successor.",
                moved.total,
            )
            % {"count": moved.total}
        )
    return " ".join(parts)


@login_required
def unit_merge(request):
    """Step 1 (GET, or POST step=edit): the units and the date. Step 2 (POST step=preview): what
    moves, with a checkbox for each carry-over and each predecessor's people. Step 3 (POST
    step=confirm): the merger, in one transaction. Bad input: the form again, nothing saved."""
    if not selectors_merge.can_merge(request.user):
        raise PermissionDenied
    step = request.POST.get("step") if request.method == "POST" else None
    if step in (PREVIEW, CONFIRM):
        form = MergeForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            if step == CONFIRM:
                try:
                    with transaction.atomic():
                        result = services_merge.units_merge(
                            actor=request.user,
                            predecessors=data["predecessors"],
                            successor=data["successor"],
                            effective_on=data["effective_on"],
                            kind=data["kind"],
                            carry=data["carry"],
                            move_memberships=data["move_memberships"],
                            note=data["note"],
                        )
                except ValidationError as exc:
                    add_service_error(form, exc)
                else:
                    messages.success(request, _merge_summary(result))
                    return redirect(result.successor)
            else:
                predecessors = list(data["predecessors"])
                groups, carry_overs = selectors_merge.merge_preview(predecessors)
                return render(
                    request,
                    "communes/unit_merge_preview.html",
                    {
                        "form": form,
                        "data": data,
                        "groups": groups,
                        "carry_overs": carry_overs,
                        "last_day": data["effective_on"] - services_merge.ONE_DAY,
                    },
                )
    else:
        # Back from the preview (POST step=edit): the choices again, unchecked; from a unit's page
        # (GET ?predecessors=<pk>): that unit ticked.
        source = request.POST if step == EDIT else request.GET
        initial = {
            name: source.get(name)
            for name in ("successor", "effective_on", "kind", "note")
            if source.get(name)
        }
        initial["predecessors"] = [v for v in source.getlist("predecessors") if v.isdigit()]
        form = MergeForm(initial=initial, user=request.user)
    return render(request, "communes/unit_merge.html", {"form": form})


@login_required
def membership_move(request, pk):
    """Staff rotation: move some of the people of unit `pk` to another unit, in one go."""
    unit = get_scoped_object_or_404(Unit.objects.all(), request.user, Action.MANAGE, pk=pk)
    form = MembershipMoveForm(posted(request), user=request.user, unit=unit)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        try:
            with transaction.atomic():
                result = services_merge.memberships_move(
                    actor=request.user, memberships=form.cleaned_data["memberships"], target=target
                )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d person moved from %(unit)s to %(target)s.",
                    "%(count)d people moved from %(unit)s to %(target)s.",
                    result.total,
                )
                % {"count": result.total, "unit": unit, "target": target},
            )
            return redirect(target)
    return render(request, "communes/membership_move.html", {"form": form, "source": unit})
