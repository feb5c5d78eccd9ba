import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from communes.models import Unit


class UnitTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("Unit"))
    parent = tables.Column(verbose_name=_("Under"), accessor="parent__name")
    wave = tables.Column(verbose_name=_("QMS wave"), accessor="wave__name")
    joined_on = tables.DateColumn(verbose_name=_("Joined"), format="d/m/Y")

    class Meta:
        model = Unit
        fields = ["name", "kind", "code", "parent", "wave", "joined_on"]
        order_by = ["path"]
        empty_text = _("No unit matches. Clear the filters or search for another name.")
