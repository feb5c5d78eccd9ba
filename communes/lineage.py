"""The 2025 reorganisation read offline: which old unit became which new one.

Source: vietnamadminunits' conversion data, read directly from the package's files, never
through its `convert_address` / `parse_address` / `get_geo_location` (they may geocode online):

- `data/converter_2025.json`: DICT_PROVINCE (new province key → old province keys),
  DICT_PROVINCE_WARD_NO_DIVIDED (new province key → {new ward key → ["oldProvince_oldDistrict_
  oldWard", …]}) and DICT_PROVINCE_WARD_DIVIDED (new province key → {old key → [{newWardKey,
  isDefaultNewWard, …}, …]}: old wards split between several new ones);
- the package's sqlite tables `admin_units_legacy` and `admin_units`, which turn keys into names
  and national codes.

Codes are those of our own lists (`communes.datasets`): legacy codes come from the same
`admin_units_legacy` table; new ward codes are matched to the 2025 list (vietnam-provinces) by
name within the province, then by code, because the two packages number about a hundred merged
wards differently (Phường Cửa Nam of Hà Nội is 00082 in one, 00073 in the other).

Districts were abolished with the two-tier local government of 1 July 2025: an old district has
no successor, except the island districts without communes, which became special zones.
"""

import functools
import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources

from communes import datasets

RENAME = "rename"
MERGE = "merge"
AMBIGUOUS = "ambiguous"

PROVINCE = "province"
DISTRICT = "district"
COMMUNE = "commune"  # any commune-level unit: commune, ward, town
_LEVELS = {PROVINCE: 0, DISTRICT: 1, COMMUNE: 2}


@dataclass(frozen=True)
class Link:
    """An old unit and what the data says it became.

    `new_codes` holds one code for a rename or a merger; for an ambiguous link (an old ward split
    between new ones) every candidate, and `default_code` the one the data marks as default.
    """

    old_code: str
    old_level: str  # PROVINCE, DISTRICT (island districts only) or COMMUNE
    new_codes: tuple[str, ...]
    kind: str  # RENAME, MERGE or AMBIGUOUS
    default_code: str | None = None


@dataclass(frozen=True)
class ProvinceLineage:
    """The links of every old unit of the provinces a name selects."""

    old_province_codes: tuple[str, ...]
    new_province_codes: tuple[str, ...]
    new_province_names: tuple[str, ...]  # as `units_import(dataset="2025", province=…)` takes them
    abolished_district_codes: tuple[str, ...]  # old districts with no successor
    links: tuple[Link, ...]


def _norm(name: str | None) -> str:
    """Compare names keeping diacritics (Tân Thành ≠ Tân Thạnh) but not typography."""
    text = unicodedata.normalize("NFC", name or "").replace("’", "'").replace("–", "-")
    return " ".join(text.lower().split())


@functools.cache
def _conversion() -> dict:
    path = resources.files("vietnamadminunits") / "data" / "converter_2025.json"
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class _Index:
    old_provinces: dict  # key → row (provinceCode, province, provinceShort)
    old_districts: dict  # province key → {district key: (districtCode, districtShort)}
    old_wards: dict  # "p_d_w" → row (wardCode, wardShort)
    new_provinces: dict  # key → row (provinceCode, province, provinceShort)
    new_wards: dict  # (province key, ward key) → row (wardCode, ward, wardShort)
    current_names: dict  # 2025 province code → the name of our 2025 list
    current_wards: dict  # (2025 province code, normalised name) → [codes]
    current_codes: dict  # 2025 ward code → normalised name


