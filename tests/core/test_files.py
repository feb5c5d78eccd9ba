"""Uploaded files are judged by their content, never by their name (issue: file validation).

Every file here is built in the test: a PDF, OOXML (DOCX by hand, XLSX with openpyxl) and ODT
zip archives with the members that make them what they are, and OLE2 compound files (DOC, XLS)
assembled byte by byte (no library writes new OLE2 files): a header, one FAT sector and one
directory sector naming the stream that tells Word from Excel.
"""

import hashlib
import io
import struct
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from core import files as filetypes
from documents.demo import minimal_pdf
from documents.models import RevisionFile
from documents.services import lifecycle
from tests.documents.factories_services import docx_bytes, draft_of, make_document


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- real minimal files -----------------------------------------------------------------------
def pdf_bytes():
    return minimal_pdf("Quy trình kiểm soát tài liệu", ["Phường Bích Động"])


def xlsx_bytes():
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Danh mục tài liệu"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odt_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # ODF: `mimetype` comes first, stored uncompressed.
        archive.writestr("mimetype", filetypes.CONTENT_TYPES["odt"], compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>')
    return buffer.getvalue()


_END, _FREE, _FAT, _NONE = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def _directory_entry(name, kind, child=_NONE):
    raw = name.encode("utf-16-le") + b"\0\0" if name else b""
    return (
        raw.ljust(64, b"\0")
        + struct.pack("<HBB", len(raw), kind, 1 if name else 0)
        + struct.pack("<III", _NONE, _NONE, child)
        + bytes(16 + 4 + 16)  # CLSID, state bits, creation and modification times
        + struct.pack("<IQ", _END, 0)  # an empty stream: no sector
    )


def ole_bytes(stream_name):
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding one empty stream."""
    header = (
        filetypes._OLE_MAGIC
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        # directory sectors, FAT sectors, first directory sector, transaction, mini cutoff,
        # first mini FAT sector, mini FAT sectors, first DIFAT sector, DIFAT sectors
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 0x1000, _END, 0, _END, 0)
        + struct.pack("<I", 0)  # the FAT is sector 0
        + struct.pack("<I", _FREE) * 108
    )
    fat = struct.pack("<II", _FAT, _END) + struct.pack("<I", _FREE) * 126
    directory = (
        _directory_entry("Root Entry", 5, child=1)
        + _directory_entry(stream_name, 2)
        + _directory_entry("", 0) * 2
    )
    return header + fat + directory


def upload(name, data):
    return SimpleUploadedFile(name, data)


VALID = {
    "pdf": pdf_bytes,
    "docx": docx_bytes,
    "xlsx": xlsx_bytes,
    "odt": odt_bytes,
    "doc": lambda: ole_bytes("WordDocument"),
    "xls": lambda: ole_bytes("Workbook"),
}


# --- accepted -----------------------------------------------------------------------------------
@pytest.mark.parametrize("file_type", sorted(VALID))
def test_each_accepted_type(file_type):
    data = VALID[file_type]()
    checked = filetypes.check_upload(upload(f"tai-lieu.{file_type}", data))
    assert checked.file_type == file_type
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


def test_old_excel_5_book_stream_is_xls():
    assert filetypes.sniff(ole_bytes("Book")) == "xls"


def test_the_extension_is_not_case_sensitive():
    assert filetypes.check_upload(upload("QUY-TRINH.PDF", pdf_bytes())).file_type == "pdf"


def test_the_upload_can_be_read_again_after_the_check():
    f = upload("a.pdf", pdf_bytes())
    filetypes.check_upload(f)
    assert f.read() == pdf_bytes()


# --- refused, with a message that can be shown -------------------------------------------------
def refusal(name, data):
    with pytest.raises(ValidationError) as excinfo:
        filetypes.check_upload(upload(name, data))
    (error,) = excinfo.value.error_list
    return error.code, error.message


@pytest.mark.parametrize("name", ["ghi-chu.txt", "anh.jpg", "setup.exe", "khong-duoi"])
def test_wrong_type(name):
    assert refusal(name, b"hello") == (
        "extension",
        "Only PDF, Word (DOC, DOCX), Excel (XLS, XLSX) and ODT files are accepted.",
    )


def test_too_big():
    data = pdf_bytes()
    with override_settings(DOCUMENT_MAX_UPLOAD_BYTES=len(data) - 1):
        code, text = refusal("a.pdf", data)
    assert code == "too_big"
    assert text.replace("\xa0", " ") == f"The file is {len(data)} bytes; the limit is {len(data) - 1} bytes."
    with override_settings(DOCUMENT_MAX_UPLOAD_BYTES=len(data)):
        assert filetypes.check_upload(upload("a.pdf", data)).size == len(data)


def test_default_limit_is_20_mb(settings):
    assert settings.DOCUMENT_MAX_UPLOAD_BYTES == 20 * 1024 * 1024


def test_empty():
    assert refusal("a.pdf", b"") == ("empty", "The file is empty.")


def test_an_executable_renamed_pdf():
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)
    assert refusal("bao-cao.pdf", program) == (
        "content",
        "The content of “bao-cao.pdf” is not a PDF, Word, Excel or ODT file, whatever its name says.",
    )


def test_a_docx_renamed_pdf():
    assert refusal("bao-cao.pdf", docx_bytes()) == (
        "mismatch",
        "“bao-cao.pdf” is named as PDF but its content is Word (.docx). Rename it or export it again.",
    )


@pytest.mark.parametrize(
    ("name", "builder", "real"),
    [
        ("so-lieu.docx", xlsx_bytes, "Excel (.xlsx)"),
        ("van-ban.doc", pdf_bytes, "PDF"),
        ("bang.xls", lambda: ole_bytes("WordDocument"), "Word (.doc)"),
        ("van-ban.odt", docx_bytes, "Word (.docx)"),
    ],
)
def test_other_mismatches(name, builder, real):
    code, text = refusal(name, builder())
    assert code == "mismatch" and f"its content is {real}" in text


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # A zip that is no office document, and one whose members are damaged.
        ("a.docx", b"PK\x03\x04" + bytes(40)),
        ("a.odt", None),
        # An OLE2 file of another program, and OLE2 headers followed by garbage (short and long:
        # olefile takes short bytes for a file name, long garbage trips its parser).
        ("a.doc", None),
        ("a.doc", filetypes._OLE_MAGIC + b"x" * 100),
        ("a.xls", filetypes._OLE_MAGIC + b"\0" * 600),
        ("a.xls", filetypes._OLE_MAGIC + b"\xff" * 4000),
        ("a.pdf", b"%PDX-1.4 not quite"),
    ],
)
def test_damaged_or_foreign_content_is_refused_not_crashed(name, data):
    if data is None and name.endswith(".odt"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("mimetype", filetypes.CONTENT_TYPES["odt"] * 3)
        damaged = bytearray(buffer.getvalue())
        payload = 30 + len("mimetype")  # the local header, then the deflated bytes
        damaged[payload : payload + 8] = b"\xff" * 8
        data = bytes(damaged)
    elif data is None:
        data = ole_bytes("Contents")
    assert refusal(name, data)[0] == "content"


def test_a_plain_zip_is_not_an_office_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert filetypes.sniff(buffer.getvalue()) is None


# --- through the service: nothing is stored when the check fails -------------------------------
@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "data", "limit"),
    [
        ("virus.pdf", b"MZ" + bytes(100), None),
        ("bao-cao.pdf", docx_bytes(), None),
        ("anh.png", b"\x89PNG\r\n", None),
        ("lon.pdf", pdf_bytes(), 10),
        ("rong.pdf", b"", None),
    ],
)
def test_attach_stores_nothing_when_refused(tree, officer_a, media, settings, name, data, limit):
    if limit:
        settings.DOCUMENT_MAX_UPLOAD_BYTES = limit
    revision = draft_of(make_document(officer_a, tree.unit_a))
    with pytest.raises(ValidationError):
        lifecycle.revision_attach_file(actor=officer_a, revision=revision, upload=upload(name, data))
    assert not RevisionFile.objects.exists()
    assert stored_files(media) == []


def test_attach_stores_privately_with_the_sha256(tree, officer_a, media):
    revision = draft_of(make_document(officer_a, tree.unit_a))
    data = xlsx_bytes()
    attached = lifecycle.revision_attach_file(
        actor=officer_a, revision=revision, upload=upload("Danh mục tài liệu.xlsx", data)
    )
    assert (attached.original_name, attached.file_type, attached.size) == (
        "Danh mục tài liệu.xlsx",
        "xlsx",
        len(data),
    )
    assert attached.sha256 == hashlib.sha256(data).hexdigest()
    assert attached.uploaded_by == officer_a
    (path,) = stored_files(media)
    assert path.read_bytes() == data
    # Stored under a random name in the unit's folder: the uploaded name is never trusted on disk.
    assert path.parent.name == str(tree.unit_a.pk)
    assert "Danh" not in path.name and "." not in path.name
