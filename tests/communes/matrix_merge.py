"""Permission-matrix rows of the 2025 reorganisation (see tests/matrix.py): the merge workflow and
the membership move.

Only the supervisor's ISO staff (and the superuser) merge units or move people: everyone else
who is logged in gets 403 on the merge page (it names no unit), and on a unit's move page 403
when the unit is in their scope, 404 when it is not. The POST row previews a merger (nothing is
saved): the supervisor sees the preview, the others are refused before anything is read.
"""

from communes.models import Unit
from tests.factories import UnitFactory
from tests.matrix import Row, everyone

MANAGERS = {"supervisor": 200, "superuser": 200}


def setup(tree, actors):
    successor = UnitFactory(name="Phường Vân Trung Mới", kind=Unit.Kind.WARD, parent=tree.district)
    return {"successor": successor}


def _preview(ctx):
    return {
        "step": "preview",
        "predecessors": [ctx.unit_a.pk, ctx.unit_b.pk],
        "successor": ctx.successor.pk,
        "effective_on": "2025-07-01",
        "kind": "merge",
    }


ROWS = [
    Row("communes:unit_merge", everyone(403, **MANAGERS)),
    Row(
        "communes:unit_merge",
        everyone(403, **MANAGERS),
        method="post",
        data=_preview,
        label="unit_merge (preview)",
    ),
    Row(
        "communes:membership_move",
        everyone(403, officer_b=404, **MANAGERS),
        kwargs=lambda ctx: {"pk": ctx.unit_a.pk},
        label="membership_move (unit A)",
    ),
    Row(
        "communes:membership_move",
        everyone(404, superuser=200),
        kwargs=lambda ctx: {"pk": ctx.other_commune.pk},
        label="membership_move (other district)",
    ),
]
