"""Admin panel entry of the annual reports, with change history, scoped for non-superusers.

The reports are written on their page (reports:annual_report_edit); the admin panel is for
looking them up and correcting them.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.scoping import Action
from reports.models import AnnualReport


@admin.register(AnnualReport)
class AnnualReportAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "year", "updated_by", "updated_at"]
    list_filter = ["year"]
    search_fields = ["unit__name", "problems", "proposals"]
    readonly_fields = ["updated_by", "created_at", "updated_at"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit", "updated_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, Action.VIEW)
