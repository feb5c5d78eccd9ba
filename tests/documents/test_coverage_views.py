"""TTHC coverage per unit: applicable TTHC with a procedure in force / applicable TTHC, for the
units of the user's scope in the QMS programme, and each unit's list of gaps."""

import datetime

import pytest
from django.urls import reverse

from communes.models import Unit
from documents.models import Document, Procedure
from tests.documents.factories_catalogue import (  # noqa: F401 (in_english is a fixture)
    CatalogueProcedureFactory,
    TthcDocumentFactory,
    applies_to,
    in_english,
)
from tests.factories import UnitFactory

pytestmark = pytest.mark.usefixtures("in_english")

COVERAGE = reverse("procedures:coverage")
JOINED = datetime.date(2018, 1, 1)


def rows_by_unit(response):
    assert response.status_code == 200
    return {row.record["unit"]: row.record for row in response.context["table"].page.object_list}


@pytest.fixture
def world(tree):
    """Five TTHC; wards get p1, p2 and the abolished p5; unit A alone also gets p3; p4 applies
    to communes only. Unit A has procedures in force for p1 and p3 and a draft for p2; unit B
    has one in force for p2 and one, not a TTHC procedure, for p1."""
    Unit.objects.filter(pk__in=[tree.unit_a.pk, tree.unit_b.pk, tree.other_commune.pk]).update(
        joined_on=JOINED
    )
    p = {i: CatalogueProcedureFactory(code=f"1.00000{i}", name=f"Thủ tục {i}") for i in range(1, 6)}
    p[5].status = Procedure.Status.ABOLISHED
    p[5].save()
    applies_to(p[1], kinds=[Unit.Kind.WARD])
    applies_to(p[2], kinds=[Unit.Kind.WARD])
    applies_to(p[5], kinds=[Unit.Kind.WARD])
    applies_to(p[3], units=[tree.unit_a])
    applies_to(p[4], kinds=[Unit.Kind.COMMUNE])
    TthcDocumentFactory(unit=tree.unit_a, procedures=[p[1], p[3], p[4]])  # p4 does not apply to a ward
    TthcDocumentFactory(unit=tree.unit_a, procedures=[p[2]], status=Document.Status.DRAFT)
    TthcDocumentFactory(unit=tree.unit_b, procedures=[p[2]])
    TthcDocumentFactory(unit=tree.unit_b, procedures=[p[1]], kind=Document.Kind.FORM)
    TthcDocumentFactory(unit=tree.unit_b, procedures=[p[5]])
    return p


def expected(applicable, covered):
    return {
        "applicable": len(applicable),
        "covered": len(covered),
        "gaps": len(applicable - covered),
        "rate": pytest.approx(len(covered) * 100 / len(applicable)) if applicable else None,
    }


def test_coverage_figures_per_unit(tree, world, supervisor, login):
    rows = rows_by_unit(login(supervisor).get(COVERAGE))
    # Only the units of the district in the programme: not the district itself (not joined),
    # not the commune of the other district.
    assert set(rows) == {"Phường Bích Động", "Phường Ninh Sơn"}
    a_applicable, a_covered = {1, 2, 3}, {1, 3}
    b_applicable, b_covered = {1, 2}, {2}
    for name, figures in (
        ("Phường Bích Động", expected(a_applicable, a_covered)),
        ("Phường Ninh Sơn", expected(b_applicable, b_covered)),
    ):
        row = rows[name]
        assert {k: row[k] for k in figures} == figures, name
    assert rows["Phường Bích Động"]["rate"] == pytest.approx(200 / 3)
    assert rows["Phường Ninh Sơn"]["rate"] == 50


def test_coverage_totals_and_rendering(tree, world, supervisor, login):
    response = login(supervisor).get(COVERAGE)
    assert response.context["totals"] == {"units": 2, "applicable": 5, "covered": 3, "gaps": 2, "rate": 60}
    html = response.content.decode()
    assert "67%" in html and "50%" in html
    assert reverse("procedures:coverage_unit", args=[tree.unit_a.pk]) in html


def test_coverage_is_narrowed_to_the_scope(tree, world, officer_a, superuser, login):
    assert set(rows_by_unit(login(officer_a).get(COVERAGE))) == {"Phường Bích Động"}
    rows = rows_by_unit(login(superuser).get(COVERAGE))
    assert set(rows) == {"Phường Bích Động", "Phường Ninh Sơn", "Xã Đức Thắng"}
    assert (rows["Xã Đức Thắng"]["applicable"], rows["Xã Đức Thắng"]["covered"]) == (1, 0)


