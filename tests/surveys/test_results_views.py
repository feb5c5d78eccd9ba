"""The satisfaction results, the responses list and raising a nonconformity from a comment: the
figures match the ones computed here from the same data, the pages are scoped, and their query
counts do not grow with the number of rows."""

import datetime
from collections import defaultdict

import pytest
from django.urls import reverse

from audits.models import Nonconformity
from surveys.models import Response
from tests.documents.factories import DocProcedureFactory
from tests.surveys.matrix_satisfaction import at, make_response, make_tally

D = datetime.date
YEAR = 2024
SATISFIED = {4, 5}


@pytest.fixture
def data(tree):
    """Online responses and paper tallies of units A and B in 2024, and one of 2023 (left out)."""
    p1 = DocProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    p2 = DocProcedureFactory(code="2.000815", name="Chứng thực bản sao")
    a, b = tree.unit_a, tree.unit_b
    online = [
        # (unit, day, procedure, overall, timeliness)
        (a, D(YEAR, 1, 10), p1, 5, 4),
        (a, D(YEAR, 1, 20), p1, 4, 2),
        (a, D(YEAR, 2, 5), p2, 3, 5),
        (a, D(YEAR, 2, 6), p2, 1, None),
        (a, D(YEAR, 3, 3), None, 5, None),
        (b, D(YEAR, 1, 15), p1, 2, 1),
        (b, D(YEAR, 3, 20), p1, 4, 4),
    ]
    for unit, day, procedure, overall, timeliness in online:
        make_response(unit, overall, procedure=procedure, when=at(day), timeliness=timeliness)
    make_response(a, 1, procedure=p1, when=at(D(YEAR - 1, 12, 31), hour=16))  # last year
    paper = [
        # (unit, start, end, criterion, procedure, counts 5..1)
        (a, D(YEAR, 1, 1), D(YEAR, 1, 31), "overall", None, (10, 5, 3, 1, 1)),
        (a, D(YEAR, 1, 1), D(YEAR, 1, 31), "timeliness", None, (2, 2, 2, 2, 2)),
        (b, D(YEAR, 2, 1), D(YEAR, 2, 29), "overall", p1, (0, 4, 4, 0, 2)),
    ]
    for unit, start, end, criterion, procedure, counts in paper:
        make_tally(unit, start, end, counts, criterion=criterion, procedure=procedure)
    return {"online": online, "paper": paper, "p1": p1, "p2": p2}


def expected(data, key, criterion="overall", units=None):
    """{group: (rated, satisfied, rate %)} computed from the fixture's rows."""
    rated, satisfied = defaultdict(int), defaultdict(int)
    for unit, day, procedure, overall, timeliness in data["online"]:
        if units is not None and unit not in units:
            continue
        value = overall if criterion == "overall" else timeliness
        if value is None:
            continue
        group = key(unit, procedure, day)
        rated[group] += 1
        satisfied[group] += value in SATISFIED
    for unit, start, _end, tally_criterion, procedure, counts in data["paper"]:
        if tally_criterion != criterion or (units is not None and unit not in units):
            continue
        group = key(unit, procedure, start)
        rated[group] += sum(counts)
        satisfied[group] += counts[0] + counts[1]
    return {g: (rated[g], satisfied[g], round(100 * satisfied[g] / rated[g], 1)) for g in rated}


def figures(rows):
    return {row["key"]: (row["rated"], row["satisfied"], row["rate"]) for row in rows}


def results_url(**query):
    from urllib.parse import urlencode

    return f"{reverse('surveys:results')}?{urlencode({'year': YEAR, **query})}"


