"""Forms of the reports app: the hand-written parts of the annual report, the year picker and the
unit picker of the registers. Each takes `user` and narrows its choices to the user's scope."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from communes.models import Unit
from core.forms import submit_helper
from core.scoping import Action
from reports import services
from reports.models import MAX_TEXT
from reports.selectors_annual import supervising_units


class AnnualReportForm(forms.Form):
    """The problems met during the year and the proposals to the Department (Sở KH&CN)."""

    problems = forms.CharField(
        label=_("Problems and difficulties"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What held the units back this year (staff, funding, software, mergers…)."),
    )
    proposals = forms.CharField(
        label=_("Proposals and recommendations"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the supervising unit asks of the Department of Science and Technology."),
    )

    def __init__(self, *args, user, report=None, **kwargs):
        self.user = user
        if report is not None:
            kwargs.setdefault("initial", {"problems": report.problems, "proposals": report.proposals})
        super().__init__(*args, **kwargs)
        self.helper = submit_helper(_("Save"))


class YearForm(forms.Form):
    """Which year's report (and, for a user with several, which supervising unit's)."""

    year = forms.IntegerField(label=_("Year"))
    unit = forms.ModelChoiceField(label=_("Supervising unit"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = supervising_units(user)
        first, last = services.year_range()
        self.fields["year"].widget.attrs.update(min=first, max=last)

    def clean_year(self):
        year = self.cleaned_data["year"]
        try:
            return services.check_year(year)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["year"]) from None


class ExportUnitForm(forms.Form):
    """Narrow a register to one unit's subtree (empty: every unit the user may read)."""

    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("All the units I may read"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.for_user(user, Action.VIEW).only("name", "path")
