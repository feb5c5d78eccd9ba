"""core.spreadsheets: an upload (.xlsx or CSV in the encodings Vietnamese offices use) read into
rows of strings; a file that cannot be read is refused as a whole with a clear message."""

import datetime
import io
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from core import spreadsheets
from core.spreadsheets import ImportFileError, read_rows

COLUMNS = ("unit", "month", "received", "note")
ALIASES = {
    "unit": {"unit", "don vi", "ten don vi"},
    "month": {"month", "thang", "ky bao cao"},
    "received": {"received", "tiep nhan", "so ho so tiep nhan"},
    "note": {"note", "ghi chu"},
}
REQUIRED = ("unit", "month", "received")


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def read(upload, **kwargs):
    return read_rows(upload, columns=COLUMNS, aliases=ALIASES, required=REQUIRED, **kwargs)


def csv_bytes(rows, delimiter=",", encoding="utf-8"):
    return "\r\n".join(delimiter.join(row) for row in rows).encode(encoding)


def to_cp1258(text):
    """Text as Windows-1258 writes it: letters with their hat or horn, tone marks combining."""
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        hats = "".join(c for c in decomposed[1:] if c in "\u0302\u0306\u031b")  # â ă ơ ư
        tones = "".join(c for c in decomposed[1:] if c not in hats)
        out.append(
            unicodedata.normalize("NFC", decomposed[0] + hats).encode("cp1258") + tones.encode("cp1258")
        )
    return b"".join(out)


def upload(data, name="so-lieu.csv"):
    return SimpleUploadedFile(name, data)


def xlsx_upload(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("so-lieu.xlsx", buffer.getvalue())


VI_HEADER = ["Tên đơn vị", "Tháng", "Số hồ sơ tiếp nhận", "Ghi chú"]


def test_xlsx_with_a_title_block_and_vietnamese_headers():
    rows = read(
        xlsx_upload(
            [
                ["BÁO CÁO SỐ LIỆU HỒ SƠ MỘT CỬA"],
                [],
                VI_HEADER,
                ["Phường Bích Động", datetime.datetime(2024, 1, 1), 120.0, None],
                [None, None, None, None],
                ["Phường Ninh Sơn", "02/2024", 98, "  sổ   ghi  thiếu "],
            ]
        )
    )
    assert rows == [
        {"line": 4, "unit": "Phường Bích Động", "month": "2024-01-01", "received": "120", "note": ""},
        {"line": 6, "unit": "Phường Ninh Sơn", "month": "02/2024", "received": "98", "note": "sổ ghi thiếu"},
    ]


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        (b"\xef\xbb\xbf", ","),  # UTF-8 with a BOM, as Excel's "CSV UTF-8" writes it
        (b"", ";"),  # plain UTF-8, semicolons (Excel in a Vietnamese locale)
        (b"", "\t"),
    ],
)
def test_csv_in_utf8_with_any_separator(data, delimiter):
    body = csv_bytes([VI_HEADER, ["Xã Quang Châu", "03/2024", "45", ""]], delimiter=delimiter)
    rows = read(upload(data + body))
    assert rows == [{"line": 2, "unit": "Xã Quang Châu", "month": "03/2024", "received": "45", "note": ""}]


def test_csv_in_windows_1258_and_utf16():
    text_rows = [VI_HEADER, ["Xã Tăng Tiến", "04/2024", "7", "đủ"]]
    cp1258 = to_cp1258("\r\n".join(",".join(row) for row in text_rows))
    with pytest.raises(UnicodeDecodeError):
        cp1258.decode("utf-8")  # the fallback is really exercised
    assert read(upload(cp1258))[0]["unit"] == "Xã Tăng Tiến"  # composed again (NFC)
    utf16 = "\r\n".join("\t".join(r) for r in text_rows).encode("utf-16")
    assert read(upload(utf16))[0] == {
        "line": 2,
        "unit": "Xã Tăng Tiến",
        "month": "04/2024",
        "received": "7",
        "note": "đủ",
    }


def test_headers_without_diacritics_and_a_missing_optional_column():
    rows = read(upload(b"Don vi,Thang,Tiep nhan\nBich Dong,1/2024,3\n"))
    assert rows == [{"line": 2, "unit": "Bich Dong", "month": "1/2024", "received": "3", "note": ""}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"   \n  ", "The file is empty."),
        (b"%PDF-1.4 \x00\x01", "neither an Excel workbook (.xlsx) nor a CSV file in UTF-8"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "Old Excel files (.xls) are not accepted"),
        (b"PK\x03\x04 not a zip", "cannot be read as an Excel workbook (.xlsx)"),
        (
            b"a,b\n1,2\n",
            "No header row found. The first rows must name the columns: unit, month, received, note.",
        ),
        (b"unit,note\nx,y\n", "Missing column(s): month, received."),
        (b"unit,month,received\n", "The file has a header row but no data below it."),
    ],
)
def test_unreadable_files_are_refused_clearly(data, message):
    with pytest.raises(ImportFileError) as exc:
        read(upload(data))
    assert message in exc.value.messages[0]


def test_labels_and_header_marker_shape_the_messages():
    with pytest.raises(ImportFileError, match="Missing column\\(s\\): month \\(tháng\\)"):
        read(upload(b"unit,received\nx,1\n"), labels={"month": "month (tháng)"})
    # With the marker on "received", a row naming only the unit is not taken for the header.
    with pytest.raises(ImportFileError, match="No header row found"):
        read(upload(b"unit,x\nBich Dong,1\n"), header_marker="received")


def test_header_further_than_the_search_window_is_not_found():
    rows = [["title"]] * spreadsheets.HEADER_SEARCH_ROWS + [
        ["unit", "month", "received"],
        ["x", "1/2024", "1"],
    ]
    with pytest.raises(ImportFileError, match="No header row found"):
        read(upload(csv_bytes(rows)))


def test_size_and_row_limits():
    big = csv_bytes([["unit", "month", "received"], ["x" * 300, "1/2024", "1"]])
    with pytest.raises(ImportFileError, match="too big"):
        read(upload(big), max_bytes=100)
    many = [["unit", "month", "received"]] + [[f"u{i}", "1/2024", "1"] for i in range(11)]
    with pytest.raises(ImportFileError, match="more than 10 rows"):
        read(upload(csv_bytes(many)), max_rows=10)
    assert len(read(upload(csv_bytes(many[:11])), max_rows=10)) == 10


def test_a_word_file_renamed_xlsx_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ImportFileError, match="cannot be read as an Excel workbook"):
        read(SimpleUploadedFile("so-lieu.xlsx", buffer.getvalue()))


def test_helpers():
    assert spreadsheets.header_key("Sửa đổi, bổ sung") == "sua doi bo sung"
    assert spreadsheets.lookup({"x": {"ma tthc"}}, " Mã  TTHC ") == "x"
    assert spreadsheets.lookup({"x": {"ma tthc"}}, "Tên") is None
    assert spreadsheets.cell_text(12.0) == "12"
    assert spreadsheets.cell_text(12.5) == "12.5"
    assert spreadsheets.cell_text(datetime.date(2024, 2, 1)) == "2024-02-01"
    assert spreadsheets.cell_text(None) == ""
