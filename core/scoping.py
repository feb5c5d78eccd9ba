"""The scoping rule (DESIGN.md §2): who may do what on which units' records.

A user's scope is a set of subtree roots per action, expressed by unit paths. A record is in
scope for an action when its unit's path starts with one of the roots granted for that action.
Which role grants which action lives in `communes.permissions`; core reaches it through the
QMS_SCOPE_PROVIDER setting so that core never imports a domain app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string

_CACHE_ATTR = "_qms_scope"


class Action:
    """What a user wants to do with a unit's records."""

    VIEW = "view"  # read the records
    CHANGE = "change"  # write the unit's QMS records
    AUDIT = "audit"  # record audit work on the unit
    MANAGE = "manage"  # catalogues, programmes, decisions, scoring, the unit tree itself
    APPROVE = "approve"  # approve decisions and score sheets

    ALL = (VIEW, CHANGE, AUDIT, MANAGE, APPROVE)


@dataclass(frozen=True)
class Scope:
    """Subtree roots (unit paths) per action. `everything` is the superuser's scope."""

    roots: dict[str, frozenset[str]] = field(default_factory=dict)
    everything: bool = False
    # Roots readable only as an archive: predecessors of the user's units (also in VIEW's roots).
    archive: frozenset[str] = frozenset()

    def paths(self, action: str) -> frozenset[str]:
        return self.roots.get(action, frozenset())

    def q(self, action: str, unit_field: str | None = "unit") -> Q:
        """A filter selecting the rows whose unit is in scope for `action`.

        `unit_field` is the lookup path from the model to its owning Unit (None for Unit).
        """
        if self.everything:
            return Q()
        lookup = f"{unit_field}__path__startswith" if unit_field else "path__startswith"
        roots = _minimal_roots(self.paths(action))
        if not roots:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{lookup: root}) for root in sorted(roots)))

    def covers(self, action: str, path: str) -> bool:
        return self.everything or any(path.startswith(root) for root in self.paths(action))

    def is_archive(self, path: str) -> bool:
        """Whether a unit is readable only as a predecessor's archive: no role covers it."""
        if self.everything or not any(path.startswith(root) for root in self.archive):
            return False
        member_roots = set().union(*self.roots.values()) - self.archive
        return not any(path.startswith(root) for root in member_roots)


def _minimal_roots(paths: frozenset[str]) -> set[str]:
    """Drop roots inside other roots: fewer OR branches, the same rows."""
    ordered = sorted(paths, key=len)
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(root) for root in kept):
            kept.append(path)
    return set(kept)


def get_scope(user) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = Scope(everything=True) if user.is_superuser else _provider()(user)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_scope(user) -> None:
    """Drop the cached scope, e.g. after the user's memberships changed."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _provider():
    return import_string(settings.QMS_SCOPE_PROVIDER)


def can_anywhere(user, action: str) -> bool:
    """Whether the user may do `action` on at least one unit (e.g. keep the catalogues)."""
    scope = get_scope(user)
    return scope.everything or bool(scope.paths(action))


def require(user, action: str, unit, message=None) -> None:
    """Raise PermissionDenied unless the user may do `action` on `unit`'s records.

    `message` may use %(unit)s; the default says the action is not allowed for the unit.
    """
    if not get_scope(user).covers(action, unit.path):
        from django.core.exceptions import PermissionDenied
        from django.utils.translation import gettext as _

        raise PermissionDenied((message or _("You may not do this for %(unit)s.")) % {"unit": unit})
