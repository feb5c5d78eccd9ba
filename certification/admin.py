"""Admin panel entries of the certification app, with change history, scoped for non-superusers.

The services keep the status rules; the admin panel is for looking up and correcting records.
The status of a profile is never edited by hand; objectives, measurements, scoring rounds and
score sheets are created by the application's pages, and their workflow fields are read only.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from certification.models import (
    Criterion,
    Decision,
    Indicator,
    Measurement,
    Objective,
    QmsProfile,
    ScoreLine,
    ScoreSheet,
    ScoringRound,
    StandardVersion,
    VersionTransition,
)
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


class ReadOnlyInline(admin.TabularInline):
    """Rows kept by the services (flags, criteria, score lines): shown, not edited here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class ServiceRecordAdmin(ScopedAdmin):
    """Records that only the application's pages create (their services check the scope, the
    periods and the workflow) and that are never deleted (ISO 9001:2015 §7.5.3): the admin panel
    looks them up and corrects a text."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VersionTransition)
class VersionTransitionAdmin(ServiceRecordAdmin):
    list_display = ["unit", "target_version", "deadline"]
    list_filter = ["target_version"]
    search_fields = ["unit__name", "note"]
    list_select_related = ["unit", "target_version"]
    date_hierarchy = "deadline"
    readonly_fields = ["unit", "target_version"]


class IndicatorInline(ReadOnlyInline):
    model = Indicator
    fields = ["name", "unit_of_measure", "target", "direction", "frequency", "flagged", "flag_comment"]


@admin.register(Objective)
class ObjectiveAdmin(ServiceRecordAdmin):
    list_display = ["__str__", "unit", "year", "owner", "order"]
    list_filter = ["year"]
    search_fields = ["statement", "owner", "unit__name"]
    list_select_related = ["unit"]
    # The year carries the measurements' periods; copies keep their origin.
    readonly_fields = ["unit", "year", "copied_from"]
    inlines = [IndicatorInline]


@admin.register(Measurement)
class MeasurementAdmin(ServiceRecordAdmin):
    list_display = ["indicator", "unit", "year", "period", "value", "passed", "recorded_by", "recorded_on"]
    list_filter = ["indicator__objective__year", "indicator__frequency"]
    search_fields = ["indicator__name", "comment", "indicator__objective__unit__name"]
    list_select_related = ["indicator__objective__unit", "recorded_by"]
    date_hierarchy = "recorded_on"
    readonly_fields = ["indicator", "period", "recorded_by", "recorded_on"]

    @admin.display(description=_("unit"), ordering="indicator__objective__unit__path")
    def unit(self, obj):
        return obj.indicator.objective.unit

    @admin.display(description=_("year"), ordering="indicator__objective__year")
    def year(self, obj):
        return obj.indicator.objective.year

    @admin.display(description=_("passed"), boolean=True)
    def passed(self, obj):
        return obj.passed


class CriterionInline(ReadOnlyInline):
    model = Criterion
    fields = ["code", "title", "max_points", "source", "evidence", "order"]


@admin.register(ScoringRound)
class ScoringRoundAdmin(ServiceRecordAdmin):
    list_display = ["__str__", "unit", "year", "self_score_due", "commend_top", "support_bottom"]
    list_filter = ["year"]
    search_fields = ["unit__name"]
    list_select_related = ["unit"]
    readonly_fields = ["unit", "year"]
    inlines = [CriterionInline]


class ScoreLineInline(ReadOnlyInline):
    model = ScoreLine
    fields = [
        "criterion",
        "figure",
        "computed_points",
        "self_score",
        "self_comment",
        "final_score",
        "final_comment",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion", "sheet__round", "sheet__unit")


@admin.register(ScoreSheet)
class ScoreSheetAdmin(ServiceRecordAdmin):
    list_display = ["__str__", "unit", "round", "status", "self_total", "final_total", "approved_on"]
    list_filter = ["status", "round__year"]
    search_fields = ["unit__name", "remarks"]
    list_select_related = ["unit", "round__unit"]
    # Scores and states move only through the services (self-score, finalise, approve).
    readonly_fields = [
        "unit",
        "round",
        "status",
        "self_total",
        "final_total",
        "submitted_by",
        "submitted_on",
        "finalised_by",
        "finalised_on",
        "approved_by",
        "approved_on",
    ]
    inlines = [ScoreLineInline]
