"""surveys.selectors: satisfaction rates (satisfied = 4 or 5, over the ratings given) combining
online responses and tallies, per unit, procedure, criterion and month; a constant number of
queries whatever the number of rows."""

import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from surveys import selectors
from surveys.models import CRITERIA, Response, Tally
from tests.documents.factories_catalogue import CatalogueProcedureFactory
from tests.factories import SurveyResponseFactory, TallyFactory

D = datetime.date
COUNTS = ("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")  # 5..1


def local(*args):
    return timezone.make_aware(datetime.datetime(*args))


def expected_rate(ratings):
    """satisfied / rated computed by hand from a list of ratings (None: not rated)."""
    rated = [r for r in ratings if r is not None]
    return {"rated": len(rated), "satisfied": sum(1 for r in rated if r >= 4)}


def tally_ratings(tally):
    ratings = []
    for field, rating in zip(COUNTS, (5, 4, 3, 2, 1), strict=True):
        ratings += [rating] * getattr(tally, field)
    return ratings


@pytest.fixture
def data(tree):
    rng = random.Random(7)
    birth = CatalogueProcedureFactory(code="1.001193")
    copies = CatalogueProcedureFactory(code="2.000815")
    responses = []
    for n in range(40):
        unit = tree.unit_a if n % 3 else tree.unit_b
        ratings = {c: rng.choice([None, 1, 2, 3, 4, 5]) for c in CRITERIA}
        ratings["overall"] = rng.randint(1, 5)
        responses.append(
            SurveyResponseFactory(
                unit=unit,
                procedure=rng.choice([birth, copies, None]),
                submitted_at=local(2024, rng.randint(1, 3), rng.randint(1, 28), 10),
                **ratings,
            )
        )
    # Local time decides the month: 05:00 on 1 February in Hà Nội is still January in UTC.
    responses.append(SurveyResponseFactory(unit=tree.unit_a, overall=5, submitted_at=local(2024, 2, 1, 5)))
    tallies = [
        TallyFactory(
            unit=tree.unit_a, criterion="overall", very_satisfied=10, satisfied=5, neutral=3, dissatisfied=1
        ),
        TallyFactory(unit=tree.unit_a, criterion="fees", very_satisfied=2, very_dissatisfied=4),
        TallyFactory(
            unit=tree.unit_b,
            criterion="overall",
            procedure=birth,
            period_start=D(2024, 2, 1),
            period_end=D(2024, 2, 29),
            satisfied=3,
            neutral=3,
        ),
        TallyFactory(
            unit=tree.unit_b, criterion="overall", channel=Tally.Channel.DEVICE, very_dissatisfied=2
        ),
    ]
    return {"responses": responses, "tallies": tallies, "birth": birth, "copies": copies}


def check(result, expected):
    """The selector's figures against hand-computed ones (groups without ratings left out)."""
    expected = {key: figures for key, figures in expected.items() if figures["rated"]}
    assert set(result) == set(expected)
    for key, figures in expected.items():
        assert result[key]["rated"] == figures["rated"], key
        assert result[key]["satisfied"] == figures["satisfied"], key
        assert result[key]["rate"] == Decimal(figures["satisfied"]) / Decimal(figures["rated"])


def by(key_of, responses, tallies, criterion="overall"):
    ratings = {}
    for response in responses:
        ratings.setdefault(key_of(response), []).append(getattr(response, criterion))
    for tally in tallies:
        if tally.criterion == criterion:
            ratings.setdefault(key_of(tally), []).extend(tally_ratings(tally))
    return {key: expected_rate(values) for key, values in ratings.items()}


def test_per_unit(data):
    result = selectors.satisfaction(Response.objects.all(), Tally.objects.all(), group_by="unit")
    check(result, by(lambda o: o.unit_id, data["responses"], data["tallies"]))


def test_per_procedure(data):
    result = selectors.satisfaction(Response.objects.all(), Tally.objects.all(), group_by="procedure")
    check(result, by(lambda o: o.procedure_id, data["responses"], data["tallies"]))
    assert None in result  # responses that named no procedure and tallies of all procedures


