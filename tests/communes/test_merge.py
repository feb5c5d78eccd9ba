"""The 2025 reorganisation: the merge workflow (choose → preview → confirm), the service behind
it, the membership move (staff rotation) and the lineage on the unit page.

Domain apps register carry-overs in core.reorganisation; these tests register throwaway ones
that record their calls, so they work whatever the apps registered (zero or more)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from communes.models import Membership, Succession, Unit
from communes.services_merge import memberships_move, units_merge
from core import reorganisation
from core.reorganisation import CarryOver, Pending
from tests.factories import MembershipFactory, SuccessionFactory, UnitFactory, UserFactory

MERGE = reverse("communes:unit_merge")
JULY_1 = datetime.date(2025, 7, 1)
JUNE_30 = datetime.date(2025, 6, 30)


def move_url(unit):
    return reverse("communes:membership_move", args=[unit.pk])


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def english(client):
    """Pages and service messages in English: the tests read the msgids whatever the catalogue says."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


class Recorder:
    """A throwaway carry-over: what it would move is one pending row per predecessor."""

    def __init__(self, key, label, fail=False):
        self.key, self.label, self.fail = key, label, fail
        self.previews, self.carries = [], []

    def preview(self, predecessor_ids):
        self.previews.append(sorted(predecessor_ids))
        return [
            Pending(unit_id=pk, label=f"{self.label} — việc tồn của {pk}", url=f"/units/{pk}/", due_on=JULY_1)
            for pk in predecessor_ids
        ]

    def carry(self, *, actor, predecessor_ids, successor, on):
        self.carries.append(
            {"actor": actor, "predecessor_ids": sorted(predecessor_ids), "successor": successor, "on": on}
        )
        if self.fail:
            raise RuntimeError("carry-over failed")
        return len(predecessor_ids)

    def register(self, order=1000):
        reorganisation.register(
            CarryOver(key=self.key, label=self.label, preview=self.preview, carry=self.carry, order=order)
        )


@pytest.fixture
def recorder():
    rec = Recorder("test_recorder", "Việc tồn thử nghiệm")
    rec.register()
    yield rec
    reorganisation.unregister(rec.key)


@pytest.fixture
def second_recorder():
    rec = Recorder("test_second", "Việc tồn thứ hai")
    rec.register(order=1001)
    yield rec
    reorganisation.unregister(rec.key)


@pytest.fixture
def successor(tree):
    """A new ward formed on 1 July 2025 in the district (valid_from left empty)."""
    return UnitFactory(name="Phường Vân Trung Mới", kind=Unit.Kind.WARD, parent=tree.district)


@pytest.fixture
def other_supervisor(tree):
    user = UserFactory(username="other_supervisor")
    MembershipFactory(user=user, unit=tree.other_district, role=Membership.Role.SUPERVISOR)
    return user


def step_data(tree, successor, step="preview", **overrides):
    data = {
        "step": step,
        "predecessors": [tree.unit_a.pk, tree.unit_b.pk],
        "successor": successor.pk,
        "effective_on": "2025-07-01",
        "kind": "merge",
        "note": "Nghị quyết 1234/NQ-UBTVQH15",
    }
    data.update(overrides)
    return data


def nothing_saved(tree, memberships_before):
    assert not Succession.objects.exists()
    for unit in (tree.unit_a, tree.unit_b):
        unit.refresh_from_db()
        assert unit.valid_until is None
    assert set(Membership.objects.values_list("pk", "user_id", "unit_id")) == memberships_before


def membership_rows():
    return set(Membership.objects.values_list("pk", "user_id", "unit_id"))


# --- the service ---------------------------------------------------------------------------------


