"""Creating and editing units: happy paths, narrowed parents, bad input that saves nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from communes.models import Unit
from tests.factories import UnitFactory, WaveFactory


def form_data(**values):
    data = {
        "parent": "",
        "name": "",
        "short_name": "",
        "kind": Unit.Kind.AGENCY,
        "code": "",
        "wave": "",
        "joined_on": "",
        "valid_from": "",
        "valid_until": "",
    }
    data.update(values)
    return data


def create_url(parent):
    return reverse("communes:unit_create", args=[parent.pk])


def update_url(unit):
    return reverse("communes:unit_update", args=[unit.pk])


def parent_choices(response):
    return set(response.context["form"].fields["parent"].queryset)


def snapshot():
    return list(Unit.objects.order_by("pk").values())


# --- Happy paths -------------------------------------------------------------------------------


def test_supervisor_creates_a_unit_under_the_district(tree, supervisor, login):
    client = login(supervisor)
    response = client.post(
        create_url(tree.district),
        form_data(parent=tree.district.pk, name="Văn phòng HĐND và UBND", kind=Unit.Kind.AGENCY),
    )
    unit = Unit.objects.get(name="Văn phòng HĐND và UBND")
    assert response.status_code == 302
    assert response["Location"] == unit.get_absolute_url()
    assert unit.parent == tree.district
    assert unit.path == f"{tree.district.path}{unit.pk}/"
    assert unit.depth == 2
    assert unit.search_text == "van phong hdnd va ubnd"
    record = unit.history.get()
    assert record.history_type == "+"
    assert record.history_user == supervisor


def test_create_form_starts_under_the_parent_of_the_url(tree, supervisor, login):
    response = login(supervisor).get(create_url(tree.unit_a))
    form = response.context["form"]
    assert form.initial["parent"] == tree.unit_a
    assert form.initial["kind"] == Unit.Kind.AGENCY
    assert "Phường Bích Động" in response.context["title"]


def test_supervisor_updates_a_unit(tree, supervisor, login):
    rollout = WaveFactory(name="Nhân rộng 2018", year=2018)
    client = login(supervisor)
    response = client.post(
        update_url(tree.unit_b),
        form_data(
            parent=tree.district.pk,
            name="Phường Ninh Sơn (mới)",
            short_name="Ninh Sơn",
            kind=Unit.Kind.WARD,
            code="07798",
            wave=rollout.pk,
            joined_on="01/03/2018",
            valid_from="2018-01-01",
        ),
    )
    assert response.status_code == 302
    unit = Unit.objects.get(pk=tree.unit_b.pk)
    assert unit.name == "Phường Ninh Sơn (mới)"
    assert unit.wave == rollout
    assert unit.joined_on == datetime.date(2018, 3, 1)
    assert unit.valid_from == datetime.date(2018, 1, 1)
    assert unit.code == "07798"
    assert "07798" in unit.search_text
    assert unit.history.first().history_user == supervisor
    # Saving again with its own code is not a duplicate.
    again = client.post(
        update_url(unit), form_data(parent=tree.district.pk, name=unit.name, kind="ward", code="07798")
    )
    assert again.status_code == 302


def test_moving_a_unit_moves_its_subtree(tree, supervisor, login):
    agency = UnitFactory(name="Tổ một cửa", kind=Unit.Kind.AGENCY, parent=tree.unit_a)
    response = login(supervisor).post(
        update_url(tree.unit_a), form_data(parent=tree.unit_b.pk, name="Phường Bích Động", kind="ward")
    )
    assert response.status_code == 302
    unit_a = Unit.objects.get(pk=tree.unit_a.pk)
    agency.refresh_from_db()
    assert unit_a.path == f"{tree.unit_b.path}{unit_a.pk}/"
    assert agency.path == f"{unit_a.path}{agency.pk}/"
    assert (unit_a.depth, agency.depth) == (3, 4)


# --- Parent choices narrowed to what the user manages ------------------------------------------


def test_create_parent_choices_are_the_managed_units(tree, supervisor, login):
    response = login(supervisor).get(create_url(tree.district))
    assert parent_choices(response) == {tree.district, tree.unit_a, tree.unit_b}
    page = response.content.decode()
    assert "Huyện Hiệp Hòa" not in page
    assert "Tỉnh Bắc Giang" not in page


def test_update_parent_choices_exclude_the_units_own_subtree(tree, supervisor, login):
    UnitFactory(name="Tổ một cửa", parent=tree.unit_a)
    response = login(supervisor).get(update_url(tree.unit_a))
    assert parent_choices(response) == {tree.district, tree.unit_b}
    assert response.context["form"].fields["parent"].disabled is False


def test_superuser_may_pick_any_parent_or_none(tree, superuser, login):
    response = login(superuser).get(create_url(tree.district))
    assert parent_choices(response) == set(Unit.objects.all())
    assert response.context["form"].fields["parent"].required is False


def test_supervisors_own_root_unit_has_its_parent_disabled(tree, supervisor, login):
    client = login(supervisor)
    response = client.get(update_url(tree.district))
    field = response.context["form"].fields["parent"]
    assert field.disabled is True
    assert set(field.queryset) == {tree.province}
    # A crafted value for the disabled field is ignored: the unit stays where it is.
    response = client.post(
        update_url(tree.district),
        form_data(parent=tree.other_district.pk, name="Thị xã Việt Yên", kind=Unit.Kind.DISTRICT),
    )
    assert response.status_code == 302
    district = Unit.objects.get(pk=tree.district.pk)
    assert district.name == "Thị xã Việt Yên"
    assert district.parent == tree.province
    assert district.path == f"{tree.province.path}{district.pk}/"


# --- Bad input: a clear error, nothing saved ---------------------------------------------------


def _assert_rejected(response, before, field):
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    message = form.errors[field][0]
    assert message.strip()
    assert "constraint" not in message.lower()  # the words of a person, not of the database
    assert escape(message) in response.content.decode()  # shown beside the field
    assert snapshot() == before


def test_blank_name_is_refused(tree, supervisor, login):
    before = snapshot()
    response = login(supervisor).post(create_url(tree.district), form_data(parent=tree.district.pk))
    _assert_rejected(response, before, "name")


def test_valid_until_before_valid_from_is_refused(tree, supervisor, login):
    before = snapshot()
    response = login(supervisor).post(
        update_url(tree.unit_a),
        form_data(
            parent=tree.district.pk,
            name="Phường Bích Động",
            kind=Unit.Kind.WARD,
            valid_from="2025-07-01",
            valid_until="2025-06-30",
        ),
    )
    _assert_rejected(response, before, "valid_until")


def test_parent_outside_the_scope_is_refused(tree, supervisor, login):
    before = snapshot()
    client = login(supervisor)
    response = client.post(
        create_url(tree.district),
        form_data(parent=tree.other_district.pk, name="Cơ quan lạ", kind=Unit.Kind.AGENCY),
    )
    _assert_rejected(response, before, "parent")
    response = client.post(
        update_url(tree.unit_a), form_data(parent=tree.province.pk, name="Phường Bích Động", kind="ward")
    )
    _assert_rejected(response, before, "parent")


def test_a_unit_cannot_be_placed_under_its_own_subtree(tree, supervisor, login):
    child = UnitFactory(name="Tổ một cửa", parent=tree.unit_a)
    before = snapshot()
    response = login(supervisor).post(
        update_url(tree.unit_a), form_data(parent=child.pk, name="Phường Bích Động", kind="ward")
    )
    _assert_rejected(response, before, "parent")


def test_supervisor_cannot_add_a_top_level_unit(tree, supervisor, login):
    before = snapshot()
    response = login(supervisor).post(
        create_url(tree.district), form_data(parent="", name="Tỉnh Mới", kind=Unit.Kind.PROVINCE)
    )
    _assert_rejected(response, before, "parent")


def test_duplicate_national_code_is_refused(tree, supervisor, login):
    tree.unit_b.code, tree.unit_b.code_system = "07798", Unit.CodeSystem.LOCAL
    tree.unit_b.save()
    before = snapshot()
    response = login(supervisor).post(
        create_url(tree.district),
        form_data(parent=tree.district.pk, name="Cơ quan trùng mã", code="07798"),
    )
    _assert_rejected(response, before, "code")


def test_same_code_in_another_code_list_is_accepted(tree, supervisor, login):
    tree.unit_b.code, tree.unit_b.code_system = "07798", Unit.CodeSystem.LEGACY
    tree.unit_b.save()
    response = login(supervisor).post(
        create_url(tree.district),
        form_data(parent=tree.district.pk, name="Cơ quan mã địa phương", code="07798"),
    )
    assert response.status_code == 302
    assert Unit.objects.get(name="Cơ quan mã địa phương").code_system == Unit.CodeSystem.LOCAL


@pytest.mark.parametrize("actor", ["officer_a", "viewer", "committee", "auditor"])
def test_non_managers_cannot_create(tree, actors, login, actor):
    before = snapshot()
    response = login(actors[actor]).post(
        create_url(tree.district), form_data(parent=tree.district.pk, name="Cơ quan X")
    )
    assert response.status_code in (403, 404)
    assert snapshot() == before


def test_supervisor_cannot_create_under_another_district(tree, supervisor, login):
    before = snapshot()
    response = login(supervisor).post(
        create_url(tree.other_district), form_data(parent=tree.other_district.pk, name="Cơ quan X")
    )
    assert response.status_code == 404
    assert snapshot() == before
