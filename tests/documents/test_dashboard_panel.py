"""The documents panel of the dashboard: figures of the user's scope, constant queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import Document, UpdateTask

pytestmark = pytest.mark.django_db


def _document(unit, code, *, status=Document.Status.EFFECTIVE, next_review_on=None):
    return Document.objects.create(
        unit=unit,
        code=code,
        title=f"Tài liệu {code}",
        kind=Document.Kind.SYSTEM_PROCEDURE,
        status=status,
        next_review_on=next_review_on,
    )


def _task(unit, due_on, status=UpdateTask.Status.OPEN):
    return UpdateTask.objects.create(
        unit=unit,
        reason=UpdateTask.Reason.TTHC_AMENDED,
        action=UpdateTask.Action.CREATE,
        source_effective_on=due_on - datetime.timedelta(days=90),
        due_on=due_on,
        status=status,
    )


def _figures(client):
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    return response.context["panels"], response.content.decode()


def test_panel_counts_only_the_users_scope(tree, officer_a, supervisor, login):
    today = timezone.localdate()
    past, future = today - datetime.timedelta(days=3), today + datetime.timedelta(days=30)
    _document(tree.unit_a, "A1", next_review_on=past)
    _document(tree.unit_a, "A2", next_review_on=future)
    _document(tree.unit_a, "A3", status=Document.Status.DRAFT)
    _document(tree.unit_b, "B1", next_review_on=past)
    _task(tree.unit_a, past)
    _task(tree.unit_a, future)
    _task(tree.unit_a, past, status=UpdateTask.Status.DONE)
    _task(tree.unit_b, past)

    from documents.selectors import dashboard_figures

    assert dashboard_figures(officer_a) == {
        "documents": {"in_force": 2, "review_overdue": 1},
        "tasks": {"open": 2, "overdue": 1},
    }
    assert dashboard_figures(supervisor) == {
        "documents": {"in_force": 3, "review_overdue": 2},
        "tasks": {"open": 3, "overdue": 2},
    }
    _panels, html = _figures(login(officer_a))
    assert 'id="panel-documents"' in html and 'id="panel-update-tasks"' in html
    assert "review_overdue=yes" in html and "overdue=yes" in html


def test_dashboard_queries_do_not_grow_with_documents(tree, supervisor, login, constant_queries):
    counter = {"n": 0}
    today = timezone.localdate()

    def add_rows(n):
        for _ in range(n):
            counter["n"] += 1
            _document(tree.unit_a, f"D{counter['n']}", next_review_on=today)
            _task(tree.unit_b, today)

    constant_queries(login(supervisor), reverse("core:dashboard"), add_rows)
