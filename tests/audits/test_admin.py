"""The audits app in the admin panel: every model listed with history, scoped to the subtree."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audits.models import Audit, Clause, Nonconformity
from tests.audits.factories import D

MODELS = [
    "clause",
    "auditprogramme",
    "audit",
    "checklistitem",
    "finding",
    "findingattachment",
    "nonconformity",
    "correctiveaction",
    "managementreview",
    "reviewoutput",
    "inspection",
    "inspectionfinding",
]


@pytest.fixture
def records(tree, supervisor):
    for unit in (tree.unit_a, tree.other_commune):
        audit = Audit.objects.create(unit=unit, planned_month=D(2019, 5, 1))
        Nonconformity.objects.create(
            unit=unit,
            source="direct",
            title=f"NC {unit.name}",
            description="x",
            raised_on=D(2019, 5, 1),
            raised_by=supervisor,
        )
    return audit


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_renders(client, superuser, records, model):
    client.force_login(superuser)
    assert client.get(reverse(f"admin:audits_{model}_changelist")).status_code == 200


def test_history_of_a_nonconformity(client, superuser, records):
    client.force_login(superuser)
    nc = Nonconformity.objects.first()
    assert client.get(reverse("admin:audits_nonconformity_history", args=[nc.pk])).status_code == 200


def test_clauses_are_read_only(client, superuser):
    client.force_login(superuser)
    clause = Clause.objects.get(code="9.2")
    assert client.get(reverse("admin:audits_clause_add")).status_code == 403
    response = client.post(
        reverse("admin:audits_clause_change", args=[clause.pk]),
        {"code": "9.2", "title_en": "Changed", "title_vi": "Đã đổi"},
    )
    assert response.status_code == 403
    clause.refresh_from_db()
    assert clause.title_en == "Internal audit"


def test_committee_sees_its_subtree_only(client, committee, records, tree):
    committee.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="audits", codename__startswith="view_")
    )
    client.force_login(committee)
    response = client.get(reverse("admin:audits_nonconformity_changelist"))
    assert response.status_code == 200
    assert [nc.unit for nc in response.context["cl"].result_list] == [tree.unit_a]
    response = client.get(reverse("admin:audits_audit_changelist"))
    assert [a.unit for a in response.context["cl"].result_list] == [tree.unit_a]
    other = Nonconformity.objects.get(unit=tree.other_commune)
    assert client.get(reverse("admin:audits_nonconformity_change", args=[other.pk])).status_code == 302
