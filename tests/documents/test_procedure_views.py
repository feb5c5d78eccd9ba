"""TTHC catalogue pages: the list (filters, diacritic-blind search, pagination, constant
queries), the detail page, create/edit/applicability for catalogue managers only, and the
announcing decisions (create, detail, add one item)."""

import datetime

import pytest
from django.urls import reverse

from communes.models import Unit
from documents.models import Applicability, DecisionItem, Procedure, ProcedureDecision, UpdateTask
from tests.documents.factories_catalogue import (  # noqa: F401 (in_english is a fixture)
    CatalogueDecisionFactory,
    CatalogueLegalDocumentFactory,
    CatalogueProcedureFactory,
    TthcDocumentFactory,
    applies_to,
    in_english,
)

pytestmark = pytest.mark.usefixtures("in_english")

LIST = reverse("procedures:list")
DECISIONS = reverse("procedures:decision_list")


def listed(response):
    assert response.status_code == 200
    return [row.record for row in response.context["table"].page.object_list]


def listed_codes(client, url=LIST, **params):
    return {p.code for p in listed(client.get(url, params))}


@pytest.fixture
def catalogue(db):
    return {
        "birth": CatalogueProcedureFactory(code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch"),
        "death": CatalogueProcedureFactory(code="1.000656", name="Đăng ký khai tử", field="Hộ tịch"),
        "land": CatalogueProcedureFactory(
            code="1.012753.H19",
            name="Chứng thực hợp đồng chuyển nhượng quyền sử dụng đất",
            field="Chứng thực",
            level=Procedure.Level.DISTRICT,
        ),
        "old": CatalogueProcedureFactory(
            code="2.000001", name="Thủ tục đã bãi bỏ", field="Đất đai", status=Procedure.Status.ABOLISHED
        ),
    }


def _joined(*units, on=datetime.date(2018, 1, 1)):
    Unit.objects.filter(pk__in=[u.pk for u in units]).update(joined_on=on)


# --- List ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["officer_a", "auditor", "viewer", "committee", "supervisor", "superuser"])
def test_every_logged_in_user_reads_the_catalogue(actor, actors, catalogue, login):
    assert listed_codes(login(actors[actor])) == {"1.001193", "1.000656", "1.012753.H19", "2.000001"}


def test_anonymous_is_sent_to_login(client, catalogue):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("dang ky khai sinh", {"1.001193"}),
        ("DANG KY", {"1.001193", "1.000656"}),
        ("Đăng ký khai tử", {"1.000656"}),
        ("khai tu", {"1.000656"}),
        ("chung thuc", {"1.012753.H19"}),
        ("1.001193", {"1.001193"}),
        ("1.012753.h19", {"1.012753.H19"}),
        ("  dang   ky  khai sinh ", {"1.001193"}),
        ("không có", set()),
    ],
)
def test_search_ignores_diacritics(catalogue, officer_a, login, query, found):
    assert listed_codes(login(officer_a), q=query) == found


def test_filters_by_field_level_and_status(catalogue, officer_a, login):
    client = login(officer_a)
    assert listed_codes(client, field="Hộ tịch") == {"1.001193", "1.000656"}
    assert listed_codes(client, level=Procedure.Level.DISTRICT) == {"1.012753.H19"}
    assert listed_codes(client, status=Procedure.Status.ABOLISHED) == {"2.000001"}
    assert listed_codes(client, field="Hộ tịch", q="khai sinh") == {"1.001193"}
    # The field list offers the fields in use.
    choices = dict(client.get(LIST).context["filter"].form.fields["field"].choices)
    assert {"Hộ tịch", "Chứng thực", "Đất đai"} <= set(choices)


def test_list_paginates(db, officer_a, login):
    CatalogueProcedureFactory.create_batch(30)
    client = login(officer_a)
    first = client.get(LIST)
    assert first.context["table"].paginator.count == 30
    assert len(listed(first)) == 25
    assert len(listed(client.get(LIST, {"page": 2}))) == 5


def test_list_queries_are_constant(db, supervisor, login, constant_queries):
    def add_rows(n):
        for i in range(n):
            CatalogueProcedureFactory(field=f"Lĩnh vực {i % 4}")

    response = constant_queries(login(supervisor), LIST, add_rows)
    assert response.context["table"].paginator.count == 20


