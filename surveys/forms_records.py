"""Forms of the tallies (paper forms, rating devices) and of the one-stop record counts.

Every form takes `user`; the units offered are the one-stop units where the user may write
(CHANGE) or read (VIEW, for the filters). The business rules (who may write, months in the
future, the all-or-nothing import) live in surveys.services.tallies / records, whose errors land
on the form.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import QMS_UNIT_KINDS
from communes.models import Unit
from core.forms import submit_helper
from core.scoping import Action
from documents.models import Procedure
from surveys.models import CRITERION_CHOICES, Reconciliation, RecordCount, Tally
from surveys.services.imports import COUNT_MAX

YEAR_MIN, YEAR_MAX = 2000, 2100
MONTH_INPUT_FORMATS = ["%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y"]


def desk_units(user, action=Action.CHANGE):
    """One-stop units (communes, wards, towns, agencies) in the user's scope for `action`."""
    return (
        Unit.objects.for_user(user, action)
        .filter(kind__in=QMS_UNIT_KINDS)
        .only("name", "path", "kind")
        .order_by("path")
    )


class MonthField(forms.DateField):
    """A month (<input type=month>, "2025-06", or "06/2025"), given as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = MONTH_INPUT_FORMATS

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class ProcedureCodeField(forms.CharField):
    """A TTHC code typed by hand ("1.001193"); empty means all procedures together."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("TTHC code"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", Procedure._meta.get_field("code").max_length)
        kwargs.setdefault("help_text", _("Leave empty for all procedures together."))
        super().__init__(**kwargs)

    def clean(self, value):
        code = super().clean(value).strip()
        if not code:
            return None
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None:
            raise forms.ValidationError(
                _("No procedure has the code %(code)s in the catalogue."), params={"code": code}
            )
        return procedure


def _count_field(label):
    return forms.IntegerField(label=label, min_value=0, max_value=COUNT_MAX, initial=0)


def _narrow_units(form, user):
    units = desk_units(user, Action.CHANGE)
    form.fields["unit"].queryset = units
    if len(units[:2]) == 1:
        form.fields["unit"].initial = units[0].pk


class _KeyedCountsForm(forms.Form):
    """The counts of one unit under one key (a tally, a month's record counts). On an existing
    record (`instance`) the key (KEY_FIELDS) is shown but not edited: a different key is a
    different record."""

    KEY_FIELDS: tuple = ()

    def __init__(self, *args, user, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            initial = self.initial_from(instance) | {
                "unit": instance.unit_id,
                "procedure": instance.procedure.code if instance.procedure_id else "",
            }
            kwargs["initial"] = initial | kwargs.get("initial", {})
        super().__init__(*args, **kwargs)
        _narrow_units(self, user)
        if instance is not None:
            for name in self.KEY_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].required = False
            self.fields["unit"].queryset = Unit.objects.filter(pk=instance.unit_id)
        self.helper = submit_helper(_("Save"))

    def initial_from(self, instance) -> dict:
        """The initial values of the fields other than the unit and the procedure."""
        raise NotImplementedError


