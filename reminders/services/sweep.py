"""The sweep: what falls due today, for whom, written to the outbox (`Reminder`).

For each rule: its items (the rule's own constant number of queries), the stage of each item
on the day (`stage_of`), the recipients of every item's unit from one query
(`resolve_audiences`), and a bulk insert that ignores rows already in the outbox, so a re-run
adds nothing. The number of queries does not grow with the number of items (only with the
number of insert batches of BATCH_SIZE rows).

Inactive units (valid_until passed, or not yet valid) and inactive users hear of nothing.
"""

import datetime
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from communes.models import Membership, Unit, in_operation
from core import clock
from reminders import workdays
from reminders.models import Reminder, Stage, SweepRun
from reminders.rules.base import (
    AUDITORS,
    COMMITTEE,
    COMMITTEE_ABOVE,
    ESCALATION_FIRST,
    ESCALATION_SECOND,
    OFFICERS,
    SUPERVISORS,
    Context,
    Item,
    Rule,
    all_rules,
)
from reminders.services.settings import load_settings

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
TITLE_MAX = Reminder._meta.get_field("title").max_length
URL_MAX = Reminder._meta.get_field("url").max_length


# --- Stages --------------------------------------------------------------------------------


def stage_of(
    due_on: datetime.date,
    today: datetime.date,
    lead_days: Iterable[int] = (30, 7),
    escalate_after: int | None = None,
) -> tuple[str, int] | None:
    """(stage, lead) of an item due on `due_on`, seen on `today`; None when nothing is due yet.

    - upcoming, lead L: the smallest lead L with 0 < due_on − today <= L (calendar days), so a
      sweep that missed the day of a lead still fires it once (the lead is part of the key);
    - due today: due_on == today;
    - overdue: today > due_on;
    - escalated, level 1: at least `escalate_after` working days overdue; level 2: at least
      twice that. `escalate_after` None: never escalates.
    """
    days = (due_on - today).days
    if days > 0:
        fitting = [lead for lead in lead_days if days <= lead]
        return (Stage.UPCOMING.value, min(fitting)) if fitting else None
    if days == 0:
        return Stage.DUE.value, 0
    if escalate_after:
        late = workdays.working_days_between(due_on, today)
        if late >= 2 * escalate_after:
            return Stage.ESCALATED.value, 2
        if late >= escalate_after:
            return Stage.ESCALATED.value, 1
    return Stage.OVERDUE.value, 0


def audiences_for(rule: Rule, stage: str, lead: int) -> tuple[str, ...]:
    """Who hears of an item at a stage: the rule's audience, and up the tree when escalated."""
    if stage != Stage.ESCALATED:
        return tuple(rule.audience)
    extra = ESCALATION_SECOND if lead >= 2 else ESCALATION_FIRST
    return tuple(dict.fromkeys((*rule.audience, *extra)))


# --- Recipients ----------------------------------------------------------------------------


@dataclass
class UnitAudience:
    """One item unit: its path, whether it is active, and its members by audience."""

    path: str
    active: bool
    members: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))


def resolve_audiences(unit_ids: Iterable[int], today: datetime.date) -> dict[int, UnitAudience]:
    """{unit id: UnitAudience} for the given units, with ONE query.

    The members of a unit's audiences come from the memberships on the unit itself (officers,
    committee = its head) and on its ancestors (supervisors = ISO staff, committee above),
    found through the unit's materialised path. Memberships of inactive users and on inactive
    units are left out.
    """
    unit_ids = sorted(set(unit_ids))
    if not unit_ids:
        return {}
    unit_table = Unit._meta.db_table
    membership_table = Membership._meta.db_table
    user_table = get_user_model()._meta.db_table
    roles = [
        role.value
        for role in (Membership.Role.OFFICER, Membership.Role.COMMITTEE, Membership.Role.SUPERVISOR)
    ]
    member_conditions = """
        AND u.is_active = %s
        AND (mu.valid_from IS NULL OR mu.valid_from <= %s)
        AND (mu.valid_until IS NULL OR mu.valid_until >= %s)
    """
    if connection.vendor == "postgresql":
        # The path "12/57/203/" is the chain of the unit's own and its ancestors' ids: each one is
        # an index lookup in the memberships, rather than a LIKE against every membership.
        sql = f"""
            SELECT iu.id, iu.path, iu.valid_from, iu.valid_until, mm.user_id, mm.role, mm.unit_id
            FROM {unit_table} iu
            LEFT JOIN LATERAL (
                SELECT m.user_id, m.role, m.unit_id
                FROM unnest(string_to_array(rtrim(iu.path, '/'), '/')::bigint[]) AS ancestor(id)
                INNER JOIN {membership_table} m ON m.unit_id = ancestor.id
                INNER JOIN {unit_table} mu ON mu.id = m.unit_id
                INNER JOIN {user_table} u ON u.id = m.user_id
                WHERE m.role = ANY(%s) {member_conditions}
            ) mm ON TRUE
            WHERE iu.id = ANY(%s)
        """  # noqa: S608 (table names come from the models; values are parameters)
        params = [roles, True, today, today, unit_ids]
    else:
        sql = f"""
            SELECT iu.id, iu.path, iu.valid_from, iu.valid_until, m.user_id, m.role, m.unit_id
            FROM {unit_table} iu
            LEFT JOIN ({membership_table} m
                INNER JOIN {unit_table} mu ON mu.id = m.unit_id
                INNER JOIN {user_table} u ON u.id = m.user_id)
              ON iu.path LIKE mu.path || '%%'
                AND m.role IN ({", ".join(["%s"] * len(roles))}) {member_conditions}
            WHERE iu.id IN ({", ".join(["%s"] * len(unit_ids))})
        """  # noqa: S608
        params = [*roles, True, today, today, *unit_ids]
    result: dict[int, UnitAudience] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for unit_id, path, valid_from, valid_until, user_id, role, member_unit_id in cursor.fetchall():
            unit = result.get(unit_id)
            if unit is None:
                unit = result[unit_id] = UnitAudience(path, in_operation(valid_from, valid_until, today))
            if user_id is None:
                continue
            own = member_unit_id == unit_id
            if role == Membership.Role.SUPERVISOR:
                unit.members[SUPERVISORS].add(user_id)
            elif role == Membership.Role.OFFICER and own:
                unit.members[OFFICERS].add(user_id)
            elif role == Membership.Role.COMMITTEE:
                unit.members[COMMITTEE if own else COMMITTEE_ABOVE].add(user_id)
    return result


