"""The periodic tasks that beat runs, created by `manage.py setup_periodic_tasks`.

They live in django-celery-beat's tables, so an administrator can change their times in the
admin panel; a re-run of the command creates what is missing and leaves edited entries alone
(`--reset` puts the times below back). Times are Vietnam time.
"""

from dataclasses import dataclass

from django.db import transaction

TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Schedule:
    name: str  # the PeriodicTask's unique name: the key that makes the command idempotent
    task: str
    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"
    description: str = ""

    @property
    def crontab(self) -> dict:
        return {
            "minute": self.minute,
            "hour": self.hour,
            "day_of_week": self.day_of_week,
            "day_of_month": self.day_of_month,
            "month_of_year": self.month_of_year,
        }


SCHEDULES = [
    Schedule(
        name="reminders: daily sweep",
        task="reminders.sweep",
        minute="0",
        hour="6",
        description="What falls due today, written to the outbox, then delivered in the app.",
    ),
    Schedule(
        name="reminders: delivery",
        task="reminders.deliver",
        minute="*/15",
        description="Delivers the outbox (retries failed rows) and catches up a missed sweep.",
    ),
    Schedule(
        name="reminders: email digests",
        task="reminders.digest",
        minute="*/15",
        description="One mail a day per user, after the digest time of their preferences.",
    ),
    Schedule(
        name="documents: bring due revisions into force",
        task="documents.make_due_revisions_effective",
        minute="5",
        hour="0",
        description="Approved issues whose effective date has come take effect.",
    ),
]


@transaction.atomic
def setup_periodic_tasks(reset: bool = False, schedules=None) -> dict[str, str]:
    """Create the periodic tasks; {name: "created" | "kept" | "reset"}."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    outcome = {}
    for schedule in schedules or SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(**schedule.crontab, timezone=TIMEZONE)
        task = PeriodicTask.objects.filter(name=schedule.name).first()
        if task is None:
            PeriodicTask.objects.create(
                name=schedule.name,
                task=schedule.task,
                crontab=crontab,
                description=schedule.description,
                enabled=True,
            )
            outcome[schedule.name] = "created"
        elif reset:
            task.task = schedule.task
            task.crontab = crontab
            task.interval = task.solar = task.clocked = None
            task.one_off = False
            task.description = schedule.description
            task.enabled = True
            task.args, task.kwargs = "[]", "{}"
            task.save()
            outcome[schedule.name] = "reset"
        else:
            outcome[schedule.name] = "kept"
    return outcome
