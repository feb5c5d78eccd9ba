"""Building blocks of the permission matrix (tests/test_permission_matrix.py).

Each app lists its rows in a module named in MATRIX_MODULES there. A module has `ROWS` and may
have `setup(tree, actors) -> dict` creating the objects its URLs need; `kwargs` of a row
receives a context with the tree's units and those objects as attributes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
ACTORS = ["anonymous", "officer_a", "officer_b", "auditor", "viewer", "committee", "supervisor", "superuser"]


def everyone(code, **overrides):
    """The same answer for every logged-in actor (anonymous → login), with exceptions."""
    answers = dict.fromkeys(ACTORS, code)
    answers["anonymous"] = LOGIN
    answers.update(overrides)
    return answers


@dataclass
class Row:
    name: str
    expect: dict
    kwargs: Callable = lambda ctx: {}  # noqa: E731
    method: str = "get"
    data: dict | Callable = field(default_factory=dict)
    label: str = ""

    @property
    def id(self):
        return self.label or self.name


class Context:
    """The tree's units and a module's objects, as attributes (`ctx.unit_a`, `ctx.document`)."""

    def __init__(self, tree, objects):
        self.__dict__.update(vars(tree))
        self.__dict__.update(objects)
