"""What the staff pages of the surveys app share: the unit named in the query string, the
writers' checks, the lists of counts kept by the one-stop units (tallies, record counts) and the
import page (upload → preview with errors per row → confirm, all or nothing).

Out of scope → 404, in scope without the right → 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from communes.models import Unit
from core.scoping import Action, can_anywhere, get_scope
from core.views import ScopedListView, get_scoped_object_or_404
from surveys.forms_records import ImportForm


def scoped_unit(user, value, action=Action.VIEW):
    """The unit named by `value` (a pk): 404 out of the user's scope, 403 in scope without the
    right; None when none is named."""
    text = str(value or "").strip()
    if not text.isdigit():
        return None
    return get_scoped_object_or_404(Unit.objects.all(), user, action, pk=int(text))


def require_writer(user):
    """403 unless the user may write somewhere (an officer or a supervisor)."""
    if not can_anywhere(user, Action.CHANGE):
        raise PermissionDenied


def can_change(user):
    """unit → whether the user may write its records (for the edit links of a table)."""
    scope = get_scope(user)
    return lambda unit: scope.covers(Action.CHANGE, unit.path)


class DeskCountListView(ScopedListView):
    """The counts kept per unit and procedure (tallies, record counts) the user may read, with an
    edit link on the rows the user may write. `?unit=` out of scope → 404."""

    def get_queryset(self):
        scoped_unit(self.request.user, self.request.GET.get("unit"))  # 404 for a unit out of scope
        return self.model.objects.for_user(self.request.user).select_related("unit", "procedure")

    def get_table_kwargs(self):
        return {"can_change": can_change(self.request.user)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_create=can_anywhere(self.request.user, Action.CHANGE), **kwargs)


def import_page(request, *, importer, session_key, context, success, done_url, help_text):
    """Upload → preview (rows with their errors, kept in the session) → confirm, all or nothing.

    `importer` is the services module of the import (surveys.services.tallies or records):
    `parse_file(upload)`, `check_rows(actor=, rows=, default_unit=)` (an ImportCheck, nothing
    written) and `import_rows(...)` (the same arguments; writes all or raises ValidationError).
    The same URL takes the upload (a file) and the confirmation (`confirm`).
    """
    user = request.user
    require_writer(user)
    page = {**context, "explanation": help_text}
    parse = importer.parse_file

    def check(rows, default_unit):
        return importer.check_rows(actor=user, rows=rows, default_unit=default_unit)

    def write(rows, default_unit):
        return importer.import_rows(actor=user, rows=rows, default_unit=default_unit)

    def show(form, result=None, file_name="", status=200):
        return render(
            request,
            "surveys/records/import.html",
            {**page, "form": form, "check": result, "file_name": file_name},
            status=status,
        )

    blank = ImportForm(user=user, parse=parse)
    if request.method != "POST":
        return show(blank)
    if request.POST.get("confirm"):
        pending = request.session.get(session_key)
        if not pending or not pending.get("rows"):
            messages.error(request, _("There is no previewed file to import: upload the file again."))
            return redirect(request.path)
        default_unit = None
        if pending.get("unit"):
            default_unit = scoped_unit(user, pending["unit"], Action.CHANGE)
        try:
            with transaction.atomic():
                result = write(pending["rows"], default_unit)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return show(blank, check(pending["rows"], default_unit), pending.get("file_name", ""), status=400)
        del request.session[session_key]
        messages.success(request, success % {"rows": len(result.rows)})
        return redirect(done_url)
    form = ImportForm(request.POST, request.FILES, user=user, parse=parse)
    if not form.is_valid():
        return show(form)
    default_unit = form.cleaned_data.get("unit")
    file_name = form.cleaned_data["file"].name[:200]
    request.session[session_key] = {
        "file_name": file_name,
        "rows": form.rows,
        "unit": default_unit.pk if default_unit is not None else None,
    }
    return show(blank, check(form.rows, default_unit), file_name)
