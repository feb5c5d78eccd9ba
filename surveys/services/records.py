"""One-stop record counts (received, resolved on time, resolved late, pending, returned) per unit,
procedure and month, from two sources: the one-stop software (its Excel / CSV export is imported)
and the paper tracking book (sổ theo dõi hồ sơ, entered by the officer); and the decision on a
month where the two disagree (ISO 9001:2015 §7.5.3 records, §9.1.3 analysis).

Consistency between the counts is NOT enforced: "pending" carries over the records received in
earlier months and "returned" may concern them too, so on_time + late + pending + returned need
not equal the month's "received", and real books are not always consistent. The counts are
accepted as written (whole numbers ≥ 0); the reconciliation view shows where the sources
disagree, and that is where an inconsistency is explained or corrected.

The import follows the tally import (surveys.services.tallies): parse, check (nothing written),
then import all rows in one transaction only when no row has an error.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.models import QMS_UNIT_KINDS
from core import spreadsheets
from core.scoping import Action, require
from surveys.models import Reconciliation, RecordCount
from surveys.services import imports

DENIED = gettext_lazy("You may not record the one-stop record counts of %(unit)s.")
RECONCILE_DENIED = gettext_lazy("You may not reconcile the one-stop records of %(unit)s.")
COUNT_FIELDS = RecordCount.COUNT_FIELDS
COMMENT_MAX = 2000
OLDEST_MONTH = datetime.date(2000, 1, 1)

# --- The layout of the software's export -------------------------------------------------------
COLUMNS = ("unit", "procedure", "month", "received", "early", "on_time", "late", "pending", "returned")
REQUIRED_COLUMNS = ("month", "received")
COLUMN_LABELS = {
    "unit": gettext_lazy("unit"),
    "procedure": gettext_lazy("TTHC code"),
    "month": gettext_lazy("month"),
    "received": gettext_lazy("received"),
    "early": gettext_lazy("resolved early"),
    "on_time": gettext_lazy("resolved on time"),
    "late": gettext_lazy("resolved late"),
    "pending": gettext_lazy("pending"),
    "returned": gettext_lazy("returned"),
}
HEADER_ALIASES = {
    "unit": imports.UNIT_HEADERS,
    "procedure": imports.PROCEDURE_HEADERS,
    "month": {"month", "thang", "thang nam", "ky", "ky bao cao", "thoi gian", "ky bao cao thang"},
    "received": {
        "received",
        "tiep nhan",
        "da tiep nhan",
        "so tiep nhan",
        "so ho so tiep nhan",
        "tong tiep nhan",
        "tong so tiep nhan",
        "tong so ho so tiep nhan",
        "ho so tiep nhan",
    },
    # Software often splits "resolved before the deadline" from "on the deadline": both are on time.
    "early": {"early", "truoc han", "som han", "giai quyet truoc han", "da giai quyet truoc han"},
    "on_time": {
        "on time",
        "dung han",
        "giai quyet dung han",
        "da giai quyet dung han",
        "dung hen",
        "trong han",
    },
    "late": {"late", "qua han", "tre han", "giai quyet qua han", "da giai quyet qua han", "tre hen"},
    "pending": {
        "pending",
        "dang giai quyet",
        "dang xu ly",
        "chua giai quyet",
        "dang giai quyet trong han",
        "ho so dang giai quyet",
        "ton",
    },
    "returned": {"returned", "tra lai", "tra lai ho so", "tu choi", "hoan tra", "tra lai khong giai quyet"},
}


def parse_file(upload) -> list[dict]:
    """Rows of the software's export as dicts of strings with `line`; ImportFileError when the
    file as a whole cannot be read."""
    return spreadsheets.read_rows(
        upload,
        columns=COLUMNS,
        aliases=HEADER_ALIASES,
        required=REQUIRED_COLUMNS,
        labels=COLUMN_LABELS,
        header_marker="received",
        expected=_(
            "unit, TTHC code, month, received, on time, late, pending, returned (or Đơn vị, Mã TTHC, Tháng, "
            "Tiếp nhận, Đúng hạn, Quá hạn, Đang giải quyết, Trả lại)"
        ),
    )


# --- Saving one month's counts -----------------------------------------------------------------
def _month_errors(unit, month) -> list:
    if not isinstance(month, datetime.date):
        return [_("Enter the month (mm/yyyy).")]
    month = month.replace(day=1)
    if imports.is_future_month(month):
        return [_("The month %(month)s is in the future.") % {"month": f"{month:%m/%Y}"}]
    if month < OLDEST_MONTH:
        return [_("The month %(month)s is too old.") % {"month": f"{month:%m/%Y}"}]
    if unit.valid_until is not None and month > unit.valid_until:
        return [
            _("%(unit)s ceased on %(day)s: it has no records for %(month)s.")
            % {"unit": unit, "day": f"{unit.valid_until:%d/%m/%Y}", "month": f"{month:%m/%Y}"}
        ]
    return []


def _clean(unit, source, month, counts: dict) -> dict:
    errors: dict[str, list] = {}
    if unit.kind not in QMS_UNIT_KINDS:
        errors["unit"] = [
            _("%(unit)s has no one-stop desk: record counts are kept by communes, wards, towns and agencies.")
            % {"unit": unit}
        ]
    if source not in RecordCount.Source.values:
        errors["source"] = [_("Choose the one-stop software or the tracking book.")]
    month_errors = _month_errors(unit, month)
    if month_errors:
        errors["month"] = month_errors
    unknown = set(counts) - set(COUNT_FIELDS)
    if unknown:
        raise TypeError(f"unknown counts: {sorted(unknown)}")
    values = imports.clean_counts(counts, COUNT_FIELDS, errors)
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def record_count_save(*, actor, unit, source, procedure, month, counts: dict) -> RecordCount:
    """Create or update the counts of `unit` from `source` for `procedure` (None: all procedures
    together) and `month` (any day of it; stored as its first day)."""
    require(actor, Action.CHANGE, unit, DENIED)
    values = _clean(unit, source, month, counts)
    month = month.replace(day=1)
    record = (
        RecordCount.objects.select_for_update(of=("self",))
        .order_by()
        .filter(unit=unit, source=source, procedure=procedure, month=month)
        .first()
    )
    if record is None:
        record = RecordCount(unit=unit, source=source, procedure=procedure, month=month)
    for name, value in values.items():
        setattr(record, name, value)
    record.updated_by = actor
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:  # the same key saved meanwhile by someone else
        raise ValidationError(_("These counts were just saved by someone else: open them again.")) from exc
    return record


# --- Import of the software's export -----------------------------------------------------------
DUPLICATE = gettext_lazy("The same unit, procedure and month are also on line %(line)s.")


def check_rows(*, actor, rows: list[dict], default_unit=None, source=RecordCount.Source.SOFTWARE):
    """Check every row; write nothing. A constant number of queries whatever the number of rows.

    An export with a "resolved early" column (trước hạn) counts it as resolved on time.
    """

    def read_row(raw, lookups, errors):
        unit = lookups.unit(raw, errors)
        procedure = lookups.procedure(raw, errors)
        month_text = raw.get("month", "").strip()
        month = imports.parse_month(month_text)
        if month is None:
            errors.append(
                _("The month “%(value)s” is not a month (mm/yyyy).") % {"value": month_text}
                if month_text
                else _("The month is empty.")
            )
        counts = {
            name: imports.parse_count_cell(raw.get(name, ""), COLUMN_LABELS[name], errors)
            for name in (*COUNT_FIELDS, "early")
        }
        early = counts.pop("early")
        if early and counts["on_time"] is not None:
            counts["on_time"] += early
            if counts["on_time"] > imports.COUNT_MAX:
                errors.append(_("The on-time count is too large."))
        if unit is not None and not errors:
            try:
                _clean(unit, source, month, counts)
            except ValidationError as exc:
                errors.extend(exc.messages)
        return {"unit": unit, "procedure": procedure, "month": month, "counts": counts, "source": source}

    def existing(keys) -> set:
        return set(
            RecordCount.objects.filter(
                source=source, unit__in={k[0] for k in keys}, month__in={k[2] for k in keys}
            ).values_list("unit", "procedure", "month")
        )

    return imports.check_file(
        actor=actor,
        rows=rows,
        default_unit=default_unit,
        columns=COLUMNS,
        labels=COLUMN_LABELS,
        read_row=read_row,
        key=_key,
        existing=existing,
        duplicate=DUPLICATE,
    )


def _key(values):
    procedure = values["procedure"]
    return (values["unit"].pk, procedure.pk if procedure is not None else None, values["month"])


@transaction.atomic
def import_rows(*, actor, rows: list[dict], default_unit=None, source=RecordCount.Source.SOFTWARE):
    """Write every row, or nothing: raises ValidationError while any row has an error."""
    check = check_rows(actor=actor, rows=rows, default_unit=default_unit, source=source)
    check.refuse_unless_valid()
    for result in check.rows:
        values = result.values
        record_count_save(
            actor=actor,
            unit=values["unit"],
            source=source,
            procedure=values["procedure"],
            month=values["month"],
            counts=values["counts"],
        )
    return check


# --- Reconciliation ----------------------------------------------------------------------------
@transaction.atomic
def reconciliation_set(*, actor, unit, month, status, comment="") -> Reconciliation:
    """Record the decision on a month where the software and the tracking book disagree: still
    open, explained (why they differ), or corrected (the wrong source was corrected). Explained
    and corrected need a comment: the reason is the record (§7.5.3)."""
    require(actor, Action.CHANGE, unit, RECONCILE_DENIED)
    comment = (comment or "").strip()
    errors: dict[str, list] = {}
    if status not in Reconciliation.Status.values:
        errors["status"] = [_("Choose a status.")]
    elif status != Reconciliation.Status.OPEN and not comment:
        errors["comment"] = [_("Say why the figures differ, or what was corrected.")]
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [
            _("The comment is too long (at most %(max)s characters).") % {"max": COMMENT_MAX}
        ]
    if not isinstance(month, datetime.date):
        errors["month"] = [_("Enter the month (mm/yyyy).")]
    elif not RecordCount.objects.filter(unit=unit, month=month.replace(day=1)).exists():
        errors["month"] = [
            _("%(unit)s has no record counts for %(month)s.") % {"unit": unit, "month": f"{month:%m/%Y}"}
        ]
    if errors:
        raise ValidationError(errors)
    month = month.replace(day=1)
    reconciliation = (
        Reconciliation.objects.select_for_update(of=("self",))
        .order_by()
        .filter(unit=unit, month=month)
        .first()
    )
    if reconciliation is None:
        reconciliation = Reconciliation(unit=unit, month=month)
    reconciliation.status = status
    reconciliation.comment = comment
    reconciliation.decided_by = actor
    reconciliation.decided_at = timezone.now()
    try:
        with transaction.atomic():
            reconciliation.save()
    except IntegrityError as exc:
        raise ValidationError(_("This month was just reconciled by someone else: reload the page.")) from exc
    return reconciliation
