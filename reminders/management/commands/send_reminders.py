import datetime

from django.core.management.base import BaseCommand, CommandError

from reminders.rules.base import all_rules
from reminders.services.delivery import deliver_reminders
from reminders.services.sweep import daily_sweep, sweep


class Command(BaseCommand):
    help = (
        "Run the reminder sweep once and deliver the in-app notifications; print, per rule and "
        "stage, what it sends (or, with --dry-run, would send, writing nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Compute and print; write and send nothing."
        )
        parser.add_argument("--date", help="Sweep as if today were this day (yyyy-mm-dd).")
        parser.add_argument(
            "--rule", action="append", dest="rules", metavar="KEY", help="Only this rule (repeatable)."
        )

    def handle(self, *args, dry_run=False, date=None, rules=None, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        known = {rule.key for rule in all_rules()}
        unknown = sorted(set(rules or ()) - known)
        if unknown:
            raise CommandError(f"Unknown rule(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}")
        # A partial run (some rules only) does not count as the day's sweep.
        partial = dry_run or rules
        summary = sweep(today=today, dry_run=dry_run, rules=rules) if partial else daily_sweep(today)
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"Reminders for {summary.today:%d/%m/%Y}{' (dry run)' if dry_run else ''}:")
        for rule in all_rules():
            if rules and rule.key not in rules:
                continue
            created = summary.created.get(rule.key, {})
            candidates = summary.candidates.get(rule.key, {})
            items = summary.items.get(rule.key, 0)
            line = f"  {rule.key}: {items} item(s)"
            if rule.key in summary.errors:
                self.stdout.write(self.style.ERROR(f"{line}; failed: {summary.errors[rule.key]}"))
                continue
            self.stdout.write(line)
            for stage, lead in sorted(set(created) | set(candidates)):
                label = _label(stage, lead)
                self.stdout.write(
                    f"    {label}: {verb} {created.get((stage, lead), 0)}"
                    f" (already in the outbox: {candidates.get((stage, lead), 0) - created.get((stage, lead), 0)})"
                )
        self.stdout.write(f"Total: {verb} {summary.total_created} reminder(s).")
        if not dry_run:
            result = deliver_reminders()
            self.stdout.write(f"Delivered in the app: {result.sent}; failed: {result.failed}.")
        if summary.errors:
            raise CommandError(f"{len(summary.errors)} rule(s) failed: {', '.join(summary.errors)}")


def _label(stage, lead):
    if stage == "upcoming":
        return f"upcoming ({lead} days before)"
    if stage == "escalated":
        return f"escalated (level {lead})"
    return stage
