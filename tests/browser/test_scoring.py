"""Annual scoring in a real browser, on the demo of `make run`, in the province → commune tree of
today: the ISO officer of Phường Việt Yên (formed on 1 July 2025) self-scores the ward's sheet
and submits it, the province's ISO staff finalise it (lowering one criterion, with a comment),
the steering committee approves it, and the league table shows the ward's rank.

The round is seeded here for the current year through the services (the demo brings Việt Yên
district's 2018 round, which this test leaves alone).
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from certification.models import ScoreSheet
from certification.services import scoring as services
from communes.models import Unit

pytestmark = pytest.mark.browser

WARD_CODE = "07777"  # Phường Việt Yên in the 2025 list
CRITERIA = [
    ("1", "Ban hành đầy đủ hệ thống tài liệu theo TCVN ISO 9001:2015", 10, ""),
    ("2", "Áp dụng quy trình giải quyết TTHC tại bộ phận một cửa", 20, ""),
    ("3", "Đánh giá nội bộ trong năm", 10, "internal_audit"),
]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """The demo's files go to a temporary folder (autouse: before the demo loads)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sheet(demo):
    """This year's round of the province, its criteria, and Phường Việt Yên's sheet (a draft)."""
    supervisor = get_user_model().objects.get(username="province")
    unit = Unit.objects.get(code_system="2025", code=WARD_CODE)
    scoring_round = services.round_create(
        actor=supervisor, unit=unit.parent, year=timezone.localdate().year, commend_top=3, support_bottom=3
    )
    for order, (code, title, max_points, source) in enumerate(CRITERIA, start=1):
        services.criterion_create(
            actor=supervisor,
            scoring_round=scoring_round,
            code=code,
            title=title,
            max_points=max_points,
            source=source,
            order=order,
        )
    services.round_open_sheets(actor=supervisor, scoring_round=scoring_round)
    return ScoreSheet.objects.get(round=scoring_round, unit=unit)


def logout(page):
    page.click("#user-menu")
    page.click("#logout-button")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_officer_self_scores_supervisor_finalises_committee_approves(page, login, screenshot, sheet):
    one, two, computed = (sheet.round.criteria.get(code=code) for code, *_rest in CRITERIA)

    # The officer finds the ward's sheet under "my score sheets" and self-scores it.
    login("vietyen")
    page.click('[data-nav="scoring"]')
    expect(page).to_have_url(re.compile(r"/qms/scoring/$"))
    page.locator("#my-sheets").get_by_role("link", name=str(sheet.round.year)).click()
    expect(page).to_have_url(re.compile(rf"/qms/scoring/sheets/{sheet.pk}/$"))
    expect(page.locator("#sheet-status")).to_have_attribute("data-status", "draft")
    # The computed criterion comes from the system: no input for it.
    expect(page.locator(f"input[name=self_{computed.pk}]")).to_have_count(0)

    page.fill(f"input[name=self_{one.pk}]", "15")  # above the maximum of 10: refused on its row
    page.fill(f"textarea[name=self_comment_{one.pk}]", "Đã ban hành đủ 45 quy trình.")
    page.fill(f"input[name=self_{two.pk}]", "18")
    page.fill(f"textarea[name=self_comment_{two.pk}]", "Áp dụng tại bộ phận một cửa, có sổ theo dõi.")
    page.click("#self-save")
    expect(page.locator(f"#line-{one.pk} .line-error")).to_be_visible()
    page.fill(f"input[name=self_{one.pk}]", "9.5")
    page.click("#self-save")
    expect(page.locator(f"#line-{one.pk} .line-error")).to_have_count(0)
    expect(page.locator(f"input[name=self_{one.pk}]")).to_have_value("9.50")
    screenshot("scoring-self-score-officer")

    page.click("#sheet-submit")
    page.click("#confirm-button")
    expect(page.locator("#sheet-status")).to_have_attribute("data-status", "submitted")
    expect(page.locator("#self-score-form")).to_have_count(0)
    screenshot("scoring-submitted-officer")
    logout(page)

    # The province's ISO staff lower criterion 2 (with a comment) and finalise.
    login("province")
    page.click('[data-nav="scoring"]')
    page.locator("#rounds").get_by_role("link", name=str(sheet.round.year)).click()
    expect(page.locator(f"#sheet-{sheet.pk}")).to_have_attribute("data-status", "submitted")
    screenshot("scoring-round-supervisor")
    page.locator(f"#sheet-{sheet.pk}").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/qms/scoring/sheets/{sheet.pk}/$"))
    expect(page.locator(f"input[name=final_{two.pk}]")).to_have_value("18.00")
    page.fill(f"input[name=final_{two.pk}]", "16")
    page.click("#finalise-button")  # no comment: refused on the row
    expect(page.locator(f"#line-{two.pk} .line-error")).to_be_visible()
    screenshot("scoring-finalise-supervisor")
    page.fill(f"textarea[name=final_comment_{two.pk}]", "Sổ theo dõi chưa cập nhật tháng 11.")
    page.click("#finalise-button")
    expect(page.locator("#sheet-status")).to_have_attribute("data-status", "finalised")
    expect(page.locator("#sheet-rank")).to_have_attribute("data-rank", "1")
    expect(page.locator("#sheet-approve")).to_have_count(0)  # the supervisor does not approve
    logout(page)

    # The committee approves; the league table ranks the ward first, proposed for commendation.
    login("committee")
    page.goto(f"/qms/scoring/sheets/{sheet.pk}/")
    page.click("#sheet-approve")
    page.click("#confirm-button")
    expect(page.locator("#sheet-status")).to_have_attribute("data-status", "approved")
    page.click("#sheet-actions a[href$='/league/']")
    row = page.locator(f"#league-{sheet.unit_id}")
    expect(row).to_have_attribute("data-rank", "1")
    expect(row).to_have_attribute("data-outcome", "commendation")
    expect(page.locator("#provisional")).to_be_visible()  # the other wards are not scored yet
    screenshot("scoring-league-committee")

    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.APPROVED
    assert (sheet.submitted_by.username, sheet.finalised_by.username, sheet.approved_by.username) == (
        "vietyen",
        "province",
        "committee",
    )
    assert sheet.final_total == sheet.self_total - 2
