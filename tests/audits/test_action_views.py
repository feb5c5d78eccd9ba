"""Nonconformities and corrective actions through the views (ISO 9001:2015 §10.2): raising, the
action with its root cause and five whys, done, verification by someone other than the owner,
closure only when every action is effective, "not effective" keeping it open for a new action,
and the list of open and overdue actions over the user's scope."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from audits.models import CorrectiveAction, Nonconformity
from tests.audits.matrix_audits import clause, make_action, make_nc
from tests.documents.factories import english  # noqa: F401 -- fixture

pytestmark = pytest.mark.usefixtures("english")

State = CorrectiveAction.State
TODAY = timezone.localdate


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def url(name, obj=None):
    return reverse(f"actions:{name}", args=[obj.pk] if obj is not None else [])


@pytest.fixture
def nc(tree, supervisor):
    return make_nc(tree.unit_a, supervisor)


def action_data(owner, **extra):
    return {
        "correction": "Bổ sung phiếu kiểm soát ngay.",
        "root_cause": "Công chức mới chưa được hướng dẫn.",
        "why_1": "Vì thiếu phiếu",
        "why_2": "",
        "why_3": "Vì chưa tập huấn",
        "why_4": "",
        "why_5": "",
        "action": "Tập huấn quy trình một cửa cho công chức mới.",
        "owner": owner.pk,
        "due_on": (TODAY() + datetime.timedelta(days=30)).isoformat(),
        **extra,
    }


# --- Raising ------------------------------------------------------------------------------------
def test_officer_raises_a_nonconformity_from_a_complaint(tree, officer_a, login):
    client = login(officer_a)
    response = client.get(url("nonconformity_create"))
    assert list(response.context["form"].fields["unit"].queryset) == [tree.unit_a]
    response = client.post(
        url("nonconformity_create"),
        {
            "unit": tree.unit_a.pk,
            "source": "complaint",
            "title": "Công dân phản ánh trả kết quả chậm",
            "description": "Hồ sơ khai sinh trả chậm 2 ngày.",
            "clause": clause("8.5").pk,
            "raised_on": TODAY().isoformat(),
        },
    )
    nc = Nonconformity.objects.get()
    assert response.status_code == 302 and response["Location"] == nc.get_absolute_url()
    assert (nc.source, nc.unit, nc.raised_by, nc.status) == ("complaint", tree.unit_a, officer_a, "open")


def test_raise_refuses_bad_input_and_another_unit(tree, officer_a, login):
    client = login(officer_a)
    data = {"unit": tree.unit_b.pk, "source": "direct", "title": "X", "description": "Y"}
    response = client.post(url("nonconformity_create"), data | {"raised_on": TODAY().isoformat()})
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        url("nonconformity_create"), data | {"unit": tree.unit_a.pk, "raised_on": tomorrow}
    )
    assert "cannot be raised in the future" in str(response.context["form"].errors["raised_on"])
    response = client.post(url("nonconformity_create"), {"unit": tree.unit_a.pk, "source": "audit"})
    assert {"source", "title", "description", "raised_on"} <= set(response.context["form"].errors)
    assert not Nonconformity.objects.exists()


def test_readers_cannot_raise(auditor, viewer, login):
    assert login(auditor).get(url("nonconformity_create")).status_code == 403
    assert login(viewer).post(url("nonconformity_create"), {}).status_code == 403


# --- Actions -----------------------------------------------------------------------------------
def test_officer_adds_an_action_with_five_whys(tree, nc, officer_a, officer_b, supervisor, auditor, login):
    client = login(officer_a)
    response = client.get(url("action_create", nc))
    owners = set(response.context["form"].fields["owner"].queryset)
    # People whose membership covers unit A: its officer and the district's people, not unit B's.
    assert officer_a in owners and supervisor in owners and auditor in owners and officer_b not in owners
    response = client.post(url("action_create", nc), action_data(officer_a))
    action = nc.actions.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#action-{action.pk}")
    assert action.five_whys == ["Vì thiếu phiếu", "Vì chưa tập huấn"]
    assert (action.owner, action.state) == (officer_a, State.PLANNED)
    page = client.get(nc.get_absolute_url()).content.decode()
    assert "Vì chưa tập huấn" in page and "Tập huấn quy trình một cửa" in page


def test_action_bad_input_saves_nothing(nc, officer_a, officer_b, login):
    client = login(officer_a)
    before = (nc.raised_on - datetime.timedelta(days=1)).isoformat()
    response = client.post(url("action_create", nc), action_data(officer_a, due_on=before))
    assert response.status_code == 200
    assert "cannot be before the nonconformity was raised" in str(response.context["form"].errors["due_on"])
    response = client.post(url("action_create", nc), action_data(officer_a, root_cause="", action=""))
    assert {"root_cause", "action"} <= set(response.context["form"].errors)
    # Someone of another unit cannot own it.
    response = client.post(url("action_create", nc), action_data(officer_b))
    assert "owner" in response.context["form"].errors
    assert not nc.actions.exists()


def test_done_then_verified_effective_closes_the_nonconformity(nc, officer_a, supervisor, login):
    action = make_action(nc, officer_a)
    client = login(officer_a)
    response = client.post(url("action_done", action), {"done_on": TODAY().isoformat()})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.state, action.done_on) == (State.DONE, TODAY())
    # Done twice: refused with a message.
    response = client.get(url("action_done", action))
    assert "Only a planned action can be marked done." in messages_of(response)

    client = login(supervisor)
    response = client.post(
        url("action_verify", action), {"effective": "yes", "evidence": "Đã kiểm tra 20 hồ sơ."}
    )
    assert "Verified effective. All actions are effective: the nonconformity is closed." in messages_of(
        response
    )
    action.refresh_from_db()
    nc.refresh_from_db()
    assert (action.state, action.verified_by) == (State.EFFECTIVE, supervisor)
    assert (nc.status, nc.closed_on) == (Nonconformity.Status.CLOSED, TODAY())
    page = client.get(nc.get_absolute_url()).content.decode()
    assert 'data-status="closed"' in page and 'id="action-create"' not in page
    # A closed nonconformity takes no new action.
    response = login(officer_a).get(url("action_create", nc))
    assert "This nonconformity is closed." in messages_of(response)


def test_done_in_the_future_is_refused(nc, officer_a, login):
    action = make_action(nc, officer_a)
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = login(officer_a).post(url("action_done", action), {"done_on": tomorrow})
    assert response.status_code == 200
    assert "An action cannot be done in the future." in str(response.context["form"].errors["done_on"])
    action.refresh_from_db()
    assert action.state == State.PLANNED


def test_the_owner_cannot_verify_their_own_action(tree, nc, supervisor, officer_a, login):
    action = make_action(nc, supervisor, state=State.DONE)
    client = login(supervisor)
    page = client.get(nc.get_absolute_url()).content.decode()
    assert "action-verify" not in page
    for response in (
        client.get(url("action_verify", action)),
        client.post(url("action_verify", action), {"effective": "yes", "evidence": "x"}),
    ):
        assert response.status_code == 302
        assert "The owner of an action cannot verify it: ask another person." in messages_of(response)
    action.refresh_from_db()
    assert action.state == State.DONE and action.verified_by is None
    # The officer of the unit may verify it (CHANGE on the unit) — someone other than the owner.
    response = login(officer_a).post(url("action_verify", action), {"effective": "yes", "evidence": "Đạt."})
    action.refresh_from_db()
    assert action.state == State.EFFECTIVE and action.verified_by == officer_a


def test_an_auditor_verifies_but_a_viewer_may_not(nc, officer_a, auditor, viewer, login):
    action = make_action(nc, officer_a, state=State.DONE)
    assert login(viewer).get(url("action_verify", action)).status_code == 403
    response = login(auditor).post(url("action_verify", action), {"effective": "yes", "evidence": "Đạt."})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.verified_by == auditor


def test_verification_needs_a_verdict_and_evidence(nc, officer_a, supervisor, login):
    action = make_action(nc, officer_a, state=State.DONE)
    response = login(supervisor).post(url("action_verify", action), {"effective": "", "evidence": ""})
    assert response.status_code == 200
    assert {"effective", "evidence"} <= set(response.context["form"].errors)
    action.refresh_from_db()
    assert action.state == State.DONE


def test_not_effective_keeps_it_open_and_a_new_action_closes_it(nc, officer_a, supervisor, login):
    first = make_action(nc, officer_a, state=State.DONE)
    response = login(supervisor).post(
        url("action_verify", first), {"effective": "no", "evidence": "Vẫn thiếu phiếu."}
    )
    assert "Verified not effective: the nonconformity stays open. Add a new action." in messages_of(response)
    nc.refresh_from_db()
    first.refresh_from_db()
    assert first.state == State.NOT_EFFECTIVE and nc.status == Nonconformity.Status.OPEN
    page = login(officer_a).get(nc.get_absolute_url()).content.decode()
    assert 'id="needs-action"' in page and 'id="action-create"' in page

    client = login(officer_a)
    client.post(url("action_create", nc), action_data(officer_a, action="Kiểm tra chéo hằng tuần."))
    second = nc.actions.exclude(pk=first.pk).get()
    client.post(url("action_done", second), {"done_on": TODAY().isoformat()})
    login(supervisor).post(
        url("action_verify", second), {"effective": "yes", "evidence": "Đủ phiếu 3 tháng."}
    )
    nc.refresh_from_db()
    assert nc.status == Nonconformity.Status.CLOSED


def test_closure_waits_for_every_action(nc, officer_a, supervisor, login):
    done = make_action(nc, officer_a, state=State.DONE)
    make_action(nc, officer_a)  # still planned
    login(supervisor).post(url("action_verify", done), {"effective": "yes", "evidence": "Đạt."})
    nc.refresh_from_db()
    assert nc.status == Nonconformity.Status.OPEN


# --- The list -----------------------------------------------------------------------------------
def test_list_is_scoped_and_filters(tree, supervisor, officer_a, officer_b, login):
    late = make_nc(tree.unit_a, supervisor, title="Trễ hạn")
    make_action(late, officer_a, due_in=-5)
    soon = make_nc(tree.unit_b, supervisor, title="Sắp đến hạn")
    soon.source = "complaint"
    soon.save()
    make_action(soon, officer_b, due_in=10)
    closed = make_nc(tree.unit_a, supervisor, title="Đã đóng")
    closed.status = "closed"
    closed.save()
    make_nc(tree.other_commune, supervisor, title="Huyện khác")

    def titles(user, query=""):
        response = login(user).get(url("nonconformity_list") + query)
        return [nc.title for nc in response.context["table"].page.object_list.data]

    assert titles(supervisor) == ["Trễ hạn", "Sắp đến hạn", "Đã đóng"]  # open first, by due date
    assert set(titles(officer_a)) == {"Trễ hạn", "Đã đóng"}
    assert set(titles(supervisor, f"?unit={tree.unit_b.pk}")) == {"Sắp đến hạn"}
    assert set(titles(supervisor, "?source=complaint")) == {"Sắp đến hạn"}
    assert set(titles(supervisor, "?status=closed")) == {"Đã đóng"}
    assert set(titles(supervisor, "?overdue=yes")) == {"Trễ hạn"}
    assert set(titles(supervisor, "?overdue=no")) == {"Sắp đến hạn", "Đã đóng"}
    after = (TODAY() + datetime.timedelta(days=1)).isoformat()
    assert set(titles(supervisor, f"?due_after={after}")) == {"Sắp đến hạn"}
    assert set(titles(supervisor, f"?due_before={TODAY().isoformat()}")) == {"Trễ hạn"}
    assert set(titles(supervisor, "?q=trễ")) == {"Trễ hạn"}
    assert set(titles(supervisor, "?q=ninh son")) == {"Sắp đến hạn"}  # unit search is accent-blind
    page = login(supervisor).get(url("nonconformity_list")).content.decode()
    assert "1 overdue" in page


def test_list_keeps_a_constant_number_of_queries(tree, supervisor, officer_a, login, constant_queries):
    def add(n):
        for _ in range(n):
            nc = make_nc(tree.unit_a, supervisor)
            make_action(nc, officer_a, due_in=-3)
            make_action(nc, officer_a, state=State.DONE)

    constant_queries(login(supervisor), url("nonconformity_list"), add)