def test_list_queries_are_constant_when_searching(db, supervisor, login, constant_queries):
    def add_rows(n):
        CatalogueProcedureFactory.create_batch(n, name="Đăng ký kết hôn")

    url = LIST + "?q=ket+hon&level=commune"
    response = constant_queries(login(supervisor), url, add_rows)
    assert response.context["table"].paginator.count == 20


def test_buttons_only_for_catalogue_managers(catalogue, officer_a, committee, supervisor, login):
    birth = catalogue["birth"]
    for user in (officer_a, committee):
        client = login(user)
        assert 'id="procedure-create"' not in client.get(LIST).content.decode()
        page = client.get(birth.get_absolute_url()).content.decode()
        assert 'id="procedure-edit"' not in page and 'id="procedure-applicability"' not in page
    client = login(supervisor)
    assert 'id="procedure-create"' in client.get(LIST).content.decode()
    page = client.get(birth.get_absolute_url()).content.decode()
    assert 'id="procedure-edit"' in page and 'id="procedure-applicability"' in page


# --- Create and edit -------------------------------------------------------------------------------


def test_supervisor_creates_a_tthc_with_its_legal_bases(db, supervisor, login):
    decree = CatalogueLegalDocumentFactory(number="123/2015/NĐ-CP")
    response = login(supervisor).post(
        reverse("procedures:create"),
        {
            "code": " 1.001193 ",
            "name": "Đăng ký khai sinh",
            "field": "Hộ tịch",
            "level": "commune",
            "status": "in_force",
            "legal_bases": [decree.pk],
        },
    )
    procedure = Procedure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == procedure.get_absolute_url()
    assert procedure.code == "1.001193"
    assert list(procedure.legal_bases.all()) == [decree]
    assert procedure.history.count() == 1


def test_duplicate_code_is_refused_with_a_clear_message(catalogue, supervisor, login):
    response = login(supervisor).post(
        reverse("procedures:create"),
        {"code": "1.001193", "name": "Khác", "field": "", "level": "commune", "status": "in_force"},
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert Procedure.objects.count() == 4


@pytest.mark.parametrize("actor", ["officer_a", "auditor", "viewer", "committee"])
def test_others_cannot_create_or_edit(actor, actors, catalogue, login):
    client = login(actors[actor])
    data = {"code": "1.999999", "name": "X", "level": "commune", "status": "in_force"}
    assert client.post(reverse("procedures:create"), data).status_code == 403
    birth = catalogue["birth"]
    assert client.post(reverse("procedures:update", args=[birth.pk]), data).status_code == 403
    assert not Procedure.objects.filter(code="1.999999").exists()
    birth.refresh_from_db()
    assert birth.name == "Đăng ký khai sinh"


def test_supervisor_edits_a_tthc(catalogue, supervisor, login):
    birth = catalogue["birth"]
    url = reverse("procedures:update", args=[birth.pk])
    client = login(supervisor)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "code": "1.001193",
            "name": "Đăng ký khai sinh (sửa)",
            "field": "Hộ tịch",
            "level": "commune",
            "status": "amended",
        },
    )
    assert response.status_code == 302
    birth.refresh_from_db()
    assert (birth.name, birth.status) == ("Đăng ký khai sinh (sửa)", "amended")
    # The folded search column follows the new name.
    assert listed_codes(client, q="khai sinh (sua)") == {"1.001193"}


# --- Detail --------------------------------------------------------------------------------------


def test_detail_shows_the_tthc_its_decisions_applicability_and_scoped_documents(
    tree, catalogue, officer_a, supervisor, login
):
    birth = catalogue["birth"]
    decree = CatalogueLegalDocumentFactory(number="123/2015/NĐ-CP", title="Nghị định về hộ tịch")
    birth.legal_bases.add(decree)
    applies_to(birth, kinds=[Unit.Kind.WARD], units=[tree.other_commune])
    decision = CatalogueDecisionFactory(number="1234/QĐ-UBND")
    decision.items.create(procedure=birth, change=DecisionItem.Change.AMEND)
    TthcDocumentFactory(unit=tree.unit_a, code="QT-A-KS", procedures=[birth])
    TthcDocumentFactory(unit=tree.unit_b, code="QT-B-KS", procedures=[birth])

    page = login(officer_a).get(birth.get_absolute_url())
    html = page.content.decode()
    assert "Đăng ký khai sinh" in html and "123/2015/NĐ-CP" in html and "1234/QĐ-UBND" in html
    assert "Xã Đức Thắng" in html  # per-unit applicability is named…
    assert reverse("communes:unit_detail", args=[tree.other_commune.pk]) not in html  # …not linked
    assert [d.code for d in page.context["documents"]] == ["QT-A-KS"]  # officer A: own unit only
    assert "QT-B-KS" not in html

    page = login(supervisor).get(birth.get_absolute_url())
    assert [d.code for d in page.context["documents"]] == ["QT-A-KS", "QT-B-KS"]


