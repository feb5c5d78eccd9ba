"""Readers of the national lists of administrative units shipped by two PyPI packages.

- legacy: vietnamadminunits' `admin_units_legacy` table, the 63-province list in force until
  30 June 2025 (63 provinces, 696 district-level units, about 10,000 commune-level units);
- 2025: vietnam-provinces, the 34-province, two-tier list in force since 1 July 2025.

Both yield `UnitRecord`s parents first, so an importer can create a level at a time. Codes are
the national codes as text ("24", "222", "07777"); they repeat across the two lists (24 is
Bắc Giang before 2025 and Bắc Ninh after), so a code is only unique within its list.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from core.text import fold

LEGACY = "legacy"
CURRENT = "2025"
DATASETS = (LEGACY, CURRENT)

_LEGACY_DISTRICT_PREFIXES = ("Huyện", "Quận", "Thị xã", "Thành phố")
_WARD_KINDS = {"xã": "commune", "phường": "ward", "thị trấn": "town", "đặc khu": "special_zone"}


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name: str
    short_name: str
    kind: str
    parent_code: str | None
    level: int  # 0 province, 1 district, 2 commune level


class UnknownArea(ValueError):
    """A --province or --district value that names nothing in the dataset."""


def _matches(wanted: str | None, *names: str) -> bool:
    if not wanted:
        return True
    target = fold(wanted)
    return any(fold(name) == target for name in names if name)


def _title_type(unit_type: str) -> str:
    """'Thị Xã' → 'Thị xã': the dataset capitalises unit types inconsistently."""
    return unit_type[:1].upper() + unit_type[1:].lower()


def legacy_records(province: str | None = None, district: str | None = None) -> Iterator[UnitRecord]:
    from vietnamadminunits.database import query

    rows = query(
        "SELECT province, provinceShort, provinceCode, district, districtShort, districtType, "
        "districtCode, ward, wardShort, wardType, wardCode FROM admin_units_legacy "
        "ORDER BY provinceCode, districtCode, wardCode"
    )
    rows = [
        r
        for r in rows
        if _matches(province, r["province"], r["provinceShort"])
        and _matches(district, r["district"], r["districtShort"])
    ]
    if not rows:
        raise UnknownArea(f"No unit matches province={province!r} district={district!r} in the legacy list.")
    seen: set[str] = set()
    for level in (0, 1, 2):
        for r in rows:
            if level == 0:
                record = UnitRecord(
                    code=r["provinceCode"],
                    name=r["province"],
                    short_name=r["provinceShort"],
                    kind="province",
                    parent_code=None,
                    level=0,
                )
            elif level == 1:
                record = UnitRecord(
                    code=r["districtCode"],
                    name=f"{_title_type(r['districtType'])} {r['districtShort']}",
                    short_name=r["districtShort"],
                    kind="district",
                    parent_code=r["provinceCode"],
                    level=1,
                )
            else:
                if not r["wardCode"]:  # island districts with no commune (Hoàng Sa, Cồn Cỏ…)
                    continue
                ward_type = _title_type(r["wardType"])
                record = UnitRecord(
                    code=r["wardCode"],
                    name=f"{ward_type} {r['wardShort']}",
                    short_name=r["wardShort"],
                    kind=_WARD_KINDS[ward_type.lower()],
                    parent_code=r["districtCode"],
                    level=2,
                )
            if record.code not in seen:
                seen.add(record.code)
                yield record


def current_records(province: str | None = None, district: str | None = None) -> Iterator[UnitRecord]:
    if district:
        raise UnknownArea("There are no districts since 1 July 2025: select by --province only.")
    from vietnam_provinces import Province, Ward

    # The six cities are named "Thành phố Đà Nẵng" in vietnam-provinces: "Đà Nẵng" finds it too.
    provinces = [
        p for p in Province.iter_all() if _matches(province, p.name, p.name.removeprefix("Thành phố "))
    ]
    if not provinces:
        raise UnknownArea(f"No province matches {province!r} in the 2025 list.")
    codes = set()
    for p in sorted(provinces, key=lambda p: int(p.code)):
        code = f"{int(p.code):02d}"
        codes.add(int(p.code))
        prefix = "Thành phố" if p.division_type.value == "thành phố trung ương" else "Tỉnh"
        # vietnam-provinces names the six cities "Thành phố Đà Nẵng" but the provinces "Bắc Ninh".
        short = p.name.removeprefix(f"{prefix} ")
        yield UnitRecord(code, f"{prefix} {short}", short, "province", None, 0)
    wards = sorted((w for w in Ward.iter_all() if int(w.province_code) in codes), key=lambda w: int(w.code))
    for w in wards:
        kind = _WARD_KINDS[w.division_type.value]
        type_prefix = f"{_title_type(w.division_type.value)} "
        short = w.name.removeprefix(type_prefix)
        yield UnitRecord(f"{int(w.code):05d}", w.name, short, kind, f"{int(w.province_code):02d}", 2)


def records(dataset: str, province: str | None = None, district: str | None = None):
    if dataset == LEGACY:
        return list(legacy_records(province, district))
    if dataset == CURRENT:
        return list(current_records(province, district))
    raise UnknownArea(f"Unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}.")
