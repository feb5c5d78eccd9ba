"""The public satisfaction survey in a real browser, on the demo of `make run`: a citizen scans the
QR code of the poster still on Bích Động's wall with a phone (390×844, not logged in); Bích Động
merged into Phường Việt Yên on 1 July 2025, so the survey is the new ward's, with a note saying
so. The citizen finds the procedure by typing without diacritics, rates it and sends; the ward's
ISO officer then logs in, finds the rating counted on the satisfaction results and the comment in
the list of online responses, and raises the comment as a nonconformity."""

import datetime
import re

import pytest
from django.db.models import Sum
from django.utils import timezone
from playwright.sync_api import expect

from communes.demo import PILOT_CODES
from communes.models import Unit
from documents.models import Procedure
from surveys.models import Response, Tally
from tests.browser.conftest import ARTIFACTS, DEFAULT_TIMEOUT_MS

pytestmark = pytest.mark.browser

BICH_DONG_CODE = list(PILOT_CODES)[0]
NEW_WARD_CODE = "07777"  # Phường Việt Yên in the 2025 list (Bích Động's code in the legacy list)
PHONE = {"width": 390, "height": 844}
COMMENT = "Cán bộ hướng dẫn tận tình, nhưng phải chờ lâu."


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """The demo's files go to a temporary folder (autouse: before the demo loads)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def phone(browser, live_server, demo):
    """A phone's browser (touch, small screen), with no account."""
    context = browser.new_context(
        base_url=live_server.url, locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the phone: {errors}"


def overall_rated_this_year(unit):
    """What the results page counts for the unit this year: online answers and paper tallies."""
    year = timezone.localdate().year
    start = datetime.date(year, 1, 1)
    online = Response.objects.filter(unit=unit, submitted_at__year=year).count()
    counts = Tally.objects.filter(
        unit=unit, criterion="overall", period_start__gte=start, period_end__lte=datetime.date(year, 12, 31)
    ).aggregate(*(Sum(field) for field, _rating in Tally.COUNT_FIELDS))
    return online + sum(value or 0 for value in counts.values())


def phone_screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def rate(page, criterion, value):
    radio_id = page.locator(f"input[name={criterion}][value='{value}']").get_attribute("id")
    page.locator(f"label[for={radio_id}]").tap()


def test_citizen_rates_on_a_phone_and_the_officer_sees_it(phone, page, login, screenshot):
    old = Unit.objects.get(code_system="legacy", code=BICH_DONG_CODE)
    unit = Unit.objects.get(code_system="2025", code=NEW_WARD_CODE)
    birth = Procedure.objects.get(code="1.001193")  # Đăng ký khai sinh
    before, before_old = Response.objects.filter(unit=unit).count(), Response.objects.filter(unit=old).count()

    # The citizen, not logged in, opens the address of the old poster's QR code.
    phone.goto(f"/survey/{old.pk}/")
    expect(phone).to_have_url(re.compile(rf"/survey/{unit.pk}/\?from={old.pk}$"))
    expect(phone.locator("#survey-unit")).to_have_text(unit.name)
    expect(phone.locator("#survey-merged")).to_contain_text(old.name)
    # Made for the phone: nothing sticks out sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Typed without diacritics; the list narrows to the one procedure, which comes selected.
    phone.locator("#procedure-q").fill("dang ky khai sinh")
    expect(phone.locator("#id_procedure")).to_have_value(str(birth.pk))
    expect(phone.locator("#id_procedure option[value]:not([value=''])")).to_have_count(1)

    for criterion, value in [
        ("timeliness", 3),
        ("visits", 5),
        ("attitude", 5),
        ("information", 4),
        ("fees", 5),
    ]:
        rate(phone, criterion, value)
    # Sent without the overall rating: refused, with the reason on the field, nothing saved.
    phone.locator("#survey-submit").tap()
    expect(phone.locator("#survey-errors")).to_be_visible()
    expect(phone.locator("#criterion-overall .invalid-feedback")).to_be_visible()
    assert Response.objects.filter(unit=unit).count() == before

    rate(phone, "overall", 4)
    phone.locator("#id_comment").fill(COMMENT)
    phone_screenshot(phone, "survey-phone-form")
    phone.locator("#survey-submit").tap()
    expect(phone).to_have_url(re.compile(rf"/survey/{unit.pk}/thanks/$"))
    expect(phone.locator("#survey-thanks")).to_be_visible()
    phone_screenshot(phone, "survey-phone-thanks")

    saved = Response.objects.get(unit=unit, comment=COMMENT)
    assert (saved.procedure, saved.overall, saved.timeliness, saved.fees) == (birth, 4, 3, 5)
    assert Response.objects.filter(unit=unit).count() == before + 1
    assert Response.objects.filter(unit=old).count() == before_old

    # The ward's ISO officer finds it counted in this year's results.
    login("vietyen")
    page.click('[data-nav="satisfaction"]')
    expect(page).to_have_url(re.compile(r"/surveys/$"))
    row = page.locator(f"#by-unit tr[data-key='{unit.pk}']")
    expect(row.locator(".rated")).to_have_text(str(overall_rated_this_year(unit)))
    expect(page.locator("#chart-criteria")).to_be_visible()
    screenshot("survey-results")
    page.click("#surveys-tabs a[href$='/surveys/responses/']")
    row = page.locator(f"#response-{saved.pk}")
    expect(row).to_contain_text("phải chờ lâu")
    screenshot("survey-responses")

    # The comment reports a problem: one click (and a confirmation) makes it a nonconformity.
    row.locator(f"a[href$='/surveys/responses/{saved.pk}/raise/']").click()
    expect(page.locator("#response-comment")).to_have_text(COMMENT)
    page.click("#confirm-button")
    expect(page.locator("#nc-title")).to_contain_text("phải chờ lâu")
    saved.refresh_from_db()
    assert saved.nonconformity is not None and saved.nonconformity.source == "complaint"
    expect(page).to_have_url(re.compile(rf"{saved.nonconformity.get_absolute_url()}$"))
