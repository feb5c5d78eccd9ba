"""Reminder rules of the audits app: planned audits, audit reports, corrective actions and their
verification, the yearly internal audit and management review, and the report after an
inspection by the province.

Each rule reads with a constant number of set-based queries, whatever the number of records.
"""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.models import Audit, CorrectiveAction, Inspection
from audits.selectors import audits_held, open_actions, reviews_held
from communes.models import Unit
from core.urls_cache import url_maker
from reminders.rules.base import AUDITORS, OFFICERS, SUPERVISORS, Context, Item, Rule, register
from reminders.rules.common import in_scope_q, legal_period_end, month_end, short

# The audit report is due 30 days after the audit (issue 6). The audit records no end date of
# its fieldwork (a commune's audit takes a day or two): the day it started stands for it.
REPORT_DAYS = 30
# No rule of law fixes when a done action is verified; a month lets its effect show (§10.2.1 d).
VERIFY_DAYS = 30
# Decision 19/2014/QĐ-TTg Art. 4.4.b: an internal audit and a management review at least once
# a year. The month by the end of which they must be held is data (RuleSetting.month).
AUDIT_BY_MONTH = 10
REVIEW_BY_MONTH = 11
# Circular 26/2014/TT-BKHCN: the corrective-action report within 2 months of the minutes
# (audits.services.inspections.REPORT_MONTHS).
INSPECTION_REPORT_MONTHS = 2


# --- Planned audits ----------------------------------------------------------------------------
def audit_planned_items(context: Context) -> list[Item]:
    """Planned audits whose month begins between today and the horizon; the lead auditor and
    the team are named (AUDITORS). Only ahead of the audit: an audit not carried out is caught
    by `audit_not_held` (the yearly one) rather than nagged from the 2nd of its month on."""
    audits = Audit.objects.filter(
        state=Audit.State.PLANNED, planned_month__gte=context.today, planned_month__lte=context.horizon
    ).filter(in_scope_q(context))
    rows = list(
        audits.values_list("pk", "unit_id", "unit__name", "planned_month", "lead_auditor_id").order_by()
    )
    team: dict[int, set[int]] = {}
    for audit_id, user_id in Audit.team.through.objects.filter(audit_id__in=audits.values("pk")).values_list(
        "audit_id", "user_id"
    ):
        team.setdefault(audit_id, set()).add(user_id)
    url = url_maker("audits:audit_detail")
    template = _("Internal audit of %(unit)s planned for %(month)s")
    items = []
    for pk, unit_id, unit_name, month, lead_id in rows:
        users = team.get(pk, set()) | ({lead_id} if lead_id else set())
        items.append(
            Item(
                unit_id=unit_id,
                object_key=f"audits.audit:{pk}",
                due_on=month,
                title=template % {"unit": unit_name, "month": f"{month:%m/%Y}"},
                url=url(pk),
                user_ids=tuple(sorted(users)),
            )
        )
    return items


register(
    Rule(
        key="audit_planned",
        label=gettext_lazy("Planned internal audits"),
        items=audit_planned_items,
        audience=(OFFICERS, AUDITORS),
        lead_days=(14, 7),
        escalate_after=None,
        description=gettext_lazy(
            "Internal audits planned for a month that begins soon: the audited unit's officers "
            "and the audit team hear of it 14 and 7 days before the first day of the month "
            "(issue 6). Never escalated: an audit not held is reminded by “internal audit not "
            "held this year”."
        ),
    )
)


# --- Audit report not issued -------------------------------------------------------------------
def audit_report_items(context: Context) -> list[Item]:
    """Audits in progress: the report is due 30 days after the audit, on a working day."""
    latest_start = context.horizon - datetime.timedelta(days=REPORT_DAYS)
    audits = Audit.objects.filter(
        state=Audit.State.IN_PROGRESS, started_on__isnull=False, started_on__lte=latest_start
    ).filter(in_scope_q(context))
    rows = audits.values_list("pk", "unit_id", "unit__name", "started_on", "lead_auditor_id").order_by()
    url = url_maker("audits:audit_detail")
    template = _("Report of the internal audit of %(unit)s (started %(day)s) not issued yet")
    items = []
    for pk, unit_id, unit_name, started_on, lead_id in rows:
        due_on = legal_period_end(started_on, days=REPORT_DAYS)
        if due_on > context.horizon:
            continue
        items.append(
            Item(
                unit_id=unit_id,
                object_key=f"audits.audit:{pk}",
                due_on=due_on,
                title=template % {"unit": unit_name, "day": f"{started_on:%d/%m/%Y}"},
                url=url(pk),
                user_ids=(lead_id,) if lead_id else (),
            )
        )
    return items