def test_figures_per_unit_procedure_criterion_and_month(data, tree, supervisor, login):
    response = login(supervisor).get(results_url())
    assert response.status_code == 200
    ctx = response.context
    by_unit = expected(data, lambda unit, procedure, day: unit.pk)
    assert figures(ctx["unit_rows"]) == by_unit
    # Unit A: 3 of 5 online + 15 of 20 on paper = 18 of 25.
    assert by_unit[tree.unit_a.pk] == (25, 18, 72.0)
    assert figures(ctx["procedure_rows"]) == expected(
        data, lambda unit, procedure, day: procedure.pk if procedure else None
    )
    assert figures(ctx["month_rows"]) == expected(
        data, lambda unit, procedure, day: D(day.year, day.month, 1)
    )
    by_criterion = figures(ctx["criterion_rows"])
    assert by_criterion["overall"] == expected(data, lambda *_: "overall")["overall"]
    assert (
        by_criterion["timeliness"]
        == expected(data, lambda *_: "timeliness", criterion="timeliness")["timeliness"]
    )
    overall = expected(data, lambda *_: "all")["all"]
    assert (ctx["overall"]["rated"], ctx["overall"]["satisfied"], ctx["overall"]["rate"]) == overall
    html = response.content.decode()
    assert 'id="chart-criteria"' in html and 'id="satisfaction-charts"' in html
    assert "vendor/chartjs/chart.umd.js" in html


def test_filters_unit_procedure_and_period(data, tree, supervisor, login):
    client = login(supervisor)
    assert 'id="poster-link"' not in client.get(results_url()).content.decode()  # which unit's?
    page_a = client.get(results_url(unit=tree.unit_a.pk))
    assert reverse("surveys:poster", args=[tree.unit_a.pk]) in page_a.content.decode()
    only_a = page_a.context
    assert set(figures(only_a["unit_rows"])) == {tree.unit_a.pk}
    assert figures(only_a["unit_rows"]) == expected(data, lambda u, p, d: u.pk, units={tree.unit_a})

    p1 = data["p1"]
    by_p1 = client.get(results_url(procedure=p1.pk)).context
    only_p1 = {
        "online": [r for r in data["online"] if r[2] == p1],
        "paper": [r for r in data["paper"] if r[4] == p1],
    }
    assert figures(by_p1["unit_rows"]) == expected(only_p1, lambda u, p, d: u.pk)

    march = client.get(results_url(period="m3")).context
    assert figures(march["unit_rows"]) == {tree.unit_a.pk: (1, 1, 100.0), tree.unit_b.pk: (1, 1, 100.0)}
    first_quarter = client.get(results_url(period="q1")).context
    assert figures(first_quarter["unit_rows"]) == expected(data, lambda u, p, d: u.pk)
    second_quarter = client.get(results_url(period="q2")).context
    assert second_quarter["unit_rows"] == [] and second_quarter["overall"]["rated"] == 0
    assert 'id="results-empty"' in client.get(results_url(period="q2")).content.decode()


def test_an_officer_sees_only_their_unit(data, tree, officer_a, login):
    client = login(officer_a)
    ctx = client.get(results_url()).context
    assert set(figures(ctx["unit_rows"])) == {tree.unit_a.pk}
    poster = reverse("surveys:poster", args=[tree.unit_a.pk])
    assert poster in client.get(results_url()).content.decode()  # the officer's own poster
    assert client.get(results_url(unit=tree.unit_b.pk)).status_code == 404
    assert client.get(results_url(unit=tree.other_commune.pk)).status_code == 404


