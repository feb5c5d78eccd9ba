"""Excel export of a scoring round, for the annual evaluation of the unit heads: one row per unit
with its rank, the final score of every criterion, the totals, the status of its sheet and
whether it is proposed for commendation or listed as needing support.

Headers go through gettext, so the workbook speaks the language of the request (Vietnamese by
default).
"""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from certification.selectors import LeagueTable

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
COMMEND_FILL = PatternFill("solid", fgColor="E2EFDA")
SUPPORT_FILL = PatternFill("solid", fgColor="FCE4D6")
# Rows above the table: title, state of the round, an empty row.
HEADER_ROW = 4


def _number(value):
    return None if value is None else float(value)


def outcome(table: LeagueTable, sheet) -> str:
    if sheet in table.commendation:
        return _("Proposed for commendation")
    if sheet in table.needs_support:
        return _("Needs support")
    return ""


def league_workbook(table: LeagueTable) -> bytes:
    """The workbook of `table` (a league table built with its lines) as bytes."""
    scoring_round, criteria = table.round, table.criteria
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Scoring %(year)s") % {"year": scoring_round.year}

    sheet.cell(row=1, column=1, value=str(scoring_round)).font = Font(bold=True, size=14)
    state = (
        _("Approved by the steering committee.")
        if table.all_approved
        else _("Provisional: not every score sheet has been approved yet.")
    )
    sheet.cell(row=2, column=1, value=state).font = Font(italic=True)

    headers = [_("Rank"), _("Unit")]
    headers += [
        _("%(code)s. %(title)s (max. %(max)s)") % {"code": c.code, "title": c.title, "max": c.max_points}
        for c in criteria
    ]
    headers += [_("Self-score"), _("Final score"), _("Maximum"), _("Status"), _("Proposal")]
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")

    maximum = sum((c.max_points for c in criteria), start=0)
    for row, score_sheet in enumerate(table.rows, start=HEADER_ROW + 1):
        finals = {line.criterion_id: line.final_score for line in score_sheet.lines.all()}
        values = [score_sheet.rank, score_sheet.unit.name]
        values += [_number(finals.get(c.pk)) for c in criteria]
        values += [
            _number(score_sheet.self_total),
            _number(score_sheet.final_total),
            _number(maximum),
            str(score_sheet.get_status_display()),
            outcome(table, score_sheet) or None,
        ]
        fill = (
            COMMEND_FILL
            if score_sheet in table.commendation
            else SUPPORT_FILL
            if score_sheet in table.needs_support
            else None
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if fill is not None:
                cell.fill = fill
            if isinstance(value, float):
                cell.number_format = "0.00"

    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 32
    for column in range(3, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16
    sheet.row_dimensions[HEADER_ROW].height = 60
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