@functools.cache
def _index() -> _Index:
    from vietnamadminunits.database import query

    old_provinces, old_districts, old_wards = {}, defaultdict(dict), {}
    for r in query(
        "SELECT provinceKey, provinceCode, province, provinceShort, districtKey, districtCode, "
        "districtShort, wardKey, wardCode, wardShort FROM admin_units_legacy"
    ):
        old_provinces[r["provinceKey"]] = r
        old_districts[r["provinceKey"]][r["districtKey"]] = (r["districtCode"], r["districtShort"])
        if r["wardKey"]:
            old_wards[f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"] = r
    new_provinces, new_wards = {}, {}
    for r in query(
        "SELECT provinceKey, provinceCode, province, provinceShort, wardKey, wardCode, ward, "
        "wardShort FROM admin_units"
    ):
        new_provinces[r["provinceKey"]] = r
        new_wards[(r["provinceKey"], r["wardKey"])] = r
    current_names, current_wards, current_codes = {}, defaultdict(list), {}
    for rec in datasets.current_records():
        if rec.level == 0:
            current_names[rec.code] = rec.short_name
        else:
            current_wards[(rec.parent_code, _norm(rec.name))].append(rec.code)
            current_codes[rec.code] = _norm(rec.name)
    return _Index(
        old_provinces,
        dict(old_districts),
        old_wards,
        new_provinces,
        new_wards,
        current_names,
        dict(current_wards),
        current_codes,
    )


@functools.cache
def _predecessors() -> dict[tuple[str, str], frozenset[str]]:
    """Every old key of each new ward, split wards included: a new ward that took part of a
    split ward is not a mere rename of its other predecessor."""
    data = _conversion()
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for new_p, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_w, olds in wards.items():
            found[(new_p, new_w)].update(olds)
    for new_p, olds in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, candidates in olds.items():
            for candidate in candidates:
                found[(new_p, candidate["newWardKey"])].add(old)
    return {key: frozenset(olds) for key, olds in found.items()}


def _new_code(index: _Index, province_key: str, ward_key: str) -> str | None:
    """The code of a new ward in our 2025 list: same code and name, else same name, else same code."""
    row = index.new_wards.get((province_key, ward_key))
    if row is None:
        return None
    code, name = row["wardCode"], _norm(row["ward"])
    if index.current_codes.get(code) == name:
        return code
    by_name = index.current_wards.get((row["provinceCode"], name), [])
    if len(by_name) == 1:
        return by_name[0]
    return code if code in index.current_codes else None


def _selected_old_provinces(index: _Index, province: str) -> list[str]:
    """Old province keys a name selects: the old province of that name, or the predecessors of
    the new province of that name (both, when a name is both, like Bắc Ninh)."""
    keys = {
        key
        for key, r in index.old_provinces.items()
        if datasets._matches(province, r["province"], r["provinceShort"])
    }
    for key, r in index.new_provinces.items():
        if datasets._matches(
            province, r["province"], r["provinceShort"], index.current_names.get(r["provinceCode"])
        ):
            keys.update(_conversion()["DICT_PROVINCE"].get(key, ()))
    if not province or not keys:
        raise datasets.UnknownArea(f"No province matches {province!r} in the legacy or the 2025 list.")
    return sorted(keys, key=lambda key: index.old_provinces[key]["provinceCode"])


def province_lineage(province: str) -> ProvinceLineage:
    """The links of every old unit of the province(s) named, old or new name, diacritics optional.

    Raises `datasets.UnknownArea` for a name that matches no province of either list.
    """
    index, data = _index(), _conversion()
    old_keys = _selected_old_provinces(index, province)
    selected = set(old_keys)
    new_of_old = {old: new for new, olds in data["DICT_PROVINCE"].items() for old in olds}

    predecessors = _predecessors()
    links: list[Link] = []
    new_province_keys: set[str] = set()
    for old_key in old_keys:
        new_key = new_of_old[old_key]
        new_province_keys.add(new_key)
        old, new = index.old_provinces[old_key], index.new_provinces[new_key]
        same = data["DICT_PROVINCE"][new_key] == [old_key] and _norm(old["provinceShort"]) == _norm(
            new["provinceShort"]
        )
        links.append(Link(old["provinceCode"], PROVINCE, (new["provinceCode"],), RENAME if same else MERGE))

    succeeded_districts: set[str] = set()
    for new_p, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_w, olds in wards.items():
            for old in olds:
                p_key, d_key, w_key = old.split("_", 2)
                if p_key not in selected:
                    continue
                new_row = index.new_wards.get((new_p, new_w))
                new_code = _new_code(index, new_p, new_w)
                if new_code is None or new_row is None:
                    continue  # not in our 2025 list: nothing to link to
                if not w_key:  # an island district without communes became a special zone
                    if d_key not in index.old_districts.get(p_key, {}):
                        continue
                    old_code, old_short = index.old_districts[p_key][d_key]
                    level = DISTRICT
                    succeeded_districts.add(old_code)
                elif old in index.old_wards:
                    row = index.old_wards[old]
                    old_code, old_short, level = row["wardCode"], row["wardShort"], COMMUNE
                else:
                    continue
                new_province_keys.add(new_p)
                alone = predecessors[(new_p, new_w)] == {old}
                same = alone and _norm(old_short) == _norm(new_row["wardShort"])
                links.append(Link(old_code, level, (new_code,), RENAME if same else MERGE))
    for new_p, olds in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, candidates in olds.items():
            if old.split("_", 1)[0] not in selected or old not in index.old_wards:
                continue
            codes, default = [], None
            for candidate in candidates:
                code = _new_code(index, new_p, candidate["newWardKey"])
                if code is None:
                    continue
                codes.append(code)
                if candidate.get("isDefaultNewWard"):
                    default = code
            if codes:
                new_province_keys.add(new_p)
                links.append(
                    Link(index.old_wards[old]["wardCode"], COMMUNE, tuple(sorted(codes)), AMBIGUOUS, default)
                )

    abolished = sorted(
        code
        for key in old_keys
        for code, _short in index.old_districts.get(key, {}).values()
        if code not in succeeded_districts
    )
    new_codes = sorted(index.new_provinces[key]["provinceCode"] for key in new_province_keys)
    return ProvinceLineage(
        old_province_codes=tuple(index.old_provinces[key]["provinceCode"] for key in old_keys),
        new_province_codes=tuple(new_codes),
        new_province_names=tuple(index.current_names.get(code, code) for code in new_codes),
        abolished_district_codes=tuple(abolished),
        links=tuple(sorted(links, key=lambda link: (_LEVELS[link.old_level], link.old_code))),
    )
