"""Shared fixtures: a small unit tree and one user per actor of the permission matrix.

    province ─ district ─┬─ unit_a (officer_a)
                         └─ unit_b (officer_b)

supervisor, committee and auditor hold their role on the district. `other_district` sits
beside it with its own commune, so "outside the district" can be tested too.
"""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communes.models import Membership, Unit
from tests.factories import MembershipFactory, UnitFactory, UserFactory, WaveFactory

PASSWORD = "pw-12345"


@dataclass
class Tree:
    province: Unit
    district: Unit
    unit_a: Unit
    unit_b: Unit
    other_district: Unit
    other_commune: Unit


@pytest.fixture
def tree(db):
    province = UnitFactory(name="Tỉnh Bắc Giang", kind=Unit.Kind.PROVINCE)
    district = UnitFactory(name="Huyện Việt Yên", kind=Unit.Kind.DISTRICT, parent=province)
    pilot = WaveFactory(name="Thí điểm 2017", year=2017)
    unit_a = UnitFactory(name="Phường Bích Động", kind=Unit.Kind.WARD, parent=district, wave=pilot)
    unit_b = UnitFactory(name="Phường Ninh Sơn", kind=Unit.Kind.WARD, parent=district, wave=pilot)
    other_district = UnitFactory(name="Huyện Hiệp Hòa", kind=Unit.Kind.DISTRICT, parent=province)
    other_commune = UnitFactory(name="Xã Đức Thắng", parent=other_district)
    return Tree(province, district, unit_a, unit_b, other_district, other_commune)


def _member(username, unit, role, **extra):
    user = UserFactory(username=username, **extra)
    MembershipFactory(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def supervisor(tree):
    return _member("supervisor", tree.district, Membership.Role.SUPERVISOR)


@pytest.fixture
def committee(tree):
    return _member("committee", tree.district, Membership.Role.COMMITTEE, is_staff=True)


@pytest.fixture
def officer_a(tree):
    return _member("officer_a", tree.unit_a, Membership.Role.OFFICER)


@pytest.fixture
def officer_b(tree):
    return _member("officer_b", tree.unit_b, Membership.Role.OFFICER)


@pytest.fixture
def auditor(tree):
    return _member("auditor", tree.district, Membership.Role.AUDITOR)


@pytest.fixture
def viewer(tree):
    return _member("viewer", tree.district, Membership.Role.VIEWER)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def actors(tree, supervisor, committee, officer_a, officer_b, auditor, viewer, superuser):
    """Every actor by name; `anonymous` is None."""
    return {
        "anonymous": None,
        "supervisor": supervisor,
        "committee": committee,
        "officer_a": officer_a,
        "officer_b": officer_b,
        "auditor": auditor,
        "viewer": viewer,
        "superuser": superuser,
    }


@pytest.fixture
def login(client):
    """`login(user)` returns the test client logged in as that user (None: anonymous)."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (live server, health) ends with a flush of every table, which also
    removes the rows that data migrations load (ISO clauses, standard versions). Once all its
    fixtures are torn down (the flush is pytest-django's last step), put those rows back, so
    the tests that run later find the database as the migrations left it."""
    yield
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if "transactional_db" not in fixtures and not (marker and marker.kwargs.get("transaction")):
        return
    from pytest_django.plugin import blocking_manager_key

    from audits.clauses import load_clauses
    from audits.models import Clause
    from certification.models import StandardVersion
    from certification.versions import load_versions

    with item.config.stash[blocking_manager_key].unblock():
        load_clauses(Clause)
        load_versions(StandardVersion)


class QueryCounter:
    """Counts the SQL queries of a request: `counter.get(client, url)` → (response, count)."""

    def get(self, client, url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response, len(ctx.captured_queries)


def assert_constant_queries(client, url, add_rows, few=2, many=20):
    """Render `url` with `few` rows, then with `many`: the number of queries must not change.

    `add_rows(n)` creates n more rows that the page lists.
    """
    counter = QueryCounter()
    add_rows(few)
    _, small = counter.get(client, url)
    add_rows(many - few)
    response, large = counter.get(client, url)
    assert small == large, f"{url}: {small} queries with {few} rows, {large} with {many}"
    return response


@pytest.fixture
def constant_queries():
    return assert_constant_queries
