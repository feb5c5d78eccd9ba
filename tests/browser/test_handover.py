"""Finishing a merger that `link_successors` wrote, in a real browser, on the demo of `make run`:
Ninh Sơn was linked to Phường Vân Hà on 1 July 2025 but its open work and its ISO officer stayed
behind. The province's ISO staff open Ninh Sơn's page (their archive), hand it over to Vân Hà
(preview → confirm), and Ninh Sơn's officer then works for Vân Hà, with the corrective actions
carried over, while Ninh Sơn stays an archive."""

import re

import pytest
from playwright.sync_api import expect

from audits.models import CorrectiveAction
from communes.models import Membership, Succession, Unit

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """The demo's files go to a temporary folder (autouse: before the demo loads)."""
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_province_hands_a_linked_commune_over_to_its_successor(page, login, screenshot):
    ninh_son = Unit.objects.get(code_system="legacy", code="07798")
    van_ha = Unit.objects.get(code_system="2025", code="07798")
    open_actions = CorrectiveAction.objects.filter(nonconformity__unit=ninh_son).exclude(
        state=CorrectiveAction.State.EFFECTIVE
    )
    assert open_actions.exists()
    assert not CorrectiveAction.objects.filter(nonconformity__unit=van_ha).exists()
    links_before = Succession.objects.count()

    login("province")
    page.goto(ninh_son.get_absolute_url())
    expect(page.locator("#archive-badge")).to_be_visible()
    expect(page.locator("#merge-link")).to_have_count(0)  # already merged: only the hand-over
    page.click("#finish-merger-link")
    expect(page).to_have_url(re.compile(r"/units/merge/\?"))
    expect(page.locator(f"#id_predecessors_{ninh_son.pk}")).to_be_checked()
    expect(page.locator("#id_successor")).to_have_value(str(van_ha.pk))
    expect(page.locator("#id_effective_on")).to_have_value("2025-07-01")
    page.click("#merge-preview")

    expect(page.locator(f"#people-{ninh_son.pk}")).to_contain_text("Phạm Văn Minh")
    expect(page.locator("#carry-corrective_actions")).to_be_checked()
    screenshot("handover-preview")
    page.click("#merge-confirm")

    expect(page).to_have_url(re.compile(rf"/units/{van_ha.pk}/$"))
    expect(page.locator(".alert-success")).to_contain_text("Phường Vân Hà")
    assert Succession.objects.count() == links_before  # no second link
    assert CorrectiveAction.objects.filter(nonconformity__unit=van_ha, carried_from__isnull=False).exists()
    assert Membership.objects.filter(
        user__username="ninhson", unit=van_ha, role=Membership.Role.OFFICER
    ).exists()

    # Ninh Sơn's officer now works for Vân Hà: its dashboard, no archive notice; Ninh Sơn is read only.
    page.context.clear_cookies()
    login("ninhson")
    page.goto("/")
    expect(page.locator("#panel-officer-dashboard")).to_be_visible()
    expect(page.locator("#dashboard-archive")).to_have_count(0)
    expect(page.locator("#officer-due")).to_contain_text("Phường Vân Hà")
    page.goto(ninh_son.get_absolute_url())
    expect(page.locator("#archive-badge")).to_be_visible()
    screenshot("handover-officer")