def test_detail_of_an_unknown_tthc_is_404(db, officer_a, login):
    assert login(officer_a).get(reverse("procedures:detail", args=[999999])).status_code == 404


# --- Applicability -------------------------------------------------------------------------------


def test_supervisor_sets_applicability_by_kind_and_unit(tree, catalogue, supervisor, login):
    birth = catalogue["birth"]
    url = reverse("procedures:applicability", args=[birth.pk])
    client = login(supervisor)
    form = client.get(url).context["form"]
    offered = set(form.fields["units"].queryset)
    assert tree.unit_a in offered and tree.district in offered
    assert tree.other_commune not in offered  # narrowed to the units the supervisor manages

    response = client.post(url, {"unit_kinds": ["ward", "commune"], "units": [tree.unit_a.pk]})
    assert response.status_code == 302
    rows = set(birth.applicabilities.values_list("unit_kind", "unit_id"))
    assert rows == {("commune", None), ("ward", None), ("", tree.unit_a.pk)}


def test_applicability_refuses_a_unit_outside_the_managed_scope(tree, catalogue, supervisor, login):
    birth = catalogue["birth"]
    response = login(supervisor).post(
        reverse("procedures:applicability", args=[birth.pk]), {"units": [tree.other_commune.pk]}
    )
    assert response.status_code == 200
    assert "units" in response.context["form"].errors
    assert not birth.applicabilities.exists()


def test_applicability_keeps_the_units_the_user_does_not_manage(tree, catalogue, supervisor, login):
    birth = catalogue["birth"]
    applies_to(birth, units=[tree.other_commune, tree.unit_b])
    url = reverse("procedures:applicability", args=[birth.pk])
    client = login(supervisor)
    page = client.get(url)
    assert page.context["form"].initial["units"] == [tree.unit_b]
    assert "Xã Đức Thắng" in page.content.decode()
    client.post(url, {"unit_kinds": [], "units": [tree.unit_a.pk]})
    assert set(birth.applicabilities.values_list("unit_id", flat=True)) == {
        tree.unit_a.pk,
        tree.other_commune.pk,
    }


def test_applying_a_tthc_after_its_decision_opens_the_missing_tasks(tree, catalogue, supervisor, login):
    """Added by a decision first, applied afterwards: the units get the 3-month tasks then."""
    _joined(tree.unit_a, tree.unit_b)
    birth = catalogue["birth"]
    decision = CatalogueDecisionFactory(effective_on=datetime.date(2026, 10, 1))
    client = login(supervisor)
    client.post(
        reverse("procedures:decision_add_item", args=[decision.pk]),
        {"change": "add", "procedure": birth.pk, "new_level": "commune"},
    )
    assert not UpdateTask.objects.exists()  # it applied nowhere yet
    url = reverse("procedures:applicability", args=[birth.pk])
    client.post(url, {"unit_kinds": ["ward"]})
    tasks = UpdateTask.objects.filter(procedure=birth)
    assert set(tasks.values_list("unit_id", flat=True)) == {tree.unit_a.pk, tree.unit_b.pk}
    assert {t.due_on for t in tasks} == {datetime.date(2027, 1, 1)}
    client.post(url, {"unit_kinds": ["ward"]})  # saving again opens nothing twice
    assert tasks.count() == 2


# --- Announcing decisions --------------------------------------------------------------------------


def _decision_data(**overrides):
    data = {
        "number": "1234/QĐ-UBND",
        "issuer": "UBND tỉnh Bắc Giang",
        "title": "Công bố danh mục TTHC lĩnh vực hộ tịch",
        "signed_on": "2026-09-20",
        "effective_on": "2026-10-01",
    }
    return data | overrides


def test_supervisor_creates_a_decision(db, supervisor, login):
    response = login(supervisor).post(reverse("procedures:decision_create"), _decision_data())
    decision = ProcedureDecision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == decision.get_absolute_url()
    assert decision.effective_on == datetime.date(2026, 10, 1)


