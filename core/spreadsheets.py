"""Reading an uploaded spreadsheet (.xlsx or CSV) into plain rows, for every import of the project.

Files come from officials' Excel sheets and from the exports of provincial software: a title
block above the header row, Vietnamese headers with or without diacritics ("Mã TTHC", "Ma TTHC"),
CSV saved as UTF-8, UTF-8 with a BOM, Windows-1258 (the Vietnamese code page of older Excel) or
UTF-16 ("Unicode text"), separated by commas, semicolons or tabs. All of that is accepted.

    rows = read_rows(upload, columns=COLUMNS, aliases=ALIASES, required=("code", "name"))

gives a list of dicts of strings (safe to keep in the session until the import is confirmed),
each with `line`, its row number in the file. Anything wrong with the file as a whole raises
ImportFileError, a ValidationError whose message is safe to show. Limits: MAX_BYTES and MAX_ROWS
(per call), and only the first sheet of a workbook is read, in openpyxl's read-only mode.
"""

import contextlib
import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.text import fold

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
# A title block often sits above the header row.
HEADER_SEARCH_ROWS = 20

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class ImportFileError(ValidationError):
    """The file as a whole cannot be read; the message is safe to show."""


@dataclass
class CheckedRows:
    """The rows of a file checked before an import (each with its `errors`): an import writes
    all of them or nothing. Each import subclasses it with its own row type and counts."""

    rows: list

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.error_count

    def refuse_unless_valid(self) -> None:
        """Raise ValidationError (safe message) when there is no row or any row has an error."""
        if not self.rows:
            raise ValidationError(_("There is nothing to import."))
        if self.error_count:
            raise ValidationError(
                _("%(count)s row(s) have errors: correct the file and upload it again. Nothing was saved.")
                % {"count": self.error_count}
            )


# --- Text helpers ------------------------------------------------------------------------------
def header_key(text) -> str:
    """A header or keyword folded for matching: "Sửa đổi, bổ sung" → "sua doi bo sung"."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(str(text or ""))).split())


def lookup(aliases: Mapping[str, Iterable[str]], text):
    """The key of `aliases` whose folded spellings hold `text` (folded), else None."""
    key = header_key(text)
    for value, spellings in aliases.items():
        if key in spellings:
            return value
    return None


def cell_text(value) -> str:
    """A cell as a string: whitespace collapsed, 12.0 → "12", a date → "2024-01-31"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time.min else value
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


# --- Reading the file --------------------------------------------------------------------------
def read_table(
    upload, *, max_bytes: int | None = None, max_rows: int | None = None
) -> list[tuple[int, list[str]]]:
    """The first sheet (or the CSV) as (line number, [cell strings]) pairs, at most
    max_rows + HEADER_SEARCH_ROWS + 1 of them (enough to tell that a file is too long)."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    max_rows = MAX_ROWS if max_rows is None else max_rows
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ImportFileError(
            _("The file is too big (%(size)s): the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
        )
    if hasattr(upload, "seek"):
        with contextlib.suppress(OSError, ValueError):
            upload.seek(0)
    data = upload.read(max_bytes + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise ImportFileError(
            _("The file is too big: the limit is %(limit)s.") % {"limit": filesizeformat(max_bytes)}
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    limit = max_rows + HEADER_SEARCH_ROWS + 1
    return _read_xlsx(data, limit) if data.startswith(XLSX_MAGIC) else _read_csv(data, limit)


def _read_xlsx(data: bytes, limit: int):
    from openpyxl import load_workbook

    unreadable = _(
        "This file cannot be read as an Excel workbook (.xlsx). Save it again as .xlsx or as CSV (UTF-8)."
    )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign zip
        raise ImportFileError(unreadable) from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError(unreadable)
        sheet = workbook.worksheets[0]
        rows = []
        for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((index, [cell_text(v) for v in row]))
            if index >= limit:
                break
        return rows
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(unreadable) from exc
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    if data.startswith(XLS_MAGIC):
        raise ImportFileError(
            _("Old Excel files (.xls) are not accepted: save the file as .xlsx or as CSV (UTF-8).")
        )
    not_text = _(
        "This file is neither an Excel workbook (.xlsx) nor a CSV file in UTF-8. "
        "In Excel, choose “Save as” → “CSV UTF-8”."
    )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError(not_text) from exc
    else:
        if b"\x00" in data:
            raise ImportFileError(not_text)
        for encoding in ("utf-8-sig", "cp1258"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError(not_text)
    if "\x00" in text:
        raise ImportFileError(not_text)
    # Windows-1258 writes tone marks as combining characters: compose them.
    return unicodedata.normalize("NFC", text)


def _read_csv(data: bytes, limit: int):
    text = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for index, row in enumerate(reader, start=1):
            rows.append((index, [cell_text(v) for v in row]))
            if index >= limit:
                break
    except csv.Error as exc:
        raise ImportFileError(_("This CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    return rows


# --- Finding the columns -----------------------------------------------------------------------
def header_map(cells, aliases: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """{column: index} of the cells that name a known column (the first cell wins)."""
    found = {}
    for index, cell in enumerate(cells):
        column = lookup(aliases, cell)
        if column and column not in found:
            found[column] = index
    return found


def read_rows(
    upload,
    *,
    columns: Iterable[str],
    aliases: Mapping[str, Iterable[str]],
    required: Iterable[str] = (),
    labels: Mapping[str, object] | None = None,
    header_marker: str | None = None,
    expected: str | None = None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> list[dict]:
    """Rows of the upload as {"line": n, column: text, ...} for every column of `columns`
    (empty string when the file lacks an optional one); empty rows are skipped.

    `aliases` maps a column to its spellings, folded with `header_key` ("ma tthc").
    The header row is the first of the first HEADER_SEARCH_ROWS rows that names `header_marker`
    (default: the first required column, else any column). `labels` names the columns in messages,
    `expected` lists them in the message about a missing header (default: the labels).
    """
    columns = tuple(columns)
    required = tuple(required)
    labels = labels or {}
    max_rows = MAX_ROWS if max_rows is None else max_rows
    aliases = {
        column: {header_key(s) for s in spellings} | {header_key(column)}
        for column, spellings in aliases.items()
    }
    marker = header_marker or (required[0] if required else None)
    expected = expected or ", ".join(str(labels.get(c, c)) for c in columns)

    table = read_table(upload, max_bytes=max_bytes, max_rows=max_rows)
    header, found = None, {}
    for position, (_line, cells) in enumerate(table[:HEADER_SEARCH_ROWS]):
        found = header_map(cells, aliases)
        if (marker in found) if marker else found:
            header = position
            break
    if header is None:
        raise ImportFileError(
            _("No header row found. The first rows must name the columns: %(columns)s.")
            % {"columns": expected}
        )
    missing = [str(labels.get(c, c)) for c in required if c not in found]
    if missing:
        raise ImportFileError(
            _("Missing column(s): %(columns)s. Expected: %(expected)s.")
            % {"columns": ", ".join(missing), "expected": expected}
        )
    rows = []
    for line, cells in table[header + 1 :]:
        values = {c: (cells[i] if i < len(cells) else "") for c, i in found.items()}
        if not any(values.values()):
            continue
        rows.append({"line": line, **{c: values.get(c, "") for c in columns}})
        if len(rows) > max_rows:
            raise ImportFileError(
                _("The file has more than %(max)s rows: split it into smaller files.") % {"max": max_rows}
            )
    if not rows:
        raise ImportFileError(_("The file has a header row but no data below it."))
    return rows
