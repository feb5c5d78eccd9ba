"""What the tally import and the record-count import share: reading a count, a month, a unit or a
TTHC code from a cell, checking a whole file row by row (values, errors and action per row, for
the preview), and the check of the counts that entry by hand shares too.

Units and procedures are looked up once for the whole file (a constant number of queries).
A unit is named by its national code, its name or its short name, with or without diacritics;
one outside the user's scope reads as unknown (its existence is not disclosed), one in scope
where the user may not write says so. A TTHC code is a national string (1.001193,
1.012753.H19): compared as text, never parsed.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.models import QMS_UNIT_KINDS
from communes.models import Unit
from core import clock
from core.scoping import Action, get_scope
from core.spreadsheets import CheckedRows, header_key
from core.text import fold
from documents.models import Procedure

# A larger count in one cell is a typing mistake (a commune receives a few thousand files a month).
COUNT_MAX = 1_000_000

CREATE, UPDATE = "create", "update"
ACTION_LABELS = {CREATE: gettext_lazy("create"), UPDATE: gettext_lazy("update the existing figures")}

UNIT_HEADERS = {
    "unit",
    "unit code",
    "unit name",
    "don vi",
    "ma don vi",
    "ten don vi",
    "co quan",
    "ten co quan",
    "xa phuong",
    "ten xa",
    "don vi hanh chinh",
    "ma dvhc",
}
PROCEDURE_HEADERS = {
    "procedure",
    "procedure code",
    "tthc",
    "ma tthc",
    "ma thu tuc",
    "ma thu tuc hanh chinh",
    "ma so tthc",
}
# A procedure cell that means "all procedures together" (a total row of an export).
ALL_PROCEDURES = {"all", "total", "all procedures", "tat ca", "tong", "tong cong", "tong so", "cong"}


# --- Counts ----------------------------------------------------------------------------------------
_PLAIN = re.compile(r"^\d+$")
# 1.234 or 1,234 or 1 234: thousands separated as offices write them (groups of three digits).
_GROUPED = re.compile(r"^\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$")


def parse_count(text) -> int | None:
    """A count from a cell: a whole number from 0 to COUNT_MAX ("" → 0); None when it is not one.

    Accepts thousands separators ("1.234", "1,234", "1 234") and Excel's "12.0"; refuses
    negative, fractional and other text.
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        value = text
    else:
        text = str(text if text is not None else "").strip().replace("\u00a0", " ")
        if not text:
            return 0
        if text.endswith((".0", ",0")) and _PLAIN.match(text[:-2]):
            text = text[:-2]
        if _PLAIN.match(text):
            value = int(text)
        elif _GROUPED.match(text):
            value = int(re.sub(r"\D", "", text))
        else:
            return None
    return value if 0 <= value <= COUNT_MAX else None


def parse_count_cell(text, label, errors: list) -> int | None:
    """`parse_count`, with an error naming the column when the cell is not a count."""
    count = parse_count(text)
    if count is None:
        errors.append(
            _("The %(column)s “%(value)s” is not a whole number from 0 to %(max)s.")
            % {"column": label, "value": text, "max": COUNT_MAX}
        )
    return count


def clean_counts(data: dict, names, errors: dict) -> dict:
    """{name: count} of `data` for `names` (missing or empty → 0); a value that is not a whole
    number from 0 to COUNT_MAX adds an error under its name to `errors` (entry by hand and
    import alike)."""
    values = {}
    for name in names:
        count = data.get(name, 0)
        if count in (None, ""):
            count = 0
        if isinstance(count, bool) or not isinstance(count, int) or count < 0 or count > COUNT_MAX:
            errors.setdefault(name, []).append(
                _("Enter a whole number from 0 to %(max)s.") % {"max": COUNT_MAX}
            )
        values[name] = count
    return values


