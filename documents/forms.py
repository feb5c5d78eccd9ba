"""Forms of the controlled-document pages. Every form takes `user` and narrows its choices to
the user's scope; the business rules stay in documents.services (their errors land on the form)."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communes.models import Unit
from core.forms import submit_helper as _helper
from core.scoping import Action, get_scope
from core.templatetags.qms import person
from documents.models import Document, LegalDocument, Procedure, ReviewRecord

DATE_WIDGET = {"type": "date"}

# The error codes of core.files.check_upload: they concern the file field.
FILE_ERROR_CODES = {"too_big", "empty", "extension", "content", "mismatch"}


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person(obj)


def _people_for(user, keep=None):
    """The people of the units the user may read (and the user), e.g. to name an owner."""
    people = get_user_model().objects.filter(is_active=True)
    scope = get_scope(user)
    if not scope.everything:
        units = Unit.objects.for_user(user, Action.VIEW).values("pk")
        condition = Q(pk=user.pk) | Q(memberships__unit__in=units)
        if keep is not None:
            condition |= Q(pk=keep)
        people = people.filter(pk__in=get_user_model().objects.filter(condition).values("pk"))
    return people.order_by("last_name", "first_name", "username")


def _catalogue(model, keep_ids, live):
    """Live catalogue entries, plus those the document already cites (kept even if abolished)."""
    return model.objects.filter(Q(pk__in=keep_ids) | live).order_by(*model._meta.ordering)


class DocumentForm(forms.ModelForm):
    """Register data of a document. On creation the unit is chosen among those where the user
    may write, and a first issue is opened as a draft with `change_summary`."""

    change_summary = forms.CharField(
        label=_("About the first issue"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional; “First issue.” when left empty."),
    )

    class Meta:
        model = Document
        fields = [
            "unit",
            "code",
            "title",
            "kind",
            "owner",
            "review_period_months",
            "procedures",
            "legal_bases",
            "is_model",
        ]
        widgets = {
            "procedures": forms.SelectMultiple(attrs={"size": 8}),
            "legal_bases": forms.SelectMultiple(attrs={"size": 6}),
        }
        field_classes = {"owner": PersonChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        scope = get_scope(user)
        creating = self.instance.pk is None
        if creating:
            self.fields["unit"].queryset = (
                Unit.objects.for_user(user, Action.CHANGE).active_on().only("name", "path")
            )
            if not can_manage_somewhere(user):
                del self.fields["is_model"]
        else:
            del self.fields["unit"]
            del self.fields["change_summary"]
            if not scope.covers(Action.MANAGE, self.instance.unit.path):
                # Publishing a framework model to the units below is the supervisor's decision.
                del self.fields["is_model"]
        self.fields["owner"].queryset = _people_for(user, keep=self.instance.owner_id)
        keep_procedures = list(self.instance.procedures.values_list("pk", flat=True)) if not creating else []
        keep_legal = list(self.instance.legal_bases.values_list("pk", flat=True)) if not creating else []
        self.fields["procedures"].queryset = _catalogue(
            Procedure, keep_procedures, ~Q(status=Procedure.Status.ABOLISHED)
        )
        self.fields["legal_bases"].queryset = _catalogue(LegalDocument, keep_legal, Q())
        self.fields["procedures"].help_text = _(
            "The TTHC this procedure serves (one procedure may serve a group)."
        )
        self.helper = _helper(_("Save"))

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("unit") if "unit" in self.fields else self.instance.unit
        manages = unit is not None and get_scope(self.user).covers(Action.MANAGE, unit.path)
        if cleaned.get("is_model") and unit is not None and not manages:
            self.add_error("is_model", _("Only the supervisor's ISO staff publish framework models."))
        return cleaned

    def service_fields(self):
        """The register fields to hand to the service (without unit and the M2M links)."""
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in ("code", "title", "kind", "owner", "review_period_months", "is_model")
            if name in self.fields
        }
        return fields


def can_manage_somewhere(user):
    scope = get_scope(user)
    return scope.everything or bool(scope.paths(Action.MANAGE))


class RevisionForm(forms.Form):
    change_summary = forms.CharField(
        label=_("What changes in this issue"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label or _("Save"))


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What must change before approval"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Return to the author"), "btn-warning")


class ApproveForm(forms.Form):
    effective_from = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        help_text=_("Today or later; the issue in force stays in force until then."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("effective_from", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Approve"), "btn-success")


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the document withdrawn?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Withdraw the document"), "btn-danger")


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label=_("Reviewed on"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewRecord.Outcome.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("Required when the document is to be revised or withdrawn."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("reviewed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Record the review"))


class _ModelAnswerForm(forms.Form):
    """The unit answering a framework model: among the units below the model's publisher where
    the user may write and which have not answered yet."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk


class AdoptForm(_ModelAnswerForm):
    code = forms.CharField(
        label=_("Code in the unit"),
        required=False,
        max_length=50,
        help_text=_("Leave empty to keep the model's code."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Adopt the model"))


class NotApplicableForm(_ModelAnswerForm):
    reason = forms.CharField(
        label=_("Why does the model not apply?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Mark as not applicable"), "btn-secondary")
