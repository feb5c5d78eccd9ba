"""What the satisfaction survey feeds: the scoring criterion source "satisfaction" and the
management review input "customer satisfaction and feedback" (ISO 9001:2015 §9.3.2 c)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from audits import selectors as audit_selectors
from audits.services import reviews
from certification import sources
from surveys import feeds
from surveys.services.responses import response_raise_nonconformity
from tests.factories import SurveyResponseFactory, TallyFactory

D = datetime.date


@pytest.fixture(autouse=True)
def in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_the_source_is_registered():
    assert "satisfaction" in dict(sources.choices())
    assert str(dict(sources.choices())["satisfaction"]) == "citizen satisfaction rate"


def test_scoring_share_is_the_overall_rate_of_the_year(tree):
    for rating in (5, 4, 4, 2):
        SurveyResponseFactory(unit=tree.unit_a, overall=rating, submitted_at=at(D(2024, 5, 2)))
    SurveyResponseFactory(
        unit=tree.unit_a, overall=1, submitted_at=at(D(2023, 12, 31), 23)
    )  # the year before
    SurveyResponseFactory(unit=tree.unit_a, overall=1, fees=5, submitted_at=at(D(2024, 6, 1)))
    TallyFactory(
        unit=tree.unit_a,
        period_start=D(2024, 4, 1),
        period_end=D(2024, 6, 30),
        very_satisfied=6,
        neutral=1,
        dissatisfied=1,
    )
    TallyFactory(
        unit=tree.unit_a, criterion="fees", period_start=D(2024, 4, 1), period_end=D(2024, 6, 30), neutral=9
    )
    # A tally running into the next year does not count in either year.
    TallyFactory(
        unit=tree.unit_a, period_start=D(2024, 12, 1), period_end=D(2025, 1, 31), very_dissatisfied=50
    )

    result = sources.compute("satisfaction", [tree.unit_a, tree.unit_b], 2024, D(2025, 1, 15))
    # Overall: responses 5, 4, 4, 2, 1 → 3 of 5; tally 6 satisfied of 8 → 9 of 13.
    assert result[tree.unit_a.pk].share == Decimal(9) / Decimal(13)
    assert result[tree.unit_a.pk].figure == "69% satisfied (9 of 13 ratings)"
    assert result[tree.unit_b.pk] == sources.Result("No satisfaction rating in 2024", None)


def test_source_query_count_does_not_grow(tree, django_assert_num_queries):
    units = [tree.unit_a, tree.unit_b, tree.other_commune]
    for n in range(12):
        SurveyResponseFactory(unit=units[n % 3], overall=1 + n % 5, submitted_at=at(D(2024, 1 + n, 1)))
    with django_assert_num_queries(2):
        sources.compute("satisfaction", units, 2024, D(2025, 1, 1))


def test_review_input_gives_the_last_twelve_months(tree, officer_a):
    today = D(2024, 11, 20)
    assert feeds.review_period(today) == (D(2023, 11, 21), today)
    assert feeds.review_period(D(2024, 2, 29)) == (D(2023, 3, 1), D(2024, 2, 29))
    SurveyResponseFactory(unit=tree.unit_a, overall=5, comment="Tốt", submitted_at=at(D(2024, 3, 1)))
    complaint = SurveyResponseFactory(
        unit=tree.unit_a, overall=2, comment="Chậm", submitted_at=at(D(2024, 9, 9))
    )
    SurveyResponseFactory(unit=tree.unit_a, overall=1, submitted_at=at(D(2023, 11, 20)))  # too old
    TallyFactory(
        unit=tree.unit_a, period_start=D(2024, 1, 1), period_end=D(2024, 3, 31), satisfied=3, neutral=1
    )
    response_raise_nonconformity(actor=officer_a, response=complaint)

    text = (
        "Citizen satisfaction from 21/11/2023 to 20/11/2024: 67% satisfied (4 of 6 ratings of overall "
        "satisfaction, 2 of them online). 2 comments received, 1 raised as nonconformities."
    )
    assert feeds.satisfaction_review_input(tree.unit_a, today) == text
    assert audit_selectors.review_figures(tree.unit_a, today=today)["satisfaction"] == text
    assert reviews.prefilled_inputs(tree.unit_a, today=today)["input_satisfaction"] == text


def test_review_input_is_empty_without_ratings(tree):
    assert feeds.satisfaction_review_input(tree.unit_b, D(2024, 11, 20)) == ""
    assert reviews.prefilled_inputs(tree.unit_b)["input_satisfaction"] == ""


def test_the_review_form_is_prefilled_with_the_rate(tree, officer_a, login):
    from django.urls import reverse

    SurveyResponseFactory(
        unit=tree.unit_a, overall=5, submitted_at=timezone.now() - datetime.timedelta(days=3)
    )
    client = login(officer_a)
    url = reverse("audits:review_create") + f"?unit={tree.unit_a.pk}"
    response = client.get(url)
    assert response.status_code == 200
    assert "100% satisfied (1 of 1 ratings of overall satisfaction" in response.content.decode()


@pytest.mark.parametrize("n", [0, 10])
def test_review_figures_stay_within_their_query_budget(tree, n, django_assert_max_num_queries):
    for k in range(n):
        SurveyResponseFactory(unit=tree.unit_a, overall=1 + k % 5, comment="x" * (k % 2))
    with django_assert_max_num_queries(6):
        audit_selectors.review_figures(tree.unit_a)
