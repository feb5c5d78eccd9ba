"""Reminder rules of the documents app: periodic reviews, update tasks (the 3-month rule) and
framework models changed since a unit adopted them.

Each rule reads with one or two set-based queries, whatever the number of documents.
"""

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.urls_cache import url_maker
from documents.models import Adoption, Document, Revision, UpdateTask
from documents.selectors import open_tasks
from reminders.rules.base import OFFICERS, Context, Item, Rule, register
from reminders.rules.common import in_scope_q, legal_period_end, short

# Decision 19/2014/QĐ-TTg Art. 4.4.a: the affected procedures are revised within 3 months of
# the effective date of the change (documents.services.tasks.UPDATE_MONTHS).
UPDATE_MONTHS = 3
# A framework model revised above the unit is a change of the unit's own procedure: the same
# 3 months, counted from the day the model's new issue came into force.
MODEL_CHANGE_MONTHS = UPDATE_MONTHS


# --- Periodic review (ISO 9001:2015 §7.5.2) ----------------------------------------------------
def document_review_items(context: Context) -> list[Item]:
    """Documents in force whose next review date falls by the horizon (or has passed).

    Done: a review (documents.services.lifecycle.document_review) moves next_review_on; a
    withdrawn document is no longer in force.
    """
    rows = (
        Document.objects.filter(status=Document.Status.EFFECTIVE, next_review_on__lte=context.horizon)
        .filter(in_scope_q(context))
        .values_list("pk", "code", "title", "unit_id", "unit__name", "next_review_on")
        .order_by()
    )
    url = url_maker("documents:document_detail")
    template = _("Periodic review of %(code)s “%(title)s” — %(unit)s")
    return [
        Item(
            unit_id=unit_id,
            object_key=f"documents.document:{pk}",
            due_on=due_on,
            title=template % {"code": code, "title": short(title, 150), "unit": unit_name},
            url=url(pk),
        )
        for pk, code, title, unit_id, unit_name, due_on in rows
    ]


register(
    Rule(
        key="document_review",
        label=gettext_lazy("Documents due for periodic review"),
        items=document_review_items,
        audience=(OFFICERS,),
        lead_days=(30, 7),
        escalate_after=10,
        description=gettext_lazy(
            "Documents in force whose next review date (set from the review period after each "
            "issue or review) is near or past. ISO 9001:2015 §7.5.2 sets no legal deadline: "
            "reminders 30 and 7 days before, escalation after 10 working days overdue. Done when "
            "the review is recorded or the document withdrawn."
        ),
    )
)


# --- Update tasks: TTHC and legal changes (the 3-month rule) -----------------------------------
def update_task_items(context: Context) -> list[Item]:
    """Open update tasks opened by a TTHC decision or a legal change.

    The tasks of a revised framework model are left to `model_changed`, which reminds of the
    adoption itself (one reminder per change, not two). The due date is the task's (the change's
    effective date + 3 months), moved to the next working day when it falls on a day off.
    """
    rows = (
        open_tasks()
        .exclude(reason=UpdateTask.Reason.MODEL_CHANGED)
        # Moving to a working day only delays a due date: what is due by the horizon is stored so.
        .filter(due_on__lte=context.horizon)
        .filter(in_scope_q(context))
        .values_list(
            "pk",
            "reason",
            "action",
            "due_on",
            "unit_id",
            "unit__name",
            "document_id",
            "document__code",
            "procedure__code",
        )
        .order_by()
    )
    reasons = dict(UpdateTask.Reason.choices)
    actions = dict(UpdateTask.Action.choices)
    document_url = url_maker("documents:document_detail")
    task_list = reverse("documents:task_list")
    template = _("Update within 3 months at %(unit)s: %(action)s %(target)s (%(reason)s)")
    items = []
    for pk, reason, action, stored_due, unit_id, unit_name, doc_id, doc_code, tthc_code in rows:
        due_on = legal_period_end(stored_due)
        if due_on > context.horizon:
            continue
        target = doc_code if doc_id else (_("TTHC %(code)s") % {"code": tthc_code} if tthc_code else "")
        items.append(
            Item(
                unit_id=unit_id,
                object_key=f"documents.updatetask:{pk}",
                due_on=due_on,
                title=template
                % {
                    "unit": unit_name,
                    "action": actions.get(action, action),
                    "target": target,
                    "reason": reasons.get(reason, reason),
                },
                url=document_url(doc_id) if doc_id else f"{task_list}?unit={unit_id}",
            )
        )
    return items


