"""Filter of the survey responses list: unit (and its subtree), procedure, overall rating, with
or without a comment, and a search in the comment that ignores Vietnamese diacritics.

The comment has no folded copy in the table, so the search folds it in SQL: `Folded` maps every
accented Vietnamese letter to its bare letter (TRANSLATE on PostgreSQL, core.text.fold registered
as a function on SQLite) and lower-cases the result, the same folding as core.text.fold on the query.
"""

import django_filters
from django.db.models import CharField, Func, Value
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from communes.models import Unit
from core.scoping import Action
from core.text import fold
from documents.models import Procedure
from surveys.filters_records import SubtreeUnitFilter
from surveys.models import Response

# Every precomposed letter of Vietnamese with a diacritic, in both cases, and its folded letter.
_VIETNAMESE = "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
ACCENTED = [(char, fold(char)) for char in _VIETNAMESE + _VIETNAMESE.upper()]
_FROM = "".join(char for char, _bare in ACCENTED)
_TO = "".join(bare for _char, bare in ACCENTED)


def Folded(expression):  # noqa: N802 -- reads like the database function it builds
    """`expression` without diacritics, in lower case (for a `contains` with a folded query)."""
    return Lower(_FoldAccents(expression))


class _FoldAccents(Func):
    """TRANSLATE(text, accented letters, bare letters) on PostgreSQL; on SQLite (`make run`), whose
    parser cannot nest that many REPLACE calls, core.text.fold itself as a function of the
    connection."""

    function = "TRANSLATE"
    output_field = CharField()

    def as_sql(self, compiler, connection, **extra):
        expression = self.source_expressions[0]
        return Func(expression, Value(_FROM), Value(_TO), function="TRANSLATE").as_sql(compiler, connection)

    def as_sqlite(self, compiler, connection, **extra):
        connection.ensure_connection()
        connection.connection.create_function("qms_fold", 1, fold, deterministic=True)
        return Func(self.source_expressions[0], function="qms_fold").as_sql(compiler, connection)


RATING_CHOICES = [
    ("satisfied", _("satisfied (4–5)")),
    ("not_satisfied", _("not satisfied (1–3)")),
    ("5", "5"),
    ("4", "4"),
    ("3", "3"),
    ("2", "2"),
    ("1", "1"),
]


class ResponseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search in the comments"), method="search")
    unit = SubtreeUnitFilter(label=_("Unit"), queryset=Unit.objects.none(), empty_label=_("any"))
    procedure = django_filters.ModelChoiceFilter(
        label=_("Procedure"), queryset=Procedure.objects.none(), empty_label=_("any")
    )
    rating = django_filters.ChoiceFilter(
        label=_("Overall rating"), choices=RATING_CHOICES, method="filter_rating", empty_label=_("any")
    )
    has_comment = django_filters.BooleanFilter(
        label=_("Comment"),
        method="filter_comment",
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = Response
        fields = ["q", "unit", "procedure", "rating", "has_comment"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = (
            Unit.objects.for_user(user, Action.VIEW).only("name", "path").order_by("path")
        )
        answered = Response.objects.for_user(user).exclude(procedure=None).values("procedure")
        self.filters["procedure"].queryset = Procedure.objects.filter(pk__in=answered).only("code", "name")
        for name in ("unit", "procedure", "rating", "has_comment"):
            self.filters[name].field.widget.attrs["class"] = "form-select"
        self.filters["has_comment"].field.widget.choices = [
            ("", _("any")),
            ("true", _("with a comment")),
            ("false", _("without a comment")),
        ]
        self.filters["q"].field.widget.attrs.update(
            {"class": "form-control", "placeholder": _("e.g. cham tre")}
        )

    def search(self, queryset, name, value):
        folded = fold(value)
        if not folded:
            return queryset
        return queryset.alias(comment_folded=Folded("comment")).filter(comment_folded__contains=folded)

    def filter_rating(self, queryset, name, value):
        if value == "satisfied":
            return queryset.filter(overall__gte=4)
        if value == "not_satisfied":
            return queryset.filter(overall__lte=3)
        if value in {"1", "2", "3", "4", "5"}:
            return queryset.filter(overall=int(value))
        return queryset

    def filter_comment(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(comment="") if value else queryset.filter(comment="")