def active_users(user_ids: Iterable[int]) -> set[int]:
    """The active ones among the users named by items (AUDITORS): one query, none if no names."""
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    return set(get_user_model().objects.filter(pk__in=user_ids, is_active=True).values_list("pk", flat=True))


# --- The sweep -----------------------------------------------------------------------------


@dataclass
class Summary:
    """What a sweep computed (`candidates`) and added to the outbox (`created`; for a dry run,
    what it would add), by rule and (stage, lead)."""

    today: datetime.date
    dry_run: bool
    items: Counter = field(default_factory=Counter)  # rule key → items returned by the rule
    candidates: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    created: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: dict[str, str] = field(default_factory=dict)  # rule key → error of a failing rule

    @property
    def total_created(self) -> int:
        return sum(sum(counter.values()) for counter in self.created.values())

    @property
    def total_candidates(self) -> int:
        return sum(sum(counter.values()) for counter in self.candidates.values())

    def as_dict(self) -> dict:
        """Plain data (for a task's log or a benchmark's report)."""
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "items": dict(self.items),
            "candidates": self.total_candidates,
            "created": self.total_created,
            "by_rule": {
                key: {f"{stage}:{lead}": count for (stage, lead), count in sorted(counter.items())}
                for key, counter in self.created.items()
            },
            "errors": dict(self.errors),
        }


def sweep(
    today: datetime.date | None = None, dry_run: bool = False, rules: Iterable[str] | None = None
) -> Summary:
    """Compute what falls due on `today` (default: the services' clock) and write the outbox.

    `rules`: only these rule keys (default: every registered rule). A rule that raises is
    logged and reported in `Summary.errors`; the other rules still run. dry_run=True computes
    the same and writes nothing.
    """
    today = today or clock.today()
    selected = all_rules()
    if rules is not None:
        wanted = set(rules)
        selected = [rule for rule in selected if rule.key in wanted]
    summary = Summary(today=today, dry_run=dry_run)
    settings = load_settings(selected)
    for rule in selected:
        try:
            _sweep_rule(rule, settings[rule.key], today, dry_run, summary)
        except Exception as error:  # one broken rule must not stop the others
            logger.exception("reminder rule %s failed", rule.key)
            summary.errors[rule.key] = f"{type(error).__name__}: {error}"
    return summary


def _sweep_rule(rule: Rule, rule_settings, today, dry_run, summary: Summary) -> None:
    context = Context(today=today, horizon=rule_settings.horizon(today), settings=rule_settings)
    items: list[Item] = list(rule.collect(context))
    summary.items[rule.key] = len(items)
    if not items:
        return
    units = resolve_audiences((item.unit_id for item in items), today)
    auditors = set()
    if AUDITORS in rule.audience:
        auditors = active_users(user_id for item in items for user_id in item.user_ids)
    rows = _rows(rule, items, units, auditors, rule_settings, today, summary)
    if dry_run:
        _count_new(rule, rows, summary)
        return
    created = summary.created[rule.key]
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            created.update(_insert(rule.key, batch))
            batch = []
    if batch:
        created.update(_insert(rule.key, batch))


class Row(NamedTuple):
    """One outbox row to be: a plain tuple, so that 100,000s of them cost little."""

    object_key: str
    unit_id: int
    due_on: datetime.date
    stage: str
    lead: int
    recipient_id: int
    title: str
    url: str


