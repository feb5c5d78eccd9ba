from django.utils.functional import SimpleLazyObject

from reminders.models import Notification


def notifications(request):
    """The bell's unread count: one query when a page shows it, none for anonymous users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user).unread().count()
        )
    }
