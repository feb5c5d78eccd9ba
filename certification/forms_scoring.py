"""Forms of the annual scoring pages: rounds, criteria, score sheets, and the round list's filter.

Every form takes `user` and narrows its choices to the user's scope; the rules (criteria locked
once a sheet is finalised, a comment for every hand-scored line, ...) stay in
certification.services.scoring, whose errors land on the form.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification import sources
from certification.models import QMS_UNIT_KINDS, ScoringRound
from communes.models import Unit
from core.forms import submit_helper
from core.scoping import Action
from core.text import fold

DATE_WIDGET = {"type": "date"}


def supervising_units(user):
    """Units that keep a scoring round for the units under them (a province or a district),
    in operation, where the user may manage."""
    return (
        Unit.objects.for_user(user, Action.MANAGE)
        .active_on()
        .exclude(kind__in=QMS_UNIT_KINDS)
        .only("name", "path", "kind")
        .order_by("path")
    )


# --- Rounds --------------------------------------------------------------------------------
class RoundForm(forms.Form):
    """A new round (unit and year) or the settings of an existing one (the year stays)."""

    unit = forms.ModelChoiceField(label=_("Supervising unit"), queryset=Unit.objects.none())
    year = forms.IntegerField(
        label=_("Year scored"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    self_score_due = forms.DateField(
        label=_("Self-scoring due on"),
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
    )
    commend_top = forms.IntegerField(
        label=_("Units proposed for commendation"),
        min_value=0,
        max_value=100,
        initial=3,
        help_text=_("How many of the best-ranked units are proposed for commendation."),
    )
    support_bottom = forms.IntegerField(
        label=_("Units needing support"),
        min_value=0,
        max_value=100,
        initial=3,
        help_text=_("How many of the lowest-ranked units are listed as needing support."),
    )

    def __init__(self, *args, user, scoring_round=None, **kwargs):
        if scoring_round is None:
            kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        else:
            kwargs.setdefault(
                "initial",
                {
                    "self_score_due": scoring_round.self_score_due,
                    "commend_top": scoring_round.commend_top,
                    "support_bottom": scoring_round.support_bottom,
                },
            )
        super().__init__(*args, **kwargs)
        if scoring_round is None:
            units = supervising_units(user)
            self.fields["unit"].queryset = units
            if len(units[:2]) == 1:
                self.fields["unit"].initial = units[0].pk
        else:
            # The unit and the year make the round; they do not change.
            del self.fields["unit"], self.fields["year"]
        self.helper = submit_helper(_("Save"))


# --- Criteria ------------------------------------------------------------------------------
BY_HAND = ""


def source_choices():
    return [(BY_HAND, _("scored by hand, with a comment")), *sources.choices()]


class CriterionForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("e.g. 1, 2.a, TC-03"))
    title = forms.CharField(label=_("Criterion"), max_length=300)
    max_points = forms.DecimalField(
        label=_("Maximum points"), max_digits=6, decimal_places=2, min_value=Decimal("0.5")
    )
    source = forms.ChoiceField(
        label=_("How it is scored"),
        required=False,
        choices=(),
        help_text=_(
            "A computed criterion takes its figure and points from the system; the officer cannot "
            "change them."
        ),
    )
    evidence = forms.CharField(
        label=_("How the evidence is gathered"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0)

    def __init__(self, *args, user, criterion=None, **kwargs):
        if criterion is not None:
            kwargs.setdefault(
                "initial",
                {name: getattr(criterion, name) for name in ("code", "title", "max_points", "evidence")}
                | {"source": criterion.source, "order": criterion.order},
            )
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = source_choices()
        if criterion is not None and criterion.source and criterion.source not in sources.SOURCES:
            # A source no longer installed: keep it visible so that saving does not drop it silently.
            self.fields["source"].choices += [(criterion.source, criterion.source)]
        self.helper = submit_helper(_("Save"))

    def service_fields(self):
        data = self.cleaned_data
        return {
            "code": data["code"],
            "title": data["title"],
            "max_points": data["max_points"],
            "source": data.get("source") or "",
            "evidence": data.get("evidence") or "",
            "order": data["order"],
        }


# --- Score sheets --------------------------------------------------------------------------
class SheetScoresForm(forms.Form):
    """The points and comment of each line of a sheet, for the officer (`stage="self"`: the
    criteria scored by hand only) or the supervisor (`stage="final"`: every criterion, plus
    remarks). Field names are `<stage>_<criterion id>` and `<stage>_comment_<criterion id>`, the
    keys of the services' errors, so an error shows on its row."""

    def __init__(self, *args, lines, stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage = stage
        self.lines = list(lines)
        for line in self.lines:
            if stage == "self" and line.criterion.is_computed:
                continue
            self.fields[self.points_name(line)] = forms.DecimalField(
                label=_("Points for %(code)s") % {"code": line.criterion.code},
                required=False,
                max_digits=8,
                decimal_places=2,
                widget=forms.NumberInput(
                    attrs={
                        "class": "form-control form-control-sm score-input",
                        "min": 0,
                        "max": f"{line.criterion.max_points}",
                        "step": "0.01",
                    }
                ),
            )
            self.fields[self.comment_name(line)] = forms.CharField(
                label=_("Comment on %(code)s") % {"code": line.criterion.code},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
            )
            points, comment = self._current(line)
            self.initial.setdefault(self.points_name(line), points)
            self.initial.setdefault(self.comment_name(line), comment)
        if stage == "final":
            self.fields["remarks"] = forms.CharField(
                label=_("Remarks to the unit"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )

    def _current(self, line):
        if self.stage == "self":
            return line.self_score, line.self_comment
        # The supervisor starts from the self-score; a different final score needs a comment.
        points = line.final_score if line.final_score is not None else line.self_score
        return points, line.final_comment

    def points_name(self, line):
        return f"{self.stage}_{line.criterion_id}"

    def comment_name(self, line):
        return f"{self.stage}_comment_{line.criterion_id}"

    def field_for(self, line):
        name = self.points_name(line)
        return (self[name], self[self.comment_name(line)]) if name in self.fields else (None, None)

    def scores(self):
        """{criterion id: (points or None, comment)} for the services."""
        data = self.cleaned_data
        return {
            line.criterion_id: (data.get(self.points_name(line)), data.get(self.comment_name(line)) or "")
            for line in self.lines
            if self.points_name(line) in self.fields
        }

    @classmethod
    def as_saved(cls, *, lines, stage):
        """A bound copy holding what is saved, for showing a service's errors on the rows (a
        refused submission, say)."""
        probe = cls(lines=lines, stage=stage)
        data = {}
        for name in probe.fields:
            value = probe.initial.get(name)
            data[name] = "" if value is None else str(value)
        form = cls(data, lines=lines, stage=stage)
        form.is_valid()
        return form


class ReturnForm(forms.Form):
    remarks = forms.CharField(
        label=_("What the officer should change"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


# --- Round list filter ---------------------------------------------------------------------
class RoundFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"), field_name="year")
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = ScoringRound
        fields = ["year"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].field.widget.attrs.update(
            {"class": "form-control", "placeholder": str(timezone.localdate().year)}
        )
        self.filters["q"].field.widget.attrs.update(
            {"class": "form-control", "placeholder": _("Unit name, without accents if you like")}
        )

    def search(self, queryset, name, value):
        folded = fold(value)
        return queryset.filter(unit__search_text__contains=folded) if folded else queryset
