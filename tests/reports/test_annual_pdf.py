"""The annual report as a PDF in Vietnamese (WeasyPrint), read back with pdftotext."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from reports import services
from tests.reports.annual_data import YEAR, build_year


def pdf_text(data, tmp_path):
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    command = [pdftotext, "-layout", str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout  # noqa: S603


def test_pdf_is_the_vietnamese_report_to_the_department(
    tree, supervisor, officer_a, auditor, committee, login, tmp_path
):
    build_year(tree, supervisor, officer_a, auditor)
    services.annual_report_save(
        actor=supervisor,
        unit=tree.district,
        year=YEAR,
        problems="Cán bộ phụ trách ISO thay đổi thường xuyên.",
        proposals="Đề nghị Sở hỗ trợ kinh phí duy trì hệ thống.",
    )
    client = login(committee)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the filed report stays Vietnamese
    response = client.get(f"{reverse('reports:annual_report_pdf', args=[YEAR])}?unit={tree.district.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(pdf_text(response.content, tmp_path).split())
    for expected in (
        "BÁO CÁO",
        "Tình hình xây dựng, áp dụng, duy trì và cải tiến HTQLCL theo TCVN ISO 9001:2015 năm 2024",
        "Kính gửi: Sở Khoa học và Công nghệ tỉnh Bắc Giang",
        "HUYỆN VIỆT YÊN",
        "Phường Bích Động",
        "Phường Ninh Sơn",
        "Xã Tăng Tiến",
        "Đã công bố",
        "15/QĐ-UBND",
        "73,9%",  # 17 of 23 citizens satisfied
        "KHÓ KHĂN, VƯỚNG MẮC",
        "Cán bộ phụ trách ISO thay đổi thường xuyên.",
        "ĐỀ XUẤT, KIẾN NGHỊ",
        "Đề nghị Sở hỗ trợ kinh phí duy trì hệ thống.",
        "120/QĐ-SKHCN",
        "31/12/2024",  # the status is that of the year's last day
    ):
        assert expected in text, expected
    assert "Xã Đã Sáp Nhập" not in text and "Xã Đức Thắng" not in text
