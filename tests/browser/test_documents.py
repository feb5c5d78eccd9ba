"""Controlled documents in a real browser, on the demo of `make run`: the ward's ISO officer drafts
a new issue of a document in force and uploads its PDF; the district's ISO staff approves it; the
old issue stays on the page, superseded and marked obsolete (ISO 9001:2015 §7.5.2, §7.5.3)."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from communes.demo import PILOT_CODES
from communes.models import Unit
from documents.models import Document, Revision
from tests.documents.factories import effective_document, pdf_bytes

pytestmark = pytest.mark.browser

BICH_DONG_CODE = list(PILOT_CODES)[0]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """The demo's files and the uploads go to a temporary folder (autouse: before the demo loads)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def document(demo):
    """A document of Bích Động in force (issue 1), written by its officer, approved by the district."""
    users = get_user_model().objects
    unit = Unit.objects.get(code_system="legacy", code=BICH_DONG_CODE)
    return effective_document(
        users.get(username="bichdong"),
        users.get(username="district"),
        unit,
        code="QT-TN-01",
        title="Quy trình tiếp nhận và xử lý phản ánh",
    )


def test_officer_drafts_a_new_issue_and_the_supervisor_approves_it(
    page, login, screenshot, document, tmp_path
):
    pdf = tmp_path / "Quy trình tiếp nhận - lần 2.pdf"
    pdf.write_bytes(pdf_bytes("Quy trinh tiep nhan, lan 2"))

    # The ward's officer finds the document in the register by a search typed without accents.
    login("bichdong")
    page.click('[data-nav="documents"]')
    page.fill("#id_q", "tiep nhan va xu ly")
    page.press("#id_q", "Enter")
    page.locator("#documents").get_by_role("link", name="QT-TN-01").click()
    expect(page).to_have_url(re.compile(rf"/documents/{document.pk}/$"))

    # A new issue: the one in force stays in force meanwhile.
    page.click("#new-issue")
    page.fill("textarea[name=change_summary]", "Bổ sung kênh tiếp nhận qua ứng dụng di động.")
    page.click("main form [type=submit]")
    draft = page.locator("#revision-2")
    expect(draft).to_have_attribute("data-state", "draft")
    expect(page.locator("#revision-1")).to_have_attribute("data-state", "effective")

    page.set_input_files("#upload-form input[type=file]", str(pdf))
    page.click("#upload-button")
    expect(draft.locator(".revision-files")).to_contain_text("Quy trình tiếp nhận - lần 2.pdf")
    expect(draft.locator(".sha256")).to_have_count(1)
    page.click("#submit-button")
    expect(draft).to_have_attribute("data-state", "in_review")
    # The author cannot approve her own issue: no button for her.
    expect(page.locator("#approve")).to_have_count(0)
    screenshot("document-in-review-bichdong")

    page.click("#user-menu")
    page.click("#logout-button")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    # The district's ISO staff approves it, effective today.
    login("district")
    page.goto(f"/documents/{document.pk}/")
    page.click("#approve")
    expect(page.locator("#revision-summary")).to_contain_text("Bổ sung kênh tiếp nhận")
    screenshot("revision-approve-form")
    page.click("main form [type=submit]")

    expect(page).to_have_url(re.compile(rf"/documents/{document.pk}/"))
    expect(page.locator("#revision-2")).to_have_attribute("data-state", "effective")
    old = page.locator("#revision-1")
    expect(old).to_have_attribute("data-state", "superseded")
    expect(old.locator(".badge-obsolete")).to_be_visible()
    expect(old.locator(".file-download")).to_have_count(1)  # kept, still downloadable
    expect(page.locator("#current-issue")).to_contain_text("2")
    screenshot("document-superseded-district")

    revisions = dict(Revision.objects.filter(document=document).values_list("number", "state"))
    assert revisions == {1: Revision.State.SUPERSEDED, 2: Revision.State.EFFECTIVE}
    assert Revision.objects.get(document=document, number=2).approved_by.username == "district"
    assert Document.objects.get(pk=document.pk).status == Document.Status.EFFECTIVE


def test_register_tasks_and_models_pages_on_the_demo(page, login, screenshot):
    login("district")
    page.click('[data-nav="documents"]')
    expect(page).to_have_url(re.compile(r"/documents/$"))
    expect(page.locator("#documents tbody tr").first).to_be_visible()
    screenshot("document-list-district")
    page.click("#document-create")
    expect(page.locator("select[name=unit]")).to_be_visible()
    expect(page.locator("input[name=is_model]")).to_be_visible()  # the supervisor publishes models
    screenshot("document-create-form")
    page.go_back()

    page.select_option("#id_review_overdue", "yes")
    page.click("#document-filter [type=submit]")
    expect(page).to_have_url(re.compile(r"review_overdue=yes"))
    screenshot("document-list-review-overdue")

    page.click("#documents-tabs >> text=/./ >> nth=1")
    expect(page).to_have_url(re.compile(r"/documents/tasks/$"))
    expect(page.locator("#tasks")).to_be_visible()
    screenshot("document-tasks-district")

    page.click("#documents-tabs >> text=/./ >> nth=2")
    expect(page).to_have_url(re.compile(r"/documents/models/$"))
    expect(page.locator("#models")).to_be_visible()
    screenshot("document-models-district")
