"""Indicator feeds (certification.feeds): an objective's indicator read against a figure the system
computes — the one-stop on-time rate, the satisfaction rate (registered by surveys/feeds.py).

The registry; the indicator form offers the registered feeds (and a TTHC code); the objective page
and the measurement form show the feed's figure for each period, computed here independently from
the surveys selectors, with a "use this value" link that fills the field but writes nothing; no
feed, nothing shown; constant queries; the batched computation equals the single one; certification
does not import surveys."""

import calendar
import datetime
import itertools
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from certification import feeds
from certification.forms_objectives import number_text
from certification.models import Indicator, Measurement
from certification.services import objectives as services
from surveys import feeds as survey_feeds
from surveys.selectors import unit_rates
from surveys.selectors_records import on_time_rates
from tests.certification.matrix_objectives import make_indicator, make_measurement, make_objective
from tests.documents.factories import english  # noqa: F401 -- fixture
from tests.documents.factories_catalogue import CatalogueProcedureFactory
from tests.factories import RecordCountFactory, SurveyResponseFactory, TallyFactory

pytestmark = pytest.mark.usefixtures("english")

D = datetime.date
YEAR = 2019  # a past year: every period has begun
SOFTWARE, BOOK = "software", "book"


def url(name, obj):
    return reverse(f"certification:{name}", args=[obj.pk])


def percent(part, whole):
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def expected_on_time(unit, start, end, procedure=None):
    """The on-time rate straight from the surveys selector, in percent (None: no counts)."""
    if procedure is None:
        figure = on_time_rates([unit.pk], start, end).get(unit.pk)
    else:
        figure = on_time_rates([unit.pk], start, end, by_procedure=True).get((unit.pk, procedure.pk))
    return None if figure is None or not figure.resolved else percent(figure.on_time, figure.resolved)


def text(value):
    return number_text(value)  # the site writes decimals with a comma: 95,2


@pytest.fixture
def procedures(db):
    return CatalogueProcedureFactory(code="1.001193"), CatalogueProcedureFactory(code="2.000815")


@pytest.fixture
def counts(tree, procedures):
    """Unit A's record counts in the first quarter of YEAR:
    January: software total 95/5 (the book's 90/10 is ignored), the book alone for the birth
    registration 7/1; February: the book alone, 40/2; March: the software per procedure only,
    10/1 and 20/0; April: nothing. Unit B has counts that must not leak into unit A's figures."""
    birth, copies = procedures
    unit = tree.unit_a
    RecordCountFactory(unit=unit, source=SOFTWARE, month=D(YEAR, 1, 1), received=100, on_time=95, late=5)
    RecordCountFactory(unit=unit, source=BOOK, month=D(YEAR, 1, 1), received=100, on_time=90, late=10)
    RecordCountFactory(
        unit=unit, source=BOOK, procedure=birth, month=D(YEAR, 1, 1), received=8, on_time=7, late=1
    )
    RecordCountFactory(unit=unit, source=BOOK, month=D(YEAR, 2, 1), received=42, on_time=40, late=2)
    RecordCountFactory(
        unit=unit, source=SOFTWARE, procedure=birth, month=D(YEAR, 3, 1), received=11, on_time=10, late=1
    )
    RecordCountFactory(
        unit=unit, source=SOFTWARE, procedure=copies, month=D(YEAR, 3, 1), received=20, on_time=20, late=0
    )
    RecordCountFactory(unit=tree.unit_b, source=SOFTWARE, month=D(YEAR, 1, 1), received=10, on_time=1, late=9)
    return unit


@pytest.fixture
def fed(counts, procedures):
    """An objective of unit A in YEAR: a monthly on-time indicator, a quarterly one for the birth
    registration, and an indicator without a feed."""
    objective = make_objective(counts, year=YEAR)
    monthly = make_indicator(objective, frequency="monthly", feed="on_time_rate")
    birth = make_indicator(objective, name="Khai sinh đúng hạn", feed="on_time_rate", procedure=procedures[0])
    plain = make_indicator(
        objective, name="Số phản ánh", unit_of_measure="lượt", target=0, direction="at_most"
    )
    return objective, monthly, birth, plain


