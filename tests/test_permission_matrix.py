"""The permission matrix (DESIGN.md §4): every URL, every actor, the expected answer.

Each later issue adds its URLs here. `test_every_url_is_in_the_matrix` fails when a URL name
exists in the URLconf but has no row, so a new page cannot ship unchecked.

Expected answers: 200 (or another code), LOGIN (redirect to the login page), or 404/403 for
the scoping rule: out of scope → 404, in scope without the right → 403.
"""

from importlib import import_module

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix import ACTORS, ADMIN_LOGIN, LOGIN, Context, Row, everyone

# Modules that add their rows (and the objects they need) to the matrix.
MATRIX_MODULES = [
    "tests.communes.matrix_merge",
    "tests.documents.matrix_documents",
    "tests.documents.matrix_procedures",
    "tests.audits.matrix_audits",
    "tests.audits.matrix_reviews",
    "tests.certification.matrix_profiles",
    "tests.certification.matrix_objectives",
    "tests.certification.matrix_scoring",
    "tests.surveys.matrix_public",
    "tests.surveys.matrix_satisfaction",
    "tests.surveys.matrix_records",
    "tests.reminders.matrix_reminders",
    "tests.reports.matrix_exports",
    "tests.reports.matrix_compare",
    "tests.reports.matrix_dashboard",
]


MATRIX = [
    Row("core:dashboard", everyone(200)),
    Row("communes:unit_list", everyone(200)),
    Row(
        "communes:unit_detail",
        everyone(200, officer_b=404),
        kwargs=lambda t: {"pk": t.unit_a.pk},
        label="unit_detail (unit A)",
    ),
    Row(
        "communes:unit_detail",
        everyone(200, officer_a=404, officer_b=404, superuser=200),
        kwargs=lambda t: {"pk": t.district.pk},
        label="unit_detail (district)",
    ),
    Row(
        "communes:unit_detail",
        everyone(404, superuser=200),
        kwargs=lambda t: {"pk": t.other_commune.pk},
        label="unit_detail (other district)",
    ),
    Row(
        "communes:unit_update",
        everyone(403, officer_b=404, supervisor=200, superuser=200),
        kwargs=lambda t: {"pk": t.unit_a.pk},
    ),
    Row(
        "communes:unit_create",
        everyone(403, officer_a=404, officer_b=404, supervisor=200, superuser=200),
        kwargs=lambda t: {"parent_pk": t.district.pk},
    ),
    Row("password_change", everyone(200)),
    Row("password_change_done", everyone(200)),
    Row("login", dict.fromkeys(ACTORS, 302) | {"anonymous": 200}),
    Row("logout", dict.fromkeys(ACTORS, 302), method="post"),
    Row("set_language", dict.fromkeys(ACTORS, 302), method="post", data={"language": "en", "next": "/"}),
    Row("healthz", dict.fromkeys(ACTORS, 200)),
    Row(
        "admin:index",
        dict.fromkeys(ACTORS, ADMIN_LOGIN) | {"committee": 200, "superuser": 200},
    ),
]
FOUNDATION_ROWS = len(MATRIX)
SETUPS = {}
for _module_name in MATRIX_MODULES:
    _module = import_module(_module_name)
    MATRIX += [(row, _module_name) for row in _module.ROWS]
    SETUPS[_module_name] = getattr(_module, "setup", None)
MATRIX = [entry if isinstance(entry, tuple) else (entry, None) for entry in MATRIX]

# URL names covered by the admin's own permission system (one row above proves the gate).
EXEMPT_NAMESPACES = {"admin"}


def _all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in EXEMPT_NAMESPACES:
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            yield from _all_url_names(entry, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_is_in_the_matrix():
    covered = {row.name for row, _module in MATRIX}
    missing = sorted(set(_all_url_names()) - covered)
    assert not missing, f"URLs missing from the permission matrix: {missing}"


def test_matrix_rows_name_every_actor():
    for row, _module in MATRIX:
        assert set(row.expect) == set(ACTORS), row.id


CASES = [(row, module, actor) for row, module in MATRIX for actor in ACTORS]


@pytest.mark.parametrize(("row", "module", "actor"), CASES, ids=[f"{r.id}-{a}" for r, _m, a in CASES])
def test_permission_matrix(row, module, actor, actors, tree, login):
    setup = SETUPS.get(module)
    ctx = Context(tree, setup(tree, actors) if setup else {})
    client = login(actors[actor])
    url = reverse(row.name, kwargs=row.kwargs(ctx))
    data = row.data(ctx) if callable(row.data) else row.data
    response = getattr(client, row.method)(url, data)
    expected = row.expect[actor]
    if expected == LOGIN:
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith(reverse("login")), response["Location"]
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith(reverse("admin:login")), response["Location"]
    else:
        assert response.status_code == expected, (url, actor, response.status_code)
