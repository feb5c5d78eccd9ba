"""Version transitions: the board's states and deadline rules (done, late, in progress, not
started), its pages, who may set a transition, bad input, and constant query counts."""

import datetime

import pytest
from django.urls import reverse

from certification import selectors, services
from certification.models import VersionTransition
from certification.selectors import TransitionRow
from certification.services import transitions
from tests.certification.factories import (
    V2008,
    V2015,
    D,
    announce,
    english,  # noqa: F401 -- fixture
    make_profile,
    version,
)
from tests.factories import UnitFactory

pytestmark = pytest.mark.usefixtures("english", "english_pages")
DEADLINE = D(2019, 8, 1)
BEFORE, AFTER = D(2019, 7, 1), D(2019, 9, 1)
LIST = reverse("certification:transition_list")
DONE, LATE = TransitionRow.DONE, TransitionRow.LATE
IN_PROGRESS, NOT_STARTED = TransitionRow.IN_PROGRESS, TransitionRow.NOT_STARTED


@pytest.fixture
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def make_transition(actor, unit, deadline=DEADLINE, code=V2015, note=""):
    return transitions.transition_create(
        actor=actor, unit=unit, target_version=version(code), deadline=deadline, note=note
    )


@pytest.fixture
def transition(tree, supervisor):
    return make_transition(supervisor, tree.district)


def ward(tree, name, **fields):
    return UnitFactory(name=name, kind="ward", parent=tree.district, **fields)


def states(transition, today):
    return {row.unit.name: row.state for row in selectors.transition_board(transition, today=today)}


@pytest.fixture
def board_units(tree, supervisor):
    """One unit per case, under the district.

    - Bích Động (unit A): announced on 2015 before the deadline → done.
    - Ninh Sơn (unit B): announced on 2015 after the deadline → late.
    - Tăng Tiến: profile on 2015, not announced → in progress, late once the deadline passed.
    - Hồng Thái: announced on 2008 only → not started, late once the deadline passed.
    - Vân Trung: no profile → not started, late once the deadline passed.
    """
    make_profile(supervisor, tree.unit_a, tthc=("1.000001",))
    announce(supervisor, tree.unit_a, number="1/QĐ", signed_on=D(2018, 12, 20))
    make_profile(supervisor, tree.unit_b, tthc=("1.000002",))
    announce(supervisor, tree.unit_b, number="2/QĐ", signed_on=AFTER)
    tang_tien = ward(tree, "Phường Tăng Tiến")
    make_profile(supervisor, tang_tien, tthc=("1.000003",))
    hong_thai = ward(tree, "Phường Hồng Thái")
    make_profile(supervisor, hong_thai, code=V2008, tthc=("1.000004",))
    announce(supervisor, hong_thai, number="4/QĐ", signed_on=D(2017, 6, 1))
    ward(tree, "Phường Vân Trung")


def test_board_states_before_the_deadline(transition, board_units):
    assert states(transition, today=BEFORE) == {
        "Phường Bích Động": DONE,
        "Phường Ninh Sơn": LATE,  # announced after the deadline (the board read later)
        "Phường Tăng Tiến": IN_PROGRESS,
        "Phường Hồng Thái": NOT_STARTED,
        "Phường Vân Trung": NOT_STARTED,
    }


def test_board_states_after_the_deadline(transition, board_units):
    assert states(transition, today=AFTER) == {
        "Phường Bích Động": DONE,
        "Phường Ninh Sơn": LATE,
        "Phường Tăng Tiến": LATE,
        "Phường Hồng Thái": LATE,
        "Phường Vân Trung": LATE,
    }


def test_announced_on_the_deadline_is_done(tree, supervisor, transition):
    make_profile(supervisor, tree.unit_a)
    announce(supervisor, tree.unit_a, signed_on=DEADLINE)
    assert states(transition, today=AFTER)["Phường Bích Động"] == DONE


def test_a_later_reannouncement_keeps_a_unit_done(tree, supervisor, transition):
    profile = make_profile(supervisor, tree.unit_a)
    first = announce(supervisor, tree.unit_a, signed_on=D(2018, 12, 20))
    services.profile_update(actor=supervisor, profile=profile, scope_statement="Phạm vi mới.")
    services.decision_record(
        actor=supervisor, unit=tree.unit_a, kind="reannouncement", reason="scope_change",
        number="40/QĐ", signed_on=D(2020, 3, 1), signer="X",
    )  # fmt: skip
    [row] = [r for r in selectors.transition_board(transition, today=AFTER) if r.unit == tree.unit_a]
    assert (row.state, row.decision) == (DONE, first)


