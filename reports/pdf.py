"""The annual report to the Department of Science and Technology as a PDF in Vietnamese, rendered
by WeasyPrint from templates/reports/annual/report_pdf.html (A4, Noto fonts).

The report is filed with the Department (Decision 19/2014/QĐ-TTg Art. 9): it is always in
Vietnamese, whatever the reader's language, so its fixed wording and the labels of the choices are
written here and in the template in Vietnamese (as audits/report.py does for the audit report).
WeasyPrint needs Pango at import time: it is imported inside the function.
"""

from django.template.loader import render_to_string
from django.utils import translation

from audits.models import Audit
from certification.models import QmsProfile
from communes.models import Unit

VI_STATUS = {
    QmsProfile.Status.BUILDING: "Đang xây dựng",
    QmsProfile.Status.APPLYING: "Đang áp dụng",
    QmsProfile.Status.ANNOUNCED: "Đã công bố",
    QmsProfile.Status.NEEDS_REANNOUNCEMENT: "Cần công bố lại",
    QmsProfile.Status.NEEDS_ANNOUNCEMENT: "Cần công bố lại (đơn vị mới sau sáp nhập)",
    QmsProfile.Status.LAPSED: "Không còn hiệu lực",
}
VI_AUDIT_STATES = {
    Audit.State.PLANNED: "Theo kế hoạch",
    Audit.State.IN_PROGRESS: "Đang đánh giá",
    Audit.State.REPORT_ISSUED: "Đã ban hành báo cáo",
    Audit.State.CLOSED: "Đã kết thúc",
}


def percent(rate) -> str:
    """0.925 → "92,5%" (Vietnamese decimal comma); "—" when nothing was rated."""
    if rate is None:
        return "—"
    return f"{float(rate) * 100:.1f}".replace(".", ",") + "%"


def addressee(unit) -> str:
    """The Department the report goes to: that of the unit's province ("Sở Khoa học và Công nghệ
    tỉnh Bắc Giang"), or without a place when no province is above the unit. One query."""
    pks = [int(pk) for pk in unit.path.strip("/").split("/")]
    province = Unit.objects.filter(pk__in=pks, kind=Unit.Kind.PROVINCE).order_by("depth").first()
    if province is None:
        return "Sở Khoa học và Công nghệ"
    name = province.name
    if name[:1].isupper() and " " in name:  # "Tỉnh Bắc Giang" → "tỉnh Bắc Giang"
        name = name[0].lower() + name[1:]
    return f"Sở Khoa học và Công nghệ {name}"


def pdf_context(content) -> dict:
    for line in content.lines:
        line.status_vi = VI_STATUS.get(line.qms.status, "Chưa có hồ sơ HTQLCL")
        line.rate_vi = percent(line.rate)
    for audit in content.audits:
        audit.state_vi = VI_AUDIT_STATES.get(audit.state, audit.state)
    return {
        "c": content,
        "s": content.summary,
        "rate_vi": percent(content.summary.rate),
        "addressee": addressee(content.unit),
    }


def render_annual_report(content, language="vi") -> bytes:
    """The report's PDF bytes; in Vietnamese whatever the reader's language (it is filed)."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string("reports/annual/report_pdf.html", pdf_context(content))
    # No base URL: the template is self-contained and the renderer fetches nothing.
    return HTML(string=html).write_pdf()
