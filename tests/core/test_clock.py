"""The services' clock: today and now follow `as_of(day)` and come back after it."""

import datetime

from django.utils import timezone

from core import clock


def test_today_and_now_follow_as_of():
    day = datetime.date(2025, 6, 30)
    with clock.as_of(day):
        assert clock.today() == day
        moment = clock.now()
        assert timezone.is_aware(moment) and timezone.localtime(moment).date() == day
        with clock.as_of(datetime.date(2019, 1, 5)):
            assert clock.today() == datetime.date(2019, 1, 5)
        assert clock.today() == day
    assert clock.today() == timezone.localdate()
    assert abs(clock.now() - timezone.now()) < datetime.timedelta(minutes=1)
