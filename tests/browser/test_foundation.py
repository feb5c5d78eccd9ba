"""The foundation in a real browser, on the demo of `make run`: log in as each demo role, the
menu, a unit page, the scoping 404, the diacritic-blind search, editing a unit, the language
switch and logging out."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from communes.demo import PILOT_CODES
from communes.models import Unit

pytestmark = pytest.mark.browser

BICH_DONG_CODE, NINH_SON_CODE = list(PILOT_CODES)

# Demo account → does the menu offer the admin panel (staff only: admin and committee)?
ROLES = {
    "admin": True,
    "district": False,
    "committee": True,
    "bichdong": False,
    "ninhson": False,
    "auditor": False,
}


def demo_unit(code):
    return Unit.objects.get(code_system="legacy", code=code)


def nav_keys(page):
    return page.locator("#nav-items [data-nav]").evaluate_all("els => els.map(e => e.dataset.nav)")


@pytest.mark.parametrize("username", ROLES)
def test_each_demo_role_logs_in_and_sees_its_menu(page, login, screenshot, username):
    login(username)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    keys = nav_keys(page)
    assert keys[:2] == ["dashboard", "units"], keys
    assert ("admin" in keys) is ROLES[username], keys
    expect(page.locator('[data-nav="dashboard"]')).to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator("#panel-units")).to_be_visible()
    # Bootstrap's stylesheet is served and applied: the navbar is the primary blue.
    assert page.locator("nav.navbar").evaluate("el => getComputedStyle(el).backgroundColor") == (
        "rgb(13, 110, 253)"
    )
    if username in ("district", "bichdong"):
        screenshot(f"dashboard-{username}")


def test_login_page_renders(page, screenshot):
    page.goto("/accounts/login/")
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("input[name=password]")).to_be_visible()
    expect(page.locator("#nav-items")).to_have_count(0)
    screenshot("login")


def test_wrong_password_stays_on_login(page, login):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "bichdong")
    page.fill("input[name=password]", "wrong-password")
    page.click("main form [type=submit]")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".alert-danger, .invalid-feedback, .errorlist").first).to_be_visible()


def test_officer_opens_own_unit(page, login, screenshot):
    unit = demo_unit(BICH_DONG_CODE)
    login("bichdong")

    page.click(f'#panel-roles a[href="/units/{unit.pk}/"]')

    expect(page).to_have_url(re.compile(rf"/units/{unit.pk}/$"))
    expect(page.locator("#unit-name")).to_have_text(unit.name)
    assert "Bích Động" in unit.name
    people = page.locator("#people")
    expect(people).to_contain_text("Lê Thu Hà")  # the officer herself, family name first
    expect(people).to_contain_text("Nguyễn Thị Lan")  # the district's supervisor, inherited
    # An officer writes QMS records but does not manage the unit itself.
    expect(page.get_by_role("link", name=re.compile("Sửa|Edit"))).to_have_count(0)
    screenshot("unit-detail-bichdong")


def test_officer_is_refused_another_unit(page, login, screenshot):
    other = demo_unit(NINH_SON_CODE)
    login("bichdong")

    response = page.goto(f"/units/{other.pk}/")

    assert response.status == 404
    expect(page.locator("#page-not-found")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(other.name)
    # The 404 page keeps the menu: the officer is still logged in.
    expect(page.locator('[data-nav="units"]')).to_be_visible()
    screenshot("not-found")


def test_unit_search_ignores_diacritics(page, login, screenshot):
    login("district")
    page.click('[data-nav="units"]')
    expect(page).to_have_url(re.compile(r"/units/$"))
    rows_before = page.locator("table tbody tr").count()

    page.fill("#id_q", "bich dong")
    page.press("#id_q", "Enter")

    expect(page).to_have_url(re.compile(r"[?&]q=bich(\+|%20)dong"))
    table = page.locator("table tbody")
    expect(table.get_by_role("link", name=demo_unit(BICH_DONG_CODE).name)).to_be_visible()
    expect(table).not_to_contain_text("Ninh Sơn")
    assert page.locator("table tbody tr").count() < rows_before
    screenshot("unit-list-search")


def test_supervisor_edits_a_unit(page, login, screenshot):
    unit = demo_unit(NINH_SON_CODE)
    login("district")
    page.goto(f"/units/{unit.pk}/")

    page.get_by_role("link", name=re.compile("Sửa|Edit")).click()
    expect(page).to_have_url(re.compile(rf"/units/{unit.pk}/edit/$"))
    page.fill("input[name=joined_on]", "2019-05-15")
    screenshot("unit-form")
    page.click("main form [type=submit]")

    expect(page).to_have_url(re.compile(rf"/units/{unit.pk}/$"))
    expect(page.locator("dl")).to_contain_text("15/05/2019")
    unit.refresh_from_db()
    assert unit.joined_on == datetime.date(2019, 5, 15)


def test_language_switch_to_english(page, login, screenshot):
    login("committee")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    page.select_option("#language-form select[name=language]", "en")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator('[data-nav="units"]')).to_have_text("Units")
    expect(page.locator("#language-form select")).to_have_value("en")
    screenshot("dashboard-english")
    # The choice sticks for the next page.
    page.click('[data-nav="units"]')
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_logout_from_the_user_menu(page, login):
    login("ninhson")

    page.click("#user-menu")
    page.click("#logout-button")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("#user-menu")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
