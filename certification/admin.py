"""Admin panel entries of the certification app, with change history, scoped for non-superusers.

The services keep the status rules; the admin panel is for looking up and correcting records.
The status of a profile is never edited by hand.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from certification.models import Decision, QmsProfile, StandardVersion
from core.scoping import Action


class ScopedAdmin(SimpleHistoryAdmin):
    """Rows of the units in the user's scope only (superusers see everything)."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, Action.VIEW)


@admin.register(StandardVersion)
class StandardVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "sort_order"]
    ordering = ["sort_order"]


@admin.register(QmsProfile)
class QmsProfileAdmin(ScopedAdmin):
    list_display = ["unit", "standard_version", "status", "effective_confirmed_on"]
    list_filter = ["status", "standard_version"]
    search_fields = ["unit__name"]
    readonly_fields = ["status"]
    autocomplete_fields = ["procedures"]
    list_select_related = ["unit", "standard_version"]


@admin.register(Decision)
class DecisionAdmin(ScopedAdmin):
    list_display = ["number", "unit", "kind", "signed_on", "signer", "standard_version", "superseded_by"]
    list_filter = ["kind", "standard_version"]
    search_fields = ["number", "unit__name", "signer"]
    date_hierarchy = "signed_on"
    list_select_related = ["unit", "standard_version", "superseded_by"]
