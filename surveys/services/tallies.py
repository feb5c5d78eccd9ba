"""Tallies of paper satisfaction forms and rating devices (ISO 9001:2015 §9.1.2): entered by hand
or imported from Excel / CSV in two steps, as the TTHC list import does.

1. `parse_file` reads the upload into plain rows (strings only, so they can wait in the session)
   and `check_rows` checks them: every row gets its values, its errors, and its action (create a
   tally or update the one with the same key). Nothing is written.
2. `import_rows` re-checks (the data may have changed since the preview) and, only when no row
   has an error, writes everything in one transaction through `tally_save`.

A tally is identified by (unit, channel, procedure, criterion, period start, period end); saving
the same key again updates its counts. The officer of the unit, or a supervisor above it, writes.
"""

import calendar
import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.models import QMS_UNIT_KINDS
from core import clock, spreadsheets
from core.scoping import Action, require
from surveys.models import CRITERIA, CRITERION_LABELS, Tally
from surveys.services import imports

DENIED = gettext_lazy("You may not record the satisfaction tallies of %(unit)s.")
COUNT_FIELDS = tuple(name for name, _rating in Tally.COUNT_FIELDS)
KEY_FIELDS = ("channel", "procedure", "period_start", "period_end", "criterion")
NOTE_MAX = Tally._meta.get_field("note").max_length

# --- The file layout ---------------------------------------------------------------------------
COLUMNS = ("unit", "channel", "procedure", "period_start", "period_end", "criterion", *COUNT_FIELDS, "note")
REQUIRED_COLUMNS = ("channel", "period_start", "period_end", "criterion")
COLUMN_LABELS = {
    "unit": gettext_lazy("unit"),
    "channel": gettext_lazy("channel"),
    "procedure": gettext_lazy("TTHC code"),
    "period_start": gettext_lazy("period start"),
    "period_end": gettext_lazy("period end"),
    "criterion": gettext_lazy("criterion"),
    "very_satisfied": gettext_lazy("very satisfied (5)"),
    "satisfied": gettext_lazy("satisfied (4)"),
    "neutral": gettext_lazy("neutral (3)"),
    "dissatisfied": gettext_lazy("dissatisfied (2)"),
    "very_dissatisfied": gettext_lazy("very dissatisfied (1)"),
    "note": gettext_lazy("note"),
}
# Header spellings (folded by core.spreadsheets): English, and Vietnamese with or without accents.
HEADER_ALIASES = {
    "unit": imports.UNIT_HEADERS,
    "channel": {"channel", "kenh", "kenh danh gia", "hinh thuc", "hinh thuc danh gia", "nguon"},
    "procedure": imports.PROCEDURE_HEADERS,
    "period_start": {"period start", "start", "from", "tu ngay", "ngay bat dau", "tu", "bat dau"},
    "period_end": {"period end", "end", "to", "den ngay", "ngay ket thuc", "den", "ket thuc"},
    "criterion": {"criterion", "tieu chi", "tieu chi danh gia", "noi dung danh gia"},
    "very_satisfied": {"very satisfied", "very satisfied 5", "5", "rat hai long", "muc 5", "rat hai long 5"},
    "satisfied": {"satisfied", "satisfied 4", "4", "hai long", "muc 4", "hai long 4"},
    "neutral": {"neutral", "neutral 3", "3", "binh thuong", "trung binh", "muc 3", "binh thuong 3"},
    "dissatisfied": {
        "dissatisfied",
        "dissatisfied 2",
        "2",
        "khong hai long",
        "chua hai long",
        "muc 2",
        "khong hai long 2",
    },
    "very_dissatisfied": {
        "very dissatisfied",
        "very dissatisfied 1",
        "1",
        "rat khong hai long",
        "muc 1",
        "rat khong hai long 1",
    },
    "note": {"note", "ghi chu"},
}
CHANNEL_ALIASES = {
    Tally.Channel.PAPER: {
        "paper",
        "paper forms",
        "paper form",
        "phieu",
        "phieu giay",
        "giay",
        "phieu khao sat",
    },
    Tally.Channel.DEVICE: {
        "device",
        "rating device",
        "may",
        "thiet bi",
        "may danh gia",
        "thiet bi danh gia",
        "dien tu",
    },
}
CRITERION_ALIASES = {
    "timeliness": {"timeliness", "thoi gian", "thoi gian giai quyet", "dung han", "tien do", "thoi han"},
    "visits": {
        "visits",
        "number of visits needed",
        "so lan di lai",
        "so lan",
        "di lai",
        "so lan di lai can thiet",
    },
    "attitude": {"attitude", "staff attitude", "thai do", "thai do cong chuc", "thai do phuc vu"},
    "information": {
        "information",
        "accuracy of the published information",
        "thong tin",
        "thong tin cong khai",
        "cong khai thong tin",
        "tinh chinh xac cua thong tin",
    },
    "fees": {"fees", "fees as published", "phi", "le phi", "phi le phi", "thu phi", "phi va le phi"},
    "overall": {
        "overall",
        "overall satisfaction",
        "tong the",
        "chung",
        "hai long chung",
        "muc do hai long chung",
        "su hai long chung",
    },
}


