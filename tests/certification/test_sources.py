"""Computed scoring criteria (certification.sources): each source against data built here through
the audits and documents services, its figure and its share of the points, and a constant number
of queries whatever the number of units.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from audits.services import actions
from certification import sources
from certification.models import ScoreLine
from communes.models import Unit
from core import clock
from documents.models import Document
from documents.services import catalogue
from tests.audits.factories import nonconformity_of, planned_audit, started_audit
from tests.audits.matrix_reviews import make_review
from tests.certification.matrix_scoring import make_round
from tests.documents.factories_services import ProcedureFactory, effective_document
from tests.factories import UnitFactory

D = datetime.date
YEAR = 2019
LATER = D(YEAR + 1, 2, 1)  # the day the round is scored


@pytest.fixture(autouse=True)
def _english_and_private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield


def compute(key, *units, today=LATER):
    return sources.compute(key, units, YEAR, today)


def test_the_registry_offers_the_four_sources():
    keys = [key for key, _label in sources.choices()]
    assert {"internal_audit", "management_review", "tthc_coverage", "overdue_actions"} <= set(keys)


# --- Internal audit ---------------------------------------------------------------------------
def test_internal_audit_held_in_the_year(tree, supervisor, auditor):
    started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(YEAR, 3, 1))
    started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(YEAR, 9, 1))
    # Unit B: an audit the year before, and one only planned this year.
    started_audit(actor=supervisor, unit=tree.unit_b, lead=auditor, month=D(YEAR - 1, 10, 1))
    planned_audit(actor=supervisor, unit=tree.unit_b, lead=auditor, month=D(YEAR, 11, 1))
    result = compute("internal_audit", tree.unit_a, tree.unit_b)
    assert result[tree.unit_a.pk] == sources.Result(f"Audit of 09/{YEAR}", Decimal(1))
    assert result[tree.unit_b.pk] == sources.Result(f"No internal audit in {YEAR}", Decimal(0))


# --- Management review ------------------------------------------------------------------------
def test_management_review_held_in_the_year(tree, officer_a, officer_b):
    make_review(tree.unit_a, officer_a, held_on=D(YEAR, 6, 3))
    make_review(tree.unit_a, officer_a, held_on=D(YEAR, 12, 20))
    make_review(tree.unit_b, officer_b, held_on=D(YEAR + 1, 1, 5))  # the next year's
    result = compute("management_review", tree.unit_a, tree.unit_b)
    assert result[tree.unit_a.pk] == sources.Result(f"Held on 20/12/{YEAR}", Decimal(1))
    assert result[tree.unit_b.pk] == sources.Result(f"No management review in {YEAR}", Decimal(0))


# --- TTHC coverage ----------------------------------------------------------------------------
@pytest.fixture
def catalogue_of_wards(tree, supervisor):
    """Three TTHC that apply to every ward, one only to unit A, and one to communes."""
    wards = [ProcedureFactory(code=f"1.00{n}") for n in range(3)]
    own = ProcedureFactory(code="1.012753.H19")
    commune = ProcedureFactory(code="2.000001")
    for procedure in wards:
        catalogue.applicability_set(actor=supervisor, procedure=procedure, unit_kinds=[Unit.Kind.WARD])
    catalogue.applicability_set(actor=supervisor, procedure=own, units=[tree.unit_a])
    catalogue.applicability_set(actor=supervisor, procedure=commune, unit_kinds=[Unit.Kind.COMMUNE])
    return wards, own, commune


def test_tthc_coverage(tree, supervisor, committee, catalogue_of_wards):
    wards, own, commune = catalogue_of_wards
    tthc = Document.Kind.TTHC_PROCEDURE
    # Unit A: 4 applicable (3 for wards + its own), 3 covered; the commune TTHC does not count.
    effective_document(supervisor, committee, tree.unit_a, code="QT-01", kind=tthc, procedures=wards[:2])
    effective_document(supervisor, committee, tree.unit_a, code="QT-02", kind=tthc, procedures=[own, commune])
    # Unit B: a form is not a procedure; nothing covered.
    effective_document(
        supervisor, committee, tree.unit_b, code="BM-01", kind=Document.Kind.FORM, procedures=wards
    )
    town = UnitFactory(name="Thị trấn Nếnh", kind=Unit.Kind.TOWN, parent=tree.district)
    result = compute("tthc_coverage", tree.unit_a, tree.unit_b, town)
    assert result[tree.unit_a.pk] == sources.Result("3 of 4 TTHC covered (75%)", Decimal(3) / Decimal(4))
    assert result[tree.unit_b.pk] == sources.Result("0 of 3 TTHC covered (0%)", Decimal(0))
    # Nothing applies to the town: nothing is held against it (share None → full points).
    assert result[town.pk] == sources.Result("No applicable TTHC", None)


# --- Corrective actions -----------------------------------------------------------------------
def _action(actor, nc, owner, due_on, done_on=None):
    action = actions.action_add(
        actor=actor,
        nonconformity=nc,
        root_cause="Chưa thu hồi bản cũ.",
        action="Thu hồi bản cũ, bổ sung bước thu hồi vào quy trình.",
        owner=owner,
        due_on=due_on,
    )
    if done_on:
        actions.action_done(actor=actor, action=action, done_on=done_on)
    return action


def test_corrective_actions_done_on_time(tree, supervisor, auditor, officer_a):
    with clock.as_of(D(YEAR, 3, 1)):
        audit = started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(YEAR, 3, 1))
        nc = nonconformity_of(audit, auditor)
    with clock.as_of(D(YEAR, 12, 31)):
        _action(officer_a, nc, officer_a, D(YEAR, 4, 1), done_on=D(YEAR, 3, 25))  # on time
        _action(officer_a, nc, officer_a, D(YEAR, 5, 1), done_on=D(YEAR, 6, 10))  # done late
        _action(officer_a, nc, officer_a, D(YEAR, 6, 1))  # still planned, overdue
        _action(officer_a, nc, officer_a, D(YEAR, 12, 31))  # still planned, due on the last day
        _action(officer_a, nc, officer_a, D(YEAR + 1, 1, 15))  # due the next year: not counted
    result = compute("overdue_actions", tree.unit_a, tree.unit_b, today=LATER)
    assert result[tree.unit_a.pk] == sources.Result("3 of 4 actions overdue", Decimal(1) / Decimal(4))
    assert result[tree.unit_b.pk] == sources.Result(f"No corrective action due in {YEAR}", Decimal(1))
    # Scored on 20/12: the action due on 31/12 is not late yet.
    early = compute("overdue_actions", tree.unit_a, today=D(YEAR, 12, 20))
    assert early[tree.unit_a.pk].figure == "2 of 4 actions overdue"


# --- Through a round: points = maximum × share ------------------------------------------------
def test_round_lines_take_the_share_of_the_maximum(tree, supervisor, committee, catalogue_of_wards):
    wards, own, _commune = catalogue_of_wards
    effective_document(
        supervisor,
        committee,
        tree.unit_a,
        code="QT-01",
        kind=Document.Kind.TTHC_PROCEDURE,
        procedures=wards[:1],
    )
    scoring_round = make_round(
        supervisor, tree.district, criteria=[("1", "Bao phủ TTHC", "10", "tthc_coverage")]
    )
    line = ScoreLine.objects.get(sheet__round=scoring_round, sheet__unit=tree.unit_a)
    assert (line.figure, line.computed_points, line.self_score) == (
        "1 of 4 TTHC covered (25%)",
        Decimal("2.50"),
        Decimal("2.50"),
    )


def test_a_unit_without_a_result_gets_no_data(tree, supervisor, monkeypatch):
    monkeypatch.setitem(
        sources.SOURCES, "empty", sources.Source("empty", "nothing", lambda units, year, today: {})
    )
    scoring_round = make_round(supervisor, tree.district, criteria=[("1", "Trống", "5", "empty")])
    line = ScoreLine.objects.get(sheet__round=scoring_round, sheet__unit=tree.unit_a)
    assert (line.figure, line.computed_points) == ("No data", Decimal(0))


# --- Query counts -----------------------------------------------------------------------------
def _queries(key, units):
    with CaptureQueriesContext(connection) as ctx:
        result = sources.compute(key, units, YEAR, LATER)
    assert set(result) == {u.pk for u in units}
    return len(ctx.captured_queries)


@pytest.mark.parametrize("key", ["internal_audit", "management_review", "tthc_coverage", "overdue_actions"])
def test_each_source_costs_the_same_queries_as_units_grow(key, tree, supervisor, auditor, officer_a):
    started_audit(actor=supervisor, unit=tree.unit_a, lead=auditor, month=D(YEAR, 3, 1))
    make_review(tree.unit_a, officer_a, held_on=D(YEAR, 6, 3))
    few = [tree.unit_a, tree.unit_b]
    small = _queries(key, few)
    many = few + [
        UnitFactory(name=f"Phường {n}", kind=Unit.Kind.WARD, parent=tree.district) for n in range(15)
    ]
    for unit in many[2:6]:
        started_audit(actor=supervisor, unit=unit, lead=auditor, month=D(YEAR, 4, 1))
        make_review(unit, supervisor, held_on=D(YEAR, 7, 1))
    assert _queries(key, many) == small