@pytest.fixture
def scratch_feed():
    """A feed registered for one test (the registry is a module-level dict)."""
    calls = []

    def compute(unit, procedure, start, end):
        calls.append((unit, procedure, start, end))
        return Decimal(start.month)

    feeds.register(
        "scratch", "scratch figure", compute, caption="Scratch says %(value)s", unit_of_measure="%"
    )
    yield calls
    feeds.FEEDS.pop("scratch", None)


# --- The registry --------------------------------------------------------------------------------
def test_the_surveys_app_registers_its_feeds():
    offered = dict(feeds.choices())
    assert {"on_time_rate", "satisfaction_rate"} <= set(offered)
    with translation.override("en"):
        assert str(offered["on_time_rate"]) == "files resolved on time (one-stop records)"
    with translation.override("vi"):
        assert str(offered["on_time_rate"]) == "tỷ lệ hồ sơ giải quyết đúng hạn (số liệu một cửa)"
    assert feeds.get("on_time_rate").unit_of_measure == "%"
    assert feeds.get("nothing") is None and feeds.get("") is None


def test_a_feed_without_a_batch_is_computed_once_per_period(scratch_feed, tree):
    objective = make_objective(tree.unit_a, year=YEAR)
    indicator = make_indicator(objective, feed="scratch")
    figures = feeds.values([indicator], YEAR)
    assert figures == {(indicator.pk, q): Decimal(3 * q - 2) for q in range(1, 5)}
    assert [c[2] for c in scratch_feed] == [D(YEAR, 1, 1), D(YEAR, 4, 1), D(YEAR, 7, 1), D(YEAR, 10, 1)]
    assert feeds.caption(indicator, "7 %") == "Scratch says 7 %"
    assert feeds.compute("scratch", tree.unit_a, None, D(YEAR, 5, 1), D(YEAR, 5, 31)) == Decimal(5)


def test_values_leave_out_indicators_without_a_registered_feed(tree):
    objective = make_objective(tree.unit_a, year=YEAR)
    plain = make_indicator(objective)
    gone = make_indicator(objective, feed="unregistered")
    assert feeds.values([plain, gone], YEAR) == {}


# --- The figures, computed independently --------------------------------------------------------
def test_on_time_figures_match_the_surveys_selector(fed, procedures):
    _objective, monthly, birth, _plain = fed
    unit = monthly.objective.unit
    figures = feeds.values([monthly, birth], YEAR)
    assert (
        figures[(monthly.pk, 1)] == expected_on_time(unit, D(YEAR, 1, 1), D(YEAR, 1, 31)) == Decimal("95.0")
    )
    assert (
        figures[(monthly.pk, 2)] == expected_on_time(unit, D(YEAR, 2, 1), D(YEAR, 2, 28)) == Decimal("95.2")
    )
    assert figures[(monthly.pk, 3)] == Decimal("96.8")  # 30 of 31: the per-procedure rows summed
    assert figures[(monthly.pk, 4)] is None  # no counts in April
    quarter = expected_on_time(unit, D(YEAR, 1, 1), D(YEAR, 3, 31), procedures[0])
    assert figures[(birth.pk, 1)] == quarter == percent(17, 19)  # the book in January, the software in March
    assert figures[(birth.pk, 2)] is None


def test_the_batch_equals_the_single_computation(fed, procedures, tree):
    unit = tree.unit_a
    # Periods are whole months, as an indicator's are.
    spans = [
        (D(YEAR, m, 1), D(YEAR, m2, calendar.monthrange(YEAR, m2)[1]))
        for m, m2 in ((1, 1), (2, 2), (3, 3), (1, 3), (1, 12), (4, 6), (2, 3))
    ]
    for key in ("on_time_rate", "satisfaction_rate"):
        feed = feeds.get(key)
        wanted = [(p, s, e) for p in (None, *procedures) for s, e in spans]
        assert feed.many(unit, wanted) == [feed.compute(unit, p, s, e) for p, s, e in wanted], key


