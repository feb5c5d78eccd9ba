"""Background work of the documents app (DESIGN.md §2: tasks take ids and call services)."""

from celery import shared_task

from documents.services import lifecycle


@shared_task(name="documents.make_due_revisions_effective")
def make_due_revisions_effective() -> int:
    """Bring into force the approved issues whose effective date has come; run daily by beat.

    Returns how many took effect. Safe to re-run: an issue already in force is not approved
    any more, so a second run finds nothing.
    """
    return lifecycle.revisions_make_due_effective()