# --- Months --------------------------------------------------------------------------------------
_MONTH_PATTERNS = [
    # 2024-01, 2024/1, 2024-01-31 (a full date stands for its month)
    re.compile(r"^(?P<year>\d{4})[-/.](?P<month>\d{1,2})(?:[-/.]\d{1,2})?(?:[ t].*)?$"),
    # 01/2024, 1-2024, 1.2024
    re.compile(r"^(?P<month>\d{1,2})[-/.](?P<year>\d{4})$"),
    # 31/01/2024
    re.compile(r"^\d{1,2}[-/.](?P<month>\d{1,2})[-/.](?P<year>\d{4})$"),
    # "Tháng 1/2024", "T1/2024", "tháng 01 năm 2024", "month 1 2024"
    re.compile(r"^(?:thang|t|month)\s*(?P<month>\d{1,2})\s*(?:[-/.]|nam|,)?\s*(?P<year>\d{4})$"),
]


def parse_month(value) -> datetime.date | None:
    """The first day of the month a cell names, or None.

    Accepts a date, "2024-01", "2024-01-31", "01/2024", "31/01/2024", "Tháng 1/2024",
    "T1/2024", "tháng 01 năm 2024" (diacritics and case ignored).
    """
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = " ".join(fold(str(value or "")).split())
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month = int(match["year"]), int(match["month"])
            if 1 <= month <= 12 and 1900 <= year <= 2999:
                return datetime.date(year, month, 1)
            return None
    return None


def is_future_month(month: datetime.date, today: datetime.date | None = None) -> bool:
    """Whether `month` begins after the current month (counts of a future month cannot exist)."""
    today = today or clock.today()
    return month.replace(day=1) > today.replace(day=1)


# --- Procedures ----------------------------------------------------------------------------------
def procedures_by_code(codes) -> dict[str, Procedure]:
    """{code as written: Procedure} for the TTHC codes found in the catalogue. One query.

    Compared as text, case ignored for the provincial suffix; empty cells and the words for
    "all procedures" (ALL_PROCEDURES) are left out.
    """
    wanted = {str(c or "").strip() for c in codes} - {""}
    wanted = {c for c in wanted if header_key(c) not in ALL_PROCEDURES}
    if not wanted:
        return {}
    by_upper = {
        procedure.code.upper(): procedure
        for procedure in Procedure.objects.filter(code__in=wanted | {c.upper() for c in wanted})
    }
    return {code: by_upper[code.upper()] for code in wanted if code.upper() in by_upper}


def resolve_procedure(procedures: dict, text, errors: list):
    """The procedure of a cell: None for empty or "all" (all procedures together)."""
    text = str(text or "").strip()
    if not text or header_key(text) in ALL_PROCEDURES:
        return None
    procedure = procedures.get(text)
    if procedure is None:
        errors.append(_("No procedure has the code %(code)s in the catalogue.") % {"code": text})
    return procedure


# --- Units ---------------------------------------------------------------------------------------
# A unit's name is often written without its kind ("Bích Động" for "Phường Bích Động").
_KIND_PREFIXES = ("uy ban nhan dan ", "ubnd ", "thi tran ", "dac khu ", "phuong ", "xa ", "tt ")


def _strip_kind(key: str) -> str:
    for prefix in _KIND_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def units_by_code_or_name(texts, units) -> dict[str, list]:
    """{text as written: [matching units]} among `units` (a queryset, e.g. the actor's writable
    units): by national code, else by full name, else by name without its kind or by short name
    ("Bích Động" for "Phường Bích Động"), diacritics and case ignored. No match: an empty list; more than
    one: ambiguous (the caller says so). One query.
    """
    wanted = {str(t or "").strip() for t in texts} - {""}
    if not wanted:
        return {}
    keys = {text: fold(text) for text in wanted}
    condition = Q(code__in=wanted)
    for key in {_strip_kind(k) for k in keys.values()}:
        if key:
            condition |= Q(search_text__contains=key)
    candidates = list(units.filter(condition))
    result = {}
    for text, key in keys.items():
        matches = [u for u in candidates if u.code and u.code == text]
        if not matches:
            matches = [u for u in candidates if key == fold(u.name)]
        if not matches:
            bare = _strip_kind(key)
            matches = [
                u for u in candidates if bare and bare in {_strip_kind(fold(u.name)), fold(u.short_name)}
            ]
        result[text] = matches
    return result


