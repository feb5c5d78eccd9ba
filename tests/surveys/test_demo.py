"""The surveys part of `seed_demo`: two years of monthly record counts from both sources for the
Việt Yên units, equal except the deliberate mismatches (one already explained); online responses
with one comment reporting a problem; quarterly tallies. A second run changes nothing."""

import datetime
import time

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from communes import demo as communes_demo
from communes.models import Unit
from core import clock
from documents.models import Procedure
from surveys import demo
from surveys.models import CRITERIA, Reconciliation, RecordCount, Response, Tally
from tests.documents.factories_catalogue import CatalogueProcedureFactory, applies_to

FIELDS = RecordCount.COUNT_FIELDS


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The communes demo, the three counted TTHC (as the documents demo makes them), then the
    surveys demo once for the module: (its output, seconds)."""
    with django_db_blocker.unblock(), transaction.atomic():
        communes_demo.seed()
        for code in demo.COUNTED_PROCEDURES:
            procedure = Procedure.objects.filter(code=code).first() or CatalogueProcedureFactory(code=code)
            applies_to(procedure, kinds=[Unit.Kind.COMMUNE, Unit.Kind.WARD, Unit.Kind.TOWN])
        started = time.monotonic()
        output = demo.seed()
        yield output, time.monotonic() - started
        transaction.set_rollback(True)


@pytest.fixture
def units(seeded, db):
    return demo.demo_units()


def state():
    counts = {m.__name__: m.objects.count() for m in apps.get_app_config("surveys").get_models()}
    counts["records"] = sorted(
        RecordCount.objects.values_list("unit__code", "source", "procedure__code", "month", *FIELDS),
        key=str,
    )
    counts["responses"] = sorted(
        Response.objects.values_list("unit__code", "submitted_at", "overall", "comment", "client_key")
    )
    counts["tallies"] = sorted(
        Tally.objects.values_list("unit__code", "channel", "criterion", "period_start", "very_satisfied"),
    )
    return counts


def test_seed_twice_changes_nothing_and_is_fast(seeded, db):
    output, seconds = seeded
    print(output)
    assert output.startswith("Surveys: ")
    first = state()
    demo.seed()
    assert state() == first


def test_two_years_of_counts_from_both_sources(units, db):
    assert len(units) == 17
    months = demo.window(clock.today())
    assert len(months) == 24 and months[-1] < clock.today().replace(day=1)
    totals = RecordCount.objects.filter(procedure=None)
    book_missing = 1
    assert totals.filter(source=RecordCount.Source.SOFTWARE).count() == 24 * len(units)
    assert totals.filter(source=RecordCount.Source.BOOK).count() == 24 * len(units) - book_missing
    per_procedure = RecordCount.objects.exclude(procedure=None)
    assert set(per_procedure.values_list("procedure__code", flat=True)) == set(demo.COUNTED_PROCEDURES)
    assert set(RecordCount.objects.values_list("month", flat=True)) == set(months)
    for row in totals.filter(source=RecordCount.Source.SOFTWARE)[:50]:
        assert row.on_time + row.late + row.pending + row.returned == row.received
    # A month's per-procedure rows stay within the month's total.
    first = totals.filter(source=RecordCount.Source.SOFTWARE).first()
    part = per_procedure.filter(unit=first.unit, month=first.month, source=first.source)
    assert sum(r.received for r in part) <= first.received


def test_the_sources_disagree_exactly_on_the_deliberate_mismatches(units, db):
    """Computed here from the rows (the all-procedures row of each source), not by the app."""
    by_key = {}
    for row in RecordCount.objects.filter(procedure=None):
        by_key.setdefault((row.unit_id, row.month), {})[row.source] = tuple(getattr(row, f) for f in FIELDS)
    found = {
        key
        for key, sources in by_key.items()
        if len(sources) < 2 or sources[RecordCount.Source.SOFTWARE] != sources[RecordCount.Source.BOOK]
    }
    expected = demo.mismatch_months(units, clock.today())
    assert found == set(expected)
    assert 3 <= len(found) <= 5
    # Per procedure the two sources agree everywhere.
    per = {}
    for row in RecordCount.objects.exclude(procedure=None):
        per.setdefault((row.unit_id, row.month, row.procedure_id), {})[row.source] = tuple(
            getattr(row, f) for f in FIELDS
        )
    assert all(len(set(s.values())) == 1 for s in per.values())
    # One of them is already explained.
    decision = Reconciliation.objects.get()
    assert (decision.unit_id, decision.month) in found
    assert decision.status == Reconciliation.Status.EXPLAINED and decision.comment and decision.decided_by


def test_online_responses(units, db):
    responses = list(Response.objects.all())
    assert 200 <= len(responses) <= 600
    now = timezone.now()
    year_ago = clock.today().replace(day=1).replace(year=clock.today().year - 1)
    assert all(
        timezone.localtime(r.submitted_at).date() >= year_ago and r.submitted_at <= now for r in responses
    )
    assert {r.overall for r in responses} == {1, 2, 3, 4, 5}
    satisfied = sum(1 for r in responses if r.overall >= 4) / len(responses)
    assert 0.6 < satisfied < 0.98
    assert sum(1 for r in responses if r.comment) >= 10
    problem = Response.objects.get(comment=demo.PROBLEM_COMMENT)
    assert problem.unit.code == demo.BICH_DONG and problem.overall == 1 and problem.nonconformity is None
    assert problem.procedure.code == "1.001193"
    assert len({r.client_key for r in responses}) == len(responses)  # invented clients, no address


def test_quarterly_tallies(units, db):
    tallies = Tally.objects.all()
    quarters = set(tallies.values_list("period_start", "period_end"))
    assert len(quarters) >= 7
    for start, end in quarters:
        assert start.day == 1 and start.month in (1, 4, 7, 10)
        assert end == (start.replace(day=28) + datetime.timedelta(days=70)).replace(
            day=1
        ) - datetime.timedelta(days=1)
    paper = tallies.filter(channel=Tally.Channel.PAPER)
    assert paper.count() == len(units) * len(quarters) * len(CRITERIA)
    device_units = set(tallies.filter(channel=Tally.Channel.DEVICE).values_list("unit__code", flat=True))
    assert device_units == set(communes_demo.PILOT_CODES)
    assert all(t.total > 0 for t in tallies[:100])
    assert Tally.history.count() == tallies.count()


def test_the_reconciliation_page_shows_every_demo_mismatch_by_default(units, db, client):
    """The demo's mismatches reach back almost two years: the page's default window covers them."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    client.force_login(get_user_model().objects.get(username="district"))
    response = client.get(reverse("surveys:reconciliation"))
    assert response.status_code == 200
    shown = {(row.unit_id, row.month) for row in response.context["table"].data}
    assert shown == set(demo.mismatch_months(units, clock.today()))
