"""The scoping rule (DESIGN.md §2): for_user per role and action, archives, cache, rollback.

Tree of the fixtures: province ─ district ─┬─ unit_a        other_district ─ other_commune
                                           └─ unit_b
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from communes.models import Membership, Unit
from communes.permissions import ROLE_ACTIONS, scope_for
from communes.views import UnitUpdateView
from core.scoping import Action, Scope, forget_scope, get_scope
from core.views import ensure_in_scope
from tests.factories import MembershipFactory, SuccessionFactory, UnitFactory, UserFactory

ALL_UNITS = {"province", "district", "unit_a", "unit_b", "other_district", "other_commune"}
DISTRICT_SUBTREE = {"district", "unit_a", "unit_b"}
NOTHING: set[str] = set()


def names(tree):
    """Unit pk → attribute name on the Tree, to compare querysets with readable sets."""
    return {getattr(tree, attr).pk: attr for attr in ALL_UNITS}


def visible(tree, user, action, queryset=None):
    by_pk = names(tree)
    qs = (queryset if queryset is not None else Unit.objects.all()).for_user(user, action)
    return {by_pk[pk] for pk in qs.values_list("pk", flat=True) if pk in by_pk}


# role holder → action → what that user reaches (roles of the conftest actors).
EXPECTED = {
    "supervisor": {
        Action.VIEW: DISTRICT_SUBTREE,
        Action.CHANGE: DISTRICT_SUBTREE,
        Action.AUDIT: DISTRICT_SUBTREE,
        Action.MANAGE: DISTRICT_SUBTREE,
        Action.APPROVE: NOTHING,
    },
    "committee": {
        Action.VIEW: DISTRICT_SUBTREE,
        Action.CHANGE: NOTHING,
        Action.AUDIT: NOTHING,
        Action.MANAGE: NOTHING,
        Action.APPROVE: DISTRICT_SUBTREE,
    },
    "auditor": {
        Action.VIEW: DISTRICT_SUBTREE,
        Action.CHANGE: NOTHING,
        Action.AUDIT: DISTRICT_SUBTREE,
        Action.MANAGE: NOTHING,
        Action.APPROVE: NOTHING,
    },
    "viewer": {
        Action.VIEW: DISTRICT_SUBTREE,
        Action.CHANGE: NOTHING,
        Action.AUDIT: NOTHING,
        Action.MANAGE: NOTHING,
        Action.APPROVE: NOTHING,
    },
    "officer_a": {
        Action.VIEW: {"unit_a"},
        Action.CHANGE: {"unit_a"},
        Action.AUDIT: NOTHING,
        Action.MANAGE: NOTHING,
        Action.APPROVE: NOTHING,
    },
    "officer_b": {
        Action.VIEW: {"unit_b"},
        Action.CHANGE: {"unit_b"},
        Action.AUDIT: NOTHING,
        Action.MANAGE: NOTHING,
        Action.APPROVE: NOTHING,
    },
    "superuser": dict.fromkeys(Action.ALL, ALL_UNITS),
}
CASES = [(actor, action) for actor in EXPECTED for action in Action.ALL]


@pytest.mark.parametrize(("actor", "action"), CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_for_user_per_role_and_action(actors, tree, actor, action):
    user = actors[actor]
    expected = EXPECTED[actor][action]
    assert visible(tree, user, action) == expected
    # Scope.covers (used for single objects) agrees with the queryset filter.
    scope = get_scope(user)
    assert {attr for attr in ALL_UNITS if scope.covers(action, getattr(tree, attr).path)} == expected


@pytest.mark.parametrize(("actor", "action"), CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_for_user_within_a_subtree(actors, tree, actor, action):
    """`subtree()` and `for_user()` compose: the intersection of both."""
    user = actors[actor]
    subtree = Unit.objects.subtree(tree.district, include_self=False)
    assert visible(tree, user, action, subtree) == EXPECTED[actor][action] & {"unit_a", "unit_b"}


def test_role_table_matches_the_design():
    role = Membership.Role
    assert ROLE_ACTIONS[role.VIEWER] == {Action.VIEW}
    assert ROLE_ACTIONS[role.OFFICER] == {Action.VIEW, Action.CHANGE}
    assert ROLE_ACTIONS[role.AUDITOR] == {Action.VIEW, Action.AUDIT}
    assert ROLE_ACTIONS[role.SUPERVISOR] == {Action.VIEW, Action.CHANGE, Action.AUDIT, Action.MANAGE}
    assert ROLE_ACTIONS[role.COMMITTEE] == {Action.VIEW, Action.APPROVE}
    assert set(ROLE_ACTIONS) == set(role.values)


@pytest.mark.parametrize("action", Action.ALL)
def test_anonymous_user_sees_nothing(tree, action):
    assert visible(tree, AnonymousUser(), action) == NOTHING
    assert visible(tree, None, action) == NOTHING


@pytest.mark.parametrize("action", Action.ALL)
def test_inactive_user_sees_nothing(tree, action):
    user = UserFactory(username="gone", is_active=False, is_superuser=True)
    MembershipFactory(user=user, unit=tree.province, role=Membership.Role.SUPERVISOR)
    assert visible(tree, user, action) == NOTHING


def test_roles_on_two_units_add_up(tree):
    """A viewer of the district who is also the officer of unit B writes only unit B."""
    user = UserFactory(username="both")
    MembershipFactory(user=user, unit=tree.district, role=Membership.Role.VIEWER)
    MembershipFactory(user=user, unit=tree.unit_b, role=Membership.Role.OFFICER)
    assert visible(tree, user, Action.VIEW) == DISTRICT_SUBTREE
    assert visible(tree, user, Action.CHANGE) == {"unit_b"}


def test_scope_q_follows_a_foreign_key_to_the_unit(tree, officer_a, officer_b, supervisor):
    """Records owned by a unit are filtered through `unit__path`: here, memberships."""
    scope = get_scope(officer_a)
    users = set(
        Membership.objects.filter(scope.q(Action.VIEW, unit_field="unit")).values_list(
            "user__username", flat=True
        )
    )
    assert users == {"officer_a"}


def test_nested_roots_select_the_same_rows(tree):
    nested = Scope(roots={Action.VIEW: frozenset({tree.district.path, tree.unit_a.path})})
    flat = Scope(roots={Action.VIEW: frozenset({tree.district.path})})
    rows = set(Unit.objects.filter(nested.q(Action.VIEW, unit_field=None)))
    assert rows == set(Unit.objects.filter(flat.q(Action.VIEW, unit_field=None)))
    assert rows == {tree.district, tree.unit_a, tree.unit_b}


# --- Pages: out of scope → 404, in scope without the right → 403 ----------------------------


def test_officer_cannot_see_another_units_page(tree, officer_a, login):
    client = login(officer_a)
    assert client.get(tree.unit_a.get_absolute_url()).status_code == 200
    assert client.get(tree.unit_b.get_absolute_url()).status_code == 404
    assert client.get(reverse("communes:unit_update", args=[tree.unit_b.pk])).status_code == 404
    assert client.get(tree.district.get_absolute_url()).status_code == 404


def test_officer_editing_own_unit_is_forbidden(tree, officer_a, login):
    """The officer writes the unit's QMS records, not the unit itself (a supervisor's job)."""
    client = login(officer_a)
    url = reverse("communes:unit_update", args=[tree.unit_a.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"parent": tree.district.pk, "name": "Hacked", "kind": "ward"})
    assert response.status_code == 403
    tree.unit_a.refresh_from_db()
    assert tree.unit_a.name == "Phường Bích Động"


def test_superuser_sees_every_unit(tree, superuser, login):
    client = login(superuser)
    for attr in ALL_UNITS:
        assert client.get(getattr(tree, attr).get_absolute_url()).status_code == 200


def test_anonymous_is_sent_to_login(tree, login):
    response = login(None).get(tree.unit_a.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Archives: successors read their predecessors, never write them --------------------------


@pytest.fixture
def merged(tree):
    """Two generations: Xã Cổ (2019) → Xã Cũ → (2025) Phường Bích Động (unit_a).

    The predecessors sit in the other district, outside every conftest role."""
    old = UnitFactory(name="Xã Cũ", parent=tree.other_district)
    old_hamlet = UnitFactory(name="Tổ dân phố Cũ", kind=Unit.Kind.AGENCY, parent=old)
    older = UnitFactory(name="Xã Cổ", parent=tree.other_district)
    SuccessionFactory(predecessor=old, successor=tree.unit_a)
    SuccessionFactory(predecessor=older, successor=old)
    return {"old": old, "old_hamlet": old_hamlet, "older": older}


def test_successor_members_read_the_predecessors_subtree(tree, officer_a, officer_b, merged):
    readable = set(Unit.objects.for_user(officer_a, Action.VIEW))
    assert {merged["old"], merged["old_hamlet"]} <= readable
    assert tree.other_commune not in readable
    assert tree.other_district not in readable
    # Officer B's unit has no predecessors: no archive.
    assert not {merged["old"], merged["older"]} & set(Unit.objects.for_user(officer_b, Action.VIEW))


def test_archive_spans_generations(tree, officer_a, merged):
    assert merged["older"] in Unit.objects.for_user(officer_a, Action.VIEW)


def test_archive_reaches_members_above_the_successor(tree, supervisor, merged):
    """The district supervisor's subtree contains unit_a, so its predecessors are readable."""
    readable = set(Unit.objects.for_user(supervisor, Action.VIEW))
    assert {merged["old"], merged["old_hamlet"], merged["older"]} <= readable


