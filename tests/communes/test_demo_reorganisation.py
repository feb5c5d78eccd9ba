"""The demo of the 2025 reorganisation (communes/demo_reorganisation.py): the 17 Việt Yên units
linked to the 4 new wards of Bắc Ninh, closed the day before 1 July 2025, Phường Việt Yên holding
the open corrective actions of Bích Động, the two new accounts, and a second run that changes
nothing; seed_demo runs it after the domain apps and the reminder sweep last."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from audits.models import CorrectiveAction, Nonconformity
from audits.services import actions
from communes import demo, demo_reorganisation
from communes.management.commands.seed_demo import demo_modules
from communes.models import Membership, Succession, Unit
from core.scoping import Action, get_scope, require
from tests.audits.factories import clause

User = get_user_model()
D = datetime.date
WARDS = {"07777": "Việt Yên", "07774": "Tự Lạn", "07798": "Vân Hà", "07795": "Nếnh"}


def open_action_of_bich_dong():
    """One open nonconformity of Bích Động with a planned corrective action, by the demo supervisor."""
    district = User.objects.get(username="district")
    bich_dong = Unit.objects.get(code_system="legacy", code="07777")
    nc = actions.nonconformity_raise(
        actor=district,
        unit=bich_dong,
        title="Hồ sơ trả kết quả trễ hạn",
        source=Nonconformity.Source.AUDIT,
        description="Ba hồ sơ chứng thực trả chậm 2 ngày.",
        clause=clause("8.5"),
        raised_on=D(2025, 5, 5),
    )
    return actions.action_add(
        actor=district,
        nonconformity=nc,
        correction="Gọi điện xin lỗi công dân.",
        root_cause="Chưa phân công người thay thế khi công chức đi học.",
        five_whys=["Vì thiếu người", "Vì chưa phân công"],
        action="Phân công công chức dự phòng tại bộ phận một cửa.",
        owner=User.objects.get(username="bichdong"),
        due_on=D(2025, 8, 31),
    )


def state():
    return {
        "units": sorted(Unit.objects.values_list("pk", "valid_from", "valid_until", "parent_id")),
        "successions": sorted(Succession.objects.values_list("pk", "predecessor_id", "successor_id")),
        "users": sorted(User.objects.values_list("username", flat=True)),
        "memberships": sorted(Membership.objects.values_list("user__username", "unit_id", "role", "title")),
        "actions": CorrectiveAction.objects.count(),
        "nonconformities": Nonconformity.objects.count(),
        "history": (Unit.history.count(), Membership.history.count(), Succession.history.count()),
    }


@pytest.fixture
def seeded(db):
    demo.seed()
    original = open_action_of_bich_dong()
    demo_reorganisation.seed()
    return original


def test_the_viet_yen_units_merged_into_the_four_new_wards(seeded):
    district = Unit.objects.get(code_system="legacy", kind=Unit.Kind.DISTRICT, short_name="Việt Yên")
    old = list(Unit.objects.filter(parent=district))
    assert len(old) == 17
    rows = Succession.objects.filter(predecessor__in=old)
    assert rows.count() == 17
    assert set(rows.values_list("successor__code_system", "successor__code")) == {
        ("2025", code) for code in WARDS
    }
    assert set(rows.values_list("effective_on", flat=True)) == {D(2025, 7, 1)}
    for unit in [*old, district]:
        unit.refresh_from_db()
        assert unit.valid_until == D(2025, 6, 30), unit
    # Bích Động, Hồng Thái, Tăng Tiến and Việt Yên's own ward among them went to Phường Việt Yên.
    ward = Unit.objects.get(code_system="2025", code="07777")
    assert ward.valid_from == D(2025, 7, 1)
    assert Succession.objects.filter(successor=ward, predecessor__code="07777").exists()


def test_phuong_viet_yen_holds_the_carried_over_actions(seeded):
    ward = Unit.objects.get(code_system="2025", code="07777")
    copy = CorrectiveAction.objects.get(carried_from=seeded)
    assert copy.nonconformity.unit == ward
    assert copy.state == CorrectiveAction.State.PLANNED
    seeded.refresh_from_db()
    assert seeded.nonconformity.unit.code_system == "legacy"  # the original stays in the archive


def test_the_new_accounts(seeded):
    province = Unit.objects.get(code_system="2025", kind=Unit.Kind.PROVINCE, short_name="Bắc Ninh")
    ward = Unit.objects.get(code_system="2025", code="07777")
    for username, unit, role, title in [
        (
            "province",
            province,
            Membership.Role.SUPERVISOR,
            "Chuyên viên Sở Khoa học và Công nghệ tỉnh Bắc Ninh",
        ),
        ("vietyen", ward, Membership.Role.OFFICER, "Công chức Văn phòng HĐND và UBND phường"),
    ]:
        user = User.objects.get(username=username)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert not user.is_staff
        assert list(Membership.objects.filter(user=user).values_list("unit", "role", "title")) == [
            (unit.pk, role, title)
        ]
    # The committee member sits on the province's steering committee too.
    assert Membership.objects.filter(
        user__username="committee", unit=province, role=Membership.Role.COMMITTEE
    ).exists()
    # The old accounts keep their units.
    assert Membership.objects.get(user__username="bichdong").unit.code_system == "legacy"
    assert Membership.objects.get(user__username="district").unit.kind == Unit.Kind.DISTRICT


def test_the_ward_officer_reads_bich_dong_as_an_archive(seeded):
    officer = User.objects.get(username="vietyen")
    bich_dong = Unit.objects.get(code_system="legacy", code="07777")
    scope = get_scope(officer)
    assert scope.is_archive(bich_dong.path)
    assert scope.covers(Action.VIEW, bich_dong.path)
    assert not scope.covers(Action.CHANGE, bich_dong.path)
    with pytest.raises(PermissionDenied):
        require(officer, Action.CHANGE, bich_dong, "no")
    assert not scope.is_archive(Unit.objects.get(code_system="2025", code="07777").path)


def test_a_second_run_changes_nothing(seeded):
    before = state()
    demo.seed()
    demo_reorganisation.seed()
    assert state() == before


def test_seed_demo_runs_the_reorganisation_after_the_domain_apps_and_reminders_last(db):
    names = [module.__name__ for module in demo_modules()]
    assert names[0] == "communes.demo"
    assert names[-1] == "reminders.demo"
    assert names.index("communes.demo_reorganisation") == len(names) - 2
    for app in ("documents", "audits", "certification", "surveys"):
        assert names.index(f"{app}.demo") < names.index("communes.demo_reorganisation")
    # Among equal ORDERs, INSTALLED_APPS order.
    assert names.index("documents.demo") < names.index("audits.demo") < names.index("certification.demo")
