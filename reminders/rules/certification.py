"""Reminder rules of the certification app: objective measurements, score sheets (fill,
finalise, approve), version-transition deadlines and re-announcements.

Each rule reads with a constant number of set-based queries, whatever the number of records.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.models import (
    QMS_UNIT_KINDS,
    Decision,
    Indicator,
    Measurement,
    QmsProfile,
    ScoreSheet,
    VersionTransition,
)
from certification.services.profile import merger_dates
from communes.models import Unit
from core.urls_cache import url_maker
from reminders.rules.base import (
    COMMITTEE_ABOVE,
    OFFICERS,
    SUPERVISORS,
    Context,
    Item,
    Rule,
    register,
)
from reminders.rules.common import in_scope_q, legal_period_end, short

# No rule of law sets how long the supervisor takes to finalise a self-scored sheet, or the
# committee to approve a finalised one: two weeks each (15 days). The supervisor's are counted
# from the later of the hand-in and the self-scoring deadline (the units are compared side by
# side once all have handed in); the committee's from the finalisation.
FINALISE_DAYS = 15
APPROVE_DAYS = 15
# No text sets a deadline for re-announcing after the scope, the TTHC or the standard version
# changed; the nearest rule is Decision 19/2014/QĐ-TTg Art. 4.4.a (update the QMS within 3 months
# of a change), so the same 3 months, counted from the day the profile stopped matching.
REANNOUNCE_MONTHS = 3
# No text sets a deadline either for a unit formed by the 2025 reorganisation to announce its
# QMS: by default 6 months from the day the merger took effect (rebuild the document set, audit,
# review, announce), a Django setting (MERGER_ANNOUNCE_MONTHS) where a province decides otherwise.
MERGER_ANNOUNCE_MONTHS = 6


def merger_announce_months() -> int:
    return getattr(settings, "MERGER_ANNOUNCE_MONTHS", MERGER_ANNOUNCE_MONTHS)


# --- Objective measurements (ISO 9001:2015 §9.1.1) ---------------------------------------------
def measurement_due_items(context: Context) -> list[Item]:
    """Each period of an indicator without a measurement whose due day (the end of the period +
    MEASUREMENT_GRACE_DAYS, Indicator.due_on, as in certification.selectors.overdue_measurements)
    falls by the horizon. Objectives of this year and the last (a late last-year period stays
    overdue through this year). Two queries."""
    indicators = (
        Indicator.objects.filter(
            objective__year__gte=context.today.year - 1, objective__year__lte=context.horizon.year
        )
        .filter(in_scope_q(context, "objective__unit__"))
        .order_by()
    )
    rows = indicators.values_list(
        "pk",
        "name",
        "frequency",
        "objective_id",
        "objective__year",
        "objective__unit_id",
        "objective__unit__name",
    )
    measured = set(
        Measurement.objects.filter(indicator__in=indicators.values("pk")).values_list(
            "indicator_id", "period"
        )
    )
    # The period logic is the model's: one probe per frequency, no query.
    probes = {frequency: Indicator(frequency=frequency) for frequency in Indicator.PERIODS}
    url = url_maker("certification:objective_detail", "#indicator-{}")
    template = _("Measure “%(indicator)s” for period %(period)s of %(year)s — %(unit)s")
    items = []
    for pk, name, frequency, objective_id, year, unit_id, unit_name in rows:
        probe = probes[frequency]
        for period in range(1, probe.period_count + 1):
            if (pk, period) in measured:
                continue
            due_on = probe.due_on(year, period)
            if due_on > context.horizon:
                break  # later periods fall due later still
            items.append(
                Item(
                    unit_id=unit_id,
                    object_key=f"certification.indicator:{pk}",
                    due_on=due_on,
                    title=template
                    % {"indicator": short(name, 150), "period": period, "year": year, "unit": unit_name},
                    url=url(objective_id, pk),
                )
            )
    return items


register(
    Rule(
        key="measurement_due",
        label=gettext_lazy("Objective measurements due"),
        items=measurement_due_items,
        audience=(OFFICERS,),
        lead_days=(7,),
        escalate_after=5,
        description=gettext_lazy(
            "Each period of a quality-objective indicator (ISO 9001:2015 §6.2, §9.1.1) with no "
            "measurement: due at the end of the period plus the grace days of the objectives "
            "(10 days). Reminded 7 days before to the unit's officers; escalation after 5 working "
            "days overdue. Done when the period's value is recorded."
        ),
    )
)


# --- Score sheets ------------------------------------------------------------------------------
def _first_live_year(context: Context) -> int:
    """The scoring of year Y runs at the end of Y and the start of Y + 1: the rounds of earlier
    years are closed business (a sheet left in draft there is not reminded for ever)."""
    return context.today.year - 1


def sheet_to_fill_items(context: Context) -> list[Item]:
    """Sheets still being self-scored in a round with a self-scoring deadline."""
    rows = (
        ScoreSheet.objects.filter(
            status=ScoreSheet.Status.DRAFT,
            round__self_score_due__isnull=False,
            round__self_score_due__lte=context.horizon,
            round__year__gte=_first_live_year(context),
        )
        .filter(in_scope_q(context))
        .values_list("pk", "unit_id", "unit__name", "round__year", "round__self_score_due")
        .order_by()
    )
    url = url_maker("certification:sheet_detail")
    template = _("Self-score the %(year)s score sheet of %(unit)s")
    return [
        Item(
            unit_id=unit_id,
            object_key=f"certification.scoresheet:{pk}",
            due_on=due_on,
            title=template % {"year": year, "unit": unit_name},
            url=url(pk),
        )
        for pk, unit_id, unit_name, year, due_on in rows
    ]


register(
    Rule(
        key="sheet_to_fill",
        label=gettext_lazy("Score sheets to fill"),
        items=sheet_to_fill_items,
        audience=(OFFICERS,),
        lead_days=(14, 3),
        escalate_after=5,
        description=gettext_lazy(
            "Score sheets of the annual scoring still being self-scored: due on the round's "
            "self-scoring deadline set by the supervisor. Reminded 14 and 3 days before to the "
            "unit's officers; escalation after 5 working days overdue. Done when submitted."
        ),
    )
)


def _sheets_waiting(context, status, day_field, days, template, after_deadline):
    """Sheets in `status` since `day_field`: due `days` after that day (after_deadline: after
    the later of that day and the round's self-scoring deadline)."""
    latest = context.horizon - datetime.timedelta(days=days)
    rows = (
        ScoreSheet.objects.filter(
            status=status,
            round__year__gte=_first_live_year(context),
            **{f"{day_field}__isnull": False, f"{day_field}__lte": latest},
        )
        .filter(in_scope_q(context))
        .values_list("pk", "unit_id", "unit__name", "round__year", day_field, "round__self_score_due")
        .order_by()
    )
    url = url_maker("certification:sheet_detail")
    items = []
    for pk, unit_id, unit_name, year, since, deadline in rows:
        start = max(since, deadline) if after_deadline and deadline else since
        due_on = start + datetime.timedelta(days=days)
        if due_on > context.horizon:
            continue
        items.append(
            Item(
                unit_id=unit_id,
                object_key=f"certification.scoresheet:{pk}",
                due_on=due_on,
                title=template % {"year": year, "unit": unit_name},
                url=url(pk),
            )
        )
    return items


def sheet_to_finalise_items(context: Context) -> list[Item]:
    return _sheets_waiting(
        context,
        ScoreSheet.Status.SUBMITTED,
        "submitted_on",
        FINALISE_DAYS,
        _("Finalise the %(year)s score sheet of %(unit)s"),
        after_deadline=True,
    )


def sheet_to_approve_items(context: Context) -> list[Item]:
    return _sheets_waiting(
        context,
        ScoreSheet.Status.FINALISED,
        "finalised_on",
        APPROVE_DAYS,
        _("Approve the %(year)s score sheet of %(unit)s"),
        after_deadline=False,
    )


register(
    Rule(
        key="sheet_to_finalise",
        label=gettext_lazy("Score sheets to finalise"),
        items=sheet_to_finalise_items,
        audience=(SUPERVISORS,),
        lead_days=(7,),
        escalate_after=None,
        description=gettext_lazy(
            "Self-scored sheets awaiting the supervisor's final score. No legal deadline: due 15 "
            "days after the later of the hand-in and the self-scoring deadline, reminded 7 days "
            "before to the supervisors above the unit. Not escalated (escalation goes to the "
            "unit's own officers, who cannot act). Done when finalised or sent back."
        ),
    )
)

register(
    Rule(
        key="sheet_to_approve",
        label=gettext_lazy("Score sheets to approve"),
        items=sheet_to_approve_items,
        audience=(COMMITTEE_ABOVE,),
        lead_days=(7,),
        escalate_after=None,
        description=gettext_lazy(
            "Finalised sheets awaiting the approval of the steering committee above the unit. No "
            "legal deadline: due 15 days after finalisation, reminded 7 days before. Not escalated "
            "(escalation goes to the unit's own officers, who cannot act). Done when approved or "
            "sent back."
        ),
    )
)


# --- Version transitions -----------------------------------------------------------------------
def transition_deadline_items(context: Context) -> list[Item]:
    """Each unit a transition covers (certification.selectors.transition_units: units with a QMS
    of their own below the transition's unit, in operation on the deadline) that is not yet on
    the target version: its current announcement or re-announcement is on another, earlier
    version. A unit already on a later version has nothing to do. Three queries."""
    transitions = list(
        VersionTransition.objects.filter(deadline__lte=context.horizon)
        .filter(in_scope_q(context))
        .values_list(
            "pk",
            "unit_id",
            "unit__path",
            "deadline",
            "target_version_id",
            "target_version__code",
            "target_version__sort_order",
        )
        .order_by()
    )
    if not transitions:
        return []
    below = Q()
    for transition in transitions:
        below |= Q(path__startswith=transition[2])
    units = list(
        Unit.objects.active_on(context.today)
        .filter(below, kind__in=QMS_UNIT_KINDS)
        .values_list("pk", "name", "path", "valid_from", "valid_until")
        .order_by()
    )
    versions: dict[int, list[tuple[int, int]]] = {}
    for unit_id, version_id, sort_order in (
        Decision.objects.filter(
            unit_id__in=[u[0] for u in units], superseded_by__isnull=True, kind__in=Decision.ANNOUNCING
        )
        .values_list("unit_id", "standard_version_id", "standard_version__sort_order")
        .order_by()
    ):
        versions.setdefault(unit_id, []).append((version_id, sort_order))
    url = url_maker("certification:transition_detail")
    template = _("Move %(unit)s to %(version)s by %(deadline)s: re-announce on the new version")
    by_owner_path: dict[str, list] = {}
    for transition in transitions:
        by_owner_path.setdefault(transition[2], []).append(transition)
    items = []
    for unit_id, name, path, valid_from, valid_until in units:
        done_versions = versions.get(unit_id, ())
        # The transitions of the unit's ancestors (not of the unit itself): by path prefix.
        ancestors = [path[: i + 1] for i, ch in enumerate(path[:-1]) if ch == "/"]
        for ancestor in ancestors:
            for pk, _owner, _path, deadline, target_id, target_code, target_order in by_owner_path.get(
                ancestor, ()
            ):
                # A unit set up after the deadline (or gone before it) was never bound by it.
                if (valid_from and valid_from > deadline) or (valid_until and valid_until < deadline):
                    continue
                if any(v == target_id or order > target_order for v, order in done_versions):
                    continue
                items.append(
                    Item(
                        unit_id=unit_id,
                        # One item per unit of the transition: the key names both.
                        object_key=f"certification.versiontransition:{pk}/unit:{unit_id}",
                        due_on=deadline,
                        title=template
                        % {"unit": name, "version": target_code, "deadline": f"{deadline:%d/%m/%Y}"},
                        url=url(pk),
                    )
                )
    return items


register(
    Rule(
        key="transition_deadline",
        label=gettext_lazy("Version-transition deadlines"),
        items=transition_deadline_items,
        audience=(OFFICERS,),
        lead_days=(90, 30, 7),
        escalate_after=10,
        description=gettext_lazy(
            "Units under a version transition whose current announcement is not yet on the target "
            "standard version: due on the deadline the supervisor set. A transition takes months "
            "(revise the documents, audit, re-announce): reminders 90, 30 and 7 days before to "
            "the unit's officers; escalation after 10 working days overdue. Done when the unit "
            "re-announces on the target (or a later) version."
        ),
    )
)


# --- Re-announcement needed --------------------------------------------------------------------
def reannouncement_needed_items(context: Context) -> list[Item]:
    """Profiles in status "needs re-announcement": due REANNOUNCE_MONTHS after the day the
    status began (from the profile's history: the first change to that status after the last
    row in another status), on a working day. Profiles of units formed by a merger or a split,
    in status "needs announcement": due MERGER_ANNOUNCE_MONTHS (merger_announce_months()) after
    the day the merger took effect, on a working day. At most three queries."""
    Status = QmsProfile.Status
    profiles = list(
        QmsProfile.objects.filter(status__in=(Status.NEEDS_REANNOUNCEMENT, Status.NEEDS_ANNOUNCEMENT))
        .filter(in_scope_q(context))
        .values_list("pk", "unit_id", "unit__name", "updated_at", "status")
        .order_by()
    )
    if not profiles:
        return []
    since: dict[int, datetime.datetime] = {}
    changed = [p[0] for p in profiles if p[4] == Status.NEEDS_REANNOUNCEMENT]
    if changed:
        history = (
            QmsProfile.history.filter(id__in=changed)
            .values_list("id", "status", "history_date")
            .order_by("id", "history_date", "history_id")
        )
        for profile_id, status, when in history:
            if status != Status.NEEDS_REANNOUNCEMENT:
                since.pop(profile_id, None)
            else:
                since.setdefault(profile_id, when)
    merged = [p[1] for p in profiles if p[4] == Status.NEEDS_ANNOUNCEMENT]
    merged_on = merger_dates(merged) if merged else {}
    url = url_maker("certification:profile_detail")
    template = _("Re-announce the QMS of %(unit)s: its scope, TTHC or standard version changed")
    merged_template = _("Announce the QMS of %(unit)s, a unit formed by the merger of %(date)s")
    months = merger_announce_months()
    items = []
    for pk, unit_id, unit_name, updated_at, status in profiles:
        if status == Status.NEEDS_ANNOUNCEMENT:
            # No merger on record any more (a lineage corrected by hand): from the last change.
            start = merged_on.get(unit_id) or timezone.localdate(updated_at)
            due_on = legal_period_end(start, months=months)
            title = merged_template % {"unit": unit_name, "date": f"{start:%d/%m/%Y}"}
        else:
            changed_on = timezone.localdate(since.get(pk, updated_at))
            due_on = legal_period_end(changed_on, months=REANNOUNCE_MONTHS)
            title = template % {"unit": unit_name}
        if due_on > context.horizon:
            continue
        items.append(
            Item(
                unit_id=unit_id,
                object_key=f"certification.qmsprofile:{pk}",
                due_on=due_on,
                title=title,
                url=url(pk),
            )
        )
    return items


register(
    Rule(
        key="reannouncement_needed",
        label=gettext_lazy("Re-announcement needed"),
        items=reannouncement_needed_items,
        audience=(OFFICERS,),
        lead_days=(30, 7),
        escalate_after=5,
        description=gettext_lazy(
            "QMS profiles whose current announcement no longer matches the scope, the TTHC or the "
            "standard version (Circular 26/2014/TT-BKHCN: a changed scope is announced again). No "
            "text sets the period: 3 months from the day the status changed, as for any update "
            "of the QMS (Decision 19/2014/QĐ-TTg Art. 4.4.a), moved to the next working day. "
            "Also the profiles of units formed by a merger or a split (the 2025 reorganisation), "
            "which announce their QMS as new units: by default 6 months from the day the merger "
            "took effect (the MERGER_ANNOUNCE_MONTHS setting), moved to the next working day. "
            "Reminders 30 and 7 days before, escalation after 5 working days overdue. Done when "
            "the announcement or re-announcement is recorded."
        ),
    )
)
