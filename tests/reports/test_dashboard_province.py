"""The 2025 tree: a province supervises its communes and wards directly (no district). The
memberships, the scope and the dashboards work there as on the province → district → commune
tree: the province's ISO staff see one row per ward in operation, never the merged-away
communes (inactive) nor another province's; a ward's officer sees their own dashboard; the
province files the annual report."""

import datetime

import pytest
from django.utils import timezone

from communes.models import Membership, Unit
from core.scoping import Action, get_scope
from reports import selectors
from reports.selectors_annual import annual_content, supervising_units
from tests.certification.factories import V2015
from tests.factories import MembershipFactory, SuccessionFactory, UnitFactory, UserFactory
from tests.reports import dashboard_factories as f

pytestmark = pytest.mark.django_db

MERGED_ON = datetime.date(2025, 7, 1)


@pytest.fixture
def province_tree(tree):
    """New Bắc Ninh (2025) with two wards straight under it; unit_a and unit_b of the old
    district merged into the first on 1 July 2025; another 2025 province with a ward."""
    province = UnitFactory(name="Tỉnh Bắc Ninh", kind=Unit.Kind.PROVINCE, valid_from=MERGED_ON)
    viet_yen = UnitFactory(name="Phường Việt Yên", kind=Unit.Kind.WARD, parent=province, valid_from=MERGED_ON)
    nenh = UnitFactory(name="Phường Nếnh", kind=Unit.Kind.WARD, parent=province, valid_from=MERGED_ON)
    elsewhere = UnitFactory(name="Tỉnh Lạng Sơn", kind=Unit.Kind.PROVINCE)
    far = UnitFactory(name="Phường Đông Kinh", kind=Unit.Kind.WARD, parent=elsewhere)
    for old in (tree.unit_a, tree.unit_b):
        SuccessionFactory(predecessor=old, successor=viet_yen, effective_on=MERGED_ON)
    Unit.objects.filter(pk__in=[tree.unit_a.pk, tree.unit_b.pk]).update(
        valid_until=MERGED_ON - datetime.timedelta(days=1)
    )
    staff = UserFactory(username="province_staff")
    MembershipFactory(user=staff, unit=province, role=Membership.Role.SUPERVISOR)
    officer = UserFactory(username="viet_yen_officer")
    MembershipFactory(user=officer, unit=viet_yen, role=Membership.Role.OFFICER)
    return province, viet_yen, nenh, far, staff, officer


def test_province_scope_covers_its_wards_only(tree, province_tree):
    province, viet_yen, nenh, far, staff, officer = province_tree
    scope = get_scope(staff)
    assert scope.covers(Action.MANAGE, viet_yen.path) and scope.covers(Action.MANAGE, nenh.path)
    assert not scope.covers(Action.VIEW, far.path)
    # The merged communes are the archive of the province's ward: readable, never writable.
    assert scope.covers(Action.VIEW, tree.unit_a.path) and not scope.covers(Action.CHANGE, tree.unit_a.path)
    officer_scope = get_scope(officer)
    assert officer_scope.covers(Action.CHANGE, viet_yen.path)
    assert not officer_scope.covers(Action.VIEW, nenh.path)


def test_supervisor_dashboard_lists_the_wards_in_operation(client, tree, province_tree):
    province, viet_yen, nenh, far, staff, _officer = province_tree
    f.qms(staff, viet_yen, V2015)
    today = timezone.localdate()
    assert list(selectors.dashboard_units(staff, today)) == sorted([viet_yen, nenh], key=lambda u: u.path)
    client.force_login(staff)
    html = client.get("/").content.decode()
    assert f'data-unit="{viet_yen.pk}"' in html and f'data-unit="{nenh.pk}"' in html
    for absent in (tree.unit_a, tree.unit_b, far):
        assert f'data-unit="{absent.pk}"' not in html


def test_ward_officer_sees_the_officer_dashboard(client, province_tree):
    _province, _viet_yen, _nenh, _far, _staff, officer = province_tree
    client.force_login(officer)
    html = client.get("/").content.decode()
    assert 'id="panel-officer-dashboard"' in html and 'data-unit="' not in html


def test_the_province_files_the_annual_report_of_its_wards(province_tree):
    province, viet_yen, nenh, far, staff, _officer = province_tree
    assert list(supervising_units(staff)) == [province]
    content = annual_content(province, 2025, today=datetime.date(2025, 12, 1))
    assert [line.unit for line in content.lines] == sorted([viet_yen, nenh], key=lambda u: u.path)


# --- The archive of a unit that ceased --------------------------------------------------------
LAST_DAY = MERGED_ON - datetime.timedelta(days=1)


@pytest.fixture
def closed_district(tree):
    """Huyện Việt Yên and its two wards ceased on 30 June 2025 (abolished and merged)."""
    Unit.objects.filter(path__startswith=tree.district.path).update(valid_until=LAST_DAY)
    return tree.district


def _page(client, user):
    client.force_login(user)
    return client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_closed_districts_staff_see_its_archive_as_on_its_last_day(
    client, tree, supervisor, closed_district
):
    html = _page(client, supervisor)
    assert 'id="dashboard-archive"' in html
    assert "Huyện Việt Yên ceased operation after 30/06/2025" in html
    for unit in (tree.unit_a, tree.unit_b):
        assert f'data-unit="{unit.pk}"' in html
    assert f'data-unit="{tree.other_commune.pk}"' not in html  # another district: never
    # The year of the figures is the year of that day.
    assert "average satisfaction in 2025" in html


def test_a_merged_wards_officer_sees_its_last_day(client, tree, officer_a, closed_district):
    html = _page(client, officer_a)
    assert 'id="panel-officer-dashboard"' in html
    assert "Phường Bích Động ceased operation after 30/06/2025" in html


def test_no_archive_while_one_of_the_users_units_is_in_operation(
    client, tree, province_tree, closed_district
):
    _province, viet_yen, _nenh, _far, _staff, officer = province_tree
    MembershipFactory(user=officer, unit=tree.unit_a, role=Membership.Role.OFFICER)  # their old ward
    html = _page(client, officer)
    assert 'id="dashboard-archive"' not in html
    assert "Phường Việt Yên" in html


def test_the_archive_costs_the_same_queries_for_more_units(client, tree, supervisor, closed_district):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        client.force_login(supervisor)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    before = count()
    for n in range(4):
        UnitFactory(name=f"Xã Cũ {n}", kind=Unit.Kind.COMMUNE, parent=tree.district, valid_until=LAST_DAY)
    assert count() == before