@pytest.mark.parametrize("action", [Action.CHANGE, Action.AUDIT, Action.MANAGE, Action.APPROVE])
def test_archive_is_read_only(tree, supervisor, officer_a, merged, action):
    for user in (supervisor, officer_a):
        writable = set(Unit.objects.for_user(user, action))
        assert not {merged["old"], merged["old_hamlet"], merged["older"]} & writable


def test_archive_pages_read_but_do_not_edit(tree, supervisor, merged, login):
    client = login(supervisor)
    response = client.get(merged["old"].get_absolute_url())
    assert response.status_code == 200
    assert response.context["is_archive"] is True
    assert 'id="archive-badge"' in response.content.decode()
    assert not response.context["can_manage"]
    assert client.get(reverse("communes:unit_update", args=[merged["old"].pk])).status_code == 403
    assert client.get(reverse("communes:unit_create", args=[merged["old"].pk])).status_code == 403
    # Its own unit is not an archive.
    assert client.get(tree.unit_a.get_absolute_url()).context["is_archive"] is False


def test_predecessor_members_do_not_read_the_successor(tree, merged):
    """Lineage gives read access backwards in time only."""
    old_officer = UserFactory(username="old_officer")
    MembershipFactory(user=old_officer, unit=merged["old"], role=Membership.Role.OFFICER)
    readable = set(Unit.objects.for_user(old_officer, Action.VIEW))
    assert tree.unit_a not in readable
    assert merged["older"] in readable  # its own predecessor


