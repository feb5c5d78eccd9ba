"""Import of a TTHC announcing decision's list from Excel (.xlsx) or CSV, in two steps.

1. `parse_file` reads the upload into plain rows (strings only, so they can wait in the session)
   and `validate_rows` checks them against the catalogue and the decision: every row gets its
   actions (create the TTHC, update its name, add it to the decision) and its errors. Nothing
   is written.
2. `import_rows` re-validates (the catalogue may have changed since the preview) and, only when
   no row has an error, writes everything in one transaction through the catalogue services, so
   the update tasks of the 3-month rule (Decision 19/2014/QĐ-TTg Art. 4.4.a) are opened as for
   an item added by hand.

Real lists come from the provinces' announcing decisions: Vietnamese headers ("Mã TTHC",
"Tên TTHC", "Lĩnh vực", "Cấp thực hiện", "Hình thức"), a title above the header row, and the
change written in words ("Sửa đổi, bổ sung"). All of that is accepted.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import spreadsheets
from core.spreadsheets import ImportFileError  # noqa: F401 (part of this module's interface)
from documents.models import DecisionItem, Procedure, ProcedureDecision
from documents.services import catalogue
from documents.services.permissions import require_catalogue_manager

MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024

COLUMNS = ("code", "name", "field", "level", "change", "note")
REQUIRED_COLUMNS = ("code", "name", "change")
COLUMN_LABELS = {
    "code": gettext_lazy("code"),
    "name": gettext_lazy("name"),
    "field": gettext_lazy("field"),
    "level": gettext_lazy("level"),
    "change": gettext_lazy("change"),
    "note": gettext_lazy("note"),
}

# Header spellings, folded (no diacritics, lower case, punctuation as spaces).
HEADER_ALIASES = {
    "code": {
        "code",
        "ma",
        "ma tthc",
        "ma thu tuc",
        "ma thu tuc hanh chinh",
        "ma so",
        "ma so tthc",
        "ma ho so",
    },
    "name": {"name", "ten", "ten tthc", "ten thu tuc", "ten thu tuc hanh chinh"},
    "field": {"field", "linh vuc"},
    "level": {"level", "cap", "cap thuc hien", "cap giai quyet", "tham quyen"},
    "change": {"change", "action", "hinh thuc", "hinh thuc cong bo", "loai", "noi dung"},
    "note": {"note", "ghi chu"},
}

CHANGE_ALIASES = {
    DecisionItem.Change.ADD: {
        "add",
        "added",
        "new",
        "them",
        "them moi",
        "cong bo moi",
        "moi",
        "ban hanh moi",
    },
    DecisionItem.Change.AMEND: {
        "amend",
        "amended",
        "sua doi",
        "bo sung",
        "sua doi bo sung",
        "sua doi va bo sung",
        "thay the",
    },
    DecisionItem.Change.ABOLISH: {"abolish", "abolished", "bai bo", "huy bo", "bai bo huy bo"},
}

LEVEL_ALIASES = {
    Procedure.Level.CENTRAL: {"central", "trung uong", "cap trung uong", "bo", "cap bo"},
    Procedure.Level.PROVINCE: {"province", "tinh", "cap tinh"},
    Procedure.Level.DISTRICT: {"district", "huyen", "cap huyen"},
    Procedure.Level.COMMUNE: {"commune", "xa", "cap xa"},
}

_MAX_LENGTHS = {
    "code": Procedure._meta.get_field("code").max_length,
    "name": Procedure._meta.get_field("name").max_length,
    "field": Procedure._meta.get_field("field").max_length,
    "note": DecisionItem._meta.get_field("note").max_length,
}


def _key(text) -> str:
    """A header or keyword folded for matching: "Sửa đổi, bổ sung" → "sua doi bo sung"."""
    return spreadsheets.header_key(text)


def _lookup(aliases: dict, text):
    return spreadsheets.lookup(aliases, text)


# --- Step 1: read ------------------------------------------------------------------------------
def parse_file(upload) -> list[dict]:
    """Rows of the uploaded file as dicts of strings, with `line` (the row number in the file).

    Raises ImportFileError when the file is too big, not .xlsx nor CSV, lacks a required
    column, is empty or has too many rows (the reading itself is core.spreadsheets').
    """
    return spreadsheets.read_rows(
        upload,
        columns=COLUMNS,
        aliases=HEADER_ALIASES,
        required=REQUIRED_COLUMNS,
        labels=COLUMN_LABELS,
        header_marker="code",
        expected=_(
            "code, name, field, level, change (or Mã TTHC, Tên TTHC, Lĩnh vực, Cấp thực hiện, Hình thức)"
        ),
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS,
    )


# --- Step 1: check -----------------------------------------------------------------------------
@dataclass
class ImportRow:
    """One row of the file as it will be imported: what will happen, or why it cannot."""

    line: int
    code: str
    name: str
    field: str
    level: str
    change: str
    note: str
    change_value: str | None = None
    level_value: str | None = None
    procedure: Procedure | None = None
    creates: bool = False
    updates: list = field(default_factory=list)  # names of the catalogue fields it changes
    errors: list = field(default_factory=list)

    @property
    def actions(self) -> list[str]:
        if self.errors:
            return []
        actions = []
        if self.creates:
            actions.append(_("create the TTHC"))
        if self.updates:
            actions.append(
                _("update %(fields)s") % {"fields": ", ".join(str(COLUMN_LABELS[f]) for f in self.updates)}
            )
        label = DecisionItem.Change(self.change_value).label
        actions.append(_("add to the decision as “%(change)s”") % {"change": label})
        return actions


@dataclass
class ImportCheck(spreadsheets.CheckedRows):
    rows: list[ImportRow]

    @property
    def counts(self) -> dict:
        return {
            "rows": len(self.rows),
            "errors": self.error_count,
            "create": sum(1 for r in self.rows if r.creates and not r.errors),
            "update": sum(1 for r in self.rows if r.updates and not r.errors),
        }


def validate_rows(decision: ProcedureDecision, raw_rows: list[dict]) -> ImportCheck:
    """Check every row against the catalogue and the decision; write nothing. Three queries."""
    codes = {r.get("code", "").strip() for r in raw_rows} - {""}
    known = {p.code: p for p in Procedure.objects.filter(code__in=codes)}
    in_decision = set(
        decision.items.filter(procedure__code__in=codes).values_list("procedure__code", flat=True)
    )
    first_line: dict[str, int] = {}
    rows = []
    for raw in raw_rows:
        row = ImportRow(
            line=int(raw.get("line", 0)),
            **{c: str(raw.get(c, "") or "").strip() for c in COLUMNS},
        )
        rows.append(row)
        errors = row.errors
        for column, limit in _MAX_LENGTHS.items():
            if len(getattr(row, column)) > limit:
                errors.append(
                    _("The %(column)s is too long (%(length)s characters, at most %(max)s).")
                    % {"column": COLUMN_LABELS[column], "length": len(getattr(row, column)), "max": limit}
                )
        row.change_value = _lookup(CHANGE_ALIASES, row.change)
        if not row.change:
            errors.append(_("The change is empty: write add, amend or abolish."))
        elif row.change_value is None:
            errors.append(
                _("Unknown change “%(value)s”: write add, amend or abolish (thêm mới, sửa đổi, bãi bỏ).")
                % {"value": row.change}
            )
        if row.level:
            row.level_value = _lookup(LEVEL_ALIASES, row.level)
            if row.level_value is None:
                errors.append(
                    _("Unknown level “%(value)s”: write central, province, district or commune (cấp xã…).")
                    % {"value": row.level}
                )
        if not row.code:
            errors.append(_("The TTHC code is empty."))
            continue
        if row.code in first_line:
            errors.append(
                _("The code %(code)s is also on line %(line)s of the file.")
                % {"code": row.code, "line": first_line[row.code]}
            )
        else:
            first_line[row.code] = row.line
        if row.code in in_decision:
            errors.append(_("%(code)s is already in this decision.") % {"code": row.code})
        row.procedure = known.get(row.code)
        if row.change_value is None:
            continue
        if row.procedure is None:
            if row.change_value != DecisionItem.Change.ADD:
                errors.append(
                    _(
                        "%(code)s is not in the catalogue: it can only be added (or add it to the catalogue first)."
                    )
                    % {"code": row.code}
                )
            elif not row.name:
                errors.append(_("%(code)s is new: its name is needed to create it.") % {"code": row.code})
            else:
                row.creates = True
            continue
        if row.change_value != DecisionItem.Change.ADD and row.procedure.status == Procedure.Status.ABOLISHED:
            errors.append(_("%(code)s is abolished: it can only be added again.") % {"code": row.code})
        if row.change_value != DecisionItem.Change.ABOLISH:
            if row.name and row.name != row.procedure.name:
                row.updates.append("name")
            if row.field and row.field != row.procedure.field:
                row.updates.append("field")
            if row.level_value and row.level_value != row.procedure.level:
                row.updates.append("level")
    return ImportCheck(rows)


# --- Step 2: write -----------------------------------------------------------------------------
@transaction.atomic
def import_rows(*, actor, decision: ProcedureDecision, raw_rows: list[dict]) -> ImportCheck:
    """Write every row, or nothing: raises ValidationError while any row has an error."""
    require_catalogue_manager(actor)
    # Lock the decision so that two confirmations of the same list cannot interleave.
    ProcedureDecision.objects.select_for_update().filter(pk=decision.pk).first()
    check = validate_rows(decision, raw_rows)
    check.refuse_unless_valid()
    for row in check.rows:
        procedure = row.procedure
        if row.creates:
            procedure = Procedure(
                code=row.code,
                name=row.name,
                field=row.field,
                level=row.level_value or Procedure.Level.COMMUNE,
            )
            procedure = catalogue.procedure_save(actor=actor, procedure=procedure)
        elif row.updates:
            procedure.name = row.name or procedure.name
            procedure.field = row.field or procedure.field
            procedure.level = row.level_value or procedure.level
            procedure = catalogue.procedure_save(actor=actor, procedure=procedure)
        catalogue.decision_add_item(
            actor=actor, decision=decision, procedure=procedure, change=row.change_value, note=row.note
        )
    return check
