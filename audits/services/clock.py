"""The audits services' clock: "today" for every audits service module.

`as_of(day)` runs the services as if today were `day`, for recording a unit's past audits,
actions and inspections (the demo, or a unit that joins with years of records). Never used by
the web views. The same approach as documents.services.lifecycle.as_of: a context variable, so
it is local to the running thread/task and always reset.
"""

import contextlib
import contextvars
import datetime

from django.utils import timezone

_as_of: contextvars.ContextVar[datetime.date | None] = contextvars.ContextVar("audits_as_of", default=None)


def today() -> datetime.date:
    return _as_of.get() or timezone.localdate()


@contextlib.contextmanager
def as_of(day: datetime.date):
    token = _as_of.set(day)
    try:
        yield
    finally:
        _as_of.reset(token)
