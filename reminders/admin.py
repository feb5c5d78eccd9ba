"""Admin panel entries of the reminders app.

Rule settings are the data that differs between provinces (lead days, escalation delay, the
month of the once-a-year rules). The outbox, the notifications and the digests are written by
the sweep and delivery: the admin panel shows them and lets an operator retry a failed row.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reminders.models import Digest, Notification, Preference, Reminder, RuleSetting, SweepRun
from reminders.rules import base


@admin.register(RuleSetting)
class RuleSettingAdmin(admin.ModelAdmin):
    list_display = ["rule", "unit", "lead_days", "escalate_after", "month", "enabled", "updated_at"]
    list_filter = ["enabled", "rule"]
    search_fields = ["rule", "unit__name"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "rule":
            # A dropdown of the registered rules rather than free text.
            from django import forms

            choices = [(rule.key, f"{rule.key} — {rule.label}") for rule in base.all_rules()]
            return forms.ChoiceField(
                choices=[("", "---------"), *choices], label=db_field.verbose_name, required=True
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.action(description=_("Retry delivery of the selected reminders"))
def retry_reminders(modeladmin, request, queryset):
    count = queryset.exclude(state=Reminder.State.SENT).update(
        state=Reminder.State.PENDING, attempts=0, claim_token=None, claimed_at=None
    )
    modeladmin.message_user(request, _("%(count)d reminder(s) will be delivered again.") % {"count": count})


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["title", "rule", "stage", "lead", "due_on", "recipient", "unit", "state", "attempts"]
    list_filter = ["state", "stage", "rule"]
    search_fields = ["title", "object_key", "recipient__username", "unit__name"]
    date_hierarchy = "due_on"
    list_select_related = ["recipient", "unit"]
    actions = [retry_reminders]
    readonly_fields = [
        "rule",
        "object_key",
        "unit",
        "due_on",
        "stage",
        "lead",
        "recipient",
        "title",
        "url",
        "created_at",
        "state",
        "claimed_at",
        "claim_token",
        "attempts",
        "sent_at",
        "last_error",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "stage", "due_on", "created_at", "read_at"]
    list_filter = ["stage", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    raw_id_fields = ["user", "reminder"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["user", "day", "items", "sent_at"]
    search_fields = ["user__username"]
    date_hierarchy = "day"
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_enabled", "digest_time"]
    list_filter = ["email_enabled"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(SweepRun)
class SweepRunAdmin(admin.ModelAdmin):
    list_display = ["day", "finished_at", "created", "errors"]
    date_hierarchy = "day"
    readonly_fields = ["day", "finished_at", "created", "errors"]

    def has_add_permission(self, request):
        return False