# --- The cached scope --------------------------------------------------------------------------


def test_scope_is_computed_once_per_user_object(tree, officer_a, django_assert_num_queries):
    get_scope(officer_a)
    with django_assert_num_queries(0):
        assert get_scope(officer_a).covers(Action.VIEW, tree.unit_a.path)


def test_new_membership_invalidates_the_cached_scope(tree):
    user = UserFactory(username="newcomer")
    assert not get_scope(user).covers(Action.VIEW, tree.unit_b.path)
    membership = MembershipFactory(user=user, unit=tree.unit_b, role=Membership.Role.VIEWER)
    assert get_scope(user).covers(Action.VIEW, tree.unit_b.path)
    assert not get_scope(user).covers(Action.CHANGE, tree.unit_b.path)

    membership.role = Membership.Role.OFFICER
    membership.save()
    assert get_scope(user).covers(Action.CHANGE, tree.unit_b.path)

    membership.delete()
    assert not get_scope(user).covers(Action.VIEW, tree.unit_b.path)


def test_forget_scope_drops_the_cache(tree, officer_a):
    assert get_scope(officer_a).covers(Action.VIEW, tree.unit_a.path)
    # A change that bypasses Membership.save (a bulk update) needs an explicit forget_scope.
    Membership.objects.filter(user=officer_a).update(unit=tree.unit_b)
    assert get_scope(officer_a).covers(Action.VIEW, tree.unit_a.path)  # still cached
    forget_scope(officer_a)
    assert not get_scope(officer_a).covers(Action.VIEW, tree.unit_a.path)
    assert get_scope(officer_a).covers(Action.VIEW, tree.unit_b.path)
    forget_scope(None)  # harmless


