"""Permission-matrix rows of the dashboard page (see tests/matrix.py); the home page `/` has its
row among the foundation's.

Everyone logged in may open it: it shows the units of their own view scope (the supervisor's
table, or the officer's own unit beside its peers), so there is nothing to refuse; anonymous
users go to the login page. With filter and sort parameters, and with bad ones, it answers the
same.
"""

from tests.matrix import Row, everyone

ROWS = [
    Row("reports:dashboard", everyone(200)),
    Row(
        "reports:dashboard",
        everyone(200),
        data=lambda t: {"wave": "999999", "kind": "ward", "sort": "-satisfaction", "page": "x"},
        label="dashboard (filters, bad values)",
    ),
]
