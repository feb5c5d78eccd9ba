"""The audit report as a PDF in Vietnamese (WeasyPrint), read back with pdftotext."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from audits.models import Audit, Finding
from tests.audits.matrix_audits import clause, make_audit, make_item


@pytest.fixture
def reported(tree, auditor, supervisor):
    audit = make_audit(tree.unit_a, lead=auditor, team=[supervisor], state=Audit.State.REPORT_ISSUED)
    audit.conclusion = "Hệ thống quản lý chất lượng được duy trì phù hợp."
    audit.scope_processes = "Bộ phận tiếp nhận và trả kết quả"
    audit.save()
    make_item(
        audit, "4.1", question="Đơn vị đã xác định bối cảnh chưa?", answer="conforming", evidence="Báo cáo"
    )
    make_item(
        audit, "7.5", question="Sổ công văn có cập nhật?", answer="nonconforming", evidence="Thiếu 12 trang"
    )
    Finding.objects.create(
        audit=audit,
        kind=Finding.Kind.MINOR,
        clause=clause("7.5"),
        description="Sổ theo dõi công văn đến chưa cập nhật đầy đủ.",
        evidence="Sổ công văn đến năm 2019.",
        raised_by=auditor,
    )
    return audit


def pdf_text(data, tmp_path):
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    command = [pdftotext, "-layout", str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout  # noqa: S603


def test_report_pdf_is_in_vietnamese_with_every_part(reported, officer_a, login, tmp_path):
    client = login(officer_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the filed report stays Vietnamese
    response = client.get(reverse("audits:audit_report_pdf", args=[reported.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    text = " ".join(pdf_text(data, tmp_path).split())
    for expected in (
        "BÁO CÁO ĐÁNH GIÁ NỘI BỘ",
        "Phường Bích Động",
        "Kết luận",
        "Hệ thống quản lý chất lượng được duy trì phù hợp.",
        "4.1 Hiểu tổ chức và bối cảnh của tổ chức",
        # Table cells wrap: check their first words.
        "Không phù",
        "Điểm không phù",
        "Sổ theo dõi công văn đến",
        "Bộ phận tiếp nhận và trả kết quả",
        "Nguyễn Thu Hà",  # the team (the factories' name)
        "2/39",  # depth: clauses covered
    ):
        assert expected in text, expected
    assert "Bản dự thảo" not in text


def test_report_pdf_of_an_audit_in_progress_is_marked_draft(tree, auditor, login, tmp_path):
    audit = make_audit(tree.unit_a, lead=auditor, state=Audit.State.IN_PROGRESS)
    response = login(auditor).get(reverse("audits:audit_report_pdf", args=[audit.pk]))
    assert "Bản dự thảo" in " ".join(pdf_text(response.content, tmp_path).split())


def test_report_pdf_is_scoped(reported, officer_b, login):
    assert login(officer_b).get(reverse("audits:audit_report_pdf", args=[reported.pk])).status_code == 404