def test_units_out_of_operation_or_without_tthc(tree, world, supervisor, login):
    UnitFactory(
        name="Xã Đã Sáp Nhập", parent=tree.district, joined_on=JOINED, valid_until=datetime.date(2025, 6, 30)
    )
    UnitFactory(name="Văn phòng HĐND-UBND", parent=tree.district, kind=Unit.Kind.AGENCY, joined_on=JOINED)
    rows = rows_by_unit(login(supervisor).get(COVERAGE))
    assert "Xã Đã Sáp Nhập" not in rows  # merged away: no longer in operation
    agency = rows["Văn phòng HĐND-UBND"]
    assert (agency["applicable"], agency["covered"], agency["rate"], agency["gaps"]) == (0, 0, None, 0)


def test_coverage_filters(tree, world, superuser, login):
    client = login(superuser)
    assert set(rows_by_unit(client.get(COVERAGE, {"q": "bich dong"}))) == {"Phường Bích Động"}
    assert set(rows_by_unit(client.get(COVERAGE, {"kind": "commune"}))) == {"Xã Đức Thắng"}


def test_gap_list_of_a_unit(tree, world, officer_a, login):
    response = login(officer_a).get(reverse("procedures:coverage_unit", args=[tree.unit_a.pk]))
    assert response.status_code == 200
    assert [p.code for p in response.context["gaps"]] == ["1.000002"]  # the draft does not count
    assert [p.code for p in response.context["covered"]] == ["1.000001", "1.000003"]
    html = response.content.decode()
    assert 'id="gap-count">1<' in html and 'id="applicable-count">3<' in html
    assert "Thủ tục 2" in html


def test_a_unit_without_gaps(tree, supervisor, login):
    Unit.objects.filter(pk=tree.unit_a.pk).update(joined_on=JOINED)
    procedure = CatalogueProcedureFactory()
    applies_to(procedure, units=[tree.unit_a])
    TthcDocumentFactory(unit=tree.unit_a, procedures=[procedure])
    response = login(supervisor).get(reverse("procedures:coverage_unit", args=[tree.unit_a.pk]))
    assert 'id="no-gaps"' in response.content.decode()
    assert response.context["rate"] == 100


def test_gap_list_outside_the_scope_is_404(tree, world, officer_b, supervisor, login):
    url = reverse("procedures:coverage_unit", args=[tree.unit_a.pk])
    assert login(officer_b).get(url).status_code == 404
    other = reverse("procedures:coverage_unit", args=[tree.other_commune.pk])
    assert login(supervisor).get(other).status_code == 404
    assert login(supervisor).get(reverse("procedures:coverage_unit", args=[999999])).status_code == 404


def test_coverage_queries_are_constant_as_units_grow(tree, world, supervisor, login, constant_queries):
    def add_rows(n):
        for _ in range(n):
            unit = UnitFactory(parent=tree.district, kind=Unit.Kind.WARD, joined_on=JOINED)
            own = CatalogueProcedureFactory()
            applies_to(own, units=[unit])
            TthcDocumentFactory(unit=unit, procedures=[own, world[1]])

    response = constant_queries(login(supervisor), COVERAGE, add_rows)
    rows = rows_by_unit(response)
    assert len(response.context["table"].rows) == 22
    # Each new ward: p1, p2 by kind and its own TTHC apply; p1 and its own are covered.
    new = [r for name, r in rows.items() if name not in {"Phường Bích Động", "Phường Ninh Sơn"}]
    assert {(r["applicable"], r["covered"], r["gaps"]) for r in new} == {(3, 2, 1)}


def test_gap_list_queries_are_constant(tree, world, supervisor, login, constant_queries):
    url = reverse("procedures:coverage_unit", args=[tree.unit_a.pk])

    def add_rows(n):
        for _ in range(n):
            gap = CatalogueProcedureFactory()
            covered = CatalogueProcedureFactory()
            applies_to(gap, units=[tree.unit_a])
            applies_to(covered, units=[tree.unit_a])
            TthcDocumentFactory(unit=tree.unit_a, procedures=[covered])

    response = constant_queries(login(supervisor), url, add_rows)
    assert len(response.context["gaps"]) == 21