register(
    Rule(
        key="audit_report",
        label=gettext_lazy("Audit reports not issued"),
        items=audit_report_items,
        audience=(AUDITORS, SUPERVISORS),
        lead_days=(7,),
        escalate_after=5,
        description=gettext_lazy(
            "Internal audits in progress whose report is not issued: due 30 days after the audit "
            "(its start, as no end date is recorded), moved to the next working day when it falls "
            "on a day off (Civil Code 2015 Art. 148). The lead auditor and the supervisors hear "
            "of it 7 days before; escalation after 5 working days overdue. Done when the report "
            "is issued."
        ),
    )
)


# --- Corrective actions ------------------------------------------------------------------------
def action_due_items(context: Context) -> list[Item]:
    """Planned corrective actions due by the horizon or overdue; the owner is named."""
    rows = (
        open_actions()
        .filter(state=CorrectiveAction.State.PLANNED, due_on__lte=context.horizon)
        .filter(in_scope_q(context, "nonconformity__unit__"))
        .values_list(
            "pk",
            "action",
            "due_on",
            "owner_id",
            "nonconformity_id",
            "nonconformity__unit_id",
            "nonconformity__unit__name",
        )
        .order_by()
    )
    url = url_maker("actions:nonconformity_detail", "#action-{}")
    template = _("Corrective action of %(unit)s: %(action)s")
    return [
        Item(
            unit_id=unit_id,
            object_key=f"audits.correctiveaction:{pk}",
            due_on=due_on,
            title=template % {"unit": unit_name, "action": short(action)},
            url=url(nc_id, pk),
            user_ids=(owner_id,),
        )
        for pk, action, due_on, owner_id, nc_id, unit_id, unit_name in rows
    ]


register(
    Rule(
        key="action_due",
        label=gettext_lazy("Corrective actions due and overdue"),
        items=action_due_items,
        audience=(OFFICERS, AUDITORS),
        lead_days=(7,),
        escalate_after=5,
        description=gettext_lazy(
            "Corrective actions (ISO 9001:2015 §10.2) not yet done, on the due date their owner "
            "set: the unit's officers and the owner hear of them 7 days before, on the day and "
            "when overdue; escalation after 5 working days overdue. Done when marked done."
        ),
    )
)


def verification_pending_items(context: Context) -> list[Item]:
    """Actions done and not yet verified: due VERIFY_DAYS after they were done."""
    latest_done = context.horizon - datetime.timedelta(days=VERIFY_DAYS)
    rows = (
        open_actions()
        .filter(state=CorrectiveAction.State.DONE, done_on__isnull=False, done_on__lte=latest_done)
        .filter(in_scope_q(context, "nonconformity__unit__"))
        .values_list(
            "pk",
            "action",
            "done_on",
            "nonconformity_id",
            "nonconformity__unit_id",
            "nonconformity__unit__name",
        )
        .order_by()
    )
    url = url_maker("actions:nonconformity_detail", "#action-{}")
    template = _("Verify the effectiveness of the corrective action of %(unit)s: %(action)s")
    return [
        Item(
            unit_id=unit_id,
            object_key=f"audits.correctiveaction:{pk}",
            due_on=done_on + datetime.timedelta(days=VERIFY_DAYS),
            title=template % {"unit": unit_name, "action": short(action)},
            url=url(nc_id, pk),
        )
        for pk, action, done_on, nc_id, unit_id, unit_name in rows
    ]


register(
    Rule(
        key="verification_pending",
        label=gettext_lazy("Verifications pending"),
        items=verification_pending_items,
        audience=(OFFICERS, SUPERVISORS),
        lead_days=(7,),
        escalate_after=10,
        description=gettext_lazy(
            "Corrective actions done but not yet verified (ISO 9001:2015 §10.2.1 d: review the "
            "effectiveness of the action). No legal deadline: due 30 days after the action was "
            "done, reminded 7 days before to the unit's officers and the supervisors (someone "
            "other than the owner verifies); escalation after 10 working days overdue."
        ),
    )
)


# --- Internal audit and management review not held this year ----------------------------------
def _rule_month(context: Context, rule_key: str, default: int):
    """`path → month` for a "not held by month" rule: the nearest RuleSetting on the unit's path
    (reminders.services.settings), else the rule's default. The sweep hands the settings in the
    context; outside it they are read with one query."""
    settings = context.settings
    if settings is None:
        from reminders.rules.base import get_rule
        from reminders.services.settings import load_settings

        settings = load_settings([get_rule(rule_key)])[rule_key]

    def month_for(path: str) -> int:
        return settings.for_path(path).month or default

    return month_for


