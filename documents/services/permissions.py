"""Permission checks shared by the documents services (messages safe to show)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.scoping import Action, can_anywhere, get_scope, require


def require_change(actor, unit):
    require(actor, Action.CHANGE, unit)


def can_approve(actor, unit) -> bool:
    scope = get_scope(actor)
    return scope.covers(Action.APPROVE, unit.path) or scope.covers(Action.CHANGE, unit.path)


def require_catalogue_manager(actor):
    """The TTHC catalogue and the legal register are kept by the supervisors' ISO staff."""
    if not can_anywhere(actor, Action.MANAGE):
        raise PermissionDenied(_("Only the supervisor's ISO staff keep the catalogues."))