def test_satisfaction_figures_match_the_surveys_selector(tree, procedures):
    unit, birth = tree.unit_a, procedures[0]

    def at(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))

    for rating, procedure in ((5, birth), (4, None), (2, birth), (1, None), (5, None)):
        SurveyResponseFactory(unit=unit, overall=rating, procedure=procedure, submitted_at=at(D(YEAR, 2, 3)))
    TallyFactory(
        unit=unit, period_start=D(YEAR, 1, 1), period_end=D(YEAR, 3, 31), very_satisfied=6, neutral=2
    )
    TallyFactory(
        unit=unit, procedure=birth, period_start=D(YEAR, 4, 1), period_end=D(YEAR, 6, 30), satisfied=1
    )
    objective = make_objective(unit, year=YEAR)
    quarterly = make_indicator(objective, feed="satisfaction_rate")
    monthly = make_indicator(objective, feed="satisfaction_rate", frequency="monthly")
    per_birth = make_indicator(objective, feed="satisfaction_rate", procedure=birth)
    figures = feeds.values([quarterly, monthly, per_birth], YEAR)
    q1 = unit_rates([unit.pk], D(YEAR, 1, 1), D(YEAR, 3, 31))[unit.pk]
    assert figures[(quarterly.pk, 1)] == (q1 * 100).quantize(Decimal("0.1")) == percent(9, 13)
    assert figures[(monthly.pk, 2)] == percent(3, 5)  # the quarter's tally does not fit in February
    assert figures[(monthly.pk, 1)] is None
    assert figures[(per_birth.pk, 1)] == percent(1, 2) and figures[(per_birth.pk, 2)] == Decimal("100.0")
    assert figures[(quarterly.pk, 3)] is None


# --- The indicator form --------------------------------------------------------------------------
def test_the_indicator_form_offers_the_feeds(tree, officer_a, login):
    objective = make_objective(tree.unit_a, year=YEAR)
    page = login(officer_a).get(url("indicator_create", objective)).content.decode()
    assert 'name="feed"' in page and 'value="on_time_rate"' in page and 'value="satisfaction_rate"' in page
    assert 'name="procedure"' in page


