"""Permission-matrix rows of the annual scoring pages (see tests/matrix.py), and the builders the
scoring tests share.

The round belongs to the district (the supervisor's unit): officers cannot read it (404), the
auditor, the viewer and the committee read it; writes on it need MANAGE (supervisor), approval
needs APPROVE (committee). Score sheets belong to the scored unit: officer_a reads and self-scores
unit A's sheet, officer_b gets 404. The other district's round is out of everyone's scope but the
superuser's. Successful POSTs redirect (302).
"""

import datetime
from decimal import Decimal

from certification.models import ScoreSheet
from certification.services import scoring as services
from tests.matrix import Row, everyone

D = datetime.date
YEAR = 2019

# (code, title, maximum points, source): two criteria scored by hand, one computed.
CRITERIA = [
    ("1", "Ban hành đầy đủ hệ thống tài liệu theo TCVN ISO 9001:2015", "10", ""),
    ("2", "Áp dụng quy trình giải quyết TTHC tại bộ phận một cửa", "20", ""),
    ("3", "Đánh giá nội bộ trong năm", "10", "internal_audit"),
]


def make_round(supervisor, unit, year=YEAR, criteria=CRITERIA, open_sheets=True, **settings):
    """A round of `unit` with its criteria, its sheets opened (through the services)."""
    scoring_round = services.round_create(actor=supervisor, unit=unit, year=year, **settings)
    for order, (code, title, max_points, source) in enumerate(criteria, start=1):
        services.criterion_create(
            actor=supervisor,
            scoring_round=scoring_round,
            code=code,
            title=title,
            max_points=max_points,
            source=source,
            order=order,
        )
    if open_sheets:
        services.round_open_sheets(actor=supervisor, scoring_round=scoring_round)
    return scoring_round


def sheet_of(scoring_round, unit) -> ScoreSheet:
    return ScoreSheet.objects.select_related("unit", "round").get(round=scoring_round, unit=unit)


def manual(scoring_round):
    return list(scoring_round.criteria.filter(source="").order_by("order"))


def self_scored(officer, sheet, points=None, comment="Đã ban hành đủ, có minh chứng kèm theo."):
    """Self-score every criterion scored by hand (`points`: {code: points}, else 80 % of the max)."""
    scores = {}
    for criterion in manual(sheet.round):
        value = (points or {}).get(criterion.code, criterion.max_points * Decimal("0.8"))
        scores[criterion.pk] = (value, comment)
    return services.sheet_self_score(actor=officer, sheet=sheet, scores=scores)


def submitted(officer, sheet, points=None):
    self_scored(officer, sheet, points)
    return services.sheet_submit(actor=officer, sheet=sheet)


def finalised(officer, supervisor, sheet, points=None, final=None):
    """Submitted by the officer, finalised by the supervisor (`final`: {code: points}, with a
    comment where it differs from the self-score)."""
    submitted(officer, sheet, points)
    scores = {}
    for line in sheet.lines.select_related("criterion"):
        if final and line.criterion.code in final:
            scores[line.criterion_id] = (final[line.criterion.code], "Điều chỉnh theo kết quả kiểm tra.")
    return services.sheet_finalise(actor=supervisor, sheet=sheet, scores=scores)


def setup(tree, actors):
    supervisor = actors["supervisor"]
    scoring_round = make_round(supervisor, tree.district)
    other_round = make_round(actors["superuser"], tree.other_district)
    draft = sheet_of(scoring_round, tree.unit_a)
    self_scored(actors["officer_a"], draft)
    # A second round, a year later, whose sheet of unit A is submitted, and one whose is finalised.
    later = make_round(supervisor, tree.district, year=YEAR + 1)
    waiting = submitted(actors["officer_a"], sheet_of(later, tree.unit_a))
    finals = make_round(supervisor, tree.district, year=YEAR + 2)
    done = finalised(actors["officer_a"], supervisor, sheet_of(finals, tree.unit_a))
    empty = services.round_create(actor=supervisor, unit=tree.district, year=YEAR + 3)
    criterion = manual(scoring_round)[0]
    return {
        "scoring_round": scoring_round,
        "other_round": other_round,
        "finals_round": finals,
        "empty_round": empty,
        "criterion": criterion,
        "other_criterion": manual(other_round)[0],
        "draft": draft,
        "draft_b": sheet_of(scoring_round, tree.unit_b),
        "other_sheet": sheet_of(other_round, tree.other_commune),
        "waiting": waiting,
        "done": done,
    }


