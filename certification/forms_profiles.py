"""Forms of the QMS profile, decision and version transition pages.

Every form takes `user` and narrows its choices to the user's scope; the business rules stay in
certification.services.profile and certification.services.transitions (their errors land on the
form, and nothing is saved).
"""

from crispy_forms.layout import HTML, Div, Layout
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from certification.filters_profiles import supervising_units
from certification.models import Decision, QmsProfile, StandardVersion, VersionTransition
from certification.services.profile import KIND_ACTION
from core.files import check_upload
from core.forms import UploadForm, submit_helper
from core.scoping import Action, get_scope

DATE_WIDGET = {"type": "date"}
Kind = Decision.Kind


def _date_widget():
    return forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")


def _date_field(label, required=True, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text, widget=_date_widget())


def _checked_file(upload):
    """The content check of core.files on the form, so a refused file shows on its field."""
    if upload:
        check_upload(upload)
    return upload


def recordable_kinds(user, unit):
    """The kinds of decision the user may record on the unit's QMS: announcements and
    re-announcements need CHANGE, recognitions and revocations MANAGE (services.profile)."""
    scope = get_scope(user)
    return [kind for kind in Kind if scope.covers(KIND_ACTION[kind], unit.path)]


# The search box above the TTHC check boxes; the template's script hides what does not match,
# ignoring diacritics like the server-side searches.
PROCEDURE_SEARCH = HTML(
    '<div class="mb-2"><label class="form-label small" for="procedure-search">{% load i18n %}'
    '{% translate "Find a TTHC (code or name, diacritics optional)" %}</label>'
    '<input type="search" id="procedure-search" class="form-control form-control-sm" '
    'placeholder="{% translate "e.g. khai sinh" %}" autocomplete="off"></div>'
)


class ProfileForm(forms.ModelForm):
    """Version, scope, the TTHC in scope, the steering committee and the date the head confirmed
    the system effective. The status is the services' business, never the form's."""

    class Meta:
        model = QmsProfile
        fields = [
            "standard_version",
            "scope_statement",
            "procedures",
            "steering_decision_number",
            "steering_decision_date",
            "steering_members",
            "effective_confirmed_on",
        ]
        widgets = {
            "scope_statement": forms.Textarea(attrs={"rows": 3}),
            "procedures": forms.CheckboxSelectMultiple(attrs={"class": "procedure-choice"}),
            "steering_decision_date": _date_widget(),
            "steering_members": forms.Textarea(attrs={"rows": 4}),
            "effective_confirmed_on": _date_widget(),
        }

    def __init__(self, *args, user, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.unit = user, unit
        procedure_model = QmsProfile._meta.get_field("procedures").related_model
        keep = list(self.instance.procedures.values_list("pk", flat=True)) if self.instance.pk else []
        # TTHC in force, plus those the profile already lists (kept even if abolished since).
        self.fields["procedures"].queryset = procedure_model.objects.filter(
            Q(pk__in=keep) | ~Q(status=procedure_model.Status.ABOLISHED)
        ).order_by("code")
        self.fields["procedures"].required = False
        self.fields["procedures"].help_text = _(
            "The administrative procedures the QMS covers. Changing them after an announcement "
            "calls for a re-announcement."
        )
        self.fields["standard_version"].empty_label = None
        self.fields["scope_statement"].help_text = _(
            "What the system covers, e.g. the settlement of administrative procedures at the one-stop desk."
        )
        self.helper = submit_helper(_("Save"))
        self.helper.layout = Layout(
            "standard_version",
            "scope_statement",
            PROCEDURE_SEARCH,
            Div(
                "procedures",
                css_class="border rounded px-2 pt-2 mb-3",
                css_id="procedure-choices",
                style="max-height: 22rem; overflow-y: auto",
            ),
            "steering_decision_number",
            "steering_decision_date",
            "steering_members",
            "effective_confirmed_on",
        )

    def service_fields(self):
        data = self.cleaned_data
        return {
            "standard_version": data["standard_version"],
            "scope_statement": data.get("scope_statement") or "",
            "procedures": list(data.get("procedures") or []),
            "steering_decision_number": data.get("steering_decision_number") or "",
            "steering_decision_date": data.get("steering_decision_date"),
            "steering_members": data.get("steering_members") or "",
            "effective_confirmed_on": data.get("effective_confirmed_on"),
        }


class DecisionForm(forms.Form):
    """A decision on the unit's QMS. The version, scope and TTHC codes are copied from the profile
    by the service; the reason is for a re-announcement only."""

    kind = forms.ChoiceField(label=_("Kind"), choices=())
    reason = forms.ChoiceField(
        label=_("Reason of the re-announcement"),
        required=False,
        choices=[("", "—"), *[(v, label) for v, label in Decision.Reason.choices if v]],
        help_text=_("Only for a re-announcement: scope change, new standard version or merger."),
    )
    number = forms.CharField(label=_("Number"), max_length=60, help_text=_("e.g. 15/QĐ-UBND"))
    signed_on = _date_field(_("Signed on"))
    signer = forms.CharField(
        label=_("Signer"), max_length=200, help_text=_("Name and position, e.g. Nguyễn Văn A, Chủ tịch UBND")
    )
    file = forms.FileField(
        label=_("Signed file"),
        required=False,
        help_text=_("Optional: PDF, Word (DOC, DOCX), Excel (XLS, XLSX) or ODT; checked by its content."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx,.odt"}),
    )

    def __init__(self, *args, user, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.unit = user, unit
        kinds = recordable_kinds(user, unit)
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]
        self.helper = submit_helper(_("Record the decision"))
        self.helper.form_id = "decision-form"

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if number and Decision.objects.filter(unit=self.unit, number=number).exists():
            raise forms.ValidationError(_("This unit already has a decision with this number."))
        return number

    def clean_file(self):
        return _checked_file(self.cleaned_data.get("file"))


class DecisionFileForm(UploadForm):
    """The signed file of a decision recorded without one, checked on the form first."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_file(self):
        return _checked_file(self.cleaned_data.get("file"))


class TransitionForm(forms.Form):
    """A version transition: every unit under `unit` on `target_version` by `deadline`."""

    unit = forms.ModelChoiceField(
        label=_("Supervising unit"),
        queryset=None,
        help_text=_("Every unit with a QMS under it must move to the target version."),
    )
    target_version = forms.ModelChoiceField(
        label=_("Target version"), queryset=StandardVersion.objects.all(), empty_label=None
    )
    deadline = _date_field(_("Deadline"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. the plan or the decision that sets the deadline."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = supervising_units(user, Action.MANAGE).active_on()
        self.helper = submit_helper(_("Save"))

    def clean(self):
        cleaned = super().clean()
        unit, version = cleaned.get("unit"), cleaned.get("target_version")
        if unit and version and VersionTransition.objects.filter(unit=unit, target_version=version).exists():
            self.add_error("target_version", _("This unit already has a transition to this version."))
        return cleaned


class TransitionUpdateForm(forms.Form):
    """The deadline and the note of a transition (its unit and version are fixed)."""

    deadline = _date_field(_("Deadline"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = submit_helper(_("Save"))
