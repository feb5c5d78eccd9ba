"""The citizen's survey form (the public page /survey/<unit>/, no login).

The form checks the shape of the input (a rating is 1..5, overall required, lengths); the
service (surveys.services.responses.response_submit) checks it again with the business rules
(the unit handles the procedure, the rate limits) and is the only writer.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.models import COMMENT_MAX, CONTACT_MAX, CRITERIA, CRITERION_LABELS

# Named like a field a form-filling robot completes; people never see it (see the template).
HONEYPOT_FIELD = "website"

# 1 very dissatisfied … 5 very satisfied; "satisfied" means 4 or 5 (surveys.models).
RATING_CHOICES = [
    ("1", _("very dissatisfied")),
    ("2", _("dissatisfied")),
    ("3", _("neither satisfied nor dissatisfied")),
    ("4", _("satisfied")),
    ("5", _("very satisfied")),
]


class ProcedureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class SurveyForm(forms.Form):
    """One response: the procedure (optional), six ratings (overall required), comment, contact."""

    procedure = ProcedureChoiceField(
        label=_("Administrative procedure"),
        queryset=None,
        required=False,
        empty_label=_("— I do not know / another procedure —"),
    )
    comment = forms.CharField(
        label=_("Your comment or suggestion"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX}),
    )
    contact = forms.CharField(
        label=_("Your phone number or e-mail (if you want an answer)"),
        required=False,
        max_length=CONTACT_MAX,
        widget=forms.TextInput(attrs={"maxlength": CONTACT_MAX, "autocomplete": "off"}),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, procedures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = procedures
        self.fields["procedure"].widget.attrs["class"] = "form-select form-select-lg"
        self.criterion_names = []
        for criterion in CRITERIA:
            self.fields[criterion] = forms.TypedChoiceField(
                label=CRITERION_LABELS[criterion],
                choices=RATING_CHOICES,
                coerce=int,
                empty_value=None,
                required=criterion == "overall",
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                error_messages={"required": _("Please rate your overall satisfaction.")},
            )
            self.criterion_names.append(criterion)
        self.fields["comment"].widget.attrs["class"] = "form-control"
        self.fields["contact"].widget.attrs["class"] = "form-control"

    def criteria_fields(self):
        """The rating fields, in the order of CRITERIA (overall last), for the template."""
        return [self[name] for name in self.criterion_names]

    def ratings(self) -> dict:
        return {criterion: self.cleaned_data.get(criterion) for criterion in CRITERIA}

    @property
    def is_trap_filled(self) -> bool:
        """A robot filled the field people never see."""
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())
