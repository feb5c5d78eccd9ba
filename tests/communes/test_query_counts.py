"""A page's query count must not grow with the number of rows (DESIGN.md §4)."""

import itertools

from django.urls import reverse

from communes.models import Membership, Unit
from tests.factories import MembershipFactory, SuccessionFactory, UnitFactory, UserFactory, WaveFactory

_counter = itertools.count()


def _unit_with_people(parent, **extra):
    n = next(_counter)
    wave = WaveFactory(name=f"Đợt {n % 3}", year=2017 + n % 3)
    unit = UnitFactory(parent=parent, wave=wave, **extra)
    MembershipFactory(user=UserFactory(username=f"member{n}"), unit=unit, role=Membership.Role.OFFICER)
    UnitFactory(parent=unit, kind=Unit.Kind.AGENCY)  # a grandchild, counted in the child's row
    return unit


def test_unit_list_queries_are_constant(tree, supervisor, login, constant_queries):
    def add_rows(n):
        for _ in range(n):
            _unit_with_people(tree.district)

    response = constant_queries(login(supervisor), reverse("communes:unit_list"), add_rows)
    assert response.context["table"].paginator.count > 20


def test_unit_list_queries_are_constant_when_searching(tree, supervisor, login, constant_queries):
    def add_rows(n):
        for _ in range(n):
            _unit_with_people(tree.district, name=f"Xã Tìm Thấy {next(_counter)}")

    url = reverse("communes:unit_list") + "?q=tim+thay&kind=commune"
    response = constant_queries(login(supervisor), url, add_rows)
    assert response.context["table"].paginator.count == 20


def test_unit_detail_queries_are_constant(tree, supervisor, login, constant_queries):
    def add_rows(n):
        for _ in range(n):
            child = _unit_with_people(tree.district)
            MembershipFactory(
                user=UserFactory(username=f"district{next(_counter)}"),
                unit=tree.district,
                role=Membership.Role.VIEWER,
            )
            SuccessionFactory(predecessor=UnitFactory(parent=tree.province), successor=tree.district)
            SuccessionFactory(predecessor=child, successor=tree.unit_b)

    response = constant_queries(login(supervisor), tree.district.get_absolute_url(), add_rows)
    assert len(response.context["children"]) == 22
    assert len(response.context["predecessors"]) == 20


def test_unit_detail_of_a_leaf_with_many_people_is_constant(tree, supervisor, login, constant_queries):
    def add_rows(n):
        for _ in range(n):
            user = UserFactory(username=f"officer{next(_counter)}")
            MembershipFactory(user=user, unit=tree.unit_a, role=Membership.Role.OFFICER)

    response = constant_queries(login(supervisor), tree.unit_a.get_absolute_url(), add_rows)
    assert len(response.context["people"]) == 21  # 20 officers and the district supervisor


def test_dashboard_queries_are_constant(tree, supervisor, login, constant_queries):
    def add_rows(n):
        for _ in range(n):
            unit = _unit_with_people(tree.district)
            # The dashboard lists the user's own roles: give them many.
            MembershipFactory(user=supervisor, unit=unit, role=Membership.Role.SUPERVISOR)

    response = constant_queries(login(supervisor), reverse("core:dashboard"), add_rows)
    assert 'id="panel-roles"' in response.content.decode()
    assert response.content.decode().count("badge text-bg-primary") == 21
