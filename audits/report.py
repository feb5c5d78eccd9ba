"""The internal-audit report as a PDF in Vietnamese (ISO 9001:2015 §9.2.2 e: report the results
to the relevant management), rendered by WeasyPrint from templates/audits/report_pdf.html.

WeasyPrint needs Pango at import time: it is imported inside the function, so the application
starts (and every other page works) on a machine without it.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from audits import selectors
from audits.models import Audit, ChecklistItem, Finding

# The report is filed in Vietnamese whatever the reader's language (see the template).
VI_ANSWERS = {
    ChecklistItem.Answer.UNANSWERED: "Chưa trả lời",
    ChecklistItem.Answer.CONFORMING: "Phù hợp",
    ChecklistItem.Answer.NONCONFORMING: "Không phù hợp",
    ChecklistItem.Answer.NOT_APPLICABLE: "Không áp dụng",
}
VI_KINDS = {
    Finding.Kind.MAJOR: "Điểm không phù hợp nặng",
    Finding.Kind.MINOR: "Điểm không phù hợp nhẹ",
    Finding.Kind.OBSERVATION: "Điểm lưu ý",
    Finding.Kind.IMPROVEMENT: "Cơ hội cải tiến",
}


def clause_groups(items):
    """[(clause, [items])] in the clauses' order (the items come ordered by clause)."""
    groups = []
    for item in items:
        if not groups or groups[-1][0].pk != item.clause_id:
            groups.append((item.clause, []))
        groups[-1][1].append(item)
    return groups


def report_context(audit):
    """What the report shows: unit, dates, team, scope, depth, checklist by clause, findings."""
    if not hasattr(audit, "questions"):
        audit = selectors.with_depth(Audit.objects.select_related("unit", "lead_auditor", "programme")).get(
            pk=audit.pk
        )
    items = list(audit.checklist.select_related("clause"))
    for item in items:
        item.answer_vi = VI_ANSWERS.get(item.answer, item.answer)
    findings = list(audit.findings.select_related("clause", "raised_by").prefetch_related("attachments"))
    for finding in findings:
        finding.kind_vi = VI_KINDS.get(finding.kind, finding.kind)
    return {
        "audit": audit,
        "depth": selectors.depth_of(audit),
        "team": list(audit.team.all()),
        "clauses": list(audit.scope_clauses.all()),
        "groups": clause_groups(items),
        "findings": findings,
        "printed_on": timezone.localdate(),
        "draft": audit.state in (Audit.State.PLANNED, Audit.State.IN_PROGRESS),
    }


def render_audit_report(audit, language="vi") -> bytes:
    """The report's PDF bytes; in Vietnamese whatever the reader's language (it is filed)."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string("audits/report_pdf.html", report_context(audit))
    # No base URL: the template is self-contained and the renderer fetches nothing.
    return HTML(string=html).write_pdf()
