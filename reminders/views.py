"""The inbox: the user's own notifications and reminder preferences.

A notification belongs to one user: anyone else's answers 404, as if it did not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import run_form
from reminders.forms import PreferenceForm
from reminders.models import Notification, Stage
from reminders.services import inbox

PER_PAGE = 25
STAGE_CSS = {
    Stage.UPCOMING: "text-bg-info",
    Stage.DUE: "text-bg-primary",
    Stage.OVERDUE: "text-bg-warning",
    Stage.ESCALATED: "text-bg-danger",
}


@login_required
def notification_list(request):
    """The user's notifications, unread first; ?unread=1 shows only the unread, ?q= searches."""
    notifications = Notification.objects.filter(user=request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        notifications = notifications.unread()
    query = request.GET.get("q", "").strip()
    if query:
        notifications = notifications.filter(title__icontains=query)
    notifications = notifications.annotate(
        unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    ).order_by("-unread", "-created_at", "-id")
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    for notification in page.object_list:
        notification.stage_css = STAGE_CSS.get(notification.stage, "text-bg-secondary")
    return render(
        request,
        "reminders/notification_list.html",
        {"page_obj": page, "unread_only": unread_only, "query": query},
    )


@login_required
def notification_open(request, pk):
    """Mark the notification read and go to the page where the user acts on it."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    inbox.mark_read(user=request.user, notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("reminders:notification_list")
    return redirect(target)


@login_required
@require_POST
def notification_read_all(request):
    count = inbox.mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notification(s) marked as read.") % {"count": count})
    return redirect("reminders:notification_list")


@login_required
def preferences(request):
    """The user's own reminder preferences (email digest on or off, its time)."""
    current = inbox.preference_of(request.user)
    form = PreferenceForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial={"email_enabled": current.email_enabled, "digest_time": current.digest_time},
    )

    def save(data):
        inbox.preference_save(user=request.user, data=data)
        return reverse("reminders:preferences")

    return run_form(
        request,
        form,
        save,
        success=_("Your preferences were saved."),
        template="reminders/preferences.html",
    )
