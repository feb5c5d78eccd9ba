"""What a reminder rule is: the contract between the rules and the sweep.

A rule answers one question with a constant number of set-based queries: which objects fall due
(or are already overdue) by `context.horizon`, for which unit. The sweep (services/sweep.py) turns
each item into stages (upcoming at each lead, due today, overdue, escalated), finds the recipients
from the rule's audiences with one query, and writes the outbox.

Lead days and the escalation delay are data (RuleSetting, per unit subtree, e.g. per province);
the values here are the defaults, taken from the legal deadlines where there is one.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise

# Audiences: who hears of an item, relative to the item's unit.
OFFICERS = "officers"  # ISO officers with a membership on the unit (not on ancestors)
SUPERVISORS = "supervisors"  # supervisors (ISO staff) on the unit's ancestors
COMMITTEE = "committee"  # steering committee members on the unit itself: "the head" in escalation
COMMITTEE_ABOVE = "committee_above"  # committee members on the ancestors (approvals)
AUDITORS = "auditors"  # the users named by the item (Item.user_ids), e.g. the audit team
AUDIENCES = (OFFICERS, SUPERVISORS, COMMITTEE, COMMITTEE_ABOVE, AUDITORS)

# Escalation up the unit tree (issue 6): overdue beyond N days goes to the unit's officer and
# head (its committee members), then beyond 2N days to the supervisor's ISO staff.
ESCALATION_FIRST = (OFFICERS, COMMITTEE)
ESCALATION_SECOND = (OFFICERS, COMMITTEE, SUPERVISORS)


@dataclass(frozen=True)
class Item:
    """One object that falls due. `object_key` is "<app_label>.<model>:<pk>"."""

    unit_id: int
    object_key: str
    due_on: datetime.date
    title: str  # plain text in the active language at sweep time, e.g. "Review of QT-01 …"
    url: str  # the page where the user acts on it
    user_ids: tuple[int, ...] = ()  # for the AUDITORS audience


@dataclass(frozen=True)
class Context:
    """What a rule may read: the day of the sweep and the furthest due date of interest."""

    today: datetime.date
    horizon: datetime.date  # today + the rule's largest lead (in calendar days)
    # The rule's effective settings per unit (reminders.services.settings.RuleSettings), filled
    # by the sweep: `context.settings.for_path(unit.path).month` etc. None outside the sweep.
    settings: object = field(default=None, compare=False, repr=False)
    # Only these units' items (the officer's dashboard asks for one unit); None: every unit.
    unit_ids: frozenset | None = None


@dataclass
class Rule:
    key: str
    label: str | Promise
    items: "callable"  # items(context: Context) -> Iterable[Item]
    audience: tuple[str, ...] = (OFFICERS,)
    lead_days: tuple[int, ...] = (30, 7)
    # Working days overdue before the first escalation; None: this rule never escalates.
    escalate_after: int | None = 5
    description: str | Promise = ""
    extra: dict = field(default_factory=dict)

    def collect(self, context: Context) -> Iterable[Item]:
        return self.items(context)


_RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.key in _RULES:
        raise ValueError(f"reminder rule {rule.key!r} registered twice")
    _RULES[rule.key] = rule
    return rule


def unregister(key: str) -> Rule | None:
    """Remove a rule (tests register throwaway rules and remove them afterwards)."""
    return _RULES.pop(key, None)


def all_rules() -> list[Rule]:
    return list(_RULES.values())


def get_rule(key: str) -> Rule:
    return _RULES[key]
