"""Nonconformities and corrective actions through the services (ISO 9001:2015 §10.2)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audits.models import CorrectiveAction, Nonconformity
from audits.services import actions
from core.clock import as_of
from tests.audits.factories import (
    D,
    clause,
    done_action,
    english,  # noqa: F401 -- fixture
    member,
)

pytestmark = pytest.mark.usefixtures("english")
State = CorrectiveAction.State
OPEN, CLOSED = Nonconformity.Status.OPEN, Nonconformity.Status.CLOSED


@pytest.fixture
def nc(tree, officer_a):
    return actions.nonconformity_raise(
        actor=officer_a,
        unit=tree.unit_a,
        source=Nonconformity.Source.COMPLAINT,
        title="Trả kết quả chứng thực chậm",
        description="Công dân phản ánh trả kết quả chứng thực chậm 2 ngày.",
        clause=clause("8.5"),
        raised_on=D(2026, 10, 1),
    )


def add(actor, nc, owner, **kwargs):
    defaults = {
        "root_cause": "Chưa phân công người thay thế khi công chức đi học.",
        "action": "Phân công công chức dự phòng tại bộ phận một cửa.",
        "due_on": D(2026, 11, 15),
    }
    return actions.action_add(actor=actor, nonconformity=nc, owner=owner, **(defaults | kwargs))


def verify(actor, action, effective=True):
    return actions.action_verify(
        actor=actor, action=action, effective=effective, evidence="Kiểm tra sổ theo dõi."
    )


def test_nonconformity_raise(nc, officer_a, tree):
    assert (nc.unit, nc.source, nc.status, nc.raised_by) == (tree.unit_a, "complaint", OPEN, officer_a)
    assert nc.raised_on == D(2026, 10, 1)
    today_nc = actions.nonconformity_raise(
        actor=officer_a, unit=tree.unit_a, source="direct", title=" T ", description=" D "
    )
    assert (today_nc.title, today_nc.description, today_nc.raised_on) == ("T", "D", timezone.localdate())


@pytest.mark.parametrize("who", ["officer_b", "auditor", "committee", "viewer"])
def test_nonconformity_raise_needs_change(tree, who, request):
    with pytest.raises(PermissionDenied):
        actions.nonconformity_raise(
            actor=request.getfixturevalue(who), unit=tree.unit_a, source="direct", title="T", description="D"
        )
    assert not Nonconformity.objects.exists()


def test_nonconformity_raise_validates(tree, officer_a):
    with pytest.raises(ValidationError) as error:
        actions.nonconformity_raise(
            actor=officer_a, unit=tree.unit_a, source="gossip", title=" ", description=""
        )
    assert {"source", "title", "description"} <= set(error.value.message_dict)
    assert not Nonconformity.objects.exists()


def test_action_add(nc, officer_a):
    action = add(
        officer_a,
        nc,
        officer_a,
        correction=" Gọi điện xin lỗi công dân. ",
        five_whys=["Vì sao chậm? Thiếu người.", " ", "", "Vì sao thiếu? Chưa phân công. "],
    )
    assert action.state == State.PLANNED and action.owner == officer_a and action.nonconformity == nc
    assert action.correction == "Gọi điện xin lỗi công dân."
    assert action.five_whys == ["Vì sao chậm? Thiếu người.", "Vì sao thiếu? Chưa phân công."]


def test_action_add_validation_stores_nothing(nc, officer_a):
    with pytest.raises(ValidationError) as error:
        add(officer_a, nc, officer_a, root_cause=" ", action="", due_on=D(2026, 9, 30))
    assert error.value.message_dict == {
        "root_cause": ["State the root cause."],
        "action": ["Describe the action that removes the cause."],
        "due_on": ["The due date cannot be before the nonconformity was raised."],
    }
    assert not CorrectiveAction.objects.exists()
    # Due on the day it was raised is fine.
    assert add(officer_a, nc, officer_a, due_on=D(2026, 10, 1)).due_on == D(2026, 10, 1)


@pytest.mark.parametrize("who", ["officer_b", "auditor", "committee", "viewer"])
def test_action_add_needs_change(nc, officer_a, who, request):
    with pytest.raises(PermissionDenied):
        add(request.getfixturevalue(who), nc, officer_a)
    assert not CorrectiveAction.objects.exists()


def test_done(nc, officer_a, supervisor):
    action = add(officer_a, nc, officer_a)
    with pytest.raises(ValidationError) as error:
        actions.action_done(
            actor=officer_a, action=action, done_on=timezone.localdate() + datetime.timedelta(1)
        )
    assert "done_on" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.action_done(actor=member("auditor2", nc.unit.parent), action=action)
    action.refresh_from_db()
    assert action.state == State.PLANNED and action.done_on is None

    action = actions.action_done(actor=officer_a, action=action, done_on=D(2026, 11, 10))
    assert (action.state, action.done_on) == (State.DONE, D(2026, 11, 10))
    with pytest.raises(ValidationError, match="Only a planned action"):
        actions.action_done(actor=supervisor, action=action)
    # Without a date: today.
    other = actions.action_done(actor=supervisor, action=add(supervisor, nc, officer_a))
    assert other.done_on == timezone.localdate()


def test_the_owner_cannot_verify(nc, officer_a, supervisor):
    action = done_action(actor=supervisor, nc=nc, owner=supervisor)
    with pytest.raises(ValidationError, match="The owner of an action cannot verify it"):
        verify(supervisor, action)
    action.refresh_from_db()
    assert action.state == State.DONE and action.verified_by is None


def test_verify_refusals(nc, officer_a, officer_b, supervisor, auditor):
    action = add(officer_a, nc, officer_a)
    with pytest.raises(ValidationError, match="Only a done action can be verified"):
        verify(supervisor, action)
    action = actions.action_done(actor=officer_a, action=action)
    with pytest.raises(PermissionDenied):
        verify(officer_b, action)
    with pytest.raises(ValidationError) as error:
        actions.action_verify(actor=supervisor, action=action, effective=True, evidence=" ")
    assert "evidence" in error.value.message_dict
    action.refresh_from_db()
    assert action.state == State.DONE and action.verified_by is None
    # An auditor of the district may verify (AUDIT right).
    verify(auditor, action)
    with pytest.raises(ValidationError, match="Only a done action"):
        verify(supervisor, action)


def test_effective_closes_only_when_every_action_is_effective(nc, officer_a, supervisor):
    first = done_action(actor=officer_a, nc=nc, owner=officer_a)
    second = add(officer_a, nc, officer_a)
    first = verify(supervisor, first)
    assert (first.state, first.verified_by, first.verified_on) == (
        State.EFFECTIVE,
        supervisor,
        timezone.localdate(),
    )
    assert first.verification_evidence == "Kiểm tra sổ theo dõi."
    nc.refresh_from_db()
    assert nc.status == OPEN  # the second action is still planned

    second = actions.action_done(actor=officer_a, action=second)
    nc.refresh_from_db()
    assert nc.status == OPEN  # done is not enough: it must be verified
    verify(supervisor, second)
    nc.refresh_from_db()
    assert (nc.status, nc.closed_on) == (CLOSED, timezone.localdate())
    with pytest.raises(ValidationError, match="This nonconformity is closed"):
        add(officer_a, nc, officer_a)


def test_not_effective_keeps_it_open_and_a_new_action_closes_it(nc, officer_a, supervisor):
    first = done_action(actor=officer_a, nc=nc, owner=officer_a)
    verify(supervisor, first, effective=False)
    nc.refresh_from_db()
    assert nc.status == OPEN and nc.closed_on is None

    second = done_action(actor=officer_a, nc=nc, owner=officer_a)
    nc.refresh_from_db()
    assert nc.status == OPEN
    verify(supervisor, second)
    nc.refresh_from_db()
    assert nc.status == CLOSED
    assert list(nc.actions.values_list("state", flat=True)) == [State.NOT_EFFECTIVE, State.EFFECTIVE]


def test_not_effective_after_an_effective_one_keeps_it_open(nc, officer_a, supervisor):
    first = done_action(actor=officer_a, nc=nc, owner=officer_a)
    second = done_action(actor=officer_a, nc=nc, owner=officer_a)
    verify(supervisor, first)
    verify(supervisor, second, effective=False)
    nc.refresh_from_db()
    assert nc.status == OPEN


def test_not_effective_reopens_a_closed_nonconformity(nc, officer_a, supervisor):
    """refresh_status reopens a nonconformity whose last verdict is "not effective"."""
    first = done_action(actor=officer_a, nc=nc, owner=officer_a)
    verify(supervisor, first)
    nc.refresh_from_db()
    assert nc.status == CLOSED
    # A later verdict (e.g. corrected in the admin panel) that the action did not work.
    CorrectiveAction.objects.filter(pk=first.pk).update(state=State.NOT_EFFECTIVE)
    actions.refresh_status(nc)
    nc.refresh_from_db()
    assert nc.status == OPEN and nc.closed_on is None


def test_the_database_refuses_a_verifier_who_is_the_owner(nc, officer_a):
    action = add(officer_a, nc, officer_a)
    action.verified_by = officer_a
    with pytest.raises(IntegrityError), transaction.atomic():
        action.save()


def test_dates_follow_the_services_clock(nc, officer_a, supervisor):
    with as_of(D(2026, 11, 1)):
        action = done_action(actor=officer_a, nc=nc, owner=officer_a)
        verify(supervisor, action)
    action.refresh_from_db()
    nc.refresh_from_db()
    assert action.done_on == action.verified_on == nc.closed_on == D(2026, 11, 1)
