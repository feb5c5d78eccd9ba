"""import_units: real units from the national lists, idempotent, never touching people's fields.

Only one district (and one 2025 province) is imported here; the whole country is timed in
benchmarks/bench_import_units.py.
"""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command

from communes.models import Unit
from communes.services import units_import
from tests.factories import WaveFactory

VIET_YEN = ["--dataset", "legacy", "--province", "Bắc Giang", "--district", "Việt Yên"]
HistoricalUnit = Unit.history.model


def run(*args):
    out = io.StringIO()
    call_command("import_units", *args, stdout=out)
    return out.getvalue()


def counts(output):
    match = re.search(r"(\d+) created, (\d+) updated, (\d+) unchanged", output)
    assert match, output
    return tuple(int(n) for n in match.groups())


@pytest.fixture
def viet_yen(db):
    return run(*VIET_YEN)


def test_import_one_district(viet_yen):
    assert counts(viet_yen) == (19, 0, 0)
    assert "commune: " in viet_yen and "ward: " in viet_yen

    legacy = Unit.objects.filter(code_system=Unit.CodeSystem.LEGACY)
    assert legacy.count() == 19
    province = legacy.get(kind=Unit.Kind.PROVINCE)
    district = legacy.get(kind=Unit.Kind.DISTRICT)
    communes = legacy.filter(kind__in=[Unit.Kind.COMMUNE, Unit.Kind.WARD, Unit.Kind.TOWN])
    assert (province.code, province.name, province.short_name) == ("24", "Tỉnh Bắc Giang", "Bắc Giang")
    assert (district.code, district.short_name) == ("222", "Việt Yên")
    assert district.name.endswith("Việt Yên")
    assert communes.count() == 17

    bich_dong = legacy.get(code="07777")
    ninh_son = legacy.get(code="07798")
    assert (bich_dong.name, bich_dong.kind, bich_dong.short_name) == ("Phường Bích Động", "ward", "Bích Động")
    assert ninh_son.name == "Phường Ninh Sơn"

    # The tree and its materialised paths.
    assert province.parent is None
    assert (province.path, province.depth) == (f"{province.pk}/", 0)
    assert district.parent == province
    assert (district.path, district.depth) == (f"{province.pk}/{district.pk}/", 1)
    for unit in communes:
        assert unit.parent_id == district.pk
        assert (unit.path, unit.depth) == (f"{district.path}{unit.pk}/", 2)
    assert set(Unit.objects.subtree(district, include_self=False)) == set(communes)

    # One history row per created unit; search text filled in although bulk-created.
    assert HistoricalUnit.objects.filter(history_type="+").count() == 19
    assert bich_dong.search_text.startswith("phuong bich dong")
    assert list(Unit.objects.search("bich dong")) == [bich_dong]


def test_second_run_changes_nothing(viet_yen):
    before = list(Unit.objects.order_by("pk").values())
    history = HistoricalUnit.objects.count()
    assert counts(run(*VIET_YEN)) == (0, 0, 19)
    assert list(Unit.objects.order_by("pk").values()) == before
    assert HistoricalUnit.objects.count() == history


