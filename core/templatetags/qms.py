from django import template

from core.scoping import get_scope

register = template.Library()


@register.filter
def person(user):
    """A user's name in Vietnamese order: family name, then given name ("Lê Thu Hà")."""
    if user is None:
        return ""
    name = f"{user.last_name} {user.first_name}".strip()
    return name or user.get_username()


# The context names under which a page passes its main record (the generic views' "object" first).
_RECORD_NAMES = ("object", "unit", "document", "audit", "nonconformity", "action", "review", "inspection")


@register.inclusion_tag("core/_archive_banner.html", takes_context=True)
def archive_banner(context):
    """A banner on a record of a merged unit that the user reads only as its successor's archive
    (read only). Costs nothing more: the user's scope is computed once per request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    unit = None
    for name in _RECORD_NAMES:
        record = context.get(name)
        if record is None:
            continue
        unit = record if hasattr(record, "path") and hasattr(record, "successions_out") else None
        unit = unit or getattr(record, "unit", None)
        if unit is not None and getattr(unit, "path", None):
            break
        unit = None
    if unit is None or user is None or not user.is_authenticated:
        return {"unit": None}
    return {"unit": unit if get_scope(user).is_archive(unit.path) else None}