def test_a_revoked_unit_is_no_longer_done(tree, supervisor, transition):
    make_profile(supervisor, tree.unit_a)
    announce(supervisor, tree.unit_a, signed_on=D(2018, 12, 20))
    services.decision_record(
        actor=supervisor, unit=tree.unit_a, kind="revocation", number="9/QĐ",
        signed_on=D(2019, 2, 1), signer="X",
    )  # fmt: skip
    assert states(transition, today=BEFORE)["Phường Bích Động"] == IN_PROGRESS
    assert states(transition, today=AFTER)["Phường Bích Động"] == LATE


def test_board_covers_units_alive_on_the_deadline(tree, supervisor, transition):
    ward(tree, "Phường Cũ", valid_until=D(2019, 1, 1))  # merged before the deadline
    ward(tree, "Phường Mới", valid_from=D(2025, 7, 1))  # set up after it
    ward(tree, "Phường Đến Hạn", valid_until=DEADLINE)
    names = set(states(transition, today=AFTER))
    assert names == {"Phường Bích Động", "Phường Ninh Sơn", "Phường Đến Hạn"}
    assert tree.other_commune.name not in names and tree.district.name not in names


def test_board_query_count_is_constant(tree, supervisor, transition, django_assert_max_num_queries):
    for i in range(12):
        unit = ward(tree, f"Phường {i}")
        make_profile(supervisor, unit, tthc=(f"1.7{i:05d}",))
        if i % 2:
            announce(supervisor, unit, number=f"{i}/QĐ")
    transition = VersionTransition.objects.select_related("unit", "target_version").get(pk=transition.pk)
    with django_assert_max_num_queries(3):
        rows = selectors.transition_board(transition, today=AFTER)
        for row in rows:
            str(row.profile and row.profile.standard_version)
    assert len(rows) == 14


# --- Pages ---------------------------------------------------------------------------------
def test_detail_counts_and_filter(transition, board_units, supervisor, login):
    client = login(supervisor)
    response = client.get(transition.get_absolute_url())
    assert response.status_code == 200
    # Today is past the 2019 deadline: everyone not done in time is late.
    counts = {value: count for value, _label, _css, count in response.context["states"]}
    assert counts == {DONE: 1, LATE: 4, IN_PROGRESS: 0, NOT_STARTED: 0}
    html = response.content.decode()
    assert 'id="count-done">1<' in html and 'id="count-late">4<' in html
    late = client.get(f"{transition.get_absolute_url()}?state=late")
    assert [row.state for row in late.context["page"].object_list] == [LATE] * 4
    done = client.get(f"{transition.get_absolute_url()}?state=done").content.decode()
    assert "Phường Bích Động" in done and "Phường Ninh Sơn" not in done and "1/QĐ" in done


def test_detail_in_progress_before_a_future_deadline(tree, supervisor, login):
    future = make_transition(supervisor, tree.district, deadline=D(2100, 1, 1), code=V2008)
    make_profile(supervisor, tree.unit_a, code=V2008)
    response = login(supervisor).get(future.get_absolute_url())
    counts = {value: count for value, _label, _css, count in response.context["states"]}
    assert counts == {DONE: 0, LATE: 0, IN_PROGRESS: 1, NOT_STARTED: 1}


def test_detail_constant_queries(tree, supervisor, transition, login, constant_queries):
    counter = iter(range(1000))

    def add_rows(n):
        for _ in range(n):
            i = next(counter)
            unit = ward(tree, f"Phường Số {i}")
            if i % 3:
                make_profile(supervisor, unit, tthc=(f"1.6{i:05d}",))
            if i % 3 == 1:
                announce(supervisor, unit, number=f"{i}/QĐ")

    constant_queries(login(supervisor), transition.get_absolute_url(), add_rows, few=2, many=20)


@pytest.mark.parametrize("actor", ["viewer", "committee", "auditor"])
def test_detail_read_only(transition, actors, login, actor):
    response = login(actors[actor]).get(transition.get_absolute_url())
    assert response.status_code == 200 and not response.context["can_manage"]
    assert reverse("certification:transition_update", args=[transition.pk]) not in response.content.decode()


def test_officer_does_not_see_the_district_transition(transition, officer_a, login):
    assert login(officer_a).get(transition.get_absolute_url()).status_code == 404


