"""Small helpers shared by the rules modules (documents, audits, certification).

Not a rules module itself: it registers nothing.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from communes.models import in_operation_q
from reminders.workdays import next_working_day


def in_scope_q(context, prefix: str = "unit__") -> Q:
    """Rows whose unit is in operation on the context's day and, when the context names units
    (`context.unit_ids`), is one of them: every rule filters its rows with it."""
    # A merged or abolished unit gets valid_until: it has no one left to remind.
    q = in_operation_q(context.today, prefix)
    if context.unit_ids is not None:
        q &= Q(**{f"{prefix}pk__in": sorted(context.unit_ids)})
    return q


def legal_period_end(start: datetime.date, *, days: int = 0, months: int = 0) -> datetime.date:
    """The last day of a period counted from `start`, moved to the next working day when it is a
    day off (Civil Code 2015, Art. 148(5)): a period ending on a day off ends on the next
    working day."""
    return next_working_day(start + relativedelta(months=months, days=days))


def short(text: str, length: int = 120) -> str:
    """One line of at most `length` characters (titles stay readable in a digest line)."""
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 1) + relativedelta(months=1, days=-1)
