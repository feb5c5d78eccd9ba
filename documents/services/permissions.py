"""Permission checks shared by the documents services (messages safe to show)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.scoping import Action, can_anywhere, get_scope


def require(actor, action, unit):
    if not get_scope(actor).covers(action, unit.path):
        raise PermissionDenied(_("You may not do this for %(unit)s.") % {"unit": unit})


def require_change(actor, unit):
    require(actor, Action.CHANGE, unit)


def can_approve(actor, unit) -> bool:
    scope = get_scope(actor)
    return scope.covers(Action.APPROVE, unit.path) or scope.covers(Action.CHANGE, unit.path)


def require_catalogue_manager(actor):
    """The TTHC catalogue and the legal register are kept by the supervisors' ISO staff."""
    if not can_anywhere(actor, Action.MANAGE):
        raise PermissionDenied(_("Only the supervisor's ISO staff keep the catalogues."))