class TallyForm(_KeyedCountsForm):
    """The counts of paper forms or of a rating device for a period and a criterion.

    On an existing tally (`instance`), the key (unit, channel, procedure, period, criterion) is
    shown but not edited: a different key is a different tally.
    """

    KEY_FIELDS = ("unit", "channel", "procedure", "period_start", "period_end", "criterion")

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    channel = forms.ChoiceField(label=_("Channel"), choices=Tally.Channel.choices)
    procedure = ProcedureCodeField()
    period_start = forms.DateField(
        label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    criterion = forms.ChoiceField(label=_("Criterion"), choices=CRITERION_CHOICES, initial="overall")
    very_satisfied = _count_field(_("very satisfied (5)"))
    satisfied = _count_field(_("satisfied (4)"))
    neutral = _count_field(_("neutral (3)"))
    dissatisfied = _count_field(_("dissatisfied (2)"))
    very_dissatisfied = _count_field(_("very dissatisfied (1)"))
    note = forms.CharField(
        label=_("Note"), required=False, max_length=Tally._meta.get_field("note").max_length
    )

    def initial_from(self, instance) -> dict:
        initial = {name: getattr(instance, name) for name in (*self.count_fields(), "note")}
        initial.update(
            channel=instance.channel,
            period_start=instance.period_start,
            period_end=instance.period_end,
            criterion=instance.criterion,
        )
        return initial

    @staticmethod
    def count_fields():
        return tuple(name for name, _rating in Tally.COUNT_FIELDS)

    def service_data(self) -> dict:
        data = self.cleaned_data
        if self.instance is not None:
            key = {
                "channel": self.instance.channel,
                "procedure": self.instance.procedure,
                "period_start": self.instance.period_start,
                "period_end": self.instance.period_end,
                "criterion": self.instance.criterion,
            }
        else:
            key = {name: data[name] for name in self.KEY_FIELDS if name != "unit"}
        return key | {name: data[name] for name in self.count_fields()} | {"note": data.get("note", "")}

    def chosen_unit(self):
        return self.instance.unit if self.instance is not None else self.cleaned_data["unit"]


class RecordCountForm(_KeyedCountsForm):
    """A month's record counts of a unit from one source (the officer keeps the tracking book;
    the software's figures may be typed too when there is no export)."""

    KEY_FIELDS = ("unit", "source", "procedure", "month")

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    source = forms.ChoiceField(
        label=_("Source"), choices=RecordCount.Source.choices, initial=RecordCount.Source.BOOK
    )
    procedure = ProcedureCodeField()
    month = MonthField(label=_("Month"), help_text=_("e.g. 06/2025"))
    received = _count_field(_("received"))
    on_time = _count_field(_("resolved on time"))
    late = _count_field(_("resolved late"))
    pending = _count_field(_("pending"))
    returned = _count_field(_("returned"))

    def initial_from(self, instance) -> dict:
        return instance.counts() | {"source": instance.source, "month": instance.month}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        counts = {name: data[name] for name in RecordCount.COUNT_FIELDS}
        if self.instance is not None:
            return {
                "unit": self.instance.unit,
                "source": self.instance.source,
                "procedure": self.instance.procedure,
                "month": self.instance.month,
                "counts": counts,
            }
        return {
            "unit": data["unit"],
            "source": data["source"],
            "procedure": data["procedure"],
            "month": data["month"],
            "counts": counts,
        }


class ImportForm(forms.Form):
    """An Excel (.xlsx) or CSV file; the unit for the rows that do not name one."""

    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))
    unit = forms.ModelChoiceField(
        label=_("Unit of the rows without a unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Used when the file has no unit column, or for the rows where it is empty."),
    )

    def __init__(self, *args, user, parse, **kwargs):
        super().__init__(*args, **kwargs)
        self.parse = parse
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"
        _narrow_units(self, user)
        self.fields["unit"].empty_label = _("none")
        self.helper = submit_helper(_("Preview"))
        self.helper.form_id = "import-upload"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.rows = self.parse(upload)
        except ValidationError as exc:  # ImportFileError: the file as a whole cannot be read
            raise forms.ValidationError(exc.messages) from exc
        return upload


class ReconciliationSetForm(forms.Form):
    """The decision on one (unit, month) of the reconciliation list."""

    unit = forms.IntegerField(widget=forms.HiddenInput)
    month = MonthField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=Reconciliation.Status.choices)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def _year_choices(years):
    return [(y, y) for y in years]


class OnTimeForm(forms.Form):
    """The on-time page: a year, and optionally one unit (then per procedure)."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.for_user(user, Action.VIEW).only("name", "path", "kind").order_by("path")
        )
        self.fields["unit"].empty_label = _("every unit (one row per unit)")
        this_year = timezone.localdate().year
        self.fields["year"].choices = _year_choices(range(this_year, 2014, -1))
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("submit", _("Show"), css_class="btn-primary"))
