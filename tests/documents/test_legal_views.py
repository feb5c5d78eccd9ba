"""The register of legal documents: list and diacritic-blind search for everyone, registration
(with what it amends or replaces, opening the 3-month update tasks) and edits for catalogue
managers only, and the detail page with what cites it (documents narrowed to the scope)."""

import datetime

import pytest
from django.urls import reverse

from documents.models import LegalChange, LegalDocument, UpdateTask
from tests.documents.factories_catalogue import (  # noqa: F401 (in_english is a fixture)
    CatalogueLegalDocumentFactory,
    CatalogueProcedureFactory,
    TthcDocumentFactory,
    in_english,
)

pytestmark = pytest.mark.usefixtures("in_english")

LIST = reverse("legal:list")


def listed_numbers(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return {row.record.number for row in response.context["table"].page.object_list}


@pytest.fixture
def register(db):
    return {
        "civil": CatalogueLegalDocumentFactory(
            number="123/2015/NĐ-CP",
            kind=LegalDocument.Kind.DECREE,
            issuer="Chính phủ",
            title="Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch",
        ),
        "iso": CatalogueLegalDocumentFactory(
            number="19/2014/QĐ-TTg",
            kind=LegalDocument.Kind.DECISION,
            issuer="Thủ tướng Chính phủ",
            title="Áp dụng Hệ thống quản lý chất lượng TCVN ISO 9001 vào hoạt động của các cơ quan",
        ),
        "law": CatalogueLegalDocumentFactory(
            number="60/2014/QH13",
            kind=LegalDocument.Kind.LAW,
            issuer="Quốc hội",
            title="Luật Hộ tịch",
            status=LegalDocument.Status.AMENDED,
        ),
    }


def _data(**overrides):
    return {
        "number": "07/2025/NĐ-CP",
        "kind": "decree",
        "issuer": "Chính phủ",
        "title": "Nghị định sửa đổi, bổ sung Nghị định 123/2015/NĐ-CP",
        "signed_on": "2025-01-09",
        "effective_on": "2025-02-25",
    } | overrides


# --- List ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("nghi dinh", {"123/2015/NĐ-CP"}),
        ("ho tich", {"123/2015/NĐ-CP", "60/2014/QH13"}),
        ("QĐ-TTg", {"19/2014/QĐ-TTg"}),
        ("qd-ttg", {"19/2014/QĐ-TTg"}),
        ("quoc hoi", {"60/2014/QH13"}),
        ("iso 9001", {"19/2014/QĐ-TTg"}),
        ("không có", set()),
    ],
)
def test_search_ignores_diacritics(register, officer_a, login, query, found):
    assert listed_numbers(login(officer_a), q=query) == found


def test_filters_by_kind_and_status(register, viewer, login):
    client = login(viewer)
    assert listed_numbers(client, kind="law") == {"60/2014/QH13"}
    assert listed_numbers(client, status="amended") == {"60/2014/QH13"}
    assert listed_numbers(client, status="in_force") == {"123/2015/NĐ-CP", "19/2014/QĐ-TTg"}


def test_list_queries_are_constant(db, officer_a, login, constant_queries):
    response = constant_queries(login(officer_a), LIST, CatalogueLegalDocumentFactory.create_batch)
    assert response.context["table"].paginator.count == 20


def test_only_managers_see_the_buttons(register, officer_a, committee, supervisor, login):
    detail = register["civil"].get_absolute_url()
    for user in (officer_a, committee):
        client = login(user)
        assert 'id="legal-create"' not in client.get(LIST).content.decode()
        assert 'id="legal-edit"' not in client.get(detail).content.decode()
    client = login(supervisor)
    assert 'id="legal-create"' in client.get(LIST).content.decode()
    assert 'id="legal-edit"' in client.get(detail).content.decode()


# --- Registration --------------------------------------------------------------------------------


def test_registering_an_amending_document_opens_tasks(tree, register, supervisor, login):
    civil = register["civil"]
    cites = TthcDocumentFactory(unit=tree.unit_a, legal_bases=[civil])
    TthcDocumentFactory(unit=tree.unit_b, legal_bases=[register["iso"]])  # cites something else
    response = login(supervisor).post(reverse("legal:create"), _data(amends=[civil.pk]), follow=True)
    new = LegalDocument.objects.get(number="07/2025/NĐ-CP")
    assert response.redirect_chain[-1][0] == new.get_absolute_url()
    assert "07/2025/NĐ-CP registered; 1 update task opened." in response.content.decode()
    civil.refresh_from_db()
    assert civil.status == LegalDocument.Status.AMENDED
    change = LegalChange.objects.get(new=new)
    assert (change.old, change.kind) == (civil, "amend")
    [task] = UpdateTask.objects.all()
    # 25 February 2025 + 3 months (Decision 19/2014/QĐ-TTg Art. 4.4.a)
    assert (task.unit, task.document, task.action, task.due_on) == (
        tree.unit_a,
        cites,
        "revise",
        datetime.date(2025, 5, 25),
    )