def test_scope_for_matches_get_scope(tree, supervisor):
    assert scope_for(supervisor) == get_scope(supervisor)


# --- After a save the object must still be in scope, or the transaction rolls back -----------


def test_ensure_in_scope_rolls_back_a_write_that_leaves_the_scope(tree, supervisor):
    with pytest.raises(PermissionDenied), transaction.atomic():
        unit = Unit.objects.get(pk=tree.unit_a.pk)
        unit.name = "Moved away"
        unit.parent = tree.other_district
        unit.save()
        ensure_in_scope(unit, supervisor, Action.MANAGE)
    unit = Unit.objects.get(pk=tree.unit_a.pk)
    assert unit.name == "Phường Bích Động"
    assert unit.parent == tree.district
    assert unit.path == f"{tree.district.path}{unit.pk}/"


def test_ensure_in_scope_accepts_a_write_that_stays(tree, supervisor):
    unit = Unit.objects.get(pk=tree.unit_a.pk)
    unit.parent = tree.unit_b
    unit.save()
    ensure_in_scope(unit, supervisor, Action.MANAGE)  # no exception


class _LeakyUpdateView(UnitUpdateView):
    """A view whose save (wrongly) moves the unit out of the user's subtree."""

    target = None

    def perform_save(self, form):
        unit = super().perform_save(form)
        unit.parent = self.target
        unit.save()
        return unit


def test_scoped_form_view_rolls_back_a_save_that_leaves_the_scope(tree, supervisor):
    view = _LeakyUpdateView.as_view(target=tree.other_district)
    request = RequestFactory().post(
        "/units/x/edit/", {"parent": tree.district.pk, "name": "Renamed", "kind": Unit.Kind.WARD}
    )
    request.user = supervisor
    with pytest.raises(PermissionDenied):
        view(request, pk=tree.unit_a.pk)
    unit = Unit.objects.get(pk=tree.unit_a.pk)
    assert (unit.name, unit.parent_id) == ("Phường Bích Động", tree.district.pk)
    assert unit.history.count() == 1  # only the creation


def test_crafted_post_moving_a_unit_out_of_scope_changes_nothing(tree, supervisor, login):
    client = login(supervisor)
    url = reverse("communes:unit_update", args=[tree.unit_a.pk])
    before = Unit.objects.values().get(pk=tree.unit_a.pk)
    response = client.post(
        url, {"parent": tree.other_district.pk, "name": "Phường Mới", "kind": Unit.Kind.WARD}
    )
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert "parent" in response.context["form"].errors
    assert Unit.objects.values().get(pk=tree.unit_a.pk) == before
    assert not Unit.objects.filter(name="Phường Mới").exists()
