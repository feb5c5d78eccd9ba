"""Forms of the audit and corrective-action pages. Every form narrows its choices to the user's
scope; the business rules (independence, states, verifier ≠ owner) stay in audits.services and
their errors land on the form."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import ChecklistItem, Clause, Finding, Nonconformity
from communes.models import Membership, Unit
from core.forms import submit_helper as _helper
from core.scoping import Action, get_scope
from core.templatetags.qms import person

DATE_WIDGET = {"type": "date"}
TEXT = {"rows": 3}

# The error codes of core.files.check_upload: they concern the file field.
FILE_ERROR_CODES = {"too_big", "empty", "extension", "content", "mismatch"}
# Roles whose holders may be named on an audit team (they hold the AUDIT action).
AUDITING_ROLES = (Membership.Role.AUDITOR, Membership.Role.SUPERVISOR)
NO_ONE = get_user_model().objects.none()


def upload_error_field(exc):
    return "file" if getattr(exc, "code", None) in FILE_ERROR_CODES else None


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person(obj)


class MonthField(forms.DateField):
    """A month (<input type=month>, "2025-06"), stored as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d", "%m/%Y"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


def _people(condition):
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(pk__in=User.objects.filter(condition).values("pk"))
        .order_by("last_name", "first_name", "username")
    )


def ancestor_paths(unit):
    """The paths of `unit` and of the units above it: a membership on one of them covers it."""
    return [unit.path[: i + 1] for i, ch in enumerate(unit.path) if ch == "/"]


def auditors_for_unit(unit):
    """People who may audit `unit`: an auditor's or supervisor's membership covering it."""
    return _people(Q(memberships__role__in=AUDITING_ROLES, memberships__unit__path__in=ancestor_paths(unit)))


def auditors_in_scope(user):
    """Auditors and ISO staff of the units the user may read (to staff a programme)."""
    units = Unit.objects.for_user(user, Action.VIEW).values("pk")
    return _people(Q(memberships__role__in=AUDITING_ROLES, memberships__unit__in=units))


def members_covering(unit):
    """People with a membership covering `unit` (e.g. the owner of an action)."""
    return _people(Q(memberships__unit__path__in=ancestor_paths(unit)))


# --- Programmes and audits -------------------------------------------------------------------
class ProgrammeForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Supervising unit"),
        queryset=Unit.objects.none(),
        help_text=_("One audit is planned for every unit below it that runs a QMS."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=300)
    objectives = forms.CharField(label=_("Objectives"), required=False, widget=forms.Textarea(attrs=TEXT))
    month = MonthField(
        label=_("Planned month"), required=False, help_text=_("June of the year when left empty.")
    )
    clauses = forms.ModelMultipleChoiceField(
        label=_("Clauses in scope"),
        queryset=Clause.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("All clauses when none is chosen."),
    )
    lead_auditor = PersonChoiceField(label=_("Lead auditor"), queryset=NO_ONE, required=False)
    team = PeopleChoiceField(
        label=_("Audit team"),
        queryset=NO_ONE,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("An auditor who is the ISO officer of a unit is left off that unit's audit."),
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.for_user(user, Action.MANAGE).active_on().only("name", "path").order_by("path")
        )
        people = auditors_in_scope(user) if not get_scope(user).everything else _people(Q())
        self.fields["lead_auditor"].queryset = people
        self.fields["team"].queryset = people
        self.helper = _helper(_("Create the programme and plan the audits"))

    def clean(self):
        cleaned = super().clean()
        month, year = cleaned.get("month"), cleaned.get("year")
        if month and year and month.year != year:
            self.add_error("month", _("The planned month must fall in the programme's year."))
        return cleaned


