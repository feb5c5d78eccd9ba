"""The archive label: a record of a merged unit read by a member of its successor carries the
"Archive (read only)" banner, and writes are refused; the unit's own members and the supervisor
read it as their own (no banner)."""

import datetime

import pytest
from django.urls import reverse

from communes.models import Membership, Unit
from core.scoping import Action, get_scope
from tests.documents.factories import DocumentFactory
from tests.factories import MembershipFactory, SuccessionFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

BANNER = 'id="archive-banner"'


@pytest.fixture
def merged(tree):
    """unit_a merged on 1 July 2025 into a new ward under the province (no district since)."""
    ward = UnitFactory(name="Phường Việt Yên", kind=Unit.Kind.WARD, parent=tree.province)
    SuccessionFactory(predecessor=tree.unit_a, successor=ward, effective_on=datetime.date(2025, 7, 1))
    officer = UserFactory(username="officer_new")
    MembershipFactory(user=officer, unit=ward, role=Membership.Role.OFFICER)
    return ward, officer


def test_successor_member_sees_the_banner_on_a_predecessor_record(tree, merged, login):
    _ward, officer = merged
    document = DocumentFactory(unit=tree.unit_a)
    client = login(officer)
    for url in (document.get_absolute_url(), tree.unit_a.get_absolute_url()):
        html = client.get(url).content.decode()
        assert BANNER in html and tree.unit_a.name in html, url
    assert get_scope(officer).is_archive(tree.unit_a.path)


def test_no_banner_on_own_records(tree, merged, officer_a, supervisor, login):
    ward, officer = merged
    document = DocumentFactory(unit=tree.unit_a)
    assert BANNER not in login(officer_a).get(document.get_absolute_url()).content.decode()
    assert BANNER not in login(supervisor).get(document.get_absolute_url()).content.decode()
    assert BANNER not in login(officer).get(ward.get_absolute_url()).content.decode()


def test_archive_is_read_only(tree, merged, login):
    _ward, officer = merged
    scope = get_scope(officer)
    assert scope.covers(Action.VIEW, tree.unit_a.path)
    assert not scope.covers(Action.CHANGE, tree.unit_a.path)
    document = DocumentFactory(unit=tree.unit_a)
    response = login(officer).post(
        reverse("documents:document_update", args=[document.pk]), {"title": "Đổi tên"}
    )
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.title != "Đổi tên"
