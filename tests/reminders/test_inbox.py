"""The inbox: the bell, the list, opening, marking read, preferences — each user's own only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reminders.models import Notification, Preference, Stage
from reminders.services import inbox

pytestmark = pytest.mark.django_db

LIST = "reminders:notification_list"


def _notify(user, title="Rà soát QT-01", url="/documents/", **fields):
    return Notification.objects.create(
        user=user, title=title, url=url, stage=fields.pop("stage", Stage.DUE), **fields
    )


def test_the_bell_shows_the_unread_count(login, officer_a, officer_b):
    _notify(officer_a)
    _notify(officer_a, read_at=datetime.datetime(2025, 3, 10, tzinfo=datetime.UTC))
    _notify(officer_b)
    response = login(officer_a).get(reverse("core:dashboard"))
    html = response.content.decode()
    assert 'id="notification-bell"' in html
    assert '<span class="badge rounded-pill text-bg-danger" id="unread-count">1</span>' in html


def test_no_badge_without_unread_and_no_bell_for_anonymous(client, login, officer_a):
    html = login(officer_a).get(reverse("core:dashboard")).content.decode()
    assert 'id="notification-bell"' in html and 'id="unread-count"' not in html
    client.logout()
    html = client.get(reverse("login")).content.decode()
    assert 'id="notification-bell"' not in html


def test_the_context_processor_costs_nothing_for_anonymous(rf, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from reminders.context_processors import notifications

    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert notifications(request) == {}


def test_the_list_shows_only_my_notifications_unread_first(login, officer_a, officer_b):
    read = _notify(officer_a, "Đã đọc", read_at=datetime.datetime(2025, 3, 10, tzinfo=datetime.UTC))
    unread = _notify(officer_a, "Chưa đọc")
    _notify(officer_b, "Của người khác")
    response = login(officer_a).get(reverse(LIST))
    html = response.content.decode()
    assert "Của người khác" not in html
    assert html.index("Chưa đọc") < html.index("Đã đọc")
    assert [n.pk for n in response.context["page_obj"].object_list] == [unread.pk, read.pk]
    only_unread = login(officer_a).get(reverse(LIST), {"unread": "1"})
    assert [n.pk for n in only_unread.context["page_obj"].object_list] == [unread.pk]
    search = login(officer_a).get(reverse(LIST), {"q": "đã đọc"})
    assert [n.pk for n in search.context["page_obj"].object_list] == [read.pk]


def test_opening_marks_read_and_goes_to_the_page(login, officer_a):
    notification = _notify(officer_a, url="/documents/")
    response = login(officer_a).get(reverse("reminders:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/documents/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_users_notification_is_404_and_stays_unread(login, officer_a, officer_b, superuser):
    notification = _notify(officer_a)
    for user in (officer_b, superuser):
        response = login(user).get(reverse("reminders:notification_open", args=[notification.pk]))
        assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_outside_link_is_not_followed(login, officer_a):
    notification = _notify(officer_a, url="https://evil.example.com/")
    response = login(officer_a).get(reverse("reminders:notification_open", args=[notification.pk]))
    assert response["Location"] == reverse(LIST)


def test_read_all_is_post_only_and_touches_only_mine(login, officer_a, officer_b):
    mine = [_notify(officer_a), _notify(officer_a)]
    theirs = _notify(officer_b)
    client = login(officer_a)
    assert client.get(reverse("reminders:notification_read_all")).status_code == 405
    assert Notification.objects.unread().count() == 3
    response = client.post(reverse("reminders:notification_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_service_refuses_another_users_notification(officer_a, officer_b):
    from django.core.exceptions import PermissionDenied

    notification = _notify(officer_a)
    with pytest.raises(PermissionDenied):
        inbox.mark_read(user=officer_b, notification=notification)
    notification.refresh_from_db()
    assert notification.read_at is None


def test_preferences_are_saved(login, officer_a):
    client = login(officer_a)
    response = client.get(reverse("reminders:preferences"))
    assert response.status_code == 200
    assert response.context["form"].initial == {"email_enabled": True, "digest_time": datetime.time(7, 0)}
    response = client.post(reverse("reminders:preferences"), {"digest_time": "17:30"})  # email box unticked
    assert response.status_code == 302
    preference = Preference.objects.get(user=officer_a)
    assert (preference.email_enabled, preference.digest_time) == (False, datetime.time(17, 30))
    form = client.get(reverse("reminders:preferences")).context["form"]
    assert form.initial == {"email_enabled": False, "digest_time": datetime.time(17, 30)}


@pytest.mark.parametrize("value", ["25:00", "abc", ""])
def test_bad_preferences_show_errors_and_save_nothing(login, officer_a, value):
    response = login(officer_a).post(
        reverse("reminders:preferences"), {"email_enabled": "on", "digest_time": value}
    )
    assert response.status_code == 200
    assert "digest_time" in response.context["form"].errors
    assert not Preference.objects.exists()


def test_preference_service_refuses_a_missing_time(officer_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        inbox.preference_save(user=officer_a, data={"email_enabled": True, "digest_time": None})
    assert not Preference.objects.exists()


def test_the_list_query_count_does_not_grow(login, officer_a, constant_queries):
    client = login(officer_a)

    def add(count):
        for index in range(count):
            _notify(
                officer_a, f"Việc {index}", read_at=None if index % 2 else datetime.datetime.now(datetime.UTC)
            )

    constant_queries(client, reverse(LIST), add, few=2, many=30)


def test_the_list_paginates(login, officer_a):
    for index in range(30):
        _notify(officer_a, f"Việc {index}")
    first = login(officer_a).get(reverse(LIST))
    assert len(first.context["page_obj"].object_list) == 25
    second = login(officer_a).get(reverse(LIST), {"page": 2})
    assert len(second.context["page_obj"].object_list) == 5


def test_the_bell_is_one_query(login, officer_a):
    client = login(officer_a)
    client.get(reverse("reminders:preferences"))
    with CaptureQueriesContext(connection) as context:
        client.get(reverse("reminders:preferences"))
    bell = [q for q in context.captured_queries if "reminders_notification" in q["sql"]]
    assert len(bell) == 1
