"""Working days in Vietnam: Saturdays, Sundays and public holidays (Tết included) are off.

The calendar comes from the `holidays` package, which also knows the Saturdays that the
government turned into working days to bridge a holiday (e.g. Saturday 26/04/2025 for Friday
02/05/2025). A legal period that ends on a day off ends on the next working day (Civil Code
2015, Art. 148(5)): use `next_working_day` on such a due date.
"""

import datetime
import functools

import holidays

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (Labour Code 2019 and Decree 145/2020 for officials)
ONE_DAY = datetime.timedelta(days=1)


@functools.lru_cache(maxsize=64)
def _year(year: int) -> tuple[frozenset[datetime.date], frozenset[datetime.date]]:
    """(days off, weekend days worked) of one year."""
    calendar = holidays.country_holidays("VN", years=year)
    off = frozenset(day for day in calendar if day.year == year)
    worked = frozenset(day for day in getattr(calendar, "weekend_workdays", ()) if day.year == year)
    return off, worked


def is_holiday(day: datetime.date) -> bool:
    return day in _year(day.year)[0]


def is_working_day(day: datetime.date) -> bool:
    off, worked = _year(day.year)
    if day in worked:
        return True
    return day.weekday() not in WEEKEND and day not in off


def next_working_day(day: datetime.date) -> datetime.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += ONE_DAY
    return day


@functools.lru_cache(maxsize=8192)  # the sweep asks for many items that share a due date
def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]: how many working days have passed from `start` to `end`.

    0 when end <= start. So an item due on Friday is 1 working day overdue on Monday.
    """
    if end <= start:
        return 0
    count = 0
    day = start + ONE_DAY
    while day <= end:
        if is_working_day(day):
            count += 1
        day += ONE_DAY
    return count


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The date `count` working days after `day` (before it when count < 0); 0 gives `day`."""
    step = ONE_DAY if count >= 0 else -ONE_DAY
    remaining = abs(count)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day