def test_registering_a_replacing_document(register, supervisor, login):
    response = login(supervisor).post(reverse("legal:create"), _data(replaces=[register["iso"].pk]))
    assert response.status_code == 302
    register["iso"].refresh_from_db()
    assert register["iso"].status == LegalDocument.Status.REPLACED
    assert LegalChange.objects.get().kind == "replace"


def test_registering_a_standalone_document(db, supervisor, login):
    response = login(supervisor).post(reverse("legal:create"), _data(), follow=True)
    assert "07/2025/NĐ-CP registered; 0 update tasks opened." in response.content.decode()
    assert LegalDocument.objects.get().status == "in_force"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"signed_on": "2025-03-01", "effective_on": "2025-02-25"},
            "effective_on",
            "The effective date cannot be before the signing date.",
        ),
        ({"number": "123/2015/NĐ-CP"}, "number", "A legal document with this number is already registered."),
        ({"title": ""}, "title", "This field is required."),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(register, supervisor, login, overrides, field, message):
    response = login(supervisor).post(
        reverse("legal:create"), _data(amends=[register["civil"].pk], **overrides)
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert LegalDocument.objects.count() == 3
    assert not LegalChange.objects.exists()
    register["civil"].refresh_from_db()
    assert register["civil"].status == "in_force"


def test_amending_and_replacing_the_same_document_is_refused(register, supervisor, login):
    civil = register["civil"].pk
    response = login(supervisor).post(reverse("legal:create"), _data(amends=[civil], replaces=[civil]))
    assert response.status_code == 200
    assert (
        "123/2015/NĐ-CP cannot be both amended and replaced." in response.context["form"].errors["replaces"]
    )
    assert LegalDocument.objects.count() == 3


@pytest.mark.parametrize("actor", ["officer_a", "auditor", "viewer", "committee"])
def test_others_cannot_register_nor_edit(actor, actors, register, login):
    client = login(actors[actor])
    assert client.post(reverse("legal:create"), _data()).status_code == 403
    civil = register["civil"]
    assert (
        client.post(reverse("legal:update", args=[civil.pk]), _data(number=civil.number)).status_code == 403
    )
    assert LegalDocument.objects.count() == 3
    civil.refresh_from_db()
    assert civil.title.startswith("Nghị định quy định")


def test_editing_changes_the_register_data_not_the_links(register, supervisor, login):
    new = CatalogueLegalDocumentFactory(number="07/2025/NĐ-CP")
    LegalChange.objects.create(new=new, old=register["civil"], kind="amend")
    url = reverse("legal:update", args=[new.pk])
    client = login(supervisor)
    form = client.get(url).context["form"]
    assert "amends" not in form.fields and "replaces" not in form.fields
    response = client.post(url, _data(title="Nghị định 07 (đã sửa tên)", amends=[register["iso"].pk]))
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.title == "Nghị định 07 (đã sửa tên)"
    assert list(LegalChange.objects.values_list("new", "old")) == [(new.pk, register["civil"].pk)]
    register["iso"].refresh_from_db()
    assert register["iso"].status == "in_force"
    assert listed_numbers(client, q="da sua ten") == {"07/2025/NĐ-CP"}


# --- Detail --------------------------------------------------------------------------------------


def test_detail_shows_changes_and_what_cites_it(tree, register, officer_a, supervisor, login):
    civil = register["civil"]
    new = CatalogueLegalDocumentFactory(number="07/2025/NĐ-CP")
    LegalChange.objects.create(new=new, old=civil, kind="amend")
    LegalChange.objects.create(new=civil, old=register["law"], kind="replace")
    birth = CatalogueProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    birth.legal_bases.add(civil)
    TthcDocumentFactory(unit=tree.unit_a, code="QT-A-01", legal_bases=[civil])
    TthcDocumentFactory(unit=tree.unit_b, code="QT-B-01", legal_bases=[civil])

    response = login(officer_a).get(civil.get_absolute_url())
    html = response.content.decode()
    assert [c.new for c in response.context["changed_by"]] == [new]
    assert [c.old for c in response.context["changes"]] == [register["law"]]
    assert "Amended by" in html and "07/2025/NĐ-CP" in html and "60/2014/QH13" in html
    assert "1.001193" in html
    assert [d.code for d in response.context["documents"]] == ["QT-A-01"]  # own unit only
    assert "QT-B-01" not in html

    response = login(supervisor).get(civil.get_absolute_url())
    assert [d.code for d in response.context["documents"]] == ["QT-A-01", "QT-B-01"]


def test_detail_queries_are_constant(tree, register, supervisor, login, constant_queries):
    civil = register["civil"]

    def add_rows(n):
        for _ in range(n):
            LegalChange.objects.create(new=CatalogueLegalDocumentFactory(), old=civil)
            CatalogueProcedureFactory().legal_bases.add(civil)
            TthcDocumentFactory(unit=tree.unit_a, legal_bases=[civil])

    constant_queries(login(supervisor), civil.get_absolute_url(), add_rows)