def _not_held_items(context: Context, rule_key: str, default_month: int, held, template, url_name):
    """Units in the QMS programme since before this year with nothing held this year; due the
    last day of the unit's month. Two queries (the units, what was held), three outside the sweep
    (the settings)."""
    year = context.today.year
    units = Unit.objects.active_on(context.today)
    if context.unit_ids is not None:
        units = units.filter(pk__in=sorted(context.unit_ids))
    units = list(
        units.filter(joined_on__isnull=False, joined_on__lt=datetime.date(year, 1, 1))
        .values_list("pk", "name", "path")
        .order_by()
    )
    done = held([pk for pk, _name, _path in units], year)
    month_for = _rule_month(context, rule_key, default_month)
    base_url = reverse(url_name)
    items = []
    for pk, name, path in units:
        if pk in done:
            continue
        due_on = month_end(year, month_for(path))
        if due_on > context.horizon:
            continue
        items.append(
            Item(
                unit_id=pk,
                object_key=f"communes.unit:{pk}",
                due_on=due_on,
                title=template % {"year": year, "unit": name},
                url=f"{base_url}?unit={pk}&year={year}",
            )
        )
    return items


def audit_not_held_items(context: Context) -> list[Item]:
    """Units with no internal audit carried out (begun or later) this year."""
    return _not_held_items(
        context,
        "audit_not_held",
        AUDIT_BY_MONTH,
        audits_held,
        _("No internal audit held yet in %(year)s at %(unit)s"),
        "audits:audit_list",
    )


def review_not_held_items(context: Context) -> list[Item]:
    """Units with no management review held this year."""
    return _not_held_items(
        context,
        "review_not_held",
        REVIEW_BY_MONTH,
        reviews_held,
        _("No management review held yet in %(year)s at %(unit)s"),
        "audits:review_list",
    )


register(
    Rule(
        key="audit_not_held",
        label=gettext_lazy("Internal audit not held this year"),
        items=audit_not_held_items,
        audience=(OFFICERS,),
        lead_days=(30, 7),
        escalate_after=5,
        description=gettext_lazy(
            "Units in the QMS programme (since before this year) with no internal audit carried "
            "out this year. Decision 19/2014/QĐ-TTg Art. 4.4.b: at least once a year; due the last "
            "day of a month set per province in the rule settings (default: October). Reminders "
            "30 and 7 days before, escalation after 5 working days overdue."
        ),
        extra={"month": AUDIT_BY_MONTH},
    )
)

register(
    Rule(
        key="review_not_held",
        label=gettext_lazy("Management review not held this year"),
        items=review_not_held_items,
        audience=(OFFICERS,),
        lead_days=(30, 7),
        escalate_after=5,
        description=gettext_lazy(
            "Units in the QMS programme (since before this year) with no management review held "
            "this year. Decision 19/2014/QĐ-TTg Art. 4.4.b: at least once a year; due the last day "
            "of a month set per province in the rule settings (default: November). Reminders 30 "
            "and 7 days before, escalation after 5 working days overdue."
        ),
        extra={"month": REVIEW_BY_MONTH},
    )
)


# --- Corrective-action report after an inspection ----------------------------------------------
def inspection_report_items(context: Context) -> list[Item]:
    """Inspections with signed minutes and no report yet: due 2 months after the minutes."""
    rows = (
        Inspection.objects.filter(minutes_signed_on__isnull=False, report_submitted_on__isnull=True)
        .filter(minutes_signed_on__lte=context.horizon)
        .filter(in_scope_q(context))
        .values_list("pk", "unit_id", "unit__name", "minutes_signed_on")
        .order_by()
    )
    url = url_maker("audits:inspection_detail")
    template = _("Corrective-action report to the province after the inspection of %(day)s — %(unit)s")
    items = []
    for pk, unit_id, unit_name, signed_on in rows:
        due_on = legal_period_end(signed_on, months=INSPECTION_REPORT_MONTHS)
        if due_on > context.horizon:
            continue
        items.append(
            Item(
                unit_id=unit_id,
                object_key=f"audits.inspection:{pk}",
                due_on=due_on,
                title=template % {"day": f"{signed_on:%d/%m/%Y}", "unit": unit_name},
                url=url(pk),
            )
        )
    return items


register(
    Rule(
        key="inspection_report",
        label=gettext_lazy("Corrective-action report after an inspection"),
        items=inspection_report_items,
        audience=(OFFICERS,),
        lead_days=(30, 7),
        escalate_after=5,
        description=gettext_lazy(
            "After an inspection by the province, the inspected unit reports its corrective "
            "action within 2 months of the signing of the minutes (Circular 26/2014/TT-BKHCN), "
            "moved to the next working day when the last day is a day off (Civil Code 2015 "
            "Art. 148). Reminders 30 and 7 days before, escalation after 5 working days overdue. "
            "Done when the report is recorded as submitted."
        ),
    )
)