def test_per_criterion(data):
    result = selectors.satisfaction(Response.objects.all(), Tally.objects.all(), group_by="criterion")
    expected = {}
    for criterion in CRITERIA:
        ratings = [getattr(r, criterion) for r in data["responses"]]
        for tally in data["tallies"]:
            if tally.criterion == criterion:
                ratings += tally_ratings(tally)
        expected[criterion] = expected_rate(ratings)
    check(result, expected)


def test_per_month_in_local_time(data):
    result = selectors.satisfaction(Response.objects.all(), Tally.objects.all(), group_by="month")

    def month(o):
        if isinstance(o, Tally):
            return o.period_start.replace(day=1)
        return timezone.localtime(o.submitted_at).date().replace(day=1)

    check(result, by(month, data["responses"], data["tallies"]))
    assert set(result) == {D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)}


def test_either_source_alone_and_nothing(data):
    only_tallies = selectors.satisfaction(None, Tally.objects.all(), group_by="unit")
    check(only_tallies, by(lambda o: o.unit_id, [], data["tallies"]))
    assert selectors.satisfaction(Response.objects.none(), Tally.objects.none(), group_by="criterion") == {}
    with pytest.raises(ValueError):
        selectors.satisfaction(None, None, group_by="year")


def test_unit_rates_over_a_period(tree, data):
    start, end = D(2024, 2, 1), D(2024, 2, 29)
    rates = selectors.unit_rates([tree.unit_a.pk, tree.unit_b.pk, tree.other_commune.pk], start, end)

    def inside(o):
        if isinstance(o, Tally):
            return o.period_start >= start and o.period_end <= end
        return start <= timezone.localtime(o.submitted_at).date() <= end

    expected = by(
        lambda o: o.unit_id,
        [r for r in data["responses"] if inside(r)],
        [t for t in data["tallies"] if inside(t)],
    )
    assert rates[tree.other_commune.pk] is None
    for unit in (tree.unit_a, tree.unit_b):
        figures = expected[unit.pk]
        assert rates[unit.pk] == Decimal(figures["satisfied"]) / Decimal(figures["rated"])
    summary = selectors.unit_summary(tree.unit_b, start, end)
    assert (summary["rated"], summary["satisfied"]) == (
        expected[tree.unit_b.pk]["rated"],
        expected[tree.unit_b.pk]["satisfied"],
    )


def test_unit_summary_counts_comments_and_raised_ones(tree, officer_a):
    from surveys.services.responses import response_raise_nonconformity

    day = timezone.now()
    SurveyResponseFactory(unit=tree.unit_a, overall=5, comment="Tốt", submitted_at=day)
    complaint = SurveyResponseFactory(unit=tree.unit_a, overall=1, comment="Chậm", submitted_at=day)
    SurveyResponseFactory(unit=tree.unit_a, overall=4, submitted_at=day)
    response_raise_nonconformity(actor=officer_a, response=complaint)
    today = timezone.localdate()
    summary = selectors.unit_summary(tree.unit_a, today - datetime.timedelta(days=1), today)
    assert summary == {
        "rated": 3,
        "satisfied": 2,
        "rate": Decimal(2) / Decimal(3),
        "online": 3,
        "comments": 2,
        "raised": 1,
    }


@pytest.mark.parametrize("n", [1, 30])
def test_query_count_does_not_grow(tree, n, django_assert_num_queries):
    for k in range(n):
        SurveyResponseFactory(
            unit=tree.unit_a if k % 2 else tree.unit_b,
            overall=1 + k % 5,
            submitted_at=local(2024, 1 + k % 12, 3, 9),
        )
        TallyFactory(
            unit=tree.unit_a,
            period_start=D(2023, 1, 1) + datetime.timedelta(days=k),
            period_end=D(2023, 12, 31),
        )
    for group in selectors.GROUPS:
        with django_assert_num_queries(2):
            selectors.satisfaction(Response.objects.all(), Tally.objects.all(), group_by=group)
    with django_assert_num_queries(2):
        selectors.unit_rates([tree.unit_a.pk, tree.unit_b.pk], D(2023, 1, 1), D(2024, 12, 31))
    with django_assert_num_queries(1):
        selectors.unit_summary(tree.unit_a, D(2023, 1, 1), D(2024, 12, 31))
