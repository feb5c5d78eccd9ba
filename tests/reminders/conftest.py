"""Fixtures of the reminders tests: throwaway rules registered for one test and removed after."""

import pytest

from reminders.rules import base


@pytest.fixture
def register_rule():
    """`register_rule(key, items, **options)` registers a rule for this test only."""
    keys = []

    def _register(key, items, **options):
        rule = base.Rule(key=key, label=key, items=items, **options)
        base.register(rule)
        keys.append(key)
        return rule

    yield _register
    for key in keys:
        base.unregister(key)


@pytest.fixture
def only_rules(monkeypatch):
    """Restrict the sweep to the given rule keys: tests of tasks and commands that sweep every
    rule stay independent of the project's real rules."""

    def _only(*keys):
        monkeypatch.setattr(
            "reminders.services.sweep.all_rules", lambda: [base.get_rule(key) for key in keys]
        )

    return _only