class UnitResolver:
    """Finds the units named in a file among the one-stop units the user may see (one query)."""

    def __init__(self, actor, texts, default_unit=None):
        self.scope = get_scope(actor)
        self.default_unit = default_unit
        units = Unit.objects.for_user(actor, Action.VIEW).filter(kind__in=QMS_UNIT_KINDS)
        self.matches = units_by_code_or_name(texts, units)

    def resolve(self, text, errors: list):
        """The unit named by `text` (the default unit when empty); None with an error otherwise."""
        text = str(text or "").strip()
        if not text:
            if self.default_unit is None:
                errors.append(
                    _("The unit is empty: name the unit, or choose the unit of the rows without one.")
                )
                return None
            unit = self.default_unit
        else:
            found = self.matches.get(text, [])
            if not found:
                errors.append(_("Unknown unit “%(value)s” (or not one of your units).") % {"value": text})
                return None
            if len(found) > 1:
                errors.append(
                    _("Several units are named “%(value)s”: write the unit's code instead.") % {"value": text}
                )
                return None
            unit = found[0]
        if not self.scope.covers(Action.CHANGE, unit.path):
            errors.append(_("You may not record the figures of %(unit)s.") % {"unit": unit.name})
            return None
        return unit


# --- Checking a file -----------------------------------------------------------------------------
@dataclass
class RowResult:
    """One row of a file as it will be imported: its values, or why it cannot be."""

    line: int
    raw: dict
    cells: list = field(default_factory=list)  # the file's text, in the layout's column order
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    action: str | None = None  # CREATE or UPDATE when the row has no error

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, "")


@dataclass
class ImportCheck(CheckedRows):
    rows: list[RowResult]
    labels: list = field(default_factory=list)  # the column labels, for the preview

    @property
    def creates(self) -> int:
        return sum(1 for r in self.rows if r.action == CREATE and not r.errors)

    @property
    def updates(self) -> int:
        return sum(1 for r in self.rows if r.action == UPDATE and not r.errors)


class FileLookups:
    """The units and the procedures a file names, looked up once for all its rows."""

    def __init__(self, actor, rows: list[dict], default_unit=None):
        self.units = UnitResolver(actor, [r.get("unit", "") for r in rows], default_unit=default_unit)
        self.procedures = procedures_by_code(r.get("procedure", "") for r in rows)

    def unit(self, raw: dict, errors: list):
        return self.units.resolve(raw.get("unit", ""), errors)

    def procedure(self, raw: dict, errors: list):
        return resolve_procedure(self.procedures, raw.get("procedure", ""), errors)


def check_file(
    *, actor, rows, default_unit, columns, labels, read_row, key, existing, duplicate
) -> ImportCheck:
    """Check every row of a file; write nothing. A constant number of queries whatever the number
    of rows.

    `read_row(raw, lookups, errors)` returns the row's values (errors appended to `errors`);
    `key(values)` is the row's unique key; `existing(keys)` the set of those keys already saved
    (one query); `duplicate` the message for a key twice in the file (with %(line)s).
    """
    lookups = FileLookups(actor, rows, default_unit=default_unit)
    results = []
    for raw in rows:
        result = RowResult(line=int(raw.get("line") or 0), raw=raw, cells=[raw.get(c, "") for c in columns])
        result.values = read_row(raw, lookups, result.errors)
        results.append(result)
    # A key twice in the file is an error; otherwise the row creates or updates.
    first_line: dict[tuple, int] = {}
    for result in results:
        if result.errors:
            continue
        row_key = key(result.values)
        if row_key in first_line:
            result.errors.append(duplicate % {"line": first_line[row_key]})
        else:
            first_line[row_key] = result.line
    keys = [key(r.values) for r in results if not r.errors]
    saved = existing(keys) if keys else set()
    for result in results:
        if not result.errors:
            result.action = UPDATE if key(result.values) in saved else CREATE
    return ImportCheck(rows=results, labels=[labels[c] for c in columns])
