"""The registers for auditors: each opens with openpyxl and holds the rows of the user's scope
(or of the unit asked for), one per record, in a number of queries that does not grow with them."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audits.models import Audit, CorrectiveAction, Finding, Nonconformity
from documents.models import Document, Procedure, Revision
from tests.audits.matrix_audits import clause, make_audit
from tests.documents.factories import DocumentFactory, RevisionFactory
from tests.documents.factories_catalogue import CatalogueProcedureFactory, TthcDocumentFactory, applies_to

D = datetime.date


def rows_of(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert len(workbook.worksheets) == 1
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    width = len(rows[0])
    # Trailing empty cells are not stored: pad each row to the header's width.
    return rows[0], [tuple(row) + (None,) * (width - len(row)) for row in rows[1:]]


def get(client, name, unit=None):
    data = {"unit": unit.pk} if unit is not None else {}
    # In English: the yes/no columns are compared with the msgids.
    return client.get(reverse(f"reports:{name}"), data, HTTP_ACCEPT_LANGUAGE="en")


# --- Documents -------------------------------------------------------------------------------
@pytest.fixture
def documents(tree, officer_a):
    policy = DocumentFactory(
        unit=tree.unit_a,
        code="CS-01",
        title="Chính sách chất lượng",
        kind=Document.Kind.QUALITY_POLICY,
        status=Document.Status.EFFECTIVE,
        next_review_on=D(2025, 3, 1),
    )
    RevisionFactory(document=policy, number=1, state=Revision.State.SUPERSEDED, approved_on=D(2020, 1, 2))
    RevisionFactory(
        document=policy,
        number=2,
        state=Revision.State.EFFECTIVE,
        approved_on=D(2024, 2, 1),
        effective_from=D(2024, 2, 15),
    )
    draft = DocumentFactory(unit=tree.unit_b, code="QT-05", title="Quy trình đánh giá nội bộ")
    RevisionFactory(document=draft, number=1)
    DocumentFactory(unit=tree.other_commune, code="QT-99", title="Tài liệu huyện khác")
    return policy, draft


def test_documents_register_holds_the_scope_with_the_current_issue(tree, documents, supervisor, login):
    header, rows = rows_of(get(login(supervisor), "export_documents"))
    assert len(header) == 12 and header[0] == "Code"
    assert [(r[0], r[3]) for r in rows] == [("CS-01", "Phường Bích Động"), ("QT-05", "Phường Ninh Sơn")]
    policy = rows[0]
    assert policy[1] == "Chính sách chất lượng"
    assert policy[4] == 2  # the issue in force, not the superseded one
    assert (policy[6].date(), policy[7].date(), policy[9].date()) == (
        D(2024, 2, 1),
        D(2024, 2, 15),
        D(2025, 3, 1),
    )
    assert rows[1][4] == 1 and rows[1][7] is None  # a draft: its latest issue, not yet in force


def test_documents_register_is_scoped_and_narrowed(tree, documents, supervisor, officer_a, superuser, login):
    _, rows = rows_of(get(login(officer_a), "export_documents"))
    assert [r[0] for r in rows] == ["CS-01"]
    _, rows = rows_of(get(login(supervisor), "export_documents", tree.unit_b))
    assert [r[0] for r in rows] == ["QT-05"]
    assert get(login(officer_a), "export_documents", tree.unit_b).status_code == 404
    _, rows = rows_of(get(login(superuser), "export_documents"))
    assert {r[0] for r in rows} == {"CS-01", "QT-05", "QT-99"}


def test_documents_register_queries_do_not_grow(tree, supervisor, login, constant_queries):
    def add(n):
        for _ in range(n):
            document = DocumentFactory(unit=tree.unit_a, status=Document.Status.EFFECTIVE)
            RevisionFactory(document=document, effective=True)
            document.procedures.add(CatalogueProcedureFactory())

    constant_queries(login(supervisor), reverse("reports:export_documents"), add)


# --- TTHC coverage ---------------------------------------------------------------------------
@pytest.fixture
def catalogue(tree):
    birth = CatalogueProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    death = CatalogueProcedureFactory(code="1.000656", name="Đăng ký khai tử")
    local = CatalogueProcedureFactory(code="1.012753.H19", name="Thủ tục riêng của phường")
    gone = CatalogueProcedureFactory(code="1.000001", name="Đã bãi bỏ", status=Procedure.Status.ABOLISHED)
    applies_to(birth, kinds=["ward", "commune"])
    applies_to(death, kinds=["ward"])
    applies_to(gone, kinds=["ward"])
    applies_to(local, units=[tree.unit_a])
    TthcDocumentFactory(unit=tree.unit_a, code="QT-KS", title="Quy trình khai sinh", procedures=[birth])
    TthcDocumentFactory(
        unit=tree.unit_a,
        code="QT-KT",
        title="Quy trình khai tử",
        procedures=[death],
        status=Document.Status.DRAFT,
    )
    return birth, death, local


def test_coverage_register_lists_each_applicable_tthc_per_unit(tree, catalogue, supervisor, login):
    header, rows = rows_of(get(login(supervisor), "export_coverage"))
    assert len(header) == 6
    yes, no = "yes", "no"
    got = [(r[0], r[1], r[4]) for r in rows]
    # Phường Bích Động: birth covered, death only drafted, its own TTHC uncovered; Ninh Sơn: none.
    assert sorted(got) == sorted(
        [
            ("Phường Bích Động", "1.001193", yes),
            ("Phường Bích Động", "1.000656", no),
            ("Phường Bích Động", "1.012753.H19", no),
            ("Phường Ninh Sơn", "1.001193", no),
            ("Phường Ninh Sơn", "1.000656", no),
        ]
    )
    birth_a = next(r for r in rows if r[0] == "Phường Bích Động" and r[1] == "1.001193")
    assert birth_a[2] == "Đăng ký khai sinh" and "QT-KS" in birth_a[5]
    death_a = next(r for r in rows if r[0] == "Phường Bích Động" and r[1] == "1.000656")
    assert "QT-KT" in death_a[5]  # the draft is named, but does not cover


def test_coverage_register_is_scoped(tree, catalogue, officer_b, login):
    _, rows = rows_of(get(login(officer_b), "export_coverage"))
    assert {r[0] for r in rows} == {"Phường Ninh Sơn"}
    assert get(login(officer_b), "export_coverage", tree.unit_a).status_code == 404


def test_coverage_register_queries_do_not_grow(tree, supervisor, login, constant_queries):
    from tests.factories import UnitFactory

    birth = CatalogueProcedureFactory()
    applies_to(birth, kinds=["commune"])

    def add(n):
        for _ in range(n):
            unit = UnitFactory(parent=tree.district)
            TthcDocumentFactory(unit=unit, procedures=[birth])

    constant_queries(login(supervisor), reverse("reports:export_coverage"), add)


# --- Audits and findings ---------------------------------------------------------------------
@pytest.fixture
def audits(tree, auditor, supervisor, officer_a):
    audit = make_audit(
        tree.unit_a, lead=auditor, team=[supervisor], state=Audit.State.CLOSED, month=D(2024, 5, 1)
    )
    major = Finding.objects.create(
        audit=audit,
        kind=Finding.Kind.MAJOR,
        clause=clause("7.5"),
        description="Sổ công văn thiếu.",
        raised_by=auditor,
    )
    Finding.objects.create(
        audit=audit,
        kind=Finding.Kind.OBSERVATION,
        clause=clause("8.5"),
        description="Nên niêm yết quy trình.",
        raised_by=auditor,
    )
    nc = Nonconformity.objects.create(
        unit=tree.unit_a,
        source=Nonconformity.Source.AUDIT,
        title="Sổ công văn thiếu trang",
        description="-",
        finding=major,
        raised_on=D(2024, 5, 20),
        raised_by=auditor,
    )
    make_audit(tree.unit_b, lead=auditor, month=D(2024, 9, 1))  # planned, no finding yet
    make_audit(tree.other_commune, month=D(2024, 9, 1))
    return audit, nc


def test_audits_register_has_a_row_per_finding_with_its_nonconformity(tree, audits, supervisor, login):
    audit, nc = audits
    header, rows = rows_of(get(login(supervisor), "export_audits"))
    assert len(header) == 13
    assert len(rows) == 3  # two findings of A's audit, B's audit without findings
    a_rows = [r for r in rows if r[1] == "Phường Bích Động"]
    assert sorted((r[9], r[10]) for r in a_rows) == [
        ("7.5", "Sổ công văn thiếu."),
        ("8.5", "Nên niêm yết quy trình."),
    ]
    major = next(r for r in a_rows if r[9] == "7.5")
    assert major[11] == "Sổ công văn thiếu trang"
    assert major[12] == f"http://testserver{nc.get_absolute_url()}"
    assert major[6] == "Nguyễn Thu Hà" and major[7] == "Nguyễn Thu Hà"  # lead and team
    b_row = next(r for r in rows if r[1] == "Phường Ninh Sơn")
    assert b_row[8] is None and b_row[2].date() == D(2024, 9, 1)


def test_audits_register_is_scoped(tree, audits, officer_b, login):
    _, rows = rows_of(get(login(officer_b), "export_audits"))
    assert [r[1] for r in rows] == ["Phường Ninh Sơn"]


def test_audits_register_queries_do_not_grow(tree, auditor, supervisor, login, constant_queries):
    def add(n):
        for _ in range(n):
            audit = make_audit(tree.unit_a, lead=auditor, team=[supervisor], state=Audit.State.CLOSED)
            finding = Finding.objects.create(
                audit=audit, kind=Finding.Kind.MINOR, clause=clause("7.5"), description="-", raised_by=auditor
            )
            Nonconformity.objects.create(
                unit=tree.unit_a,
                source=Nonconformity.Source.AUDIT,
                title="NC",
                description="-",
                finding=finding,
                raised_on=D(2024, 1, 1),
                raised_by=auditor,
            )

    constant_queries(login(supervisor), reverse("reports:export_audits"), add)


# --- Corrective actions ----------------------------------------------------------------------
def _nc(unit, user, title):
    return Nonconformity.objects.create(
        unit=unit,
        source=Nonconformity.Source.DIRECT,
        title=title,
        description="-",
        raised_on=D(2024, 3, 1),
        raised_by=user,
    )


def _action(nc, owner, due_on, **extra):
    return CorrectiveAction.objects.create(
        nonconformity=nc,
        root_cause="-",
        action=extra.pop("action", "Tập huấn lại."),
        owner=owner,
        due_on=due_on,
        **extra,
    )


@pytest.fixture
def actions(tree, officer_a, officer_b, supervisor):
    nc_a = _nc(tree.unit_a, officer_a, "Hồ sơ trễ hạn")
    _action(nc_a, officer_a, D(2024, 4, 1), action="Rà soát hồ sơ trễ hạn.")  # planned, overdue
    _action(
        nc_a,
        officer_a,
        D(2024, 5, 1),
        action="Cập nhật sổ theo dõi.",
        state=CorrectiveAction.State.EFFECTIVE,
        done_on=D(2024, 4, 20),
        verified_by=supervisor,
        verified_on=D(2024, 5, 5),
    )
    _action(_nc(tree.unit_b, officer_b, "Thiếu biểu mẫu"), officer_b, D(2099, 1, 1))
    _action(_nc(tree.other_commune, supervisor, "Ngoài phạm vi"), supervisor, D(2024, 1, 1))


def test_actions_register_has_a_row_per_action(tree, actions, supervisor, login):
    header, rows = rows_of(get(login(supervisor), "export_actions"))
    assert len(header) == 13
    assert [(r[0], r[5]) for r in rows] == [
        ("Hồ sơ trễ hạn", "Rà soát hồ sơ trễ hạn."),
        ("Hồ sơ trễ hạn", "Cập nhật sổ theo dõi."),
        ("Thiếu biểu mẫu", "Tập huấn lại."),
    ]
    overdue, verified, future = rows
    assert overdue[12] == "yes" and future[12] == "no" and verified[12] == "no"
    assert (
        verified[9].date() == D(2024, 4, 20)
        and verified[10] == "Nguyễn Thu Hà"
        and verified[11].date() == D(2024, 5, 5)
    )


def test_actions_register_is_scoped_and_narrowed(tree, actions, officer_a, supervisor, login):
    _, rows = rows_of(get(login(officer_a), "export_actions"))
    assert {r[1] for r in rows} == {"Phường Bích Động"}
    _, rows = rows_of(get(login(supervisor), "export_actions", tree.unit_b))
    assert [r[0] for r in rows] == ["Thiếu biểu mẫu"]
    assert get(login(supervisor), "export_actions", tree.other_district).status_code == 404


def test_actions_register_queries_do_not_grow(tree, officer_a, supervisor, login, constant_queries):
    def add(n):
        for _ in range(n):
            _action(_nc(tree.unit_a, officer_a, "NC"), officer_a, D(2024, 4, 1))

    constant_queries(login(supervisor), reverse("reports:export_actions"), add)


# --- The index -------------------------------------------------------------------------------
def test_index_lists_the_registers_and_the_annual_report_to_those_who_keep_it(
    tree, supervisor, officer_a, login
):
    page = login(supervisor).get(reverse("reports:index"), {"unit": tree.unit_a.pk}).content.decode()
    assert 'id="annual-link"' in page
    for name in ("export_documents", "export_coverage", "export_audits", "export_actions"):
        assert f"{reverse(f'reports:{name}')}?unit={tree.unit_a.pk}" in page
    page = login(officer_a).get(reverse("reports:index")).content.decode()
    assert 'id="annual-link"' not in page and reverse("reports:export_documents") in page
    assert 'data-nav="reports"' in page  # the main navigation leads here
