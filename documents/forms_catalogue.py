"""Forms of the catalogues kept by the supervisor's ISO staff: TTHC, applicability, announcing
decisions and their items, the import of a decision's list, and the register of legal documents.

Every form takes `user`; the units offered are narrowed to those the user manages.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from communes.models import Unit
from core.forms import submit_helper as _helper
from core.scoping import Action
from documents.models import DecisionItem, LegalChange, LegalDocument, Procedure, ProcedureDecision
from documents.services import imports

DATE_WIDGET = {"type": "date"}


def _date_input():
    return forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelMultipleChoiceField):
    """Units named with the unit above them: many communes share a name across districts."""

    def label_from_instance(self, obj):
        return f"{obj.name} — {obj.parent.name}" if obj.parent_id else obj.name


def _check_dates(form, cleaned, message):
    signed, effective = cleaned.get("signed_on"), cleaned.get("effective_on")
    if signed and effective and effective < signed:
        form.add_error("effective_on", message)


class ProcedureForm(forms.ModelForm):
    """A TTHC of the catalogue; its status normally follows the announcing decisions."""

    class Meta:
        model = Procedure
        fields = ["code", "name", "field", "level", "status", "legal_bases"]
        widgets = {"legal_bases": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("National code as written in the catalogue, e.g. 1.001193")
        self.fields["legal_bases"].queryset = LegalDocument.objects.order_by("-effective_on", "number")
        self.fields["legal_bases"].required = False
        self.helper = _helper()


class ApplicabilityForm(forms.Form):
    """Where the TTHC applies: every unit of the ticked kinds, plus the chosen units."""

    unit_kinds = forms.MultipleChoiceField(
        label=_("Every unit of these kinds"),
        choices=Unit.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    units = UnitChoiceField(
        label=_("And these units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("Only the units you manage are listed. Hold Ctrl to choose several."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = (
            Unit.objects.for_user(user, Action.MANAGE).select_related("parent").order_by("path")
        )
        self.helper = _helper()


class DecisionForm(forms.ModelForm):
    class Meta:
        model = ProcedureDecision
        fields = ["number", "issuer", "title", "signed_on", "effective_on"]
        widgets = {"signed_on": _date_input(), "effective_on": _date_input()}
        error_messages = {
            "number": {"unique": _("A decision with this number is already registered.")},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].help_text = _("e.g. 1234/QĐ-UBND")
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        _check_dates(self, cleaned, _("The effective date cannot be before the signing date."))
        return cleaned


class DecisionItemForm(forms.Form):
    """One TTHC the decision adds, amends or abolishes: an existing one, or a new one by code."""

    change = forms.ChoiceField(label=_("Change"), choices=DecisionItem.Change.choices)
    procedure = forms.ModelChoiceField(
        label=_("TTHC of the catalogue"), queryset=Procedure.objects.none(), required=False
    )
    new_code = forms.CharField(
        label=_("Or a new TTHC: code"),
        max_length=Procedure._meta.get_field("code").max_length,
        required=False,
    )
    new_name = forms.CharField(
        label=_("Name of the new TTHC"),
        max_length=Procedure._meta.get_field("name").max_length,
        required=False,
    )
    new_field = forms.CharField(
        label=_("Field of the new TTHC"),
        max_length=Procedure._meta.get_field("field").max_length,
        required=False,
    )
    new_level = forms.ChoiceField(
        label=_("Level of the new TTHC"), choices=Procedure.Level.choices, initial=Procedure.Level.COMMUNE
    )
    note = forms.CharField(
        label=_("Note"), max_length=DecisionItem._meta.get_field("note").max_length, required=False
    )

    def __init__(self, *args, user, decision, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision = decision
        self.fields["procedure"].queryset = Procedure.objects.exclude(
            pk__in=decision.items.values("procedure_id")
        ).order_by("code")
        self.helper = _helper(_("Add to the decision"))

    def clean(self):
        cleaned = super().clean()
        procedure, code = cleaned.get("procedure"), cleaned.get("new_code", "").strip()
        if procedure and code:
            raise forms.ValidationError(_("Pick a TTHC from the catalogue or enter a new one, not both."))
        if not procedure and not code:
            raise forms.ValidationError(_("Pick a TTHC from the catalogue or enter the code of a new one."))
        if code:
            if Procedure.objects.filter(code=code).exists():
                self.add_error(
                    "new_code",
                    _("%(code)s is already in the catalogue: pick it in the list.") % {"code": code},
                )
            if not cleaned.get("new_name", "").strip():
                self.add_error("new_name", _("A new TTHC needs its name."))
            if cleaned.get("change") and cleaned["change"] != DecisionItem.Change.ADD:
                self.add_error(
                    "change",
                    _("A TTHC that is not in the catalogue can only be added, not amended or abolished."),
                )
        return cleaned


class DecisionImportForm(forms.Form):
    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted here, not at import time, so that it follows the request's language.
        self.fields["file"].help_text = _(
            "Columns: code, name, field, level, change (add, amend, abolish) — or Mã TTHC, Tên TTHC, Lĩnh vực, "
            "Cấp thực hiện, Hình thức. At most %(rows)s rows."
        ) % {"rows": imports.MAX_ROWS}
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"
        self.helper = _helper(_("Preview"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.rows = imports.parse_file(upload)
        except imports.ImportFileError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return upload


class LegalDocumentForm(forms.ModelForm):
    """Register data of a legal document. On creation, what it amends or replaces (that opens
    the update tasks); the links are not edited afterwards."""

    amends = forms.ModelMultipleChoiceField(
        label=_("Amends"),
        queryset=LegalDocument.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    replaces = forms.ModelMultipleChoiceField(
        label=_("Replaces"),
        queryset=LegalDocument.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "The documents and TTHC procedures citing an amended or replaced document get a task to be "
            "revised within 3 months of this one's effective date."
        ),
    )

    class Meta:
        model = LegalDocument
        fields = ["number", "kind", "issuer", "title", "signed_on", "effective_on"]
        widgets = {"signed_on": _date_input(), "effective_on": _date_input()}
        error_messages = {
            "number": {"unique": _("A legal document with this number is already registered.")},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["amends"], self.fields["replaces"]
        else:
            for name in ("amends", "replaces"):
                self.fields[name].queryset = LegalDocument.objects.order_by("-effective_on", "number")
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        _check_dates(self, cleaned, _("The effective date cannot be before the signing date."))
        both = set(cleaned.get("amends") or ()) & set(cleaned.get("replaces") or ())
        if both:
            self.add_error(
                "replaces",
                _("%(number)s cannot be both amended and replaced.")
                % {"number": sorted(d.number for d in both)[0]},
            )
        return cleaned

    @property
    def changes(self):
        """[(older document, kind)] for the register service."""
        data = self.cleaned_data
        return [(d, LegalChange.Kind.AMEND) for d in data.get("amends") or ()] + [
            (d, LegalChange.Kind.REPLACE) for d in data.get("replaces") or ()
        ]