READ_ROUND = everyone(200, officer_a=404, officer_b=404)
MANAGE_ROUND = everyone(403, officer_a=404, officer_b=404, supervisor=200, superuser=200)
MANAGE_ROUND_POST = everyone(403, officer_a=404, officer_b=404, supervisor=302, superuser=302)
APPROVE_ROUND = everyone(403, officer_a=404, officer_b=404, committee=200, superuser=200)
APPROVE_ROUND_POST = everyone(403, officer_a=404, officer_b=404, committee=302, superuser=302)
OUTSIDE = everyone(404, superuser=200)
# Unit A's sheet: officer_b is outside; the officer and the supervisor may write.
READ_SHEET = everyone(200, officer_b=404)
CHANGE_SHEET = everyone(403, officer_a=200, officer_b=404, supervisor=200, superuser=200)
CHANGE_SHEET_POST = everyone(403, officer_a=302, officer_b=404, supervisor=302, superuser=302)
MANAGE_SHEET_POST = everyone(403, officer_b=404, supervisor=302, superuser=302)
APPROVE_SHEET = everyone(403, officer_b=404, committee=200, superuser=200)
APPROVE_SHEET_POST = everyone(403, officer_b=404, committee=302, superuser=302)


def _round(c):
    return {"pk": c.scoring_round.pk}


def _criterion_data(c):
    return {"code": "9", "title": "Khảo sát sự hài lòng", "max_points": "5", "source": "", "order": "9"}


def _self_data(c):
    data = {}
    for criterion in manual(c.scoring_round):
        data |= {f"self_{criterion.pk}": "5", f"self_comment_{criterion.pk}": "Có minh chứng."}
    return data


