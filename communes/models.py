"""Units of local government (a tree with lineage), QMS programme waves, and memberships."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import register as simple_history_register
from simple_history.models import HistoricalRecords

from core.models import ScopedQuerySet
from core.scoping import forget_scope
from core.text import fold


class Wave(models.Model):
    """A wave of the QMS programme, e.g. the 2017 pilot or the 2018 roll-out."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "name"]
        verbose_name = _("QMS programme wave")
        verbose_name_plural = _("QMS programme waves")

    def __str__(self):
        return self.name


def in_operation_q(day, prefix: str = "") -> Q:
    """Units in operation on `day` (a merged or abolished unit gets valid_until); `prefix` reads
    them through a relation, e.g. "unit__"."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day})
    )


def in_operation(valid_from, valid_until, day) -> bool:
    """The same test as in_operation_q, on a unit's dates."""
    return (valid_from is None or valid_from <= day) and (valid_until is None or valid_until >= day)


class UnitQuerySet(ScopedQuerySet):
    def active_on(self, day=None):
        return self.filter(in_operation_q(day or timezone.localdate()))

    def subtree(self, unit, include_self=True):
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def search(self, text):
        """Diacritic-blind search over name and code: `bich dong` finds Bích Động."""
        folded = fold(text)
        if not folded:
            return self
        return self.filter(Q(search_text__contains=folded) | Q(code=text.strip()))


class Unit(models.Model):
    """A unit of local government or an agency, placed in the tree of its supervisors.

    `path` is the chain of primary keys from the root ("12/57/"), so a subtree is one indexed
    prefix query. Units are never deleted: a merged or abolished unit gets `valid_until`.
    """

    scope_unit_field = None  # a unit is scoped by its own path

    class Kind(models.TextChoices):
        PROVINCE = "province", _("province")
        DISTRICT = "district", _("district")
        COMMUNE = "commune", _("commune")
        WARD = "ward", _("ward")
        TOWN = "town", _("town")
        SPECIAL_ZONE = "special_zone", _("special zone")
        AGENCY = "agency", _("agency")

    class CodeSystem(models.TextChoices):
        LEGACY = "legacy", _("before 1 July 2025 (63 provinces)")
        CURRENT = "2025", _("since 1 July 2025 (34 provinces)")
        LOCAL = "local", _("local (no national code)")

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(
        _("national code"),
        max_length=20,
        blank=True,
        help_text=_("Code in the national list of administrative units; empty for agencies."),
    )
    code_system = models.CharField(
        _("code list"), max_length=10, choices=CodeSystem.choices, default=CodeSystem.LOCAL
    )
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    wave = models.ForeignKey(
        Wave,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("QMS wave"),
    )
    joined_on = models.DateField(_("joined the QMS programme on"), null=True, blank=True)
    search_text = models.CharField(max_length=400, editable=False, default="", db_index=True)
    history = HistoricalRecords(excluded_fields=["search_text", "path", "depth"])

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["code_system", "code"],
                condition=~Q(code=""),
                name="unit_code_unique_per_code_list",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="unit_valid_until_after_valid_from",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("communes:unit_detail", args=[self.pk])

    @property
    def is_active(self):
        return self.in_operation_on(timezone.localdate())

    def in_operation_on(self, day) -> bool:
        return in_operation(self.valid_from, self.valid_until, day)

    def refresh_search_text(self):
        self.search_text = fold(f"{self.name} {self.short_name} {self.code}")

    def save(self, *args, **kwargs):
        """Keep `path`, `depth` and `search_text` in step. Moving a unit moves its subtree."""
        self.refresh_search_text()
        creating = self.pk is None
        if creating:
            super().save(*args, **kwargs)
            kwargs = {k: v for k, v in kwargs.items() if k == "using"}
        old_path = self.path
        parent_path = self.parent.path if self.parent_id else ""
        self.path = f"{parent_path}{self.pk}/"
        self.depth = self.path.count("/") - 1
        if creating:
            type(self).objects.filter(pk=self.pk).update(
                path=self.path, depth=self.depth, search_text=self.search_text
            )
            return
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            self._move_descendants(old_path)

    def _move_descendants(self, old_path):
        descendants = list(
            type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk).only("path")
        )
        for unit in descendants:
            unit.path = self.path + unit.path[len(old_path) :]
            unit.depth = unit.path.count("/") - 1
        type(self).objects.bulk_update(descendants, ["path", "depth"], batch_size=500)

    def clean(self):
        super().clean()
        errors = {}
        # The constraints alone would only say "Constraint … is violated": say it in words.
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("“Valid until” cannot be before “valid from”.")
        if (
            self.code
            and type(self)
            .objects.filter(code_system=self.code_system, code=self.code)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["code"] = _("Another unit of the same code list already has this code.")
        if self.pk and self.parent_id and self.parent.path.startswith(self.path):
            errors["parent"] = _("A unit cannot be placed under itself or one of its own units.")
        if errors:
            raise ValidationError(errors)


class Succession(models.Model):
    """One step of a unit's lineage: the predecessor's records pass to the successor."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("merger")
        SPLIT = "split", _("split")
        RENAME = "rename", _("rename")

    predecessor = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="successions_out", verbose_name=_("predecessor")
    )
    successor = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="successions_in", verbose_name=_("successor")
    )
    effective_on = models.DateField(_("effective on"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MERGE)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_on", "successor__name"]
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique_pair"),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor} ({self.get_kind_display()})"

    def get_absolute_url(self):
        return self.successor.get_absolute_url()


class Membership(models.Model):
    """A user's role on a unit; it covers the unit and its whole subtree."""

    class Role(models.TextChoices):
        VIEWER = "viewer", _("viewer")
        OFFICER = "officer", _("ISO officer")
        AUDITOR = "auditor", _("internal auditor")
        SUPERVISOR = "supervisor", _("supervisor (ISO staff)")
        COMMITTEE = "committee", _("steering committee member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__path", "role", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="membership_one_role_per_unit")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.unit}"

    def get_absolute_url(self):
        return self.unit.get_absolute_url()

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_scope(self.user)

    def delete(self, *args, **kwargs):
        forget_scope(self.user)
        return super().delete(*args, **kwargs)


# The admin panel keeps the change history of user accounts too (who was given access, when).
simple_history_register(get_user_model(), app=__package__, table_name="communes_historicaluser")
