"""Which kind of office file an upload really is, judged by its content, never by its name.

Accepted: PDF, Word (DOC, DOCX), Excel (XLS, XLSX) and OpenDocument text (ODT). A program
renamed `report.pdf` has no PDF header and is refused; a DOCX renamed `.pdf` is refused too,
because its content and its name disagree.
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import olefile
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

LABELS = {
    "pdf": "PDF",
    "doc": "Word (.doc)",
    "docx": "Word (.docx)",
    "xls": "Excel (.xls)",
    "xlsx": "Excel (.xlsx)",
    "odt": "OpenDocument (.odt)",
}
ALLOWED_EXTENSIONS = tuple(LABELS)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class CheckedFile:
    file_type: str
    size: int
    sha256: str


def sniff(data: bytes) -> str | None:
    """The file type of `data` (the whole file), or None when it is none of the accepted ones."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if data.startswith(_OLE_MAGIC):
        return _sniff_ole(data)
    return None


def _sniff_zip(data):
    # A damaged archive can fail in many ways (BadZipFile, zlib.error, NotImplementedError for
    # an unknown compression, RuntimeError for an encrypted member...): all mean "not ours".
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == CONTENT_TYPES["odt"].encode():
                return "odt"
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
    except Exception:
        return None
    return None


def _sniff_ole(data):
    # A file object, not bytes: olefile takes bytes shorter than 1536 for a *file name* to open.
    # A damaged compound file raises OSError, ValueError, struct.error...: all mean "not ours".
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if ole.exists("WordDocument"):
                return "doc"
            if ole.exists("Workbook") or ole.exists("Book"):
                return "xls"
    except Exception:
        return None
    return None


def check_upload(upload) -> CheckedFile:
    """Validate an uploaded file; raise a ValidationError whose message can be shown as is."""
    limit = settings.DOCUMENT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    extension = PurePath(upload.name).suffix.lower().lstrip(".")
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Only PDF, Word (DOC, DOCX), Excel (XLS, XLSX) and ODT files are accepted."),
            code="extension",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    detected = sniff(data)
    if detected is None:
        raise ValidationError(
            _("The content of “%(name)s” is not a PDF, Word, Excel or ODT file, whatever its name says.")
            % {"name": upload.name},
            code="content",
        )
    if detected != extension:
        raise ValidationError(
            _("“%(name)s” is named as %(named)s but its content is %(real)s. Rename it or export it again.")
            % {"name": upload.name, "named": LABELS[extension], "real": LABELS[detected]},
            code="mismatch",
        )
    return CheckedFile(file_type=detected, size=len(data), sha256=hashlib.sha256(data).hexdigest())
