"""Annual scoring pages: rounds, criteria, score sheets (self-score, submit, finalise, send back,
approve), the league table and its Excel export. Happy paths, permissions, bad input (a clear
error, nothing saved) and a constant number of queries as rows grow."""

import io
from decimal import Decimal
from itertools import count

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from certification.exports import HEADER_ROW
from certification.models import Criterion, ScoreLine, ScoreSheet, ScoringRound
from certification.services import scoring as services
from communes.models import Unit
from tests.certification.matrix_scoring import (
    YEAR,
    finalised,
    make_round,
    manual,
    self_scored,
    sheet_of,
    submitted,
)
from tests.documents.factories import english  # noqa: F401 -- fixture
from tests.factories import UnitFactory

pytestmark = pytest.mark.usefixtures("english")

Status = ScoreSheet.Status
LIST = reverse("certification:round_list")
CREATE = reverse("certification:round_create")


def message_of(response):
    """The last message of a request (earlier ones stay stored until a page shows them)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def url(name, obj):
    return reverse(f"certification:{name}", args=[obj.pk])


@pytest.fixture
def scoring_round(tree, supervisor):
    return make_round(supervisor, tree.district)


def line_of(sheet, code):
    return ScoreLine.objects.get(sheet=sheet, criterion__code=code)


# --- Round list ------------------------------------------------------------------------------
def test_round_list_counts_the_sheets_per_status(tree, scoring_round, supervisor, officer_a, login):
    submitted(officer_a, sheet_of(scoring_round, tree.unit_a))
    make_round(supervisor, tree.district, year=YEAR - 1)
    response = login(supervisor).get(LIST)
    rows = {r.year: r for r in response.context["table"].data}
    assert list(rows) == [YEAR, YEAR - 1]
    current = rows[YEAR]
    assert (current.sheets_count, current.draft_count, current.submitted_count, current.approved_count) == (
        2,
        1,
        1,
        0,
    )
    page = response.content.decode()
    assert 'id="round-create"' in page
    assert response.context["my_sheets"] == []  # the supervisor sees the rounds themselves


def test_officers_see_their_own_sheets_not_the_rounds(tree, scoring_round, officer_a, login):
    response = login(officer_a).get(LIST)
    assert list(response.context["table"].data) == []
    assert response.context["my_sheets"] == [sheet_of(scoring_round, tree.unit_a)]
    page = response.content.decode()
    assert url("sheet_detail", sheet_of(scoring_round, tree.unit_a)) in page
    assert url("sheet_detail", sheet_of(scoring_round, tree.unit_b)) not in page
    assert 'id="round-create"' not in page


def test_round_list_filters_by_year_and_unit_without_accents(tree, supervisor, superuser, login):
    make_round(supervisor, tree.district, open_sheets=False)
    make_round(supervisor, tree.district, year=YEAR - 1, open_sheets=False)
    make_round(superuser, tree.other_district, open_sheets=False)
    client = login(superuser)
    assert [r.year for r in client.get(LIST, {"year": YEAR - 1}).context["table"].data] == [YEAR - 1]
    found = client.get(LIST, {"q": "hiep hoa"}).context["table"].data
    assert [r.unit for r in found] == [tree.other_district]


def test_round_list_queries_stay_constant(tree, supervisor, officer_a, login, constant_queries):
    years = count(2000)

    def add_rounds(n):
        for _ in range(n):
            make_round(supervisor, tree.district, year=next(years), criteria=[("1", "Tài liệu", "10", "")])

    constant_queries(login(supervisor), LIST, add_rounds)
    # The officer's own sheets grow with the rounds too.
    constant_queries(login(officer_a), LIST, add_rounds)


# --- Round create / update -------------------------------------------------------------------
def test_supervisor_creates_a_round(tree, supervisor, login):
    client = login(supervisor)
    form = client.get(CREATE).context["form"]
    # Only the supervising units where the user manages: the district, not its wards.
    assert list(form.fields["unit"].queryset) == [tree.district]
    response = client.post(
        CREATE,
        {
            "unit": tree.district.pk,
            "year": YEAR,
            "self_score_due": "2020-01-15",
            "commend_top": 2,
            "support_bottom": 1,
        },
    )
    scoring_round = ScoringRound.objects.get()
    assert response.status_code == 302 and response["Location"] == url("round_detail", scoring_round)
    assert (scoring_round.unit, scoring_round.year, scoring_round.commend_top) == (tree.district, YEAR, 2)
    assert scoring_round.self_score_due.isoformat() == "2020-01-15"


def test_round_create_bad_input(tree, supervisor, scoring_round, login):
    client = login(supervisor)
    response = client.post(
        CREATE, {"unit": tree.district.pk, "year": YEAR, "commend_top": 3, "support_bottom": 3}
    )
    assert response.status_code == 200
    assert "already has a scoring round for this year" in response.content.decode()
    response = client.post(
        CREATE, {"unit": tree.unit_a.pk, "year": 1990, "commend_top": -1, "support_bottom": 3}
    )
    errors = response.context["form"].errors
    assert set(errors) == {"unit", "year", "commend_top"}
    assert ScoringRound.objects.count() == 1


def test_round_update(tree, supervisor, scoring_round, login):
    client = login(supervisor)
    form = client.get(url("round_update", scoring_round)).context["form"]
    assert "unit" not in form.fields and "year" not in form.fields
    response = client.post(url("round_update", scoring_round), {"commend_top": 5, "support_bottom": 2})
    assert response.status_code == 302
    scoring_round.refresh_from_db()
    assert (scoring_round.commend_top, scoring_round.support_bottom) == (5, 2)


# --- Round detail ----------------------------------------------------------------------------
def test_round_detail_shows_criteria_and_sheets(tree, scoring_round, supervisor, officer_a, login):
    submitted(officer_a, sheet_of(scoring_round, tree.unit_a))
    response = login(supervisor).get(url("round_detail", scoring_round))
    page = response.content.decode()
    assert [c.code for c in response.context["criteria"]] == ["1", "2", "3"]
    assert response.context["max_total"] == Decimal(40)
    assert "internal audit held in the year" in page  # the source's label
    assert 'id="criterion-create"' in page and 'id="round-open"' in page
    assert 'id="criteria-copy"' not in page  # the round has criteria already
    assert 'id="round-approve"' not in page  # nothing finalised, and the supervisor does not approve
    sheets = {s.unit: s for s in response.context["sheets"]}
    assert sheets[tree.unit_a].status == Status.SUBMITTED and sheets[tree.unit_a].self_total == Decimal(24)


def test_round_detail_for_the_committee_once_a_sheet_is_finalised(
    tree, scoring_round, supervisor, officer_a, committee, login
):
    finalised(officer_a, supervisor, sheet_of(scoring_round, tree.unit_a))
    page = login(committee).get(url("round_detail", scoring_round)).content.decode()
    assert 'id="round-approve"' in page
    assert 'id="criterion-create"' not in page
    page = login(supervisor).get(url("round_detail", scoring_round)).content.decode()
    assert 'id="criteria-locked"' in page and 'id="criterion-create"' not in page


def test_round_detail_queries_stay_constant(tree, scoring_round, supervisor, login, constant_queries):
    names = count()

    def add_units(n):
        for _ in range(n):
            UnitFactory(name=f"Xã {next(names)}", kind=Unit.Kind.COMMUNE, parent=tree.district)
        services.round_open_sheets(actor=supervisor, scoring_round=scoring_round)

    constant_queries(login(supervisor), url("round_detail", scoring_round), add_units)


# --- Criteria --------------------------------------------------------------------------------
def criterion_data(**overrides):
    data = {"code": "4", "title": "Khảo sát sự hài lòng", "max_points": "5", "source": "", "order": "4"}
    return data | overrides


def test_criterion_create_offers_the_sources(tree, scoring_round, supervisor, login):
    client = login(supervisor)
    choices = dict(
        client.get(url("criterion_create", scoring_round)).context["form"].fields["source"].choices
    )
    assert "" in choices and "tthc_coverage" in choices
    response = client.post(url("criterion_create", scoring_round), criterion_data(source="management_review"))
    assert response.status_code == 302
    added = scoring_round.criteria.get(code="4")
    assert added.source == "management_review"
    # Every open sheet got its line, filled in from the system.
    assert ScoreLine.objects.filter(criterion=added).exclude(figure="").count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"max_points": "0"}, "max_points"),
        ({"max_points": "nhiều"}, "max_points"),
        ({"source": "magic"}, "source"),
        ({"title": ""}, "title"),
    ],
)
def test_criterion_create_bad_input(tree, scoring_round, supervisor, login, data, field):
    response = login(supervisor).post(url("criterion_create", scoring_round), criterion_data(**data))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert scoring_round.criteria.count() == 3


def test_criterion_code_must_be_unique(tree, scoring_round, supervisor, login):
    response = login(supervisor).post(url("criterion_create", scoring_round), criterion_data(code="1"))
    assert response.status_code == 200
    assert "already has a criterion with this code" in response.content.decode()
    assert scoring_round.criteria.count() == 3


def test_criterion_update_and_delete(tree, scoring_round, supervisor, login):
    client = login(supervisor)
    first = scoring_round.criteria.get(code="1")
    response = client.post(
        url("criterion_update", first), criterion_data(code="1", title="Tài liệu", max_points="12")
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.title, first.max_points) == ("Tài liệu", Decimal(12))

    response = client.get(url("criterion_delete", first))
    assert response.status_code == 200 and 'id="confirm-button"' in response.content.decode()
    assert Criterion.objects.filter(pk=first.pk).exists()  # GET asks, it does not delete
    response = client.post(url("criterion_delete", first))
    assert response.status_code == 302
    assert not Criterion.objects.filter(pk=first.pk).exists()


def test_locked_criteria_are_refused_with_a_message(tree, scoring_round, supervisor, officer_a, login):
    finalised(officer_a, supervisor, sheet_of(scoring_round, tree.unit_a))
    client = login(supervisor)
    first = scoring_round.criteria.get(code="1")
    response = client.post(url("criterion_update", first), criterion_data(code="1", max_points="50"))
    assert response.status_code == 200
    assert "cannot change once a score sheet of the round is finalised" in response.content.decode()
    response = client.post(url("criterion_delete", first))
    assert "cannot change once a score sheet" in message_of(response)
    first.refresh_from_db()
    assert first.max_points == Decimal(10)


def test_criteria_copy_and_open_sheets(tree, supervisor, login):
    previous = make_round(supervisor, tree.district, year=YEAR - 1, open_sheets=False)
    scoring_round = services.round_create(actor=supervisor, unit=tree.district, year=YEAR)
    client = login(supervisor)
    assert 'id="criteria-copy"' in client.get(url("round_detail", scoring_round)).content.decode()
    response = client.post(url("criteria_copy", scoring_round))
    assert message_of(response) == f"3 criteria copied from {YEAR - 1}."
    assert list(scoring_round.criteria.values_list("code", flat=True)) == list(
        previous.criteria.values_list("code", flat=True)
    )
    response = client.post(url("criteria_copy", scoring_round))
    assert "already has criteria" in message_of(response)
    assert scoring_round.criteria.count() == 3

    response = client.post(url("round_open", scoring_round))
    assert message_of(response) == "2 score sheet(s) opened, with the computed criteria filled in."
    response = client.post(url("round_open", scoring_round))
    assert message_of(response) == "Every unit already has its score sheet: none opened."
    assert scoring_round.sheets.count() == 2


def test_round_open_without_criteria_says_why(tree, supervisor, login):
    scoring_round = services.round_create(actor=supervisor, unit=tree.district, year=YEAR)
    response = login(supervisor).post(url("round_open", scoring_round))
    assert "Add the criteria of the round" in message_of(response)


# --- Score sheet: the officer ----------------------------------------------------------------
def test_officer_sees_the_self_score_form(tree, scoring_round, officer_a, login):
    sheet = sheet_of(scoring_round, tree.unit_a)
    response = login(officer_a).get(url("sheet_detail", sheet))
    form = response.context["self_form"]
    one, two = manual(scoring_round)
    computed = scoring_round.criteria.get(code="3")
    assert set(form.fields) == {
        f"self_{one.pk}",
        f"self_comment_{one.pk}",
        f"self_{two.pk}",
        f"self_comment_{two.pk}",
    }
    page = response.content.decode()
    assert f'name="self_{computed.pk}"' not in page  # computed: read-only
    assert f"No internal audit in {YEAR}" in page
    assert 'id="sheet-submit"' in page
    assert response.context["final_form"] is None and not response.context["can_see_round"]
    assert url("round_detail", scoring_round) not in page  # the officer cannot read the round


def test_officer_saves_the_self_score(tree, scoring_round, officer_a, login):
    sheet = sheet_of(scoring_round, tree.unit_a)
    one, two = manual(scoring_round)
    computed = scoring_round.criteria.get(code="3")
    data = {
        f"self_{one.pk}": "9.5",
        f"self_comment_{one.pk}": "Đủ 45 quy trình.",
        f"self_{two.pk}": "18",
        f"self_comment_{two.pk}": "Áp dụng tại một cửa.",
        f"self_{computed.pk}": "10",  # not a field of the form: ignored
    }
    response = login(officer_a).post(url("sheet_self_score", sheet), data)
    assert response.status_code == 302
    assert (line_of(sheet, "1").self_score, line_of(sheet, "1").self_comment) == (
        Decimal("9.5"),
        "Đủ 45 quy trình.",
    )
    assert line_of(sheet, "3").self_score == 0
    sheet.refresh_from_db()
    assert sheet.self_total == Decimal("27.5") and sheet.status == Status.DRAFT


@pytest.mark.parametrize("points", ["-1", "10.5", "abc"])
def test_a_bad_self_score_shows_on_its_row_and_nothing_is_saved(
    tree, scoring_round, officer_a, login, points
):
    sheet = sheet_of(scoring_round, tree.unit_a)
    one, two = manual(scoring_round)
    data = {
        f"self_{one.pk}": points,
        f"self_comment_{one.pk}": "Sai",
        f"self_{two.pk}": "18",
        f"self_comment_{two.pk}": "Đúng",
    }
    response = login(officer_a).post(url("sheet_self_score", sheet), data)
    assert response.status_code == 200
    assert f"self_{one.pk}" in response.context["self_form"].errors
    row = response.context["rows"][0]
    assert row.line.criterion == one and row.errors
    page = response.content.decode()
    start = page.index(f'id="line-{one.pk}"')
    assert "line-error" in page[start : page.index("</tr>", start)]
    assert line_of(sheet, "2").self_score is None  # the valid line was not saved either


def test_submit_asks_first_then_submits(tree, scoring_round, officer_a, login):
    sheet = sheet_of(scoring_round, tree.unit_a)
    self_scored(officer_a, sheet)
    client = login(officer_a)
    response = client.get(url("sheet_submit", sheet))
    assert response.status_code == 200 and 'id="confirm-button"' in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == Status.DRAFT
    response = client.post(url("sheet_submit", sheet))
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.status, sheet.submitted_by) == (Status.SUBMITTED, officer_a)
    # Submitted: no form for the officer any more, and no second submission.
    page = client.get(url("sheet_detail", sheet))
    assert page.context["self_form"] is None and 'id="sheet-submit"' not in page.content.decode()
    response = client.post(url("sheet_submit", sheet))
    assert message_of(response) == "This score sheet has already been submitted."


def test_submit_without_comments_marks_the_rows(tree, scoring_round, officer_a, login):
    sheet = sheet_of(scoring_round, tree.unit_a)
    one, two = manual(scoring_round)
    services.sheet_self_score(actor=officer_a, sheet=sheet, scores={one.pk: (8, "")})
    response = login(officer_a).post(url("sheet_submit", sheet))
    assert response.status_code == 200
    errors = response.context["self_form"].errors
    assert errors[f"self_{one.pk}"] == ["1: say what the self-score rests on."]
    assert errors[f"self_{two.pk}"] == ["2: give the self-score."]
    page = response.content.decode()
    assert "1: say what the self-score rests on." in page and "2: give the self-score." in page
    # The saved values stay in the form, ready to complete.
    assert response.context["self_form"][f"self_{one.pk}"].value() == "8.00"
    sheet.refresh_from_db()
    assert sheet.status == Status.DRAFT


def test_other_units_and_readers_cannot_score(tree, scoring_round, officer_b, committee, auditor, login):
    sheet = sheet_of(scoring_round, tree.unit_a)
    one = manual(scoring_round)[0]
    data = {f"self_{one.pk}": "5", f"self_comment_{one.pk}": "x"}
    assert login(officer_b).post(url("sheet_self_score", sheet), data).status_code == 404
    for user in (committee, auditor):
        assert login(user).post(url("sheet_self_score", sheet), data).status_code == 403
        assert login(user).get(url("sheet_detail", sheet)).context["self_form"] is None
    assert line_of(sheet, "1").self_score is None


# --- Score sheet: the supervisor and the committee -------------------------------------------
def test_supervisor_finalises_with_a_comment_where_the_score_differs(
    tree, scoring_round, officer_a, supervisor, login
):
    sheet = submitted(officer_a, sheet_of(scoring_round, tree.unit_a))
    two = scoring_round.criteria.get(code="2")
    client = login(supervisor)
    response = client.get(url("sheet_detail", sheet))
    form = response.context["final_form"]
    assert form is not None and response.context["return_form"] is not None
    assert form[f"final_{two.pk}"].value() == Decimal(16)  # starts from the self-score

    response = client.post(
        url("sheet_finalise", sheet), {f"final_{two.pk}": "12", f"final_comment_{two.pk}": ""}
    )
    assert response.status_code == 200
    message = "2: say why the final score differs from the self-score."
    assert response.context["final_form"].errors[f"final_{two.pk}"] == [message]
    page = response.content.decode()
    start = page.index(f'id="line-{two.pk}"')
    assert message in page[start : page.index("</tr>", start)]
    sheet.refresh_from_db()
    assert sheet.status == Status.SUBMITTED and line_of(sheet, "2").final_score is None

    response = client.post(
        url("sheet_finalise", sheet),
        {f"final_{two.pk}": "12", f"final_comment_{two.pk}": "Thiếu minh chứng.", "remarks": "Cần cố gắng."},
    )
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.status, sheet.final_total, sheet.remarks) == (Status.FINALISED, Decimal(20), "Cần cố gắng.")
    page = client.get(url("sheet_detail", sheet))
    assert page.context["rank"] == 1 and 'id="sheet-rank"' in page.content.decode()


def test_an_officer_cannot_change_the_final_score(tree, scoring_round, officer_a, supervisor, login):
    sheet = submitted(officer_a, sheet_of(scoring_round, tree.unit_a))
    one = scoring_round.criteria.get(code="1")
    client = login(officer_a)
    assert client.get(url("sheet_detail", sheet)).context["final_form"] is None
    data = {f"final_{one.pk}": "10", f"final_comment_{one.pk}": "Tự nâng điểm"}
    assert client.post(url("sheet_finalise", sheet), data).status_code == 403
    assert client.post(url("sheet_return", sheet), {"remarks": "x"}).status_code == 403
    sheet.refresh_from_db()
    assert sheet.status == Status.SUBMITTED and line_of(sheet, "1").final_score is None


def test_finalise_a_draft_is_refused_with_a_message(tree, scoring_round, supervisor, login):
    sheet = sheet_of(scoring_round, tree.unit_a)
    response = login(supervisor).post(url("sheet_finalise", sheet), {})
    assert response.status_code == 302
    assert message_of(response) == "Only a submitted score sheet can be finalised."


def test_supervisor_sends_a_sheet_back(tree, scoring_round, officer_a, supervisor, login):
    sheet = submitted(officer_a, sheet_of(scoring_round, tree.unit_a))
    client = login(supervisor)
    response = client.post(url("sheet_return", sheet), {"remarks": ""})
    assert response.status_code == 200 and "remarks" in response.context["return_form"].errors
    sheet.refresh_from_db()
    assert sheet.status == Status.SUBMITTED
    response = client.post(url("sheet_return", sheet), {"remarks": "Bổ sung minh chứng tiêu chí 2."})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.status, sheet.remarks) == (Status.DRAFT, "Bổ sung minh chứng tiêu chí 2.")
    page = login(officer_a).get(url("sheet_detail", sheet)).content.decode()
    assert 'id="sheet-remarks"' in page and "Bổ sung minh chứng tiêu chí 2." in page


def test_only_the_committee_approves_a_sheet(tree, scoring_round, officer_a, supervisor, committee, login):
    sheet = finalised(officer_a, supervisor, sheet_of(scoring_round, tree.unit_a))
    assert 'id="sheet-approve"' not in login(supervisor).get(url("sheet_detail", sheet)).content.decode()
    assert login(supervisor).post(url("sheet_approve", sheet)).status_code == 403
    client = login(committee)
    assert 'id="sheet-approve"' in client.get(url("sheet_detail", sheet)).content.decode()
    assert client.get(url("sheet_approve", sheet)).status_code == 200
    response = client.post(url("sheet_approve", sheet))
    assert response.status_code == 302 and message_of(response) == "Score sheet approved."
    sheet.refresh_from_db()
    assert (sheet.status, sheet.approved_by) == (Status.APPROVED, committee)
    response = client.post(url("sheet_approve", sheet))
    assert message_of(response) == "Only a finalised score sheet can be approved."


def test_committee_approves_the_whole_round(tree, scoring_round, officer_a, supervisor, committee, login):
    finalised(officer_a, supervisor, sheet_of(scoring_round, tree.unit_a))
    assert login(supervisor).post(url("round_approve", scoring_round)).status_code == 403
    response = login(committee).post(url("round_approve", scoring_round))
    assert message_of(response) == "1 score sheet(s) approved."
    assert dict(scoring_round.sheets.values_list("unit_id", "status")) == {
        tree.unit_a.pk: Status.APPROVED,
        tree.unit_b.pk: Status.DRAFT,
    }


def test_sheet_detail_queries_stay_constant(
    tree, scoring_round, supervisor, officer_a, login, constant_queries
):
    sheet = sheet_of(scoring_round, tree.unit_a)
    codes = count(10)

    def add_criteria(n):
        for i in range(n):
            services.criterion_create(
                actor=supervisor,
                scoring_round=scoring_round,
                code=str(next(codes)),
                title="Tiêu chí bổ sung",
                max_points=5,
                source="management_review" if i % 2 else "",
            )

    constant_queries(login(officer_a), url("sheet_detail", sheet), add_criteria)
    submitted(officer_a, sheet, points={c.code: 1 for c in manual(scoring_round)})
    constant_queries(login(supervisor), url("sheet_detail", sheet), add_criteria)


# --- League table and export -----------------------------------------------------------------
@pytest.fixture
def ranked_round(tree, supervisor, officer_a, officer_b, committee):
    """Four units: B 36, A 24 (approved), C 24, D not finalised; top 1, bottom 1."""
    c = UnitFactory(name="Phòng Tư pháp", kind=Unit.Kind.AGENCY, parent=tree.district)
    d = UnitFactory(name="Phòng Nội vụ", kind=Unit.Kind.AGENCY, parent=tree.district)
    scoring_round = make_round(supervisor, tree.district, commend_top=1, support_bottom=1)
    finalised(officer_a, supervisor, sheet_of(scoring_round, tree.unit_a))
    services.sheet_approve(actor=committee, sheet=sheet_of(scoring_round, tree.unit_a))
    finalised(
        officer_b, supervisor, sheet_of(scoring_round, tree.unit_b), points={"1": 10, "2": 20}, final={"3": 6}
    )
    finalised(supervisor, supervisor, sheet_of(scoring_round, c))
    return scoring_round, c, d


def test_league_table_ranks_and_highlights(tree, ranked_round, committee, login):
    scoring_round, c, d = ranked_round
    response = login(committee).get(url("league_table", scoring_round))
    rows = response.context["table"].rows
    assert [(s.unit, s.rank) for s in rows[:1]] == [(tree.unit_b, 1)]
    assert {s.unit: s.rank for s in rows} == {tree.unit_b: 1, tree.unit_a: 2, c: 2, d: None}
    assert rows[-1].unit == d
    page = response.content.decode()
    assert 'id="provisional"' in page
    b_row = page[page.index(f'id="league-{tree.unit_b.pk}"') :]
    assert 'data-outcome="commendation"' in b_row[: b_row.index(">")]
    # A and C share the bottom rank: both need support.
    assert {s.unit for s in response.context["table"].needs_support} == {tree.unit_a, c}
    assert page.count('data-outcome="support"') == 2


def test_league_table_is_final_once_everything_is_approved(
    tree, supervisor, officer_a, officer_b, committee, login
):
    scoring_round = make_round(supervisor, tree.district)
    finalised(officer_a, supervisor, sheet_of(scoring_round, tree.unit_a))
    finalised(officer_b, supervisor, sheet_of(scoring_round, tree.unit_b), points={"1": 10})
    services.round_approve(actor=committee, scoring_round=scoring_round)
    page = login(supervisor).get(url("league_table", scoring_round)).content.decode()
    assert 'id="provisional"' not in page and 'id="approved-note"' in page


def test_league_table_queries_stay_constant(tree, supervisor, committee, login, constant_queries):
    scoring_round = make_round(supervisor, tree.district)
    names = count()

    def add_units(n):
        units = [
            UnitFactory(name=f"Xã {next(names)}", kind=Unit.Kind.COMMUNE, parent=tree.district)
            for _ in range(n)
        ]
        services.round_open_sheets(actor=supervisor, scoring_round=scoring_round)
        for unit in units[::2]:
            finalised(supervisor, supervisor, sheet_of(scoring_round, unit))

    client = login(committee)
    constant_queries(client, url("league_table", scoring_round), add_units)
    constant_queries(client, url("league_export", scoring_round), add_units)


def _workbook(response):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="cham-diem-iso-')
    return load_workbook(io.BytesIO(response.content)).active


def test_export_one_row_per_unit(tree, ranked_round, committee, login):
    scoring_round, c, d = ranked_round
    sheet = _workbook(login(committee).get(url("league_export", scoring_round)))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == str(scoring_round)
    assert rows[1][0] == "Provisional: not every score sheet has been approved yet."
    header = rows[HEADER_ROW - 1]
    assert header == (
        "Rank",
        "Unit",
        "1. Ban hành đầy đủ hệ thống tài liệu theo TCVN ISO 9001:2015 (max. 10.00)",
        "2. Áp dụng quy trình giải quyết TTHC tại bộ phận một cửa (max. 20.00)",
        "3. Đánh giá nội bộ trong năm (max. 10.00)",
        "Self-score",
        "Final score",
        "Maximum",
        "Status",
        "Proposal",
    )
    data = rows[HEADER_ROW:]
    assert data == [
        (
            1,
            tree.unit_b.name,
            10,
            20,
            6,
            30,
            36,
            40,
            "finalised, awaiting approval",
            "Proposed for commendation",
        ),
        *[
            (2, unit.name, 8, 16, 0, 24, 24, 40, status, "Needs support")
            for unit, status in sorted(
                [(tree.unit_a, "approved"), (c, "finalised, awaiting approval")],
                key=lambda pair: pair[0].path,
            )
        ],
        (None, d.name, None, None, None, 0, None, 40, "being self-scored", None),
    ]


def test_export_headers_follow_the_language(tree, ranked_round, committee, login, client):
    scoring_round, _c, _d = ranked_round
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "vi"
    sheet = _workbook(login(committee).get(url("league_export", scoring_round)))
    header = next(sheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True))
    with translation.override("vi"):
        expected = [translation.gettext(t) for t in ("Rank", "Unit")]
        status = str(ScoreSheet.Status.FINALISED.label)
    assert list(header[:2]) == expected
    assert status in [cell for row in sheet.iter_rows(values_only=True) for cell in row]


def test_export_is_out_of_reach_of_officers(tree, ranked_round, officer_a, login):
    scoring_round, _c, _d = ranked_round
    assert login(officer_a).get(url("league_export", scoring_round)).status_code == 404


def test_today_is_shown_as_dd_mm_yyyy(tree, scoring_round, officer_a, login):
    sheet = submitted(officer_a, sheet_of(scoring_round, tree.unit_a))
    page = login(officer_a).get(url("sheet_detail", sheet)).content.decode()
    assert timezone.localdate().strftime("%d/%m/%Y") in page