def test_names_without_diacritics_select_too(db):
    output = run("--dataset", "legacy", "--province", "bac giang", "--district", "viet yen")
    assert counts(output) == (19, 0, 0)
    assert Unit.objects.filter(code_system="legacy", code="07777").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--province", "Atlantis"], "No unit matches province='Atlantis'"),
        (["--province", "Bắc Giang", "--district", "Nowhere"], "district='Nowhere'"),
        (["--dataset", "2025", "--province", "Atlantis"], "No province matches 'Atlantis'"),
        (["--dataset", "2025", "--province", "Bắc Ninh", "--district", "Việt Yên"], "no districts"),
    ],
)
def test_unknown_area_is_a_clear_command_error(db, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run(*args)
    assert not Unit.objects.exists()


def test_unknown_dataset_is_refused(db):
    with pytest.raises(CommandError):
        run("--dataset", "1999", "--province", "Bắc Giang")
    assert not Unit.objects.exists()


def test_2025_list_does_not_collide_with_legacy_codes(viet_yen):
    output = run("--dataset", "2025", "--province", "Bắc Ninh")
    created, updated, _unchanged = counts(output)
    assert updated == 0

    current = Unit.objects.filter(code_system=Unit.CodeSystem.CURRENT)
    assert current.count() == created
    province = current.get(code="24")
    assert province.name == "Tỉnh Bắc Ninh"
    assert province.kind == Unit.Kind.PROVINCE
    wards = current.exclude(pk=province.pk)
    assert wards.count() == created - 1 > 50
    assert not wards.exclude(parent=province).exists()
    assert {u.depth for u in wards} == {1}
    assert all(u.path == f"{province.path}{u.pk}/" for u in wards)

    # Code 24 is Bắc Giang in the legacy list, and 07777 is Bích Động there: both untouched.
    legacy = Unit.objects.filter(code_system=Unit.CodeSystem.LEGACY)
    assert legacy.count() == 19
    assert legacy.get(code="24").name == "Tỉnh Bắc Giang"
    assert legacy.get(code="07777").name == "Phường Bích Động"
    assert current.get(code="07777").name != "Phường Bích Động"
    assert not legacy.filter(parent__code_system=Unit.CodeSystem.CURRENT).exists()

    assert counts(run("--dataset", "2025", "--province", "bac ninh")) == (0, 0, created)


def test_renamed_unit_is_restored_and_counted_as_updated(viet_yen):
    unit = Unit.objects.get(code_system="legacy", code="07777")
    unit.name = "Phường Bích Động (sửa tay)"
    unit.save()
    history = HistoricalUnit.objects.count()

    assert counts(run(*VIET_YEN)) == (0, 1, 18)
    unit.refresh_from_db()
    assert unit.name == "Phường Bích Động"
    assert unit.search_text.startswith("phuong bich dong")
    assert "sua tay" not in unit.search_text
    assert HistoricalUnit.objects.count() == history + 1
    assert unit.history.first().history_type == "~"


def test_moved_unit_is_moved_back_with_its_subtree(viet_yen):
    district = Unit.objects.get(code_system="legacy", code="222")
    bich_dong = Unit.objects.get(code_system="legacy", code="07777")
    ninh_son = Unit.objects.get(code_system="legacy", code="07798")
    agency = Unit.objects.create(name="Bộ phận một cửa", kind=Unit.Kind.AGENCY, parent=bich_dong)
    bich_dong.parent = ninh_son
    bich_dong.save()

    assert counts(run(*VIET_YEN)) == (0, 1, 18)
    bich_dong.refresh_from_db()
    agency.refresh_from_db()
    assert bich_dong.parent == district
    assert bich_dong.path == f"{district.path}{bich_dong.pk}/"
    assert agency.path == f"{bich_dong.path}{agency.pk}/"
    assert agency.depth == 3


def test_people_fields_survive_a_reimport(viet_yen):
    pilot = WaveFactory(name="Thí điểm 2017", year=2017)
    unit = Unit.objects.get(code_system="legacy", code="07777")
    unit.wave = pilot
    unit.joined_on = datetime.date(2017, 3, 1)
    unit.valid_until = datetime.date(2025, 6, 30)
    unit.name = "Tên cũ"  # forces this very unit to be rewritten by the import
    unit.save()

    assert counts(run(*VIET_YEN)) == (0, 1, 18)
    unit.refresh_from_db()
    assert unit.name == "Phường Bích Động"
    assert unit.wave == pilot
    assert unit.joined_on == datetime.date(2017, 3, 1)
    assert unit.valid_until == datetime.date(2025, 6, 30)


def test_units_made_by_people_are_left_alone(viet_yen):
    district = Unit.objects.get(code_system="legacy", code="222")
    local = Unit.objects.create(name="Phòng Nội vụ", kind=Unit.Kind.AGENCY, parent=district, code="222")
    run(*VIET_YEN)
    local.refresh_from_db()
    assert (local.name, local.code_system, local.parent) == ("Phòng Nội vụ", "local", district)


def test_service_reports_kinds_and_records_the_actor(db, superuser):
    result = units_import(actor=superuser, dataset="legacy", province="Bắc Giang", district="Việt Yên")
    assert (result.created, result.updated, result.unchanged, result.total) == (19, 0, 0, 19)
    assert result.by_kind["province"] == 1
    assert result.by_kind["district"] == 1
    assert result.by_kind.get("commune", 0) + result.by_kind.get("ward", 0) == 17
    assert result.seconds >= 0
    assert set(HistoricalUnit.objects.values_list("history_user", flat=True)) == {superuser.pk}
