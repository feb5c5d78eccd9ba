"""Permission-matrix rows of the satisfaction pages (see tests/matrix.py), and the builders the
satisfaction tests share.

The responses live in unit A (officer_a's ward): every reader of the district sees them, officer_b
gets 404 on them; raising a nonconformity from a comment needs CHANGE on the unit (officer_a, the
supervisor): the auditor, the viewer and the committee get 403. The other district's unit is out of
everyone's scope but the superuser's. Successful POSTs redirect (302).
"""

import datetime

from django.utils import timezone

from surveys.models import Response, Tally
from tests.matrix import Row, everyone

RATINGS = ("timeliness", "visits", "attitude", "information", "fees")


def at(day: datetime.date, hour=9) -> datetime.datetime:
    """A moment of `day` in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_response(unit, overall, *, procedure=None, when=None, comment="", contact="", **ratings):
    """An online response written straight to the table (the public form has its own tests)."""
    values = {criterion: ratings.get(criterion) for criterion in RATINGS}
    return Response.objects.create(
        unit=unit,
        procedure=procedure,
        submitted_at=when or timezone.now(),
        overall=overall,
        comment=comment,
        contact=contact,
        client_key="0" * 64,
        **values,
    )


def make_tally(
    unit, start, end, counts=(5, 3, 1, 1, 0), *, criterion="overall", procedure=None, channel="paper"
):
    """A tally of paper forms; `counts` = (very satisfied, satisfied, neutral, dissatisfied,
    very dissatisfied)."""
    five, four, three, two, one = counts
    return Tally.objects.create(
        unit=unit,
        channel=channel,
        procedure=procedure,
        period_start=start,
        period_end=end,
        criterion=criterion,
        very_satisfied=five,
        satisfied=four,
        neutral=three,
        dissatisfied=two,
        very_dissatisfied=one,
    )


def setup(tree, actors):
    return {
        "response": make_response(tree.unit_a, 2, comment="Cán bộ hướng dẫn chưa rõ ràng."),
        "response_x": make_response(tree.other_commune, 1, comment="Phải đi lại nhiều lần."),
    }


CHANGE = everyone(403, officer_a=200, officer_b=404, supervisor=200, superuser=200)
CHANGE_POST = everyone(403, officer_a=302, officer_b=404, supervisor=302, superuser=302)
OUTSIDE = everyone(404, superuser=200)


def pk_of(name):
    return lambda c: {"pk": getattr(c, name).pk}


def _unit(name):
    return lambda c: {"unit_pk": getattr(c, name).pk}


ROWS = [
    Row("surveys:results", everyone(200)),
    Row(
        "surveys:results",
        everyone(200, officer_b=404),
        data=lambda c: {"unit": c.unit_a.pk},
        label="results (unit A)",
    ),
    Row(
        "surveys:results",
        OUTSIDE,
        data=lambda c: {"unit": c.other_commune.pk},
        label="results (other district)",
    ),
    Row("surveys:response_list", everyone(200)),
    Row(
        "surveys:response_list",
        everyone(200),
        data=lambda c: {"unit": c.unit_a.pk, "q": "huong dan"},
        label="response_list (unit A, search)",
    ),
    Row("surveys:response_raise", CHANGE, kwargs=pk_of("response"), label="response_raise (confirm)"),
    Row(
        "surveys:response_raise",
        CHANGE_POST,
        kwargs=pk_of("response"),
        method="post",
        label="response_raise (post)",
    ),
    Row(
        "surveys:response_raise", OUTSIDE, kwargs=pk_of("response_x"), label="response_raise (other district)"
    ),
    Row("surveys:poster", everyone(200, officer_b=404), kwargs=_unit("unit_a")),
    Row("surveys:poster", OUTSIDE, kwargs=_unit("other_commune"), label="poster (other district)"),
    Row("surveys:poster", everyone(404), kwargs=_unit("district"), label="poster (district: no survey)"),
]
