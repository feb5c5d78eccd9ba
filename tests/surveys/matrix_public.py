"""Permission-matrix rows of the public survey (see tests/matrix.py): open to everyone, logged in
or not, for an active unit that keeps a QMS; 404 for any other unit (a district has no survey).
A valid answer redirects to the thanks page (302)."""

from tests.matrix import ACTORS, Row

EVERYONE = dict.fromkeys(ACTORS, 200)
POSTED = dict.fromkeys(ACTORS, 302)
NOBODY = dict.fromkeys(ACTORS, 404)


def _unit(name):
    return lambda c: {"unit_pk": getattr(c, name).pk}


ROWS = [
    Row("survey:form", EVERYONE, kwargs=_unit("unit_a")),
    Row("survey:form", EVERYONE, kwargs=_unit("other_commune"), label="form (other district: public too)"),
    Row("survey:form", NOBODY, kwargs=_unit("district"), label="form (district: no survey)"),
    Row(
        "survey:form",
        POSTED,
        kwargs=_unit("unit_a"),
        method="post",
        data={"overall": "4", "comment": "Nhanh chóng."},
        label="form (post)",
    ),
    Row("survey:thanks", EVERYONE, kwargs=_unit("unit_a")),
    Row("survey:thanks", NOBODY, kwargs=_unit("province"), label="thanks (province: no survey)"),
    Row("survey:procedures", EVERYONE, kwargs=_unit("unit_a"), data={"q": "khai sinh"}),
    Row("survey:procedures", NOBODY, kwargs=_unit("district"), label="procedures (district: no survey)"),
]
