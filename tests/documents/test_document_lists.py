"""The update-task list and the framework models: scope, filters, answers (adopt, not applicable),
the "model changed since you adopted it" notice, and constant query counts."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import Adoption, Document, Revision, RevisionFile, UpdateTask
from documents.services import lifecycle
from tests.documents.factories import (
    AdoptionFactory,
    DocProcedureFactory,
    DocumentFactory,
    RevisionFactory,
    RevisionFileFactory,
    UpdateTaskFactory,
    effective_document,
    english,  # noqa: F401 -- fixture
    media,  # noqa: F401 -- fixture
    submitted,
)
from tests.factories import UnitFactory

pytestmark = pytest.mark.usefixtures("media", "english")

_n = itertools.count()


def rows(response):
    return list(response.context["table"].page.object_list.data)


# --- Update tasks ----------------------------------------------------------------------------------
def test_task_list_is_scoped(tree, officer_a, supervisor, login):
    mine = UpdateTaskFactory(unit=tree.unit_a)
    UpdateTaskFactory(unit=tree.unit_b)
    UpdateTaskFactory(unit=tree.other_commune)
    assert rows(login(officer_a).get(reverse("documents:task_list"))) == [mine]
    assert len(rows(login(supervisor).get(reverse("documents:task_list")))) == 2


def test_task_list_filters(tree, supervisor, login):
    today = timezone.localdate()
    late = UpdateTaskFactory(unit=tree.unit_a, due_on=today - datetime.timedelta(days=1))
    soon = UpdateTaskFactory(
        unit=tree.unit_b, due_on=today + datetime.timedelta(days=20), reason=UpdateTask.Reason.LEGAL_CHANGED
    )
    done = UpdateTaskFactory(
        unit=tree.unit_b,
        due_on=today - datetime.timedelta(days=40),
        status=UpdateTask.Status.DONE,
        done_on=today - datetime.timedelta(days=50),
    )
    client = login(supervisor)

    def found(query):
        return set(rows(client.get(reverse("documents:task_list") + query)))

    assert found(f"?unit={tree.unit_a.pk}") == {late}
    assert found(f"?unit={tree.district.pk}") == {late, soon, done}
    assert found("?overdue=yes") == {late}
    assert found("?overdue=no") == {soon, done}
    assert found("?status=done") == {done}
    assert found("?status=open") == {late, soon}
    assert found("?reason=legal_changed") == {soon}


def test_task_list_shows_open_tasks_first_and_links_the_document(tree, officer_a, login):
    document = DocumentFactory(unit=tree.unit_a, code="QT-TTHC-01")
    UpdateTaskFactory(unit=tree.unit_a, status=UpdateTask.Status.DONE, done_on=datetime.date(2025, 1, 1))
    task = UpdateTaskFactory(unit=tree.unit_a, document=document, due_on=datetime.date(2020, 1, 1))
    response = login(officer_a).get(reverse("documents:task_list"))
    assert rows(response)[0] == task
    html = response.content.decode()
    assert document.get_absolute_url() in html
    assert "overdue" in html


def test_task_list_queries_are_constant(tree, supervisor, officer_a, login, constant_queries):
    procedure = DocProcedureFactory()

    def add_rows(n):
        for i in range(n):
            document = DocumentFactory(unit=tree.unit_a if i % 2 else tree.unit_b)
            model_doc = DocumentFactory(unit=tree.district, is_model=True)
            model_revision = RevisionFactory(document=model_doc, prepared_by=supervisor)
            UpdateTaskFactory(
                unit=document.unit, document=document, procedure=procedure, model_revision=model_revision
            )

    response = constant_queries(login(supervisor), reverse("documents:task_list"), add_rows)
    assert response.context["table"].paginator.count == 20


# --- Framework models ----------------------------------------------------------------------------
@pytest.fixture
def model(tree, supervisor, committee):
    """The district's model procedure, issue 1 in force with its PDF."""
    return effective_document(
        supervisor,
        committee,
        tree.district,
        code="MH-KSTL",
        title="Quy trình kiểm soát tài liệu (mẫu)",
        is_model=True,
    )


def answers(response, model):
    entries = response.context["table"].entries[model.pk]
    return {e.unit.pk: (e.adoption.status if e.adoption else None, e.can_change) for e in entries}


def test_model_list_shows_the_models_above_the_users_units(
    tree, model, officer_a, officer_b, supervisor, login
):
    other = DocumentFactory(unit=tree.other_district, is_model=True, status=Document.Status.EFFECTIVE)
    draft_model = DocumentFactory(unit=tree.district, is_model=True, code="MH-NHAP")  # not in force yet
    DocumentFactory(unit=tree.district, code="QT-HUYEN", status=Document.Status.EFFECTIVE)  # not a model

    response = login(officer_a).get(reverse("documents:model_list"))
    assert rows(response) == [model]
    assert answers(response, model) == {tree.unit_a.pk: (None, True)}
    html = response.content.decode()
    assert reverse("documents:model_adopt", args=[model.pk]) + f"?unit={tree.unit_a.pk}" in html
    # The model's file in force is offered for reading before adopting it.
    assert (
        reverse("documents:file_download", args=[RevisionFile.objects.get(revision__document=model).pk])
        in html
    )

    assert answers(login(officer_b).get(reverse("documents:model_list")), model) == {
        tree.unit_b.pk: (None, True)
    }
    response = login(supervisor).get(reverse("documents:model_list"))
    assert answers(response, model) == {tree.unit_a.pk: (None, True), tree.unit_b.pk: (None, True)}
    assert other not in rows(response) and draft_model not in rows(response)


