"""The admin panel pages of the reminders app open, and a rule setting is validated."""

import datetime

import pytest
from django.urls import reverse

from reminders.models import Digest, Notification, Reminder, RuleSetting, SweepRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(tree, officer_a, register_rule):
    register_rule("test.admin", lambda context: [])
    reminder = Reminder.objects.create(
        rule="test.admin",
        object_key="test.thing:1",
        unit=tree.unit_a,
        due_on=datetime.date(2025, 3, 10),
        stage="due",
        recipient=officer_a,
        title="Thing",
        state=Reminder.State.FAILED,
        attempts=5,
    )
    Notification.objects.create(user=officer_a, reminder=reminder, title="Thing")
    Digest.objects.create(user=officer_a, day=datetime.date(2025, 3, 10))
    SweepRun.objects.create(day=datetime.date(2025, 3, 10), finished_at="2025-03-10T06:00:00+07:00")
    return reminder


@pytest.mark.parametrize(
    "model", ["rulesetting", "reminder", "notification", "digest", "preference", "sweeprun"]
)
def test_changelists_open(login, superuser, rows, model):
    response = login(superuser).get(reverse(f"admin:reminders_{model}_changelist"))
    assert response.status_code == 200


def test_a_rule_setting_is_added_with_a_rule_from_the_list(login, superuser, rows, tree):
    client = login(superuser)
    url = reverse("admin:reminders_rulesetting_add")
    assert "test.admin" in client.get(url).content.decode()
    bad = client.post(
        url, {"rule": "test.admin", "unit": tree.province.pk, "lead_days": "30,abc", "enabled": "on"}
    )
    assert bad.status_code == 200
    assert not RuleSetting.objects.exists()
    good = client.post(
        url, {"rule": "test.admin", "unit": tree.province.pk, "lead_days": "45, 15", "enabled": "on"}
    )
    assert good.status_code == 302
    assert RuleSetting.objects.get().lead_days_tuple == (45, 15)


def test_the_retry_action_puts_failed_reminders_back(login, superuser, rows):
    response = login(superuser).post(
        reverse("admin:reminders_reminder_changelist"),
        {"action": "retry_reminders", "_selected_action": [rows.pk]},
    )
    assert response.status_code == 302
    rows.refresh_from_db()
    assert (rows.state, rows.attempts) == (Reminder.State.PENDING, 0)
