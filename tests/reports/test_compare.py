"""The comparison view (reports:compare): objectives and indicators, internal audit results and
scoring criteria side by side across units, for a year.

The figures are checked against values the tests work out from the data they create; the year
2019 is wholly past, so every period without a measurement is overdue whatever today is.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from audits.models import ChecklistItem, Clause, Finding
from audits.services import audits as audit_services
from certification.models import Indicator
from core import clock
from reports import selectors_compare as selectors
from tests.audits.factories import answer_all, clause, english, started_audit  # noqa: F401 -- fixture
from tests.certification.matrix_objectives import make_indicator, make_measurement, make_objective
from tests.certification.matrix_scoring import finalised, make_round, self_scored, sheet_of
from tests.factories import UnitFactory, WaveFactory

pytestmark = pytest.mark.usefixtures("english", "english_pages")

D = datetime.date
YEAR = 2019
URL = reverse("reports:compare")

ON_TIME_A = "Tỷ lệ hồ sơ giải quyết đúng hạn"
ON_TIME_B = "TỶ LỆ HỒ SƠ  giải quyết ĐÚNG HẠN "  # the same indicator, typed differently
STATEMENT_A = "Giải quyết đúng hạn hồ sơ thủ tục hành chính"
STATEMENT_B = "giải quyết đúng hạn hồ sơ THỦ TỤC hành chính"
COMPLAINTS = "Số phản ánh về thái độ phục vụ"


@pytest.fixture
def english_pages(client):
    """Pages in English: the tests read the msgids, whatever the catalogue says."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def measured(indicator, values, recorded_by):
    """Record `values` for periods 1, 2, ... (None leaves a period without a measurement)."""
    for period, value in enumerate(values, start=1):
        if value is not None:
            make_measurement(indicator, period, value, recorded_by)


@pytest.fixture
def objectives(tree, officer_a, officer_b):
    """Unit A: on-time ≥ 95 % (96, 90, 97, —) and complaints ≤ 0 (1) under another objective.
    Unit B: the same on-time indicator ≥ 100 % (100, 100, 100, 99) under the same objective
    (worded differently), and complaints ≤ 0 (0) under an objective of its own wording."""
    a1 = make_objective(tree.unit_a, YEAR, statement=STATEMENT_A)
    on_time_a = make_indicator(a1, name=ON_TIME_A, target=Decimal("95"))
    measured(on_time_a, [96, 90, 97, None], officer_a)
    a2 = make_objective(tree.unit_a, YEAR, statement="Nâng cao sự hài lòng của người dân", order=1)
    complaints_a = make_indicator(
        a2,
        name=COMPLAINTS,
        target=Decimal("0"),
        unit_of_measure="lượt",
        direction=Indicator.Direction.AT_MOST,
        frequency=Indicator.Frequency.YEARLY,
    )
    measured(complaints_a, [1], officer_a)
    b1 = make_objective(tree.unit_b, YEAR, statement=STATEMENT_B)
    on_time_b = make_indicator(b1, name=ON_TIME_B, target=Decimal("100"))
    measured(on_time_b, [100, 100, 100, 99], officer_b)
    b2 = make_objective(tree.unit_b, YEAR, statement="Không để người dân phản ánh", order=1)
    complaints_b = make_indicator(
        b2,
        name=COMPLAINTS.upper(),
        target=Decimal("0"),
        unit_of_measure="lượt",
        direction=Indicator.Direction.AT_MOST,
        frequency=Indicator.Frequency.YEARLY,
    )
    measured(complaints_b, [0], officer_b)
    # Another year and another district: never in the comparison of 2019 in the district.
    make_indicator(make_objective(tree.unit_a, YEAR + 1, statement=STATEMENT_A), name=ON_TIME_A)
    make_indicator(make_objective(tree.other_commune, YEAR, statement=STATEMENT_A), name=ON_TIME_A)
    return {
        "on_time_a": on_time_a,
        "on_time_b": on_time_b,
        "complaints_a": complaints_a,
        "complaints_b": complaints_b,
    }


def _rows(comparison):
    return {row.key: (group.statement, row) for group in comparison.groups for row in group.rows}


