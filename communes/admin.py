"""The steering committee's admin panel: units, memberships, lineage and waves, with change
history (django-simple-history) and import/export of units (django-import-export).

Non-superusers see only the units of their own subtree here too.
"""

from django.contrib import admin
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

    def get_search_results(self, request, queryset, search_term):
        from core.text import fold

        return super().get_search_results(request, queryset, fold(search_term) or search_term)


class MembershipQuerySetMixin:
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(unit__in=Unit.objects.for_user(request.user, Action.VIEW))


@admin.register(Membership)
class MembershipAdmin(MembershipQuerySetMixin, SimpleHistoryAdmin):
    list_display = ["user", "role", "unit", "title", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
    list_select_related = ["user", "unit"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit" and not request.user.is_superuser:
            kwargs["queryset"] = Unit.objects.for_user(request.user, Action.VIEW)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Succession)
class SuccessionAdmin(SimpleHistoryAdmin):
    list_display = ["predecessor", "successor", "kind", "effective_on"]
    list_filter = ["kind", "effective_on"]
    autocomplete_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]


@admin.register(Wave)
class WaveAdmin(SimpleHistoryAdmin):
    list_display = ["name", "year"]
    search_fields = ["name"]


admin.site.empty_value_display = _("—")
