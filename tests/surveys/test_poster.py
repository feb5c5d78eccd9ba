"""The QR poster of a unit's survey: an A4 PDF in Vietnamese with the QR code and the address of
the public page, read back with pdftotext."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from surveys.views.poster import qr_svg


def pdf_text(data, tmp_path):
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "poster.pdf"
    path.write_bytes(data)
    command = [pdftotext, "-layout", str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout  # noqa: S603


def pdf_page_size(data, tmp_path):
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    path = tmp_path / "poster-info.pdf"
    path.write_bytes(data)
    info = subprocess.run([pdfinfo, str(path)], capture_output=True, check=True, text=True).stdout  # noqa: S603
    return info


def test_poster_is_an_a4_pdf_in_vietnamese_with_the_address(tree, officer_a, login, tmp_path):
    client = login(officer_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # printed in Vietnamese whatever the reader's language
    response = client.get(reverse("surveys:poster", args=[tree.unit_a.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(pdf_text(response.content, tmp_path).split())
    url = f"http://testserver{reverse('survey:form', args=[tree.unit_a.pk])}"
    for expected in (
        "Phường Bích Động",
        "Ý kiến của Ông/Bà giúp chúng tôi phục vụ tốt hơn!",
        "đánh giá mức độ hài lòng",
        "rất không hài lòng",
        url,
    ):
        assert expected in text, expected
    info = pdf_page_size(response.content, tmp_path)
    assert re.search(r"Pages:\s+1\b", info), info
    assert "A4" in info, info


def test_poster_uses_the_public_address_when_set(tree, officer_a, login, settings, tmp_path):
    settings.SURVEY_PUBLIC_BASE_URL = "https://hailong.bacgiang.gov.vn/"
    response = login(officer_a).get(reverse("surveys:poster", args=[tree.unit_a.pk]))
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert f"https://hailong.bacgiang.gov.vn/survey/{tree.unit_a.pk}/" in text


def test_qr_code_of_the_printed_poster_reads_back_the_address(tree, officer_a, login, tmp_path):
    """Print the PDF to an image and read the QR code with zbarimg (zbar-tools), as a phone would."""
    pdftoppm, zbarimg = shutil.which("pdftoppm"), shutil.which("zbarimg")
    if pdftoppm is None or zbarimg is None:
        pytest.skip("pdftoppm (poppler-utils) and zbarimg (zbar-tools) are needed to read the QR code back")
    response = login(officer_a).get(reverse("surveys:poster", args=[tree.unit_a.pk]))
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(response.content)
    command = [pdftoppm, "-r", "100", "-png", "-singlefile", str(pdf), str(tmp_path / "page")]
    subprocess.run(command, check=True)  # noqa: S603
    read = subprocess.run(  # noqa: S603
        [zbarimg, "--quiet", "--raw", str(tmp_path / "page.png")], capture_output=True, text=True, check=True
    ).stdout.split()
    assert read == [f"http://testserver{reverse('survey:form', args=[tree.unit_a.pk])}"]


def test_qr_svg_scales_to_its_box():
    svg = qr_svg("https://hailong.bacgiang.gov.vn/survey/12/")
    assert svg.startswith("<svg") and 'class="qr"' in svg and "viewBox" in svg
    assert "width=" not in svg.split(">")[0]  # sized by the poster's style, not by the symbol


def test_poster_is_scoped(tree, officer_b, login):
    assert login(officer_b).get(reverse("surveys:poster", args=[tree.unit_a.pk])).status_code == 404
    assert login(None).get(reverse("surveys:poster", args=[tree.unit_a.pk])).status_code == 302