def test_merge_writes_lineage_dates_carry_overs_and_moves_people(
    tree, supervisor, officer_a, officer_b, successor, recorder, second_recorder
):
    old_a = Membership.objects.get(user=officer_a, unit=tree.unit_a)
    old_a.title = "Công chức Văn phòng - Thống kê"
    old_a.save()

    result = units_merge(
        actor=supervisor,
        predecessors=[tree.unit_a, tree.unit_b],
        successor=successor,
        effective_on=JULY_1,
        kind=Succession.Kind.MERGE,
        carry=["test_recorder"],
        move_memberships=True,
        note="Nghị quyết 1234/NQ-UBTVQH15",
    )

    rows = Succession.objects.order_by("predecessor__name")
    assert [(s.predecessor, s.successor, s.effective_on, s.kind) for s in rows] == [
        (tree.unit_a, successor, JULY_1, "merge"),
        (tree.unit_b, successor, JULY_1, "merge"),
    ]
    assert {s.note for s in rows} == {"Nghị quyết 1234/NQ-UBTVQH15"}
    for unit in (tree.unit_a, tree.unit_b):
        unit.refresh_from_db()
        assert unit.valid_until == JUNE_30
        assert not unit.is_active  # no more reminders for it
        assert unit.history.filter(valid_until=JUNE_30).exists()
    successor.refresh_from_db()
    assert successor.valid_from == JULY_1

    # The chosen carry-over ran once with every predecessor; the other did not run.
    assert recorder.carries == [
        {
            "actor": supervisor,
            "predecessor_ids": sorted([tree.unit_a.pk, tree.unit_b.pk]),
            "successor": successor,
            "on": JULY_1,
        }
    ]
    assert second_recorder.carries == []
    assert [(str(label), n) for label, n in result.carried] == [("Việc tồn thử nghiệm", 2)]

    # The people moved with their roles and titles; the old memberships ended (history keeps them).
    moved = Membership.objects.get(user=officer_a, unit=successor)
    assert (moved.role, moved.title) == (Membership.Role.OFFICER, "Công chức Văn phòng - Thống kê")
    assert Membership.objects.get(user=officer_b, unit=successor).role == Membership.Role.OFFICER
    assert not Membership.objects.filter(unit__in=[tree.unit_a, tree.unit_b]).exists()
    assert Membership.history.filter(id=old_a.pk, history_type="-").exists()
    assert (result.memberships.moved, result.memberships.kept) == (2, 0)


def test_merge_keeps_a_start_date_and_a_role_already_held(tree, supervisor, officer_a, successor):
    successor.valid_from = datetime.date(2025, 6, 1)
    successor.save()
    MembershipFactory(user=officer_a, unit=successor, role=Membership.Role.VIEWER)

    result = units_merge(
        actor=supervisor,
        predecessors=[tree.unit_a, tree.unit_b],
        successor=successor,
        effective_on=JULY_1,
        move_memberships=True,
    )

    successor.refresh_from_db()
    assert successor.valid_from == datetime.date(2025, 6, 1)
    assert Membership.objects.get(user=officer_a, unit=successor).role == Membership.Role.VIEWER
    assert not Membership.objects.filter(user=officer_a, unit=tree.unit_a).exists()
    assert (result.memberships.moved, result.memberships.kept) == (0, 1)


def test_merge_moves_only_the_people_asked_for(tree, supervisor, officer_a, officer_b, successor):
    units_merge(
        actor=supervisor,
        predecessors=[tree.unit_a, tree.unit_b],
        successor=successor,
        effective_on=JULY_1,
        move_memberships=[tree.unit_b],
    )
    assert Membership.objects.filter(user=officer_a, unit=tree.unit_a).exists()
    assert Membership.objects.filter(user=officer_b, unit=successor).exists()
    assert not Membership.objects.filter(user=officer_b, unit=tree.unit_b).exists()


def test_a_failing_carry_over_rolls_the_whole_merger_back(tree, supervisor, officer_a, successor):
    failing = Recorder("test_failing", "Hỏng", fail=True)
    failing.register()
    try:
        before = membership_rows()
        with pytest.raises(RuntimeError):
            units_merge(
                actor=supervisor,
                predecessors=[tree.unit_a, tree.unit_b],
                successor=successor,
                effective_on=JULY_1,
                carry=["test_failing"],
                move_memberships=True,
            )
        nothing_saved(tree, before)
        successor.refresh_from_db()
        assert successor.valid_from is None
    finally:
        reorganisation.unregister("test_failing")


def test_merge_refuses_unknown_carry_overs(tree, supervisor, successor):
    with pytest.raises(ValidationError, match="no_such_thing"):
        units_merge(
            actor=supervisor,
            predecessors=[tree.unit_a, tree.unit_b],
            successor=successor,
            effective_on=JULY_1,
            carry=["no_such_thing"],
        )
    assert not Succession.objects.exists()


def test_merge_refuses_units_that_are_not_commune_level(tree, supervisor, successor):
    with pytest.raises(ValidationError, match="is not a commune, ward, town or special zone"):
        units_merge(
            actor=supervisor,
            predecessors=[tree.unit_a, tree.district],
            successor=successor,
            effective_on=JULY_1,
        )
    assert not Succession.objects.exists()


def test_merge_outside_the_scope_is_denied(tree, other_supervisor, successor):
    with pytest.raises(PermissionDenied):
        units_merge(
            actor=other_supervisor,
            predecessors=[tree.unit_a, tree.unit_b],
            successor=tree.other_commune,
            effective_on=JULY_1,
        )
    assert not Succession.objects.exists()


