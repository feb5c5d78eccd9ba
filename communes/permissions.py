"""Who may do what: the one table that maps roles to actions (DESIGN.md §2).

A membership on a unit grants its role's actions on the unit's whole subtree. Members of a
successor unit may also read (never write) the records of its predecessors: the archive of a
merged commune stays with the new one.
"""

from collections import defaultdict

from django.db.models import Q

from communes.models import Membership, Succession
from core.scoping import Action, Scope

Role = Membership.Role

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.VIEWER: frozenset({Action.VIEW}),
    Role.OFFICER: frozenset({Action.VIEW, Action.CHANGE}),
    Role.AUDITOR: frozenset({Action.VIEW, Action.AUDIT}),
    Role.SUPERVISOR: frozenset({Action.VIEW, Action.CHANGE, Action.AUDIT, Action.MANAGE}),
    Role.COMMITTEE: frozenset({Action.VIEW, Action.APPROVE}),
}

# How many generations of predecessors an archive reaches (a ward merged in 2025 from
# communes that were themselves merged in 2019, ...). Each generation costs one query.
ARCHIVE_GENERATIONS = 3


def scope_for(user) -> Scope:
    """The scope of an authenticated, non-superuser user. Two to four queries."""
    roots: dict[str, set[str]] = defaultdict(set)
    member_paths = set()
    for role, path in Membership.objects.filter(user=user).values_list("role", "unit__path"):
        member_paths.add(path)
        for action in ROLE_ACTIONS.get(role, ()):
            roots[action].add(path)
    archive = _archive_paths(member_paths)
    roots[Action.VIEW] |= archive
    return Scope(
        roots={action: frozenset(paths) for action, paths in roots.items()}, archive=frozenset(archive)
    )


def _archive_paths(member_paths: set[str]) -> set[str]:
    """Paths of the predecessors of every unit in the given subtrees, generation by generation."""
    archive: set[str] = set()
    frontier = member_paths
    for _generation in range(ARCHIVE_GENERATIONS):
        if not frontier:
            break
        condition = Q()
        for path in frontier:
            condition |= Q(successor__path__startswith=path)
        found = set(Succession.objects.filter(condition).values_list("predecessor__path", flat=True))
        frontier = found - archive - member_paths
        archive |= frontier
    return archive


def actions_for_role(role: str) -> frozenset[str]:
    return ROLE_ACTIONS.get(role, frozenset())
