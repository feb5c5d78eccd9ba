"""Admin panel entries of the audits app, with change history, scoped for non-superusers.

Day-to-day work happens in the application's pages (the services keep the workflow rules);
the admin panel lets the steering committee look up and correct the records of its own subtree.
The ISO 9001 clauses ship with the project as data: read only.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from audits.models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    Clause,
    CorrectiveAction,
    Finding,
    FindingAttachment,
    Inspection,
    InspectionFinding,
    ManagementReview,
    Nonconformity,
    ReviewOutput,
)
from core.scoping import Action


class ScopedMixin:
    """Rows of the units in the user's scope only (superusers see everything)."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user, Action.VIEW)


class ScopedAdmin(ScopedMixin, SimpleHistoryAdmin):
    pass


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(Clause)
class ClauseAdmin(admin.ModelAdmin):
    """ISO 9001:2015 clauses, loaded by a data migration: read only (no history of their own)."""

    list_display = ["code", "title_vi", "title_en"]
    search_fields = ["code", "title_vi", "title_en"]
    ordering = ["sort_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditInline(ReadOnlyInline):
    model = Audit
    fields = ["unit", "planned_month", "lead_auditor", "state"]


@admin.register(AuditProgramme)
class AuditProgrammeAdmin(ScopedAdmin):
    list_display = ["title", "unit", "year", "created_by"]
    list_filter = ["year"]
    search_fields = ["title", "unit__name"]
    list_select_related = ["unit", "created_by"]
    readonly_fields = ["unit", "year", "created_by"]
    inlines = [AuditInline]


class ChecklistInline(ReadOnlyInline):
    model = ChecklistItem
    fields = ["clause", "question", "answer", "evidence"]


class FindingInline(ReadOnlyInline):
    model = Finding
    fields = ["kind", "clause", "description", "evidence", "raised_by"]


@admin.register(Audit)
class AuditAdmin(ScopedAdmin):
    list_display = ["__str__", "unit", "programme", "planned_month", "lead_auditor", "state"]
    list_filter = ["state", "programme__year"]
    search_fields = ["unit__name", "conclusion"]
    list_select_related = ["unit", "programme", "lead_auditor"]
    date_hierarchy = "planned_month"
    # The workflow (states and their dates) belongs to the services.
    readonly_fields = ["unit", "programme", "state", "started_on", "report_issued_on", "closed_on"]
    filter_horizontal = ["scope_clauses", "team"]
    inlines = [ChecklistInline, FindingInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ScopedAdmin):
    list_display = ["audit", "clause", "question", "answer"]
    list_filter = ["answer"]
    search_fields = ["question", "evidence", "audit__unit__name"]
    list_select_related = ["audit__unit", "clause"]
    readonly_fields = ["audit"]


class AttachmentInline(ReadOnlyInline):
    model = FindingAttachment
    fields = ["original_name", "file_type", "size", "uploaded_by", "uploaded_at"]
    show_change_link = False


@admin.register(Finding)
class FindingAdmin(ScopedAdmin):
    list_display = ["__str__", "audit", "kind", "clause", "raised_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["description", "evidence", "audit__unit__name"]
    list_select_related = ["audit__unit", "clause", "raised_by"]
    # The kind decides whether a nonconformity was raised: not changed after the fact.
    readonly_fields = ["audit", "kind", "raised_by"]
    inlines = [AttachmentInline]


@admin.register(FindingAttachment)
class FindingAttachmentAdmin(ScopedMixin, admin.ModelAdmin):
    """Files are checked by content on upload (core.files): never replaced here. The model keeps
    no history: an attachment is only added or removed with its finding."""

    list_display = ["original_name", "finding", "file_type", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["file_type"]
    list_select_related = ["finding__audit__unit", "finding__clause", "uploaded_by"]
    readonly_fields = ["finding", "file", "original_name", "file_type", "size", "sha256", "uploaded_by"]

    def has_add_permission(self, request):
        return False


class ActionInline(ReadOnlyInline):
    model = CorrectiveAction
    fields = ["action", "owner", "due_on", "state", "verified_by", "verified_on"]


@admin.register(Nonconformity)
class NonconformityAdmin(ScopedAdmin):
    list_display = ["title", "unit", "source", "clause", "raised_on", "status", "closed_on"]
    list_filter = ["status", "source"]
    search_fields = ["title", "description", "unit__name"]
    list_select_related = ["unit", "clause"]
    date_hierarchy = "raised_on"
    # Closing follows the verification of its actions (§10.2), not a click here.
    readonly_fields = ["unit", "source", "finding", "inspection_finding", "status", "closed_on", "raised_by"]
    inlines = [ActionInline]


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ScopedAdmin):
    list_display = ["__str__", "nonconformity", "owner", "due_on", "state", "verified_by"]
    list_filter = ["state"]
    search_fields = ["action", "root_cause", "nonconformity__title", "nonconformity__unit__name"]
    list_select_related = ["nonconformity__unit", "owner", "verified_by"]
    date_hierarchy = "due_on"
    readonly_fields = ["nonconformity", "state", "verified_by", "verified_on"]


class ReviewOutputInline(ReadOnlyInline):
    model = ReviewOutput
    fields = ["kind", "decision", "nonconformity"]


@admin.register(ManagementReview)
class ManagementReviewAdmin(ScopedAdmin):
    list_display = ["__str__", "unit", "held_on", "chair"]
    search_fields = ["unit__name", "chair", "conclusion"]
    list_select_related = ["unit"]
    date_hierarchy = "held_on"
    readonly_fields = ["unit", "recorded_by"]
    inlines = [ReviewOutputInline]


@admin.register(ReviewOutput)
class ReviewOutputAdmin(ScopedAdmin):
    list_display = ["__str__", "review", "kind", "nonconformity"]
    list_filter = ["kind"]
    search_fields = ["decision", "review__unit__name"]
    list_select_related = ["review__unit", "nonconformity"]
    readonly_fields = ["review", "nonconformity"]


class InspectionFindingInline(ReadOnlyInline):
    model = InspectionFinding
    fields = ["clause", "description"]


@admin.register(Inspection)
class InspectionAdmin(ScopedAdmin):
    list_display = [
        "__str__",
        "unit",
        "decision_number",
        "minutes_signed_on",
        "report_due_on",
        "report_submitted_on",
    ]
    list_filter = ["year"]
    search_fields = ["unit__name", "decision_number"]
    list_select_related = ["unit"]
    readonly_fields = ["unit", "minutes_signed_on", "report_due_on", "created_by"]
    inlines = [InspectionFindingInline]


@admin.register(InspectionFinding)
class InspectionFindingAdmin(ScopedAdmin):
    list_display = ["__str__", "inspection", "clause"]
    search_fields = ["description", "inspection__unit__name"]
    list_select_related = ["inspection__unit", "clause"]
    readonly_fields = ["inspection"]
