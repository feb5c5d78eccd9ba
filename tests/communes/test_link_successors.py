"""link_successors: the 2025 lineage read offline from vietnamadminunits' conversion data.

Real data throughout: the 17 communes and wards of Việt Yên (Bắc Giang) became 4 wards of the
new Bắc Ninh province; a commune of Đà Nẵng was split between two new wards.
"""

import datetime
import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from communes import datasets, lineage
from communes.models import Membership, Succession, Unit
from communes.services import successors_link, units_import
from core.scoping import Action, get_scope
from tests.factories import MembershipFactory, UserFactory

LAST_OLD_DAY = datetime.date(2025, 6, 30)
FIRST_NEW_DAY = datetime.date(2025, 7, 1)

# new ward (2025 code, name) → the legacy codes of Việt Yên that it took over
VIET_YEN_SUCCESSORS = {
    ("07774", "Phường Tự Lạn"): {"07759", "07762", "07771", "07774"},
    ("07777", "Phường Việt Yên"): {"07765", "07768", "07777", "07783"},
    ("07798", "Phường Vân Hà"): {"07780", "07786", "07792", "07798", "07804"},
    ("07795", "Phường Nếnh"): {"07789", "07795", "07801", "07807"},
}
VIET_YEN_CODES = {code for codes in VIET_YEN_SUCCESSORS.values() for code in codes}

HistoricalUnit = Unit.history.model
HistoricalSuccession = Succession.history.model


def import_legacy(district, province="Bắc Giang"):
    return units_import(dataset=datasets.LEGACY, province=province, district=district)


def run(*args):
    out = io.StringIO()
    call_command("link_successors", *args, stdout=out)
    return out.getvalue()


def legacy(code):
    return Unit.objects.get(code_system=Unit.CodeSystem.LEGACY, code=code)


def current(code):
    return Unit.objects.get(code_system=Unit.CodeSystem.CURRENT, code=code)


def commune_lineage():
    """{(new code, new name): {old codes}} of the commune-level links in the database."""
    found: dict[tuple[str, str], set[str]] = {}
    rows = Succession.objects.filter(predecessor__depth=2).select_related("predecessor", "successor")
    for s in rows:
        found.setdefault((s.successor.code, s.successor.name), set()).add(s.predecessor.code)
    return found


def snapshot():
    return (
        list(Unit.objects.order_by("pk").values()),
        list(Succession.objects.order_by("pk").values()),
        HistoricalUnit.objects.count(),
        HistoricalSuccession.objects.count(),
    )


@pytest.fixture
def viet_yen(db):
    import_legacy("Việt Yên")


# --- the lineage reader ------------------------------------------------------------------------
def test_lineage_of_viet_yen_from_the_real_data():
    plan = lineage.province_lineage("Bắc Giang")
    assert plan.old_province_codes == ("24",)
    assert (plan.new_province_codes, plan.new_province_names) == (("24",), ("Bắc Ninh",))
    by_code = {link.old_code: link for link in plan.links}
    for (new_code, _name), old_codes in VIET_YEN_SUCCESSORS.items():
        for old_code in old_codes:
            link = by_code[old_code]
            assert (link.old_level, link.new_codes, link.kind) == (lineage.COMMUNE, (new_code,), "merge")
    province = by_code["24"]
    assert (province.old_level, province.new_codes, province.kind) == (lineage.PROVINCE, ("24",), "merge")
    # Every district of Bắc Giang was abolished, Việt Yên (222) among them; none is linked.
    assert "222" in plan.abolished_district_codes
    assert not any(link.old_level == lineage.DISTRICT for link in plan.links)


def test_new_name_selects_every_predecessor_province():
    plan = lineage.province_lineage("bac ninh")  # the new Bắc Ninh = old Bắc Giang + old Bắc Ninh
    assert plan.old_province_codes == ("24", "27")
    assert plan.new_province_codes == ("24",)
    old = {link.old_code for link in lineage.province_lineage("Bắc Giang").links}
    assert old < {link.old_code for link in plan.links}


def test_unchanged_ward_is_a_rename_and_island_district_becomes_a_special_zone():
    plan = lineage.province_lineage("Bà Rịa - Vũng Tàu")
    renames = [link for link in plan.links if link.kind == lineage.RENAME]
    assert renames and all(len(link.new_codes) == 1 for link in renames)
    # Côn Đảo (755), an island district without communes, is now a special zone, not abolished.
    con_dao = next(link for link in plan.links if link.old_code == "755")
    assert (con_dao.old_level, con_dao.kind) == (lineage.DISTRICT, lineage.RENAME)
    assert "755" not in plan.abolished_district_codes


