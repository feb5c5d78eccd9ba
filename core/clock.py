"""The services' clock: "today" for every domain service.

`as_of(day)` runs the services as if today were `day`, for recording a unit's past records (the
demo, or a unit that joins with years of documents, audits and decisions behind it). Never used
by the web views. A context variable, so it is local to the running thread or task and always
reset.
"""

import contextlib
import contextvars
import datetime

from django.utils import timezone

_as_of: contextvars.ContextVar[datetime.date | None] = contextvars.ContextVar("services_as_of", default=None)


def today() -> datetime.date:
    return _as_of.get() or timezone.localdate()


def now() -> datetime.datetime:
    """The current moment; under `as_of(day)`, the same time of day on `day` (an aware datetime)."""
    moment = timezone.localtime()
    day = _as_of.get()
    return moment if day is None else moment.replace(year=day.year, month=day.month, day=day.day)


@contextlib.contextmanager
def as_of(day: datetime.date):
    token = _as_of.set(day)
    try:
        yield
    finally:
        _as_of.reset(token)
