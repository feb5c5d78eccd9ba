"""The reconciliation finds exactly the mismatches: (unit, month) where any of the five counts
differs between the software and the tracking book summed over procedures, or where one source
has counts and the other none. And the on-time rate: software first, the book when the software
has no count for the month."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock
from surveys import selectors_records as selectors
from surveys.models import Reconciliation
from surveys.services import records as services
from tests.documents.factories_services import ProcedureFactory
from tests.factories import UnitFactory
from tests.surveys.matrix_records import BOOK, SOFTWARE, make_count

pytestmark = pytest.mark.django_db

M = {n: datetime.date(2025, n, 1) for n in range(1, 13)}
START, END = M[1], M[6]


@pytest.fixture
def counts(tree):
    """Known data; the comments say whether the month is a mismatch."""
    p1, p2 = ProcedureFactory(code="1.000001"), ProcedureFactory(code="1.000002")
    a, b, x = tree.unit_a, tree.unit_b, tree.other_commune
    # unit A, January: equal totals → agree
    make_count(a, SOFTWARE, M[1], (10, 8, 1, 1, 0))
    make_count(a, BOOK, M[1], (10, 8, 1, 1, 0))
    # unit A, February: software per procedure, book one total row, same sums → agree
    make_count(a, SOFTWARE, M[2], (5, 4, 1, 0, 0), procedure=p1)
    make_count(a, SOFTWARE, M[2], (3, 3, 0, 0, 0), procedure=p2)
    make_count(a, BOOK, M[2], (8, 7, 1, 0, 0))
    # unit A, March: one on-time record written as late in the book → MISMATCH
    make_count(a, SOFTWARE, M[3], (10, 9, 1, 0, 0))
    make_count(a, BOOK, M[3], (10, 8, 2, 0, 0))
    # unit A, April: software only → MISMATCH (book missing)
    make_count(a, SOFTWARE, M[4], (4, 4, 0, 0, 0))
    # unit A, May: differ in "returned" only, per procedure on both sides → MISMATCH
    make_count(a, SOFTWARE, M[5], (6, 5, 0, 0, 1), procedure=p1)
    make_count(a, BOOK, M[5], (6, 5, 0, 0, 0), procedure=p1)
    # unit B, January: book only → MISMATCH (software missing)
    make_count(b, BOOK, M[1], (2, 2, 0, 0, 0))
    # unit B, February: zero counts on both sides → agree
    make_count(b, SOFTWARE, M[2], (0, 0, 0, 0, 0))
    make_count(b, BOOK, M[2], (0, 0, 0, 0, 0))
    # unit B, March: the software's total row wins over its partial per-procedure rows → agree
    make_count(b, SOFTWARE, M[3], (10, 9, 1, 0, 0))
    make_count(b, SOFTWARE, M[3], (6, 5, 1, 0, 0), procedure=p1)
    make_count(b, BOOK, M[3], (10, 9, 1, 0, 0))
    # unit B, July: a mismatch outside the period
    make_count(b, SOFTWARE, M[7], (1, 1, 0, 0, 0))
    # other district, March: a mismatch of a unit not asked for
    make_count(x, SOFTWARE, M[3], (1, 1, 0, 0, 0))
    make_count(x, BOOK, M[3], (2, 1, 0, 1, 0))
    return {"p1": p1, "p2": p2}


def _district_units(tree):
    from communes.models import Unit

    return Unit.objects.filter(path__startswith=tree.district.path)


def test_finds_exactly_the_mismatches(tree, counts):
    found = selectors.mismatches(_district_units(tree), START, END)
    assert [(m.unit_id, m.month) for m in found] == [
        (tree.unit_a.pk, M[3]),
        (tree.unit_a.pk, M[4]),
        (tree.unit_a.pk, M[5]),
        (tree.unit_b.pk, M[1]),
    ]
    march, april, may, b_january = found
    assert march.differences == {"received": 0, "on_time": 1, "late": -1, "pending": 0, "returned": 0}
    assert march.differing == {"on_time", "late"} and march.missing is None
    assert march.software["on_time"] == 9 and march.book["on_time"] == 8
    assert (april.missing, april.book, april.software["received"]) == (BOOK, None, 4)
    assert may.differing == {"returned"}
    assert (b_january.missing, b_january.software) == (SOFTWARE, None)
    assert all(m.status == Reconciliation.Status.OPEN and m.reconciliation is None for m in found)
    assert march.unit_name == tree.unit_a.name
    cells = {c["field"]: c for c in march.cells}
    assert cells["late"] == {"field": "late", "software": 1, "book": 2, "difference": -1, "differs": True}
    assert not cells["received"]["differs"]


def test_period_and_units_narrow_the_search(tree, counts):
    assert [(m.unit_id, m.month) for m in selectors.mismatches([tree.unit_b.pk], M[1], M[12])] == [
        (tree.unit_b.pk, M[1]),
        (tree.unit_b.pk, M[7]),
    ]
    # Any day of a month stands for the month.
    found = selectors.mismatches([tree.unit_a.pk], datetime.date(2025, 3, 31), datetime.date(2025, 3, 2))
    assert [m.month for m in found] == [M[3]]
    assert selectors.mismatches([], START, END) == []


def test_status_flow(tree, counts, officer_a):
    with clock.as_of(datetime.date(2025, 12, 31)):
        services.reconciliation_set(
            actor=officer_a, unit=tree.unit_a, month=M[3], status="explained", comment="Ghi nhầm cột."
        )
    found = {m.month: m for m in selectors.mismatches([tree.unit_a.pk], START, END)}
    assert (found[M[3]].status, found[M[3]].comment) == ("explained", "Ghi nhầm cột.")
    assert found[M[4]].status == "open"
    # The book is corrected: the month agrees again and leaves the list; the decision stays.
    with clock.as_of(datetime.date(2025, 12, 31)):
        services.record_count_save(
            actor=officer_a,
            unit=tree.unit_a,
            source=BOOK,
            procedure=None,
            month=M[3],
            counts={"received": 10, "on_time": 9, "late": 1, "pending": 0, "returned": 0},
        )
        services.reconciliation_set(
            actor=officer_a, unit=tree.unit_a, month=M[3], status="corrected", comment="Đã sửa sổ."
        )
    months = [m.month for m in selectors.mismatches([tree.unit_a.pk], START, END)]
    assert months == [M[4], M[5]]
    assert Reconciliation.objects.get(unit=tree.unit_a, month=M[3]).status == "corrected"


def test_mismatches_cost_constant_queries(tree):
    def build(units, months):
        for unit in units:
            for month in months:
                make_count(unit, SOFTWARE, month, (5, 4, 1, 0, 0))
                make_count(unit, BOOK, month, (5, 3, 2, 0, 0))
                Reconciliation.objects.create(unit=unit, month=month, status="explained", comment="x")

    build([tree.unit_a], [M[1]])
    with CaptureQueriesContext(connection) as small:
        assert len(selectors.mismatches(_district_units(tree), START, END)) == 1
    more = [UnitFactory(parent=tree.district) for _ in range(4)]
    build([tree.unit_a], [M[2], M[3]])
    build([tree.unit_b, *more], [M[1], M[2], M[3], M[4]])
    with CaptureQueriesContext(connection) as large:
        assert len(selectors.mismatches(_district_units(tree), START, END)) == 3 + 5 * 4
    assert len(small.captured_queries) == len(large.captured_queries) == 3


def test_on_time_rates_take_the_software_first(tree, counts):
    rates = selectors.on_time_rates(_district_units(tree), START, END)
    a = rates[tree.unit_a.pk]
    # Jan 8/1 (software), Feb 7/1 (software per procedure), Mar 9/1 (software), Apr 4/0, May 5/0.
    assert (a.on_time, a.late) == (8 + 7 + 9 + 4 + 5, 1 + 1 + 1)
    assert a.rate == pytest.approx(33 / 36) and a.percent == 91.7 and a.sources == {SOFTWARE}
    b = rates[tree.unit_b.pk]
    # Jan from the book (no software count), Feb zeros, Mar the software's total row.
    assert (b.on_time, b.late, b.sources) == (2 + 0 + 9, 1, {SOFTWARE, BOOK})
    assert tree.other_commune.pk not in rates


def test_on_time_rates_per_procedure(tree, counts):
    p1, p2 = counts["p1"], counts["p2"]
    rates = selectors.on_time_rates([tree.unit_a.pk], START, END, by_procedure=True)
    assert set(rates) == {(tree.unit_a.pk, p1.pk), (tree.unit_a.pk, p2.pk)}
    assert (rates[(tree.unit_a.pk, p1.pk)].on_time, rates[(tree.unit_a.pk, p1.pk)].late) == (4 + 5, 1)
    assert rates[(tree.unit_a.pk, p2.pk)].rate == 1.0
    # No resolved record: no rate.
    assert selectors.OnTime().rate is None
