"""The comparison view (issue 8): the same objectives and indicators, internal-audit results
and scoring criteria of several units side by side, for a year.

The user picks a year, a subject and units (by default every unit that keeps a QMS in their view
scope and existed that year), optionally narrowed by wave and kind. An officer's view scope is
their own unit (and the archive of its predecessors), so an officer compares their own figures
only; supervisors, committee members, auditors and viewers compare their subtree.

A unit outside the user's scope (or one that keeps no QMS) answers 404, like any record out of
scope; a year or a filter that does not parse answers 400 with the form's message.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.forms_objectives import number_text, period_label
from certification.models import MEASUREMENT_GRACE_DAYS
from certification.views.objectives import STATE_CSS, STATE_LABELS, target_label
from communes.models import Unit
from core import clock
from reports import selectors_compare as selectors

YEAR_MIN, YEAR_MAX = 2000, 2100

OBJECTIVES, AUDITS, SCORES = "objectives", "audits", "scores"
SUBJECTS = [
    (OBJECTIVES, gettext_lazy("Objectives and indicators")),
    (AUDITS, gettext_lazy("Internal audit results")),
    (SCORES, gettext_lazy("Annual scoring")),
]

KIND_CSS = {
    "major": "text-bg-danger",
    "minor": "text-bg-warning",
    "observation": "text-bg-info",
    "improvement": "text-bg-secondary",
}
KIND_SHORT = {
    "major": gettext_lazy("major"),
    "minor": gettext_lazy("minor"),
    "observation": gettext_lazy("obs."),
    "improvement": gettext_lazy("OFI"),
}


class CompareForm(forms.Form):
    """Year, subject and the filters of the comparison (GET); the units are read apart, since
    a unit out of scope answers 404 rather than a form error."""

    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        required=False,
        validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)],
        error_messages={"invalid": gettext_lazy("Enter a year as four digits, e.g. 2019.")},
        widget=forms.NumberInput(attrs={"min": YEAR_MIN, "max": YEAR_MAX}),
    )
    subject = forms.ChoiceField(label=gettext_lazy("Compare"), choices=SUBJECTS, required=False)
    wave = forms.ChoiceField(label=gettext_lazy("QMS wave"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        # Narrowed to the waves and kinds of the units the user may compare.
        waves = {u.wave.pk: u.wave for u in units if u.wave_id}
        ordered = sorted(waves.values(), key=lambda w: (w.year, w.name))
        self.fields["wave"].choices = [("", _("All waves"))] + [(str(w.pk), str(w)) for w in ordered]
        kinds = {u.kind for u in units}
        self.fields["kind"].choices = [("", _("All kinds"))] + [
            (value, label) for value, label in Unit.Kind.choices if value in kinds
        ]

    def clean_year(self):
        return self.cleaned_data["year"] or clock.today().year

    def clean_subject(self):
        return self.cleaned_data["subject"] or OBJECTIVES


def _picked_units(request, candidates):
    """The units named by ?unit= (in tree order): 404 for any that is not a unit keeping a QMS
    within the user's view scope."""
    by_pk = {str(u.pk): u for u in candidates}
    wanted = [value.strip() for value in request.GET.getlist("unit") if value.strip()]
    unknown = [value for value in wanted if value not in by_pk]
    if unknown:
        raise Http404(_("Unknown unit."))
    wanted = set(wanted)
    return [u for u in candidates if str(u.pk) in wanted]


def _decorate_objectives(comparison):
    """The labels and colours of the indicator cells."""
    for group in comparison.groups:
        for row in group.rows:
            for cells in row.columns:
                for cell in cells:
                    indicator = cell.indicator
                    cell.target_label = target_label(indicator)
                    cell.css = STATE_CSS[cell.state]
                    cell.state_label = STATE_LABELS[cell.state]
                    cell.latest_label = ""
                    if cell.latest is not None:
                        cell.latest_label = _("%(period)s: %(value)s %(unit)s") % {
                            "period": period_label(indicator, cell.latest.period),
                            "value": number_text(cell.latest.measurement.value),
                            "unit": indicator.unit_of_measure,
                        }
                    cell.rate_label = ""
                    if cell.measured:
                        cell.rate_label = _("%(passed)s/%(measured)s periods passed") % {
                            "passed": indicator.passed,
                            "measured": cell.measured,
                        }
                    cell.title = _("%(objective)s · %(frequency)s · %(state)s") % {
                        "objective": cell.objective.statement,
                        "frequency": indicator.get_frequency_display(),
                        "state": cell.state_label,
                    }
    return comparison


def _decorate_audits(comparison):
    for column in comparison.columns:
        for audit in column.audits:
            audit.held_on = audit.started_on or audit.planned_month
    for row in comparison.clause_rows:
        row.cells = [
            [{"kind": kind, "n": n, "css": KIND_CSS[kind], "short": KIND_SHORT[kind]} for kind, n in cell]
            for cell in row.columns
        ]
    for row in comparison.kind_rows:
        row.css = KIND_CSS[row.kind]
    return comparison


def _query(request, **changes):
    """The current query string with some parameters changed (the subject tabs)."""
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@login_required
def compare(request):
    """The comparison page: a form, then the chosen subject's table for the chosen units."""
    candidates = selectors.scoped_qms_units(request.user)
    form = CompareForm(request.GET, units=candidates)
    picked = _picked_units(request, candidates)
    context = {"form": form, "subjects": SUBJECTS, "picked": {u.pk for u in picked}}
    if not form.is_valid():
        context["year_units"] = [u for u in candidates if selectors.existed_in(u, clock.today().year)]
        return render(request, "reports/compare/compare.html", context, status=400)

    data = form.cleaned_data
    year, subject = data["year"], data["subject"]
    year_units = [u for u in candidates if selectors.existed_in(u, year)]
    units = picked or year_units
    # A unit picked by name that did not exist that year is left out, and said so.
    missing = [u for u in units if not selectors.existed_in(u, year)]
    units = [u for u in units if selectors.existed_in(u, year)]
    if data["wave"]:
        units = [u for u in units if str(u.wave_id) == data["wave"]]
    if data["kind"]:
        units = [u for u in units if u.kind == data["kind"]]

    context.update(
        year=year,
        subject=subject,
        subject_label=dict(SUBJECTS)[subject],
        tabs=[(value, label, _query(request, subject=value, year=year)) for value, label in SUBJECTS],
        year_units=year_units,
        units=units,
        missing=missing,
    )
    if units:
        if subject == OBJECTIVES:
            context["grace_days"] = MEASUREMENT_GRACE_DAYS
            context["comparison"] = _decorate_objectives(
                selectors.compare_objectives(units, year, clock.today())
            )
        elif subject == AUDITS:
            context["comparison"] = _decorate_audits(selectors.compare_audits(units, year))
        else:
            context["comparison"] = selectors.compare_scores(units, year)
    return render(request, "reports/compare/compare.html", context)
