"""Permission-matrix rows of this part of the documents app (see tests/matrix.py): the TTHC
catalogue, announcing decisions and their import, coverage, and the legal register.

The catalogues are shared: everyone logged in reads them, only catalogue managers (supervisors
and superusers) write them (403 for the others). Coverage is unit data: out of scope → 404.
"""

import datetime

from communes.models import Unit
from documents.models import Applicability, Document, LegalDocument, Procedure, ProcedureDecision
from tests.matrix import Row, everyone

MANAGERS = {"supervisor": 200, "superuser": 200}
# The import confirmation with nothing previewed sends the manager back to the upload page.
MANAGERS_REDIRECTED = {"supervisor": 302, "superuser": 302}


def setup(tree, actors):
    legal = LegalDocument.objects.create(
        number="123/2015/NĐ-CP",
        issuer="Chính phủ",
        title="Nghị định về đăng ký và quản lý hộ tịch",
        signed_on=datetime.date(2015, 11, 15),
        effective_on=datetime.date(2016, 1, 1),
    )
    procedure = Procedure.objects.create(code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch")
    procedure.legal_bases.add(legal)
    Applicability.objects.create(procedure=procedure, unit_kind=Unit.Kind.WARD)
    decision = ProcedureDecision.objects.create(
        number="1234/QĐ-UBND",
        signed_on=datetime.date(2026, 1, 10),
        effective_on=datetime.date(2026, 1, 15),
    )
    decision.items.create(procedure=procedure, change="add")
    document = Document.objects.create(
        unit=tree.unit_a,
        code="QT-KS",
        title="Quy trình đăng ký khai sinh",
        kind=Document.Kind.TTHC_PROCEDURE,
        status=Document.Status.EFFECTIVE,
    )
    document.procedures.add(procedure)
    document.legal_bases.add(legal)
    Unit.objects.filter(pk__in=[tree.unit_a.pk, tree.unit_b.pk]).update(joined_on=datetime.date(2018, 1, 1))
    return {"procedure": procedure, "decision": decision, "legal": legal}


def _pk(name):
    return lambda ctx: {"pk": getattr(ctx, name).pk}


ROWS = [
    # TTHC catalogue
    Row("procedures:list", everyone(200)),
    Row("procedures:create", everyone(403, **MANAGERS)),
    Row("procedures:detail", everyone(200), kwargs=_pk("procedure")),
    Row("procedures:update", everyone(403, **MANAGERS), kwargs=_pk("procedure")),
    Row("procedures:applicability", everyone(403, **MANAGERS), kwargs=_pk("procedure")),
    # Announcing decisions
    Row("procedures:decision_list", everyone(200)),
    Row("procedures:decision_create", everyone(403, **MANAGERS)),
    Row("procedures:decision_detail", everyone(200), kwargs=_pk("decision")),
    Row("procedures:decision_add_item", everyone(403, **MANAGERS), kwargs=_pk("decision")),
    Row("procedures:decision_import", everyone(403, **MANAGERS), kwargs=_pk("decision")),
    Row(
        "procedures:decision_import_confirm",
        everyone(403, **MANAGERS_REDIRECTED),
        kwargs=_pk("decision"),
        method="post",
    ),
    # Coverage: units of the user's scope only
    Row("procedures:coverage", everyone(200)),
    Row(
        "procedures:coverage_unit",
        everyone(200, officer_b=404),
        kwargs=lambda ctx: {"unit_pk": ctx.unit_a.pk},
        label="coverage_unit (unit A)",
    ),
    Row(
        "procedures:coverage_unit",
        everyone(404, superuser=200),
        kwargs=lambda ctx: {"unit_pk": ctx.other_commune.pk},
        label="coverage_unit (other district)",
    ),
    # Legal register
    Row("legal:list", everyone(200)),
    Row("legal:create", everyone(403, **MANAGERS)),
    Row("legal:detail", everyone(200), kwargs=_pk("legal")),
    Row("legal:update", everyone(403, **MANAGERS), kwargs=_pk("legal")),
]
