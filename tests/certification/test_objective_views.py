"""Quality objectives pages (ISO 9001:2015 §6.2, §9.1): the list of a unit's objectives with
their period cells and the "all units" summary, the copy from the previous year, objectives,
indicators and measurements through their forms, the supervisor's flags and the flagged list.

Happy paths, permissions beyond the matrix, bad input (a clear error, nothing saved) and constant
query counts."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from certification.models import Indicator, Measurement, Objective
from certification.services import objectives as services
from communes.models import Unit
from tests.certification.matrix_objectives import make_indicator, make_measurement, make_objective
from tests.documents.factories import english  # noqa: F401 -- fixture
from tests.factories import MembershipFactory, UnitFactory

pytestmark = pytest.mark.usefixtures("english")

LIST = reverse("certification:objective_list")
CREATE = reverse("certification:objective_create")
COPY = reverse("certification:objectives_copy")
FLAGGED = reverse("certification:flagged_list")
PAST = 2019  # every period of a past year has begun and is past its due day


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def this_year():
    return timezone.localdate().year


def url(name, obj):
    return reverse(f"certification:{name}", args=[obj.pk])


def flag(indicator, supervisor, comment="Chỉ số không đo được mục tiêu."):
    return services.indicator_flag(actor=supervisor, indicator=indicator, comment=comment)


@pytest.fixture
def past(tree, officer_a):
    """Unit A's 2019: one objective, a quarterly indicator ≥ 95 % with Q1 passed and Q2 failed
    (Q3 and Q4 overdue), and a yearly one ≤ 3 days."""
    objective = make_objective(tree.unit_a, year=PAST, statement="Giải quyết TTHC đúng hạn", owner="Chủ tịch")
    quarterly = make_indicator(objective, name="Tỷ lệ hồ sơ đúng hạn")
    make_measurement(quarterly, 1, "96.5", officer_a, comment="Đạt kế hoạch")
    make_measurement(quarterly, 2, "90", officer_a, comment="Thiếu nhân lực")
    yearly = make_indicator(
        objective,
        name="Thời gian trả kết quả",
        unit_of_measure="ngày",
        target=Decimal("3"),
        direction="at_most",
        frequency="yearly",
    )
    return objective, quarterly, yearly


# --- The list -----------------------------------------------------------------------------------
def test_an_officer_sees_her_units_objectives_with_cells(past, officer_a, supervisor, login):
    objective, quarterly, yearly = past
    flag(yearly, supervisor, comment="Không phù hợp với mục tiêu.")
    response = login(officer_a).get(LIST, {"year": PAST})
    assert response.status_code == 200
    assert response.context["unit"] == objective.unit
    page = response.content.decode()
    assert "Giải quyết TTHC đúng hạn" in page and "Chủ tịch" in page
    assert "≥ 95 %" in page and "≤ 3 ngày" in page
    [shown] = response.context["objectives"]
    cells = {i.name: [c.state for c in i.cells] for i in shown.indicators.all()}
    assert cells == {
        "Tỷ lệ hồ sơ đúng hạn": ["passed", "failed", "overdue", "overdue"],
        "Thời gian trả kết quả": ["overdue"],
    }
    assert page.count('data-state="passed"') == 1 and page.count('data-state="failed"') == 1
    assert "Không phù hợp với mục tiêu." in page and f'id="flag-{yearly.pk}"' in page
    # Numbers are written with a decimal comma (qms.formats, in every language).
    assert "96,5 %" in page
    client = login(officer_a)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "vi"
    page = client.get(LIST, {"year": PAST}).content.decode()
    assert "96,5 %" in page and "≥ 95 %" in page


def test_the_list_defaults_to_the_current_year_and_the_officers_unit(tree, officer_a, login):
    make_objective(tree.unit_a, statement="Mục tiêu năm nay")
    make_objective(tree.unit_a, year=PAST, statement="Mục tiêu 2019")
    response = login(officer_a).get(LIST)
    assert response.context["year"] == this_year()
    assert response.context["unit"] == tree.unit_a
    page = response.content.decode()
    assert "Mục tiêu năm nay" in page and "Mục tiêu 2019" not in page
    assert PAST in response.context["years"] and this_year() in response.context["years"]
    # A unit the officer does not see: 404; nonsense parameters fall back to the defaults.
    assert login(officer_a).get(LIST, {"unit": tree.unit_b.pk}).status_code == 404
    response = login(officer_a).get(LIST, {"unit": "x", "year": "abc"})
    assert response.context["unit"] == tree.unit_a and response.context["year"] == this_year()


def test_the_unit_choices_are_the_users_qms_units(tree, supervisor, officer_a, login):
    response = login(supervisor).get(LIST)
    assert response.context["units"] == [tree.unit_a, tree.unit_b]
    assert response.context["unit"] is None  # many units, none of her own: the summary
    assert login(officer_a).get(LIST).context["units"] == [tree.unit_a]
    # A unit that ended before the year is not offered; one that ended during it is.
    merged = UnitFactory(parent=tree.district, valid_until=datetime.date(2018, 12, 31))
    assert merged not in login(supervisor).get(LIST, {"year": 2019}).context["units"]
    assert merged in login(supervisor).get(LIST, {"year": 2018}).context["units"]
    # The district itself keeps no QMS of its own.
    assert login(supervisor).get(LIST, {"unit": tree.district.pk}).status_code == 404


def test_the_all_units_summary(past, tree, supervisor, officer_b, login):
    make_objective(tree.other_commune, year=PAST)
    response = login(supervisor).get(LIST, {"unit": "all", "year": PAST})
    assert response.status_code == 200
    rows = {r["unit"]: r for r in response.context["rows"]}
    assert set(rows) == {tree.unit_a, tree.unit_b}
    assert {k: rows[tree.unit_a][k] for k in ("objectives", "indicators", "passed", "failed", "overdue")} == {
        "objectives": 1,
        "indicators": 2,
        "passed": 1,
        "failed": 1,
        "overdue": 3,
    }
    assert rows[tree.unit_b]["objectives"] == 0
    assert response.context["without"] == 1
    page = response.content.decode()
    assert 'id="units-summary"' in page and "Phường Ninh Sơn" in page
    # An officer may look at the summary of what she sees: her own unit only.
    rows = login(officer_b).get(LIST, {"unit": "all", "year": PAST}).context["rows"]
    assert [r["unit"] for r in rows] == [tree.unit_b]


def test_the_empty_state_offers_the_copy_and_the_add_buttons(past, tree, officer_a, viewer, login):
    page = login(officer_a).get(LIST, {"unit": tree.unit_a.pk, "year": PAST + 1}).content.decode()
    assert 'id="empty-state"' in page
    assert 'id="copy-button"' in page and f"Copy from {PAST} (1 objective)" in page
    assert 'id="empty-create"' in page
    # Nothing to copy from two years on; a reader gets neither button.
    page = login(officer_a).get(LIST, {"unit": tree.unit_a.pk, "year": PAST + 2}).content.decode()
    assert 'id="copy-button"' not in page and 'id="empty-create"' in page
    page = login(viewer).get(LIST, {"unit": tree.unit_a.pk, "year": PAST + 1}).content.decode()
    assert 'id="empty-state"' in page
    assert 'id="copy-button"' not in page and 'id="empty-create"' not in page


def test_the_unit_list_keeps_a_constant_number_of_queries(tree, officer_a, login, constant_queries):
    def add_rows(n):
        for _ in range(n):
            objective = make_objective(tree.unit_a, year=PAST)
            for frequency in ("monthly", "quarterly"):
                indicator = make_indicator(objective, frequency=frequency)
                make_measurement(indicator, 1, 96, officer_a)
                indicator.flagged, indicator.flag_comment, indicator.flagged_by = True, "X", officer_a
                indicator.save()

    constant_queries(login(officer_a), f"{LIST}?unit={tree.unit_a.pk}&year={PAST}", add_rows)


def test_the_summary_keeps_a_constant_number_of_queries(tree, supervisor, officer_a, login, constant_queries):
    def add_rows(n):
        for _ in range(n):
            unit = UnitFactory(parent=tree.district)
            objective = make_objective(unit, year=PAST)
            make_measurement(make_indicator(objective), 1, 96, officer_a)

    response = constant_queries(login(supervisor), f"{LIST}?unit=all&year={PAST}", add_rows)
    assert len(response.context["rows"]) == 22


# --- Copy from the previous year ----------------------------------------------------------------
def test_the_officer_copies_last_years_objectives(past, tree, officer_a, login):
    response = login(officer_a).post(COPY, {"unit": tree.unit_a.pk, "year": PAST + 1})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?unit={tree.unit_a.pk}&year={PAST + 1}"
    assert any("1 objective(s) copied from 2019" in m for m in messages_of(response))
    copied = Objective.objects.get(unit=tree.unit_a, year=PAST + 1)
    assert (
        copied.indicators.count() == 2
        and not Measurement.objects.filter(indicator__objective=copied).exists()
    )


def test_copy_into_a_year_with_objectives_is_refused(past, tree, officer_a, login):
    make_objective(tree.unit_a, year=PAST + 1, statement="Đã có")
    response = login(officer_a).post(COPY, {"unit": tree.unit_a.pk, "year": PAST + 1})
    assert response.status_code == 302
    assert any("already has objectives" in m for m in messages_of(response))
    assert Objective.objects.filter(year=PAST + 1).count() == 1


def test_copy_refusals(past, tree, officer_a, officer_b, viewer, login):
    response = login(officer_a).post(COPY, {"unit": tree.unit_a.pk, "year": PAST + 5})
    assert any("has no objectives to copy" in m for m in messages_of(response))
    response = login(officer_a).post(COPY, {"unit": tree.unit_a.pk, "year": "next"})
    assert any("Choose a unit and a year" in m for m in messages_of(response))
    assert login(officer_a).get(COPY).status_code == 405
    assert login(officer_b).post(COPY, {"unit": tree.unit_a.pk, "year": PAST + 1}).status_code == 404
    assert login(viewer).post(COPY, {"unit": tree.unit_a.pk, "year": PAST + 1}).status_code == 403
    assert not Objective.objects.filter(year__gt=PAST).exists()


# --- Objectives ---------------------------------------------------------------------------------
def objective_data(**overrides):
    return {
        "year": PAST,
        "statement": "100% hồ sơ được số hóa",
        "owner": "Văn phòng",
        "order": "1",
    } | overrides


def test_an_officer_creates_an_objective_of_her_unit(tree, officer_a, login):
    client = login(officer_a)
    response = client.get(CREATE, {"year": PAST})
    assert response.status_code == 200
    assert response.context["unit"] == tree.unit_a
    assert response.context["form"].initial["year"] == PAST
    response = client.post(f"{CREATE}?unit={tree.unit_a.pk}&year={PAST}", objective_data())
    objective = Objective.objects.get()
    assert response.status_code == 302 and response["Location"] == objective.get_absolute_url()
    assert (objective.unit, objective.year, objective.statement) == (
        tree.unit_a,
        PAST,
        "100% hồ sơ được số hóa",
    )


def test_a_supervisor_chooses_the_unit_first(tree, supervisor, login):
    client = login(supervisor)
    response = client.get(CREATE)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["unit"].queryset) == [tree.unit_a, tree.unit_b]
    response = client.get(CREATE, {"unit": tree.unit_b.pk, "year": PAST})
    assert response.context["unit"] == tree.unit_b
    response = client.post(f"{CREATE}?unit={tree.unit_b.pk}", objective_data())
    assert Objective.objects.get().unit == tree.unit_b
    # A POST without a unit goes back to the choice, and saves nothing.
    response = client.post(CREATE, objective_data())
    assert response.status_code == 302 and response["Location"] == CREATE
    assert Objective.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"statement": " "}, "statement"),
        ({"owner": ""}, "owner"),
        ({"year": "1999"}, "year"),
        ({"year": "abc"}, "year"),
    ],
)
def test_bad_objectives_are_shown_and_not_saved(data, field, tree, officer_a, login):
    response = login(officer_a).post(CREATE, objective_data(**data))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Objective.objects.exists()


def test_the_objective_page_shows_periods_values_and_record_forms(past, officer_a, viewer, supervisor, login):
    objective, quarterly, yearly = past
    response = login(officer_a).get(objective.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đạt kế hoạch" in page and "Thiếu nhân lực" in page
    assert f'id="period-{quarterly.pk}-4"' in page
    assert page.count('class="d-flex flex-wrap gap-1 record-form"') == 5  # 4 quarters + 1 year
    assert 'value="96,5"' in page  # the form of a measured period is prefilled
    assert 'id="objective-actions"' in page and "flag-button" not in page
    page = login(viewer).get(objective.get_absolute_url()).content.decode()
    assert "record-form" not in page and 'id="objective-actions"' not in page
    page = login(supervisor).get(objective.get_absolute_url()).content.decode()
    assert page.count("flag-button") == 2


def test_future_periods_have_no_record_form(tree, officer_a, login):
    objective = make_objective(tree.unit_a, year=this_year() + 1)
    make_indicator(objective)
    page = login(officer_a).get(objective.get_absolute_url()).content.decode()
    assert "record-form" not in page and page.count('data-state="future"') == 4


def test_the_objective_page_keeps_a_constant_number_of_queries(
    past, officer_a, supervisor, login, constant_queries
):
    objective = past[0]

    def add_rows(n):
        for _ in range(n):
            indicator = make_indicator(objective, frequency="monthly")
            make_measurement(indicator, 1, 96, officer_a)
            flag(indicator, supervisor)

    constant_queries(login(officer_a), objective.get_absolute_url(), add_rows)


def test_an_objective_is_updated(past, officer_a, login):
    objective = past[0]
    response = login(officer_a).get(url("objective_update", objective))
    assert response.context["form"].initial["statement"] == "Giải quyết TTHC đúng hạn"
    response = login(officer_a).post(url("objective_update", objective), objective_data(owner="Phó Chủ tịch"))
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.owner == "Phó Chủ tịch"


def test_the_year_of_a_measured_objective_cannot_change(past, officer_a, login):
    objective = past[0]
    response = login(officer_a).post(
        url("objective_update", objective), objective_data(year="2020", owner="Khác")
    )
    assert response.status_code == 200
    assert "once the objective has measurements" in str(response.context["form"].errors["year"])
    objective.refresh_from_db()
    assert (objective.year, objective.owner) == (PAST, "Chủ tịch")


def test_an_objective_without_measurements_is_deleted(tree, officer_a, login):
    objective = make_objective(tree.unit_a, year=PAST)
    make_indicator(objective)
    client = login(officer_a)
    page = client.get(url("objective_delete", objective)).content.decode()
    assert 'id="confirm-form"' in page
    response = client.post(url("objective_delete", objective))
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?unit={tree.unit_a.pk}&year={PAST}"
    assert not Objective.objects.exists() and not Indicator.objects.exists()


def test_an_objective_with_measurements_is_not_deleted(past, officer_a, login):
    objective = past[0]
    client = login(officer_a)
    page = client.get(url("objective_delete", objective)).content.decode()
    assert 'id="delete-refused"' in page and 'id="confirm-form"' not in page
    assert "is a record (§7.5.3); it cannot be deleted" in page
    response = client.post(url("objective_delete", objective))
    assert response["Location"] == objective.get_absolute_url()
    assert any("cannot be deleted" in m for m in messages_of(response))
    assert Objective.objects.filter(pk=objective.pk).exists()


# --- Indicators ---------------------------------------------------------------------------------
def indicator_data(**overrides):
    return {
        "name": "Tỷ lệ hài lòng",
        "unit_of_measure": "%",
        "direction": "at_least",
        "target": "96,5",
        "frequency": "half_yearly",
        "order": "",
    } | overrides


def test_an_indicator_is_added_with_a_comma_target(past, officer_a, login):
    objective = past[0]
    response = login(officer_a).post(url("indicator_create", objective), indicator_data())
    indicator = Indicator.objects.get(name="Tỷ lệ hài lòng")
    assert response.status_code == 302 and response["Location"] == indicator.get_absolute_url()
    assert (indicator.target, indicator.frequency, indicator.objective) == (
        Decimal("96.5"),
        "half_yearly",
        objective,
    )
    login(officer_a).post(url("indicator_update", indicator), indicator_data(target="97.25"))
    indicator.refresh_from_db()
    assert indicator.target == Decimal("97.25")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"target": "abc"}, "target"),
        ({"target": "95%"}, "target"),
        ({"target": ""}, "target"),
        ({"target": "1,234"}, "target"),
        ({"direction": "sideways"}, "direction"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_indicators_are_shown_and_not_saved(data, field, past, officer_a, login):
    response = login(officer_a).post(url("indicator_create", past[0]), indicator_data(**data))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Indicator.objects.count() == 2


def test_the_update_form_shows_the_target_and_keeps_measured_frequencies(past, officer_a, login):
    quarterly = past[1]
    response = login(officer_a).get(url("indicator_update", quarterly))
    assert 'value="95"' in response.content.decode()
    response = login(officer_a).post(url("indicator_update", quarterly), indicator_data(frequency="monthly"))
    assert response.status_code == 200
    assert "once the indicator has measurements" in str(response.context["form"].errors["frequency"])
    quarterly.refresh_from_db()
    assert (quarterly.frequency, quarterly.name) == ("quarterly", "Tỷ lệ hồ sơ đúng hạn")


def test_indicator_delete(past, officer_a, login):
    _objective, quarterly, yearly = past
    client = login(officer_a)
    assert 'id="delete-refused"' in client.get(url("indicator_delete", quarterly)).content.decode()
    response = client.post(url("indicator_delete", quarterly))
    assert any("cannot be deleted" in m for m in messages_of(response))
    assert Indicator.objects.filter(pk=quarterly.pk).exists()
    assert 'id="confirm-form"' in client.get(url("indicator_delete", yearly)).content.decode()
    response = client.post(url("indicator_delete", yearly))
    assert response["Location"] == yearly.objective.get_absolute_url()
    assert not Indicator.objects.filter(pk=yearly.pk).exists()


# --- Measurements -------------------------------------------------------------------------------
def test_the_measurement_form_is_prefilled_for_a_measured_period(past, officer_a, login):
    quarterly = past[1]
    response = login(officer_a).get(url("measurement_record", quarterly), {"period": 1})
    form = response.context["form"]
    assert form.initial == {"period": 1, "value": Decimal("96.50"), "comment": "Đạt kế hoạch"}
    page = response.content.decode()
    assert 'value="96,5"' in page and "Q1 (01/01/2019 – 31/03/2019)" in page


def test_the_measurement_form_proposes_the_first_unmeasured_period(past, officer_a, login):
    quarterly = past[1]
    response = login(officer_a).get(url("measurement_record", quarterly))
    assert response.context["form"].initial == {"period": 3}  # Q1 and Q2 are measured


@pytest.mark.parametrize("typed", ["96,5", "96.5"])
def test_a_measurement_is_recorded(typed, past, officer_a, login):
    yearly = past[2]
    response = login(officer_a).post(
        url("measurement_record", yearly), {"period": "1", "value": typed, "comment": "Vượt chỉ tiêu"}
    )
    assert response.status_code == 302 and response["Location"] == yearly.get_absolute_url()
    measurement = Measurement.objects.get(indicator=yearly)
    assert (measurement.value, measurement.comment, measurement.recorded_by) == (
        Decimal("96.5"),
        "Vượt chỉ tiêu",
        officer_a,
    )


def test_a_measurement_is_corrected(past, officer_a, login):
    quarterly = past[1]
    login(officer_a).post(
        url("measurement_record", quarterly), {"period": "2", "value": "95,5", "comment": ""}
    )
    assert Measurement.objects.get(indicator=quarterly, period=2).value == Decimal("95.5")
    assert Measurement.objects.filter(indicator=quarterly).count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"value": "abc"}, "value"),
        ({"value": "9 6,5x"}, "value"),
        ({"value": ""}, "value"),
        ({"value": "96,555"}, "value"),
        ({"period": "5"}, "period"),
        ({"period": ""}, "period"),
    ],
)
def test_bad_measurements_are_shown_and_not_saved(data, field, past, officer_a, login):
    yearly = past[2]
    response = login(officer_a).post(url("measurement_record", yearly), {"period": "1", "value": "2"} | data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Measurement.objects.filter(indicator=yearly).exists()


def test_a_period_that_has_not_begun_is_refused(tree, officer_a, login):
    indicator = make_indicator(make_objective(tree.unit_a, year=this_year() + 1))
    response = login(officer_a).post(url("measurement_record", indicator), {"period": "1", "value": "96"})
    assert response.status_code == 200
    assert "has not begun" in str(response.context["form"].errors["period"])
    assert not Measurement.objects.exists()


# --- Flags --------------------------------------------------------------------------------------
def test_the_supervisor_flags_and_unflags_an_indicator(past, supervisor, officer_a, login):
    quarterly = past[1]
    client = login(supervisor)
    response = client.post(url("indicator_flag", quarterly), {"flag_comment": "Không đo được mục tiêu."})
    assert response.status_code == 302 and response["Location"] == quarterly.get_absolute_url()
    quarterly.refresh_from_db()
    assert quarterly.flagged and quarterly.flagged_by == supervisor
    assert quarterly.flag_comment == "Không đo được mục tiêu."
    page = login(officer_a).get(quarterly.objective.get_absolute_url()).content.decode()
    assert "Không đo được mục tiêu." in page and "unflag-button" not in page
    client = login(supervisor)
    assert client.get(url("indicator_unflag", quarterly)).status_code == 405
    response = client.post(url("indicator_unflag", quarterly))
    assert response.status_code == 302
    quarterly.refresh_from_db()
    assert not quarterly.flagged and quarterly.flag_comment == ""


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_flag_without_a_comment_is_refused(comment, past, supervisor, login):
    quarterly = past[1]
    response = login(supervisor).post(url("indicator_flag", quarterly), {"flag_comment": comment})
    assert response.status_code == 200
    assert "flag_comment" in response.context["form"].errors
    quarterly.refresh_from_db()
    assert not quarterly.flagged


def test_an_officer_cannot_flag(past, officer_a, login):
    quarterly = past[1]
    assert login(officer_a).post(url("indicator_flag", quarterly), {"flag_comment": "X"}).status_code == 403
    quarterly.refresh_from_db()
    assert not quarterly.flagged


# --- The flagged list ---------------------------------------------------------------------------
def test_the_flagged_list_shows_flags_in_scope_with_who_and_when(past, tree, supervisor, officer_a, login):
    quarterly = past[1]
    flag(quarterly, supervisor, comment="Không đo được mục tiêu.")
    b = make_indicator(make_objective(tree.unit_b, year=2020), name="Chỉ số Ninh Sơn")
    flag(b, supervisor)
    outsider = UnitFactory(name="Xã Ngoài", parent=tree.other_district)
    boss = MembershipFactory(unit=tree.other_district, role="supervisor").user
    flag(make_indicator(make_objective(outsider, year=PAST), name="Chỉ số ngoài"), boss)

    response = login(supervisor).get(FLAGGED)
    assert response.status_code == 200
    assert {i.name for i in response.context["table"].data} == {"Tỷ lệ hồ sơ đúng hạn", "Chỉ số Ninh Sơn"}
    page = response.content.decode()
    assert "Không đo được mục tiêu." in page and "Phường Bích Động" in page
    assert timezone.localdate().strftime("%d/%m/%Y") in page
    assert "Nguyễn Thu Hà" in page  # who flagged it (UserFactory's name)

    names = [i.name for i in login(officer_a).get(FLAGGED).context["table"].data]
    assert names == ["Tỷ lệ hồ sơ đúng hạn"]


def test_the_flagged_list_filters_by_year_unit_and_search(past, tree, supervisor, login):
    flag(past[1], supervisor)
    flag(make_indicator(make_objective(tree.unit_b, year=2020), name="Chỉ số Ninh Sơn"), supervisor)
    client = login(supervisor)

    def names(**params):
        return sorted(i.name for i in client.get(FLAGGED, params).context["table"].data)

    assert names(year=2020) == ["Chỉ số Ninh Sơn"]
    assert names(unit=tree.unit_a.pk) == ["Tỷ lệ hồ sơ đúng hạn"]
    assert names(unit=tree.district.pk) == ["Chỉ số Ninh Sơn", "Tỷ lệ hồ sơ đúng hạn"]
    assert names(q="ninh son") == ["Chỉ số Ninh Sơn"]  # the unit's name, without diacritics
    assert names(q="tỷ lệ") == ["Tỷ lệ hồ sơ đúng hạn"]  # the indicator's name
    assert names(q="không đo") == ["Chỉ số Ninh Sơn", "Tỷ lệ hồ sơ đúng hạn"]  # the comment
    # A unit outside the user's scope is not a valid choice.
    response = client.get(FLAGGED, {"unit": tree.other_commune.pk})
    assert "unit" in response.context["filter"].form.errors


def test_the_flagged_list_keeps_a_constant_number_of_queries(tree, supervisor, login, constant_queries):
    def add_rows(n):
        for _ in range(n):
            unit = UnitFactory(parent=tree.district, kind=Unit.Kind.COMMUNE)
            flag(make_indicator(make_objective(unit, year=PAST)), supervisor)

    constant_queries(login(supervisor), FLAGGED, add_rows)
