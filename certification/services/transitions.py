"""Version transitions: the supervisor sets a target version and a deadline for every unit
under it (e.g. all communes on TCVN ISO 9001:2015 before August 2019)."""

from django.db import transaction
from django.utils.translation import gettext_lazy

from certification.models import VersionTransition
from core.scoping import Action, require

MANAGE_DENIED = gettext_lazy("Only the supervisor of %(unit)s may set a version transition.")


@transaction.atomic
def transition_create(*, actor, unit, target_version, deadline, note="") -> VersionTransition:
    require(actor, Action.MANAGE, unit, MANAGE_DENIED)
    transition = VersionTransition(
        unit=unit, target_version=target_version, deadline=deadline, note=(note or "").strip()
    )
    transition.full_clean()
    transition.save()
    return transition


@transaction.atomic
def transition_update(*, actor, transition, deadline=None, note=None) -> VersionTransition:
    transition = VersionTransition.objects.select_for_update().select_related("unit").get(pk=transition.pk)
    require(actor, Action.MANAGE, transition.unit, MANAGE_DENIED)
    if deadline is not None:
        transition.deadline = deadline
    if note is not None:
        transition.note = note.strip()
    transition.full_clean()
    transition.save()
    return transition


@transaction.atomic
def transition_delete(*, actor, transition) -> None:
    transition = VersionTransition.objects.select_for_update().select_related("unit").get(pk=transition.pk)
    require(actor, Action.MANAGE, transition.unit, MANAGE_DENIED)
    transition.delete()
