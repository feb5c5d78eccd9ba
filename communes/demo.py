"""The demo of `seed_demo`: Việt Yên district of Bắc Giang province and its QMS programme.

Bích Động and Ninh Sơn ran the 2017 pilot; the other communes joined in the 2018 roll-out.
Each later issue adds its own demo records through its app's `demo.py`.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from communes.models import Membership, Unit, Wave
from communes.services import REORGANISATION_DAY, units_import

DEMO_PASSWORD = "demo12345"  # noqa: S105 -- documented demo credential, seed_demo only
PROVINCE, DISTRICT = "Bắc Giang", "Việt Yên"
PILOT_CODES = {"07777": "Bích Động", "07798": "Ninh Sơn"}
# The last day of Việt Yên district: seed_demo runs the demos of its story as if today were this
# day, then the 2025 reorganisation (communes/demo_reorganisation.py) closes its units.
HISTORY_UNTIL = REORGANISATION_DAY - datetime.timedelta(days=1)

# username, first name, last name, role, unit code (None: the district), job title
ACCOUNTS = [
    ("district", "Lan", "Nguyễn Thị", Membership.Role.SUPERVISOR, None, "Chuyên viên Phòng Nội vụ"),
    (
        "committee",
        "Hùng",
        "Trần Văn",
        Membership.Role.COMMITTEE,
        None,
        "Phó Chủ tịch UBND, Trưởng Ban Chỉ đạo ISO",
    ),
    ("bichdong", "Hà", "Lê Thu", Membership.Role.OFFICER, "07777", "Công chức Văn phòng - Thống kê"),
    ("ninhson", "Minh", "Phạm Văn", Membership.Role.OFFICER, "07798", "Công chức Văn phòng - Thống kê"),
    ("auditor", "Hoa", "Đỗ Thị", Membership.Role.AUDITOR, None, "Chuyên gia đánh giá nội bộ"),
]


@transaction.atomic
def seed(stdout=None):
    units_import(dataset="legacy", province=PROVINCE, district=DISTRICT)
    district = Unit.objects.get(code_system="legacy", kind=Unit.Kind.DISTRICT, short_name=DISTRICT)
    pilot, _ = Wave.objects.get_or_create(
        name="Thí điểm 2017", defaults={"year": 2017, "description": "Hai đơn vị thí điểm TCVN ISO 9001."}
    )
    rollout, _ = Wave.objects.get_or_create(
        name="Nhân rộng 2018", defaults={"year": 2018, "description": "Toàn bộ xã, thị trấn còn lại."}
    )
    for unit in Unit.objects.filter(parent=district):
        wave, joined = (
            (pilot, datetime.date(2017, 3, 1))
            if unit.code in PILOT_CODES
            else (rollout, datetime.date(2018, 3, 1))
        )
        if unit.wave_id != wave.pk or unit.joined_on != joined:
            unit.wave, unit.joined_on = wave, joined
            unit.save()

    User = get_user_model()
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "Quản trị"}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    for username, first, last, role, code, title in ACCOUNTS:
        unit = district if code is None else Unit.objects.get(code_system="legacy", code=code)
        demo_account(username, first, last, role, unit, title)
    return f"Demo units: {district} with {district.children.count()} communes and wards."


def demo_account(username, first, last, role, unit, title):
    """A demo account (password DEMO_PASSWORD when new) with its role in `unit`. A re-run keeps a
    changed password and adds no history row when nothing changed."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.vn"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        # The committee works in the admin panel (DESIGN.md §2).
        user.is_staff = role == Membership.Role.COMMITTEE
        user.save()
    # get_or_create, not update_or_create: a re-run must not add a history row per account.
    membership, created = Membership.objects.get_or_create(
        user=user, unit=unit, defaults={"role": role, "title": title}
    )
    if not created and (membership.role, membership.title) != (role, title):
        membership.role, membership.title = role, title
        membership.save()
    if role == Membership.Role.COMMITTEE:
        user.groups.add(committee_group())
    return user


def committee_group():
    """The admin-panel group of the steering committee with the units, memberships and users.

    Each app's demo adds its own models to the group: this only adds, never resets, so calling it
    again keeps what the other demos gave."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Ban Chỉ đạo ISO")
    perms = Permission.objects.filter(
        content_type__app_label__in=["communes", "auth"],
        content_type__model__in=["unit", "membership", "succession", "wave", "user"],
    )
    group.permissions.add(*perms)
    return group
