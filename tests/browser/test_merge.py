"""A merger in a real browser, on the demo of `make run` (where Việt Yên's communes already merged
into the wards of Bắc Ninh on 1 July 2025): the province's ISO staff merge two communes of Bắc
Ninh into a new commune (choose → preview → confirm), moving their people; the ISO officer of one
of them, now an officer of the new commune, opens the old commune's page and one of its
documents and finds them marked "Archive (read only)", with nothing to edit."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from communes.demo import DEMO_PASSWORD
from communes.models import Membership, Succession, Unit
from documents.models import Document
from tests.documents.factories import DocumentFactory
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.browser

SUCCESSOR_NAME = "Xã Hợp Nhất Mới"
EFFECTIVE_ON = datetime.date(2026, 1, 1)
OFFICER = ("Lê Thị Mai", "officer_merge")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """The demo's files go to a temporary folder (autouse: before the demo loads)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def units(demo):
    """Two communes of Bắc Ninh in operation (the first by name has an ISO officer and a document),
    and the new commune that takes them over."""
    province = Unit.objects.get(code_system="2025", kind=Unit.Kind.PROVINCE, short_name="Bắc Ninh")
    first, other = Unit.objects.filter(parent=province, kind=Unit.Kind.COMMUNE).order_by("name")[:2]
    officer = UserFactory(username=OFFICER[1], last_name="Lê Thị", first_name="Mai", password=DEMO_PASSWORD)
    MembershipFactory(user=officer, unit=first, role=Membership.Role.OFFICER)
    successor = UnitFactory(name=SUCCESSOR_NAME, kind=Unit.Kind.COMMUNE, parent=province, code_system="2025")
    document = DocumentFactory(
        unit=first,
        code="QT-LT-01",
        title="Quy trình lưu trữ hồ sơ trước sáp nhập",
        status=Document.Status.EFFECTIVE,
    )
    return first, other, successor, document


def test_supervisor_merges_and_the_successors_officer_reads_the_archive(page, login, screenshot, units):
    first, other, successor, document = units

    # The province's ISO staff open the merge workflow from the unit list.
    login("province")
    page.goto("/units/")
    page.click("#merge-units-link")
    expect(page).to_have_url(re.compile(r"/units/merge/$"))
    expect(page.locator("#id_effective_on")).to_have_value("2025-07-01")
    page.fill("#id_effective_on", EFFECTIVE_ON.isoformat())

    # Step 1: the search narrows the list as typed without accents; tick the two communes.
    page.fill("#predecessor-search", first.search_text)
    expect(page.locator(f"#id_predecessors_{other.pk}")).to_be_hidden()
    page.check(f"#id_predecessors_{first.pk}")
    page.fill("#predecessor-search", other.search_text)
    page.check(f"#id_predecessors_{other.pk}")
    expect(page.locator(f"#id_predecessors_{first.pk}")).to_be_visible()  # ticked: stays shown
    page.fill("#successor-search", "hop nhat moi")
    page.select_option("#id_successor", str(successor.pk))
    page.fill("#id_note", "Nghị quyết về sắp xếp đơn vị hành chính cấp xã")
    page.click("#merge-preview")

    # Step 2: what moves. Nothing saved yet.
    expect(page.locator("#merge-summary")).to_contain_text(SUCCESSOR_NAME)
    expect(page.locator("#merge-summary")).to_contain_text("01/01/2026")
    expect(page.locator(f"#people-{first.pk}")).to_contain_text(OFFICER[0])
    expect(page.locator(f"#move-{first.pk}")).to_be_checked()
    for box in page.locator("#merge-carry-overs input[name=carry]").all():
        expect(box).to_be_checked()
    assert not Succession.objects.filter(successor=successor).exists()
    screenshot("merge-preview")

    # Step 3: confirm. The successor's page tells where it came from.
    page.click("#merge-confirm")
    expect(page).to_have_url(re.compile(rf"/units/{successor.pk}/$"))
    expect(page.locator(".alert-success")).to_contain_text(SUCCESSOR_NAME)
    lineage = page.locator("#lineage")
    expect(lineage).to_contain_text("01/01/2026")
    expect(lineage.get_by_role("link", name=first.name)).to_be_visible()
    expect(lineage.get_by_role("link", name=other.name)).to_be_visible()
    screenshot("merge-successor")

    assert set(Succession.objects.filter(successor=successor).values_list("predecessor", flat=True)) == {
        first.pk,
        other.pk,
    }
    first.refresh_from_db()
    assert first.valid_until == datetime.date(2025, 12, 31)
    assert Membership.objects.filter(
        user__username=OFFICER[1], unit=successor, role=Membership.Role.OFFICER
    ).exists()
    assert not Membership.objects.filter(user__username=OFFICER[1], unit=first).exists()

    # The old commune's officer, now an officer of the new commune, reads the old one as an archive.
    page.context.clear_cookies()
    login(OFFICER[1])
    page.goto(first.get_absolute_url())
    expect(page.locator("#archive-badge")).to_be_visible()
    expect(page.locator("#inactive-badge")).to_be_visible()
    expect(page.locator(f'a[href="/units/{first.pk}/edit/"]')).to_have_count(0)
    expect(page.locator("#lineage").get_by_role("link", name=SUCCESSOR_NAME)).to_be_visible()
    screenshot("merge-archive-unit")

    page.goto(f"/documents/{document.pk}/")
    expect(page.locator("#document-title")).to_contain_text("QT-LT-01")
    expect(page.locator("#archive-banner")).to_be_visible()
    expect(page.locator("#document-actions")).to_have_count(0)
    expect(page.locator(f'a[href="/documents/{document.pk}/edit/"]')).to_have_count(0)
    screenshot("merge-archive-document")
