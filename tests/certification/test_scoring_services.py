"""Annual scoring services: rounds and criteria, opening the sheets, self-scoring, finalising,
approval, sending back, and the ranking (certification.services.scoring, certification.selectors).

The flow of a sheet: draft → submitted (officer) → finalised (supervisor) → approved (committee).
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.models import Audit
from certification import selectors
from certification.models import Criterion, ScoreLine, ScoreSheet, ScoringRound
from certification.services import scoring as services
from communes.models import Unit
from tests.audits.factories import started_audit
from tests.certification.factories import english  # noqa: F401 -- fixture
from tests.certification.matrix_scoring import (
    YEAR,
    finalised,
    make_round,
    manual,
    self_scored,
    sheet_of,
    submitted,
)
from tests.factories import UnitFactory

pytestmark = pytest.mark.usefixtures("english")

Status = ScoreSheet.Status
D = datetime.date


@pytest.fixture
def scoring_round(tree, supervisor):
    return make_round(supervisor, tree.district)


def line_of(sheet, code):
    return ScoreLine.objects.select_related("criterion").get(sheet=sheet, criterion__code=code)


def criterion(scoring_round, code):
    return scoring_round.criteria.get(code=code)


# --- Rounds and criteria --------------------------------------------------------------------
def test_round_create_needs_manage(tree, officer_a, committee):
    for actor in (officer_a, committee):
        with pytest.raises(PermissionDenied):
            services.round_create(actor=actor, unit=tree.district, year=YEAR)
    assert not ScoringRound.objects.exists()


def test_one_round_per_unit_and_year(tree, supervisor):
    services.round_create(actor=supervisor, unit=tree.district, year=YEAR)
    with pytest.raises(ValidationError):
        services.round_create(actor=supervisor, unit=tree.district, year=YEAR)
    assert ScoringRound.objects.count() == 1


def test_round_update_changes_only_its_settings(tree, supervisor, officer_a):
    scoring_round = services.round_create(actor=supervisor, unit=tree.district, year=YEAR)
    services.round_update(actor=supervisor, scoring_round=scoring_round, commend_top=2, support_bottom=1)
    scoring_round.refresh_from_db()
    assert (scoring_round.commend_top, scoring_round.support_bottom) == (2, 1)
    with pytest.raises(PermissionDenied):
        services.round_update(actor=officer_a, scoring_round=scoring_round, commend_top=5)
    with pytest.raises(TypeError):
        services.round_update(actor=supervisor, scoring_round=scoring_round, year=2000)


def test_criterion_needs_a_known_source_and_a_positive_maximum(tree, supervisor):
    scoring_round = services.round_create(actor=supervisor, unit=tree.district, year=YEAR)
    with pytest.raises(ValidationError) as error:
        services.criterion_create(
            actor=supervisor, scoring_round=scoring_round, code="1", title="X", max_points=5, source="magic"
        )
    assert "source" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.criterion_create(
            actor=supervisor, scoring_round=scoring_round, code="1", title="X", max_points=0
        )
    assert "max_points" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.criterion_create(
            actor=supervisor, scoring_round=scoring_round, code="1", title="X", max_points="nhiều"
        )
    assert error.value.message_dict["max_points"] == ["Enter a number."]
    assert not scoring_round.criteria.exists()


def test_criterion_codes_are_unique_in_a_round(scoring_round, supervisor):
    with pytest.raises(ValidationError):
        services.criterion_create(
            actor=supervisor, scoring_round=scoring_round, code="1", title="Y", max_points=5
        )


def test_only_the_supervisor_keeps_the_criteria(scoring_round, officer_a, committee):
    first = criterion(scoring_round, "1")
    for actor in (officer_a, committee):
        with pytest.raises(PermissionDenied):
            services.criterion_create(
                actor=actor, scoring_round=scoring_round, code="9", title="Y", max_points=5
            )
        with pytest.raises(PermissionDenied):
            services.criterion_update(actor=actor, criterion=first, title="Đổi tên")
        with pytest.raises(PermissionDenied):
            services.criterion_delete(actor=actor, criterion=first)


def test_criteria_can_change_while_no_sheet_is_finalised(tree, scoring_round, supervisor, officer_a):
    submitted(officer_a, sheet_of(scoring_round, tree.unit_a))
    added = services.criterion_create(
        actor=supervisor, scoring_round=scoring_round, code="4", title="Khảo sát hài lòng", max_points=5
    )
    # Every open sheet gets a line for the new criterion.
    assert ScoreLine.objects.filter(criterion=added).count() == 2
    services.criterion_update(actor=supervisor, criterion=added, max_points="7,5")
    added.refresh_from_db()
    assert added.max_points == Decimal("7.5")
    services.criterion_delete(actor=supervisor, criterion=added)
    assert not ScoreLine.objects.filter(criterion_id=added.pk).exists()


def test_criteria_lock_once_a_sheet_is_finalised(tree, scoring_round, supervisor, officer_a):
    finalised(officer_a, supervisor, sheet_of(scoring_round, tree.unit_a))
    first = criterion(scoring_round, "1")
    locked = "The criteria cannot change once a score sheet of the round is finalised."
    with pytest.raises(ValidationError, match=locked):
        services.criterion_create(
            actor=supervisor, scoring_round=scoring_round, code="9", title="Y", max_points=5
        )
    with pytest.raises(ValidationError, match=locked):
        services.criterion_update(actor=supervisor, criterion=first, max_points=50)
    with pytest.raises(ValidationError, match=locked):
        services.criterion_delete(actor=supervisor, criterion=first)
    first.refresh_from_db()
    assert first.max_points == Decimal(10)
    assert scoring_round.criteria.count() == 3


def test_criteria_copy_from_the_previous_year(tree, supervisor):
    previous = make_round(supervisor, tree.district, year=YEAR - 1, open_sheets=False)
    scoring_round = services.round_create(actor=supervisor, unit=tree.district, year=YEAR)
    copied = services.criteria_copy(actor=supervisor, scoring_round=scoring_round)
    assert [(c.code, c.title, c.max_points, c.source) for c in copied] == [
        (c.code, c.title, c.max_points, c.source) for c in previous.criteria.all()
    ]
    with pytest.raises(ValidationError, match="already has criteria"):
        services.criteria_copy(actor=supervisor, scoring_round=scoring_round)
    lonely = services.round_create(actor=supervisor, unit=tree.district, year=YEAR + 5)
    with pytest.raises(ValidationError, match=f"{YEAR + 4} has no criteria to copy"):
        services.criteria_copy(actor=supervisor, scoring_round=lonely)


# --- Opening the sheets ---------------------------------------------------------------------
def test_sheets_open_for_the_qms_units_of_the_subtree_only_once(tree, supervisor):
    agency = UnitFactory(name="Văn phòng HĐND-UBND huyện", kind=Unit.Kind.AGENCY, parent=tree.district)
    # Merged away before the year began: no sheet. Created after the year: no sheet either.
    UnitFactory(name="Xã Cũ", kind=Unit.Kind.COMMUNE, parent=tree.district, valid_until=D(YEAR - 1, 12, 31))
    UnitFactory(name="Xã Mới", kind=Unit.Kind.COMMUNE, parent=tree.district, valid_from=D(YEAR + 1, 1, 1))
    scoring_round = make_round(supervisor, tree.district, open_sheets=False)

    assert services.round_open_sheets(actor=supervisor, scoring_round=scoring_round) == 3
    units = set(scoring_round.sheets.values_list("unit_id", flat=True))
    # Not the district itself, not the other district's commune.
    assert units == {tree.unit_a.pk, tree.unit_b.pk, agency.pk}
    assert ScoreLine.objects.filter(sheet__round=scoring_round).count() == 3 * 3

    assert services.round_open_sheets(actor=supervisor, scoring_round=scoring_round) == 0
    assert scoring_round.sheets.count() == 3
    # A unit that joins later gets its sheet on the next opening.
    UnitFactory(name="Xã Vân Trung", kind=Unit.Kind.COMMUNE, parent=tree.district)
    assert services.round_open_sheets(actor=supervisor, scoring_round=scoring_round) == 1


def test_sheets_need_criteria_and_the_supervisor(tree, supervisor, officer_a):
    scoring_round = services.round_create(actor=supervisor, unit=tree.district, year=YEAR)
    with pytest.raises(ValidationError, match="Add the criteria"):
        services.round_open_sheets(actor=supervisor, scoring_round=scoring_round)
    with pytest.raises(PermissionDenied):
        services.round_open_sheets(actor=officer_a, scoring_round=scoring_round)
    assert not scoring_round.sheets.exists()


def test_computed_lines_are_filled_in_when_the_sheets_open(tree, supervisor, auditor):
    started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(YEAR, 5, 1))
    scoring_round = make_round(supervisor, tree.district)
    audited = line_of(sheet_of(scoring_round, tree.unit_a), "3")
    assert (audited.figure, audited.computed_points, audited.self_score) == (
        f"Audit of 05/{YEAR}",
        Decimal(10),
        Decimal(10),
    )
    missing = line_of(sheet_of(scoring_round, tree.unit_b), "3")
    assert (missing.figure, missing.computed_points) == (f"No internal audit in {YEAR}", Decimal(0))
    # The computed points count in the self-score from the start.
    assert sheet_of(scoring_round, tree.unit_a).self_total == Decimal(10)
    # Lines scored by hand start empty.
    assert line_of(sheet_of(scoring_round, tree.unit_a), "1").figure == ""


def test_a_computed_criterion_added_later_counts_in_the_totals(tree, supervisor, auditor):
    started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(YEAR, 5, 1))
    scoring_round = make_round(supervisor, tree.district, criteria=[("1", "Tài liệu", "10", "")])
    assert sheet_of(scoring_round, tree.unit_a).self_total == 0
    services.criterion_create(
        actor=supervisor,
        scoring_round=scoring_round,
        code="2",
        title="Đánh giá nội bộ",
        max_points=8,
        source="internal_audit",
    )
    assert sheet_of(scoring_round, tree.unit_a).self_total == Decimal(8)
    assert sheet_of(scoring_round, tree.unit_b).self_total == 0


# --- Self-scoring ---------------------------------------------------------------------------
def test_the_officer_self_scores_the_criteria_scored_by_hand(tree, scoring_round, officer_a):
    sheet = sheet_of(scoring_round, tree.unit_a)
    one, two = manual(scoring_round)
    services.sheet_self_score(
        actor=officer_a,
        sheet=sheet,
        scores={one.pk: ("8,5", " Đủ tài liệu. "), str(two.pk): (15, "Áp dụng.")},
    )
    line = line_of(sheet, "1")
    assert (line.self_score, line.self_comment) == (Decimal("8.5"), "Đủ tài liệu.")
    sheet.refresh_from_db()
    assert sheet.self_total == Decimal("23.5")  # 8.5 + 15 + 0 (no audit)
    assert sheet.status == Status.DRAFT


def test_the_officer_cannot_change_a_computed_line(tree, scoring_round, officer_a):
    sheet = sheet_of(scoring_round, tree.unit_a)
    computed = criterion(scoring_round, "3")
    services.sheet_self_score(actor=officer_a, sheet=sheet, scores={computed.pk: (10, "Đã đánh giá")})
    line = line_of(sheet, "3")
    assert (line.self_score, line.computed_points, line.self_comment) == (Decimal(0), Decimal(0), "")


@pytest.mark.parametrize("points", ["-1", "10.01", "11", "abc", "NaN", "Infinity"])
def test_a_self_score_must_lie_between_zero_and_the_maximum(tree, scoring_round, officer_a, points):
    sheet = sheet_of(scoring_round, tree.unit_a)
    one, two = manual(scoring_round)
    with pytest.raises(ValidationError) as error:
        services.sheet_self_score(
            actor=officer_a, sheet=sheet, scores={two.pk: (12, "Hợp lệ"), one.pk: (points, "Sai")}
        )
    assert list(error.value.message_dict) == [f"self_{one.pk}"]
    # Nothing saved, not even the valid line.
    assert line_of(sheet, "2").self_score is None


def test_the_bounds_themselves_are_accepted(tree, scoring_round, officer_a):
    sheet = sheet_of(scoring_round, tree.unit_a)
    one, two = manual(scoring_round)
    services.sheet_self_score(
        actor=officer_a, sheet=sheet, scores={one.pk: ("0", "Chưa có"), two.pk: (20, "Đủ")}
    )
    assert (line_of(sheet, "1").self_score, line_of(sheet, "2").self_score) == (0, 20)


def test_only_the_units_writers_self_score(tree, scoring_round, officer_b, committee, auditor):
    sheet = sheet_of(scoring_round, tree.unit_a)
    one = manual(scoring_round)[0]
    for actor in (officer_b, committee, auditor):
        with pytest.raises(PermissionDenied):
            services.sheet_self_score(actor=actor, sheet=sheet, scores={one.pk: (5, "x")})
        with pytest.raises(PermissionDenied):
            services.sheet_submit(actor=actor, sheet=sheet)


def test_submit_needs_points_and_a_comment_on_every_manual_line(tree, scoring_round, officer_a):
    sheet = sheet_of(scoring_round, tree.unit_a)
    one, two = manual(scoring_round)
    services.sheet_self_score(actor=officer_a, sheet=sheet, scores={one.pk: (8, "")})
    with pytest.raises(ValidationError) as error:
        services.sheet_submit(actor=officer_a, sheet=sheet)
    assert error.value.message_dict == {
        f"self_{one.pk}": ["1: say what the self-score rests on."],
        f"self_{two.pk}": ["2: give the self-score."],
    }
    sheet.refresh_from_db()
    assert sheet.status == Status.DRAFT and sheet.submitted_by is None

    self_scored(officer_a, sheet)
    sheet = services.sheet_submit(actor=officer_a, sheet=sheet)
    assert (sheet.status, sheet.submitted_by, sheet.submitted_on) == (
        Status.SUBMITTED,
        officer_a,
        timezone.localdate(),
    )
    with pytest.raises(ValidationError, match="has been submitted"):
        services.sheet_self_score(actor=officer_a, sheet=sheet, scores={one.pk: (1, "Sửa")})
    with pytest.raises(ValidationError, match="already been submitted"):
        services.sheet_submit(actor=officer_a, sheet=sheet)


def test_submit_refreshes_the_computed_lines(tree, scoring_round, officer_a, supervisor, auditor):
    sheet = sheet_of(scoring_round, tree.unit_a)
    assert line_of(sheet, "3").computed_points == 0
    # The audit is held after the sheet was opened: the submission takes it into account.
    started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(YEAR, 11, 1))
    sheet = submitted(officer_a, sheet)
    assert line_of(sheet, "3").computed_points == Decimal(10)
    sheet.refresh_from_db()
    assert sheet.self_total == Decimal(8 + 16 + 10)


# --- Finalising, approving, sending back ----------------------------------------------------
def test_finalise_keeps_the_self_score_unless_told_otherwise(tree, scoring_round, officer_a, supervisor):
    sheet = submitted(officer_a, sheet_of(scoring_round, tree.unit_a))
    sheet = services.sheet_finalise(actor=supervisor, sheet=sheet, remarks=" Tốt. ")
    assert (sheet.status, sheet.finalised_by, sheet.remarks) == (Status.FINALISED, supervisor, "Tốt.")
    assert sheet.final_total == sheet.self_total == Decimal(24)
    assert [line.final_score for line in sheet.lines.order_by("criterion__order")] == [8, 16, 0]


def test_a_final_score_that_differs_needs_a_comment(tree, scoring_round, officer_a, supervisor):
    sheet = submitted(officer_a, sheet_of(scoring_round, tree.unit_a))
    two = criterion(scoring_round, "2")
    with pytest.raises(ValidationError) as error:
        services.sheet_finalise(actor=supervisor, sheet=sheet, scores={two.pk: ("12", "  ")})
    assert error.value.message_dict == {
        f"final_{two.pk}": ["2: say why the final score differs from the self-score."]
    }
    with pytest.raises(ValidationError) as error:
        services.sheet_finalise(actor=supervisor, sheet=sheet, scores={two.pk: ("21", "Thưởng")})
    assert list(error.value.message_dict) == [f"final_{two.pk}"]
    sheet.refresh_from_db()
    assert sheet.status == Status.SUBMITTED and sheet.final_total is None
    assert line_of(sheet, "2").final_score is None

    sheet = services.sheet_finalise(
        actor=supervisor, sheet=sheet, scores={two.pk: ("12", "Thiếu minh chứng áp dụng tại một cửa.")}
    )
    assert line_of(sheet, "2").final_score == Decimal(12)
    assert line_of(sheet, "2").self_score == Decimal(16)  # the officer's score stays on record
    assert sheet.final_total == Decimal(8 + 12 + 0)


def test_an_officer_can_never_finalise(tree, scoring_round, officer_a, committee):
    sheet = submitted(officer_a, sheet_of(scoring_round, tree.unit_a))
    one = criterion(scoring_round, "1")
    for actor in (officer_a, committee):
        with pytest.raises(PermissionDenied):
            services.sheet_finalise(actor=actor, sheet=sheet, scores={one.pk: (10, "Tự nâng điểm")})
        with pytest.raises(PermissionDenied):
            services.sheet_return(actor=actor, sheet=sheet, remarks="x")
    sheet.refresh_from_db()
    assert sheet.status == Status.SUBMITTED and line_of(sheet, "1").final_score is None


def test_only_a_submitted_sheet_is_finalised(tree, scoring_round, supervisor):
    sheet = sheet_of(scoring_round, tree.unit_a)
    with pytest.raises(ValidationError, match="Only a submitted score sheet"):
        services.sheet_finalise(actor=supervisor, sheet=sheet)


def test_only_the_committee_approves(tree, scoring_round, officer_a, supervisor, committee):
    sheet = finalised(officer_a, supervisor, sheet_of(scoring_round, tree.unit_a))
    for actor in (officer_a, supervisor):
        with pytest.raises(PermissionDenied):
            services.sheet_approve(actor=actor, sheet=sheet)
        with pytest.raises(PermissionDenied):
            services.round_approve(actor=actor, scoring_round=scoring_round)
    sheet = services.sheet_approve(actor=committee, sheet=sheet)
    assert (sheet.status, sheet.approved_by) == (Status.APPROVED, committee)
    with pytest.raises(ValidationError, match="Only a finalised score sheet"):
        services.sheet_approve(actor=committee, sheet=sheet)
    with pytest.raises(ValidationError, match="Only a finalised score sheet"):
        services.sheet_approve(actor=committee, sheet=sheet_of(scoring_round, tree.unit_b))


def test_the_committee_approves_a_whole_round(tree, scoring_round, officer_a, supervisor, committee):
    finalised(officer_a, supervisor, sheet_of(scoring_round, tree.unit_a))
    assert services.round_approve(actor=committee, scoring_round=scoring_round) == 1
    statuses = dict(scoring_round.sheets.values_list("unit_id", "status"))
    assert statuses == {tree.unit_a.pk: Status.APPROVED, tree.unit_b.pk: Status.DRAFT}
    assert services.round_approve(actor=committee, scoring_round=scoring_round) == 0


@pytest.mark.parametrize("stage", ["submitted", "finalised"])
def test_the_supervisor_sends_a_sheet_back_to_draft(tree, scoring_round, officer_a, supervisor, stage):
    sheet = sheet_of(scoring_round, tree.unit_a)
    sheet = submitted(officer_a, sheet) if stage == "submitted" else finalised(officer_a, supervisor, sheet)
    with pytest.raises(ValidationError) as error:
        services.sheet_return(actor=supervisor, sheet=sheet, remarks="  ")
    assert error.value.message_dict == {"remarks": ["Say what the officer should change."]}
    sheet = services.sheet_return(actor=supervisor, sheet=sheet, remarks="Bổ sung minh chứng tiêu chí 2.")
    assert (sheet.status, sheet.remarks, sheet.final_total, sheet.finalised_by) == (
        Status.DRAFT,
        "Bổ sung minh chứng tiêu chí 2.",
        None,
        None,
    )
    assert not sheet.lines.filter(final_score__isnull=False).exists()
    # The officer can self-score again, and submit.
    submitted(officer_a, sheet, points={"2": 18})
    assert line_of(sheet, "2").self_score == 18


def test_an_approved_sheet_cannot_be_sent_back(tree, scoring_round, officer_a, supervisor, committee):
    sheet = finalised(officer_a, supervisor, sheet_of(scoring_round, tree.unit_a))
    services.sheet_approve(actor=committee, sheet=sheet)
    with pytest.raises(ValidationError, match="Only a submitted or finalised"):
        services.sheet_return(actor=supervisor, sheet=sheet, remarks="Chấm lại")


# --- Ranking --------------------------------------------------------------------------------
@pytest.fixture
def four_units(tree, supervisor, officer_a, officer_b):
    """Four finalised sheets with final totals 30, 20, 20, 10 (units c and d are agencies)."""
    more = [
        UnitFactory(name=name, kind=Unit.Kind.AGENCY, parent=tree.district)
        for name in ("Phòng Tư pháp", "Phòng Nội vụ")
    ]
    scoring_round = make_round(
        supervisor, tree.district, criteria=[("1", "Tài liệu", "40", "")], commend_top=1, support_bottom=1
    )
    units = [tree.unit_a, tree.unit_b, *more]
    for unit, points in zip(units, ["20", "30", "10", "20"], strict=True):
        finalised(supervisor, supervisor, sheet_of(scoring_round, unit), points={"1": points})
    return scoring_round, units


def test_equal_scores_share_a_rank(four_units):
    scoring_round, (a, b, c, d) = four_units
    sheets = selectors.rank(list(scoring_round.sheets.select_related("unit")))
    assert {s.unit: s.rank for s in sheets} == {b: 1, a: 2, d: 2, c: 4}
    assert [s.rank for s in sheets] == [1, 2, 2, 4]
    by_unit = {s.unit_id: s for s in scoring_round.sheets.all()}
    assert [selectors.sheet_rank(by_unit[u.pk]) for u in (a, b, c, d)] == [2, 1, 4, 2]


def test_unscored_sheets_come_last_without_a_rank(tree, supervisor, officer_b, four_units):
    scoring_round, (a, b, c, d) = four_units
    services.sheet_return(actor=supervisor, sheet=sheet_of(scoring_round, b), remarks="Chấm lại")
    rows = selectors.rank(list(scoring_round.sheets.select_related("unit")))
    assert {s.unit: s.rank for s in rows} == {a: 1, d: 1, c: 3, b: None}
    assert [s.rank for s in rows] == [1, 1, 3, None]
    assert selectors.sheet_rank(sheet_of(scoring_round, b)) is None


def test_league_table_proposes_the_top_and_lists_the_bottom(four_units, supervisor):
    scoring_round, (a, b, c, d) = four_units
    table = selectors.league_table(scoring_round)
    assert [s.unit for s in table.commendation] == [b]
    assert [s.unit for s in table.needs_support] == [c]
    assert not table.all_approved


def test_league_table_treats_ties_alike_at_the_bottom(four_units, supervisor):
    scoring_round, (a, b, c, d) = four_units
    services.round_update(actor=supervisor, scoring_round=scoring_round, support_bottom=2)
    table = selectors.league_table(ScoringRound.objects.get(pk=scoring_round.pk))
    # c is last; a and d share the rank of the second from the bottom: both are listed.
    assert {s.unit for s in table.needs_support} == {a, c, d}
    services.round_update(actor=supervisor, scoring_round=scoring_round, support_bottom=0, commend_top=0)
    table = selectors.league_table(ScoringRound.objects.get(pk=scoring_round.pk))
    assert table.commendation == [] and table.needs_support == []


def test_league_table_is_approved_once_every_sheet_is(four_units, committee):
    scoring_round, _units = four_units
    services.round_approve(actor=committee, scoring_round=scoring_round)
    assert selectors.league_table(scoring_round).all_approved


def test_audit_planned_only_does_not_count(tree, supervisor):
    Audit.objects.create(unit=tree.unit_a, planned_month=D(YEAR, 6, 1))
    scoring_round = make_round(supervisor, tree.district)
    assert line_of(sheet_of(scoring_round, tree.unit_a), "3").computed_points == 0


def test_criterion_str_and_computed_flag(scoring_round):
    computed = Criterion.objects.get(round=scoring_round, code="3")
    assert computed.is_computed and str(computed) == "3. Đánh giá nội bộ trong năm"
