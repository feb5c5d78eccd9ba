"""Effective settings: the nearest RuleSetting on the unit's path wins, else the rule's defaults."""

import pytest
from django.core.exceptions import ValidationError

from reminders.models import RuleSetting, parse_lead_days
from reminders.rules import base
from reminders.services.settings import effective_setting, load_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(register_rule):
    return register_rule(
        "test.settings", lambda ctx: [], lead_days=(30, 7), escalate_after=5, extra={"month": 10}
    )


def test_defaults_come_from_the_rule(tree, rule):
    effective = effective_setting(rule, tree.unit_a)
    assert effective.lead_days == (30, 7)
    assert effective.escalate_after == 5
    assert effective.month == 10
    assert effective.enabled


def test_the_nearest_setting_wins_field_by_field(tree, rule):
    RuleSetting.objects.create(rule=rule.key, unit=None, lead_days="60", month=11)
    RuleSetting.objects.create(rule=rule.key, unit=tree.province, lead_days="45,15", escalate_after=10)
    RuleSetting.objects.create(rule=rule.key, unit=tree.unit_a, escalate_after=3, enabled=False)
    settings = load_settings([rule])[rule.key]

    unit_a = settings.for_path(tree.unit_a.path)
    assert unit_a.lead_days == (45, 15)  # from the province
    assert unit_a.escalate_after == 3  # its own
    assert unit_a.month == 11  # from the global setting
    assert not unit_a.enabled

    unit_b = settings.for_path(tree.unit_b.path)
    assert (unit_b.lead_days, unit_b.escalate_after, unit_b.month, unit_b.enabled) == ((45, 15), 10, 11, True)
    assert settings.max_lead == 60


def test_a_setting_for_another_rule_or_subtree_does_not_apply(tree, rule, register_rule):
    other = register_rule("test.other", lambda ctx: [])
    RuleSetting.objects.create(rule=other.key, unit=None, lead_days="90")
    RuleSetting.objects.create(rule=rule.key, unit=tree.other_district, lead_days="90")
    settings = load_settings([rule, other])
    assert settings[rule.key].for_path(tree.unit_a.path).lead_days == (30, 7)
    assert settings[rule.key].for_path(tree.other_commune.path).lead_days == (90,)
    assert settings[other.key].for_path(tree.unit_a.path).lead_days == (90,)


def test_settings_of_every_rule_load_with_one_query(tree, rule, register_rule, django_assert_num_queries):
    other = register_rule("test.other", lambda ctx: [])
    for unit in (tree.province, tree.district, tree.unit_a, tree.unit_b):
        RuleSetting.objects.create(rule=rule.key, unit=unit, lead_days="20")
        RuleSetting.objects.create(rule=other.key, unit=unit, lead_days="20")
    with django_assert_num_queries(1):
        settings = load_settings(base.all_rules())
        for unit in (tree.unit_a, tree.unit_b, tree.other_commune):
            settings[rule.key].for_path(unit.path)


@pytest.mark.parametrize("text", ["abc", "0", "30,-1", "400", "7.5"])
def test_bad_lead_days_are_refused(text):
    with pytest.raises(ValidationError):
        parse_lead_days(text)


def test_lead_days_are_sorted_and_deduplicated():
    assert parse_lead_days(" 7, 30 ;7 ") == (30, 7)


def test_a_setting_for_an_unknown_rule_is_refused(tree):
    setting = RuleSetting(rule="no.such.rule", unit=tree.unit_a)
    with pytest.raises(ValidationError) as error:
        setting.full_clean()
    assert "rule" in error.value.message_dict