register(
    Rule(
        key="update_task",
        label=gettext_lazy("TTHC and legal update tasks (3-month rule)"),
        items=update_task_items,
        audience=(OFFICERS,),
        lead_days=(30, 7),
        escalate_after=5,
        description=gettext_lazy(
            "Open update tasks opened when a TTHC is added, amended or abolished or when a legal "
            "basis is amended or replaced. Decision 19/2014/QĐ-TTg Art. 4.4.a: the procedures are "
            "updated within 3 months of the change's effective date; a deadline on a day off "
            "moves to the next working day (Civil Code 2015 Art. 148). Reminders 30 and 7 days "
            "before, escalation after 5 working days overdue. Done when the task is closed."
        ),
    )
)


# --- Framework models changed since adoption ---------------------------------------------------
def model_changed_items(context: Context) -> list[Item]:
    """Adoptions whose model has an issue in force (or since superseded) newer than the issue
    the unit adopted. The clock starts with the first such issue: due = its effective date
    + 3 months (MODEL_CHANGE_MONTHS), on a working day.

    Done: when the unit's copy takes a new issue, documents.services.tasks raises
    `adopted_revision`; a withdrawn copy or a model no longer in force needs nothing.
    """
    newer = Revision.objects.filter(
        document_id=OuterRef("model_document_id"),
        number__gt=OuterRef("adopted_revision"),
        state__in=[Revision.State.EFFECTIVE, Revision.State.SUPERSEDED],
        effective_from__isnull=False,
    ).order_by("number")
    rows = (
        Adoption.objects.filter(
            status=Adoption.Status.ADOPTED,
            adopted_revision__isnull=False,
            model_document__status=Document.Status.EFFECTIVE,
            document__isnull=False,
        )
        .exclude(document__status=Document.Status.WITHDRAWN)
        .filter(in_scope_q(context))
        .annotate(
            changed_on=Subquery(newer.values("effective_from")[:1]),
            change_number=Subquery(newer.values("number")[:1]),
        )
        .filter(changed_on__isnull=False, changed_on__lte=context.horizon)
        .values_list(
            "pk",
            "unit_id",
            "unit__name",
            "document_id",
            "document__code",
            "model_document__code",
            "changed_on",
            "change_number",
        )
        .order_by()
    )
    document_url = url_maker("documents:document_detail")
    template = _(
        "Framework model %(model)s has a new issue (%(number)s): bring %(code)s of %(unit)s in line with it"
    )
    items = []
    for pk, unit_id, unit_name, doc_id, doc_code, model_code, changed_on, number in rows:
        due_on = legal_period_end(changed_on, months=MODEL_CHANGE_MONTHS)
        if due_on > context.horizon:
            continue
        items.append(
            Item(
                unit_id=unit_id,
                object_key=f"documents.adoption:{pk}",
                due_on=due_on,
                title=template % {"model": model_code, "number": number, "code": doc_code, "unit": unit_name},
                url=document_url(doc_id),
            )
        )
    return items


register(
    Rule(
        key="model_changed",
        label=gettext_lazy("Framework models changed since adoption"),
        items=model_changed_items,
        audience=(OFFICERS,),
        lead_days=(30, 7),
        escalate_after=5,
        description=gettext_lazy(
            "Documents a unit adopted from a framework model whose model has since taken a new "
            "issue. Due 3 months after the first newer issue came into force, as for any change "
            "of a procedure's basis (Decision 19/2014/QĐ-TTg Art. 4.4.a), moved to the next "
            "working day when it falls on a day off. Reminders 30 and 7 days before, escalation "
            "after 5 working days overdue. Done when the unit's copy takes a new issue."
        ),
    )
)
