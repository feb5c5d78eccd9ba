"""Pages of the tallies of paper satisfaction forms and rating devices: the list, entry by hand and
the import from Excel or CSV (upload → preview with errors per row → confirm).

Out of scope → 404, in scope without the right → 403; writes go through
surveys.services.tallies, whose errors land on the form and save nothing.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _

from core.scoping import Action
from core.views import get_scoped_object_or_404, posted, run_form
from surveys.filters_records import TallyFilter
from surveys.forms_records import TallyForm
from surveys.models import Tally
from surveys.services import tallies as services
from surveys.tables_records import TallyTable
from surveys.views.base import DeskCountListView, import_page, require_writer, scoped_unit


def list_url(unit=None):
    url = reverse("surveys:tally_list")
    return f"{url}?{urlencode({'unit': unit.pk})}" if unit is not None else url


class TallyListView(DeskCountListView):
    model = Tally
    table_class = TallyTable
    filterset_class = TallyFilter
    template_name = "surveys/tallies/tally_list.html"


def _form_context(title, tally=None):
    return {
        "title": title,
        "object": tally,
        "list_url": list_url(tally.unit if tally is not None else None),
        "list_title": _("Paper forms and rating devices"),
        "intro": _(
            "How many forms (or presses of the rating device) gave each rating for one criterion over the "
            "period. Leave the TTHC code empty for all procedures together. The same unit, channel, "
            "procedure, criterion and period again updates the counts."
        ),
    }


@login_required
def tally_create(request):
    user = request.user
    require_writer(user)
    initial = {}
    unit = scoped_unit(user, request.POST.get("unit") or request.GET.get("unit"), Action.CHANGE)
    if unit is not None:
        initial["unit"] = unit.pk
    form = TallyForm(posted(request), user=user, initial=initial)

    def run(data):
        tally = services.tally_save(actor=user, unit=form.chosen_unit(), data=form.service_data())
        return list_url(tally.unit)

    return run_form(
        request,
        form,
        run,
        success=_("Tally saved."),
        template="surveys/records/form.html",
        context=_form_context(_("Enter a tally")),
    )


@login_required
def tally_update(request, pk):
    user = request.user
    tally = get_scoped_object_or_404(
        Tally.objects.select_related("unit", "procedure"), user, Action.CHANGE, pk=pk
    )
    form = TallyForm(posted(request), user=user, instance=tally)

    def run(data):
        services.tally_save(actor=user, unit=tally.unit, data=form.service_data())
        return list_url(tally.unit)

    return run_form(
        request,
        form,
        run,
        success=_("Tally saved."),
        template="surveys/records/form.html",
        context=_form_context(_("Edit the tally"), tally),
    )


@login_required
def tally_import(request):
    return import_page(
        request,
        importer=services,
        session_key="surveys_tally_import",
        context={
            "title": _("Import tallies"),
            "list_url": reverse("surveys:tally_list"),
            "list_title": _("Paper forms and rating devices"),
        },
        success=_("%(rows)s tally row(s) imported."),
        done_url=reverse("surveys:tally_list"),
        help_text=_(
            "An Excel workbook (.xlsx, first sheet) or a CSV file with a header row. Columns: unit (code or "
            "name), channel (paper or device), TTHC code (empty: all procedures), period start, period end "
            "(dd/mm/yyyy, or mm/yyyy for a whole month), criterion (timeliness, visits, attitude, information, "
            "fees, overall), then the counts 5, 4, 3, 2, 1 — or Đơn vị, Kênh, Mã TTHC, Từ ngày, Đến ngày, "
            "Tiêu chí, Rất hài lòng, Hài lòng, Bình thường, Không hài lòng, Rất không hài lòng. At most 2000 "
            "rows; you will see a preview before anything is saved."
        ),
    )