# --- Objectives and indicators --------------------------------------------------------------
def test_indicators_are_matched_by_folded_name_and_grouped_by_objective(tree, objectives):
    units = [tree.unit_a, tree.unit_b]
    comparison = selectors.compare_objectives(units, YEAR, D(2020, 6, 1))
    rows = _rows(comparison)
    assert set(rows) == {"ty le ho so giai quyet dung han", "so phan anh ve thai do phuc vu"}

    statement, on_time = rows["ty le ho so giai quyet dung han"]
    assert statement == STATEMENT_A  # both units set it under the same objective (folded)
    assert on_time.unit_count == 2
    (cell_a,), (cell_b,) = on_time.columns
    # Unit A: 96 ≥ 95 passed, 90 failed, 97 passed, Q4 missing → overdue; latest Q3 = 97.
    assert cell_a.indicator == objectives["on_time_a"]
    assert (cell_a.indicator.passed, cell_a.indicator.failed, cell_a.indicator.overdue) == (2, 1, 1)
    assert cell_a.state == "passed"  # the colour of the latest measurement; Q4 counted overdue
    assert (cell_a.latest.period, cell_a.latest.measurement.value) == (3, Decimal("97"))
    assert cell_a.pass_rate == pytest.approx(2 / 3)
    # Unit B: 100, 100, 100 meet ≥ 100, 99 does not; the latest (Q4) failed.
    assert (cell_b.indicator.passed, cell_b.indicator.failed, cell_b.indicator.overdue) == (3, 1, 0)
    assert cell_b.state == "failed"
    assert cell_b.latest.period == 4
    assert cell_b.pass_rate == pytest.approx(3 / 4)

    statement, complaints = rows["so phan anh ve thai do phuc vu"]
    assert statement is None  # set under objectives worded differently
    assert complaints.unit_count == 2
    (cell_a,), (cell_b,) = complaints.columns
    assert (cell_a.state, cell_b.state) == ("failed", "passed")  # 1 > 0 fails "at most 0"
    # The shared group comes first, the "different objectives" group last.
    assert [g.statement for g in comparison.groups] == [STATEMENT_A, None]
    # Totals per unit: objectives, indicators, passed / failed / overdue periods.
    assert comparison.totals == [
        {"objectives": 2, "indicators": 2, "passed": 2, "failed": 2, "overdue": 1},
        {"objectives": 2, "indicators": 2, "passed": 4, "failed": 1, "overdue": 0},
    ]


def test_a_unit_without_the_indicator_has_an_empty_cell(tree, supervisor, objectives):
    unit_c = UnitFactory(name="Xã Tăng Tiến", parent=tree.district)
    make_indicator(make_objective(unit_c, YEAR, statement=STATEMENT_A), name="Số hồ sơ tiếp nhận")
    comparison = selectors.compare_objectives([tree.unit_a, tree.unit_b, unit_c], YEAR, D(2020, 1, 1))
    rows = _rows(comparison)
    _statement, on_time = rows["ty le ho so giai quyet dung han"]
    assert [len(cells) for cells in on_time.columns] == [1, 1, 0]
    _statement, received = rows["so ho so tiep nhan"]
    assert received.unit_count == 1
    # An indicator not yet begun (the clock before the year) is "future", not overdue.
    early = selectors.compare_objectives([unit_c], YEAR, D(2018, 12, 1))
    ((cell,),) = _rows(early)["so ho so tiep nhan"][1].columns
    assert cell.state == "future" and cell.pass_rate is None


