"""Demo: run the reminder sweep over the demo records, so the demo accounts find notifications
under the bell. Two sweeps: the last day of Việt Yên district (communes.demo.HISTORY_UNTIL), whose
notifications its officers received before their units merged, then today, when only the units in
operation (the new wards) get reminders. Safe to re-run (the outbox ignores what it holds)."""

from communes.demo import HISTORY_UNTIL
from core import clock
from reminders.services.delivery import deliver_reminders
from reminders.services.sweep import daily_sweep

ORDER = 200  # last: after the reorganisation demo made the old units inactive


def seed():
    created = sent = 0
    for day in sorted({min(HISTORY_UNTIL, clock.today()), clock.today()}):
        with clock.as_of(day):
            created += daily_sweep(day).total_created
            sent += deliver_reminders().sent
    return f"Reminders: {created} new in the outbox, {sent} notification(s) delivered."
