"""Permission-matrix rows of the comparison view (see tests/matrix.py).

Everyone logged in may open the comparison: it shows the units of their own view scope (an
officer's own unit). A unit named outside the scope answers 404, like any record out of scope.
"""

from tests.matrix import Row, everyone

ROWS = [
    Row("reports:compare", everyone(200), label="compare (default units)"),
    Row(
        "reports:compare",
        everyone(200, officer_b=404),
        data=lambda t: {"unit": [t.unit_a.pk], "subject": "audits"},
        label="compare (unit A, audits)",
    ),
    Row(
        "reports:compare",
        everyone(404, superuser=200),
        data=lambda t: {"unit": [t.other_commune.pk], "subject": "scores"},
        label="compare (other district, scores)",
    ),
]
