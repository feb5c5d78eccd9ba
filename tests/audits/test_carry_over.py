"""The 2025 reorganisation: a merged unit takes over the open corrective actions of its
predecessors (core.reorganisation, audits.services.carry_over). Copies in the successor, each
linked to its original; the originals unchanged in the archive; never carried twice; only by
someone who manages the successor; a constant number of queries; the links on the pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from audits.models import CorrectiveAction, Nonconformity
from audits.services import actions, carry_over
from communes.models import Membership, Succession, Unit
from core import reorganisation
from core.scoping import get_scope
from tests.audits.factories import (
    D,
    clause,
    english,  # noqa: F401 -- fixture
    member,
)
from tests.factories import SuccessionFactory, UnitFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def english_pages(client):
    """Pages in English too (the `english` fixture covers the services' messages only)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


State = CorrectiveAction.State
OPEN, CLOSED = Nonconformity.Status.OPEN, Nonconformity.Status.CLOSED
MERGED_ON = D(2025, 7, 1)
RAISED_ON = D(2025, 5, 5)


def merge(parent, *names, successor_name="Phường Việt Yên Mới"):
    """Predecessors (wards ending the day before MERGED_ON) and their successor, with the
    lineage the merge workflow writes (communes.services_merge)."""
    old = [
        UnitFactory(
            name=name, kind=Unit.Kind.WARD, parent=parent, valid_until=MERGED_ON - datetime.timedelta(1)
        )
        for name in names
    ]
    new = UnitFactory(name=successor_name, kind=Unit.Kind.WARD, parent=parent, valid_from=MERGED_ON)
    for unit in old:
        SuccessionFactory(predecessor=unit, successor=new, effective_on=MERGED_ON, kind=Succession.Kind.MERGE)
    return old, new


def raise_nc(actor, unit, title="Hồ sơ trả kết quả trễ hạn", **kwargs):
    defaults = {
        "source": Nonconformity.Source.AUDIT,
        "description": "Ba hồ sơ chứng thực trả chậm 2 ngày.",
        "clause": clause("8.5"),
        "raised_on": RAISED_ON,
    }
    return actions.nonconformity_raise(actor=actor, unit=unit, title=title, **(defaults | kwargs))


def add_action(actor, nc, owner, text="Phân công công chức dự phòng tại bộ phận một cửa.", due_on=None):
    return actions.action_add(
        actor=actor,
        nonconformity=nc,
        correction="Gọi điện xin lỗi công dân.",
        root_cause="Chưa phân công người thay thế khi công chức đi học.",
        five_whys=["Vì thiếu người", "Vì chưa phân công"],
        action=text,
        owner=owner,
        due_on=due_on or D(2025, 8, 31),
    )


def verify(actor, action, effective=True):
    return actions.action_verify(actor=actor, action=action, effective=effective, evidence="Sổ theo dõi.")


@pytest.fixture
def merger(tree):
    (old_a, old_b), new = merge(tree.district, "Phường Cũ A", "Phường Cũ B")
    return old_a, old_b, new


@pytest.fixture
def owner(tree):
    return member("owner", tree.district, Membership.Role.OFFICER, first_name="Lan")


@pytest.fixture
def records(merger, supervisor, owner, tree):
    """old_a: an NC with a planned and a done action, a closed NC (effective action);
    old_b: an NC whose first action was not effective and whose second is planned, an open NC
    without actions; unit_b (not merged): an NC with a planned action."""
    old_a, old_b, _new = merger
    nc1 = raise_nc(supervisor, old_a, title="Hồ sơ trễ hạn")
    planned = add_action(supervisor, nc1, owner, text="Bố trí thêm cán bộ một cửa.")
    done = add_action(supervisor, nc1, owner, text="Cập nhật sổ theo dõi hồ sơ.", due_on=D(2025, 6, 30))
    done = actions.action_done(actor=supervisor, action=done, done_on=D(2025, 6, 20))

    nc2 = raise_nc(supervisor, old_a, title="Biểu mẫu lỗi thời")
    effective = add_action(supervisor, nc2, owner, text="Thu hồi biểu mẫu cũ.")
    actions.action_done(actor=supervisor, action=effective, done_on=D(2025, 6, 1))
    verify(supervisor, effective)

    nc3 = raise_nc(supervisor, old_b, title="Niêm yết TTHC thiếu", source=Nonconformity.Source.INSPECTION)
    failed = add_action(supervisor, nc3, owner, text="Niêm yết lại.")
    actions.action_done(actor=supervisor, action=failed, done_on=D(2025, 6, 1))
    verify(supervisor, failed, effective=False)
    second = add_action(supervisor, nc3, owner, text="Rà soát niêm yết hằng tháng.", due_on=D(2025, 9, 30))

    nc4 = raise_nc(supervisor, old_b, title="Chưa có hành động")
    elsewhere = raise_nc(supervisor, tree.unit_b, title="Của phường khác")
    add_action(supervisor, elsewhere, owner)
    nc2.refresh_from_db()
    assert nc2.status == CLOSED and nc3.status == OPEN
    return {
        "nc1": nc1,
        "nc2": nc2,
        "nc3": nc3,
        "nc4": nc4,
        "planned": planned,
        "done": done,
        "second": second,
    }


def snapshot(*querysets):
    return [
        model_to_dict(obj) | {"updated": getattr(obj, "updated_at", None)} for qs in querysets for obj in qs
    ]


def originals(units):
    return (
        Nonconformity.objects.filter(unit__in=units).order_by("pk"),
        CorrectiveAction.objects.filter(nonconformity__unit__in=units).order_by("pk"),
    )


# --- Registry --------------------------------------------------------------------------------
def test_registered_with_its_label():
    entry = reorganisation.get("corrective_actions")
    assert entry is not None and str(entry.label) == "Open corrective actions"
    assert entry.preview is carry_over.corrective_actions_preview
    assert entry.carry is carry_over.corrective_actions_carry


# --- Preview ---------------------------------------------------------------------------------
def test_preview_lists_the_open_actions_of_open_nonconformities(merger, records):
    old_a, old_b, _new = merger
    rows = carry_over.corrective_actions_preview([old_a.pk, old_b.pk])
    assert [(r.unit_id, r.due_on) for r in rows] == [
        (old_a.pk, D(2025, 6, 30)),  # the done action, awaiting verification
        (old_a.pk, D(2025, 8, 31)),
        (old_b.pk, D(2025, 9, 30)),
    ]
    assert rows[1].url == records["planned"].get_absolute_url()
    assert "Bố trí thêm cán bộ một cửa." in rows[1].label and "Hồ sơ trễ hạn" in rows[1].label
    labels = " ".join(r.label for r in rows)
    assert "Thu hồi biểu mẫu cũ." not in labels and "Niêm yết lại." not in labels
    assert carry_over.corrective_actions_preview([]) == []


# --- Carry -----------------------------------------------------------------------------------
def test_carry_copies_and_links_leaving_the_originals_unchanged(merger, records, supervisor, owner):
    old_a, old_b, new = merger
    before = snapshot(*originals([old_a, old_b]))
    history_before = Nonconformity.history.count(), CorrectiveAction.history.count()

    assert (
        carry_over.corrective_actions_carry(
            actor=supervisor, predecessor_ids=[old_a.pk, old_b.pk], successor=new, on=MERGED_ON
        )
        == 3
    )

    assert snapshot(*originals([old_a, old_b])) == before
    copies = list(Nonconformity.objects.filter(unit=new).order_by("carried_from__pk"))
    assert [c.carried_from for c in copies] == [records["nc1"], records["nc3"]]
    for copy in copies:
        original = copy.carried_from
        assert (copy.title, copy.description, copy.clause_id, copy.source) == (
            original.title,
            original.description,
            original.clause_id,
            original.source,
        )
        assert (copy.raised_on, copy.raised_by_id, copy.status) == (RAISED_ON, original.raised_by_id, OPEN)
    assert copies[1].source == Nonconformity.Source.INSPECTION

    carried = {a.carried_from_id: a for a in CorrectiveAction.objects.filter(nonconformity__unit=new)}
    assert set(carried) == {records["planned"].pk, records["done"].pk, records["second"].pk}
    done = carried[records["done"].pk]
    assert (done.state, done.done_on, done.nonconformity_id) == (State.DONE, D(2025, 6, 20), copies[0].pk)
    planned = carried[records["planned"].pk]
    assert planned.state == State.PLANNED and planned.done_on is None
    for copy in carried.values():
        original = copy.carried_from
        assert (copy.action, copy.root_cause, copy.correction, copy.five_whys, copy.owner, copy.due_on) == (
            original.action,
            original.root_cause,
            original.correction,
            original.five_whys,
            owner,
            original.due_on,
        )
        assert copy.verified_by is None
    assert carried[records["second"].pk].nonconformity_id == copies[1].pk

    # Written with their history, in the name of the one who carried them.
    assert (Nonconformity.history.count(), CorrectiveAction.history.count()) == (
        history_before[0] + 2,
        history_before[1] + 3,
    )
    assert set(
        Nonconformity.history.filter(id__in=[c.pk for c in copies]).values_list("history_user", flat=True)
    ) == {supervisor.pk}
    # The originals are reached from their copies and the other way round.
    assert list(records["nc1"].carried_to.all()) == [copies[0]]


def test_carrying_again_creates_nothing_and_the_preview_is_empty(merger, records, supervisor):
    old_a, old_b, new = merger
    ids = [old_a.pk, old_b.pk]
    carry_over.corrective_actions_carry(actor=supervisor, predecessor_ids=ids, successor=new, on=MERGED_ON)
    counts = Nonconformity.objects.count(), CorrectiveAction.objects.count()
    assert carry_over.corrective_actions_preview(ids) == []
    assert carry_over.corrective_actions_carry(actor=supervisor, predecessor_ids=ids, successor=new) == 0
    assert (Nonconformity.objects.count(), CorrectiveAction.objects.count()) == counts


def test_an_action_added_to_a_carried_original_joins_its_copy(merger, records, supervisor, owner):
    old_a, old_b, new = merger
    ids = [old_a.pk, old_b.pk]
    carry_over.corrective_actions_carry(actor=supervisor, predecessor_ids=ids, successor=new)
    late = add_action(supervisor, records["nc1"], owner, text="Hành động bổ sung.")
    [row] = carry_over.corrective_actions_preview(ids)
    assert row.url == late.get_absolute_url()
    assert carry_over.corrective_actions_carry(actor=supervisor, predecessor_ids=ids, successor=new) == 1
    copy = CorrectiveAction.objects.get(carried_from=late)
    assert copy.nonconformity.carried_from == records["nc1"]
    assert Nonconformity.objects.filter(unit=new).count() == 2


def test_nothing_open_carries_nothing(merger, supervisor):
    old_a, old_b, new = merger
    assert (
        carry_over.corrective_actions_carry(actor=supervisor, predecessor_ids=[old_a.pk], successor=new) == 0
    )
    assert not Nonconformity.objects.filter(unit=new).exists()


# --- Who may carry ---------------------------------------------------------------------------
@pytest.fixture
def new_officer(merger):
    return member("new_officer", merger[2], Membership.Role.OFFICER)


@pytest.fixture
def outside_supervisor(tree):
    return member("outside_supervisor", tree.other_district, Membership.Role.SUPERVISOR)


@pytest.mark.parametrize("who", ["new_officer", "outside_supervisor", "officer_a", "committee", "auditor"])
def test_carry_needs_manage_on_the_successor(merger, records, who, request):
    old_a, old_b, new = merger
    counts = Nonconformity.objects.count(), CorrectiveAction.objects.count()
    with pytest.raises(PermissionDenied):
        carry_over.corrective_actions_carry(
            actor=request.getfixturevalue(who), predecessor_ids=[old_a.pk, old_b.pk], successor=new
        )
    assert (Nonconformity.objects.count(), CorrectiveAction.objects.count()) == counts
    assert not CorrectiveAction.objects.filter(carried_from__isnull=False).exists()


# --- Query counts ----------------------------------------------------------------------------
def _grow(parent, actor, owner, n, tag):
    """A merger of two wards with n open nonconformities each, two open actions apiece."""
    old, new = merge(parent, f"Phường {tag} 1", f"Phường {tag} 2", successor_name=f"Phường {tag} mới")
    for unit in old:
        for i in range(n):
            nc = raise_nc(actor, unit, title=f"Điểm không phù hợp {i}")
            add_action(actor, nc, owner, text=f"Hành động {i}a")
            add_action(actor, nc, owner, text=f"Hành động {i}b")
    return [u.pk for u in old], new


def _queries(run):
    with CaptureQueriesContext(connection) as ctx:
        result = run()
    return len(ctx.captured_queries), result


def test_preview_and_carry_keep_a_constant_number_of_queries(tree, supervisor, owner):
    get_scope(supervisor)  # the scope is read once per user: leave it out of the counts
    few_ids, few_new = _grow(tree.district, supervisor, owner, 1, "Ít")
    many_ids, many_new = _grow(tree.district, supervisor, owner, 8, "Nhiều")

    few_preview, rows = _queries(lambda: carry_over.corrective_actions_preview(few_ids))
    many_preview, many_rows = _queries(lambda: carry_over.corrective_actions_preview(many_ids))
    assert (len(rows), len(many_rows)) == (4, 32)
    assert few_preview == many_preview == 1

    few_carry, n_few = _queries(
        lambda: carry_over.corrective_actions_carry(
            actor=supervisor, predecessor_ids=few_ids, successor=few_new
        )
    )
    many_carry, n_many = _queries(
        lambda: carry_over.corrective_actions_carry(
            actor=supervisor, predecessor_ids=many_ids, successor=many_new
        )
    )
    assert (n_few, n_many) == (4, 32)
    assert few_carry == many_carry


# --- The pages -------------------------------------------------------------------------------
def test_pages_link_the_copy_and_its_original(merger, records, supervisor, new_officer, login):
    old_a, old_b, new = merger
    carry_over.corrective_actions_carry(actor=supervisor, predecessor_ids=[old_a.pk, old_b.pk], successor=new)
    copy = Nonconformity.objects.get(carried_from=records["nc1"])
    action_copy = CorrectiveAction.objects.get(carried_from=records["planned"])

    # The successor's officer reads the copy and, through the archive, the original.
    client = login(new_officer)
    html = client.get(copy.get_absolute_url()).content.decode()
    assert 'id="nc-carried-from"' in html and "Carried over from" in html
    assert f'href="{records["nc1"].get_absolute_url()}"' in html
    assert f'href="{records["planned"].get_absolute_url()}"' in html  # the action's own line
    html = client.get(records["nc1"].get_absolute_url()).content.decode()
    assert 'id="nc-carried-to"' in html and "Carried over to" in html
    assert f'href="{copy.get_absolute_url()}"' in html
    assert f'href="{action_copy.get_absolute_url()}"' in html


def test_an_original_out_of_scope_is_named_not_linked(merger, records, supervisor, officer_a, login):
    """The officer of a predecessor who was not moved still reads the original; the copy in the
    successor is outside their scope: named, not linked."""
    old_a, old_b, new = merger
    carry_over.corrective_actions_carry(actor=supervisor, predecessor_ids=[old_a.pk, old_b.pk], successor=new)
    old_officer = member("old_officer", old_a, Membership.Role.OFFICER)
    copy = Nonconformity.objects.get(carried_from=records["nc1"])
    html = login(old_officer).get(records["nc1"].get_absolute_url()).content.decode()
    assert "Carried over to" in html and new.name in html
    assert f'href="{copy.get_absolute_url()}"' not in html
    assert login(old_officer).get(copy.get_absolute_url()).status_code == 404