def test_empty_results(tree, supervisor, login):
    response = login(supervisor).get(reverse("surveys:results"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="results-empty"' in html
    assert response.context["units_without"] == 2  # both wards of the district


def test_results_queries_do_not_grow(tree, supervisor, login, constant_queries):
    client = login(supervisor)
    made = {"n": 0}

    def add_rows(n):
        for _ in range(n):
            made["n"] += 1
            i = made["n"]
            procedure = DocProcedureFactory(code=f"9.{i:06d}", name=f"Thủ tục {i}")
            unit = tree.unit_a if i % 2 else tree.unit_b
            make_response(unit, 1 + i % 5, procedure=procedure, when=at(D(YEAR, 1 + i % 12, 10)), fees=3)
            make_tally(
                unit, D(YEAR, 1 + i % 12, 1), D(YEAR, 1 + i % 12, 28), (i, 1, 1, 0, 0), procedure=procedure
            )

    constant_queries(client, results_url(), add_rows)


# --- The responses list -----------------------------------------------------------------------
def test_response_list_filters_and_searches_ignoring_diacritics(tree, supervisor, login):
    late = make_response(tree.unit_a, 1, comment="Cán bộ giải quyết CHẬM TRỄ, phải đi lại nhiều lần.")
    kind = make_response(tree.unit_a, 5, comment="Cán bộ nhiệt tình.")
    silent = make_response(tree.unit_b, 4)
    client = login(supervisor)
    url = reverse("surveys:response_list")

    def listed(**query):
        return {r.pk for r in client.get(url, query).context["table"].data}

    assert listed() == {late.pk, kind.pk, silent.pk}
    assert listed(q="cham tre") == {late.pk}
    assert listed(q="đi lại") == {late.pk}
    assert listed(q="Nhiet Tinh") == {kind.pk}
    assert listed(q="can bo") == {late.pk, kind.pk}
    assert listed(has_comment="false") == {silent.pk}
    assert listed(has_comment="true") == {late.pk, kind.pk}
    assert listed(rating="satisfied") == {kind.pk, silent.pk}
    assert listed(rating="1") == {late.pk}
    assert listed(unit=tree.unit_b.pk) == {silent.pk}


def test_response_list_is_scoped(tree, officer_b, login):
    make_response(tree.unit_a, 1, comment="Chậm.")
    mine = make_response(tree.unit_b, 5)
    client = login(officer_b)
    assert {r.pk for r in client.get(reverse("surveys:response_list")).context["table"].data} == {mine.pk}


def test_response_list_queries_do_not_grow(tree, supervisor, login, constant_queries):
    procedure = DocProcedureFactory(code="1.001193", name="Đăng ký khai sinh")

    def add_rows(n):
        for i in range(n):
            make_response(
                tree.unit_a if i % 2 else tree.unit_b, 1 + i % 5, procedure=procedure, comment="Góp ý"
            )

    constant_queries(login(supervisor), reverse("surveys:response_list"), add_rows)


# --- Raising a nonconformity ------------------------------------------------------------------
def test_officer_raises_a_nonconformity_from_a_comment(tree, officer_a, login):
    response = make_response(tree.unit_a, 1, comment="Cán bộ hướng dẫn không rõ, phải đi lại ba lần.")
    client = login(officer_a)
    url = reverse("surveys:response_raise", args=[response.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and 'id="confirm-button"' in confirm.content.decode()
    done = client.post(url)
    nc = Nonconformity.objects.get()
    assert done.status_code == 302 and done["Location"] == nc.get_absolute_url()
    assert nc.unit == tree.unit_a and nc.source == Nonconformity.Source.COMPLAINT
    assert "phải đi lại ba lần" in nc.description
    response.refresh_from_db()
    assert response.nonconformity == nc
    # The list links the response to its nonconformity; a second click raises nothing new.
    listing = client.get(reverse("surveys:response_list")).content.decode()
    assert nc.get_absolute_url() in listing
    assert 'id="already-raised"' in client.get(url).content.decode()
    client.post(url)
    assert Nonconformity.objects.count() == 1


def test_raising_needs_change_on_the_unit(tree, viewer, officer_b, login):
    response = make_response(tree.unit_a, 1, comment="Chậm.")
    url = reverse("surveys:response_raise", args=[response.pk])
    assert login(viewer).post(url).status_code == 403
    assert login(officer_b).post(url).status_code == 404
    assert not Nonconformity.objects.exists()
    assert Response.objects.get(pk=response.pk).nonconformity is None
