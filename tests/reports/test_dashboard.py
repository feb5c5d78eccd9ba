"""The supervisor's dashboard on the home page (issue 8): one row per unit of the subtree with
its figures, headline figures and charts, sorting, filters by wave and kind, colours on
thresholds, links to the lists behind the figures, scoping, and a constant number of queries.

Every expected figure below is worked out from the records the test writes, not read back
through the selectors the page uses.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, CorrectiveAction, Nonconformity
from certification.models import ScoreSheet, StandardVersion
from communes.models import Unit
from reports import selectors
from reports.views import dashboard as views
from tests.certification.factories import V2008, V2015
from tests.factories import UnitFactory, WaveFactory
from tests.reports import dashboard_factories as f

DAY = datetime.timedelta(days=1)


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def data(tree, supervisor, superuser, today):
    """Unit A: announced on 2015, audit and review this year, two open nonconformities (one
    action overdue, one not yet due) and a closed one, one document overdue for review out of two,
    3 of 4 TTHC covered, 9 of 10 citizens satisfied, 85 points (2nd of 2).
    Unit B: a profile on 2008 not announced, audit last year, no review, nothing open, 5 of 5
    TTHC covered, 4 of 5 satisfied, 90 points (1st). The other district's commune has figures
    too, and must never show."""
    a, b, x = tree.unit_a, tree.unit_b, tree.other_commune
    f.qms(supervisor, a, V2015)
    f.qms(supervisor, b, V2008, announced=False)
    f.qms(superuser, x, V2015)
    f.audit_held(a, today)
    f.audit_held(a, datetime.date(today.year - 2, today.month, 1))
    f.audit_held(b, datetime.date(today.year - 1, today.month, 1))
    Audit.objects.create(unit=b, planned_month=today.replace(day=1), state=Audit.State.PLANNED)
    f.review_held(a, today, supervisor)
    late = f.nonconformity(a, supervisor, title="NC quá hạn A")
    f.action(late, supervisor, today - 10 * DAY)
    soon = f.nonconformity(a, supervisor, title="NC chưa đến hạn A")
    f.action(soon, supervisor, today + 10 * DAY)
    f.action(soon, supervisor, today - 5 * DAY, state=CorrectiveAction.State.EFFECTIVE)
    f.nonconformity(a, supervisor, status=Nonconformity.Status.CLOSED)
    f.document(a, today - DAY, code="QT-QUA-HAN")
    f.document(a, today + DAY, code="QT-CON-HAN")
    f.document(b, today - DAY, code="QT-NHAP", status="draft")
    f.coverage(a, applicable=4, covered=3)
    f.coverage(b, applicable=5, covered=5)
    f.ratings(a, satisfied=9, rated=10)
    f.ratings(b, satisfied=4, rated=5)
    f.ratings(x, satisfied=1, rated=1)
    scoring = f.scoring_round(tree.district, today.year - 1)
    sheet_a = f.sheet(scoring, a, 85)
    sheet_b = f.sheet(scoring, b, 90, status=ScoreSheet.Status.FINALISED)
    f.sheet(f.scoring_round(x.parent, today.year - 1), x, 99)
    return {"round": scoring, "sheet_a": sheet_a, "sheet_b": sheet_b, "late": late, "soon": soon}


def _home(client, user, query=""):
    client.force_login(user)
    response = client.get("/" + query)
    assert response.status_code == 200
    return f.read(response)


# --- Figures ------------------------------------------------------------------------------------
def test_a_row_per_unit_of_the_subtree_with_its_figures(client, english, tree, supervisor, data, today):
    page = _home(client, supervisor)
    a, b = tree.unit_a.pk, tree.unit_b.pk
    assert set(page.rows) == {a, b}
    expected = {
        a: {
            "unit": "Phường Bích Động",
            "status": "announced",
            "version": V2015,
            "audit": f"{today:%m/%Y}",
            "review": f"{today:%d/%m/%Y}",
            "ncs": "2",
            "actions": "2",
            "overdue": "1",
            "documents": "1",
            "coverage": "75%",
            "satisfaction": "90%",
            "score": "85",
            "rank": "2/2",
        },
        b: {
            "unit": "Phường Ninh Sơn",
            "status": "building",
            "version": V2008,
            "audit": f"{today:%m}/{today.year - 1}",
            "review": "—",
            "ncs": "0",
            "actions": "0",
            "overdue": "0",
            "documents": "0",
            "coverage": "100%",
            "satisfaction": "80%",
            "score": "90",
            "rank": "1/2",
        },
    }
    for pk, figures in expected.items():
        assert {column: cell.text for column, cell in page.rows[pk].items()} == figures


def test_headline_figures(client, english, supervisor, data, today):
    page = _home(client, supervisor)
    # 1 of 2 announced, 1 of 2 on the latest version, 1 unit with an overdue action,
    # the mean of 90% and 80%.
    assert page.ids["headline-announced"] == "1/2 units announced"
    assert page.ids["headline-latest"] == "50% on the 2015 version (1/2)"
    assert page.ids["headline-overdue"].startswith("1 unit with overdue")
    assert page.ids["headline-satisfaction"] == f"85% average satisfaction in {today.year} (2 units rated)"


def test_headline_version_is_the_latest_one_known(client, english, supervisor, data):
    StandardVersion.objects.create(code="TCVN ISO 9001:2030", sort_order=99)
    page = _home(client, supervisor)
    assert page.ids["headline-latest"] == "0% on the 2030 version (0/2)"
    assert page.rows[data["sheet_a"].unit_id]["version"].tone == "fair"


def test_charts_data(client, supervisor, data, tree):
    client.force_login(supervisor)
    response = client.get("/")
    charts = response.context["charts"]
    assert charts["status"]["counts"] == [1, 1]  # building, announced (in the model's order)
    assert charts["status"]["colours"] == ["#6c757d", "#198754"]
    assert charts["scores"]["labels"] == ["Ninh Sơn", "Bích Động"]
    assert charts["scores"]["values"] == [90.0, 85.0]
    html = response.content.decode()
    assert 'id="chart-status"' in html and 'id="chart-scores"' in html
    assert "vendor/chartjs/chart.umd.js" in html


def test_latest_finalised_round_wins_and_drafts_are_not_ranked(client, supervisor, data, tree, today):
    """A later round counts once a sheet is finalised there; a draft there does not."""
    later = f.scoring_round(tree.district, today.year)
    f.sheet(later, tree.unit_a, 60)
    f.sheet(later, tree.unit_b, None, status=ScoreSheet.Status.DRAFT)
    page = _home(client, supervisor)
    assert (page.rows[tree.unit_a.pk]["score"].text, page.rows[tree.unit_a.pk]["rank"].text) == ("60", "1/1")
    assert (page.rows[tree.unit_b.pk]["score"].text, page.rows[tree.unit_b.pk]["rank"].text) == ("90", "1/2")


def test_units_not_in_operation_and_supervising_units_have_no_row(client, supervisor, tree, data, today):
    gone = UnitFactory(parent=tree.district, kind="commune", valid_until=today - DAY)
    agency = UnitFactory(parent=tree.district, kind="agency", name="Văn phòng HĐND-UBND")
    page = _home(client, supervisor)
    assert gone.pk not in page.rows
    assert agency.pk in page.rows
    assert tree.district.pk not in page.rows


# --- Colours --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "tone"),
    [("0.9", "good"), ("0.8999", "fair"), ("0.8", "fair"), ("0.7999", "bad"), (None, None)],
)
def test_satisfaction_thresholds(value, tone):
    rate = None if value is None else Decimal(value)
    assert views.rate_tone(rate, views.SATISFACTION_GOOD, views.SATISFACTION_FAIR) == tone


@pytest.mark.parametrize(
    ("value", "tone"), [("1", "good"), ("0.99", "fair"), ("0.8", "fair"), ("0.79", "bad")]
)
def test_coverage_thresholds(value, tone):
    assert views.rate_tone(Decimal(value), views.COVERAGE_GOOD, views.COVERAGE_FAIR) == tone


def test_yearly_thresholds():
    today = datetime.date(2026, 3, 1)
    assert views.yearly_tone(datetime.date(2026, 1, 1), today) == "good"
    assert views.yearly_tone(datetime.date(2025, 12, 31), today) == "fair"
    assert views.yearly_tone(datetime.date(2024, 12, 31), today) == "bad"
    assert views.yearly_tone(None, today) == "bad"


def test_cells_are_coloured(client, supervisor, data, tree):
    page = _home(client, supervisor)
    a, b = page.rows[tree.unit_a.pk], page.rows[tree.unit_b.pk]
    tones = {
        "a": {
            k: a[k].tone for k in ("version", "audit", "review", "ncs", "overdue", "documents", "coverage")
        },
        "b": {
            k: b[k].tone for k in ("version", "audit", "review", "ncs", "overdue", "documents", "coverage")
        },
    }
    assert tones["a"] == {
        "version": "good",
        "audit": "good",
        "review": "good",
        "ncs": "fair",
        "overdue": "bad",
        "documents": "bad",
        "coverage": "bad",  # 75%
    }
    assert tones["b"] == {
        "version": "fair",  # 2008
        "audit": "fair",  # last year only
        "review": "bad",  # never
        "ncs": "good",
        "overdue": "good",
        "documents": "good",
        "coverage": "good",
    }
    assert (a["satisfaction"].tone, b["satisfaction"].tone) == ("good", "fair")
    assert (a["rank"].tone, b["rank"].tone) == ("", "good")  # the round proposes the best one
    assert "table-danger" in a["overdue"].css and "table-success" in b["overdue"].css
    assert "table-warning" in b["audit"].css


# --- Links ----------------------------------------------------------------------------------------
def test_every_figure_links_to_the_list_behind_it(client, supervisor, data, tree, today):
    page = _home(client, supervisor)
    a = tree.unit_a.pk
    cells = page.rows[a]
    expected = {
        "unit": reverse("communes:unit_detail", args=[a]),
        "audit": f"/audits/?unit={a}",
        "review": f"/audits/reviews/?unit={a}",
        "ncs": f"/actions/?unit={a}&status=open",
        "actions": f"/actions/?unit={a}&status=open",
        "overdue": f"/actions/?unit={a}&overdue=yes",
        "documents": f"/documents/?unit={a}&review_overdue=yes",
        "coverage": reverse("procedures:coverage_unit", args=[a]),
        "satisfaction": f"/surveys/?unit={a}&year={today.year}",
        "score": reverse("certification:sheet_detail", args=[data["sheet_a"].pk]),
        "rank": reverse("certification:league_table", args=[data["round"].pk]),
    }
    for column, url in expected.items():
        assert cells[column].href == url, column
    assert cells["status"].href.startswith("/qms/") and cells["version"].href == cells["status"].href
    # Every link opens for the supervisor.
    for column, cell in cells.items():
        assert client.get(cell.href).status_code == 200, (column, cell.href)


def test_linked_lists_apply_the_filter(client, english, supervisor, data, tree):
    page = _home(client, supervisor)
    cells = page.rows[tree.unit_a.pk]
    overdue = client.get(cells["overdue"].href).content.decode()
    assert "NC quá hạn A" in overdue and "NC chưa đến hạn A" not in overdue
    opened = client.get(cells["ncs"].href).content.decode()
    assert "NC quá hạn A" in opened and "NC chưa đến hạn A" in opened
    documents = client.get(cells["documents"].href).content.decode()
    assert "QT-QUA-HAN" in documents and "QT-CON-HAN" not in documents


def test_headline_links(client, supervisor, data, today):
    page = _home(client, supervisor)
    latest = StandardVersion.objects.get(code=V2015)
    assert page.links["headline-announced"] == "/qms/?status=announced"
    assert page.links["headline-latest"] == f"/qms/?version={latest.pk}"
    assert page.links["headline-overdue"] == "/actions/?overdue=yes"
    assert page.links["headline-satisfaction"] == f"/surveys/?year={today.year}"
    for element in ("headline-announced", "headline-latest", "headline-overdue", "headline-satisfaction"):
        assert client.get(page.links[element]).status_code == 200


# --- Sorting and filters -------------------------------------------------------------------------
@pytest.fixture
def unit_c(tree, supervisor, today):
    """A commune of the 2018 wave with no ratings and no score: it sorts last either way."""
    unit = UnitFactory(
        name="Xã Vân Hà",
        kind=Unit.Kind.COMMUNE,
        parent=tree.district,
        wave=WaveFactory(name="Nhân rộng 2018"),
    )
    f.coverage(unit, applicable=2, covered=1)
    return unit


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", ["a", "b", "c"]),  # by short name: Bích Động, Ninh Sơn, Vân Hà
        ("unit", ["a", "b", "c"]),
        ("-unit", ["c", "b", "a"]),
        ("satisfaction", ["b", "a", "c"]),
        ("-satisfaction", ["a", "b", "c"]),
        ("rank", ["b", "a", "c"]),
        ("-coverage", ["b", "a", "c"]),  # 100%, 75%, 50%
        ("coverage", ["c", "a", "b"]),
        ("-overdue", ["a", "b", "c"]),
        ("nonsense", ["a", "b", "c"]),
    ],
)
def test_sorting(client, supervisor, data, tree, unit_c, sort, order):
    page = _home(client, supervisor, f"?sort={sort}")
    names = {tree.unit_a.pk: "a", tree.unit_b.pk: "b", unit_c.pk: "c"}
    assert [names[pk] for pk in page.order] == order


def test_sort_links_keep_the_filters(client, supervisor, data, tree, unit_c):
    client.force_login(supervisor)
    response = client.get("/?kind=ward&sort=-score")
    headers = {h["key"]: h for h in response.context["headers"]}
    assert headers["score"]["url"] == "?kind=ward&sort=score"  # second click: the other way
    assert headers["satisfaction"]["url"] == "?kind=ward&sort=-satisfaction"
    assert headers["unit"]["url"] == "?kind=ward&sort=unit"


def test_filter_by_kind_and_wave(client, english, supervisor, data, tree, unit_c):
    page = _home(client, supervisor, "?kind=commune")
    assert list(page.rows) == [unit_c.pk]
    assert page.ids["headline-announced"] == "0/1 units announced"
    pilot = tree.unit_a.wave
    page = _home(client, supervisor, f"?wave={pilot.pk}")
    assert set(page.rows) == {tree.unit_a.pk, tree.unit_b.pk}
    assert page.links["headline-announced"] == f"/qms/?status=announced&wave={pilot.pk}"
    page = _home(client, supervisor, f"?wave={pilot.pk}&kind=commune")
    assert page.rows == {}


def test_filter_choices_are_those_of_the_units_in_scope(client, supervisor, data, tree, unit_c):
    WaveFactory(name="Đợt của huyện khác")
    client.force_login(supervisor)
    form = client.get("/").context["form"]
    assert {w.name for w in form.fields["wave"].queryset} == {"Thí điểm 2017", "Nhân rộng 2018"}
    assert [value for value, _label in form.fields["kind"].choices] == ["", "commune", "ward"]


def test_a_bad_filter_value_shows_every_unit(client, supervisor, data, tree, unit_c):
    page = _home(client, supervisor, "?wave=999999&kind=planet")
    assert set(page.rows) == {tree.unit_a.pk, tree.unit_b.pk, unit_c.pk}


# --- Permissions ---------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/", "/reports/dashboard/"])
def test_anonymous_goes_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("actor", ["supervisor", "committee", "viewer", "auditor"])
def test_the_district_sees_its_subtree_only(client, actors, data, tree, actor):
    page = _home(client, actors[actor])
    assert set(page.rows) == {tree.unit_a.pk, tree.unit_b.pk}


def test_the_superuser_sees_every_unit(client, superuser, data, tree):
    page = _home(client, superuser)
    assert set(page.rows) == {tree.unit_a.pk, tree.unit_b.pk, tree.other_commune.pk}


def test_an_officer_never_sees_another_units_row(client, officer_a, data, tree):
    client.force_login(officer_a)
    response = client.get("/")
    html = response.content.decode()
    assert f.read(response).rows == {}
    assert 'id="panel-officer-dashboard"' in html
    assert tree.unit_b.name not in html and tree.other_commune.name not in html


def test_a_user_without_units_has_no_dashboard_panel(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    html = client.get("/").content.decode()
    assert "panel-supervisor-dashboard" not in html and "panel-officer-dashboard" not in html
    page = client.get("/reports/dashboard/").content.decode()
    assert 'id="dashboard-empty"' in page


def test_the_full_page_shows_the_same_table(client, supervisor, data, tree):
    client.force_login(supervisor)
    response = client.get("/reports/dashboard/?sort=-satisfaction")
    page = f.read(response)
    assert page.order == [tree.unit_a.pk, tree.unit_b.pk]
    assert 'id="panel-units"' not in response.content.decode()  # the dashboard alone


def test_the_other_panels_stay_on_the_home_page(client, supervisor, data):
    client.force_login(supervisor)
    html = client.get("/").content.decode()
    assert html.index('id="panel-supervisor-dashboard"') < html.index('id="panel-units"')
    assert 'id="panel-documents"' in html


# --- Scale ------------------------------------------------------------------------------------------
def _full_unit(district, actor, scoring, today):
    unit = UnitFactory(parent=district, kind="commune")
    f.qms(actor, unit)
    f.audit_held(unit, today)
    f.review_held(unit, today, actor)
    nc = f.nonconformity(unit, actor)
    f.action(nc, actor, today - DAY)
    f.document(unit, today - DAY)
    f.coverage(unit, applicable=2, covered=1)
    f.ratings(unit, satisfied=1, rated=2)
    f.sheet(scoring, unit, 50)
    return unit


def test_constant_queries_whatever_the_number_of_units(client, supervisor, tree, today, constant_queries):
    scoring = f.scoring_round(tree.district, today.year - 1)
    client.force_login(supervisor)

    def add_rows(n):
        for _ in range(n):
            _full_unit(tree.district, supervisor, scoring, today)

    response = constant_queries(client, "/", add_rows, few=2, many=12)
    assert len(f.read(response).rows) == 14  # with units A and B


def test_unit_figures_cost_a_fixed_number_of_queries(django_assert_num_queries, tree, supervisor, today):
    scoring = f.scoring_round(tree.district, today.year - 1)
    units = [_full_unit(tree.district, supervisor, scoring, today) for _ in range(3)]
    with django_assert_num_queries(15):
        rows = selectors.unit_figures(units, today)
    assert [r.overdue_actions for r in rows] == [1, 1, 1]
    assert selectors.unit_figures([], today) == []
