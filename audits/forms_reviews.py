"""Forms of the management-review (ISO 9001:2015 §9.3) and inspection pages.

Every form takes `user` and narrows its choices to the user's scope; the business rules stay in
audits.services.reviews and audits.services.inspections (their errors land on the form).
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import Clause, ManagementReview, ReviewOutput
from communes.models import Unit
from core.forms import submit_helper as _helper
from core.scoping import Action

DATE_WIDGET = {"type": "date"}

# Kinds of units that run a QMS of their own (the province and the districts supervise them).
QMS_UNIT_KINDS = [
    Unit.Kind.COMMUNE,
    Unit.Kind.WARD,
    Unit.Kind.TOWN,
    Unit.Kind.SPECIAL_ZONE,
    Unit.Kind.AGENCY,
]


def qms_units(user, action=Action.VIEW):
    """Units in operation that run a QMS, within the user's scope for `action`."""
    return (
        Unit.objects.for_user(user, action)
        .active_on()
        .filter(kind__in=QMS_UNIT_KINDS)
        .only("name", "path", "kind")
        .order_by("path")
    )


def _not_in_future(value, message):
    if value and value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


def _date_field(label, required=True, help_text=""):
    return forms.DateField(
        label=label, required=required, help_text=help_text, widget=forms.DateInput(attrs=DATE_WIDGET)
    )


# --- Management review ---------------------------------------------------------------------
class UnitChoiceForm(forms.Form):
    """Which unit the new review is for (GET): units where the user may write."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = qms_units(user, Action.CHANGE)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("submit", _("Continue"), css_class="btn-primary"))


class ReviewForm(forms.ModelForm):
    """Date, chair, attendees, the ten inputs of §9.3.2 and the conclusion."""

    class Meta:
        model = ManagementReview
        fields = ["held_on", "chair", "attendees", *[name for name, _label in ManagementReview.INPUTS]]
        fields += ["conclusion"]
        widgets = {
            "held_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "attendees": forms.Textarea(attrs={"rows": 3}),
            "conclusion": forms.Textarea(attrs={"rows": 3}),
            **{name: forms.Textarea(attrs={"rows": 3}) for name, _label in ManagementReview.INPUTS},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, label in ManagementReview.INPUTS:
            self.fields[name].label = label
        self.fields["attendees"].help_text = _("One person per line, with their position.")
        self.helper = _helper(_("Save"))

    def clean_held_on(self):
        return _not_in_future(self.cleaned_data.get("held_on"), _("A review cannot be dated in the future."))

    def service_fields(self):
        data = self.cleaned_data
        fields = {name: data.get(name, "") for name, _label in ManagementReview.INPUTS}
        fields.update(
            held_on=data["held_on"],
            chair=data["chair"],
            attendees=data["attendees"],
            conclusion=data.get("conclusion", ""),
        )
        return fields


class ReviewOutputForm(forms.Form):
    """An output or decision of the review (§9.3.3); it may open an action."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ReviewOutput.Kind.choices)
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 4}))
    raise_action = forms.BooleanField(
        label=_("Raise an action"),
        required=False,
        help_text=_("Opens a nonconformity of the unit, source “management review”, to plan actions on."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Add the output"))


# --- Inspections ---------------------------------------------------------------------------
class InspectionPlanForm(forms.Form):
    """The plan of a year's inspections: several units the user manages, one decision, one team."""

    year = forms.IntegerField(label=_("Plan year"), min_value=2000)
    units = forms.ModelMultipleChoiceField(
        label=_("Units to inspect"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    planned_on = _date_field(_("Planned on"), required=False)
    decision_number = forms.CharField(label=_("Inspection decision number"), max_length=60, required=False)
    decision_date = _date_field(_("Decision date"), required=False)
    team = forms.CharField(
        label=_("Inspection team"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One person per line, with their position."),
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = qms_units(user, Action.MANAGE)
        next_year = timezone.localdate().year + 1
        self.fields["year"].validators.append(MaxValueValidator(next_year))
        self.fields["year"].widget.attrs["max"] = next_year
        self.helper = _helper(_("Plan the inspections"))

    def clean_decision_date(self):
        return _not_in_future(
            self.cleaned_data.get("decision_date"), _("The decision cannot be dated in the future.")
        )

    def clean(self):
        cleaned = super().clean()
        year, planned_on = cleaned.get("year"), cleaned.get("planned_on")
        if year and planned_on and planned_on.year != year:
            self.add_error("planned_on", _("The planned date must fall in the plan year."))
        return cleaned


class MinutesForm(forms.Form):
    signed_on = _date_field(_("Minutes signed on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("", form_tag=False)


class FindingRowForm(forms.Form):
    """One finding of the minutes; an empty row is ignored."""

    clause = forms.ModelChoiceField(label=_("Clause"), queryset=Clause.objects.all(), required=False)
    description = forms.CharField(
        label=_("Finding"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("clause") and not (cleaned.get("description") or "").strip():
            self.add_error("description", _("Describe the finding, or clear its clause."))
        return cleaned


FindingFormSet = forms.formset_factory(FindingRowForm, extra=3)


class ReportForm(forms.Form):
    submitted_on = _date_field(
        _("Report submitted on"),
        help_text=_("The day the unit sent its corrective-action report to the province."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"))

    def clean_submitted_on(self):
        return _not_in_future(
            self.cleaned_data.get("submitted_on"), _("The report cannot be dated in the future.")
        )
