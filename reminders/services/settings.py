"""Effective thresholds of a rule for a unit: the nearest RuleSetting on the unit's path wins.

A setting without a unit applies everywhere; a setting on a province applies to its whole
subtree, and one on a commune to that commune. Field by field, an empty value falls back to the
next setting up the path, and finally to the rule's defaults (`Rule.lead_days`,
`Rule.escalate_after`, `Rule.extra["month"]`). `enabled` is taken from the nearest setting.

`load_settings()` reads every setting of every rule with one query; `RuleSettings.for_path()`
then answers from memory, so the sweep costs no query per unit.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from reminders.models import RuleSetting, parse_lead_days
from reminders.rules.base import Rule


@dataclass(frozen=True)
class Effective:
    lead_days: tuple[int, ...]
    escalate_after: int | None
    month: int | None
    enabled: bool


@dataclass(frozen=True)
class _Row:
    path: str  # "" for the setting that applies everywhere
    lead_days: tuple[int, ...] | None
    escalate_after: int | None
    month: int | None
    enabled: bool


class RuleSettings:
    """The settings of one rule, answering for any unit path from memory."""

    def __init__(self, rule: Rule, rows: list[_Row] = ()):
        self.rule = rule
        # Shallowest first, so that walking the list overlays nearer settings on farther ones.
        self._rows = sorted(rows, key=lambda row: row.path.count("/"))
        self._by_path = {row.path: row for row in self._rows}
        self.default = Effective(
            lead_days=tuple(sorted(set(rule.lead_days), reverse=True)),
            escalate_after=rule.escalate_after,
            month=rule.extra.get("month"),
            enabled=True,
        )
        self._cache: dict[str, Effective] = {}

    def for_path(self, path: str) -> Effective:
        """The effective settings of the unit whose path is `path` (e.g. "1/5/23/")."""
        if not self._rows:
            return self.default
        cached = self._cache.get(path)
        if cached is not None:
            return cached
        lead_days, escalate_after, month, enabled = (
            self.default.lead_days,
            self.default.escalate_after,
            self.default.month,
            True,
        )
        for row in self._matching(path):
            if row.lead_days is not None:
                lead_days = row.lead_days
            if row.escalate_after is not None:
                escalate_after = row.escalate_after
            if row.month is not None:
                month = row.month
            enabled = row.enabled
        result = Effective(lead_days, escalate_after, month, enabled)
        self._cache[path] = result
        return result

    def _matching(self, path: str):
        """The settings on the path, from everywhere down to the unit itself."""
        prefixes = [""]
        end = path.find("/")
        while end != -1:
            prefixes.append(path[: end + 1])
            end = path.find("/", end + 1)
        return [self._by_path[prefix] for prefix in prefixes if prefix in self._by_path]

    @property
    def max_lead(self) -> int:
        """The largest lead of any unit: how far ahead the rule must look."""
        leads = [*self.default.lead_days]
        for row in self._rows:
            leads.extend(row.lead_days or ())
        return max(leads, default=0)

    def horizon(self, today: datetime.date) -> datetime.date:
        return today + datetime.timedelta(days=self.max_lead)


def load_settings(rules: list[Rule]) -> dict[str, RuleSettings]:
    """{rule key: RuleSettings} for the given rules, with one query."""
    rows: dict[str, list[_Row]] = defaultdict(list)
    keys = [rule.key for rule in rules]
    queryset = RuleSetting.objects.filter(rule__in=keys).values_list(
        "rule", "unit__path", "lead_days", "escalate_after", "month", "enabled"
    )
    for key, path, lead_days, escalate_after, month, enabled in queryset:
        leads = parse_lead_days(lead_days) if lead_days and lead_days.strip() else None
        rows[key].append(_Row(path or "", leads or None, escalate_after, month, enabled))
    return {rule.key: RuleSettings(rule, rows.get(rule.key, [])) for rule in rules}


def effective_setting(rule: Rule, unit) -> Effective:
    """The effective settings of `rule` for one unit (one query). The sweep uses load_settings."""
    return load_settings([rule])[rule.key].for_path(unit.path)
