"""Excel workbooks of the reports app (openpyxl, write-only: rows go straight to the file, so a
register of thousands of rows does not sit in memory as cell objects).

- the annual report to the Department of Science and Technology: summary, units, audits,
  reviews, inspections, nonconformities, satisfaction;
- the registers auditors ask for: documents, TTHC coverage, audits and findings, corrective actions.

Headers go through gettext, so a workbook speaks the language of the request (Vietnamese by
default). Text typed by users is written as text, never as a formula.
"""

import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from audits.models import CorrectiveAction
from core.templatetags.qms import person
from documents.models import Revision

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
DATE_FORMAT = "DD/MM/YYYY"
MONTH_FORMAT = "MM/YYYY"
# Characters Excel refuses in a sheet's name, and its length limit.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Percent:
    """A rate from 0 to 1, shown as a percentage."""

    value: Decimal | float | None


@dataclass(frozen=True)
class Month:
    """A date shown as its month (an audit's planned month)."""

    value: datetime.date | None


def yes_no(value) -> str:
    return _("yes") if value else _("no")


class Writer:
    """A write-only workbook: `sheet()` adds a sheet with its header row, `row()` appends."""

    def __init__(self):
        self.workbook = Workbook(write_only=True)

    def sheet(self, title, headers=(), widths=()):
        sheet = self.workbook.create_sheet(_SHEET_FORBIDDEN.sub(" ", str(title))[:31])
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        if headers:
            sheet.freeze_panes = "A2"
            cells = []
            for text in headers:
                cell = WriteOnlyCell(sheet, value=str(text))
                cell.font = Font(bold=True)
                cell.fill = HEADER_FILL
                cell.alignment = Alignment(wrap_text=True, vertical="center")
                cells.append(cell)
            sheet.append(cells)
        return sheet

    def row(self, sheet, values, bold=False):
        sheet.append([self._cell(sheet, value, bold) for value in values])

    def _cell(self, sheet, value, bold=False):
        number_format = None
        if isinstance(value, Percent):
            value, number_format = (None if value.value is None else float(value.value)), "0.0%"
        elif isinstance(value, Month):
            value, number_format = value.value, MONTH_FORMAT
        elif isinstance(value, Decimal):
            value = float(value)
        elif isinstance(value, datetime.datetime):
            value, number_format = value.replace(tzinfo=None), "DD/MM/YYYY HH:MM"
        elif isinstance(value, datetime.date):
            number_format = DATE_FORMAT
        elif value is not None and not isinstance(value, int | float):
            value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        cell = WriteOnlyCell(sheet, value=value if value != "" else None)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # typed text, not a formula
        if number_format and value is not None:
            cell.number_format = number_format
        if bold:
            cell.font = Font(bold=True)
        return cell

    def content(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


# --- The annual report -------------------------------------------------------------------------
def annual_title(content) -> str:
    return _(
        "Report on building, applying, maintaining and improving the QMS under TCVN ISO 9001:2015 in %(year)s"
    ) % {"year": content.year}


def summary_figures(content) -> list[tuple[str, object]]:
    """(label, value) of the report's headline figures, shared by the page and the workbook."""
    s = content.summary
    return [
        (_("Units with a QMS"), s.units),
        (_("Units with a QMS profile"), s.with_profile),
        (_("Units announced (current announcement)"), s.announced),
        (_("Units on TCVN ISO 9001:2015"), s.on_current_version),
        (_("Internal audits held"), s.audits),
        (_("Units audited"), s.audited),
        (_("Management reviews held"), s.reviews),
        (_("Units that held a management review"), s.reviewed),
        (_("Inspections planned"), s.inspections),
        (_("Units inspected (minutes signed)"), s.inspected),
        (_("Nonconformities raised"), s.nc_opened),
        (_("Nonconformities closed"), s.nc_closed),
        (_("Nonconformities overdue"), s.nc_overdue),
        (_("Citizens' ratings"), s.rated),
        (_("Satisfaction rate"), Percent(s.rate)),
    ]


def annual_workbook(content) -> bytes:
    writer = Writer()

    sheet = writer.sheet(_("Summary"), widths=(48, 60))
    writer.row(sheet, [annual_title(content)], bold=True)
    writer.row(sheet, [_("Supervising unit"), content.unit.name])
    writer.row(sheet, [_("Year"), content.year])
    writer.row(sheet, [_("Printed on"), content.printed_on])
    writer.row(sheet, [])
    for label, value in summary_figures(content):
        writer.row(sheet, [label, value])
    writer.row(sheet, [])
    writer.row(sheet, [_("Problems and difficulties"), content.problems])
    writer.row(sheet, [_("Proposals and recommendations"), content.proposals])

    sheet = writer.sheet(
        _("Units"),
        [
            _("No."),
            _("Unit"),
            _("Kind"),
            _("QMS wave"),
            _("QMS status on %(day)s") % {"day": date_format(content.status_day, "SHORT_DATE_FORMAT")},
            _("Standard version"),
            _("Current announcement"),
            _("Announced on"),
            _("Internal audits held"),
            _("Last internal audit"),
            _("Management reviews held"),
            _("Last management review"),
            _("Inspections"),
            _("Nonconformities raised"),
            _("Nonconformities closed"),
            _("Nonconformities overdue"),
            _("Satisfaction rate"),
        ],
        widths=(6, 30, 12, 16, 20, 20, 18, 13, 10, 12, 10, 13, 10, 10, 10, 10, 12),
    )
    for number, line in enumerate(content.lines, start=1):
        announcement = line.qms.announcement
        writer.row(
            sheet,
            [
                number,
                line.unit.name,
                line.unit.get_kind_display(),
                line.unit.wave.name if line.unit.wave else "",
                line.qms.get_status_display() or _("no QMS profile"),
                line.version,
                announcement.number if announcement else "",
                announcement.signed_on if announcement else None,
                len(line.audits_held),
                Month(line.last_audit.planned_month if line.last_audit else None),
                len(line.reviews),
                line.last_review.held_on if line.last_review else None,
                len(line.inspections),
                line.nc_opened,
                line.nc_closed,
                line.nc_overdue,
                Percent(line.rate),
            ],
        )

    sheet = writer.sheet(
        _("Internal audits"),
        [
            _("Unit"),
            _("Planned month"),
            _("State"),
            _("Lead auditor"),
            _("Started on"),
            _("Report issued on"),
            _("Major nonconformities"),
            _("Minor nonconformities"),
            _("Observations"),
            _("Opportunities for improvement"),
        ],
        widths=(30, 12, 18, 24, 12, 12, 12, 12, 12, 12),
    )
    for audit in content.audits:
        writer.row(
            sheet,
            [
                audit.unit.name,
                Month(audit.planned_month),
                audit.get_state_display(),
                person(audit.lead_auditor),
                audit.started_on,
                audit.report_issued_on,
                audit.major,
                audit.minor,
                audit.observations,
                audit.improvements,
            ],
        )

    sheet = writer.sheet(
        _("Management reviews"),
        [_("Unit"), _("Held on"), _("Chaired by"), _("Outputs"), _("Conclusion on the QMS")],
        widths=(30, 12, 24, 10, 60),
    )
    for review in content.reviews:
        writer.row(
            sheet,
            [review.unit.name, review.held_on, review.chair, review.outputs_count, review.conclusion],
        )

    sheet = writer.sheet(
        _("Inspections"),
        [
            _("Unit"),
            _("Inspection decision number"),
            _("Planned on"),
            _("Minutes signed on"),
            _("Findings"),
            _("Corrective-action report due on"),
            _("Report submitted on"),
        ],
        widths=(30, 20, 12, 12, 10, 14, 14),
    )
    for inspection in content.inspections:
        writer.row(
            sheet,
            [
                inspection.unit.name,
                inspection.decision_number,
                inspection.planned_on,
                inspection.minutes_signed_on,
                inspection.findings_count,
                inspection.report_due_on,
                inspection.report_submitted_on,
            ],
        )

    sheet = writer.sheet(
        _("Nonconformities"),
        [_("Unit"), _("Raised in the year"), _("Closed in the year"), _("Overdue")],
        widths=(30, 14, 14, 14),
    )
    for line in content.lines:
        writer.row(sheet, [line.unit.name, line.nc_opened, line.nc_closed, line.nc_overdue])

    sheet = writer.sheet(
        _("Satisfaction"),
        [_("Unit"), _("Ratings"), _("Satisfied"), _("Satisfaction rate")],
        widths=(30, 12, 12, 14),
    )
    for line in content.lines:
        writer.row(sheet, [line.unit.name, line.rated, line.satisfied, Percent(line.rate)])
    return writer.content()


# --- Registers for auditors --------------------------------------------------------------------
def documents_workbook(documents) -> bytes:
    """`documents`: documents.selectors.document_register, with the TTHC served prefetched."""
    writer = Writer()
    sheet = writer.sheet(
        _("Documents"),
        [
            _("Code"),
            _("Title"),
            _("Kind"),
            _("Unit"),
            _("Current issue"),
            _("Issue state"),
            _("Approved on"),
            _("Effective from"),
            _("Review every (months)"),
            _("Next review on"),
            _("Status"),
            _("TTHC served"),
        ],
        widths=(14, 50, 20, 28, 8, 16, 12, 12, 10, 12, 14, 30),
    )
    states = dict(Revision.State.choices)
    for document in documents:
        writer.row(
            sheet,
            [
                document.code,
                document.title,
                document.get_kind_display(),
                document.unit.name,
                document.issue_number,
                states.get(document.issue_state, ""),
                document.issue_approved_on,
                document.issue_effective_from,
                document.review_period_months,
                document.next_review_on,
                document.get_status_display(),
                ", ".join(p.code for p in document.procedures.all()),
            ],
        )
    return writer.content()


def coverage_workbook(lines) -> bytes:
    """`lines`: documents.selectors.coverage_register."""
    writer = Writer()
    sheet = writer.sheet(
        _("TTHC coverage"),
        [
            _("Unit"),
            _("TTHC code"),
            _("Administrative procedure"),
            _("Field"),
            _("Has a procedure in force"),
            _("Procedure documents"),
        ],
        widths=(28, 16, 60, 18, 12, 50),
    )
    for line in lines:
        writer.row(
            sheet,
            [
                line.unit.name,
                line.procedure.code,
                line.procedure.name,
                line.procedure.field,
                yes_no(line.covered),
                "; ".join(f"{d.code} — {d.title} ({d.get_status_display()})" for d in line.documents),
            ],
        )
    return writer.content()


def audits_workbook(audits, link) -> bytes:
    """`audits`: audits.selectors.findings_register; one row per finding (one per audit without
    findings). `link(obj)` gives the absolute address of an object's page."""
    writer = Writer()
    sheet = writer.sheet(
        _("Audits and findings"),
        [
            _("Audit"),
            _("Unit"),
            _("Planned month"),
            _("State"),
            _("Started on"),
            _("Report issued on"),
            _("Lead auditor"),
            _("Audit team"),
            _("Finding"),
            _("Clause"),
            _("Description"),
            _("Nonconformity"),
            _("Link to the nonconformity"),
        ],
        widths=(36, 28, 10, 16, 12, 12, 22, 30, 22, 10, 60, 36, 40),
    )
    for audit in audits:
        first = [
            str(audit),
            audit.unit.name,
            Month(audit.planned_month),
            audit.get_state_display(),
            audit.started_on,
            audit.report_issued_on,
            person(audit.lead_auditor),
            ", ".join(person(u) for u in audit.team.all()),
        ]
        findings = list(audit.findings.all())
        if not findings:
            writer.row(sheet, first)
        for finding in findings:
            nc = getattr(finding, "nonconformity", None)
            writer.row(
                sheet,
                first
                + [
                    finding.get_kind_display(),
                    finding.clause.code,
                    finding.description,
                    nc.title if nc else "",
                    link(nc) if nc else "",
                ],
            )
    return writer.content()


def actions_workbook(actions, today) -> bytes:
    """`actions`: audits.selectors.actions_register."""
    writer = Writer()
    sheet = writer.sheet(
        _("Corrective actions"),
        [
            _("Nonconformity"),
            _("Unit"),
            _("Source"),
            _("Raised on"),
            _("Nonconformity status"),
            _("Corrective action"),
            _("Owner"),
            _("Due on"),
            _("State"),
            _("Done on"),
            _("Verified by"),
            _("Verified on"),
            _("Overdue"),
        ],
        widths=(36, 28, 18, 12, 12, 50, 22, 12, 20, 12, 22, 12, 10),
    )
    for action in actions:
        nc = action.nonconformity
        overdue = action.state == CorrectiveAction.State.PLANNED and action.due_on < today
        writer.row(
            sheet,
            [
                nc.title,
                nc.unit.name,
                nc.get_source_display(),
                nc.raised_on,
                nc.get_status_display(),
                action.action,
                person(action.owner),
                action.due_on,
                action.get_state_display(),
                action.done_on,
                person(action.verified_by),
                action.verified_on,
                yes_no(overdue),
            ],
        )
    return writer.content()
