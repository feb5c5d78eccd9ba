"""TTHC coverage per unit: applicable TTHC that have a procedure in force / applicable TTHC.

The expected values are computed here from the test's own description of the data, not from
the database, then compared with `coverage_for_units`.
"""

import pytest
from django.utils import translation

from communes.models import Unit
from documents.models import Document, Procedure
from documents.selectors import coverage_for_units
from documents.services import catalogue, lifecycle
from tests.documents.factories_services import (
    ProcedureFactory,
    draft_of,
    effective_document,
    make_document,
)
from tests.factories import UnitFactory

TTHC = Document.Kind.TTHC_PROCEDURE

# Each TTHC: the unit kinds and the unit names (keys of `units`) where it applies, abolished or not.
CATALOGUE = {
    "P-WARD": {"kinds": {Unit.Kind.WARD}, "units": set(), "abolished": False},
    "P-COMMUNE": {"kinds": {Unit.Kind.COMMUNE}, "units": set(), "abolished": False},
    "P-BOTH": {"kinds": {Unit.Kind.WARD, Unit.Kind.COMMUNE}, "units": set(), "abolished": False},
    "P-ONLY-A": {"kinds": set(), "units": {"a"}, "abolished": False},
    "P-A-AND-WARDS": {"kinds": {Unit.Kind.WARD}, "units": {"a"}, "abolished": False},
    "P-GONE": {"kinds": {Unit.Kind.WARD}, "units": set(), "abolished": True},
    "P-NOWHERE": {"kinds": set(), "units": set(), "abolished": False},
}

# Each document: (unit, TTHC served, kind, in force?)
DOCUMENTS = [
    ("a", ["P-WARD"], TTHC, True),
    ("a", ["P-ONLY-A", "P-BOTH"], TTHC, True),  # one procedure serving a group of TTHC
    ("a", ["P-GONE"], TTHC, True),  # abolished: neither applicable nor covered
    ("a", ["P-COMMUNE"], TTHC, True),  # in force, but the TTHC does not apply to a ward
    ("a", ["P-A-AND-WARDS"], TTHC, False),  # a draft does not count
    ("b", ["P-WARD"], Document.Kind.FORM, True),  # a form is not a procedure
    ("b", ["P-BOTH"], TTHC, "withdrawn"),
    ("c", ["P-COMMUNE"], TTHC, True),
    ("c", ["P-NOWHERE"], TTHC, True),
]


def expected_coverage(kinds):
    """{unit name: (applicable codes, covered codes)}, from CATALOGUE and DOCUMENTS alone."""
    result = {}
    for name, kind in kinds.items():
        applicable = {
            code
            for code, spec in CATALOGUE.items()
            if not spec["abolished"] and (kind in spec["kinds"] or name in spec["units"])
        }
        covered = {
            code
            for unit, codes, doc_kind, in_force in DOCUMENTS
            if unit == name and doc_kind == TTHC and in_force is True
            for code in codes
            if code in applicable
        }
        result[name] = (applicable, covered)
    return result


@pytest.fixture(autouse=True)
def _english_and_private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield


@pytest.fixture
def world(tree, supervisor, committee):
    units = {
        "a": tree.unit_a,  # ward
        "b": tree.unit_b,  # ward
        "c": UnitFactory(name="Xã Vân Hà", kind=Unit.Kind.COMMUNE, parent=tree.district),
        "d": UnitFactory(name="Thị trấn Nếnh", kind=Unit.Kind.TOWN, parent=tree.district),  # nothing applies
    }
    procedures = {}
    for code, spec in CATALOGUE.items():
        procedure = ProcedureFactory(code=code)
        catalogue.applicability_set(
            actor=supervisor,
            procedure=procedure,
            unit_kinds=spec["kinds"],
            units=[units[n] for n in spec["units"]],
        )
        procedures[code] = procedure
    for number, (name, codes, kind, in_force) in enumerate(DOCUMENTS):
        served = [procedures[c] for c in codes]
        code = f"QT-{number:02d}"
        if in_force is True:
            effective_document(supervisor, committee, units[name], code=code, kind=kind, procedures=served)
        else:
            document = make_document(supervisor, units[name], code=code, kind=kind, procedures=served)
            if in_force == "withdrawn":
                lifecycle.document_withdraw(actor=supervisor, document=document, reason="Thôi áp dụng")
            else:
                assert draft_of(document)
    for code, spec in CATALOGUE.items():
        if spec["abolished"]:
            Procedure.objects.filter(code=code).update(status=Procedure.Status.ABOLISHED)
    return units, procedures


def test_coverage_matches_an_independent_count(world):
    units, procedures = world
    by_pk = {p.pk: code for code, p in procedures.items()}
    coverage = coverage_for_units(units.values())
    expected = expected_coverage({name: unit.kind for name, unit in units.items()})
    for name, unit in units.items():
        got = coverage[unit.pk]
        applicable, covered = expected[name]
        assert {by_pk[p] for p in got.applicable} == applicable, name
        assert {by_pk[p] for p in got.covered} == covered, name
        assert {by_pk[p] for p in got.gaps} == applicable - covered, name
        assert got.rate == (len(covered) / len(applicable) if applicable else None), name


def test_coverage_values_spelled_out(world):
    """The same, written out, so that a mistake in expected_coverage cannot hide one here."""
    units, procedures = world
    coverage = coverage_for_units(units.values())
    name_of = {p.pk: code for code, p in procedures.items()}
    a = coverage[units["a"].pk]
    assert {name_of[p] for p in a.applicable} == {"P-WARD", "P-BOTH", "P-ONLY-A", "P-A-AND-WARDS"}
    assert {name_of[p] for p in a.covered} == {"P-WARD", "P-BOTH", "P-ONLY-A"}
    assert a.rate == 0.75
    b = coverage[units["b"].pk]
    assert {name_of[p] for p in b.applicable} == {"P-WARD", "P-BOTH", "P-A-AND-WARDS"}
    assert b.covered == set() and b.rate == 0
    c = coverage[units["c"].pk]
    assert {name_of[p] for p in c.covered} == {"P-COMMUNE"}
    assert {name_of[p] for p in c.gaps} == {"P-BOTH"}
    assert coverage[units["d"].pk].rate is None  # nothing applies: no rate, not 0 %


def test_no_units():
    assert coverage_for_units([]) == {}


def test_constant_number_of_queries_as_units_grow(
    world, tree, supervisor, committee, django_assert_num_queries
):
    units, procedures = world
    few = list(units.values())
    with django_assert_num_queries(3):
        coverage_for_units(few)
    # Twenty more wards, each with a procedure in force.
    for n in range(20):
        ward = UnitFactory(name=f"Phường {n}", kind=Unit.Kind.WARD, parent=tree.district)
        effective_document(
            supervisor, committee, ward, code="QT-01", kind=TTHC, procedures=[procedures["P-WARD"]]
        )
    many = list(Unit.objects.filter(parent=tree.district))
    assert len(many) == len(few) + 20
    with django_assert_num_queries(3):
        result = coverage_for_units(many)
    assert sum(1 for c in result.values() if c.rate == 1 / 3) == 20