def test_an_indicator_is_created_with_a_feed_and_a_procedure(tree, officer_a, login, procedures):
    objective = make_objective(tree.unit_a, year=YEAR)
    data = {
        "name": "Tỷ lệ hồ sơ khai sinh giải quyết đúng hạn",
        "unit_of_measure": "%",
        "direction": "at_least",
        "target": "95",
        "frequency": "monthly",
        "feed": "on_time_rate",
        "procedure": " 1.001193 ",
    }
    response = login(officer_a).post(url("indicator_create", objective), data)
    assert response.status_code == 302
    indicator = Indicator.objects.get(objective=objective)
    assert (indicator.feed, indicator.procedure) == ("on_time_rate", procedures[0])
    # The update form shows them; clearing the feed and the procedure is allowed.
    form = login(officer_a).get(url("indicator_update", indicator)).context["form"]
    assert (form.initial["feed"], form.initial["procedure"]) == ("on_time_rate", "1.001193")
    login(officer_a).post(url("indicator_update", indicator), data | {"feed": "", "procedure": ""})
    indicator.refresh_from_db()
    assert (indicator.feed, indicator.procedure) == ("", None)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"feed": "made_up"}, "feed"),
        ({"feed": "", "procedure": "1.001193"}, "procedure"),
        ({"procedure": "9.999999"}, "procedure"),
        ({"unit_of_measure": "ngày"}, "unit_of_measure"),
    ],
)
def test_bad_feeds_are_shown_and_not_saved(data, field, tree, officer_a, login, procedures):
    objective = make_objective(tree.unit_a, year=YEAR)
    base = {
        "name": "Tỷ lệ đúng hạn",
        "unit_of_measure": "%",
        "direction": "at_least",
        "target": "95",
        "frequency": "quarterly",
        "feed": "on_time_rate",
    }
    response = login(officer_a).post(url("indicator_create", objective), base | data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Indicator.objects.filter(objective=objective).exists()


def test_the_service_refuses_an_unregistered_feed_and_a_procedure_alone(tree, officer_a, procedures):
    objective = make_objective(tree.unit_a, year=YEAR)
    fields = {
        "name": "X",
        "unit_of_measure": "%",
        "target": 95,
        "direction": "at_least",
        "frequency": "yearly",
    }
    with pytest.raises(services.ValidationError) as exc:
        services.indicator_create(actor=officer_a, objective=objective, feed="made_up", **fields)
    assert "feed" in exc.value.message_dict
    with pytest.raises(services.ValidationError) as exc:
        services.indicator_create(actor=officer_a, objective=objective, procedure=procedures[0], **fields)
    assert "procedure" in exc.value.message_dict
    assert not Indicator.objects.filter(objective=objective).exists()


def test_a_copy_keeps_the_feed(tree, officer_a, procedures):
    objective = make_objective(tree.unit_a, year=YEAR)
    make_indicator(objective, feed="on_time_rate", procedure=procedures[0])
    services.objectives_copy(actor=officer_a, unit=tree.unit_a, year=YEAR + 1)
    copy = Indicator.objects.get(objective__year=YEAR + 1)
    assert (copy.feed, copy.procedure) == ("on_time_rate", procedures[0])


# --- The objective page --------------------------------------------------------------------------
def row(page, indicator, period):
    match = re.search(rf'<tr id="period-{indicator.pk}-{period}".*?</tr>', page, re.S)
    assert match, (indicator.pk, period)
    return match.group(0)


def test_the_objective_page_shows_each_periods_figure(fed, officer_a, viewer, login):
    objective, monthly, birth, plain = fed
    unit = objective.unit
    page = login(officer_a).get(objective.get_absolute_url()).content.decode()
    february = expected_on_time(unit, D(YEAR, 2, 1), D(YEAR, 2, 28))
    cells = row(page, monthly, 2)
    assert f"According to the one-stop records: {text(february)} %" in cells
    assert f'data-use-value="{text(february)}"' in cells and f'data-target="#value-{monthly.pk}-2"' in cells
    assert f"{url('measurement_record', monthly)}?period=2&amp;use=feed" in cells
    april = row(page, monthly, 4)
    assert "no figures for this period" in april and "use-feed" not in april
    first_quarter = expected_on_time(unit, D(YEAR, 1, 1), D(YEAR, 3, 31), birth.procedure)
    assert f"According to the one-stop records: {text(first_quarter)} %" in row(page, birth, 1)
    assert "(TTHC 1.001193)" in page and page.count('class="feed-label"') == 2
    # An indicator without a feed shows nothing of it.
    for period in range(1, 5):
        assert "one-stop" not in row(page, plain, period) and "use-feed" not in row(page, plain, period)
    # Nothing is written by showing it: the officer records the measurement herself.
    assert not Measurement.objects.exists()
    # A reader sees the figure, without the form or the button.
    page = login(viewer).get(objective.get_absolute_url()).content.decode()
    assert f"According to the one-stop records: {text(february)} %" in page and "use-feed" not in page


def test_a_page_without_feeds_shows_none(tree, officer_a, login):
    objective = make_objective(tree.unit_a, year=YEAR)
    make_measurement(make_indicator(objective), 1, 96, officer_a)
    page = login(officer_a).get(objective.get_absolute_url()).content.decode()
    assert "feed-value" not in page and "use-feed" not in page and "feed-label" not in page


def test_the_objective_page_with_feeds_keeps_a_constant_number_of_queries(
    fed, officer_a, login, constant_queries, procedures
):
    objective = fed[0]
    unit = objective.unit
    numbers = itertools.count()
    # Free record-count keys: April to December, for the total and each procedure.
    keys = iter([(p, D(YEAR, m, 1)) for m in range(4, 13) for p in (None, *procedures)])

    def add_rows(n):
        for _ in range(n):
            index = next(numbers)
            make_indicator(
                objective,
                frequency=("monthly", "quarterly")[index % 2],
                feed=("on_time_rate", "satisfaction_rate")[index % 2],
                procedure=procedures[index % 2] if index % 3 else None,
            )
            procedure, month = next(keys)
            RecordCountFactory(
                unit=unit, source=BOOK, procedure=procedure, month=month, on_time=index, late=1
            )
            SurveyResponseFactory(
                unit=unit, overall=4, submitted_at=timezone.make_aware(datetime.datetime(YEAR, 5, 1 + index))
            )

    constant_queries(login(officer_a), objective.get_absolute_url(), add_rows)


# --- The measurement form ------------------------------------------------------------------------
def test_the_measurement_form_shows_the_figure_and_prefills_it_on_request(fed, officer_a, login):
    _objective, monthly, _birth, plain = fed
    client = login(officer_a)
    response = client.get(url("measurement_record", monthly), {"period": 2})
    page = response.content.decode()
    assert response.context["form"].initial == {"period": 2}  # shown, not put in the field
    assert 'id="feed-figures"' in page
    figure = re.search(r'<div class="feed-figure" data-period="2".*?</div>', page, re.S).group(0)
    assert "According to the one-stop records: 95,2 %" in figure and 'data-use-value="95,2"' in figure
    assert 'class="feed-figure d-none" data-period="1"' in page  # the other periods, hidden
    assert "no figures for this period" in page  # April
    # "Use this value" without JavaScript: the field is prefilled, the officer still submits.
    response = client.get(url("measurement_record", monthly), {"period": 2, "use": "feed"})
    assert response.context["form"].initial == {"period": 2, "value": Decimal("95.2")}
    assert 'value="95,2"' in response.content.decode()
    response = client.get(url("measurement_record", monthly), {"period": 4, "use": "feed"})
    assert response.context["form"].initial == {"period": 4}  # no figure: nothing to use
    assert not Measurement.objects.exists()
    # The officer confirms it: then, and only then, it is a measurement.
    response = client.post(
        url("measurement_record", monthly), {"period": "2", "value": "95.2", "comment": ""}
    )
    assert response.status_code == 302
    assert Measurement.objects.get(indicator=monthly, period=2).value == Decimal("95.2")
    # An indicator without a feed: nothing shown.
    page = client.get(url("measurement_record", plain), {"period": 1, "use": "feed"}).content.decode()
    assert "feed-figures" not in page and "use-feed" not in page


def test_the_measurement_form_shows_no_figure_for_a_period_not_begun(tree, officer_a, login, scratch_feed):
    objective = make_objective(tree.unit_a, year=timezone.localdate().year + 1)
    indicator = make_indicator(objective, feed="scratch")
    page = login(officer_a).get(url("measurement_record", indicator), {"period": 1}).content.decode()
    assert "feed-figures" not in page and scratch_feed == []


# --- The dependency rule -------------------------------------------------------------------------
def test_certification_does_not_import_surveys():
    root = Path(settings.BASE_DIR) / "certification"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if re.search(r"^\s*(from|import)\s+surveys\b", path.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []
    assert survey_feeds.on_time_rate is feeds.get("on_time_rate").compute


def test_feed_labels_are_translatable():
    with translation.override("en"):
        assert str(feeds.get("satisfaction_rate").label) == "citizen satisfaction rate (survey)"
