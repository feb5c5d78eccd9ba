from django.core.management.base import BaseCommand

from reminders.schedules import SCHEDULES, TIMEZONE, setup_periodic_tasks


class Command(BaseCommand):
    help = (
        "Create the periodic tasks that Celery beat runs (reminders sweep, delivery, digests, ...). "
        "Safe to re-run: existing entries, possibly edited in the admin panel, are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Put the default times back on existing entries too."
        )

    def handle(self, *args, reset=False, **options):
        outcome = setup_periodic_tasks(reset=reset)
        for schedule in SCHEDULES:
            cron = " ".join(schedule.crontab.values())
            self.stdout.write(
                f"{outcome[schedule.name]:8} {schedule.name} [{schedule.task}] {cron} ({TIMEZONE})"
            )
