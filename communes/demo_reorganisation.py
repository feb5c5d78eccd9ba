"""The demo of the 2025 reorganisation: the Việt Yên units merged into the new wards of Bắc Ninh
province on 1 July 2025, with one new ward (Phường Việt Yên) holding its carried-over actions.

Runs after the domain apps' demos (ORDER), so that the open work of Bích Động and the other
predecessors exists to be carried over, and before the reminder sweep (reminders/demo.py), which
must find the old units inactive. Safe to re-run: successors_link links only what is missing and
each carry-over skips what it already carried.
"""

from django.db import transaction

from communes.demo import demo_account
from communes.models import Membership, Unit
from communes.services import REORGANISATION_DAY, successors_link, units_import
from communes.services_merge import units_merge
from core import reorganisation

ORDER = 150  # after the domain apps (100), before the reminder sweep (200)

OLD_PROVINCE, NEW_PROVINCE = "Bắc Giang", "Bắc Ninh"
CURRENT = "2025"
WARD_CODE = "07777"  # Phường Việt Yên of the 2025 list

# username, first name, last name, role, unit (code_system 2025: None is the new province), job title
ACCOUNTS = [
    (
        "province",
        "Thảo",
        "Vũ Thị",
        Membership.Role.SUPERVISOR,
        None,
        "Chuyên viên Sở Khoa học và Công nghệ tỉnh Bắc Ninh",
    ),
    # The steering committee's member sits on the province's committee too (approves its scoring).
    (
        "committee",
        "Hùng",
        "Trần Văn",
        Membership.Role.COMMITTEE,
        None,
        "Thành viên Ban Chỉ đạo ISO tỉnh Bắc Ninh",
    ),
    (
        "vietyen",
        "Tuấn",
        "Ngô Văn",
        Membership.Role.OFFICER,
        WARD_CODE,
        "Công chức Văn phòng HĐND và UBND phường",
    ),
]


@transaction.atomic
def seed(stdout=None):
    units_import(dataset=CURRENT, province=NEW_PROVINCE)
    link = successors_link(province=OLD_PROVINCE)
    province = Unit.objects.get(code_system=CURRENT, kind=Unit.Kind.PROVINCE, short_name=NEW_PROVINCE)
    ward = Unit.objects.get(code_system=CURRENT, code=WARD_CODE)
    users = _accounts(province)

    # The open work of the predecessors of Phường Việt Yên, handed over to the ward by the
    # province's ISO staff: the merge workflow's service finishes the mergers link_successors
    # wrote (their old communes are the province's archive), carrying every registered kind.
    predecessors = Unit.objects.filter(
        successions_out__successor=ward, successions_out__effective_on=REORGANISATION_DAY
    )
    result = units_merge(
        actor=users["province"],
        predecessors=list(predecessors.order_by("pk")),
        successor=ward,
        effective_on=REORGANISATION_DAY,
        carry=[carry_over.key for carry_over in reorganisation.carry_overs()],
    )
    carried = [f"{label}: {count}" for label, count in result.carried if count]
    linked = len(link.linked) + len(link.already)
    return (
        f"Reorganisation: {linked} old units linked to their successors in {province}; "
        f"{ward} took over {', '.join(carried) if carried else 'nothing new'}."
    )


def _accounts(province) -> dict:
    users = {}
    for username, first, last, role, code, title in ACCOUNTS:
        unit = province if code is None else Unit.objects.get(code_system=CURRENT, code=code)
        users[username] = demo_account(username, first, last, role, unit, title)
    return users
