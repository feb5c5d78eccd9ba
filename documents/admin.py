"""Admin panel entries of the documents app, with change history, scoped for non-superusers.

Day-to-day work happens in the application's pages; the admin panel lets the steering
committee look up and correct the records of its own subtree.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.scoping import Action
from documents.models import (
    Adoption,
    DecisionItem,
    Document,
    LegalDocument,
    Procedure,
    ProcedureDecision,
    ReviewRecord,
    Revision,
    UpdateTask,
)


class ScopedAdmin(SimpleHistoryAdmin):
    """Rows of the units in the user's scope only (superusers see everything)."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, Action.VIEW)


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    fields = ["number", "state", "prepared_by", "approved_by", "approved_on", "effective_from"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False


@admin.register(Document)
class DocumentAdmin(ScopedAdmin):
    list_display = ["code", "title", "unit", "kind", "status", "next_review_on", "is_model"]
    list_filter = ["kind", "status", "is_model"]
    search_fields = ["code", "title", "search_text"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit", "procedures", "legal_bases", "owner"]
    readonly_fields = ["status"]
    inlines = [RevisionInline]


@admin.register(Revision)
class RevisionAdmin(ScopedAdmin):
    list_display = ["document", "number", "state", "prepared_by", "approved_by", "effective_from"]
    list_filter = ["state"]
    search_fields = ["document__code", "document__title"]
    list_select_related = ["document", "prepared_by", "approved_by"]
    readonly_fields = ["document", "number", "state", "prepared_by", "approved_by", "approved_on"]


@admin.register(ReviewRecord)
class ReviewRecordAdmin(ScopedAdmin):
    list_display = ["document", "reviewed_on", "reviewer", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["document", "reviewer"]


@admin.register(Adoption)
class AdoptionAdmin(ScopedAdmin):
    list_display = ["model_document", "unit", "status", "adopted_revision"]
    list_filter = ["status"]
    list_select_related = ["model_document", "unit"]


@admin.register(UpdateTask)
class UpdateTaskAdmin(ScopedAdmin):
    list_display = ["unit", "action", "reason", "document", "procedure", "due_on", "status", "done_on"]
    list_filter = ["status", "reason", "action"]
    list_select_related = ["unit", "document", "procedure"]
    date_hierarchy = "due_on"


@admin.register(Procedure)
class ProcedureAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "field", "level", "status"]
    list_filter = ["level", "status", "field"]
    search_fields = ["code", "name", "search_text"]
    autocomplete_fields = ["legal_bases"]


class DecisionItemInline(admin.TabularInline):
    model = DecisionItem
    extra = 0
    autocomplete_fields = ["procedure"]
    readonly_fields = ["tasks_opened_at"]


@admin.register(ProcedureDecision)
class ProcedureDecisionAdmin(SimpleHistoryAdmin):
    list_display = ["number", "issuer", "signed_on", "effective_on"]
    search_fields = ["number", "title"]
    inlines = [DecisionItemInline]


@admin.register(LegalDocument)
class LegalDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["number", "kind", "issuer", "title", "effective_on", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "title", "search_text"]
