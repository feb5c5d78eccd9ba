"""The annual report of a supervising unit to the Department of Science and Technology.

Decision 19/2014/QĐ-TTg Art. 9 and Circular 26/2014/TT-BKHCN Art. 41: each year the supervising
authority reports to the provincial Department of Science and Technology (Sở KH&CN) how the
units under it build, apply, maintain and improve their QMS. The figures are computed from the
records (reports.selectors_annual); only the problems met and the proposals are written by hand,
and kept here.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import UnitScopedModel

# The Decision on applying TCVN ISO 9001 in state administration dates from 2014: no earlier report.
MIN_YEAR = 2014
MAX_TEXT = 10000


class AnnualReport(UnitScopedModel):
    """The hand-written parts of a supervising unit's report for one year (unit = the supervisor's)."""

    year = models.PositiveSmallIntegerField(_("year"))
    problems = models.TextField(_("problems and difficulties"), blank=True)
    proposals = models.TextField(_("proposals and recommendations"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "unit__path"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="annual_report_one_per_year")]

    def __str__(self):
        return _("Annual QMS report of %(unit)s, %(year)s") % {"unit": self.unit, "year": self.year}

    def get_absolute_url(self):
        return f"{reverse('reports:annual_report', args=[self.year])}?{urlencode({'unit': self.unit_id})}"
