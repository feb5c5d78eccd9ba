"""The steering committee's admin panel: scoped to its subtree, with history and export."""

import csv
import io

import pytest
from django.urls import reverse

from communes.demo import committee_group
from communes.models import Membership, Unit
from communes.services import unit_save
from tests.factories import MembershipFactory, UserFactory

CHANGELIST = reverse("admin:communes_unit_changelist")
EXPORT = reverse("admin:communes_unit_export")


@pytest.fixture
def committee_member(committee):
    committee.groups.add(committee_group())
    return committee


@pytest.fixture
def coded(tree):
    """National codes on every unit, so that exports can be read back."""
    for attr, code in [
        ("province", "24"),
        ("district", "222"),
        ("unit_a", "07777"),
        ("unit_b", "07798"),
        ("other_district", "215"),
        ("other_commune", "07300"),
    ]:
        unit = getattr(tree, attr)
        unit.code, unit.code_system = code, Unit.CodeSystem.LEGACY
        unit.save()
    return tree


def test_committee_member_sees_only_units_of_the_subtree(tree, committee_member, login):
    response = login(committee_member).get(CHANGELIST)
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list)
    assert shown == {tree.district, tree.unit_a, tree.unit_b}


def test_committee_member_cannot_open_a_unit_outside_the_subtree(tree, committee_member, login):
    client = login(committee_member)
    inside = reverse("admin:communes_unit_change", args=[tree.unit_a.pk])
    outside = reverse("admin:communes_unit_change", args=[tree.other_commune.pk])
    assert client.get(inside).status_code == 200
    # The admin redirects to its index with a "does not exist" message for unknown objects.
    response = client.get(outside)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_admin_search_ignores_diacritics(tree, committee_member, login):
    response = login(committee_member).get(CHANGELIST, {"q": "bich dong"})
    assert list(response.context["cl"].result_list) == [tree.unit_a]


def test_committee_member_sees_memberships_of_the_subtree_only(tree, committee_member, officer_a, login):
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, unit=tree.other_commune, role=Membership.Role.OFFICER)
    response = login(committee_member).get(reverse("admin:communes_membership_changelist"))
    users = {m.user.username for m in response.context["cl"].result_list}
    assert "officer_a" in users
    assert "stranger" not in users


def test_committee_member_cannot_import(tree, committee_member, login):
    client = login(committee_member)
    assert client.get(reverse("admin:communes_unit_import")).status_code == 403
    assert reverse("admin:communes_unit_import") not in client.get(CHANGELIST).content.decode()


def test_unit_history_after_an_edit(tree, supervisor, committee_member, login):
    unit = Unit.objects.get(pk=tree.unit_a.pk)
    unit.name = "Phường Bích Động (mới)"
    unit_save(actor=supervisor, unit=unit)

    response = login(committee_member).get(reverse("admin:communes_unit_history", args=[unit.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Phường Bích Động (mới)" in page
    assert unit.history.count() == 2
    assert [h.name for h in unit.history.all()] == ["Phường Bích Động (mới)", "Phường Bích Động"]


def test_admin_edit_records_history_with_the_user(tree, superuser, login):
    client = login(superuser)
    url = reverse("admin:communes_unit_change", args=[tree.unit_b.pk])
    response = client.post(
        url,
        {
            "parent": tree.district.pk,
            "name": "Phường Ninh Sơn (sửa)",
            "short_name": "Ninh Sơn",
            "kind": Unit.Kind.WARD,
            "code": "",
            "code_system": Unit.CodeSystem.LOCAL,
            "valid_from": "",
            "valid_until": "",
            "wave": "",
            "joined_on": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = Unit.objects.get(pk=tree.unit_b.pk).history.first()
    assert (latest.name, latest.history_user) == ("Phường Ninh Sơn (sửa)", superuser)
    history = client.get(reverse("admin:communes_unit_history", args=[tree.unit_b.pk]))
    assert "Phường Ninh Sơn (sửa)" in history.content.decode()


def _export(client):
    form = client.get(EXPORT).context["form"]
    formats = {label: value for value, label in form.fields["format"].choices}
    data = {"format": formats["csv"], "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("unitresource_")})
    response = client.post(EXPORT, data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_export_returns_the_units_of_the_subtree_as_csv(coded, committee_member, login):
    rows = _export(login(committee_member))
    assert {r["code"] for r in rows} == {"222", "07777", "07798"}
    by_code = {r["code"]: r for r in rows}
    assert by_code["07777"]["name"] == "Phường Bích Động"
    assert by_code["07777"]["parent_code"] == "222"
    assert by_code["07777"]["wave"] == "Thí điểm 2017"


def test_superuser_exports_every_unit(coded, superuser, login):
    rows = _export(login(superuser))
    assert {r["code"] for r in rows} == {"24", "222", "07777", "07798", "215", "07300"}


@pytest.mark.parametrize("actor", ["officer_a", "supervisor", "viewer"])
def test_non_staff_are_sent_to_the_admin_login(tree, actors, login, actor):
    client = login(actors[actor])
    for url in (reverse("admin:index"), CHANGELIST, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_is_sent_to_the_admin_login(tree, login):
    response = login(None).get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_committee_member_cannot_grant_privileges(tree, committee_member, officer_a, superuser, login):
    client = login(committee_member)
    response = client.get(reverse("admin:auth_user_change", args=[officer_a.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert field not in form.fields, field
    users = {u.username for u in client.get(reverse("admin:auth_user_changelist")).context["cl"].result_list}
    assert "officer_a" in users
    assert superuser.username not in users  # nor can they touch an administrator's account