@pytest.mark.parametrize("name", ["Atlantis", "", "Việt Yên"])
def test_unknown_province_is_refused(name):
    with pytest.raises(datasets.UnknownArea):
        lineage.province_lineage(name)


# --- the service and the command ---------------------------------------------------------------
def test_viet_yen_is_linked_to_its_four_new_wards(viet_yen):
    result = successors_link(province="Bắc Giang")

    assert commune_lineage() == VIET_YEN_SUCCESSORS
    assert set(Succession.objects.values_list("kind", flat=True)) == {Succession.Kind.MERGE}
    assert set(Succession.objects.values_list("effective_on", flat=True)) == {FIRST_NEW_DAY}
    province_link = Succession.objects.get(predecessor=legacy("24"))
    assert province_link.successor == current("24")
    assert province_link.successor.name == "Tỉnh Bắc Ninh"

    assert len(result.linked) == 18 and not result.already and not result.ambiguous
    assert result.abolished == [legacy("222")]
    assert result.skipped_not_imported == len(lineage.province_lineage("Bắc Giang").links) - 18
    assert result.successors_imported == Unit.objects.filter(code_system="2025").count() > 50
    assert HistoricalSuccession.objects.filter(history_type="+").count() == 18

    # The old units end the day before; the new ones begin on 1 July 2025.
    closed = Unit.objects.filter(code_system="legacy", code__in=[*VIET_YEN_CODES, "222", "24"])
    assert closed.count() == 19
    assert set(closed.values_list("valid_until", flat=True)) == {LAST_OLD_DAY}
    opened = Unit.objects.filter(code_system="2025", code__in=[c for c, _n in VIET_YEN_SUCCESSORS] + ["24"])
    assert set(opened.values_list("valid_from", flat=True)) == {FIRST_NEW_DAY}
    assert not Unit.objects.filter(code_system="2025", valid_until__isnull=False).exists()
    assert legacy("07777").history.first().history_type == "~"


def test_a_second_run_changes_nothing(viet_yen):
    successors_link(province="Bắc Giang")
    before = snapshot()

    result = successors_link(province="Bắc Giang")
    assert (result.linked, len(result.already), result.successors_imported) == ([], 18, 0)
    assert snapshot() == before


@pytest.mark.parametrize("name", ["Bắc Giang", "Bắc Ninh", "bac ninh"])
def test_command_with_the_old_or_the_new_name(viet_yen, name):
    output = run("--province", name)
    assert commune_lineage() == VIET_YEN_SUCCESSORS
    assert "07777 Phường Bích Động → 07777 Phường Việt Yên (merge)" in output
    assert "24 Tỉnh Bắc Giang → 24 Tỉnh Bắc Ninh (merge)" in output
    assert "Districts closed" in output and "222 " in output
    assert re.search(r"18 link\(s\) created, 0 already there, 0 ambiguous, 1 district\(s\) closed", output)

    again = run("--province", name)
    assert "0 link(s) created, 18 already there" in again
    assert Succession.objects.count() == 18


def test_split_ward_is_reported_and_left_unlinked(db):
    # A real split from the data: the old ward of Đà Nẵng divided between two new wards.
    divided = lineage._conversion()["DICT_PROVINCE_WARD_DIVIDED"]["thanhphodanang"]
    old_key, candidates = next(iter(divided.items()))
    province_key, district_key, ward_key = old_key.split("_")
    index = lineage._index()
    old_code = index.old_wards[old_key]["wardCode"]
    district_code, district_short = index.old_districts[province_key][district_key]
    expected_names = {index.new_wards[("thanhphodanang", c["newWardKey"])]["ward"] for c in candidates}
    default_key = next(c["newWardKey"] for c in candidates if c["isDefaultNewWard"])
    default_name = index.new_wards[("thanhphodanang", default_key)]["ward"]
    import_legacy(district_short, province="Đà Nẵng")

    output = run("--province", "Đà Nẵng")

    old = legacy(old_code)
    assert not Succession.objects.filter(predecessor=old).exists()
    old.refresh_from_db()
    assert old.valid_until is None  # settled by a person with the merge workflow
    district_units = Unit.objects.filter(code_system="legacy", parent__code=district_code)
    linked = Succession.objects.filter(predecessor__in=district_units)
    assert linked.count() == district_units.count() - 1 > 0
    assert "ambiguous" not in set(linked.values_list("kind", flat=True))

    result = successors_link(province="Đà Nẵng")
    [item] = result.ambiguous
    assert item.predecessor == old
    assert {u.name for u in item.candidates} == expected_names
    assert len(item.candidates) == 2
    assert item.default.name == default_name
    assert old.name in output and default_name in output
    assert "merge workflow" in output


