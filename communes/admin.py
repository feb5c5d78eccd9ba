"""The steering committee's admin panel: units, memberships, lineage and waves, with change
history (django-simple-history) and import/export of units (django-import-export).

Non-superusers see only the units of their own subtree here too.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import ForeignKeyWidget
from simple_history.admin import SimpleHistoryAdmin

from communes.models import Membership, Succession, Unit, Wave
from core.scoping import Action


class UnitResource(resources.ModelResource):
    """Units are matched on (code list, national code) so that a re-import updates in place."""

    parent_code = fields.Field(
        attribute="parent", column_name="parent_code", widget=ForeignKeyWidget(Unit, field="code")
    )
    wave = fields.Field(attribute="wave", column_name="wave", widget=ForeignKeyWidget(Wave, field="name"))

    class Meta:
        model = Unit
        import_id_fields = ["code_system", "code"]
        fields = [
            "code_system",
            "code",
            "name",
            "short_name",
            "kind",
            "parent_code",
            "wave",
            "joined_on",
            "valid_from",
            "valid_until",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True


class ScopedAdminMixin:
    """Committee members manage the records of their own subtree only."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, Action.VIEW)


@admin.register(Unit)
class UnitAdmin(ScopedAdminMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [UnitResource]
    list_display = ["name", "kind", "code", "code_system", "parent", "wave", "joined_on", "valid_until"]
    list_filter = ["kind", "code_system", "wave"]
    search_fields = ["name", "code", "search_text"]
    list_select_related = ["parent", "wave"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]

    def has_import_permission(self, request):
        # An import may create units anywhere in the country: administrators only.
        return request.user.is_superuser

    def get_search_results(self, request, queryset, search_term):
        from core.text import fold

        return super().get_search_results(request, queryset, fold(search_term) or search_term)


class MembershipQuerySetMixin:
    """Memberships on units in the user's scope; new ones only on such units."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(unit__in=Unit.objects.for_user(request.user, Action.VIEW))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit" and not request.user.is_superuser:
            kwargs["queryset"] = Unit.objects.for_user(request.user, Action.VIEW)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Membership)
class MembershipAdmin(MembershipQuerySetMixin, SimpleHistoryAdmin):
    list_display = ["user", "role", "unit", "title", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]


@admin.register(Succession)
class SuccessionAdmin(SimpleHistoryAdmin):
    list_display = ["predecessor", "successor", "kind", "effective_on"]
    list_filter = ["kind", "effective_on"]
    autocomplete_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(successor__in=Unit.objects.for_user(request.user, Action.VIEW))


@admin.register(Wave)
class WaveAdmin(SimpleHistoryAdmin):
    list_display = ["name", "year"]
    search_fields = ["name"]


class MembershipInline(MembershipQuerySetMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["unit", "role", "title"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class QmsUserAdmin(UserAdmin, SimpleHistoryAdmin):
    """Users with their memberships. Only a superuser can grant admin rights or permissions:
    a committee member manages accounts, not privileges."""

    inlines = [MembershipInline]
    list_display = ["username", "last_name", "first_name", "email", "is_active", "is_staff"]
    privilege_fields = ("is_superuser", "is_staff", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [f for f in self.privilege_fields if f not in readonly]
        return readonly

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        # Accounts of their units, and accounts not yet given any role (to be assigned).
        units = Unit.objects.for_user(request.user, Action.VIEW)
        in_scope = Q(memberships__unit__in=units) | Q(memberships__isnull=True)
        return qs.filter(in_scope, is_superuser=False).distinct()


admin.site.empty_value_display = _("—")
