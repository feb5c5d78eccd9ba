"""The certification app in the admin panel: every model listed with history, scoped to the
subtree; the records the services create are looked up and corrected here, never added."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification.models import (
    Indicator,
    Measurement,
    Objective,
    ScoreLine,
    ScoreSheet,
    ScoringRound,
    VersionTransition,
)
from tests.certification.factories import V2008, V2015, announce, make_profile, version

D = datetime.date
MODELS = [
    "standardversion",
    "qmsprofile",
    "decision",
    "versiontransition",
    "objective",
    "measurement",
    "scoringround",
    "scoresheet",
]
# The records the services create: listed and changed here, never added or deleted.
SERVICE_RECORDS = ["versiontransition", "objective", "measurement", "scoringround", "scoresheet"]


def _records_of(unit, district, supervisor):
    """One record of every model in `unit` (its round and transition on `district`)."""
    transition = VersionTransition.objects.create(
        unit=district, target_version=version(V2015), deadline=D(2019, 8, 1)
    )
    objective = Objective.objects.create(
        unit=unit, year=2019, statement=f"Giải quyết đúng hạn ({unit.name})", owner="Chủ tịch UBND"
    )
    indicator = Indicator.objects.create(
        objective=objective,
        name="Tỷ lệ hồ sơ giải quyết đúng hạn",
        unit_of_measure="%",
        target=Decimal(100),
        direction=Indicator.Direction.AT_LEAST,
        frequency=Indicator.Frequency.QUARTERLY,
    )
    measurement = Measurement.objects.create(
        indicator=indicator,
        period=1,
        value=Decimal("97.5"),
        comment="02 hồ sơ trễ hạn",
        recorded_by=supervisor,
        recorded_on=D(2019, 4, 5),
    )
    scoring_round = ScoringRound.objects.create(unit=district, year=2018)
    criterion = scoring_round.criteria.create(code="1", title="Đánh giá nội bộ", max_points=Decimal(10))
    sheet = ScoreSheet.objects.create(round=scoring_round, unit=unit)
    ScoreLine.objects.create(
        sheet=sheet, criterion=criterion, self_score=Decimal(8), self_comment="Đã đánh giá"
    )
    return {
        "versiontransition": transition,
        "objective": objective,
        "measurement": measurement,
        "scoringround": scoring_round,
        "scoresheet": sheet,
    }


@pytest.fixture
def records(tree, supervisor, superuser):
    make_profile(supervisor, tree.unit_a)
    announce(supervisor, tree.unit_a)
    make_profile(superuser, tree.other_commune, code=V2008)
    announce(superuser, tree.other_commune, number="7/QĐ-UBND")
    inside = _records_of(tree.unit_a, tree.district, supervisor)
    outside = _records_of(tree.other_commune, tree.other_district, supervisor)
    return inside, outside


@pytest.fixture
def committee_reader(committee):
    committee.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="certification", codename__startswith="view_")
    )
    return committee


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_renders(client, superuser, records, model):
    client.force_login(superuser)
    response = client.get(reverse(f"admin:certification_{model}_changelist"))
    assert response.status_code == 200
    if model in SERVICE_RECORDS:
        assert len(response.context["cl"].result_list) == 2


@pytest.mark.parametrize("model", SERVICE_RECORDS)
def test_change_page_and_history_render(client, superuser, records, model):
    client.force_login(superuser)
    inside, _outside = records
    pk = inside[model].pk
    assert client.get(reverse(f"admin:certification_{model}_change", args=[pk])).status_code == 200
    assert client.get(reverse(f"admin:certification_{model}_history", args=[pk])).status_code == 200


@pytest.mark.parametrize("model", SERVICE_RECORDS)
def test_service_records_are_never_added_or_deleted_here(client, superuser, records, model):
    client.force_login(superuser)
    inside, _outside = records
    assert client.get(reverse(f"admin:certification_{model}_add")).status_code == 403
    response = client.post(
        reverse(f"admin:certification_{model}_delete", args=[inside[model].pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert type(inside[model]).objects.filter(pk=inside[model].pk).exists()


def test_inlines_show_indicators_criteria_and_lines_read_only(client, superuser, records):
    client.force_login(superuser)
    inside, _outside = records
    response = client.get(reverse("admin:certification_objective_change", args=[inside["objective"].pk]))
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in response.content.decode()
    assert "indicators-0-name" not in response.content.decode()  # read only: no input
    response = client.get(
        reverse("admin:certification_scoringround_change", args=[inside["scoringround"].pk])
    )
    assert "Đánh giá nội bộ" in response.content.decode()
    assert "criteria-0-max_points" not in response.content.decode()
    response = client.get(reverse("admin:certification_scoresheet_change", args=[inside["scoresheet"].pk]))
    assert "Đã đánh giá" in response.content.decode()
    assert "lines-0-self_score" not in response.content.decode()


def test_a_sheet_keeps_its_scores_and_status_when_saved_here(client, superuser, records):
    """Only the remarks can be corrected: the status and totals belong to the services."""
    client.force_login(superuser)
    sheet = records[0]["scoresheet"]
    url = reverse("admin:certification_scoresheet_change", args=[sheet.pk])
    data = {
        "remarks": "Đã sửa nhận xét",
        "status": "approved",
        "final_total": "100",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-id": str(sheet.lines.get().pk),
        "lines-0-sheet": str(sheet.pk),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    sheet.refresh_from_db()
    assert sheet.remarks == "Đã sửa nhận xét"
    assert (sheet.status, sheet.final_total) == (ScoreSheet.Status.DRAFT, None)
    assert sheet.lines.get().self_score == Decimal(8)
    assert sheet.history.count() == 2


def test_committee_sees_its_subtree_only(client, committee_reader, records, tree):
    client.force_login(committee_reader)
    inside, outside = records
    for model, unit in [
        ("objective", tree.unit_a),
        ("measurement", tree.unit_a),
        ("scoresheet", tree.unit_a),
        ("scoringround", tree.district),
        ("versiontransition", tree.district),
    ]:
        response = client.get(reverse(f"admin:certification_{model}_changelist"))
        assert response.status_code == 200
        shown = response.context["cl"].result_list
        assert [getattr(r, "unit", None) or r.indicator.objective.unit for r in shown] == [unit], model
        # Out of the subtree: the admin answers "does not exist" (a redirect to its index).
        response = client.get(reverse(f"admin:certification_{model}_change", args=[outside[model].pk]))
        assert response.status_code == 302, model
    # Reading is all the committee's group may do here.
    objective = inside["objective"]
    response = client.post(
        reverse("admin:certification_objective_change", args=[objective.pk]),
        {"statement": "Đổi", "owner": "x", "order": "0"},
    )
    assert response.status_code == 403
    objective.refresh_from_db()
    assert objective.statement.startswith("Giải quyết đúng hạn")


def test_search_and_filters(client, superuser, records):
    client.force_login(superuser)
    url = reverse("admin:certification_measurement_changelist")
    response = client.get(url, {"q": "trễ hạn"})
    assert len(response.context["cl"].result_list) == 2
    response = client.get(
        reverse("admin:certification_scoresheet_changelist"),
        {"status__exact": "draft", "round__year": "2018"},
    )
    assert len(response.context["cl"].result_list) == 2
    response = client.get(reverse("admin:certification_objective_changelist"), {"year": "2019", "q": "Bích"})
    assert [o.unit.name for o in response.context["cl"].result_list] == ["Phường Bích Động"]


def _more_rows(unit, district, supervisor, n):
    """n more objectives with a measured indicator, and n more rounds with a sheet of `unit`."""
    start = ScoringRound.objects.filter(unit=district).count()
    for k in range(n):
        objective = Objective.objects.create(unit=unit, year=2019, statement=f"Mục tiêu {k}", owner="UBND")
        indicator = Indicator.objects.create(
            objective=objective, name=f"Chỉ số {k}", unit_of_measure="%", target=Decimal(90)
        )
        Measurement.objects.create(
            indicator=indicator,
            period=1,
            value=Decimal(95),
            recorded_by=supervisor,
            recorded_on=D(2019, 4, 5),
        )
        scoring_round = ScoringRound.objects.create(unit=district, year=2000 + start + k)
        ScoreSheet.objects.create(round=scoring_round, unit=unit)


@pytest.mark.parametrize("model", SERVICE_RECORDS)
def test_changelists_keep_a_constant_number_of_queries(
    client, committee_reader, records, tree, supervisor, model
):
    client.force_login(committee_reader)
    url = reverse(f"admin:certification_{model}_changelist")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    few = count()
    _more_rows(tree.unit_a, tree.district, supervisor, 15)
    assert count() == few