def test_dry_run_writes_nothing(viet_yen):
    before = snapshot()
    output = run("--province", "Bắc Giang", "--dry-run")
    assert snapshot() == before
    assert not Unit.objects.filter(code_system="2025").exists()
    assert "07777 Phường Bích Động → 07777 Phường Việt Yên (merge)" in output
    assert "18 link(s) would be created" in output
    assert "Dry run: nothing was written." in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--province", "Atlantis"], "No province matches 'Atlantis'"),
        (["--province", "Bắc Giang", "--date", "1/7/2025"], "YYYY-MM-DD"),
    ],
)
def test_bad_arguments_are_clear_command_errors(viet_yen, args, message):
    before = snapshot()
    with pytest.raises(CommandError, match=re.escape(message)):
        run(*args)
    assert snapshot() == before


def test_other_date(viet_yen):
    run("--province", "Bắc Giang", "--date", "2025-06-12")
    assert legacy("07777").valid_until == datetime.date(2025, 6, 11)
    assert current("07777").valid_from == datetime.date(2025, 6, 12)


class _Rollback(Exception):
    pass


def _queries_of_link(*districts):
    """Import `districts` of Bắc Giang, count the queries of linking, then undo everything."""
    try:
        with transaction.atomic():
            for district in districts:
                import_legacy(district)
            with CaptureQueriesContext(connection) as ctx:
                result = successors_link(province="Bắc Giang")
            raise _Rollback(len(ctx.captured_queries), len(result.linked))
    except _Rollback as done:
        return done.args


def test_query_count_does_not_grow_with_the_units(db):
    units_import(dataset=datasets.CURRENT, province="Bắc Ninh")
    one, linked_one = _queries_of_link("Việt Yên")
    two, linked_two = _queries_of_link("Việt Yên", "Hiệp Hòa")
    assert linked_two > linked_one == 18
    assert one == two


# --- who may run it, and what it opens --------------------------------------------------------
def test_an_actor_must_manage_the_new_province(viet_yen, superuser):
    officer = UserFactory(username="officer")
    with pytest.raises(PermissionDenied):  # the new province is not there yet: only an admin
        successors_link(actor=officer, province="Bắc Giang")

    successors_link(actor=superuser, province="Bắc Giang")
    assert set(HistoricalSuccession.objects.values_list("history_user", flat=True)) == {superuser.pk}

    MembershipFactory(user=officer, unit=current("07777"), role=Membership.Role.OFFICER)
    with pytest.raises(PermissionDenied):
        successors_link(actor=officer, province="Bắc Giang")
    staff = UserFactory(username="province_staff")
    MembershipFactory(user=staff, unit=current("24"), role=Membership.Role.SUPERVISOR)
    assert len(successors_link(actor=staff, province="Bắc Giang").already) == 18


def test_members_of_the_new_ward_read_the_old_wards_archive(viet_yen):
    successors_link(province="Bắc Giang")
    officer = UserFactory(username="viet_yen_officer")
    MembershipFactory(user=officer, unit=current("07777"), role=Membership.Role.OFFICER)
    scope = get_scope(officer)

    bich_dong = legacy("07777")
    assert bich_dong.name == "Phường Bích Động"
    assert scope.covers(Action.VIEW, bich_dong.path)
    assert not scope.covers(Action.CHANGE, bich_dong.path)
    assert scope.is_archive(bich_dong.path)
    assert scope.covers(Action.VIEW, legacy("07765").path)  # Nghĩa Trung, also Việt Yên now
    assert not scope.covers(Action.VIEW, legacy("07798").path)  # Ninh Sơn went to Vân Hà
    assert scope.covers(Action.CHANGE, current("07777").path)