def test_model_list_for_reading_roles_has_no_buttons(tree, model, committee, login):
    response = login(committee).get(reverse("documents:model_list"))
    assert answers(response, model) == {tree.unit_a.pk: (None, False), tree.unit_b.pk: (None, False)}
    assert reverse("documents:model_adopt", args=[model.pk]) not in response.content.decode()


def test_model_list_unit_filter(tree, model, supervisor, login):
    response = login(supervisor).get(reverse("documents:model_list"), {"unit": tree.unit_b.pk})
    assert answers(response, model) == {tree.unit_b.pk: (None, True)}


def test_adopt_a_model(tree, model, officer_a, login):
    client = login(officer_a)
    url = reverse("documents:model_adopt", args=[model.pk])
    form = client.get(url).context["form"]
    assert list(form.fields["unit"].queryset) == [tree.unit_a]

    response = client.post(url, {"unit": tree.unit_a.pk, "code": "QT-01"})

    adoption = Adoption.objects.get(model_document=model, unit=tree.unit_a)
    document = adoption.document
    assert response["Location"] == document.get_absolute_url()
    assert (adoption.status, adoption.adopted_revision, adoption.decided_by) == ("adopted", 1, officer_a)
    assert (document.unit, document.code, document.title) == (tree.unit_a, "QT-01", model.title)
    draft = document.revisions.get()
    assert draft.state == Revision.State.DRAFT
    assert draft.files.get().sha256 == RevisionFile.objects.get(revision__document=model).sha256
    html = client.get(document.get_absolute_url()).content.decode()
    assert 'id="adoption"' in html and "MH-KSTL" in html
    assert 'id="model-changed"' not in html

    response = client.get(reverse("documents:model_list"))
    assert answers(response, model) == {tree.unit_a.pk: ("adopted", True)}
    # Answered: the form is not offered again.
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("documents:model_list")


def test_adopt_keeps_the_models_code_by_default(tree, model, officer_a, login):
    login(officer_a).post(
        reverse("documents:model_adopt", args=[model.pk]), {"unit": tree.unit_a.pk, "code": ""}
    )
    assert Adoption.objects.get(unit=tree.unit_a).document.code == "MH-KSTL"


def test_adopt_with_a_code_taken_shows_the_error(tree, model, officer_a, login):
    DocumentFactory(unit=tree.unit_a, code="QT-01")
    response = login(officer_a).post(
        reverse("documents:model_adopt", args=[model.pk]), {"unit": tree.unit_a.pk, "code": "QT-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Adoption.objects.exists()


def test_mark_a_model_not_applicable(tree, model, officer_b, login):
    client = login(officer_b)
    url = reverse("documents:model_not_applicable", args=[model.pk])

    response = client.post(url, {"unit": tree.unit_b.pk, "reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors

    client.post(url, {"unit": tree.unit_b.pk, "reason": "Phường không có chợ."})
    adoption = Adoption.objects.get(model_document=model, unit=tree.unit_b)
    assert (adoption.status, adoption.reason, adoption.document) == (
        "not_applicable",
        "Phường không có chợ.",
        None,
    )
    response = client.get(reverse("documents:model_list"))
    assert answers(response, model) == {tree.unit_b.pk: ("not_applicable", True)}
    assert "Phường không có chợ." in response.content.decode()


def test_an_officer_cannot_answer_for_another_unit(tree, model, officer_b, login):
    response = login(officer_b).post(
        reverse("documents:model_adopt", args=[model.pk]), {"unit": tree.unit_a.pk, "code": ""}
    )
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    assert not Adoption.objects.exists()


def test_the_model_changed_since_it_was_adopted(tree, model, officer_a, supervisor, committee, login):
    login(officer_a).post(
        reverse("documents:model_adopt", args=[model.pk]), {"unit": tree.unit_a.pk, "code": ""}
    )
    adoption = Adoption.objects.get()
    second = lifecycle.revision_start(actor=supervisor, document=model, change_summary="Cập nhật mẫu")
    submitted(supervisor, second)
    lifecycle.revision_approve(actor=committee, revision=second)

    client = login(officer_a)
    html = client.get(adoption.document.get_absolute_url()).content.decode()
    assert 'id="model-changed"' in html
    response = client.get(reverse("documents:model_list"))
    entry = response.context["table"].entries[model.pk][0]
    assert entry.changed
    assert "the model changed since" in response.content.decode()


def test_model_page_lists_the_answers_of_the_units(tree, model, officer_b, supervisor, login):
    AdoptionFactory(model_document=model, unit=tree.unit_b, reason="Không áp dụng", decided_by=officer_b)
    html = login(supervisor).get(model.get_absolute_url()).content.decode()
    assert 'id="model-adoptions"' in html and "Không áp dụng" in html


def test_model_list_queries_are_constant(tree, supervisor, committee, login, constant_queries):
    def add_rows(n):
        for _ in range(n):
            i = next(_n)
            model = DocumentFactory(unit=tree.district, code=f"MH-{i:03d}", is_model=True, status="effective")
            revision = RevisionFactory(
                document=model, effective=True, prepared_by=supervisor, approved_by=committee
            )
            RevisionFileFactory(revision=revision)
            RevisionFactory(document=model, number=2, prepared_by=supervisor)
            unit = UnitFactory(parent=tree.unit_a.parent)
            AdoptionFactory(model_document=model, unit=unit, decided_by=supervisor)

    response = constant_queries(login(supervisor), reverse("documents:model_list"), add_rows)
    assert response.context["table"].paginator.count == 20
