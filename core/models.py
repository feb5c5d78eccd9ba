"""Shared model bases: every record owned by a unit inherits UnitScopedModel."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import Action, get_scope


class ScopedQuerySet(models.QuerySet):
    """A queryset that can narrow itself to what a user may see or do.

    Subclasses (or the model's `scope_unit_field`) say how to reach the owning Unit.
    """

    def for_user(self, user, action: str = Action.VIEW):
        unit_field = getattr(self.model, "scope_unit_field", "unit")
        return self.filter(get_scope(user).q(action, unit_field=unit_field))


class UnitScopedModel(models.Model):
    """A record owned by one unit; reached only through `objects.for_user(user, action)`."""

    scope_unit_field = "unit"

    unit = models.ForeignKey(
        "communes.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
