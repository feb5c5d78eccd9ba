"""The dashboards in a real browser, on the demo of `make run`.

- The district's ISO staff open the home page. Việt Yên district ceased on 30 June 2025, so they
  see its archive as on that day, labelled as such: the headline figures, the two charts drawn
  and one row per commune and ward; they sort by satisfaction and keep the communes only.
- Bích Động's ISO officer (the ward merged too) sees what was due on its last day and the ward's
  figures beside the median of its peers.
- The province's ISO staff see the wards and communes of Bắc Ninh in operation today (a province
  → commune tree), and the officer of Phường Việt Yên sees the actions carried over from its
  predecessors falling due.

Screenshots go to test-artifacts/ (dashboard-supervisor.png, dashboard-officer.png,
dashboard-province.png, dashboard-new-ward.png)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db.models import Q, Sum
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import CorrectiveAction
from certification.models import QmsProfile, ScoreSheet
from communes.demo import HISTORY_UNTIL
from communes.models import Unit
from surveys.models import Response, Tally

pytestmark = pytest.mark.browser

QMS_KINDS = ("commune", "ward", "town", "special_zone", "agency")


def _district_units():
    district = Unit.objects.get(kind=Unit.Kind.DISTRICT, memberships__user__username="district")
    return Unit.objects.filter(path__startswith=district.path, kind__in=QMS_KINDS)


def _satisfaction_this_year(unit, today=HISTORY_UNTIL) -> str:
    """The unit's satisfaction in the year of `today` as the page shows it, worked out from the raw
    records: online answers of 4 or 5 and tallied ratings of the periods within the year so far."""
    start = datetime.date(today.year, 1, 1)
    answers = Response.objects.filter(
        unit=unit, submitted_at__date__gte=start, submitted_at__date__lte=today, overall__isnull=False
    )
    rated, satisfied = answers.count(), answers.filter(overall__gte=4).count()
    tallies = Tally.objects.filter(
        unit=unit, criterion="overall", period_start__gte=start, period_end__lte=today
    )
    sums = tallies.aggregate(
        *(
            Sum(name)
            for name in ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")
        )
    )
    counts = {key.split("__")[0]: value or 0 for key, value in sums.items()}
    rated += sum(counts.values())
    satisfied += counts["very_satisfied"] + counts["satisfied"]
    return f"{round(Decimal(satisfied) / Decimal(rated) * 100)}%" if rated else "—"


def test_the_supervisors_dashboard(page, login, screenshot):
    units = _district_units()
    total = units.count()
    announced = QmsProfile.objects.filter(unit__in=units, status=QmsProfile.Status.ANNOUNCED).count()
    login("district")
    page.goto("/")
    expect(page.locator("#panel-supervisor-dashboard")).to_be_visible()
    expect(page.locator("#dashboard-archive")).to_contain_text(HISTORY_UNTIL.strftime("%d/%m/%Y"))
    expect(page.locator("#headline-announced .stat-figure")).to_have_text(f"{announced}/{total}")
    expect(page.locator("#headline-latest .stat-figure")).to_have_text("100%")
    rows = page.locator("#dashboard-table tbody tr[data-unit]")
    expect(rows).to_have_count(total)
    # Both charts are drawn by Chart.js (served from static/).
    for canvas in ("chart-status", "chart-scores"):
        assert page.evaluate(f"!!Chart.getChart(document.getElementById('{canvas}'))"), canvas
    # The best-ranked unit of the 2018 round, worked out from the sheets.
    best = (
        ScoreSheet.objects.filter(unit__in=units, final_total__isnull=False).order_by("-final_total").first()
    )
    rank_cell = page.locator(f"#dashboard-table tr[data-unit='{best.unit_id}'] td[data-col='rank']")
    expect(rank_cell).to_have_text(f"1/{total}")
    bich_dong = units.get(name="Phường Bích Động")
    satisfaction = page.locator(
        f"#dashboard-table tr[data-unit='{bich_dong.pk}'] td[data-col='satisfaction']"
    )
    expect(satisfaction).to_have_text(_satisfaction_this_year(bich_dong))
    screenshot("dashboard-supervisor")

    # Sort by satisfaction, highest first: the first row is the best-rated unit.
    page.locator("#dashboard-table th[data-col='satisfaction'] a").click()
    page.wait_for_url("**sort=-satisfaction**")
    rates = {unit.pk: _satisfaction_this_year(unit) for unit in units}
    best_rate = max(int(rate.rstrip("%")) for rate in rates.values() if rate != "—")
    first = page.locator("#dashboard-table tbody tr[data-unit]").first
    expect(first.locator("td[data-col='satisfaction']")).to_have_text(f"{best_rate}%")

    # Keep the communes: the rows and the headline follow.
    communes = units.filter(kind=Unit.Kind.COMMUNE).count()
    page.select_option("#id_kind", "commune")
    page.locator("#dashboard-filter [type=submit]").click()
    page.wait_for_url("**kind=commune**")
    expect(page.locator("#dashboard-table tbody tr[data-unit]")).to_have_count(communes)
    expect(page.locator("#headline-announced .stat-figure")).to_have_text(
        f"{QmsProfile.objects.filter(unit__in=units.filter(kind='commune'), status='announced').count()}/{communes}"
    )


def test_the_officers_dashboard(page, login, screenshot):
    bich_dong = Unit.objects.get(name="Phường Bích Động")
    peers = Unit.objects.filter(parent_id=bich_dong.parent_id, kind__in=QMS_KINDS).exclude(
        Q(pk=bich_dong.pk) | Q(kind="agency")
    )
    login("bichdong")
    page.goto("/")
    expect(page.locator("#panel-officer-dashboard")).to_be_visible()
    expect(page.locator("#dashboard-archive")).to_contain_text("Bích Động")
    expect(page.locator("#panel-supervisor-dashboard")).to_have_count(0)
    expect(page.locator("#officer-due")).to_contain_text("Bích Động")
    expect(page.locator("#peer-comparison tbody tr")).to_have_count(12)
    expect(page.locator("#officer-peers")).to_contain_text(str(peers.count()))
    own = page.locator("#peer-comparison td[data-col='satisfaction']")
    expect(own).to_have_text(_satisfaction_this_year(bich_dong))
    # No other unit's row, and no peer named.
    expect(page.locator("tr[data-unit]")).to_have_count(0)
    for peer in peers:
        expect(page.locator("main")).not_to_contain_text(peer.name)
    screenshot("dashboard-officer")


def test_the_province_dashboard_and_the_new_ward(page, login, screenshot):
    """Today: the province's units in operation, Phường Việt Yên needing its announcement; its
    officer sees the corrective actions carried over from Bích Động and its neighbours."""
    province = Unit.objects.get(
        code_system="2025", kind=Unit.Kind.PROVINCE, memberships__user__username="province"
    )
    units = Unit.objects.filter(path__startswith=province.path, kind__in=QMS_KINDS).active_on(
        timezone.localdate()
    )
    ward = Unit.objects.get(code_system="2025", code="07777")
    login("province")
    page.goto("/")
    expect(page.locator("#dashboard-archive")).to_have_count(0)
    expect(page.locator("#dashboard-table tbody tr[data-unit]")).to_have_count(units.count())
    status = page.locator(f"#dashboard-table tr[data-unit='{ward.pk}'] td[data-col='status']")
    expect(status).to_contain_text(re.compile("cần công bố", re.IGNORECASE))
    # No old commune of Việt Yên among the rows: they ceased on 30 June 2025.
    expect(page.locator("#dashboard-table")).not_to_contain_text("Phường Bích Động")
    screenshot("dashboard-province")

    page.context.clear_cookies()
    login("vietyen")
    page.goto("/")
    expect(page.locator("#panel-officer-dashboard")).to_be_visible()
    expect(page.locator("#dashboard-archive")).to_have_count(0)
    carried = CorrectiveAction.objects.filter(nonconformity__unit=ward, carried_from__isnull=False)
    assert carried.exists()
    due = page.locator("#officer-due")
    expect(due).to_contain_text("Phường Việt Yên")
    expect(page.locator("#due-overdue li")).not_to_have_count(0)
    screenshot("dashboard-new-ward")
