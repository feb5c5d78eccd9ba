"""Permission-matrix rows of the inbox (see tests/matrix.py).

Notifications belong to one user: every logged-in user has their own list and preferences, and
opening anyone else's notification answers 404 (the superuser's included).
"""

from reminders.models import Notification
from tests.matrix import Row, everyone


def setup(tree, actors):
    notification = Notification.objects.create(
        user=actors["officer_a"], title="Rà soát QT-01", url="/documents/", stage="due"
    )
    return {"notification": notification}


ROWS = [
    Row("reminders:notification_list", everyone(200)),
    Row(
        "reminders:notification_open",
        everyone(404, officer_a=302),
        kwargs=lambda ctx: {"pk": ctx.notification.pk},
        label="notification_open (officer A's)",
    ),
    Row("reminders:notification_read_all", everyone(302), method="post"),
    Row("reminders:preferences", everyone(200)),
    Row(
        "reminders:preferences",
        everyone(302),
        method="post",
        data={"email_enabled": "on", "digest_time": "07:30"},
        label="preferences (save)",
    ),
]
