"""Admin panel entries of the surveys app, scoped to the user's units (superusers see everything).

The pages and services keep the rules (rate limits, reconciliation); the admin panel is for looking
up and correcting records. A citizen's response is never edited: its answers are read only, and
its client key (a hash, never the address) is not shown.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.scoping import Action
from surveys.models import CRITERIA, Reconciliation, RecordCount, Response, Tally


class ScopedMixin:
    """Rows of the units in the user's scope only."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, Action.VIEW)


@admin.register(Response)
class ResponseAdmin(ScopedMixin, admin.ModelAdmin):
    list_display = ["submitted_at", "unit", "procedure", "overall", "comment", "nonconformity"]
    list_filter = ["overall"]
    search_fields = ["unit__name", "procedure__code", "procedure__name", "comment"]
    date_hierarchy = "submitted_at"
    list_select_related = ["unit", "procedure", "nonconformity"]
    raw_id_fields = ["unit", "procedure", "nonconformity"]
    exclude = ["client_key"]
    readonly_fields = ["unit", "procedure", "submitted_at", *CRITERIA, "comment", "contact"]

    def has_add_permission(self, request):
        return False  # responses come from the public page only


@admin.register(Tally)
class TallyAdmin(ScopedMixin, SimpleHistoryAdmin):
    list_display = [
        "unit",
        "channel",
        "procedure",
        "period_start",
        "period_end",
        "criterion",
        "very_satisfied",
        "satisfied",
        "neutral",
        "dissatisfied",
        "very_dissatisfied",
    ]
    list_filter = ["channel", "criterion"]
    search_fields = ["unit__name", "procedure__code", "note"]
    date_hierarchy = "period_start"
    list_select_related = ["unit", "procedure"]
    raw_id_fields = ["unit", "procedure", "created_by"]


@admin.register(RecordCount)
class RecordCountAdmin(ScopedMixin, SimpleHistoryAdmin):
    list_display = [
        "unit",
        "month",
        "source",
        "procedure",
        "received",
        "on_time",
        "late",
        "pending",
        "returned",
    ]
    list_filter = ["source"]
    search_fields = ["unit__name", "procedure__code"]
    date_hierarchy = "month"
    list_select_related = ["unit", "procedure"]
    raw_id_fields = ["unit", "procedure", "updated_by"]


@admin.register(Reconciliation)
class ReconciliationAdmin(ScopedMixin, SimpleHistoryAdmin):
    list_display = ["unit", "month", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["unit__name", "comment"]
    date_hierarchy = "month"
    list_select_related = ["unit", "decided_by"]
    raw_id_fields = ["unit", "decided_by"]