def parse_file(upload) -> list[dict]:
    """Rows of the uploaded file as dicts of strings with `line`; ImportFileError when the file
    as a whole cannot be read."""
    return spreadsheets.read_rows(
        upload,
        columns=COLUMNS,
        aliases=HEADER_ALIASES,
        required=REQUIRED_COLUMNS,
        labels=COLUMN_LABELS,
        header_marker="criterion",
        expected=_(
            "unit, channel, TTHC code, period start, period end, criterion, 5, 4, 3, 2, 1 (or Đơn vị, Kênh, "
            "Mã TTHC, Từ ngày, Đến ngày, Tiêu chí, Rất hài lòng, Hài lòng, Bình thường, Không hài lòng, "
            "Rất không hài lòng)"
        ),
    )


# --- Saving one tally --------------------------------------------------------------------------
def _clean(unit, data: dict) -> dict:
    """The tally's values, checked; ValidationError with every problem, per field."""
    unknown = set(data) - {*KEY_FIELDS, *COUNT_FIELDS, "note"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    errors: dict[str, list] = {}
    values: dict = {}
    if unit.kind not in QMS_UNIT_KINDS:
        errors.setdefault("unit", []).append(
            _("%(unit)s has no one-stop desk: tallies are kept by communes, wards, towns and agencies.")
            % {"unit": unit}
        )
    channel = data.get("channel")
    if channel not in Tally.Channel.values:
        errors.setdefault("channel", []).append(_("Choose paper forms or rating device."))
    values["channel"] = channel
    criterion = data.get("criterion")
    if criterion not in CRITERIA:
        errors.setdefault("criterion", []).append(_("Choose one of the satisfaction criteria."))
    values["criterion"] = criterion
    values["procedure"] = data.get("procedure")
    start, end = data.get("period_start"), data.get("period_end")
    if not isinstance(start, datetime.date):
        errors.setdefault("period_start", []).append(_("Enter the first day of the period."))
    if not isinstance(end, datetime.date):
        errors.setdefault("period_end", []).append(_("Enter the last day of the period."))
    if isinstance(start, datetime.date) and isinstance(end, datetime.date):
        if end < start:
            errors.setdefault("period_end", []).append(_("The period ends before it starts."))
        elif start > clock.today():
            errors.setdefault("period_start", []).append(_("The period has not begun yet."))
    values["period_start"], values["period_end"] = start, end
    values.update(imports.clean_counts(data, COUNT_FIELDS, errors))
    note = (data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors.setdefault("note", []).append(
            _("The note is too long (at most %(max)s characters).") % {"max": NOTE_MAX}
        )
    values["note"] = note
    if errors:
        raise ValidationError(errors)
    return values


def _find(unit, values, *, lock=False):
    queryset = Tally.objects.filter(unit=unit, **{name: values[name] for name in KEY_FIELDS})
    if lock:
        queryset = queryset.select_for_update(of=("self",)).order_by()
    return queryset.first()


@transaction.atomic
def tally_save(*, actor, unit, data: dict) -> Tally:
    """Create the tally of `data`'s key, or update the counts and note of the existing one.

    `data`: channel, procedure (a Procedure or None: all procedures), period_start, period_end
    (dates), criterion, the five counts (whole numbers ≥ 0) and an optional note.
    """
    require(actor, Action.CHANGE, unit, DENIED)
    values = _clean(unit, data)
    tally = _find(unit, values, lock=True)
    if tally is None:
        tally = Tally(unit=unit, created_by=actor)
    for name, value in values.items():
        setattr(tally, name, value)
    try:
        with transaction.atomic():
            tally.save()
    except IntegrityError as exc:  # the same key saved meanwhile by someone else
        raise ValidationError(_("This tally was just saved by someone else: open it again.")) from exc
    return tally


# --- Import ------------------------------------------------------------------------------------
def _parse_day(text: str, *, end: bool) -> datetime.date | None:
    """A date: 31/01/2025, 2025-01-31; or a month (01/2025, 2025-01), its first or last day."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text[:10] if pattern == "%Y-%m-%d" else text, pattern).date()
        except ValueError:
            continue
    if len(re.findall(r"\d+", text)) >= 3:  # a day, month and year that is not a date (32/01/2025)
        return None
    month = imports.parse_month(text)
    if month is None:
        return None
    if end:
        return month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return month


DUPLICATE = gettext_lazy(
    "The same tally (unit, channel, procedure, criterion, period) is also on line %(line)s."
)


def check_rows(*, actor, rows: list[dict], default_unit=None) -> imports.ImportCheck:
    """Check every row; write nothing. A constant number of queries whatever the number of rows.

    `default_unit` stands for the rows that name no unit (a unit's own file without that column).
    """
    return imports.check_file(
        actor=actor,
        rows=rows,
        default_unit=default_unit,
        columns=COLUMNS,
        labels=COLUMN_LABELS,
        read_row=_read_row,
        key=_key,
        existing=_existing,
        duplicate=DUPLICATE,
    )


def _read_row(raw: dict, lookups: imports.FileLookups, errors: list) -> dict:
    unit = lookups.unit(raw, errors)
    values: dict = {"unit": unit}
    channel_text = raw.get("channel", "")
    values["channel"] = spreadsheets.lookup(CHANNEL_ALIASES, channel_text)
    if values["channel"] is None:
        errors.append(
            _("Unknown channel “%(value)s”: write paper or device (phiếu giấy, thiết bị).")
            % {"value": channel_text}
            if channel_text
            else _("The channel is empty: write paper or device.")
        )
    criterion_text = raw.get("criterion", "")
    values["criterion"] = spreadsheets.lookup(CRITERION_ALIASES, criterion_text) or spreadsheets.lookup(
        {key: {spreadsheets.header_key(CRITERION_LABELS[key])} for key in CRITERIA}, criterion_text
    )
    if values["criterion"] is None:
        errors.append(
            _(
                "Unknown criterion “%(value)s”: write timeliness, visits, attitude, information, fees or overall."
            )
            % {"value": criterion_text}
            if criterion_text
            else _("The criterion is empty.")
        )
    values["procedure"] = lookups.procedure(raw, errors)
    for name, end in (("period_start", False), ("period_end", True)):
        text = raw.get(name, "").strip()
        values[name] = _parse_day(text, end=end) if text else None
        if values[name] is None:
            errors.append(
                _("The %(column)s “%(value)s” is not a date (dd/mm/yyyy).")
                % {"column": COLUMN_LABELS[name], "value": text}
                if text
                else _("The %(column)s is empty.") % {"column": COLUMN_LABELS[name]}
            )
    for name in COUNT_FIELDS:
        values[name] = imports.parse_count_cell(raw.get(name, ""), COLUMN_LABELS[name], errors)
    values["note"] = raw.get("note", "").strip()
    if unit is not None and not errors:
        data = {k: v for k, v in values.items() if k != "unit"}
        try:
            _clean(unit, data)
        except ValidationError as exc:
            errors.extend(exc.messages)
    return values


def _key(values):
    procedure = values["procedure"]
    return (
        values["unit"].pk,
        values["channel"],
        procedure.pk if procedure is not None else None,
        values["criterion"],
        values["period_start"],
        values["period_end"],
    )


def _existing(keys) -> set:
    return set(
        Tally.objects.filter(
            unit__in={k[0] for k in keys}, period_start__in={k[4] for k in keys}
        ).values_list("unit", "channel", "procedure", "criterion", "period_start", "period_end")
    )


@transaction.atomic
def import_rows(*, actor, rows: list[dict], default_unit=None) -> imports.ImportCheck:
    """Write every row, or nothing: raises ValidationError while any row has an error."""
    check = check_rows(actor=actor, rows=rows, default_unit=default_unit)
    check.refuse_unless_valid()
    for result in check.rows:
        values = dict(result.values)
        unit = values.pop("unit")
        tally_save(actor=actor, unit=unit, data=values)
    return check
