"""Forms of the quality objectives pages (ISO 9001:2015 §6.2, §9.1).

Every form takes `user`; choices of units are narrowed to the user's scope. The business rules
(who may write, periods that have begun, measurements that lock a record) stay in
certification.services.objectives, whose errors land on the form.
"""

from decimal import Decimal, InvalidOperation

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from certification import feeds
from certification.models import QMS_UNIT_KINDS, Indicator
from communes.models import Unit
from core.forms import submit_helper
from core.scoping import Action
from documents.models import Procedure

YEAR_MIN, YEAR_MAX = 2000, 2100


def qms_units(user, action=Action.VIEW, year=None):
    """Units that keep a QMS, within the user's scope for `action`; with `year`, the units that
    existed at some point of that year (a merged commune keeps its past objectives)."""
    units = Unit.objects.for_user(user, action).filter(kind__in=QMS_UNIT_KINDS)
    if year:
        units = units.exclude(valid_until__lt=f"{year}-01-01").exclude(valid_from__gt=f"{year}-12-31")
    else:
        units = units.active_on()
    return units.only("name", "path", "kind").order_by("path")


def parse_number(value):
    """A decimal number typed the Vietnamese way ("96,5") or the English way ("96.5"); None when
    it is not a finite number."""
    text = str(value if value is not None else "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def number_text(value):
    """A decimal without trailing zeros, with the language's decimal separator: 96,5 · 95."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


class NumberField(forms.Field):
    """A decimal number that accepts both "96,5" and "96.5"."""

    default_error_messages = {"invalid": _("Enter a number, e.g. 96,5.")}
    max_text = 30

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": self.max_text}
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return number_text(value) if isinstance(value, Decimal) else value

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        number = parse_number(text) if len(text) <= self.max_text else None
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


def _year_field(label=None):
    return forms.IntegerField(
        label=label or _("Year"),
        validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)],
        widget=forms.NumberInput(attrs={"min": YEAR_MIN, "max": YEAR_MAX}),
    )


# --- Objectives -----------------------------------------------------------------------------
class UnitYearForm(forms.Form):
    """Which unit and year the new objective is for (GET): units where the user may write."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    year = _year_field()

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = qms_units(user, Action.CHANGE)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("submit", _("Continue"), css_class="btn-primary"))


class ObjectiveForm(forms.Form):
    """An objective of a unit for a year (§6.2): the statement and who is responsible."""

    year = _year_field()
    statement = forms.CharField(
        label=_("Objective"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Measurable and consistent with the quality policy (§6.2.1)."),
    )
    owner = forms.CharField(label=_("Responsible"), max_length=200, help_text=_("Name or position."))
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0, required=False)

    def __init__(self, *args, user, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = submit_helper(submit_label or _("Save"))

    def service_fields(self):
        data = self.cleaned_data
        return {
            "year": data["year"],
            "statement": data["statement"],
            "owner": data["owner"],
            "order": data.get("order") or 0,
        }


# --- Indicators -----------------------------------------------------------------------------
class ProcedureCodeField(forms.CharField):
    """A TTHC code typed by hand ("1.001193") naming a procedure of the national catalogue (the
    catalogue is too long for a dropdown; it is not unit-scoped data). Empty: none."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", Procedure._meta.get_field("code").max_length)
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


class IndicatorForm(forms.Form):
    """An indicator of an objective (§9.1.1): a target, in a direction, measured per period."""

    name = forms.CharField(label=_("Indicator"), max_length=300)
    unit_of_measure = forms.CharField(
        label=_("Unit of measure"), max_length=40, help_text=_("e.g. %, days, files")
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=Indicator.Direction.choices)
    target = NumberField(label=_("Target"), help_text=_("A number; 96,5 and 96.5 are both accepted."))
    frequency = forms.ChoiceField(label=_("Measured"), choices=Indicator.Frequency.choices)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0, required=False)
    feed = forms.ChoiceField(
        label=_("Computed from"),
        required=False,
        help_text=_(
            "Optional: a figure the system computes (from the one-stop records, say). It is shown "
            "beside the value when a measurement is recorded; the officer still enters and confirms it."
        ),
    )
    procedure = ProcedureCodeField(
        label=_("TTHC code"),
        help_text=_("Optional: the figure for one administrative procedure only (e.g. 1.001193)."),
    )

    def __init__(self, *args, user, submit_label=None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("direction", Indicator.Direction.AT_LEAST)
        kwargs["initial"].setdefault("frequency", Indicator.Frequency.QUARTERLY)
        super().__init__(*args, **kwargs)
        self.user = user
        # The feeds the other apps registered, read when the form is built (not model choices).
        self.fields["feed"].choices = [("", _("— nothing: entered by hand —")), *feeds.choices()]
        self.helper = submit_helper(submit_label or _("Save"))

    def clean(self):
        data = super().clean()
        if data.get("procedure") is not None and not data.get("feed"):
            self.add_error("procedure", _("Choose what the indicator is computed from first."))
        return data

    def service_fields(self):
        data = self.cleaned_data
        return {
            "name": data["name"],
            "unit_of_measure": data["unit_of_measure"],
            "target": data["target"],
            "direction": data["direction"],
            "frequency": data["frequency"],
            "order": data.get("order") or 0,
            "feed": data.get("feed") or "",
            "procedure": data.get("procedure"),
        }


class FlagForm(forms.Form):
    """The supervisor says why an indicator does not fit its objective."""

    flag_comment = forms.CharField(
        label=_("Why it does not fit"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The unit sees this comment beside the indicator."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = submit_helper(_("Flag the indicator"), css="btn-warning")

    def clean_flag_comment(self):
        comment = (self.cleaned_data.get("flag_comment") or "").strip()
        if not comment:
            raise forms.ValidationError(_("Say why the indicator does not fit the objective."))
        return comment


# --- Measurements ---------------------------------------------------------------------------
def period_label(indicator, period):
    """The short name of a period in the indicator's frequency: "Q2", "M7", "H1", "Year"."""
    frequency = indicator.frequency
    if frequency == Indicator.Frequency.MONTHLY:
        return _("M%(n)s") % {"n": period}
    if frequency == Indicator.Frequency.QUARTERLY:
        return _("Q%(n)s") % {"n": period}
    if frequency == Indicator.Frequency.HALF_YEARLY:
        return _("H%(n)s") % {"n": period}
    return _("Year")


def period_choices(indicator, year):
    choices = []
    for period in range(1, indicator.period_count + 1):
        start, end = indicator.period_bounds(year, period)
        label = _("%(period)s (%(start)s – %(end)s)") % {
            "period": period_label(indicator, period),
            "start": start.strftime("%d/%m/%Y"),
            "end": end.strftime("%d/%m/%Y"),
        }
        choices.append((period, label))
    return choices


class MeasurementForm(forms.Form):
    """The value of an indicator for one period, with a comment (§9.1.1)."""

    period = forms.TypedChoiceField(label=_("Period"), coerce=int, choices=())
    value = NumberField(label=_("Value"), help_text=_("A number; 96,5 and 96.5 are both accepted."))
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What explains the figure; what will be done if the target was missed."),
    )

    def __init__(self, *args, user, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.indicator = indicator
        self.fields["period"].choices = period_choices(indicator, indicator.objective.year)
        self.fields["value"].label = _("Value (%(unit)s)") % {"unit": indicator.unit_of_measure}
        self.helper = submit_helper(_("Record the measurement"))