class AuditPlanForm(forms.Form):
    planned_month = MonthField(label=_("Planned month"))
    lead_auditor = PersonChoiceField(label=_("Lead auditor"), queryset=NO_ONE, required=False)
    team = PeopleChoiceField(
        label=_("Audit team"),
        queryset=NO_ONE,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    clauses = forms.ModelMultipleChoiceField(
        label=_("Clauses in scope"),
        queryset=Clause.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    processes = forms.CharField(
        label=_("Processes in scope"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("E.g. the one-stop desk, civil registration, land administration."),
    )

    def __init__(self, *args, audit, **kwargs):
        initial = {
            "planned_month": audit.planned_month,
            "lead_auditor": audit.lead_auditor_id,
            "team": list(audit.team.values_list("pk", flat=True)),
            "clauses": list(audit.scope_clauses.values_list("pk", flat=True)),
            "processes": audit.scope_processes,
        }
        super().__init__(*args, initial=initial, **kwargs)
        people = auditors_for_unit(audit.unit)
        keep = [pk for pk in [audit.lead_auditor_id, *initial["team"]] if pk]
        if keep:
            people = _people(
                Q(pk__in=people.values("pk")) | Q(pk__in=keep)
            )  # a conflicted person stays visible, to be corrected
        self.fields["lead_auditor"].queryset = people
        self.fields["team"].queryset = people
        self.helper = _helper(_("Save the plan"))


class ChecklistItemForm(forms.Form):
    clause = forms.ModelChoiceField(label=_("Clause"), queryset=Clause.objects.all())
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs=TEXT), max_length=5000)

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        in_scope = audit.scope_clauses.all()
        if in_scope.exists():
            self.fields["clause"].queryset = in_scope.order_by("sort_key")
        self.helper = _helper(_("Add the question"))


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), choices=ChecklistItem.Answer.choices, required=False)
    evidence = forms.CharField(label=_("Evidence"), required=False, max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save the answer"))


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Finding.Kind.choices)
    clause = forms.ModelChoiceField(label=_("Clause"), queryset=Clause.objects.all())
    checklist_item = forms.ModelChoiceField(
        label=_("Checklist question"), queryset=ChecklistItem.objects.none(), required=False
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs=TEXT), max_length=5000)
    evidence = forms.CharField(
        label=_("Objective evidence"),
        required=False,
        widget=forms.Textarea(attrs=TEXT),
        max_length=5000,
        help_text=_("Required for a nonconformity: what was seen, where, which record."),
    )
    file = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("Optional. PDF, Word (DOC, DOCX), Excel (XLS, XLSX) or ODT; checked by its content."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx,.odt"}),
    )

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist_item"].queryset = audit.checklist.select_related("clause")
        self.helper = _helper(_("Record the finding"))


class ReportForm(forms.Form):
    conclusion = forms.CharField(
        label=_("Conclusion"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text=_("Is the QMS conforming and effectively implemented and maintained? (ISO 9001 §9.2.1)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Issue the report"))


# --- Nonconformities and corrective actions -----------------------------------------------------
DIRECT_SOURCES = [
    (Nonconformity.Source.DIRECT, Nonconformity.Source.DIRECT.label),
    (Nonconformity.Source.COMPLAINT, Nonconformity.Source.COMPLAINT.label),
]


class NonconformityForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    source = forms.ChoiceField(label=_("Source"), choices=DIRECT_SOURCES)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs=TEXT), max_length=10000)
    clause = forms.ModelChoiceField(label=_("Clause"), queryset=Clause.objects.all(), required=False)
    raised_on = forms.DateField(
        label=_("Raised on"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("raised_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        units = Unit.objects.for_user(user, Action.CHANGE).active_on().only("name", "path").order_by("path")
        self.fields["unit"].queryset = units
        self.helper = _helper(_("Raise the nonconformity"))

    def clean_raised_on(self):
        day = self.cleaned_data["raised_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A nonconformity cannot be raised in the future."))
        return day


class CorrectiveActionForm(forms.Form):
    correction = forms.CharField(
        label=_("Correction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text=_("What was done at once to contain it."),
    )
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs=TEXT), max_length=5000)
    why_1 = forms.CharField(label=_("Why? (1)"), required=False, max_length=500)
    why_2 = forms.CharField(label=_("Why? (2)"), required=False, max_length=500)
    why_3 = forms.CharField(label=_("Why? (3)"), required=False, max_length=500)
    why_4 = forms.CharField(label=_("Why? (4)"), required=False, max_length=500)
    why_5 = forms.CharField(label=_("Why? (5)"), required=False, max_length=500)
    action = forms.CharField(
        label=_("Corrective action"),
        widget=forms.Textarea(attrs=TEXT),
        max_length=5000,
        help_text=_("What removes the cause, so that it does not happen again (ISO 9001 §10.2.1 c)."),
    )
    owner = PersonChoiceField(label=_("Owner"), queryset=NO_ONE)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))

    WHYS = ["why_1", "why_2", "why_3", "why_4", "why_5"]

    def __init__(self, *args, nonconformity, user, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("due_on", timezone.localdate() + datetime.timedelta(days=30))
        super().__init__(*args, **kwargs)
        people = members_covering(nonconformity.unit)
        self.fields["owner"].queryset = people
        if people.filter(pk=user.pk).exists():
            self.fields["owner"].initial = user.pk
        for name in self.WHYS:
            self.fields[name].help_text = ""
        self.fields["why_1"].help_text = _("Optional: the five whys, each answer asking the next why.")
        self.helper = _helper(_("Add the action"))

    def five_whys(self):
        return [self.cleaned_data.get(name, "") for name in self.WHYS]


class ActionDoneForm(forms.Form):
    done_on = forms.DateField(
        label=_("Done on"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("done_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Mark as done"), "btn-success")


class VerifyForm(forms.Form):
    effective = forms.TypedChoiceField(
        label=_("Was the action effective?"),
        choices=[("yes", _("Yes, effective")), ("no", _("No, not effective"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    evidence = forms.CharField(
        label=_("Evidence of the verdict"), widget=forms.Textarea(attrs=TEXT), max_length=5000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Record the verification"))