def test_a_split_commune_goes_to_several_successors(tree, supervisor, successor):
    second = UnitFactory(name="Phường Tự Lạn Mới", kind=Unit.Kind.WARD, parent=tree.district)
    for target in (successor, second):
        units_merge(
            actor=supervisor,
            predecessors=[tree.unit_a],
            successor=target,
            effective_on=JULY_1,
            kind=Succession.Kind.SPLIT,
        )
    assert set(Succession.objects.values_list("successor", "kind")) == {
        (successor.pk, "split"),
        (second.pk, "split"),
    }
    tree.unit_a.refresh_from_db()
    assert tree.unit_a.valid_until == JUNE_30
    with pytest.raises(ValidationError, match="already merged"):  # the same part twice
        units_merge(
            actor=supervisor, predecessors=[tree.unit_a], successor=second, effective_on=JULY_1, kind="split"
        )


def test_the_successors_members_read_the_predecessors_as_an_archive(
    tree, supervisor, officer_a, login, successor
):
    units_merge(
        actor=supervisor,
        predecessors=[tree.unit_a, tree.unit_b],
        successor=successor,
        effective_on=JULY_1,
        move_memberships=True,
    )
    client = login(Membership.objects.get(unit=successor, user=officer_a).user)
    response = client.get(tree.unit_b.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="archive-badge"' in html
    assert reverse("communes:unit_update", args=[tree.unit_b.pk]) not in html
    assert client.get(reverse("communes:unit_update", args=[tree.unit_b.pk])).status_code == 403


# --- the workflow ------------------------------------------------------------------------------


def test_step_one_offers_the_active_communes_the_supervisor_manages(tree, supervisor, successor, login):
    gone = UnitFactory(name="Xã Đã Giải Thể", parent=tree.district, valid_until=datetime.date(2020, 1, 1))
    response = login(supervisor).get(MERGE)
    assert response.status_code == 200
    form = response.context["form"]
    offered = {u.pk for u in form.offered_predecessors()}
    assert offered == {tree.unit_a.pk, tree.unit_b.pk, successor.pk}  # not the district, not gone
    assert gone.pk not in offered
    assert tree.other_commune.pk not in {u.pk for u in form.offered_successors()}
    html = response.content.decode()
    assert 'value="2025-07-01"' in html  # default effective date
    assert f'id="id_predecessors_{tree.unit_a.pk}"' in html


def test_a_unit_page_link_ticks_that_unit(tree, supervisor, login):
    response = login(supervisor).get(MERGE, {"predecessors": tree.unit_a.pk})
    chosen = {u.pk for u in response.context["form"].offered_predecessors() if u.chosen}
    assert chosen == {tree.unit_a.pk}


def test_preview_shows_people_and_carry_overs_and_saves_nothing(
    tree, supervisor, officer_a, officer_b, successor, recorder, login
):
    before = membership_rows()
    response = login(supervisor).post(MERGE, step_data(tree, successor))
    assert response.status_code == 200
    assert response.templates[0].name == "communes/unit_merge_preview.html"
    html = response.content.decode()
    # Each predecessor with its people, and a checked box to move them.
    for unit in (tree.unit_a, tree.unit_b):
        assert f'id="people-{unit.pk}"' in html
        assert f'id="move-{unit.pk}" checked' in html
    assert html.count("Nguyễn Thu Hà") >= 2  # officer_a and officer_b (tests.factories' name)
    # The registered carry-over, its pending rows, checked by default.
    assert recorder.previews == [sorted([tree.unit_a.pk, tree.unit_b.pk])]
    assert 'id="carry-test_recorder" checked' in html
    assert f"Việc tồn thử nghiệm — việc tồn của {tree.unit_a.pk}" in html
    assert "01/07/2025" in html and "30/06/2025" in html
    # The choices travel in hidden fields.
    assert f'<input type="hidden" name="predecessors" value="{tree.unit_a.pk}">' in html
    assert '<input type="hidden" name="effective_on" value="2025-07-01">' in html
    nothing_saved(tree, before)
    assert recorder.carries == []


def test_preview_without_any_carry_over_registered(tree, supervisor, successor, login, monkeypatch):
    monkeypatch.setattr(reorganisation, "_registry", {})
    response = login(supervisor).post(MERGE, step_data(tree, successor))
    assert 'id="no-carry-overs"' in response.content.decode()


def test_confirm_merges_and_redirects_with_a_summary(
    tree, supervisor, officer_a, officer_b, successor, recorder, second_recorder, login
):
    client = login(supervisor)
    data = step_data(
        tree, successor, step="confirm", carry=["test_recorder"], move_memberships=[tree.unit_a.pk]
    )
    response = client.post(MERGE, data, follow=True)
    assert response.redirect_chain == [(successor.get_absolute_url(), 302)]
    assert Succession.objects.filter(successor=successor).count() == 2
    assert len(recorder.carries) == 1 and second_recorder.carries == []
    assert Membership.objects.filter(user=officer_a, unit=successor).exists()
    assert Membership.objects.filter(user=officer_b, unit=tree.unit_b).exists()  # not ticked
    message = str(list(response.context["messages"])[0])
    assert tree.unit_a.name in message and successor.name in message and "01/07/2025" in message
    assert "Việc tồn thử nghiệm: 2" in message
    assert "1 person moved" in message
    # The successor's page tells where it came from.
    html = response.content.decode()
    assert "Formed on 01/07/2025 from:" in html
    assert f'href="{tree.unit_a.get_absolute_url()}"' in html


def test_back_from_the_preview_keeps_the_choices(tree, supervisor, successor, login):
    response = login(supervisor).post(MERGE, step_data(tree, successor, step="edit"))
    assert response.templates[0].name == "communes/unit_merge.html"
    form = response.context["form"]
    assert {u.pk for u in form.offered_predecessors() if u.chosen} == {tree.unit_a.pk, tree.unit_b.pk}
    assert [u.pk for u in form.offered_successors() if u.chosen] == [successor.pk]
    assert not form.errors


def _already_merged(tree):
    elsewhere = UnitFactory(name="Phường Khác", kind=Unit.Kind.WARD, parent=tree.district)
    SuccessionFactory(predecessor=tree.unit_b, successor=elsewhere, effective_on=JULY_1)


def _inactive_before(tree):
    Unit.objects.filter(pk=tree.unit_b.pk).update(valid_until=datetime.date(2024, 12, 31))


def _born_late(tree):
    Unit.objects.filter(pk=tree.unit_a.pk).update(valid_from=datetime.date(2025, 7, 1))


BAD_INPUT = [
    ("one predecessor", None, {"predecessors": ["A"]}, "predecessors", "at least two units"),
    ("no predecessor", None, {"predecessors": []}, "predecessors", "Choose the units"),
    (
        "successor among the predecessors",
        None,
        {"successor": "A"},
        "successor",
        "cannot be both merged and the unit that takes over",
    ),
    (
        "already merged predecessor",
        _already_merged,
        {},
        "predecessors",
        "was already merged into Phường Khác",
    ),
    ("predecessor inactive before", _inactive_before, {}, "predecessors", "was no longer in operation after"),
    (
        "date before a predecessor existed",
        _born_late,
        {},
        "effective_on",
        "must take effect after 01/07/2025",
    ),
    ("not a date", None, {"effective_on": "31/02/2025"}, "effective_on", "Enter a valid date"),
    ("no date", None, {"effective_on": ""}, "effective_on", "Give the date"),
    ("rename is not a merger", None, {"kind": "rename"}, "kind", "Select a valid choice"),
    (
        "district as predecessor",
        None,
        {"predecessors": ["A", "district"]},
        "predecessors",
        "not a unit you may merge",
    ),
]


@pytest.mark.parametrize("step", ["preview", "confirm"])
@pytest.mark.parametrize(
    ("arrange", "overrides", "field", "message"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
def test_bad_input_is_refused_clearly_and_nothing_is_saved(
    tree,
    supervisor,
    officer_a,
    officer_b,
    successor,
    recorder,
    login,
    step,
    arrange,
    overrides,
    field,
    message,
):
    if arrange:
        arrange(tree)
    names = {"A": tree.unit_a.pk, "district": tree.district.pk}
    overrides = {
        key: [names.get(v, v) for v in value] if isinstance(value, list) else names.get(value, value)
        for key, value in overrides.items()
    }
    successions_before = Succession.objects.count()
    before = membership_rows()
    data = step_data(tree, successor, step=step, carry=["test_recorder"], move_memberships=[tree.unit_a.pk])
    data.update(overrides)
    response = login(supervisor).post(MERGE, data)
    assert response.status_code == 200
    assert response.templates[0].name == "communes/unit_merge.html"
    form = response.context["form"]
    errors = " ".join(str(e) for e in form.errors.get(field, []))
    assert message in errors, form.errors
    assert 'id="merge-invalid"' in response.content.decode()
    assert Succession.objects.count() == successions_before
    assert membership_rows() == before
    assert recorder.carries == []
    successor.refresh_from_db()
    assert successor.valid_from is None


def test_a_stale_confirm_is_refused_when_someone_merged_meanwhile(tree, supervisor, successor, login):
    client = login(supervisor)
    assert client.post(MERGE, step_data(tree, successor)).status_code == 200  # the preview
    _already_merged(tree)  # another supervisor records unit_b's merger in the meantime
    response = client.post(MERGE, step_data(tree, successor, step="confirm"))
    assert "was already merged" in str(response.context["form"].errors)
    assert Succession.objects.count() == 1


# --- who may merge -------------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(tree, client, successor):
    for url in (MERGE, move_url(tree.unit_a)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        response = client.post(url, step_data(tree, successor, step="confirm"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Succession.objects.exists()


@pytest.mark.parametrize("who", ["officer_a", "committee", "auditor", "viewer"])
def test_people_who_manage_nothing_may_not_merge(tree, actors, who, successor, login):
    client = login(actors[who])
    assert client.get(MERGE).status_code == 403
    assert client.post(MERGE, step_data(tree, successor, step="confirm")).status_code == 403
    assert client.get(move_url(tree.unit_a)).status_code == 403
    assert not Succession.objects.exists()


def test_a_supervisor_of_another_district_is_offered_none_of_these_units(
    tree, other_supervisor, successor, login
):
    client = login(other_supervisor)
    response = client.get(MERGE)
    assert response.status_code == 200
    form = response.context["form"]
    assert {u.pk for u in form.offered_predecessors()} == {tree.other_commune.pk}
    assert {u.pk for u in form.offered_successors()} == {tree.other_commune.pk}
    # Posting the other district's units anyway: a form error, nothing saved.
    response = client.post(MERGE, step_data(tree, successor, step="confirm"))
    assert response.status_code == 200
    assert "not a unit you may merge" in str(response.context["form"].errors["predecessors"])
    assert not Succession.objects.exists()
    # A unit of the other district is out of scope: 404.
    assert client.get(move_url(tree.unit_a)).status_code == 404
    assert client.post(move_url(tree.unit_a), {"target": tree.other_commune.pk}).status_code == 404


def test_the_merge_links_show_for_supervisors_only(tree, supervisor, officer_a, successor, login):
    assert 'id="merge-units-link"' in login(supervisor).get(reverse("communes:unit_list")).content.decode()
    assert 'id="merge-units-link"' not in login(officer_a).get(reverse("communes:unit_list")).content.decode()
    html = login(supervisor).get(tree.unit_a.get_absolute_url()).content.decode()
    assert f"{MERGE}?predecessors={tree.unit_a.pk}" in html
    assert move_url(tree.unit_a) in html
    html = login(officer_a).get(tree.unit_a.get_absolute_url()).content.decode()
    assert MERGE not in html and move_url(tree.unit_a) not in html


# --- the membership move -----------------------------------------------------------------------


def test_move_lists_the_units_people_and_moves_the_chosen(tree, supervisor, officer_a, login):
    stays = UserFactory(username="stays")
    staying = MembershipFactory(user=stays, unit=tree.unit_a, role=Membership.Role.VIEWER)
    moving = Membership.objects.get(user=officer_a, unit=tree.unit_a)
    client = login(supervisor)
    response = client.get(move_url(tree.unit_a))
    assert response.status_code == 200
    assert set(response.context["form"].fields["memberships"].queryset) == {moving, staying}
    targets = set(response.context["form"].fields["target"].queryset)
    assert tree.unit_b in targets and tree.unit_a not in targets and tree.other_commune not in targets

    response = client.post(move_url(tree.unit_a), {"memberships": [moving.pk], "target": tree.unit_b.pk})
    assert response.status_code == 302 and response["Location"] == tree.unit_b.get_absolute_url()
    assert Membership.objects.get(user=officer_a, unit=tree.unit_b).role == Membership.Role.OFFICER
    assert not Membership.objects.filter(pk=moving.pk).exists()
    assert Membership.objects.filter(pk=staying.pk).exists()
    assert Membership.history.filter(id=moving.pk, history_type="-").exists()


def test_move_bad_input_saves_nothing(tree, supervisor, officer_a, login):
    client = login(supervisor)
    before = membership_rows()
    moving = Membership.objects.get(user=officer_a, unit=tree.unit_a)
    foreign = MembershipFactory(unit=tree.other_commune)
    gone = UnitFactory(parent=tree.district, valid_until=datetime.date(2024, 1, 1))
    cases = [
        ({"target": tree.unit_b.pk}, "memberships", "at least one person"),
        ({"memberships": [moving.pk]}, "target", "Choose the unit"),
        ({"memberships": [moving.pk], "target": tree.other_commune.pk}, "target", "Choose a unit you manage"),
        ({"memberships": [moving.pk], "target": gone.pk}, "target", "Choose a unit you manage"),
        ({"memberships": [foreign.pk], "target": tree.unit_b.pk}, "memberships", "hold a role on this unit"),
    ]
    for data, field, message in cases:
        response = client.post(move_url(tree.unit_a), data)
        assert response.status_code == 200, data
        assert message in str(response.context["form"].errors.get(field)), (
            data,
            response.context["form"].errors,
        )
    assert membership_rows() == before | {(foreign.pk, foreign.user_id, foreign.unit_id)}


def test_move_service_refuses_an_ended_unit_and_the_same_unit(tree, supervisor, officer_a):
    moving = Membership.objects.get(user=officer_a, unit=tree.unit_a)
    gone = UnitFactory(parent=tree.district, valid_until=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError, match="no longer in operation"):
        memberships_move(actor=supervisor, memberships=[moving], target=gone)
    with pytest.raises(ValidationError, match="other than"):
        memberships_move(actor=supervisor, memberships=[moving], target=tree.unit_a)
    with pytest.raises(PermissionDenied):
        memberships_move(actor=supervisor, memberships=[moving], target=tree.other_commune)
    assert Membership.objects.filter(pk=moving.pk).exists()


# --- the unit page ---------------------------------------------------------------------------------


def test_unit_pages_show_both_sides_of_the_lineage(tree, supervisor, successor, login):
    units_merge(
        actor=supervisor, predecessors=[tree.unit_a, tree.unit_b], successor=successor, effective_on=JULY_1
    )
    client = login(supervisor)
    html = client.get(successor.get_absolute_url()).content.decode()
    assert "Formed on 01/07/2025 from:" in html
    for unit in (tree.unit_a, tree.unit_b):
        assert f'<a href="{unit.get_absolute_url()}">{unit.name}</a>' in html
    html = client.get(tree.unit_a.get_absolute_url()).content.decode()
    assert f'Merged into <a href="{successor.get_absolute_url()}">{successor.name}</a> on 01/07/2025.' in html
    assert 'id="inactive-badge"' in html and "Inactive since 01/07/2025" in html
    assert 'id="merge-link"' not in html  # already merged


def test_the_lineage_names_units_the_user_may_not_open_without_a_link(tree, supervisor, officer_b, login):
    """officer_b stays with the old unit B (not moved): the successor's page is not theirs."""
    successor = UnitFactory(name="Phường Mới", kind=Unit.Kind.WARD, parent=tree.district)
    units_merge(
        actor=supervisor, predecessors=[tree.unit_a, tree.unit_b], successor=successor, effective_on=JULY_1
    )
    html = login(officer_b).get(tree.unit_b.get_absolute_url()).content.decode()
    assert "Merged into Phường Mới on 01/07/2025." in html
    assert successor.get_absolute_url() not in html


# --- query counts -------------------------------------------------------------------------------------


def test_merge_form_queries_do_not_grow_with_the_units(tree, supervisor, login, constant_queries):
    constant_queries(
        login(supervisor),
        MERGE,
        lambda n: UnitFactory.create_batch(n, kind=Unit.Kind.COMMUNE, parent=tree.district),
    )


def test_move_page_queries_do_not_grow_with_the_people(tree, supervisor, login, constant_queries):
    constant_queries(
        login(supervisor),
        move_url(tree.unit_a),
        lambda n: MembershipFactory.create_batch(n, unit=tree.unit_a, role=Membership.Role.VIEWER),
    )


def test_preview_queries_do_not_grow_with_the_people(tree, supervisor, successor, login):
    client = login(supervisor)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(MERGE, step_data(tree, successor))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    MembershipFactory.create_batch(2, unit=tree.unit_a)
    few = count()
    MembershipFactory.create_batch(15, unit=tree.unit_a)
    MembershipFactory.create_batch(15, unit=tree.unit_b)
    assert count() == few


# --- after successors_link: the lineage is there, the work and the people are not ---------------


def _linked_by_successors_link(tree, successor, effective_on=JULY_1):
    """What successors_link leaves: the Succession rows and the dates, no carry-over, nobody moved."""
    for unit in (tree.unit_a, tree.unit_b):
        SuccessionFactory(predecessor=unit, successor=successor, effective_on=effective_on, kind="merge")
        unit.valid_until = effective_on - datetime.timedelta(days=1)
        unit.save()
    successor.valid_from = effective_on
    successor.save()


def test_merge_of_units_already_linked_carries_over_and_moves_people_only(
    tree, supervisor, officer_a, officer_b, successor, recorder
):
    _linked_by_successors_link(tree, successor)
    rows_before = set(
        Succession.objects.values_list("pk", "predecessor", "successor", "effective_on", "kind")
    )
    history_before = Unit.history.count()

    result = units_merge(
        actor=supervisor,
        predecessors=[tree.unit_a, tree.unit_b],
        successor=successor,
        effective_on=JULY_1,
        carry=["test_recorder"],
        move_memberships=True,
        note="ignored: the lineage is already written",
    )

    # No new lineage, the dates as they were.
    assert set(Succession.objects.values_list("pk", "predecessor", "successor", "effective_on", "kind")) == (
        rows_before
    )
    assert result.successions == []
    assert {s.predecessor_id for s in result.already_linked} == {tree.unit_a.pk, tree.unit_b.pk}
    assert Unit.history.count() == history_before
    for unit in (tree.unit_a, tree.unit_b):
        unit.refresh_from_db()
        assert unit.valid_until == JUNE_30
    # The chosen carry-over ran, the people moved.
    assert [c["predecessor_ids"] for c in recorder.carries] == [sorted([tree.unit_a.pk, tree.unit_b.pk])]
    assert [(str(label), n) for label, n in result.carried] == [("Việc tồn thử nghiệm", 2)]
    assert set(Membership.objects.filter(unit=successor).values_list("user", flat=True)) == {
        officer_a.pk,
        officer_b.pk,
    }
    assert not Membership.objects.filter(unit__in=[tree.unit_a, tree.unit_b]).exists()


def test_merge_accepts_a_mix_of_linked_and_new_predecessors(tree, supervisor, successor):
    SuccessionFactory(predecessor=tree.unit_a, successor=successor, effective_on=JULY_1, kind="merge")

    result = units_merge(
        actor=supervisor, predecessors=[tree.unit_a, tree.unit_b], successor=successor, effective_on=JULY_1
    )

    assert [s.predecessor for s in result.successions] == [tree.unit_b]
    assert [s.predecessor_id for s in result.already_linked] == [tree.unit_a.pk]
    assert Succession.objects.filter(successor=successor).count() == 2


@pytest.mark.parametrize("other", ["successor", "date"])
def test_merge_still_refuses_units_linked_to_another_successor_or_date(tree, supervisor, successor, other):
    if other == "successor":
        elsewhere = UnitFactory(name="Phường Tự Lạn Mới", kind=Unit.Kind.WARD, parent=tree.district)
        _linked_by_successors_link(tree, elsewhere)
    else:
        _linked_by_successors_link(tree, successor, effective_on=datetime.date(2025, 6, 1))
    before = set(Succession.objects.values_list("pk", flat=True))

    with pytest.raises(ValidationError, match="was already merged into"):
        units_merge(
            actor=supervisor,
            predecessors=[tree.unit_a, tree.unit_b],
            successor=successor,
            effective_on=JULY_1,
            move_memberships=True,
        )
    assert set(Succession.objects.values_list("pk", flat=True)) == before


# --- the new province settles the units of its archive ---------------------------------------


@pytest.fixture
def new_province(tree):
    """The 2025 province that took over the old one (a province-level Succession, as
    link_successors writes it), a ward of it, and its ISO staff, who manage nothing in the old
    tree: they read it as their archive."""
    province = UnitFactory(name="Tỉnh Bắc Ninh", kind=Unit.Kind.PROVINCE, valid_from=JULY_1)
    ward = UnitFactory(name="Phường Việt Yên", kind=Unit.Kind.WARD, parent=province, valid_from=JULY_1)
    SuccessionFactory(predecessor=tree.province, successor=province, effective_on=JULY_1, kind="merge")
    staff = UserFactory(username="province_staff")
    MembershipFactory(user=staff, unit=province, role=Membership.Role.SUPERVISOR)
    return province, ward, staff


def test_the_new_provinces_staff_split_a_commune_of_the_archive(tree, new_province, officer_a):
    """A commune the data could not decide (split) is settled by the new province's staff."""
    _province, ward, staff = new_province
    result = units_merge(
        actor=staff,
        predecessors=[tree.unit_a],
        successor=ward,
        effective_on=JULY_1,
        kind=Succession.Kind.SPLIT,
        move_memberships=True,
    )
    assert [s.predecessor for s in result.successions] == [tree.unit_a]
    tree.unit_a.refresh_from_db()
    assert tree.unit_a.valid_until == JUNE_30
    assert Membership.objects.filter(user=officer_a, unit=ward).exists()
    assert not Membership.objects.filter(user=officer_a, unit=tree.unit_a).exists()


def test_the_archive_is_settled_only_into_a_unit_the_staff_manage(tree, new_province, other_supervisor):
    _province, ward, staff = new_province
    # Into a unit of the old tree, which they only read: refused.
    with pytest.raises(PermissionDenied):
        units_merge(
            actor=staff,
            predecessors=[tree.unit_a, tree.unit_b],
            successor=tree.other_commune,
            effective_on=JULY_1,
        )
    # Another supervisor, whose archive this is not, may not settle it into their own unit either.
    theirs = UnitFactory(name="Xã Mới Khác", kind=Unit.Kind.COMMUNE, parent=tree.other_district)
    with pytest.raises(PermissionDenied):
        units_merge(
            actor=other_supervisor,
            predecessors=[tree.unit_a, tree.unit_b],
            successor=theirs,
            effective_on=JULY_1,
        )
    assert not Succession.objects.exclude(predecessor=tree.province).exists()


def test_the_new_provinces_staff_finish_a_linked_merger_from_the_unit_page(
    tree, new_province, officer_a, login, recorder
):
    """link_successors linked Bích Động alone (a rename-like merger): its page offers the staff to
    hand its work and people over; the workflow takes the single linked unit."""
    _province, ward, staff = new_province
    SuccessionFactory(predecessor=tree.unit_a, successor=ward, effective_on=JULY_1, kind="merge")
    Unit.objects.filter(pk=tree.unit_a.pk).update(valid_until=JUNE_30)
    client = login(staff)

    html = client.get(tree.unit_a.get_absolute_url()).content.decode()
    assert 'id="finish-merger-link"' in html and 'id="merge-link"' not in html
    url = f"{MERGE}?predecessors={tree.unit_a.pk}&amp;successor={ward.pk}&amp;effective_on=2025-07-01"
    assert url in html
    page = client.get(url.replace("&amp;", "&")).content.decode()
    assert f'id="id_predecessors_{tree.unit_a.pk}"' in page  # offered though no longer active

    data = {
        "predecessors": [tree.unit_a.pk],
        "successor": ward.pk,
        "effective_on": "2025-07-01",
        "kind": "merge",
        "carry": ["test_recorder"],
        "move_memberships": [tree.unit_a.pk],
    }
    assert client.post(MERGE, {**data, "step": "preview"}).status_code == 200
    response = client.post(MERGE, {**data, "step": "confirm"})
    assert response.status_code == 302 and response["Location"] == ward.get_absolute_url()
    assert Succession.objects.filter(predecessor=tree.unit_a).count() == 1  # no second link
    assert [c["predecessor_ids"] for c in recorder.carries] == [[tree.unit_a.pk]]
    assert Membership.objects.filter(user=officer_a, unit=ward).exists()


def test_a_single_unit_not_yet_linked_is_still_no_merger(tree, new_province):
    _province, ward, staff = new_province
    with pytest.raises(ValidationError, match="at least two units"):
        units_merge(actor=staff, predecessors=[tree.unit_a], successor=ward, effective_on=JULY_1)


def test_the_archive_page_offers_nothing_to_a_reader_who_manages_nothing(tree, new_province, login):
    """The ward's officer reads the old commune as an archive but settles nothing."""
    _province, ward, _staff = new_province
    officer = UserFactory(username="ward_officer")
    MembershipFactory(user=officer, unit=ward, role=Membership.Role.OFFICER)
    SuccessionFactory(predecessor=tree.unit_b, successor=ward, effective_on=JULY_1, kind="merge")
    for unit in (tree.unit_a, tree.unit_b):
        html = login(officer).get(unit.get_absolute_url()).content.decode()
        assert 'id="merge-link"' not in html and 'id="finish-merger-link"' not in html


def test_the_split_commune_of_the_archive_is_offered_for_merging(tree, new_province, login):
    _province, ward, staff = new_province
    client = login(staff)
    html = client.get(tree.unit_a.get_absolute_url()).content.decode()
    assert 'id="merge-link"' in html  # in operation, not linked: settle it
    page = client.get(MERGE).content.decode()
    for unit in (tree.unit_a, tree.unit_b):
        assert f'id="id_predecessors_{unit.pk}"' in page
    assert f'<option value="{ward.pk}"' in page
    assert f'<option value="{tree.unit_a.pk}"' not in page  # never a successor: they only read it
