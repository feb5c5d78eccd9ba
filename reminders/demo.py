"""Demo: run the reminder sweep over the demo records, so the demo accounts find notifications
under the bell. Safe to re-run (the outbox ignores what it already holds)."""

from reminders.services.delivery import deliver_reminders
from reminders.services.sweep import daily_sweep


def seed():
    summary = daily_sweep()
    delivered = deliver_reminders()
    return (
        f"Reminders: {summary.total_created} new in the outbox, {delivered.sent} notification(s) delivered."
    )