def test_list_in_scope(tree, transition, supervisor, superuser, login):
    other = make_transition(superuser, tree.other_district)
    response = login(supervisor).get(LIST)
    assert list(response.context["table"].data) == [transition]
    assert reverse("certification:transition_create") in response.content.decode()
    assert other.get_absolute_url() not in response.content.decode()
    viewer_page = login(superuser).get(f"{LIST}?q=hiep+hoa")
    assert list(viewer_page.context["table"].data) == [other]


def test_list_constant_queries(tree, superuser, login, constant_queries):
    counter = iter(range(1000))

    def add_rows(n):
        for _ in range(n):
            i = next(counter)
            district = UnitFactory(name=f"Huyện {i}", kind="district", parent=tree.province)
            make_transition(superuser, district, deadline=D(2019, 1, 1) + datetime.timedelta(days=i))

    constant_queries(login(superuser), LIST, add_rows, few=2, many=12)


def test_create(tree, supervisor, login):
    response = login(supervisor).post(
        reverse("certification:transition_create"),
        {
            "unit": tree.district.pk,
            "target_version": version(V2015).pk,
            "deadline": "2019-08-01",
            "note": "KH 12",
        },
    )
    created = VersionTransition.objects.get()
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert (created.unit, created.deadline, created.note) == (tree.district, DEADLINE, "KH 12")


def test_create_unit_choices(tree, supervisor, login):
    form = login(supervisor).get(reverse("certification:transition_create")).context["form"]
    assert list(form.fields["unit"].queryset) == [tree.district]


def test_create_bad_input_saves_nothing(tree, supervisor, transition, login):
    client = login(supervisor)
    url = reverse("certification:transition_create")
    duplicate = client.post(
        url, {"unit": tree.district.pk, "target_version": version(V2015).pk, "deadline": "2020-01-01"}
    )
    assert "already has a transition to this version" in str(
        duplicate.context["form"].errors["target_version"]
    )
    ward_unit = client.post(
        url, {"unit": tree.unit_a.pk, "target_version": version(V2008).pk, "deadline": "2020-01-01"}
    )
    assert "unit" in ward_unit.context["form"].errors
    outside = client.post(
        url, {"unit": tree.other_district.pk, "target_version": version(V2008).pk, "deadline": "2020-01-01"}
    )
    assert "unit" in outside.context["form"].errors
    no_date = client.post(
        url, {"unit": tree.district.pk, "target_version": version(V2008).pk, "deadline": ""}
    )
    assert "deadline" in no_date.context["form"].errors
    assert VersionTransition.objects.count() == 1


@pytest.mark.parametrize("actor", ["officer_a", "viewer", "committee", "auditor"])
def test_create_needs_manage(tree, actors, login, actor):
    data = {"unit": tree.district.pk, "target_version": version(V2015).pk, "deadline": "2019-08-01"}
    assert login(actors[actor]).post(reverse("certification:transition_create"), data).status_code == 403
    assert not VersionTransition.objects.exists()


def test_create_anonymous(client):
    response = client.get(reverse("certification:transition_create"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_update(transition, supervisor, login):
    url = reverse("certification:transition_update", args=[transition.pk])
    client = login(supervisor)
    assert client.get(url).context["form"].initial["deadline"] == DEADLINE
    assert client.post(url, {"deadline": "2019-09-30", "note": "Gia hạn."}).status_code == 302
    transition.refresh_from_db()
    assert (transition.deadline, transition.note) == (D(2019, 9, 30), "Gia hạn.")


def test_update_bad_input_saves_nothing(transition, supervisor, login):
    url = reverse("certification:transition_update", args=[transition.pk])
    response = login(supervisor).post(url, {"deadline": "31/02/2019"})
    assert response.status_code == 200 and "deadline" in response.context["form"].errors
    transition.refresh_from_db()
    assert transition.deadline == DEADLINE


@pytest.mark.parametrize(("actor", "code"), [("viewer", 403), ("committee", 403), ("officer_a", 404)])
def test_update_and_delete_permissions(transition, actors, login, actor, code):
    client = login(actors[actor])
    assert (
        client.post(
            reverse("certification:transition_update", args=[transition.pk]), {"deadline": "2020-01-01"}
        ).status_code
        == code
    )
    assert client.post(reverse("certification:transition_delete", args=[transition.pk])).status_code == code
    transition.refresh_from_db()
    assert transition.deadline == DEADLINE


def test_delete_asks_first(transition, supervisor, login):
    client = login(supervisor)
    url = reverse("certification:transition_delete", args=[transition.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'id="confirm-form"' in page.content.decode()
    assert VersionTransition.objects.filter(pk=transition.pk).exists()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not VersionTransition.objects.filter(pk=transition.pk).exists()
