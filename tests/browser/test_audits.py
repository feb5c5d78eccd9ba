"""Internal audit and corrective action in a real browser, on the demo of `make run`: the auditor
answers the checklist (inline, htmx) and raises a finding; the ward's ISO officer adds a
corrective action and marks it done; the district's ISO staff verifies it effective, and the
nonconformity closes (ISO 9001:2015 §9.2, §10.2).

The audit is seeded here through the services (the demo's own audits may change meanwhile).
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import Audit, Clause, CorrectiveAction, Nonconformity
from audits.services import audits as services
from communes.demo import PILOT_CODES
from communes.models import Unit

pytestmark = pytest.mark.browser

BICH_DONG_CODE = list(PILOT_CODES)[0]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """The demo's files and the uploads go to a temporary folder (autouse: before the demo loads)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def audit(demo):
    """An audit of Bích Động this month, led by the demo auditor, started, with two questions."""
    users = get_user_model().objects
    district, auditor = users.get(username="district"), users.get(username="auditor")
    unit = Unit.objects.get(code_system="legacy", code=BICH_DONG_CODE)
    audit = Audit.objects.create(unit=unit, planned_month=timezone.localdate().replace(day=1))
    services.audit_plan(
        actor=district,
        audit=audit,
        lead_auditor=auditor,
        team=[],
        clauses=Clause.objects.filter(code__in=["7.5", "8.5"]),
        processes="Bộ phận tiếp nhận và trả kết quả",
    )
    services.audit_start(actor=auditor, audit=audit)
    services.checklist_add(
        actor=auditor,
        audit=audit,
        clause=Clause.objects.get(code="7.5"),
        question="Sổ theo dõi công văn đến có được cập nhật đầy đủ không?",
    )
    services.checklist_add(
        actor=auditor,
        audit=audit,
        clause=Clause.objects.get(code="8.5"),
        question="Hồ sơ TTHC có phiếu kiểm soát quá trình giải quyết không?",
    )
    return audit


def logout(page):
    page.click("#user-menu")
    page.click("#logout-button")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_audit_finding_action_and_verification_close_the_nonconformity(page, login, screenshot, audit):
    first, second = audit.checklist.order_by("clause__sort_key")

    # The auditor answers the checklist in place (htmx swaps the row) and raises a finding.
    login("auditor")
    page.click('[data-nav="audits"]')
    expect(page).to_have_url(re.compile(r"/audits/$"))
    page.goto(f"/audits/{audit.pk}/")
    expect(page.locator("#audit-state")).to_have_attribute("data-state", "in_progress")
    expect(page.locator(".clause-group")).to_have_count(2)

    row = page.locator(f"#item-{first.pk}")
    row.locator("select[name=answer]").select_option("nonconforming")
    row.locator(".answer-save").click()  # no evidence: refused in the row
    expect(page.locator(f"#item-{first.pk} .answer-error")).to_be_visible()
    row = page.locator(f"#item-{first.pk}")
    row.locator("input[name=evidence]").fill("Sổ công văn đến tháng 5 thiếu 12 văn bản.")
    row.locator(".answer-save").click()
    expect(page.locator(f"#item-{first.pk}")).to_have_attribute("data-answer", "nonconforming")
    row = page.locator(f"#item-{second.pk}")
    row.locator("select[name=answer]").select_option("conforming")
    row.locator("input[name=evidence]").fill("Kiểm tra 10 hồ sơ: đủ phiếu.")
    row.locator(".answer-save").click()
    expect(page.locator(f"#item-{second.pk}")).to_have_attribute("data-answer", "conforming")

    page.locator(f"#item-{first.pk} a[href*='findings/new']").click()
    page.select_option("select[name=kind]", "minor")
    page.fill("textarea[name=description]", "Sổ theo dõi công văn đến không được cập nhật kịp thời.")
    page.click("main form [type=submit]")
    expect(page.locator("#findings .finding")).to_have_count(1)
    expect(page.locator("#depth-clauses")).to_have_text("2/39")
    screenshot("audit-checklist-auditor")
    logout(page)

    # The ward's officer adds the corrective action and marks it done.
    nc = Nonconformity.objects.get(finding__audit=audit)
    login("bichdong")
    page.click('[data-nav="actions"]')
    page.locator("#nonconformities").get_by_role("link", name=re.compile("Sổ theo dõi công văn")).click()
    expect(page).to_have_url(re.compile(rf"/actions/{nc.pk}/$"))
    page.click("#action-create")
    page.fill("textarea[name=root_cause]", "Văn thư mới chưa được hướng dẫn quy trình.")
    page.fill("input[name=why_1]", "Vì văn thư mới nhận việc")
    page.fill("textarea[name=action]", "Hướng dẫn văn thư và kiểm tra sổ hằng tuần.")
    page.fill("input[name=due_on]", timezone.localdate().isoformat())
    page.click("main form [type=submit]")
    action = page.locator("#actions .corrective-action")
    expect(action).to_have_attribute("data-state", "planned")
    action.locator(".action-done").click()
    page.click("main form [type=submit]")
    expect(action).to_have_attribute("data-state", "done")
    expect(page.locator(".action-verify")).to_have_count(0)  # the owner does not verify
    screenshot("action-done-bichdong")
    logout(page)

    # The district's ISO staff verifies it effective: the nonconformity closes.
    login("district")
    page.goto(f"/actions/{nc.pk}/")
    page.click(".action-verify")
    page.check("input[name=effective][value=yes]")
    page.fill("textarea[name=evidence]", "Sổ công văn tháng 6 đầy đủ.")
    page.click("main form [type=submit]")
    expect(page.locator("#nc-status")).to_have_attribute("data-status", "closed")
    expect(page.locator("#actions .corrective-action")).to_have_attribute("data-state", "effective")
    screenshot("nonconformity-closed-district")

    nc.refresh_from_db()
    assert nc.status == Nonconformity.Status.CLOSED
    verified = CorrectiveAction.objects.get(nonconformity=nc)
    assert (verified.owner.username, verified.verified_by.username) == ("bichdong", "district")