def _rows(rule, items, units, auditors, rule_settings, today, summary) -> Iterator[Row]:
    """The outbox rows of a rule's items, one per (item, stage, recipient)."""
    candidates = summary.candidates[rule.key]
    for item in items:
        unit = units.get(item.unit_id)
        if unit is None or not unit.active:
            continue
        effective = rule_settings.for_path(unit.path)
        if not effective.enabled:
            continue
        staged = stage_of(item.due_on, today, effective.lead_days, effective.escalate_after)
        if staged is None:
            continue
        stage, lead = staged
        recipients: set[int] = set()
        for audience in audiences_for(rule, stage, lead):
            if audience == AUDITORS:
                recipients.update(user_id for user_id in item.user_ids if user_id in auditors)
            else:
                recipients |= unit.members.get(audience, set())
        if not recipients:
            continue
        title, url = str(item.title)[:TITLE_MAX], str(item.url)[:URL_MAX]
        candidates[(stage, lead)] += len(recipients)
        for recipient_id in sorted(recipients):
            yield Row(item.object_key, item.unit_id, item.due_on, stage, lead, recipient_id, title, url)


_INSERT_COLUMNS = (
    "rule",
    "object_key",
    "unit",
    "due_on",
    "stage",
    "lead",
    "recipient",
    "title",
    "url",
    "created_at",
    "state",
    "attempts",
    "last_error",
)


def _insert(rule_key: str, rows: list[Row]) -> Counter:
    """INSERT … ON CONFLICT DO NOTHING of a batch: a row already in the outbox (same rule,
    object, due date, stage, lead and recipient) is left as it is. Returns what was added, by
    (stage, lead).

    Plain SQL rather than bulk_create(ignore_conflicts=True): the same statement, without
    building and preparing a model instance per row (which dominated a sweep of 100,000 items),
    and it tells which rows were new (RETURNING).
    """
    ops = connection.ops
    fields = [Reminder._meta.get_field(name) for name in _INSERT_COLUMNS]
    size = max(1, min(len(rows), ops.bulk_batch_size(fields, rows)))
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    created_at = ops.adapt_datetimefield_value(timezone.now())
    pending = Reminder.State.PENDING.value
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = connection.features.can_return_rows_from_bulk_insert
    created = Counter()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            params = []
            for row in chunk:
                params += [
                    rule_key,
                    row.object_key,
                    row.unit_id,
                    ops.adapt_datefield_value(row.due_on),
                    row.stage,
                    row.lead,
                    row.recipient_id,
                    row.title,
                    row.url,
                    created_at,
                    pending,
                    0,
                    "",
                ]
            sql = (
                f"INSERT INTO {ops.quote_name(Reminder._meta.db_table)} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([placeholder] * len(chunk))} ON CONFLICT DO NOTHING"
            )
            if returning:
                cursor.execute(sql + " RETURNING stage, lead", params)
                created.update(cursor.fetchall())
            else:
                cursor.execute(sql, params)
                if cursor.rowcount == len(chunk):
                    created.update((row.stage, row.lead) for row in chunk)
                elif cursor.rowcount > 0:  # which ones is unknown: count them under the first row
                    created[(chunk[0].stage, chunk[0].lead)] += cursor.rowcount
    return created


def _count_new(rule: Rule, rows: Iterable[Row], summary: Summary) -> None:
    """Dry run: count the rows that are not in the outbox yet (one query), write nothing."""
    rows = list(rows)
    if not rows:
        return
    existing = set(
        Reminder.objects.filter(rule=rule.key, object_key__in={row.object_key for row in rows}).values_list(
            "object_key", "due_on", "stage", "lead", "recipient_id"
        )
    )
    for row in rows:
        if (row.object_key, row.due_on, row.stage, row.lead, row.recipient_id) not in existing:
            summary.created[rule.key][(row.stage, row.lead)] += 1


# --- The daily run -------------------------------------------------------------------------

# The time of the scheduled sweep (reminders/schedules.py). After it, a day without a completed
# sweep is caught up by the next delivery run (beat could not reach the broker, say).
SWEEP_TIME = datetime.time(6, 0)


def daily_sweep(today: datetime.date | None = None) -> Summary:
    """The sweep of the day, recorded in SweepRun (so a missed one can be caught up)."""
    summary = sweep(today=today)
    SweepRun.objects.update_or_create(
        day=summary.today,
        defaults={
            "finished_at": timezone.now(),
            "created": summary.total_created,
            "errors": "\n".join(f"{key}: {error}" for key, error in summary.errors.items()),
        },
    )
    return summary


def sweep_if_missed(now: datetime.datetime | None = None) -> Summary | None:
    """Run today's sweep if its time has passed and none completed today (one query if not)."""
    local = timezone.localtime(now or timezone.now())
    today = clock.today() if now is None else local.date()
    if local.time() < SWEEP_TIME or SweepRun.objects.filter(day=today).exists():
        return None
    logger.info("no reminder sweep completed on %s: catching up", today)
    return daily_sweep(today)