def test_decision_effective_before_signed_is_refused(db, supervisor, login):
    response = login(supervisor).post(
        reverse("procedures:decision_create"),
        _decision_data(signed_on="2026-10-05", effective_on="2026-10-01"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["effective_on"] == ["The effective date cannot be before the signing date."]
    assert "__all__" not in errors  # said once, in words, not as a raw constraint name
    assert not ProcedureDecision.objects.exists()


def test_decision_with_a_duplicate_number_is_refused(db, supervisor, login):
    CatalogueDecisionFactory(number="1234/QĐ-UBND")
    response = login(supervisor).post(reverse("procedures:decision_create"), _decision_data())
    assert response.status_code == 200
    assert response.context["form"].errors["number"] == ["A decision with this number is already registered."]
    assert ProcedureDecision.objects.count() == 1


@pytest.mark.parametrize("actor", ["officer_a", "auditor", "viewer", "committee"])
def test_others_cannot_create_decisions_nor_add_items(actor, actors, catalogue, login):
    client = login(actors[actor])
    assert client.post(reverse("procedures:decision_create"), _decision_data()).status_code == 403
    decision = CatalogueDecisionFactory()
    url = reverse("procedures:decision_add_item", args=[decision.pk])
    assert client.post(url, {"change": "add", "procedure": catalogue["birth"].pk}).status_code == 403
    assert ProcedureDecision.objects.count() == 1 and not DecisionItem.objects.exists()
    page = client.get(decision.get_absolute_url()).content.decode()
    assert 'id="decision-add-item"' not in page and 'id="decision-import"' not in page
    assert 'id="decision-create"' not in client.get(DECISIONS).content.decode()


def test_adding_an_item_opens_the_update_tasks(tree, catalogue, supervisor, login):
    _joined(tree.unit_a, tree.unit_b)
    birth = catalogue["birth"]
    applies_to(birth, kinds=[Unit.Kind.WARD])
    doc = TthcDocumentFactory(unit=tree.unit_a, procedures=[birth])
    decision = CatalogueDecisionFactory(effective_on=datetime.date(2026, 11, 30))
    client = login(supervisor)
    response = client.post(
        reverse("procedures:decision_add_item", args=[decision.pk]),
        {"change": "amend", "procedure": birth.pk, "note": "Sửa thành phần hồ sơ", "new_level": "commune"},
    )
    assert response.status_code == 302
    item = decision.items.get()
    assert (item.procedure, item.change, item.note) == (birth, "amend", "Sửa thành phần hồ sơ")
    birth.refresh_from_db()
    assert birth.status == Procedure.Status.AMENDED
    tasks = {(t.unit_id, t.document_id, t.action, t.due_on) for t in item.update_tasks.all()}
    # 30 November + 3 months = 28 February (Decision 19/2014/QĐ-TTg Art. 4.4.a)
    assert tasks == {
        (tree.unit_a.pk, doc.pk, "revise", datetime.date(2027, 2, 28)),
        (tree.unit_b.pk, None, "create", datetime.date(2027, 2, 28)),
    }
    page = client.get(decision.get_absolute_url())
    [row] = page.context["table"].page.object_list
    assert row.record.n_tasks == 2
    assert page.context["task_count"] == 2
    assert "1.001193" in page.content.decode()


def test_adding_a_new_tthc_inline(db, supervisor, login):
    decision = CatalogueDecisionFactory()
    response = login(supervisor).post(
        reverse("procedures:decision_add_item", args=[decision.pk]),
        {
            "change": "add",
            "new_code": "1.013000",
            "new_name": "Đăng ký giám hộ",
            "new_field": "Hộ tịch",
            "new_level": "commune",
        },
    )
    assert response.status_code == 302
    procedure = Procedure.objects.get(code="1.013000")
    assert (procedure.name, procedure.field, procedure.status) == ("Đăng ký giám hộ", "Hộ tịch", "in_force")
    assert decision.items.get().procedure == procedure


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"change": "add"},
            "__all__",
            "Pick a TTHC from the catalogue or enter the code of a new one.",
        ),
        (
            {"change": "add", "new_code": "1.001193", "new_name": "Trùng"},
            "new_code",
            "1.001193 is already in the catalogue: pick it in the list.",
        ),
        ({"change": "add", "new_code": "1.013000"}, "new_name", "A new TTHC needs its name."),
        (
            {"change": "amend", "new_code": "1.013000", "new_name": "Mới"},
            "change",
            "A TTHC that is not in the catalogue can only be added, not amended or abolished.",
        ),
    ],
)
def test_adding_an_item_refuses_bad_input(catalogue, supervisor, login, data, field, message):
    decision = CatalogueDecisionFactory()
    response = login(supervisor).post(
        reverse("procedures:decision_add_item", args=[decision.pk]), {"new_level": "commune", **data}
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not decision.items.exists() and Procedure.objects.count() == 4


def test_amending_an_abolished_tthc_is_refused_by_the_service(catalogue, supervisor, login):
    decision = CatalogueDecisionFactory()
    response = login(supervisor).post(
        reverse("procedures:decision_add_item", args=[decision.pk]),
        {"change": "amend", "procedure": catalogue["old"].pk, "new_level": "commune"},
    )
    assert response.status_code == 200
    assert "2.000001 is abolished: it can only be added again." in response.context["form"].non_field_errors()
    assert not decision.items.exists()


def test_a_tthc_already_in_the_decision_is_not_offered_again(catalogue, supervisor, login):
    decision = CatalogueDecisionFactory()
    decision.items.create(procedure=catalogue["birth"], change="add")
    url = reverse("procedures:decision_add_item", args=[decision.pk])
    client = login(supervisor)
    assert catalogue["birth"] not in client.get(url).context["form"].fields["procedure"].queryset
    response = client.post(
        url, {"change": "amend", "procedure": catalogue["birth"].pk, "new_level": "commune"}
    )
    assert response.status_code == 200 and "procedure" in response.context["form"].errors
    assert decision.items.count() == 1


def test_decision_list_search_and_queries(catalogue, officer_a, login, constant_queries):
    first = CatalogueDecisionFactory(number="100/QĐ-UBND", title="Công bố TTHC hộ tịch")
    first.items.create(procedure=catalogue["birth"], change="add")
    CatalogueDecisionFactory(number="200/QĐ-UBND", title="Công bố TTHC chứng thực")
    client = login(officer_a)
    assert {d.number for d in listed(client.get(DECISIONS, {"q": "khai sinh"}))} == {"100/QĐ-UBND"}
    assert {d.number for d in listed(client.get(DECISIONS, {"q": "200/QĐ"}))} == {"200/QĐ-UBND"}
    assert {d.number for d in listed(client.get(DECISIONS, {"q": "chứng thực"}))} == {"200/QĐ-UBND"}
    assert len(listed(client.get(DECISIONS, {"year": 2026}))) == 2
    assert listed(client.get(DECISIONS, {"year": 2019})) == []

    def add_rows(n):
        for _ in range(n):
            decision = CatalogueDecisionFactory()
            decision.items.create(procedure=CatalogueProcedureFactory(), change="add")

    response = constant_queries(client, DECISIONS, add_rows)
    assert response.context["table"].paginator.count == 22
    counts = {d.number: d.n_items for d in listed(response)}
    assert counts["100/QĐ-UBND"] == 1 and counts["200/QĐ-UBND"] == 0


def test_decision_detail_queries_are_constant(tree, supervisor, login, constant_queries):
    _joined(tree.unit_a)
    decision = CatalogueDecisionFactory()

    def add_rows(n):
        for _ in range(n):
            procedure = CatalogueProcedureFactory()
            applies_to(procedure, kinds=[Unit.Kind.WARD])
            decision.items.create(procedure=procedure, change="add")

    constant_queries(login(supervisor), decision.get_absolute_url(), add_rows)


def test_procedure_detail_queries_are_constant(tree, catalogue, supervisor, login, constant_queries):
    birth = catalogue["birth"]

    def add_rows(n):
        for _ in range(n):
            TthcDocumentFactory(
                unit=tree.unit_a, procedures=[birth], legal_bases=[CatalogueLegalDocumentFactory()]
            )
            birth.legal_bases.add(CatalogueLegalDocumentFactory())
            CatalogueDecisionFactory().items.create(procedure=birth, change="amend")
            Applicability.objects.create(
                procedure=birth, unit=Unit.objects.create(name="X", kind="agency", parent=tree.district)
            )

    constant_queries(login(supervisor), birth.get_absolute_url(), add_rows)