def test_objectives_page_shows_the_cells(tree, supervisor, objectives, login):
    response = login(supervisor).get(URL, {"year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="compare-objectives"' in html
    assert html.count('class="indicator-row"') == 2
    assert "≥ 95 %" in html and "≥ 100 %" in html and "≤ 0 lượt" in html
    assert "Q3: 97 %" in html and "Q4: 99 %" in html
    assert "2/3 periods passed" in html and "3/4 periods passed" in html
    assert "1 period overdue" in html
    assert objectives["on_time_a"].get_absolute_url() in html
    assert "Under different objectives" in html
    assert html.count('class="text-nowrap unit-col"') == 2  # the district's two wards
    assert tree.other_commune.name not in html


# --- Internal audits ------------------------------------------------------------------------
def _raise(audit, lead, kind, code):
    audit_services.finding_raise(
        actor=lead,
        audit=audit,
        kind=kind,
        clause=clause(code),
        description="Hồ sơ chưa đầy đủ.",
        evidence="Sổ theo dõi hồ sơ tháng 4.",
    )


@pytest.fixture
def audits(tree, supervisor, auditor):
    """Unit A audited in May 2019: 3 questions on 2 clauses, all answered; findings 7.5 minor ×2,
    7.5 observation, 8.2 major. Unit B audited in June 2019 with 1 question unanswered and one
    improvement on 9.1. Unit A's 2018 audit (a major on 7.5) is another year."""
    with clock.as_of(D(2019, 5, 10)):
        audit_a = started_audit(
            actor=supervisor,
            unit=tree.unit_a,
            lead=auditor,
            month=D(2019, 5, 1),
            questions=[
                ("7.5", "Tài liệu có được kiểm soát?"),
                ("7.5", "Hồ sơ có lưu?"),
                ("8.2", "Tiếp nhận?"),
            ],
        )
        answer_all(audit_a, auditor)
        for kind, code in [("minor", "7.5"), ("minor", "7.5"), ("observation", "7.5"), ("major", "8.2")]:
            _raise(audit_a, auditor, kind, code)
    with clock.as_of(D(2019, 6, 12)):
        audit_b = started_audit(
            actor=supervisor,
            unit=tree.unit_b,
            lead=auditor,
            month=D(2019, 6, 1),
            questions=[("9.1", "Có đo lường sự hài lòng?")],
        )
        _raise(audit_b, auditor, "improvement", "9.1")
    with clock.as_of(D(2018, 5, 10)):
        old = started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(2018, 5, 1))
        _raise(old, auditor, "major", "7.5")
    return {"a": audit_a, "b": audit_b}


def test_audit_results_side_by_side(tree, audits):
    comparison = selectors.compare_audits([tree.unit_a, tree.unit_b], YEAR)
    column_a, column_b = comparison.columns
    assert [a.pk for a in column_a.audits] == [audits["a"].pk]
    assert [a.pk for a in column_b.audits] == [audits["b"].pk]
    assert column_a.audits[0].started_on == D(2019, 5, 10)
    total_clauses = Clause.objects.count()
    depth_a, depth_b = column_a.audits[0].depth, column_b.audits[0].depth
    assert (depth_a["clauses_covered"], depth_a["clauses_total"]) == (2, total_clauses)
    assert (depth_a["questions"], depth_a["answered"], depth_a["findings"]) == (3, 3, 4)
    assert (depth_b["clauses_covered"], depth_b["questions"], depth_b["answered"]) == (0, 1, 0)

    by_kind = {row.kind: row.columns for row in comparison.kind_rows}
    assert list(by_kind) == ["major", "minor", "observation", "improvement"]
    assert by_kind == {"major": [1, 0], "minor": [2, 0], "observation": [1, 0], "improvement": [0, 1]}
    assert [row.total for row in comparison.kind_rows] == [1, 2, 1, 1]

    by_clause = {row.clause.code: row.columns for row in comparison.clause_rows}
    assert list(by_clause) == ["7.5", "8.2", "9.1"]  # clause order
    assert by_clause["7.5"] == [[("minor", 2), ("observation", 1)], []]
    assert by_clause["8.2"] == [[("major", 1)], []]
    assert by_clause["9.1"] == [[], [("improvement", 1)]]
    assert comparison.audited == 2


def test_audits_page(tree, supervisor, audits, login):
    response = login(supervisor).get(URL, {"year": YEAR, "subject": "audits"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="compare-audits"' in html and 'id="compare-clauses"' in html
    assert "10/05/2019" in html and "12/06/2019" in html
    assert audits["a"].get_absolute_url() in html
    assert html.count('class="clause-row"') == 3
    assert '<span class="badge text-bg-warning me-1" data-kind="minor">2 minor</span>' in html
    # A year without audits says so in every column.
    html = login(supervisor).get(URL, {"year": 2017, "subject": "audits"}).content.decode()
    assert html.count("no internal audit") == 2 and 'id="compare-no-findings"' in html


# --- Scoring --------------------------------------------------------------------------------
def test_scores_side_by_side(tree, supervisor, officer_a, officer_b, login):
    scoring_round = make_round(supervisor, tree.district)
    self_scored(officer_a, sheet_of(scoring_round, tree.unit_a), {"1": Decimal("7"), "2": Decimal("15")})
    finalised(
        officer_b,
        supervisor,
        sheet_of(scoring_round, tree.unit_b),
        {"1": Decimal("9"), "2": Decimal("18")},
        final={"2": Decimal("16")},
    )
    comparison = selectors.compare_scores([tree.unit_a, tree.unit_b], YEAR)
    assert [s.unit_id for s in comparison.sheets] == [tree.unit_a.pk, tree.unit_b.pk]
    rows = {row.code: row for row in comparison.rows}
    assert list(rows) == ["1", "2", "3"]
    assert rows["2"].max_points == Decimal("20")
    line_a, line_b = rows["1"].columns
    assert (line_a.self_score, line_a.final_score) == (Decimal("7"), None)
    assert line_b.final_score == Decimal("9")
    assert rows["2"].columns[1].final_score == Decimal("16")  # the supervisor's, not the self-score 18
    # Criterion 3 is computed (internal audit held): no audit in 2019, so 0 points.
    assert [line.self_score for line in rows["3"].columns] == [Decimal("0"), Decimal("0")]
    assert comparison.sheets[1].final_total == Decimal("25")

    html = login(supervisor).get(URL, {"year": YEAR, "subject": "scores"}).content.decode()
    assert 'id="compare-scores"' in html and html.count('class="criterion-row"') == 3
    assert '<em title="self-score">7</em>' in html  # not finalised: the self-score, in italics
    assert '<td class="text-end score-cell">16</td>' in html
    html = login(supervisor).get(URL, {"year": YEAR + 1, "subject": "scores"}).content.decode()
    assert 'id="compare-no-scores"' in html


# --- Scope, filters and bad input -----------------------------------------------------------
def _columns(response):
    return [unit.pk for unit in response.context["units"]]


def tree_order(*units):
    """The pks of the units in the order of the columns: tree order (by path, as text)."""
    return [u.pk for u in sorted(units, key=lambda u: u.path)]


def test_officer_compares_only_their_own_unit(tree, officer_a, objectives, login):
    response = login(officer_a).get(URL, {"year": YEAR})
    assert _columns(response) == tree_order(tree.unit_a)
    html = response.content.decode()
    assert tree.unit_b.name not in html
    assert "≥ 100 %" not in html  # unit B's target
    assert login(officer_a).get(URL, {"year": YEAR, "unit": tree.unit_b.pk}).status_code == 404


def test_supervisor_default_is_every_qms_unit_of_the_subtree(tree, viewer, committee, objectives, login):
    for user in (viewer, committee):
        response = login(user).get(URL, {"year": YEAR})
        assert _columns(response) == tree_order(tree.unit_a, tree.unit_b)  # not the district itself


def test_pick_units_and_filter_by_wave_and_kind(tree, supervisor, objectives, login):
    rollout = WaveFactory(name="Nhân rộng 2018", year=2018)
    unit_c = UnitFactory(name="Xã Tăng Tiến", parent=tree.district, wave=rollout)
    client = login(supervisor)
    assert _columns(client.get(URL, {"year": YEAR})) == tree_order(tree.unit_a, tree.unit_b, unit_c)
    picked = client.get(URL, {"year": YEAR, "unit": [unit_c.pk, tree.unit_a.pk]})
    assert _columns(picked) == tree_order(tree.unit_a, unit_c)
    assert _columns(client.get(URL, {"year": YEAR, "wave": rollout.pk})) == tree_order(unit_c)
    assert _columns(client.get(URL, {"year": YEAR, "kind": "ward"})) == tree_order(tree.unit_a, tree.unit_b)
    response = client.get(URL, {"year": YEAR, "kind": "commune", "wave": tree.unit_a.wave_id})
    assert _columns(response) == [] and 'id="compare-empty"' in response.content.decode()
    # The wave and kind lists hold only what the user's units have.
    form = response.context["form"]
    assert {value for value, _label in form.fields["kind"].choices} == {"", "ward", "commune"}
    assert {value for value, _label in form.fields["wave"].choices} == {
        "",
        str(rollout.pk),
        str(tree.unit_a.wave_id),
    }


def test_units_that_did_not_exist_that_year_are_left_out(tree, supervisor, objectives, login):
    merged = UnitFactory(name="Xã Bích Sơn", parent=tree.district, valid_until=D(2018, 12, 31))
    formed = UnitFactory(name="Phường Vân Trung", parent=tree.district, valid_from=D(2020, 1, 1))
    client = login(supervisor)
    assert _columns(client.get(URL, {"year": YEAR})) == tree_order(tree.unit_a, tree.unit_b)
    assert _columns(client.get(URL, {"year": 2018})) == tree_order(tree.unit_a, tree.unit_b, merged)
    response = client.get(URL, {"year": YEAR, "unit": [merged.pk, tree.unit_a.pk]})
    assert _columns(response) == tree_order(tree.unit_a)
    assert "Xã Bích Sơn" in response.content.decode().split('id="compare-missing"')[1].split("</div>")[0]
    assert _columns(client.get(URL, {"year": 2020})) == tree_order(tree.unit_a, tree.unit_b, formed)


@pytest.mark.parametrize(
    "query",
    [
        {"unit": "999999"},
        {"unit": "abc"},
        {"unit": "DISTRICT"},
        {"unit": "OTHER"},
        {"unit": ["A", "OTHER"]},
    ],
)
def test_unknown_or_foreign_unit_is_404(tree, supervisor, login, query):
    names = {"A": tree.unit_a.pk, "DISTRICT": tree.district.pk, "OTHER": tree.other_commune.pk}
    values = query["unit"] if isinstance(query["unit"], list) else [query["unit"]]
    response = login(supervisor).get(URL, {"unit": [names.get(v, v) for v in values]})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"year": "20x9"}, "Enter a year as four digits, e.g. 2019."),
        ({"year": "1999"}, "Ensure this value is greater than or equal to 2000."),
        ({"year": "2101"}, "Ensure this value is less than or equal to 2100."),
        ({"subject": "budgets"}, "Select a valid choice. budgets is not one of the available choices."),
        ({"kind": "district"}, "Select a valid choice. district is not one of the available choices."),
        ({"wave": "999999"}, "Select a valid choice. 999999 is not one of the available choices."),
    ],
)
def test_bad_input_says_why(tree, supervisor, objectives, login, query, message):
    response = login(supervisor).get(URL, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="compare-errors"' in html and message in html
    assert "compare-objectives" not in html


def test_default_year_is_this_year(tree, supervisor, login):
    response = login(supervisor).get(URL)
    assert response.status_code == 200
    assert response.context["year"] == clock.today().year
    assert response.context["subject"] == "objectives"


# --- Query counts ---------------------------------------------------------------------------
def _unit_with_everything(tree, supervisor, auditor, index):
    """A commune with an objective (two measured indicators), an audit with two findings, and
    (once the round opens its sheets) a score sheet."""
    unit = UnitFactory(name=f"Xã Số {index}", parent=tree.district)
    objective = make_objective(unit, YEAR, statement=STATEMENT_A)
    for name in (ON_TIME_A, f"Chỉ tiêu riêng {index}"):
        measured(make_indicator(objective, name=name), [96, 94], supervisor)
    with clock.as_of(D(2019, 5, 10)):
        audit = started_audit(
            actor=supervisor, unit=unit, lead=auditor, month=D(2019, 5, 1), questions=[("7.5", "Câu hỏi?")]
        )
        answer_all(audit, auditor, ChecklistItem.Answer.NONCONFORMING)
        _raise(audit, auditor, Finding.Kind.MINOR, "7.5")
        _raise(audit, auditor, Finding.Kind.OBSERVATION, f"{4 + index % 6}.1")
    return unit


@pytest.mark.parametrize("subject", ["objectives", "audits", "scores"])
def test_query_count_does_not_grow_with_units(tree, supervisor, auditor, login, constant_queries, subject):
    from certification.services import scoring as scoring_services

    scoring_round = make_round(supervisor, tree.district)
    added = []

    def add_rows(n):
        for _ in range(n):
            added.append(_unit_with_everything(tree, supervisor, auditor, len(added)))
        scoring_services.round_open_sheets(actor=supervisor, scoring_round=scoring_round)

    response = constant_queries(
        login(supervisor), f"{URL}?year={YEAR}&subject={subject}", add_rows, few=2, many=12
    )
    assert len(response.context["units"]) == 14  # the two wards and the twelve communes
