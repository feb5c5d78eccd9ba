"""Writes of the reports app: the hand-written parts of the annual report (supervisors only)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.models import QMS_UNIT_KINDS
from core import clock
from core.scoping import Action, require
from reports.models import MAX_TEXT, MIN_YEAR, AnnualReport

MANAGE_DENIED = gettext_lazy("Only the supervisor of %(unit)s may write its annual report.")


def year_range() -> tuple[int, int]:
    """The years a report may be written for: from 2014 to the current year."""
    return MIN_YEAR, clock.today().year


def check_year(year) -> int:
    first, last = year_range()
    if not isinstance(year, int) or not first <= year <= last:
        raise ValidationError(
            {"year": _("Choose a year from %(first)s to %(last)s.") % {"first": first, "last": last}}
        )
    return year


def _text(value, field) -> str:
    text = (value or "").strip().replace("\r\n", "\n")
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {
                field: _("Keep this under %(max)s characters (it has %(n)s).")
                % {"max": MAX_TEXT, "n": len(text)}
            }
        )
    return text


@transaction.atomic
def annual_report_save(*, actor, unit, year, problems, proposals) -> AnnualReport:
    """Create or update the problems and proposals of `unit`'s report for `year`."""
    require(actor, Action.MANAGE, unit, MANAGE_DENIED)
    if unit.kind in QMS_UNIT_KINDS:
        raise ValidationError(_("Only a supervising unit (a province or a district) files this report."))
    year = check_year(year)
    fields = {"problems": _text(problems, "problems"), "proposals": _text(proposals, "proposals")}
    report, created = AnnualReport.objects.select_for_update().get_or_create(
        unit=unit, year=year, defaults={**fields, "updated_by": actor}
    )
    if not created:
        for name, value in fields.items():
            setattr(report, name, value)
        report.updated_by = actor
        report.save()
    return report