ROWS = [
    Row("certification:round_list", everyone(200)),
    Row("certification:round_create", everyone(403, supervisor=200, superuser=200)),
    Row(
        "certification:round_create",
        everyone(403, supervisor=302, superuser=302),
        method="post",
        data=lambda c: {"unit": c.district.pk, "year": "2030", "commend_top": "3", "support_bottom": "2"},
        label="round_create (POST)",
    ),
    Row(
        "certification:round_create",
        # The other district: not a choice for the supervisor (the form says so), 200 again.
        everyone(403, supervisor=200, superuser=302),
        method="post",
        data=lambda c: {
            "unit": c.other_district.pk,
            "year": "2030",
            "commend_top": "3",
            "support_bottom": "2",
        },
        label="round_create (POST, other district)",
    ),
    Row("certification:round_detail", READ_ROUND, kwargs=_round),
    Row(
        "certification:round_detail",
        OUTSIDE,
        kwargs=lambda c: {"pk": c.other_round.pk},
        label="round_detail (other district)",
    ),
    Row("certification:round_update", MANAGE_ROUND, kwargs=_round),
    Row(
        "certification:round_update",
        MANAGE_ROUND_POST,
        kwargs=_round,
        method="post",
        data={"commend_top": "2", "support_bottom": "1", "self_score_due": "2020-01-15"},
        label="round_update (POST)",
    ),
    Row("certification:criterion_create", MANAGE_ROUND, kwargs=_round),
    Row(
        "certification:criterion_create",
        MANAGE_ROUND_POST,
        kwargs=_round,
        method="post",
        data=_criterion_data,
        label="criterion_create (POST)",
    ),
    Row(
        "certification:criterion_create",
        OUTSIDE,
        kwargs=lambda c: {"pk": c.other_round.pk},
        label="criterion_create (other district)",
    ),
    Row("certification:criterion_update", MANAGE_ROUND, kwargs=lambda c: {"pk": c.criterion.pk}),
    Row(
        "certification:criterion_update",
        MANAGE_ROUND_POST,
        kwargs=lambda c: {"pk": c.criterion.pk},
        method="post",
        data=_criterion_data,
        label="criterion_update (POST)",
    ),
    Row(
        "certification:criterion_update",
        OUTSIDE,
        kwargs=lambda c: {"pk": c.other_criterion.pk},
        label="criterion_update (other district)",
    ),
    Row("certification:criterion_delete", MANAGE_ROUND, kwargs=lambda c: {"pk": c.criterion.pk}),
    Row(
        "certification:criterion_delete",
        MANAGE_ROUND_POST,
        kwargs=lambda c: {"pk": c.criterion.pk},
        method="post",
        label="criterion_delete (POST)",
    ),
    Row("certification:criteria_copy", MANAGE_ROUND, kwargs=lambda c: {"pk": c.empty_round.pk}),
    Row(
        "certification:criteria_copy",
        MANAGE_ROUND_POST,
        kwargs=lambda c: {"pk": c.empty_round.pk},
        method="post",
        label="criteria_copy (POST)",
    ),
    Row("certification:round_open", MANAGE_ROUND, kwargs=_round),
    Row(
        "certification:round_open", MANAGE_ROUND_POST, kwargs=_round, method="post", label="round_open (POST)"
    ),
    Row("certification:round_approve", APPROVE_ROUND, kwargs=lambda c: {"pk": c.finals_round.pk}),
    Row(
        "certification:round_approve",
        APPROVE_ROUND_POST,
        kwargs=lambda c: {"pk": c.finals_round.pk},
        method="post",
        label="round_approve (POST)",
    ),
    Row("certification:league_table", READ_ROUND, kwargs=_round),
    Row(
        "certification:league_table",
        OUTSIDE,
        kwargs=lambda c: {"pk": c.other_round.pk},
        label="league_table (other district)",
    ),
    Row("certification:league_export", READ_ROUND, kwargs=lambda c: {"pk": c.finals_round.pk}),
    Row(
        "certification:league_export",
        OUTSIDE,
        kwargs=lambda c: {"pk": c.other_round.pk},
        label="league_export (other district)",
    ),
    Row("certification:sheet_detail", READ_SHEET, kwargs=lambda c: {"pk": c.draft.pk}),
    Row(
        "certification:sheet_detail",
        everyone(200, officer_a=404),
        kwargs=lambda c: {"pk": c.draft_b.pk},
        label="sheet_detail (unit B)",
    ),
    Row(
        "certification:sheet_detail",
        OUTSIDE,
        kwargs=lambda c: {"pk": c.other_sheet.pk},
        label="sheet_detail (other district)",
    ),
    Row(
        "certification:sheet_self_score",
        everyone(403, officer_a=302, officer_b=404, supervisor=302, superuser=302),
        kwargs=lambda c: {"pk": c.draft.pk},
        label="sheet_self_score (GET: back to the sheet)",
    ),
    Row(
        "certification:sheet_self_score",
        CHANGE_SHEET_POST,
        kwargs=lambda c: {"pk": c.draft.pk},
        method="post",
        data=_self_data,
        label="sheet_self_score (POST)",
    ),
    Row("certification:sheet_submit", CHANGE_SHEET, kwargs=lambda c: {"pk": c.draft.pk}),
    Row(
        "certification:sheet_submit",
        CHANGE_SHEET_POST,
        kwargs=lambda c: {"pk": c.draft.pk},
        method="post",
        label="sheet_submit (POST)",
    ),
    Row(
        "certification:sheet_finalise",
        MANAGE_SHEET_POST,
        kwargs=lambda c: {"pk": c.waiting.pk},
        label="sheet_finalise (GET: back to the sheet)",
    ),
    Row(
        "certification:sheet_finalise",
        MANAGE_SHEET_POST,
        kwargs=lambda c: {"pk": c.waiting.pk},
        method="post",
        label="sheet_finalise (POST)",
    ),
    Row(
        "certification:sheet_return",
        MANAGE_SHEET_POST,
        kwargs=lambda c: {"pk": c.waiting.pk},
        label="sheet_return (GET: back to the sheet)",
    ),
    Row(
        "certification:sheet_return",
        MANAGE_SHEET_POST,
        kwargs=lambda c: {"pk": c.waiting.pk},
        method="post",
        data={"remarks": "Bổ sung minh chứng tiêu chí 2."},
        label="sheet_return (POST)",
    ),
    Row("certification:sheet_approve", APPROVE_SHEET, kwargs=lambda c: {"pk": c.done.pk}),
    Row(
        "certification:sheet_approve",
        APPROVE_SHEET_POST,
        kwargs=lambda c: {"pk": c.done.pk},
        method="post",
        label="sheet_approve (POST)",
    ),
]
