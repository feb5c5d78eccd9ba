"""Working days in Vietnam: weekends, public holidays and Tết are skipped (known dates)."""

import datetime

import pytest

from reminders import workdays

D = datetime.date


@pytest.mark.parametrize(
    "day",
    [
        D(2025, 1, 1),  # New Year
        D(2025, 1, 27),  # Tết 2025: 27/01 – 31/01
        D(2025, 1, 29),
        D(2025, 1, 31),
        D(2025, 4, 7),  # Hùng Kings
        D(2025, 4, 30),  # Reunification Day
        D(2025, 5, 1),  # Labour Day
        D(2025, 9, 1),
        D(2025, 9, 2),  # National Day
        D(2026, 2, 16),  # Tết 2026: 16/02 – 20/02
        D(2026, 2, 17),
        D(2026, 2, 20),
        D(2026, 4, 30),
        D(2026, 5, 1),
        D(2026, 9, 2),
    ],
)
def test_public_holidays_are_days_off(day):
    assert workdays.is_holiday(day)
    assert not workdays.is_working_day(day)


def test_weekends_are_off_and_weekdays_on():
    assert not workdays.is_working_day(D(2025, 3, 8))  # Saturday
    assert not workdays.is_working_day(D(2025, 3, 9))  # Sunday
    assert workdays.is_working_day(D(2025, 3, 10))  # Monday
    assert workdays.is_working_day(D(2025, 3, 14))  # Friday


def test_a_saturday_swapped_for_a_bridge_day_is_worked():
    # Friday 02/05/2025 was given off in exchange for working Saturday 26/04/2025.
    assert not workdays.is_working_day(D(2025, 5, 2))
    assert workdays.is_working_day(D(2025, 4, 26))


def test_next_working_day_skips_tet_and_weekends():
    # A period ending on the eve of Tết 2026 (Monday 16/02) ends on Monday 23/02 (Art. 148).
    assert workdays.next_working_day(D(2026, 2, 16)) == D(2026, 2, 23)
    assert workdays.next_working_day(D(2025, 4, 30)) == D(2025, 5, 5)  # 30/4, 1/5, 2/5, weekend
    assert workdays.next_working_day(D(2025, 8, 30)) == D(2025, 9, 3)  # Sat, Sun, 1/9, 2/9
    assert workdays.next_working_day(D(2025, 3, 12)) == D(2025, 3, 12)  # already a working day


def test_working_days_between_counts_the_days_after_start_up_to_end():
    assert workdays.working_days_between(D(2025, 3, 14), D(2025, 3, 17)) == 1  # Fri → Mon
    assert workdays.working_days_between(D(2025, 3, 10), D(2025, 3, 14)) == 4
    assert workdays.working_days_between(D(2025, 3, 14), D(2025, 3, 14)) == 0
    assert workdays.working_days_between(D(2025, 3, 14), D(2025, 3, 10)) == 0
    # Over Tết 2025: Fri 24/01 → Mon 03/02 is one working day (27–31/01 off, weekends off).
    assert workdays.working_days_between(D(2025, 1, 24), D(2025, 2, 3)) == 1
    # Across the year end: Wed 31/12/2025 → Fri 02/01/2026 (01/01 off).
    assert workdays.working_days_between(D(2025, 12, 31), D(2026, 1, 2)) == 1


def test_add_working_days_skips_holidays_both_ways():
    assert workdays.add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)
    assert workdays.add_working_days(D(2025, 2, 3), -1) == D(2025, 1, 24)
    assert workdays.add_working_days(D(2025, 4, 29), 2) == D(2025, 5, 6)
    assert workdays.add_working_days(D(2025, 3, 12), 0) == D(2025, 3, 12)
    assert workdays.add_working_days(D(2025, 3, 14), 5) == D(2025, 3, 21)
