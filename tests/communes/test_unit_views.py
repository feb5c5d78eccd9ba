"""Unit pages: the list (pagination, filters, diacritic-blind search) and the detail page."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from communes.models import Membership, Unit
from communes.tables import UnitTable
from tests.factories import MembershipFactory, SuccessionFactory, UnitFactory, UserFactory, WaveFactory

LIST = reverse("communes:unit_list")


def listed(response):
    """The units on the rendered page of the table."""
    assert response.status_code == 200
    return [row.record for row in response.context["table"].page.object_list]


def listed_names(client, **params):
    return {u.name for u in listed(client.get(LIST, params))}


# --- List --------------------------------------------------------------------------------------


def test_list_shows_only_the_scope(tree, officer_a, supervisor, superuser, login):
    assert listed_names(login(officer_a)) == {"Phường Bích Động"}
    assert listed_names(login(supervisor)) == {"Huyện Việt Yên", "Phường Bích Động", "Phường Ninh Sơn"}
    assert len(listed_names(login(superuser))) == 6


def test_list_paginates_25_per_page(tree, supervisor, login):
    UnitFactory.create_batch(30, parent=tree.district)  # 33 units in the district's subtree
    client = login(supervisor)
    first = client.get(LIST)
    table = first.context["table"]
    assert table.paginator.count == 33
    assert table.paginator.num_pages == 2
    assert len(listed(first)) == 25
    second = listed(client.get(LIST, {"page": 2}))
    assert len(second) == 8
    assert not {u.pk for u in second} & {u.pk for u in listed(first)}
    assert "33" in first.content.decode()  # the count above the table


def test_list_filters_by_kind(tree, supervisor, login):
    client = login(supervisor)
    assert listed_names(client, kind=Unit.Kind.WARD) == {"Phường Bích Động", "Phường Ninh Sơn"}
    assert listed_names(client, kind=Unit.Kind.DISTRICT) == {"Huyện Việt Yên"}
    assert listed_names(client, kind=Unit.Kind.AGENCY) == set()


def test_list_filters_by_wave(tree, supervisor, login):
    rollout = WaveFactory(name="Nhân rộng 2018", year=2018)
    UnitFactory(name="Xã Vân Hà", parent=tree.district, wave=rollout)
    pilot = tree.unit_a.wave
    client = login(supervisor)
    assert listed_names(client, wave=pilot.pk) == {"Phường Bích Động", "Phường Ninh Sơn"}
    assert listed_names(client, wave=rollout.pk) == {"Xã Vân Hà"}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("bich dong", {"Phường Bích Động"}),
        ("BICH DONG", {"Phường Bích Động"}),
        ("Bích Động", {"Phường Bích Động"}),
        ("phuong", {"Phường Bích Động", "Phường Ninh Sơn"}),
        ("dong", {"Phường Bích Động"}),  # d finds đ
        ("duc thang", {"Xã Đức Thắng"}),
        ("Đức", {"Xã Đức Thắng"}),
        ("hiep hoa", {"Huyện Hiệp Hòa"}),
        ("07777", {"Phường Bích Động"}),  # national code
        ("  ninh   son ", {"Phường Ninh Sơn"}),
        ("không có", set()),
    ],
)
def test_list_search_ignores_diacritics(tree, superuser, login, query, found):
    tree.unit_a.code, tree.unit_a.code_system = "07777", Unit.CodeSystem.LEGACY
    tree.unit_a.save()
    assert listed_names(login(superuser), q=query) == found


def test_search_stays_within_the_scope(tree, officer_a, login):
    assert listed_names(login(officer_a), q="ninh son") == set()


def test_search_and_filters_combine(tree, supervisor, login):
    UnitFactory(name="Xã Bích Sơn", parent=tree.district)
    client = login(supervisor)
    assert listed_names(client, q="bich") == {"Phường Bích Động", "Xã Bích Sơn"}
    assert listed_names(client, q="bich", kind=Unit.Kind.COMMUNE) == {"Xã Bích Sơn"}


def test_list_empty_state(tree, supervisor, login):
    response = login(supervisor).get(LIST, {"q": "zzz khong co"})
    assert listed(response) == []
    with translation.override("vi"):
        empty_text = str(UnitTable._meta.empty_text)
    assert escape(empty_text) in response.content.decode()


def test_list_links_each_unit(tree, supervisor, login):
    page = login(supervisor).get(LIST).content.decode()
    assert f'href="{tree.unit_a.get_absolute_url()}"' in page


# --- Detail ------------------------------------------------------------------------------------


def test_detail_shows_children_with_their_people_count(tree, supervisor, officer_a, login):
    response = login(supervisor).get(tree.district.get_absolute_url())
    assert response.status_code == 200
    children = {c.name: c for c in response.context["children"]}
    assert set(children) == {"Phường Bích Động", "Phường Ninh Sơn"}
    assert children["Phường Bích Động"].n_members == 1
    assert children["Phường Ninh Sơn"].n_members == 0
    page = response.content.decode()
    assert 'id="children"' in page
    assert f'href="{tree.unit_b.get_absolute_url()}"' in page
    assert response.context["subtree_size"] == 2


def test_detail_of_a_leaf_says_nothing_is_under_it(tree, officer_a, login):
    response = login(officer_a).get(tree.unit_a.get_absolute_url())
    assert list(response.context["children"]) == []
    assert 'id="children"' not in response.content.decode()


def test_detail_lists_people_in_vietnamese_name_order(tree, login, supervisor):
    ha = UserFactory(username="bichdong", first_name="Hà", last_name="Lê Thu")
    MembershipFactory(user=ha, unit=tree.unit_a, role=Membership.Role.OFFICER, title="Công chức VP")
    response = login(supervisor).get(tree.unit_a.get_absolute_url())
    page = response.content.decode()
    assert "Lê Thu Hà" in page
    assert "Hà Lê Thu" not in page
    assert "Công chức VP" in page
    people = [(m.user.username, m.unit_id) for m in response.context["people"]]
    # The unit's own officer first, then the roles inherited from the district.
    assert people[0] == ("bichdong", tree.unit_a.pk)
    assert ("supervisor", tree.district.pk) in people
    assert "officer_b" not in {p[0] for p in people}


def test_person_filter_falls_back_to_the_username(tree, login, supervisor):
    nameless = UserFactory(username="nameless", first_name="", last_name="")
    MembershipFactory(user=nameless, unit=tree.unit_b, role=Membership.Role.VIEWER)
    assert "nameless" in login(supervisor).get(tree.unit_b.get_absolute_url()).content.decode()


def test_detail_shows_lineage_both_ways(tree, supervisor, login):
    old = UnitFactory(name="Xã Bích Sơn Cũ", parent=tree.district)
    SuccessionFactory(predecessor=old, successor=tree.unit_a, kind="merge")
    client = login(supervisor)
    response = client.get(tree.unit_a.get_absolute_url())
    assert [s.predecessor for s in response.context["predecessors"]] == [old]
    assert response.context["successors"] == []
    assert f'href="{old.get_absolute_url()}"' in response.content.decode()

    response = client.get(old.get_absolute_url())
    assert [s.successor for s in response.context["successors"]] == [tree.unit_a]
    assert f'href="{tree.unit_a.get_absolute_url()}"' in response.content.decode()


def test_detail_shows_breadcrumbs_of_ancestors(tree, supervisor, login):
    response = login(supervisor).get(tree.unit_a.get_absolute_url())
    assert response.context["ancestors"] == [tree.province, tree.district]
    # The supervisor may open the district (link) but not the province above it (text).
    html = response.content.decode()
    assert f'href="{tree.district.get_absolute_url()}"' in html
    assert f'href="{tree.province.get_absolute_url()}"' not in html
    assert tree.province.name in html


def test_officer_sees_ancestors_named_but_not_linked(tree, officer_a, login):
    html = login(officer_a).get(tree.unit_a.get_absolute_url()).content.decode()
    for ancestor in (tree.province, tree.district):
        assert ancestor.name in html
        assert f'href="{ancestor.get_absolute_url()}"' not in html


def test_detail_edit_links_only_for_managers(tree, supervisor, viewer, login):
    edit = reverse("communes:unit_update", args=[tree.unit_a.pk])
    assert edit in login(supervisor).get(tree.unit_a.get_absolute_url()).content.decode()
    assert edit not in login(viewer).get(tree.unit_a.get_absolute_url()).content.decode()


def test_detail_of_a_missing_unit_is_404(tree, superuser, login):
    assert login(superuser).get(reverse("communes:unit_detail", args=[999_999])).status_code == 404
